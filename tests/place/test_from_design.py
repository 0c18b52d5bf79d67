"""The DEF adapter: placement blockages (hard, soft, partial), legal placement around them, and
orientations written back from the rows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tapeout.db.compare import differences
from tapeout.db.physical import Orientation, Physical
from tapeout.formats.def_ import read_def, write_def
from tapeout.formats.lef import read_lef
from tapeout.log import Log
from tapeout.place import PlacementProblem, PlaceOptions, place_problem
from tapeout.place.from_design import (
    apply_to_physical,
    halo_boxes,
    placement_blockages,
    problem_from_design,
)
from tapeout.platforms import get_platform
from tests.conftest import DATA, shared_path
from tests.place.conftest import random_problem

TINY_DEF = DATA / "place" / "tiny_sky130.def"
HARD = (2760, 5440, 12000, 10880)  # the left half of rows 1 and 2
SOFT = (12000, 13600, 21160, 19040)  # the right half of rows 4 and 5
PARTIAL = (2760, 13600, 12000, 16320)  # the left half of row 4, at most 40 % full
BLOCKAGES = f"""BLOCKAGES 4 ;
- PLACEMENT RECT ( {HARD[0]} {HARD[1]} ) ( {HARD[2]} {HARD[3]} ) ;
- PLACEMENT + SOFT RECT ( {SOFT[0]} {SOFT[1]} ) ( {SOFT[2]} {SOFT[3]} ) ;
- PLACEMENT + PARTIAL 40 RECT ( {PARTIAL[0]} {PARTIAL[1]} ) ( {PARTIAL[2]} {PARTIAL[3]} ) ;
- LAYER met1 RECT ( 0 0 ) ( 23920 21760 ) ;
END BLOCKAGES
"""


def _lef():  # type: ignore[no-untyped-def]
    shared_path("pdks/sky130hd")
    platform = get_platform("sky130hd")
    return read_lef([platform.tech_lef, *platform.cell_lefs], log=Log())


@pytest.fixture(scope="module")
def blocked_def(tmp_path_factory: pytest.TempPathFactory) -> Path:
    text = TINY_DEF.read_text().replace("NETS 18 ;", BLOCKAGES + "NETS 18 ;", 1)
    path = tmp_path_factory.mktemp("blockage") / "blocked.def"
    path.write_text(text)
    return path


def _cell_rects(problem: PlacementProblem, cells: np.ndarray) -> np.ndarray:
    """float64 (k, 4): x0, y0, x1, y1 of ``cells``."""
    x, y = problem.cell_x[cells], problem.cell_y[cells]
    return np.stack([x, y, x + problem.cell_width[cells], y + problem.cell_height[cells]], axis=1)


def _overlap_area(rects: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """float64 (n,) overlap of each rectangle (n, 4) with ``box``."""
    width = np.minimum(rects[:, 2], box[2]) - np.maximum(rects[:, 0], box[0])
    height = np.minimum(rects[:, 3], box[3]) - np.maximum(rects[:, 1], box[1])
    return np.clip(width, 0, None) * np.clip(height, 0, None)


def test_blockage_kinds(blocked_def: Path) -> None:
    lef = _lef()
    result = read_def(blocked_def, log=Log(), dbu_per_micron=lef.tech.dbu_per_micron)
    problem = problem_from_design(result.netlist, result.physical, lef.macros, lef.tech)
    # Hard: everyone avoids it. The routing (LAYER) blockage is not the placer's business.
    assert problem.blockage.tolist() == [list(map(float, HARD))]
    soft = problem.global_blockage
    in_soft = np.all(soft == np.array(SOFT, dtype=float), axis=1)
    assert np.count_nonzero(in_soft) == 1
    # Partial 40 %: strips inside the area covering 60 % of it, spread across its width.
    strips = soft[~in_soft]
    assert strips.shape[0] > 10
    assert np.all(strips[:, 0] >= PARTIAL[0]) and np.all(strips[:, 2] <= PARTIAL[2])
    assert np.all(strips[:, 1] == PARTIAL[1]) and np.all(strips[:, 3] == PARTIAL[3])
    area = (PARTIAL[2] - PARTIAL[0]) * (PARTIAL[3] - PARTIAL[1])
    strip_area = np.sum((strips[:, 2] - strips[:, 0]) * (strips[:, 3] - strips[:, 1]))
    assert strip_area == pytest.approx(0.6 * area)
    assert strips[:, 0].min() - PARTIAL[0] < 0.1 * (PARTIAL[2] - PARTIAL[0])


def test_partial_blockage_edge_cases(blocked_def: Path) -> None:
    lef = _lef()
    physical = read_def(blocked_def, log=Log(), dbu_per_micron=lef.tech.dbu_per_micron).physical
    physical.blockage_density[2] = 100.0  # may be full: blocks nothing
    hard, soft = placement_blockages(physical, 2720.0)
    assert hard.shape == (1, 4) and soft.tolist() == [list(map(float, SOFT))]
    physical.blockage_density[2] = 0.0  # may hold nothing: the whole area, for global only
    hard, soft = placement_blockages(physical, 2720.0)
    assert soft.tolist() == [list(map(float, SOFT)), list(map(float, PARTIAL))]


def test_no_legal_cell_on_a_hard_blockage(blocked_def: Path, tmp_path: Path) -> None:
    lef = _lef()
    result = read_def(blocked_def, log=Log(), dbu_per_micron=lef.tech.dbu_per_micron)
    problem = problem_from_design(result.netlist, result.physical, lef.macros, lef.tech)
    global_blockage = problem.global_blockage.copy()
    place_problem(problem, PlaceOptions(seed=2), log=Log())
    # place_problem gives global placement the soft areas only for its own run.
    assert problem.blockage.tolist() == [list(map(float, HARD))]
    assert np.array_equal(problem.global_blockage, global_blockage)
    n_insts = result.netlist.n_insts
    movable = np.flatnonzero(~problem.cell_fixed[:n_insts])
    rects = _cell_rects(problem, movable)
    assert np.all(_overlap_area(rects, HARD) == 0)
    # Legal: on rows and sites, no two cells overlap.
    assert np.all(np.isin(problem.cell_y[movable], problem.row_y))
    assert np.all((problem.cell_x[movable] - problem.row_x[0]) % problem.row_site_width[0] == 0)
    for row_y in problem.row_y:
        cells = np.flatnonzero(
            (problem.cell_y[:n_insts] == row_y) & (problem.cell_width[:n_insts] > 0)
        )
        order = cells[np.argsort(problem.cell_x[cells])]
        right = problem.cell_x[order] + problem.cell_width[order]
        assert np.all(right[:-1] <= problem.cell_x[order][1:])
    # Written back: positions, PLACED, orientation of the row (N / FS) or its flip (FN / S);
    # blockages round-trip.
    apply_to_physical(problem, result.physical, n_insts)
    output = tmp_path / "placed.def"
    write_def(output, result.netlist, result.physical, result.wires, design=result.design)
    again = read_def(output, log=Log(), dbu_per_micron=lef.tech.dbu_per_micron)
    physical = again.physical
    row_orient = dict(zip(physical.row_y.tolist(), physical.row_orient.tolist(), strict=True))
    flipped = {Orientation.N: Orientation.FN, Orientation.FS: Orientation.S}
    for inst in movable:
        assert again.physical.inst_x[inst] == problem.cell_x[inst]
        row = Orientation(row_orient[int(again.physical.inst_y[inst])])
        assert again.physical.inst_orient[inst] in (row, flipped[row])
    assert np.array_equal(again.physical.inst_orient[movable], problem.cell_orient[movable])
    orientations = {Orientation(int(o)) for o in again.physical.inst_orient[movable]}
    assert {Orientation.N, Orientation.FS} <= orientations
    assert np.array_equal(again.physical.blockage_rects, result.physical.blockage_rects)
    assert np.array_equal(again.physical.blockage_flags, result.physical.blockage_flags)


def test_global_placement_avoids_soft_blockages() -> None:
    def cells_inside(problem) -> int:  # type: ignore[no-untyped-def]
        movable = problem.movable()
        centre_x = problem.cell_x[movable] + problem.cell_width[movable] / 2
        return int(np.count_nonzero((centre_x > low) & (centre_x < high)))

    plain = random_problem(300, seed=4, utilization=0.5)
    x_low, y_low, x_high, y_high = plain.core()
    low, high = x_low + 0.4 * (x_high - x_low), x_low + 0.6 * (x_high - x_low)
    place_problem(plain, PlaceOptions(detailed_passes=0), log=Log())
    soft = random_problem(300, seed=4, utilization=0.5)
    soft.global_blockage = np.array([[low, y_low, high, y_high]])
    place_problem(soft, PlaceOptions(detailed_passes=0), log=Log())
    assert soft.blockage.shape == (0, 4)
    assert cells_inside(soft) < 0.3 * cells_inside(plain)


HALO_DEF_LINE = "- TAP_0 sky130_fd_sc_hd__tapvpwrvgnd_1 + FIXED ( 11960 8160 ) N ;"


def test_def_halos_round_trip(tmp_path: Path) -> None:
    text = TINY_DEF.read_text()
    assert HALO_DEF_LINE in text
    text = text.replace(HALO_DEF_LINE, HALO_DEF_LINE[:-1] + "+ HALO 1380 2720 920 2720 ;")
    text = text.replace(
        "- u0 sky130_fd_sc_hd__inv_1 ;", "- u0 sky130_fd_sc_hd__inv_1 + HALO SOFT 1 2 3 4 ;"
    )
    source = tmp_path / "halo.def"
    source.write_text(text)
    first = read_def(source, log=Log())
    physical = first.physical
    assert physical.halo_inst.tolist() == [0, 16]
    assert physical.halo_size.tolist() == [[1, 2, 3, 4], [1380, 2720, 920, 2720]]
    assert physical.halo_soft.tolist() == [True, False]
    output = tmp_path / "again.def"
    write_def(output, first.netlist, physical, first.wires, design=first.design)
    assert "+ HALO SOFT 1 2 3 4 ;" in output.read_text()
    second = read_def(output, log=Log())
    assert differences(first.physical, second.physical) == []
    # Rescaled to a finer grid, halos scale with every other coordinate.
    finer = read_def(source, log=Log(), dbu_per_micron=2000)
    assert finer.physical.halo_size.tolist() == [[2, 4, 6, 8], [2760, 5440, 1840, 5440]]


@pytest.mark.parametrize(
    ("orient", "box"),
    [
        (Orientation.N, (4900, 4800, 6300, 7400)),
        (Orientation.FN, (4700, 4800, 6100, 7400)),  # left and right swap
        (Orientation.S, (4700, 4600, 6100, 7200)),
        (Orientation.FS, (4900, 4600, 6300, 7200)),  # bottom and top swap
        (Orientation.E, (4800, 4700, 7400, 6100)),  # turned: 2000 wide, 1000 high
    ],
)
def test_halo_turns_with_the_instance(orient: Orientation, box: tuple[int, ...]) -> None:
    physical = Physical(
        inst_x=np.array([5000]), inst_y=np.array([5000]),
        inst_orient=np.array([orient], dtype=np.int8),
        halo_inst=np.array([0], dtype=np.int32), halo_size=np.array([[100, 200, 300, 400]]),
        halo_soft=np.array([False]),
    )  # fmt: skip
    hard, soft = halo_boxes(physical, np.array([1000.0]), np.array([2000.0]))
    assert soft.shape == (0, 4) and hard.shape == (4, 4)
    assert (hard[:, 0].min(), hard[:, 1].min(), hard[:, 2].max(), hard[:, 3].max()) == box
    # A ring: its area is the box's minus the instance's.
    area = np.sum((hard[:, 2] - hard[:, 0]) * (hard[:, 3] - hard[:, 1]))
    assert area == (box[2] - box[0]) * (box[3] - box[1]) - 1000 * 2000
    physical.halo_soft[:] = True
    hard, soft = halo_boxes(physical, np.array([1000.0]), np.array([2000.0]))
    assert hard.shape == (0, 4) and soft.shape == (4, 4)


def test_no_legal_cell_in_a_halo(tmp_path: Path) -> None:
    lef = _lef()
    source = tmp_path / "halo.def"
    halo = "+ HALO 1380 2720 1380 2720 ;"  # three sites left and right, a row below and above
    source.write_text(TINY_DEF.read_text().replace(HALO_DEF_LINE, HALO_DEF_LINE[:-1] + halo))
    result = read_def(source, log=Log(), dbu_per_micron=lef.tech.dbu_per_micron)
    problem = problem_from_design(result.netlist, result.physical, lef.macros, lef.tech)
    assert problem.blockage.shape[0] == 4  # the ring around TAP_0
    place_problem(problem, PlaceOptions(seed=3), log=Log())
    tap = result.netlist.inst_names.index("TAP_0")
    x, y = problem.cell_x[tap], problem.cell_y[tap]
    keep_out = (x - 1380, y - 2720, x + problem.cell_width[tap] + 1380, y + 2 * 2720)
    movable = np.flatnonzero(~problem.cell_fixed[: result.netlist.n_insts])
    rects = _cell_rects(problem, movable)
    assert np.all(_overlap_area(rects, keep_out) == 0)
