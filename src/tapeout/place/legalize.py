"""Legalization: cells onto rows and sites without overlaps, moving them as little as possible.

Multi-row cells go first, greedily to the nearest free spot (then they block like fixed cells);
single-row cells go through Abacus (``_kernels/abacus.py``) into the free row segments left by
fixed cells, blockages and the multi-row cells.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from tapeout.errors import DesignError
from tapeout.log import Log
from tapeout.place._kernels.abacus import abacus
from tapeout.place.problem import PlacementProblem


@dataclass(frozen=True)
class LegalizeResult:
    """Displacement (Manhattan, problem unit) of the movable cells, and the HPWL after."""

    total_displacement: float
    max_displacement: float
    hpwl: float
    seconds: float


def _obstacles(problem: PlacementProblem, extra: np.ndarray) -> np.ndarray:
    """float64 (n, 4) rectangles no cell may overlap: blocking fixed cells, blockages, ``extra``."""
    block = np.flatnonzero(problem.cell_blocks)
    rects = np.stack(
        [
            problem.cell_x[block],
            problem.cell_y[block],
            problem.cell_x[block] + problem.cell_width[block],
            problem.cell_y[block] + problem.cell_height[block],
        ],
        axis=1,
    )
    return np.concatenate([rects, problem.blockage.reshape(-1, 4), extra.reshape(-1, 4)])


def row_segments(
    problem: PlacementProblem, obstacles: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Free intervals of every row, on the site grid.

    Returns:
        (segment_row int64, segment_low float64, segment_high float64, row_segment_indptr
        int64 (n_rows+1,)), segments sorted by row then x.
    """
    rows: list[int] = []
    lows: list[float] = []
    highs: list[float] = []
    indptr = [0]
    for row in range(problem.n_rows):
        y_low = problem.row_y[row]
        y_high = y_low + problem.row_height[row]
        origin = problem.row_x[row]
        site = problem.row_site_width[row]
        right = origin + problem.row_num_sites[row] * site
        hit = (obstacles[:, 1] < y_high - 1e-9) & (obstacles[:, 3] > y_low + 1e-9)
        hit &= (obstacles[:, 0] < right) & (obstacles[:, 2] > origin)
        cuts = sorted(
            (
                origin + math.floor((b[0] - origin) / site + 1e-9) * site,
                origin + math.ceil((b[2] - origin) / site - 1e-9) * site,
            )
            for b in obstacles[hit]
        )
        cursor = origin
        for low, high in cuts:
            if low > cursor:
                rows.append(row)
                lows.append(cursor)
                highs.append(min(low, right))
            cursor = max(cursor, high)
        if cursor < right:
            rows.append(row)
            lows.append(cursor)
            highs.append(right)
        indptr.append(len(rows))
    return (
        np.asarray(rows, dtype=np.int64),
        np.asarray(lows, dtype=np.float64),
        np.asarray(highs, dtype=np.float64),
        np.asarray(indptr, dtype=np.int64),
    )


def _place_multi_row(
    problem: PlacementProblem, cells: np.ndarray, obstacles: np.ndarray, log: Log
) -> np.ndarray:
    """Greedy nearest free spot for each multi-row cell (largest first); returns their rects."""
    placed: list[tuple[float, float, float, float]] = []
    rects = [tuple(r) for r in obstacles]
    row_order = np.argsort(problem.row_y)
    for cell in cells[np.argsort(-(problem.cell_width[cells] * problem.cell_height[cells]))]:
        width = problem.cell_width[cell]
        height = problem.cell_height[cell]
        best: tuple[float, float, float] | None = None
        for row in row_order:
            y = problem.row_y[row]
            dy = abs(y - problem.cell_y[cell])
            if best is not None and dy >= best[0]:
                continue
            # The rows the cell spans must exist, stacked without gaps.
            top = y + height
            covered = (problem.row_y >= y - 1e-9) & (problem.row_y < top - 1e-9)
            if abs(float(np.sum(problem.row_height[covered])) - height) > 1e-6 * height:
                continue
            origin = float(np.max(problem.row_x[covered]))
            site = float(problem.row_site_width[row])
            right = float(
                np.min(
                    problem.row_x[covered]
                    + problem.row_num_sites[covered] * problem.row_site_width[covered]
                )
            )
            if right - origin < width:
                continue
            start = origin + round((problem.cell_x[cell] - origin) / site) * site
            start = min(max(start, origin), right - width)
            n_sites = round((right - origin) / site)
            for step in range(n_sites + 1):
                found = False
                for sign in (1, -1):
                    x = start + sign * step * site
                    if x < origin - 1e-9 or x + width > right + 1e-9:
                        continue
                    cost = dy + abs(x - problem.cell_x[cell])
                    if best is not None and cost >= best[0]:
                        continue
                    if not any(
                        r[0] < x + width - 1e-9
                        and r[2] > x + 1e-9
                        and r[1] < top - 1e-9
                        and r[3] > y + 1e-9
                        for r in rects
                    ):
                        best = (cost, x, y)
                        found = True
                        break
                if found or (best is not None and step * site >= best[0]):
                    break
        if best is None:
            raise DesignError(f"no room for multi-row cell {cell} ({width} x {height})")
        problem.cell_x[cell] = best[1]
        problem.cell_y[cell] = best[2]
        rect = (best[1], best[2], best[1] + width, best[2] + height)
        rects.append(rect)
        placed.append(rect)
    if placed:
        log.info("PLACE-0011", f"placed {len(placed)} multi-row cells first")
    return np.asarray(placed, dtype=np.float64).reshape(-1, 4)


def legalize(problem: PlacementProblem, *, log: Log | None = None) -> LegalizeResult:
    """Move the movable cells onto legal sites (updates ``cell_x``, ``cell_y`` in place).

    Each movable cell then takes its row's mirror about the x axis (``orient_to_rows``: N rows
    N or FN, FS rows FS or S), its pin offsets turned with it.
    """
    log = log or Log()
    start_time = time.perf_counter()
    movable = problem.movable()
    if movable.size == 0:
        return LegalizeResult(0.0, 0.0, problem.hpwl(), 0.0)
    before_x = problem.cell_x[movable].copy()
    before_y = problem.cell_y[movable].copy()
    row_height = float(np.min(problem.row_height))
    tall = problem.cell_height[movable] > row_height * (1 + 1e-9)
    extra = _place_multi_row(problem, movable[tall], _obstacles(problem, np.zeros((0, 4))), log)
    segment_row, segment_low, segment_high, row_segment_indptr = row_segments(
        problem, _obstacles(problem, extra)
    )
    single = movable[~tall]
    # Abacus twice, cells ordered by wanted left edge and by wanted centre; the one with the
    # shorter wires wins (which one does depends on the design, by about 0.5%).
    want_x = problem.cell_x.copy()
    want_y = problem.cell_y.copy()
    best_hpwl = math.inf
    best_x = want_x
    best_y = want_y
    for share in (0.0, 0.5):
        key = want_x[single] + share * problem.cell_width[single]
        order = single[np.argsort(key, kind="stable")].astype(np.int64)
        out_x = want_x.copy()
        out_y = want_y.copy()
        failed = abacus(
            order,
            want_x.astype(np.float64),
            want_y.astype(np.float64),
            problem.cell_width.astype(np.float64),
            segment_row,
            segment_low,
            segment_high,
            problem.row_y.astype(np.float64),
            problem.row_x.astype(np.float64),
            problem.row_site_width.astype(np.float64),
            row_segment_indptr,
            np.argsort(problem.row_y, kind="stable").astype(np.int64),
            out_x,
            out_y,
        )
        if failed:
            raise DesignError(
                f"legalization: {failed} cells found no row space (utilization "
                f"{problem.utilization():.3f})",
                hint="lower the utilization or remove blockages",
            )
        problem.cell_x[single] = out_x[single]
        problem.cell_y[single] = out_y[single]
        problem.orient_to_rows(movable)
        hpwl = problem.hpwl()
        if hpwl < best_hpwl:
            best_hpwl, best_x, best_y = hpwl, out_x, out_y
    problem.cell_x[single] = best_x[single]
    problem.cell_y[single] = best_y[single]
    problem.orient_to_rows(movable)
    moved = np.abs(problem.cell_x[movable] - before_x) + np.abs(problem.cell_y[movable] - before_y)
    result = LegalizeResult(
        total_displacement=float(moved.sum()),
        max_displacement=float(moved.max()),
        hpwl=problem.hpwl(),
        seconds=time.perf_counter() - start_time,
    )
    log.info(
        "PLACE-0010",
        f"legalized {movable.size} cells: total displacement {result.total_displacement:.6g}, "
        f"max {result.max_displacement:.6g}, HPWL {result.hpwl:.6g}, {result.seconds:.2f} s",
    )
    return result
