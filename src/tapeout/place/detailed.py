"""Detailed placement: HPWL-reducing legal moves on a legal placement (_kernels/detailed.py),
cell flips (_kernels/flip.py) and independent-set matching (_kernels/matching.py)."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from tapeout.errors import DesignError
from tapeout.log import Log
from tapeout.place._kernels.detailed import detailed_pass
from tapeout.place._kernels.flip import flip_pass, set_mirrors
from tapeout.place._kernels.matching import assignment_costs, independent_sets
from tapeout.place.legalize import row_segments
from tapeout.place.problem import PlacementProblem, mirrors, orientation_of_mirrors


@dataclass(frozen=True)
class _Pins:
    """The pins detailed placement looks at: nets above ``max_net_degree`` pins (clocks, resets)
    are emptied, since moving one cell barely changes their box but scanning them costs their
    whole degree per move. Net numbers stay those of the problem. The offsets (copies) and the
    mirror flags turn together as the kernels move and flip cells; ``_sync`` hands the flags
    to the problem as orientations."""

    pin_cell: np.ndarray  # int64 (n_kept_pins,)
    offset_x: np.ndarray
    offset_y: np.ndarray
    net_pin_indptr: np.ndarray  # int64 (n_nets+1,)
    cell_pin_indptr: np.ndarray
    cell_pin_indices: np.ndarray
    pin_net: np.ndarray  # int64 (n_kept_pins,)
    cell_mirror_x: np.ndarray  # uint8 (n_cells,) mirrored about the y axis (FN, S)
    cell_mirror_y: np.ndarray  # uint8 (n_cells,) mirrored about the x axis (FS, S), as the row
    row_mirror_y: np.ndarray  # uint8 (n_rows,)


def _sync(problem: PlacementProblem, pins: _Pins) -> None:
    """Give the problem's movable cells the orientations of the kernels' mirror flags."""
    movable = problem.movable()
    problem.set_orientations(
        movable,
        orientation_of_mirrors(pins.cell_mirror_x[movable], pins.cell_mirror_y[movable]),
    )


def _light_pins(problem: PlacementProblem, max_net_degree: int) -> _Pins:
    degree = np.diff(problem.net_pin_indptr)
    pin_net = problem.pin_net().astype(np.int64)
    keep = (degree <= max_net_degree)[pin_net]
    kept_degree = np.where(degree <= max_net_degree, degree, 0)
    indptr = np.zeros(problem.n_nets + 1, dtype=np.int64)
    np.cumsum(kept_degree, out=indptr[1:])
    pin_cell = problem.pin_cell[keep].astype(np.int64)
    order = np.argsort(pin_cell, kind="stable").astype(np.int64)
    counts = np.bincount(pin_cell, minlength=problem.n_cells)
    cell_indptr = np.zeros(problem.n_cells + 1, dtype=np.int64)
    np.cumsum(counts, out=cell_indptr[1:])
    mirror_x, mirror_y = mirrors(problem.cell_orient)
    return _Pins(
        pin_cell=pin_cell,
        offset_x=np.ascontiguousarray(problem.pin_offset_x[keep]),
        offset_y=np.ascontiguousarray(problem.pin_offset_y[keep]),
        net_pin_indptr=indptr,
        cell_pin_indptr=cell_indptr,
        cell_pin_indices=order,
        pin_net=pin_net[keep],
        cell_mirror_x=mirror_x.astype(np.uint8),
        cell_mirror_y=mirror_y.astype(np.uint8),
        row_mirror_y=mirrors(problem.row_orient)[1].astype(np.uint8),
    )


@dataclass(frozen=True)
class DetailedResult:
    """HPWL before and after detailed placement (problem unit), passes run and time."""

    hpwl_before: float
    hpwl_after: float
    passes: int
    seconds: float


def detailed_place(
    problem: PlacementProblem,
    *,
    passes: int = 2,
    reach: int = 1,
    gaps: int = 3,
    window: int = 3,
    matching: bool = True,
    max_net_degree: int = 1000,
    log: Log | None = None,
) -> DetailedResult:
    """Improve a legal placement in place; multi-row cells and fixed cells do not move.

    ``passes`` rounds of global moves/swaps, reordering and shifting, then (``matching``)
    independent-set matching and the passes again (up to three rounds while matching gains).
    ``window``: cells reordered together. ``reach``: global moves look at the rows
    within this many rows of the two nearest ones, at the gap nearest the cell's optimal x and
    ``gaps`` more gaps on either side of it. Nets with more than ``max_net_degree`` pins
    are left out of the move costs (they still count in the reported HPWL).

    Cells keep their row's mirror about the x axis (a cell moved to a row of the other one
    turns with it) and, after each pass, take the mirror about the vertical axis that gives
    the shorter nets (N <-> FN, FS <-> S; ``problem.cell_orient``).
    """
    log = log or Log()
    start_time = time.perf_counter()
    problem.orient_to_rows(problem.movable())
    before = problem.hpwl()
    if passes == 0:
        return DetailedResult(before, before, 0, 0.0)
    pins = _light_pins(problem, max_net_degree)
    done = _run_passes(problem, pins, passes, reach, gaps, window)
    for _ in range(3 if matching else 0):
        matched = problem.hpwl()
        _match(problem, pins)
        _sync(problem, pins)
        if problem.hpwl() >= (1 - 1e-4) * matched:
            break
        done += _run_passes(problem, pins, passes, reach, gaps, window)
    after = problem.hpwl()
    seconds = time.perf_counter() - start_time
    log.info(
        "PLACE-0020",
        f"detailed placement: HPWL {before:.6g} -> {after:.6g} "
        f"({100 * (after - before) / max(before, 1e-30):+.2f}%), {done} passes, {seconds:.2f} s",
    )
    return DetailedResult(before, after, done, seconds)


def _single_row_cells(problem: PlacementProblem) -> np.ndarray:
    movable = problem.movable()
    row_height = float(np.min(problem.row_height)) if problem.n_rows else 0.0
    return movable[problem.cell_height[movable] <= row_height * (1 + 1e-9)]


def _match(
    problem: PlacementProblem, pins: _Pins, window_rows: float = 10.0, max_size: int = 32
) -> None:
    """Independent-set matching of same-size cells in windows of ``window_rows`` row heights."""
    single = _single_row_cells(problem)
    if single.size < 2:
        return
    window = window_rows * float(np.min(problem.row_height))
    x_low, y_low, x_high, _ = problem.core()
    n_columns = int((x_high - x_low) // window) + 1
    column = ((problem.cell_x[single] - x_low) // window).astype(np.int64)
    band = ((problem.cell_y[single] - y_low) // window).astype(np.int64)
    sizes = np.stack([problem.cell_width[single], problem.cell_height[single]], axis=1)
    _, size_id = np.unique(sizes, axis=0, return_inverse=True)
    n_sizes = int(size_id.max()) + 1
    group = np.full(problem.n_cells, -1, dtype=np.int64)
    group[single] = (band * n_columns + column) * n_sizes + size_id.reshape(-1)
    order = single[np.lexsort((problem.cell_x[single], group[single]))].astype(np.int64)
    cell_pin_indptr, cell_pin_indices, pin_net, mirror_y = (
        pins.cell_pin_indptr,
        pins.cell_pin_indices,
        pins.pin_net,
        pins.cell_mirror_y,
    )
    set_indptr, set_cells = independent_sets(
        order, group, cell_pin_indptr, cell_pin_indices, pin_net, problem.n_nets, max_size
    )
    x = problem.cell_x
    y = problem.cell_y
    for k in range(set_indptr.size - 1):
        cells = set_cells[set_indptr[k] : set_indptr[k + 1]]
        cost = assignment_costs(
            cells, x, y, problem.cell_width, problem.cell_height, pins.pin_cell,
            pins.offset_x, pins.offset_y, pins.net_pin_indptr,
            problem.net_weight, cell_pin_indptr, cell_pin_indices, pin_net, mirror_y,
        )  # fmt: skip
        rows, columns = linear_sum_assignment(cost)
        if cost[rows, columns].sum() < np.trace(cost) - 1e-9:
            spot_x = x[cells].copy()
            spot_y = y[cells].copy()
            spot_mirror_y = mirror_y[cells].copy()
            x[cells[rows]] = spot_x[columns]
            y[cells[rows]] = spot_y[columns]
            set_mirrors(
                cells[rows], spot_mirror_y[columns], mirror_y, cell_pin_indptr,
                cell_pin_indices, pins.offset_y,
            )  # fmt: skip


def _permutations(window: int) -> np.ndarray:
    """int64 (window! - 1, window): every reordering of ``window`` slots but the identity."""
    rows = list(itertools.permutations(range(window)))[1:]
    return np.asarray(rows, dtype=np.int64).reshape(-1, window)


def _run_passes(
    problem: PlacementProblem, pins: _Pins, passes: int, reach: int, gaps: int, window: int
) -> int:
    """Run detailed passes on ``problem`` (in place); returns how many ran."""
    before = problem.hpwl()
    single = _single_row_cells(problem)
    if single.size == 0:
        return 0
    movable = problem.movable()
    tall = np.setdiff1d(movable, single)
    blocking = np.flatnonzero(problem.cell_blocks)
    still = np.concatenate([blocking, tall])
    obstacles = np.concatenate(
        [
            np.stack(
                [
                    problem.cell_x[still],
                    problem.cell_y[still],
                    problem.cell_x[still] + problem.cell_width[still],
                    problem.cell_y[still] + problem.cell_height[still],
                ],
                axis=1,
            ),
            problem.blockage.reshape(-1, 4),
        ]
    )
    segment_row, segment_low, segment_high, row_segment_indptr = row_segments(problem, obstacles)
    # Each cell's segment: its row (by exact y), then the segment holding its x.
    rows_by_y = np.argsort(problem.row_y, kind="stable")
    sorted_y = problem.row_y[rows_by_y]
    where = np.minimum(np.searchsorted(sorted_y, problem.cell_y[single]), sorted_y.size - 1)
    off_rows = sorted_y[where] != problem.cell_y[single]
    if np.any(off_rows):
        cell = int(single[np.argmax(off_rows)])
        raise DesignError(f"detailed placement needs a legal placement: cell {cell} is off rows")
    row = rows_by_y[where]
    # Segments are sorted by row then x: search (row, x) pairs as one key per row band.
    x_low, _, x_high, _ = problem.core()
    band = 4.0 * (x_high - x_low) + 1.0
    segment_key = segment_row * band + (segment_low - x_low)
    cell_key = row * band + (problem.cell_x[single] - x_low)
    k = np.searchsorted(segment_key, cell_key, side="right") - 1
    outside = (k < row_segment_indptr[row]) | (k >= row_segment_indptr[row + 1])
    if np.any(outside):
        cell = int(single[np.argmax(outside)])
        raise DesignError(f"detailed placement: cell {cell} is outside the free row space")
    cell_segment = np.full(problem.n_cells, -1, dtype=np.int64)
    cell_segment[single] = k
    # Slots: the cells in segment order; each segment a doubly linked list of slots.
    slot_cell = single[np.lexsort((problem.cell_x[single], cell_segment[single]))].astype(np.int64)
    n_slots = slot_cell.size
    slot_segment = cell_segment[slot_cell]
    same_next = np.r_[slot_segment[1:] == slot_segment[:-1], False]
    same_prev = np.r_[False, slot_segment[1:] == slot_segment[:-1]]
    slot_next = np.where(same_next, np.arange(1, n_slots + 1), -1).astype(np.int64)
    slot_prev = np.where(same_prev, np.arange(-1, n_slots - 1), -1).astype(np.int64)
    segment_head = np.full(segment_low.size, -1, dtype=np.int64)
    heads = np.flatnonzero(~same_prev)
    segment_head[slot_segment[heads]] = heads
    cell_slot = np.full(problem.n_cells, -1, dtype=np.int64)
    cell_slot[slot_cell] = np.arange(n_slots)
    x = problem.cell_x.astype(np.float64, copy=True)
    y = problem.cell_y.astype(np.float64, copy=True)
    permutations = _permutations(window)
    done = 0
    flip_arguments = (
        movable, x, y, problem.cell_width, problem.cell_height, pins.pin_cell, pins.offset_x,
        pins.offset_y, pins.net_pin_indptr, problem.net_weight, pins.cell_pin_indptr,
        pins.cell_pin_indices, pins.pin_net, pins.cell_mirror_x,
    )  # fmt: skip
    for _ in range(passes):
        done += 1
        gain = detailed_pass(
            x, y, problem.cell_width, problem.cell_height, pins.pin_cell,
            pins.offset_x, pins.offset_y, pins.net_pin_indptr,
            problem.net_weight, pins.cell_pin_indptr, pins.cell_pin_indices, pins.pin_net,
            segment_low, segment_high, segment_row, problem.row_y, problem.row_x,
            problem.row_site_width, np.argsort(problem.row_y, kind="stable").astype(np.int64),
            row_segment_indptr, slot_cell, cell_slot, slot_segment, slot_next, slot_prev,
            segment_head, reach, gaps, permutations, pins.row_mirror_y, pins.cell_mirror_y,
        )  # fmt: skip
        gain += flip_pass(*flip_arguments)
        if gain < 1e-4 * before:
            break
    problem.cell_x[single] = x[single]
    problem.cell_y[single] = y[single]
    _sync(problem, pins)
    return done
