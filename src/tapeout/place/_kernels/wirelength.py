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


@numba.njit(cache=True, parallel=True)
def _wa_both_axes(
    centre_x,
    centre_y,
    pin_cell,
    offset_x,
    offset_y,
    net_pin_indptr,
    net_weight,
    net_active,
    gamma,
    y_scale,
    scratch,
    pin_gradient_x,
    pin_gradient_y,
    net_hpwl,
):  # pragma: no cover - numba
    for net in numba.prange(net_pin_indptr.shape[0] - 1):
        start = net_pin_indptr[net]
        end = net_pin_indptr[net + 1]
        if end - start < 2:
            for pin in range(start, end):
                pin_gradient_x[pin] = 0.0
                pin_gradient_y[pin] = 0.0
            net_hpwl[net] = 0.0
            continue
        x_high = -np.inf
        x_low = np.inf
        y_high = -np.inf
        y_low = np.inf
        for pin in range(start, end):
            cell = pin_cell[pin]
            px = centre_x[cell] + offset_x[pin]
            py = centre_y[cell] + offset_y[pin]
            scratch[0, pin] = px
            scratch[1, pin] = py
            x_high = max(x_high, px)
            x_low = min(x_low, px)
            y_high = max(y_high, py)
            y_low = min(y_low, py)
        weight = net_weight[net]
        net_hpwl[net] = weight * (x_high - x_low + (y_high - y_low) * y_scale)
        if not net_active[net]:
            for pin in range(start, end):
                pin_gradient_x[pin] = 0.0
                pin_gradient_y[pin] = 0.0
            continue
        if end - start == 2:
            # Two pins: the one at the high end has a = 1 and the other exp(-span / gamma),
            # the same for b mirrored, so one exponential per axis gives the four weights.
            for axis in range(2):
                high = x_high if axis == 0 else y_high
                low = x_low if axis == 0 else y_low
                first = scratch[axis, start]
                second = scratch[axis, start + 1]
                e = math.exp((low - high) / gamma)
                a_first = 1.0 if first >= second else e
                a_second = e if first >= second else 1.0
                sum_ab = 1.0 + e
                plus = (first * a_first + second * a_second) / sum_ab
                minus = (first * a_second + second * a_first) / sum_ab
                scale = weight if axis == 0 else weight * y_scale
                g_first = scale * (
                    a_first / sum_ab * (1.0 + (first - plus) / gamma)
                    - a_second / sum_ab * (1.0 - (first - minus) / gamma)
                )
                g_second = scale * (
                    a_second / sum_ab * (1.0 + (second - plus) / gamma)
                    - a_first / sum_ab * (1.0 - (second - minus) / gamma)
                )
                if axis == 0:
                    pin_gradient_x[start] = g_first
                    pin_gradient_x[start + 1] = g_second
                else:
                    pin_gradient_y[start] = g_first
                    pin_gradient_y[start + 1] = g_second
            continue
        for axis in range(2):
            high = x_high if axis == 0 else y_high
            low = x_low if axis == 0 else y_low
            sum_a = 0.0
            sum_xa = 0.0
            sum_b = 0.0
            sum_xb = 0.0
            for pin in range(start, end):
                c = scratch[axis, pin]
                a = math.exp((c - high) / gamma)
                b = math.exp((low - c) / gamma)
                scratch[2, pin] = a
                scratch[3, pin] = b
                sum_a += a
                sum_xa += c * a
                sum_b += b
                sum_xb += c * b
            plus = sum_xa / sum_a
            minus = sum_xb / sum_b
            scale = weight if axis == 0 else weight * y_scale
            for pin in range(start, end):
                c = scratch[axis, pin]
                d_plus = scratch[2, pin] / sum_a * (1.0 + (c - plus) / gamma)
                d_minus = scratch[3, pin] / sum_b * (1.0 - (c - minus) / gamma)
                if axis == 0:
                    pin_gradient_x[pin] = scale * (d_plus - d_minus)
                else:
                    pin_gradient_y[pin] = scale * (d_plus - d_minus)


@numba.njit(cache=True, parallel=True)
def _sum_movable(
    pin_gradient_x, pin_gradient_y, cell_pin_indptr, cell_pin_indices, movable, out
):  # pragma: no cover - numba
    for k in numba.prange(movable.shape[0]):
        cell = movable[k]
        total_x = 0.0
        total_y = 0.0
        for j in range(cell_pin_indptr[cell], cell_pin_indptr[cell + 1]):
            pin = cell_pin_indices[j]
            total_x += pin_gradient_x[pin]
            total_y += pin_gradient_y[pin]
        out[0, k] = total_x
        out[1, k] = total_y


class WirelengthWorkspace:
    """Scratch arrays of ``wa_gradient_and_hpwl`` kept between calls (no per-call allocation).

    Args:
        n_pins, n_nets: sizes of the problem.
    """

    def __init__(self, n_pins: int, n_nets: int) -> None:
        self.scratch = np.empty((4, n_pins), dtype=np.float64)
        self.pin_gradient_x = np.empty(n_pins, dtype=np.float64)
        self.pin_gradient_y = np.empty(n_pins, dtype=np.float64)
        self.net_hpwl = np.empty(n_nets, dtype=np.float64)


def wa_gradient_and_hpwl(
    centre_x: np.ndarray,
    centre_y: np.ndarray,
    pin_cell: np.ndarray,
    offset_x: np.ndarray,
    offset_y: np.ndarray,
    net_pin_indptr: np.ndarray,
    net_weight: np.ndarray,
    net_active: np.ndarray,
    gamma: float,
    cell_pin_indptr: np.ndarray,
    cell_pin_indices: np.ndarray,
    movable: np.ndarray,
    out: np.ndarray,
    *,
    y_scale: float = 1.0,
    workspace: WirelengthWorkspace | None = None,
) -> float:
    """WA gradient of both axes for the movable cells and the HPWL of all nets, in one pass.

    Args:
        centre_x, centre_y: float64 (n_cells,) cell centres.
        pin_cell: int64 (n_pins,); offset_x, offset_y: float64 (n_pins,) from the cell centre.
        net_pin_indptr, net_weight, net_active, gamma, cell_pin_indptr, cell_pin_indices: as in
            ``wa_wirelength``.
        movable: int64 (n_movable,) cells whose gradient is wanted.
        out: float64 (2, >= n_movable); ``out[:, k]`` gets the gradient of cell ``movable[k]``.
        y_scale: y lengths (HPWL and gradient) are multiplied by this.
        workspace: scratch arrays from an earlier call (made when missing).

    Returns:
        the weighted HPWL of every net with two or more pins (inactive ones included).
    """
    n_pins = pin_cell.shape[0]
    n_nets = net_pin_indptr.shape[0] - 1
    if workspace is None or workspace.scratch.shape[1] != n_pins:
        workspace = WirelengthWorkspace(n_pins, n_nets)
    _wa_both_axes(
        centre_x, centre_y, pin_cell, offset_x, offset_y, net_pin_indptr, net_weight,
        net_active, gamma, y_scale, workspace.scratch, workspace.pin_gradient_x,
        workspace.pin_gradient_y, workspace.net_hpwl,
    )  # fmt: skip
    _sum_movable(
        workspace.pin_gradient_x, workspace.pin_gradient_y, cell_pin_indptr, cell_pin_indices,
        movable, out,
    )  # fmt: skip
    return float(workspace.net_hpwl.sum())
