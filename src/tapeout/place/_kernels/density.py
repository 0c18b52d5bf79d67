"""Bin-density kernels (numba): spread rectangles onto a bin grid, gather a field back per cell.

Grid: ``n_x * n_y`` bins of ``bin_width * bin_height`` starting at ``(origin_x, origin_y)``;
maps are float64 ``(n_x, n_y)`` (x first). Rectangles are given by centre and size, with a
``scale`` that multiplies the area they add (used by ePlace's stretching of small cells).
"""

from __future__ import annotations

import math

import numba
import numpy as np

_PARALLEL_SPREAD_CELLS = 50_000  # below this, one thread spreads faster than a split


@numba.njit(cache=True)
def _spread(
    center_x, center_y, width, height, scale, origin_x, origin_y, bin_width, bin_height, out
):  # pragma: no cover
    n_x = out.shape[0]
    n_y = out.shape[1]
    for cell in range(center_x.shape[0]):
        x_low = center_x[cell] - 0.5 * width[cell]
        x_high = x_low + width[cell]
        y_low = center_y[cell] - 0.5 * height[cell]
        y_high = y_low + height[cell]
        i_low = max(math.floor((x_low - origin_x) / bin_width), 0)
        i_high = min(math.floor((x_high - origin_x) / bin_width), n_x - 1)
        j_low = max(math.floor((y_low - origin_y) / bin_height), 0)
        j_high = min(math.floor((y_high - origin_y) / bin_height), n_y - 1)
        s = scale[cell]
        for i in range(i_low, i_high + 1):
            bin_x_low = origin_x + i * bin_width
            overlap_x = min(x_high, bin_x_low + bin_width) - max(x_low, bin_x_low)
            if overlap_x <= 0.0:
                continue
            for j in range(j_low, j_high + 1):
                bin_y_low = origin_y + j * bin_height
                overlap_y = min(y_high, bin_y_low + bin_height) - max(y_low, bin_y_low)
                if overlap_y > 0.0:
                    out[i, j] += s * overlap_x * overlap_y


@numba.njit(cache=True)
def _spread_charge_and_area(
    center_x,
    center_y,
    charge_width,
    charge_height,
    scale,
    width,
    height,
    origin_x,
    origin_y,
    bin_width,
    bin_height,
    charge,
    area,
):  # pragma: no cover
    # One pass: every rectangle's scaled charge into ``charge``; the first ``width.shape[0]``
    # (the movable cells) also spread their real rectangle into ``area``.
    n_x = charge.shape[0]
    n_y = charge.shape[1]
    n_real = width.shape[0]
    for cell in range(center_x.shape[0]):
        cx = center_x[cell]
        cy = center_y[cell]
        x_low = cx - 0.5 * charge_width[cell]
        x_high = x_low + charge_width[cell]
        y_low = cy - 0.5 * charge_height[cell]
        y_high = y_low + charge_height[cell]
        real = cell < n_real
        rx_low = rx_high = ry_low = ry_high = 0.0
        if real:
            rx_low = cx - 0.5 * width[cell]
            rx_high = rx_low + width[cell]
            ry_low = cy - 0.5 * height[cell]
            ry_high = ry_low + height[cell]
            i_low = max(math.floor((min(x_low, rx_low) - origin_x) / bin_width), 0)
            i_high = min(math.floor((max(x_high, rx_high) - origin_x) / bin_width), n_x - 1)
            j_low = max(math.floor((min(y_low, ry_low) - origin_y) / bin_height), 0)
            j_high = min(math.floor((max(y_high, ry_high) - origin_y) / bin_height), n_y - 1)
        else:
            i_low = max(math.floor((x_low - origin_x) / bin_width), 0)
            i_high = min(math.floor((x_high - origin_x) / bin_width), n_x - 1)
            j_low = max(math.floor((y_low - origin_y) / bin_height), 0)
            j_high = min(math.floor((y_high - origin_y) / bin_height), n_y - 1)
        s = scale[cell]
        for i in range(i_low, i_high + 1):
            bin_x_low = origin_x + i * bin_width
            bin_x_high = bin_x_low + bin_width
            overlap_x = min(x_high, bin_x_high) - max(x_low, bin_x_low)
            real_x = min(rx_high, bin_x_high) - max(rx_low, bin_x_low) if real else 0.0
            for j in range(j_low, j_high + 1):
                bin_y_low = origin_y + j * bin_height
                bin_y_high = bin_y_low + bin_height
                if overlap_x > 0.0:
                    overlap_y = min(y_high, bin_y_high) - max(y_low, bin_y_low)
                    if overlap_y > 0.0:
                        charge[i, j] += s * overlap_x * overlap_y
                if real_x > 0.0:
                    real_y = min(ry_high, bin_y_high) - max(ry_low, bin_y_low)
                    if real_y > 0.0:
                        area[i, j] += real_x * real_y


@numba.njit(cache=True, parallel=True)
def _spread_chunks(
    center_x,
    center_y,
    width,
    height,
    scale,
    origin_x,
    origin_y,
    bin_width,
    bin_height,
    out,
    n_chunks,
):  # pragma: no cover
    # Each chunk of cells spreads onto its own grid (no write races), then the grids add up.
    n = center_x.shape[0]
    grids = np.zeros((n_chunks, out.shape[0], out.shape[1]))
    for chunk in numba.prange(n_chunks):
        low = chunk * n // n_chunks
        high = (chunk + 1) * n // n_chunks
        _spread(
            center_x[low:high],
            center_y[low:high],
            width[low:high],
            height[low:high],
            scale[low:high],
            origin_x,
            origin_y,
            bin_width,
            bin_height,
            grids[chunk],
        )
    for chunk in range(n_chunks):
        out += grids[chunk]


@numba.njit(cache=True, parallel=True)
def _gather(
    center_x,
    center_y,
    width,
    height,
    scale,
    origin_x,
    origin_y,
    bin_width,
    bin_height,
    field_x,
    field_y,
    out_x,
    out_y,
):  # pragma: no cover
    n_x = field_x.shape[0]
    n_y = field_x.shape[1]
    for cell in numba.prange(center_x.shape[0]):
        x_low = center_x[cell] - 0.5 * width[cell]
        x_high = x_low + width[cell]
        y_low = center_y[cell] - 0.5 * height[cell]
        y_high = y_low + height[cell]
        i_low = max(math.floor((x_low - origin_x) / bin_width), 0)
        i_high = min(math.floor((x_high - origin_x) / bin_width), n_x - 1)
        j_low = max(math.floor((y_low - origin_y) / bin_height), 0)
        j_high = min(math.floor((y_high - origin_y) / bin_height), n_y - 1)
        total_x = 0.0
        total_y = 0.0
        for i in range(i_low, i_high + 1):
            bin_x_low = origin_x + i * bin_width
            overlap_x = min(x_high, bin_x_low + bin_width) - max(x_low, bin_x_low)
            if overlap_x <= 0.0:
                continue
            for j in range(j_low, j_high + 1):
                bin_y_low = origin_y + j * bin_height
                overlap_y = min(y_high, bin_y_low + bin_height) - max(y_low, bin_y_low)
                if overlap_y > 0.0:
                    area = overlap_x * overlap_y
                    total_x += area * field_x[i, j]
                    total_y += area * field_y[i, j]
        out_x[cell] = scale[cell] * total_x
        out_y[cell] = scale[cell] * total_y


def spread_area(
    center_x: np.ndarray,
    center_y: np.ndarray,
    width: np.ndarray,
    height: np.ndarray,
    scale: np.ndarray,
    origin: tuple[float, float],
    bin_size: tuple[float, float],
    shape: tuple[int, int],
) -> np.ndarray:
    """float64 (n_x, n_y) area of the rectangles (times ``scale``) falling in each bin.

    Args:
        center_x, center_y, width, height, scale: float64 (n,) rectangles.
        origin: lower-left corner of the grid; bin_size: (bin_width, bin_height).
        shape: (n_x, n_y) bins. Parts outside the grid are dropped.
    """
    out = np.zeros(shape, dtype=np.float64)
    threads = numba.get_num_threads()
    if threads > 1 and center_x.shape[0] >= _PARALLEL_SPREAD_CELLS:
        _spread_chunks(
            center_x, center_y, width, height, scale, origin[0], origin[1], bin_size[0],
            bin_size[1], out, threads,
        )  # fmt: skip
        return out
    _spread(
        center_x,
        center_y,
        width,
        height,
        scale,
        origin[0],
        origin[1],
        bin_size[0],
        bin_size[1],
        out,
    )
    return out


def spread_charge_and_area(
    center_x: np.ndarray,
    center_y: np.ndarray,
    charge_width: np.ndarray,
    charge_height: np.ndarray,
    scale: np.ndarray,
    width: np.ndarray,
    height: np.ndarray,
    origin: tuple[float, float],
    bin_size: tuple[float, float],
    shape: tuple[int, int],
) -> tuple[np.ndarray, np.ndarray]:
    """Both maps of a density evaluation in one pass over the cells (one thread).

    Args:
        center_x, center_y, charge_width, charge_height, scale: float64 (n,) charge rectangles
            (``spread_area`` of them gives the first map).
        width, height: float64 (m,) real sizes of the first m <= n rectangles, whose area per
            bin (scale 1) gives the second map.

    Returns:
        float64 (n_x, n_y) charge map and float64 (n_x, n_y) real area map.
    """
    threads = numba.get_num_threads()
    if threads > 1 and center_x.shape[0] >= _PARALLEL_SPREAD_CELLS:
        m = width.shape[0]
        charge = spread_area(
            center_x, center_y, charge_width, charge_height, scale, origin, bin_size, shape
        )
        area = spread_area(
            center_x[:m], center_y[:m], width, height, np.ones(m), origin, bin_size, shape
        )
        return charge, area
    charge = np.zeros(shape, dtype=np.float64)
    area = np.zeros(shape, dtype=np.float64)
    _spread_charge_and_area(
        center_x, center_y, charge_width, charge_height, scale, width, height, origin[0],
        origin[1], bin_size[0], bin_size[1], charge, area,
    )  # fmt: skip
    return charge, area


def gather_field(
    center_x: np.ndarray,
    center_y: np.ndarray,
    width: np.ndarray,
    height: np.ndarray,
    scale: np.ndarray,
    origin: tuple[float, float],
    bin_size: tuple[float, float],
    field_x: np.ndarray,
    field_y: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Per rectangle, the sum over bins of overlap area * field (times ``scale``).

    Returns:
        float64 (n,) x and y components (the electrostatic force on each cell's charge).
    """
    out_x = np.empty(center_x.shape[0], dtype=np.float64)
    out_y = np.empty(center_x.shape[0], dtype=np.float64)
    _gather(
        center_x,
        center_y,
        width,
        height,
        scale,
        origin[0],
        origin[1],
        bin_size[0],
        bin_size[1],
        field_x,
        field_y,
        out_x,
        out_y,
    )
    return out_x, out_y
