"""Fast kernels against the slow references in _kernels/reference.py, on random inputs."""

from __future__ import annotations

import numpy as np
import pytest

from tapeout.place._kernels import reference
from tapeout.place._kernels.density import gather_field, spread_area
from tapeout.place._kernels.wirelength import hpwl, wa_wirelength
from tapeout.place.density import electric_field


def _random_nets(rng: np.random.Generator, n_cells: int, n_nets: int):  # type: ignore[no-untyped-def]
    degree = rng.integers(1, 8, n_nets)
    indptr = np.zeros(n_nets + 1, dtype=np.int64)
    np.cumsum(degree, out=indptr[1:])
    pin_cell = rng.integers(0, n_cells, indptr[-1]).astype(np.int32)
    return indptr, pin_cell


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_hpwl_matches_reference(seed: int) -> None:
    rng = np.random.default_rng(seed)
    indptr, pin_cell = _random_nets(rng, 50, 80)
    x = rng.uniform(-100, 100, pin_cell.size)
    y = rng.uniform(-100, 100, pin_cell.size)
    weight = rng.uniform(0.5, 2, 80)
    assert hpwl(x, y, indptr, weight) == pytest.approx(reference.hpwl(x, y, indptr, weight))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_wa_wirelength_matches_reference(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_cells = 40
    indptr, pin_cell = _random_nets(rng, n_cells, 60)
    coordinate = rng.uniform(0, 50, pin_cell.size)
    weight = rng.uniform(0.5, 2, 60)
    order = np.argsort(pin_cell, kind="stable").astype(np.int64)
    cell_indptr = np.zeros(n_cells + 1, dtype=np.int64)
    np.cumsum(np.bincount(pin_cell, minlength=n_cells), out=cell_indptr[1:])
    value, gradient = wa_wirelength(
        coordinate, indptr, weight, np.ones(60, dtype=bool), 5.0, cell_indptr, order
    )
    expected_value, expected_gradient = reference.wa_wirelength(
        coordinate, pin_cell, n_cells, indptr, weight, 5.0
    )
    assert value == pytest.approx(expected_value, rel=1e-10)
    np.testing.assert_allclose(gradient, expected_gradient, rtol=1e-8, atol=1e-10)


def test_wa_gradient_is_the_derivative() -> None:
    rng = np.random.default_rng(3)
    indptr = np.array([0, 4], dtype=np.int64)
    coordinate = rng.uniform(0, 10, 4)
    cell_indptr = np.arange(5, dtype=np.int64)
    cells = np.arange(4, dtype=np.int64)
    args = (indptr, np.ones(1), np.ones(1, dtype=bool), 2.0, cell_indptr, cells)
    _, gradient = wa_wirelength(coordinate, *args)
    for pin in range(4):
        step = np.zeros(4)
        step[pin] = 1e-6
        plus, _ = wa_wirelength(coordinate + step, *args)
        minus, _ = wa_wirelength(coordinate - step, *args)
        assert gradient[pin] == pytest.approx((plus - minus) / 2e-6, rel=1e-5)


@pytest.mark.parametrize("seed", [0, 1])
def test_spread_and_gather_match_reference(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 30
    cx = rng.uniform(-5, 45, n)
    cy = rng.uniform(-5, 35, n)
    w = rng.uniform(0.5, 12, n)
    h = rng.uniform(0.5, 12, n)
    scale = rng.uniform(0.2, 1, n)
    grid = ((0.0, 0.0), (5.0, 4.0), (8, 8))
    np.testing.assert_allclose(
        spread_area(cx, cy, w, h, scale, *grid), reference.spread_area(cx, cy, w, h, scale, *grid)
    )
    field_x = rng.normal(size=(8, 8))
    field_y = rng.normal(size=(8, 8))
    got = gather_field(cx, cy, w, h, scale, grid[0], grid[1], field_x, field_y)
    expected = reference.gather_field(cx, cy, w, h, scale, grid[0], grid[1], field_x, field_y)
    np.testing.assert_allclose(got[0], expected[0], atol=1e-9)
    np.testing.assert_allclose(got[1], expected[1], atol=1e-9)


@pytest.mark.parametrize("shape", [(8, 8), (8, 16), (5, 7)])
def test_electric_field_matches_cosine_series(shape: tuple[int, int]) -> None:
    rng = np.random.default_rng(4)
    density = rng.random(shape)
    got = electric_field(density, (2.0, 3.0))
    expected = reference.electric_field(density, (2.0, 3.0))
    for a, b in zip(got, expected, strict=True):
        np.testing.assert_allclose(a, b, atol=1e-10)


def test_field_points_away_from_a_crowded_bin() -> None:
    density = np.zeros((8, 8))
    density[3, 3] = 10.0
    _, field_x, field_y = electric_field(density, (1.0, 1.0))
    assert field_x[5, 3] > 0 > field_x[1, 3]
    assert field_y[3, 5] > 0 > field_y[3, 1]


@pytest.mark.parametrize("seed", [0, 1])
def test_rudy_matches_reference(seed: int) -> None:
    from tapeout.place._kernels.rudy import rudy_map

    rng = np.random.default_rng(seed)
    indptr, pin_cell = _random_nets(rng, 20, 30)
    x = rng.uniform(0, 40, pin_cell.size)
    y = rng.uniform(0, 40, pin_cell.size)
    weight = rng.uniform(0.5, 2, 30)
    args = (x, y, indptr, weight, (0.0, 0.0), (5.0, 5.0), (8, 8), 2.0)
    np.testing.assert_allclose(rudy_map(*args), reference.rudy_map(*args))
    # Total wire estimate = sum of weighted net half perimeters (all boxes inside the grid).
    expected = sum(
        weight[n] * (np.ptp(x[indptr[n] : indptr[n + 1]]) + np.ptp(y[indptr[n] : indptr[n + 1]]))
        for n in range(30)
        if indptr[n + 1] - indptr[n] >= 2
    )
    assert rudy_map(*args).sum() == pytest.approx(expected, rel=0.05)


def test_assignment_costs_and_independent_sets_match_reference() -> None:
    from tapeout.place._kernels.matching import assignment_costs, independent_sets

    rng = np.random.default_rng(5)
    n_cells = 30
    indptr, pin_cell = _random_nets(rng, n_cells, 40)
    pin_cell = pin_cell.astype(np.int64)
    x = rng.uniform(0, 50, n_cells)
    y = rng.uniform(0, 50, n_cells)
    width = np.full(n_cells, 2.0)
    height = np.full(n_cells, 3.0)
    offset_x = rng.uniform(-1, 1, pin_cell.size)
    offset_y = rng.uniform(-1, 1, pin_cell.size)
    weight = rng.uniform(0.5, 2, 40)
    pin_net = np.repeat(np.arange(40), np.diff(indptr)).astype(np.int64)
    mirror_y = (rng.random(n_cells) < 0.5).astype(np.uint8)
    order = np.argsort(pin_cell, kind="stable").astype(np.int64)
    cell_indptr = np.zeros(n_cells + 1, dtype=np.int64)
    np.cumsum(np.bincount(pin_cell, minlength=n_cells), out=cell_indptr[1:])
    set_indptr, set_cells = independent_sets(
        np.arange(n_cells, dtype=np.int64), np.zeros(n_cells, dtype=np.int64),
        cell_indptr, order, pin_net, 40, 8,
    )  # fmt: skip
    assert set_indptr.size >= 2
    for k in range(set_indptr.size - 1):
        cells = set_cells[set_indptr[k] : set_indptr[k + 1]]
        nets = [set(pin_net[pin_cell == c].tolist()) for c in cells]
        for a in range(len(cells)):
            for b in range(a + 1, len(cells)):
                assert not nets[a] & nets[b]
        got = assignment_costs(
            cells, x, y, width, height, pin_cell, offset_x, offset_y, indptr, weight,
            cell_indptr, order, pin_net, mirror_y,
        )  # fmt: skip
        expected = reference.assignment_costs(
            cells, x, y, width, height, pin_cell, offset_x, offset_y, indptr, weight, mirror_y
        )
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-9)
