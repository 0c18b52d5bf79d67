"""Wirelength kernels (numba): half-perimeter and weighted-average (WA) with its gradient.

Pins are stored net by net: the pins of net ``n`` are ``net_pin_indptr[n]:net_pin_indptr[n+1]``.
"""

from __future__ import annotations

import math

import numba
import numpy as np


@numba.njit(cache=True, parallel=True)
def _hpwl_per_net(pin_x, pin_y, net_pin_indptr, net_weight, out):  # pragma: no cover - numba
    for net in numba.prange(net_pin_indptr.shape[0] - 1):
        start = net_pin_indptr[net]
        end = net_pin_indptr[net + 1]
        if end - start < 2:
            out[net] = 0.0
            continue
        x_low = pin_x[start]
        x_high = x_low
        y_low = pin_y[start]
        y_high = y_low
        for pin in range(start + 1, end):
            x = pin_x[pin]
            y = pin_y[pin]
            if x < x_low:
                x_low = x
            if x > x_high:
                x_high = x
            if y < y_low:
                y_low = y
            if y > y_high:
                y_high = y
        out[net] = net_weight[net] * (x_high - x_low + y_high - y_low)


def hpwl(
    pin_x: np.ndarray, pin_y: np.ndarray, net_pin_indptr: np.ndarray, net_weight: np.ndarray
) -> float:
    """Weighted half-perimeter wirelength.

    Args:
        pin_x, pin_y: float64 (n_pins,) absolute pin positions, stored net by net.
        net_pin_indptr: int64 (n_nets+1,) CSR of net -> pins.
        net_weight: float64 (n_nets,).
    """
    out = np.empty(net_pin_indptr.shape[0] - 1, dtype=np.float64)
    _hpwl_per_net(pin_x, pin_y, net_pin_indptr, net_weight, out)
    return float(out.sum())


@numba.njit(cache=True, parallel=True)
def _wa_pins(
    coordinate, net_pin_indptr, net_weight, net_active, gamma, pin_gradient, net_value
):  # pragma: no cover
    for net in numba.prange(net_pin_indptr.shape[0] - 1):
        start = net_pin_indptr[net]
        end = net_pin_indptr[net + 1]
        if end - start < 2 or not net_active[net]:
            for pin in range(start, end):
                pin_gradient[pin] = 0.0
            net_value[net] = 0.0
            continue
        high = coordinate[start]
        low = high
        for pin in range(start + 1, end):
            c = coordinate[pin]
            if c > high:
                high = c
            if c < low:
                low = c
        sum_a = 0.0
        sum_xa = 0.0
        sum_b = 0.0
        sum_xb = 0.0
        for pin in range(start, end):
            c = coordinate[pin]
            a = math.exp((c - high) / gamma)
            b = math.exp((low - c) / gamma)
            sum_a += a
            sum_xa += c * a
            sum_b += b
            sum_xb += c * b
        plus = sum_xa / sum_a
        minus = sum_xb / sum_b
        weight = net_weight[net]
        net_value[net] = weight * (plus - minus)
        for pin in range(start, end):
            c = coordinate[pin]
            a = math.exp((c - high) / gamma)
            b = math.exp((low - c) / gamma)
            d_plus = a / sum_a * (1.0 + (c - plus) / gamma)
            d_minus = b / sum_b * (1.0 - (c - minus) / gamma)
            pin_gradient[pin] = weight * (d_plus - d_minus)


@numba.njit(cache=True, parallel=True)
def _sum_to_cells(pin_gradient, cell_pin_indptr, cell_pin_indices, out):  # pragma: no cover
    for cell in numba.prange(cell_pin_indptr.shape[0] - 1):
        total = 0.0
        for k in range(cell_pin_indptr[cell], cell_pin_indptr[cell + 1]):
            total += pin_gradient[cell_pin_indices[k]]
        out[cell] = total


def wa_wirelength(
    pin_coordinate: np.ndarray,
    net_pin_indptr: np.ndarray,
    net_weight: np.ndarray,
    net_active: np.ndarray,
    gamma: float,
    cell_pin_indptr: np.ndarray,
    cell_pin_indices: np.ndarray,
) -> tuple[float, np.ndarray]:
    """Weighted-average wirelength along one axis and its gradient per cell.

    Args:
        pin_coordinate: float64 (n_pins,) pin positions along the axis, stored net by net.
        net_pin_indptr: int64 (n_nets+1,) net -> pins CSR.
        net_weight: float64 (n_nets,).
        net_active: bool (n_nets,) nets taking part (others contribute nothing).
        gamma: smoothing length (same unit as the coordinates); smaller is closer to HPWL.
        cell_pin_indptr, cell_pin_indices: int64 cell -> pins CSR.

    Returns:
        (WA wirelength, float64 (n_cells,) gradient with respect to each cell's position).
    """
    pin_gradient = np.empty_like(pin_coordinate)
    net_value = np.empty(net_pin_indptr.shape[0] - 1, dtype=np.float64)
    _wa_pins(pin_coordinate, net_pin_indptr, net_weight, net_active, gamma, pin_gradient, net_value)
    cell_gradient = np.empty(cell_pin_indptr.shape[0] - 1, dtype=np.float64)
    _sum_to_cells(pin_gradient, cell_pin_indptr, cell_pin_indices, cell_gradient)
    return float(net_value.sum()), cell_gradient
