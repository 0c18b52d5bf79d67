"""The kernels added for large problems against the plain ones: fused WA + HPWL, the numba
conjugate gradient, chunked parallel spreading, the one-pass charge and area spread, global
placement on position-sorted cells, and detailed placement without huge nets."""

from __future__ import annotations

import sys

import numba
import numpy as np
import pytest
from scipy import sparse
from scipy.sparse.linalg import spsolve

from tapeout.place import PlaceOptions, detailed_place, global_place, place_problem
from tapeout.place._kernels import density as density_kernels
from tapeout.place._kernels.density import spread_area, spread_charge_and_area
from tapeout.place._kernels.solve import conjugate_gradient
from tapeout.place._kernels.wirelength import hpwl, wa_gradient_and_hpwl, wa_wirelength
from tests.place.conftest import random_problem
from tests.place.legality import legality_errors


@pytest.mark.parametrize("seed", [0, 1])
def test_fused_wirelength_matches_the_per_axis_kernels(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_cells, n_nets = 60, 90
    degree = rng.integers(1, 8, n_nets)
    indptr = np.zeros(n_nets + 1, dtype=np.int64)
    np.cumsum(degree, out=indptr[1:])
    pin_cell = rng.integers(0, n_cells, indptr[-1]).astype(np.int64)
    centre_x = rng.uniform(0, 100, n_cells)
    centre_y = rng.uniform(0, 80, n_cells)
    offset_x = rng.uniform(-2, 2, pin_cell.size)
    offset_y = rng.uniform(-2, 2, pin_cell.size)
    weight = rng.uniform(0.5, 2, n_nets)
    active = rng.random(n_nets) < 0.8
    order = np.argsort(pin_cell, kind="stable").astype(np.int64)
    cell_indptr = np.zeros(n_cells + 1, dtype=np.int64)
    np.cumsum(np.bincount(pin_cell, minlength=n_cells), out=cell_indptr[1:])
    movable = np.flatnonzero(rng.random(n_cells) < 0.7).astype(np.int64)
    out = np.zeros((2, movable.size + 3))
    y_scale = 0.5
    value = wa_gradient_and_hpwl(
        centre_x, centre_y, pin_cell, offset_x, offset_y, indptr, weight, active, 4.0,
        cell_indptr, order, movable, out, y_scale=y_scale,
    )  # fmt: skip
    pin_x = centre_x[pin_cell] + offset_x
    pin_y = centre_y[pin_cell] + offset_y
    assert value == pytest.approx(hpwl(pin_x, pin_y * y_scale, indptr, weight), rel=1e-12)
    for axis, pins, scale in ((0, pin_x, 1.0), (1, pin_y, y_scale)):
        _, gradient = wa_wirelength(pins, indptr, weight, active, 4.0, cell_indptr, order)
        np.testing.assert_allclose(out[axis, : movable.size], scale * gradient[movable], atol=1e-9)
    assert np.all(out[:, movable.size :] == 0)


def test_conjugate_gradient_solves_a_laplacian() -> None:
    rng = np.random.default_rng(4)
    n = 200
    rows = rng.integers(0, n, 800)
    cols = rng.integers(0, n, 800)
    keep = rows != cols
    w = rng.uniform(0.1, 2, keep.sum())
    off = sparse.coo_matrix((-w, (rows[keep], cols[keep])), shape=(n, n))
    off = off + off.T
    diagonal = -np.asarray(off.sum(axis=1)).ravel() + rng.uniform(0.01, 0.1, n)
    matrix = (off + sparse.diags(diagonal)).tocsr()
    matrix.sum_duplicates()
    rhs = rng.normal(size=n)
    solution, iterations = conjugate_gradient(
        matrix.indptr, matrix.indices, matrix.data, rhs, np.zeros(n), rtol=1e-10,
        max_iterations=2000,
    )  # fmt: skip
    np.testing.assert_allclose(solution, spsolve(matrix.tocsc(), rhs), rtol=1e-6, atol=1e-8)
    assert 0 < iterations < 2000


def test_chunked_spread_equals_the_serial_one(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(5)
    n = 3000
    args = (
        rng.uniform(-5, 105, n), rng.uniform(-5, 85, n), rng.uniform(0.5, 9, n),
        rng.uniform(0.5, 9, n), rng.uniform(0.5, 1.5, n), (0.0, 0.0), (3.0, 2.5), (34, 32),
    )  # fmt: skip
    serial = spread_area(*args)
    monkeypatch.setattr(density_kernels, "_PARALLEL_SPREAD_CELLS", 10)
    before = numba.get_num_threads()
    numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
    try:
        chunked = spread_area(*args)
    finally:
        numba.set_num_threads(before)
    np.testing.assert_allclose(chunked, serial, rtol=1e-12, atol=1e-9)


def test_one_pass_spread_equals_two_spreads() -> None:
    rng = np.random.default_rng(6)
    n, m = 500, 350
    x, y = rng.uniform(-5, 105, n), rng.uniform(-5, 85, n)
    width, height = rng.uniform(0.5, 4, n), rng.uniform(0.5, 4, n)
    charge_width, charge_height = width + rng.uniform(0, 5, n), height + rng.uniform(0, 5, n)
    scale = rng.uniform(0.2, 1, n)
    grid = ((0.0, 0.0), (3.0, 2.5), (34, 32))
    charge, area = spread_charge_and_area(
        x, y, charge_width, charge_height, scale, width[:m], height[:m], *grid
    )
    np.testing.assert_array_equal(
        charge, spread_area(x, y, charge_width, charge_height, scale, *grid)
    )
    np.testing.assert_array_equal(
        area, spread_area(x[:m], y[:m], width[:m], height[:m], np.ones(m), *grid)
    )


def test_sorted_global_placement_matches_and_reports_movable_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Large problems place cells in position order: same quality, hook still in movable() order.
    plain = random_problem(400, seed=8)
    global_place(plain, PlaceOptions())
    monkeypatch.setattr(sys.modules["tapeout.place.global_place"], "_SORT_MIN_CELLS", 10)
    seen: list[np.ndarray] = []

    def progress(centre_x: np.ndarray, centre_y: np.ndarray, overflow: float) -> bool:
        seen.append(centre_x.copy())
        return False

    problem = random_problem(400, seed=8)
    result = global_place(problem, PlaceOptions(), progress=progress)
    movable = problem.movable()
    centre_x = problem.cell_x[movable] + problem.cell_width[movable] / 2
    np.testing.assert_allclose(seen[-1], centre_x, rtol=0, atol=1e-9)
    assert result.hpwl == pytest.approx(plain.hpwl(), rel=0.05)
    again = random_problem(400, seed=8)
    global_place(again, PlaceOptions())
    np.testing.assert_array_equal(again.cell_x, problem.cell_x)


def test_detailed_placement_skips_huge_nets_and_stays_legal() -> None:
    problem = random_problem(300, seed=7, n_fixed_blocks=1)
    # One net on every movable cell (a clock): left out of the moves, still in the HPWL.
    movable = problem.movable()
    problem.pin_cell = np.concatenate([problem.pin_cell, movable.astype(np.int32)])
    problem.pin_offset_x = np.concatenate([problem.pin_offset_x, np.zeros(movable.size)])
    problem.pin_offset_y = np.concatenate([problem.pin_offset_y, np.zeros(movable.size)])
    problem.net_pin_indptr = np.append(problem.net_pin_indptr, problem.pin_cell.size)
    problem.net_weight = np.append(problem.net_weight, 1.0)
    fixed_x, fixed_y = problem.cell_x.copy(), problem.cell_y.copy()
    place_problem(problem, PlaceOptions(detailed_passes=0, max_net_degree=100))
    before = problem.hpwl()
    result = detailed_place(problem, passes=3, max_net_degree=100)
    assert legality_errors(problem, fixed_x, fixed_y) == []
    assert result.hpwl_after == pytest.approx(problem.hpwl())
    assert result.hpwl_after < before
