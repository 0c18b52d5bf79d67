"""Cell orientations in placement: pin offsets that turn with the cell, rows' mirrors after
legalization, the flip pass of detailed placement, and flipped cells written to DEF and
Bookshelf and read back."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tapeout.cli import main
from tapeout.db.physical import Orientation, orient_points, oriented_size
from tapeout.formats.bookshelf import ORIENTATIONS, read_bookshelf
from tapeout.formats.def_ import read_def, write_def
from tapeout.formats.lef import read_lef
from tapeout.log import Log
from tapeout.place import PlaceOptions, detailed_place, global_place, legalize, place_problem
from tapeout.place._kernels import reference
from tapeout.place._kernels.flip import flip_pass
from tapeout.place.detailed import _light_pins
from tapeout.place.from_design import apply_to_physical, problem_from_design
from tapeout.place.problem import (
    BOOKSHELF_ORIENTATIONS,
    mirrors,
    orient_offsets,
    orientation_of_mirrors,
    problem_from_bookshelf,
)
from tapeout.platforms import get_platform
from tests.conftest import DATA, shared_path
from tests.place.conftest import random_problem
from tests.place.legality import legality_errors

TINY_DEF = DATA / "place" / "tiny_sky130.def"


def _hpwl_from_master(problem, master_x, master_y):  # type: ignore[no-untyped-def]
    """HPWL with the pin offsets recomputed from the master frame and ``cell_orient``."""
    dx, dy = orient_offsets(master_x, master_y, problem.cell_orient[problem.pin_cell])
    pin_x = problem.cell_x[problem.pin_cell] + problem.cell_width[problem.pin_cell] / 2 + dx
    pin_y = problem.cell_y[problem.pin_cell] + problem.cell_height[problem.pin_cell] / 2 + dy
    return reference.hpwl(pin_x, pin_y, problem.net_pin_indptr, problem.net_weight)


@pytest.mark.parametrize("orient", list(Orientation))
def test_orient_offsets_match_the_oriented_box(orient: Orientation) -> None:
    rng = np.random.default_rng(int(orient))
    width, height = 7.0, 3.0
    x = rng.uniform(0, width, 20)
    y = rng.uniform(0, height, 20)
    codes = np.full(20, orient, dtype=np.int8)
    placed_x, placed_y = orient_points(x, y, codes, np.full(20, width), np.full(20, height))
    placed_width, placed_height = oriented_size(np.array([width]), np.array([height]), codes[:1])
    dx, dy = orient_offsets(x - width / 2, y - height / 2, codes)
    np.testing.assert_allclose(dx, placed_x - placed_width[0] / 2, atol=1e-12)
    np.testing.assert_allclose(dy, placed_y - placed_height[0] / 2, atol=1e-12)


def test_mirror_flags_name_the_unrotated_orientations() -> None:
    codes = np.array([Orientation.N, Orientation.FN, Orientation.FS, Orientation.S], np.int8)
    mirror_x, mirror_y = mirrors(codes)
    assert mirror_x.tolist() == [False, True, False, True]
    assert mirror_y.tolist() == [False, False, True, True]
    np.testing.assert_array_equal(orientation_of_mirrors(mirror_x, mirror_y), codes)
    assert BOOKSHELF_ORIENTATIONS == ORIENTATIONS


def test_set_orientations_turns_the_pin_offsets_exactly() -> None:
    problem = random_problem(120, seed=3)
    master_x, master_y = problem.pin_offset_x.copy(), problem.pin_offset_y.copy()
    start = problem.hpwl()
    rng = np.random.default_rng(3)
    cells = np.arange(problem.n_cells)
    for _ in range(3):
        orient = rng.integers(0, 8, problem.n_cells).astype(np.int8)
        problem.set_orientations(cells, orient)
        expected_x, expected_y = orient_offsets(master_x, master_y, orient[problem.pin_cell])
        np.testing.assert_array_equal(problem.pin_offset_x, expected_x)
        np.testing.assert_array_equal(problem.pin_offset_y, expected_y)
        back_x, back_y = problem.master_pin_offsets()
        np.testing.assert_array_equal(back_x, master_x)
        np.testing.assert_array_equal(back_y, master_y)
    # FN mirrors x only; back to N restores the offsets bit for bit.
    problem.set_orientations(cells, np.full(problem.n_cells, Orientation.FN, np.int8))
    np.testing.assert_array_equal(problem.pin_offset_x, -master_x)
    np.testing.assert_array_equal(problem.pin_offset_y, master_y)
    problem.set_orientations(cells, np.zeros(problem.n_cells, np.int8))
    np.testing.assert_array_equal(problem.pin_offset_x, master_x)
    assert problem.hpwl() == start


def test_legalized_cells_take_their_rows_mirror() -> None:
    problem = random_problem(300, seed=4, alternate_rows=True)
    master_x, master_y = problem.master_pin_offsets()
    global_place(problem, PlaceOptions())
    result = legalize(problem)
    movable = problem.movable()
    _, row_mirror_y = mirrors(problem.row_orient[problem.cell_rows(movable)])
    mirror_x, mirror_y = mirrors(problem.cell_orient[movable])
    np.testing.assert_array_equal(mirror_y, row_mirror_y)
    assert not mirror_x.any()
    assert row_mirror_y.any() and not row_mirror_y.all()
    # Pins of cells in FS rows sit mirrored about the cell's horizontal centre line.
    in_fs = np.zeros(problem.n_cells, dtype=bool)
    in_fs[movable[row_mirror_y]] = True
    pins = in_fs[problem.pin_cell]
    np.testing.assert_array_equal(problem.pin_offset_y[pins], -master_y[pins])
    np.testing.assert_array_equal(problem.pin_offset_y[~pins], master_y[~pins])
    assert result.hpwl == pytest.approx(_hpwl_from_master(problem, master_x, master_y))


def test_flip_pass_matches_reference() -> None:
    problem = random_problem(150, seed=11)
    global_place(problem, PlaceOptions())
    legalize(problem)
    pins = _light_pins(problem, 1000)
    cells = problem.movable()
    expected_x, expected_flipped = reference.flip_pass(
        cells, problem.cell_x, problem.cell_y, problem.cell_width, problem.cell_height,
        pins.pin_cell, pins.offset_x, pins.offset_y, pins.net_pin_indptr, problem.net_weight,
    )  # fmt: skip
    before = problem.hpwl()
    mirror_x = np.zeros(problem.n_cells, dtype=np.uint8)
    gain = flip_pass(
        cells, problem.cell_x, problem.cell_y, problem.cell_width, problem.cell_height,
        pins.pin_cell, pins.offset_x, pins.offset_y, pins.net_pin_indptr, problem.net_weight,
        pins.cell_pin_indptr, pins.cell_pin_indices, pins.pin_net, mirror_x,
    )  # fmt: skip
    np.testing.assert_array_equal(pins.offset_x, expected_x)
    np.testing.assert_array_equal(mirror_x[cells].astype(bool), expected_flipped)
    assert expected_flipped.sum() > 10
    after = reference.hpwl(
        problem.cell_x[pins.pin_cell] + problem.cell_width[pins.pin_cell] / 2 + pins.offset_x,
        problem.cell_y[pins.pin_cell] + problem.cell_height[pins.pin_cell] / 2 + pins.offset_y,
        pins.net_pin_indptr,
        problem.net_weight,
    )
    assert gain > 0
    assert before - after == pytest.approx(gain, rel=1e-9)


@pytest.mark.parametrize("seed", [5, 6])
def test_detailed_placement_flips_cells_shortens_wires_and_stays_legal(seed: int) -> None:
    problem = random_problem(300, seed=seed, alternate_rows=True, n_tall=3)
    fixed_x, fixed_y = problem.cell_x.copy(), problem.cell_y.copy()
    master_x, master_y = problem.master_pin_offsets()
    global_place(problem, PlaceOptions())
    legalize(problem)
    before = problem.hpwl()
    result = detailed_place(problem, passes=3)
    assert legality_errors(problem, fixed_x, fixed_y) == []
    assert result.hpwl_after < before
    # The reported HPWL is that of the pins turned by the final orientations.
    assert result.hpwl_after == pytest.approx(_hpwl_from_master(problem, master_x, master_y))
    movable = problem.movable()
    mirror_x, mirror_y = mirrors(problem.cell_orient[movable])
    _, row_mirror_y = mirrors(problem.row_orient[problem.cell_rows(movable)])
    np.testing.assert_array_equal(mirror_y, row_mirror_y)
    assert mirror_x.sum() > 20
    assert set(np.unique(problem.cell_orient[movable]).tolist()) == {
        Orientation.N, Orientation.FN, Orientation.FS, Orientation.S,
    }  # fmt: skip
    # No single flip shortens the wires any more by much (the pass ran last).
    for cell in movable[mirror_x][:20]:
        trial = problem.cell_orient.copy()
        trial[cell] = Orientation.N if trial[cell] == Orientation.FN else Orientation.FS
        keep = problem.cell_orient.copy()
        problem.set_orientations(np.array([cell]), trial[[cell]])
        flipped_back = problem.hpwl()
        problem.set_orientations(np.array([cell]), keep[[cell]])
        assert flipped_back >= result.hpwl_after - 1e-6 * result.hpwl_after


def _lef():  # type: ignore[no-untyped-def]
    shared_path("pdks/sky130hd")
    platform = get_platform("sky130hd")
    return read_lef([platform.tech_lef, *platform.cell_lefs], log=Log())


def test_def_round_trip_keeps_flipped_cells_and_their_pins(tmp_path: Path) -> None:
    lef = _lef()
    result = read_def(TINY_DEF, log=Log(), dbu_per_micron=lef.tech.dbu_per_micron)
    problem = problem_from_design(result.netlist, result.physical, lef.macros, lef.tech)
    master_x, master_y = problem.master_pin_offsets()
    report = place_problem(problem, PlaceOptions(seed=1), log=Log())
    n_insts = result.netlist.n_insts
    apply_to_physical(problem, result.physical, n_insts)
    output = tmp_path / "placed.def"
    write_def(output, result.netlist, result.physical, result.wires, design=result.design)
    again = read_def(output, log=Log(), dbu_per_micron=lef.tech.dbu_per_micron)
    placed = problem_from_design(again.netlist, again.physical, lef.macros, lef.tech)
    movable = np.flatnonzero(~problem.cell_fixed[:n_insts])
    np.testing.assert_array_equal(again.physical.inst_orient[movable], problem.cell_orient[movable])
    flipped = movable[np.isin(problem.cell_orient[movable], [Orientation.FN, Orientation.S])]
    assert flipped.size > 0
    # Read back, a flipped cell's pins sit mirrored about its vertical centre line.
    pins = np.isin(placed.pin_cell, flipped)
    turned_x, turned_y = orient_offsets(
        master_x[pins], master_y[pins], problem.cell_orient[placed.pin_cell[pins]]
    )
    np.testing.assert_array_equal(placed.pin_offset_x[pins], turned_x)
    np.testing.assert_array_equal(placed.pin_offset_y[pins], turned_y)
    fn = np.isin(placed.pin_cell, flipped) & (placed.cell_orient[placed.pin_cell] == Orientation.FN)
    np.testing.assert_array_equal(placed.pin_offset_x[fn], -master_x[fn])
    np.testing.assert_array_equal(placed.pin_offset_y[fn], master_y[fn])
    assert placed.hpwl() == pytest.approx(report.hpwl, rel=1e-12)


def test_bookshelf_orientations_written_and_read_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    aux = shared_path("benchmarks/bookshelf/dreamplace_simple/simple.aux.gz")
    assert main(["place", str(aux), "-o", str(tmp_path), "--report", "json"]) == 0
    metrics = json.loads(capsys.readouterr().out)
    design = read_bookshelf(tmp_path / "simple.aux")
    placed = problem_from_bookshelf(design)
    movable = placed.movable()
    assert np.isin(placed.cell_orient[movable], [Orientation.N, Orientation.FN]).all()
    assert np.any(placed.cell_orient[movable] == Orientation.FN)
    assert placed.hpwl() == pytest.approx(metrics["detailedplace__hpwl"], rel=1e-6)
