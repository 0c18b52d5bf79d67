"""RUDY (rectangular uniform wire density, Spindler & Johannes 2007) on a bin grid (numba).

Each net spreads its expected wire length ``w + h`` (its pin bounding box's half perimeter)
evenly over the box: bin ``b`` gets ``weight * (w + h) * overlap(b, box) / (w * h)``. Boxes
thinner than ``min_size`` are widened to it so a flat net still lands in the bins it crosses.
"""

# numba types math.floor as float on some paths: keep the explicit int().
# ruff: noqa: RUF046

from __future__ import annotations

import math

import numba
import numpy as np


@numba.njit(cache=True)
def _rudy(
    pin_x,
    pin_y,
    net_pin_indptr,
    net_weight,
    origin_x,
    origin_y,
    bin_width,
    bin_height,
    min_size,
    out,
):  # pragma: no cover
    n_x = out.shape[0]
    n_y = out.shape[1]
    for net in range(net_pin_indptr.shape[0] - 1):
        start = net_pin_indptr[net]
        end = net_pin_indptr[net + 1]
        if end - start < 2:
            continue
        x_low = np.inf
        x_high = -np.inf
        y_low = np.inf
        y_high = -np.inf
        for pin in range(start, end):
            x_low = min(x_low, pin_x[pin])
            x_high = max(x_high, pin_x[pin])
            y_low = min(y_low, pin_y[pin])
            y_high = max(y_high, pin_y[pin])
        length = (x_high - x_low) + (y_high - y_low)
        if x_high - x_low < min_size:
            centre = 0.5 * (x_low + x_high)
            x_low = centre - 0.5 * min_size
            x_high = centre + 0.5 * min_size
        if y_high - y_low < min_size:
            centre = 0.5 * (y_low + y_high)
            y_low = centre - 0.5 * min_size
            y_high = centre + 0.5 * min_size
        density = net_weight[net] * length / ((x_high - x_low) * (y_high - y_low))
        i_low = max(int(math.floor((x_low - origin_x) / bin_width)), 0)
        i_high = min(int(math.floor((x_high - origin_x) / bin_width)), n_x - 1)
        j_low = max(int(math.floor((y_low - origin_y) / bin_height)), 0)
        j_high = min(int(math.floor((y_high - origin_y) / bin_height)), n_y - 1)
        for i in range(i_low, i_high + 1):
            bx = origin_x + i * bin_width
            ox = min(x_high, bx + bin_width) - max(x_low, bx)
            if ox <= 0:
                continue
            for j in range(j_low, j_high + 1):
                by = origin_y + j * bin_height
                oy = min(y_high, by + bin_height) - max(y_low, by)
                if oy > 0:
                    out[i, j] += density * ox * oy


def rudy_map(
    pin_x: np.ndarray,
    pin_y: np.ndarray,
    net_pin_indptr: np.ndarray,
    net_weight: np.ndarray,
    origin: tuple[float, float],
    bin_size: tuple[float, float],
    shape: tuple[int, int],
    min_size: float,
) -> np.ndarray:
    """float64 (n_x, n_y) estimated wire length per bin (same unit as the coordinates)."""
    out = np.zeros(shape, dtype=np.float64)
    _rudy(
        pin_x,
        pin_y,
        net_pin_indptr,
        net_weight,
        origin[0],
        origin[1],
        bin_size[0],
        bin_size[1],
        min_size,
        out,
    )
    return out
