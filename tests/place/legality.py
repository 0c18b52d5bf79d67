"""An independent legality checker for placements (shared by the placement tests)."""

from __future__ import annotations

import numpy as np


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
    x = np.asarray(p.cell_x)  # type: ignore[attr-defined]
    y = np.asarray(p.cell_y)  # type: ignore[attr-defined]
    width = np.asarray(p.cell_width)  # type: ignore[attr-defined]
    height = np.asarray(p.cell_height)  # type: ignore[attr-defined]
    moved = fixed & ((x != fixed_x) | (y != fixed_y))
    for cell in np.flatnonzero(moved)[:limit]:
        errors.append(f"fixed cell {cell} moved")
    row_y = np.asarray(p.row_y)  # type: ignore[attr-defined]
    row_x = np.asarray(p.row_x)  # type: ignore[attr-defined]
    row_h = np.asarray(p.row_height)  # type: ignore[attr-defined]
    site = np.asarray(p.row_site_width)  # type: ignore[attr-defined]
    row_right = row_x + np.asarray(p.row_num_sites) * site  # type: ignore[attr-defined]
    for cell in np.flatnonzero(~fixed):
        spanned = (row_y >= y[cell] - 1e-9) & (row_y < y[cell] + height[cell] - 1e-9)
        if not np.any(np.abs(row_y - y[cell]) < 1e-9):
            errors.append(f"cell {cell} at y={y[cell]} is not on a row")
        elif abs(float(np.sum(row_h[spanned])) - height[cell]) > 1e-6:
            errors.append(f"cell {cell} (height {height[cell]}) does not fit the rows it spans")
        else:
            inside = (x[cell] >= row_x[spanned] - 1e-9) & (
                x[cell] + width[cell] <= row_right[spanned] + 1e-9
            )
            on_site = (
                np.abs(
                    (x[cell] - row_x[spanned]) / site[spanned]
                    - np.round((x[cell] - row_x[spanned]) / site[spanned])
                )
                < 1e-6
            )
            if not np.all(inside):
                errors.append(f"cell {cell} at x={x[cell]} sticks out of its row")
            if not np.all(on_site):
                errors.append(f"cell {cell} at x={x[cell]} is off the site grid")
        if len(errors) >= limit:
            return errors
    # Overlaps, row by row, among cells that occupy space.
    occupies = ~fixed | np.asarray(p.cell_blocks)  # type: ignore[attr-defined]
    for row in range(len(row_y)):
        in_row = np.flatnonzero(
            occupies & (y < row_y[row] + row_h[row] - 1e-9) & (y + height > row_y[row] + 1e-9)
        )
        order = in_row[np.argsort(x[in_row], kind="stable")]
        ends = np.maximum.accumulate(x[order] + width[order]) if order.size else order
        overlap = np.flatnonzero(ends[:-1] > x[order[1:]] + 1e-9)
        for k in overlap[:limit]:
            errors.append(f"cells {order[k]} and {order[k + 1]} overlap in row {row}")
        if len(errors) >= limit:
            return errors
    return errors
