"""An independent legality checker for placements (shared by the placement tests).

Vectorized with numpy (sorts and binary searches, no Python loop over cells or rows), so a
1,000,000-cell placement is checked in seconds.
"""

from __future__ import annotations

import numpy as np

_TOLERANCE = 1e-9


def _expand(first: np.ndarray, last: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(item, index) int64 pairs: for each item ``i``, every index in ``[first[i], last[i])``."""
    count = np.maximum(last - first, 0)
    item = np.repeat(np.arange(first.size), count)
    offset = np.cumsum(count) - count
    index = np.repeat(first - offset, count) + np.arange(item.size)
    return item, index


def legality_errors(
    problem: object, fixed_x: np.ndarray, fixed_y: np.ndarray, *, limit: int = 10
) -> list[str]:
    """Problems with the placement of ``problem`` (a PlacementProblem); empty when legal.

    Checks: fixed cells are where they were (``fixed_x``/``fixed_y`` of all cells), movable
    cells sit on rows (bottom on a row, every spanned row present) and on the site grid, inside
    the rows, and no two cells that block (movable, or fixed and blocking) overlap.
    """
    p = problem
    errors: list[str] = []
    fixed = np.asarray(p.cell_fixed)  # type: ignore[attr-defined]
    x = np.asarray(p.cell_x, dtype=np.float64)  # type: ignore[attr-defined]
    y = np.asarray(p.cell_y, dtype=np.float64)  # type: ignore[attr-defined]
    width = np.asarray(p.cell_width, dtype=np.float64)  # type: ignore[attr-defined]
    height = np.asarray(p.cell_height, dtype=np.float64)  # type: ignore[attr-defined]
    moved = fixed & ((x != fixed_x) | (y != fixed_y))
    for cell in np.flatnonzero(moved)[:limit]:
        errors.append(f"fixed cell {cell} moved")
    row_y = np.asarray(p.row_y, dtype=np.float64)  # type: ignore[attr-defined]
    row_x = np.asarray(p.row_x, dtype=np.float64)  # type: ignore[attr-defined]
    row_h = np.asarray(p.row_height, dtype=np.float64)  # type: ignore[attr-defined]
    site = np.asarray(p.row_site_width, dtype=np.float64)  # type: ignore[attr-defined]
    row_right = row_x + np.asarray(p.row_num_sites) * site  # type: ignore[attr-defined]
    by_y = np.argsort(row_y, kind="stable")
    bottom = row_y[by_y]
    top = np.maximum.accumulate(bottom + row_h[by_y]) if bottom.size else bottom

    # Rows: per movable cell, the rows whose bottom lies inside it must stack to its height,
    # and the cell must lie inside each of them, on its site grid.
    cells = np.flatnonzero(~fixed)
    cy, ch, cx, cw = y[cells], height[cells], x[cells], width[cells]
    near = np.searchsorted(bottom, cy - _TOLERANCE, side="left")
    on_row = (near < bottom.size) & (bottom[np.minimum(near, bottom.size - 1)] < cy + _TOLERANCE)
    last = np.searchsorted(bottom, cy + ch - _TOLERANCE, side="left")
    stacked = np.concatenate([[0.0], np.cumsum(row_h[by_y])])
    fits = np.abs(stacked[last] - stacked[near] - ch) <= 1e-6
    item, index = _expand(near, last)
    rows = by_y[index]
    offset = (cx[item] - row_x[rows]) / site[rows]
    inside = (cx[item] >= row_x[rows] - _TOLERANCE) & (
        cx[item] + cw[item] <= row_right[rows] + _TOLERANCE
    )
    on_site = np.abs(offset - np.round(offset)) < 1e-6
    sticks_out = np.bincount(item[~inside], minlength=cells.size) > 0
    off_site = np.bincount(item[~on_site], minlength=cells.size) > 0
    checked = on_row & fits
    bad = ~on_row | ~fits | (checked & (sticks_out | off_site))
    for k in np.flatnonzero(bad):
        cell = cells[k]
        if not on_row[k]:
            errors.append(f"cell {cell} at y={y[cell]} is not on a row")
        elif not fits[k]:
            errors.append(f"cell {cell} (height {height[cell]}) does not fit the rows it spans")
        else:
            if sticks_out[k]:
                errors.append(f"cell {cell} at x={x[cell]} sticks out of its row")
            if off_site[k]:
                errors.append(f"cell {cell} at x={x[cell]} is off the site grid")
        if len(errors) >= limit:
            return errors

    # Overlaps, row by row, among cells that occupy space: sorted by (row, x), a cell overlaps
    # some later one in its row exactly when it overlaps the next one.
    occupying = np.flatnonzero(~fixed | np.asarray(p.cell_blocks))  # type: ignore[attr-defined]
    oy, oh = y[occupying], height[occupying]
    first = np.searchsorted(top, oy + _TOLERANCE, side="right")
    last = np.searchsorted(bottom, oy + oh - _TOLERANCE, side="left")
    item, index = _expand(first, last)
    rows = by_y[index]
    keep = (row_y[rows] < oy[item] + oh[item] - _TOLERANCE) & (
        row_y[rows] + row_h[rows] > oy[item] + _TOLERANCE
    )
    pair_cell = occupying[item[keep]]
    pair_row = rows[keep]
    order = np.lexsort((x[pair_cell], pair_row))
    pair_cell, pair_row = pair_cell[order], pair_row[order]
    same_row = pair_row[:-1] == pair_row[1:]
    ends = x[pair_cell[:-1]] + width[pair_cell[:-1]]
    for k in np.flatnonzero(same_row & (ends > x[pair_cell[1:]] + _TOLERANCE))[:limit]:
        errors.append(f"cells {pair_cell[k]} and {pair_cell[k + 1]} overlap in row {pair_row[k]}")
    return errors[:limit] if len(errors) > limit else errors
