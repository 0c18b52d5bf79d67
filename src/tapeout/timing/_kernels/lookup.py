"""NLDM table lookup on flat arrays (OpenSTA's interpolation and linear extrapolation)."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, inline="always")
def _axis_position(axes: np.ndarray, offset: int, size: int, value: float) -> tuple[int, float]:
    """Lower breakpoint index and fraction of ``value`` on one axis (fraction may leave [0, 1])."""
    if size <= 1:
        return 0, 0.0
    if value <= axes[offset]:
        index = 0
    elif value >= axes[offset + size - 1]:
        index = size - 2
    else:
        lower = 0
        upper = size - 1
        while upper - lower > 1:
            middle = (upper + lower) >> 1
            if value >= axes[offset + middle]:
                lower = middle
            else:
                upper = middle
        index = lower
    low = axes[offset + index]
    high = axes[offset + index + 1]
    if high == low:
        return index, 0.0
    return index, (value - low) / (high - low)


@njit(cache=True)
def lookup_table(
    table: int,
    x: float,
    y: float,
    table_nx: np.ndarray,
    table_ny: np.ndarray,
    table_x_offset: np.ndarray,
    table_y_offset: np.ndarray,
    table_value_offset: np.ndarray,
    axes: np.ndarray,
    values: np.ndarray,
) -> float:
    """Value of ``table`` at ``(x, y)``: bilinear inside, linear extrapolation outside."""
    nx = table_nx[table]
    ny = table_ny[table]
    base = table_value_offset[table]
    ix, fx = _axis_position(axes, table_x_offset[table], nx, x)
    iy, fy = _axis_position(axes, table_y_offset[table], ny, y)
    if nx == 1 and ny == 1:
        return values[base]
    if nx == 1:
        return (1.0 - fy) * values[base + iy] + fy * values[base + iy + 1]
    if ny == 1:
        return (1.0 - fx) * values[base + ix] + fx * values[base + ix + 1]
    v00 = values[base + ix * ny + iy]
    v01 = values[base + ix * ny + iy + 1]
    v10 = values[base + (ix + 1) * ny + iy]
    v11 = values[base + (ix + 1) * ny + iy + 1]
    return (
        (1.0 - fx) * (1.0 - fy) * v00
        + fx * (1.0 - fy) * v10
        + fx * fy * v11
        + (1.0 - fx) * fy * v01
    )
