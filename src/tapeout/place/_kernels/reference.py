"""Slow, obvious numpy versions of every placement kernel, for the tests to compare against."""

from __future__ import annotations

import numpy as np


def hpwl(pin_x, pin_y, net_pin_indptr, net_weight) -> float:  # type: ignore[no-untyped-def]
    """Weighted half-perimeter wirelength, net by net in Python."""
    total = 0.0
    for net in range(len(net_pin_indptr) - 1):
        pins = slice(net_pin_indptr[net], net_pin_indptr[net + 1])
        if net_pin_indptr[net + 1] - net_pin_indptr[net] < 2:
            continue
        total += net_weight[net] * (np.ptp(pin_x[pins]) + np.ptp(pin_y[pins]))
    return float(total)


def wa_wirelength(pin_coordinate, pin_cell, n_cells, net_pin_indptr, net_weight, gamma):  # type: ignore[no-untyped-def]
    """WA wirelength along one axis and its cell gradient, from the textbook formula."""
    total = 0.0
    gradient = np.zeros(n_cells)
    for net in range(len(net_pin_indptr) - 1):
        pins = np.arange(net_pin_indptr[net], net_pin_indptr[net + 1])
        if len(pins) < 2:
            continue
        x = pin_coordinate[pins]
        a = np.exp(x / gamma)
        b = np.exp(-x / gamma)
        plus = np.sum(x * a) / np.sum(a)
        minus = np.sum(x * b) / np.sum(b)
        total += net_weight[net] * (plus - minus)
        d_plus = a / np.sum(a) * (1 + (x - plus) / gamma)
        d_minus = b / np.sum(b) * (1 - (x - minus) / gamma)
        np.add.at(gradient, pin_cell[pins], net_weight[net] * (d_plus - d_minus))
    return float(total), gradient


def spread_area(center_x, center_y, width, height, scale, origin, bin_size, shape):  # type: ignore[no-untyped-def]
    """Bin areas by exact rectangle intersection with every bin."""
    out = np.zeros(shape)
    for i in range(shape[0]):
        bx0 = origin[0] + i * bin_size[0]
        ox = np.clip(
            np.minimum(center_x + width / 2, bx0 + bin_size[0])
            - np.maximum(center_x - width / 2, bx0),
            0,
            None,
        )
        for j in range(shape[1]):
            by0 = origin[1] + j * bin_size[1]
            oy = np.clip(
                np.minimum(center_y + height / 2, by0 + bin_size[1])
                - np.maximum(center_y - height / 2, by0),
                0,
                None,
            )
            out[i, j] = np.sum(scale * ox * oy)
    return out


def electric_field(density, bin_size):  # type: ignore[no-untyped-def]
    """Potential and field of a density map by explicit cosine series (Neumann boundaries).

    density[i, j] = sum a_uv cos(w_u (i+1/2)) cos(w_v (j+1/2)), w_u = pi u / n_x; then
    phi = sum a_uv / (k_u^2 + k_v^2) cos cos with k = w / bin size, and field = -grad phi.
    """
    n_x, n_y = density.shape
    i = np.arange(n_x) + 0.5
    j = np.arange(n_y) + 0.5
    w_u = np.pi * np.arange(n_x) / n_x
    w_v = np.pi * np.arange(n_y) / n_y
    cos_x = np.cos(np.outer(w_u, i))  # (u, i)
    cos_y = np.cos(np.outer(w_v, j))
    sin_x = np.sin(np.outer(w_u, i))
    sin_y = np.sin(np.outer(w_v, j))
    norm_x = np.full(n_x, 2.0 / n_x)
    norm_x[0] = 1.0 / n_x
    norm_y = np.full(n_y, 2.0 / n_y)
    norm_y[0] = 1.0 / n_y
    coefficient = (norm_x[:, None] * cos_x) @ density @ (norm_y[:, None] * cos_y).T
    k_u = w_u / bin_size[0]
    k_v = w_v / bin_size[1]
    k2 = k_u[:, None] ** 2 + k_v[None, :] ** 2
    k2[0, 0] = 1.0
    a = coefficient / k2
    a[0, 0] = 0.0
    potential = cos_x.T @ a @ cos_y
    field_x = sin_x.T @ (a * k_u[:, None]) @ cos_y
    field_y = cos_x.T @ (a * k_v[None, :]) @ sin_y
    return potential, field_x, field_y


def gather_field(center_x, center_y, width, height, scale, origin, bin_size, field_x, field_y):  # type: ignore[no-untyped-def]
    """Per rectangle: sum over all bins of overlap area times the field, times ``scale``."""
    n_x, n_y = field_x.shape
    out_x = np.zeros(len(center_x))
    out_y = np.zeros(len(center_x))
    for i in range(n_x):
        bx0 = origin[0] + i * bin_size[0]
        ox = np.clip(
            np.minimum(center_x + width / 2, bx0 + bin_size[0])
            - np.maximum(center_x - width / 2, bx0),
            0,
            None,
        )
        for j in range(n_y):
            by0 = origin[1] + j * bin_size[1]
            oy = np.clip(
                np.minimum(center_y + height / 2, by0 + bin_size[1])
                - np.maximum(center_y - height / 2, by0),
                0,
                None,
            )
            out_x += scale * ox * oy * field_x[i, j]
            out_y += scale * ox * oy * field_y[i, j]
    return out_x, out_y


def rudy_map(pin_x, pin_y, net_pin_indptr, net_weight, origin, bin_size, shape, min_size):  # type: ignore[no-untyped-def]
    """RUDY by explicit box/bin intersections, net by net."""
    out = np.zeros(shape)
    for net in range(len(net_pin_indptr) - 1):
        pins = slice(net_pin_indptr[net], net_pin_indptr[net + 1])
        if net_pin_indptr[net + 1] - net_pin_indptr[net] < 2:
            continue
        x0, x1 = pin_x[pins].min(), pin_x[pins].max()
        y0, y1 = pin_y[pins].min(), pin_y[pins].max()
        length = (x1 - x0) + (y1 - y0)
        if x1 - x0 < min_size:
            x0, x1 = (x0 + x1) / 2 - min_size / 2, (x0 + x1) / 2 + min_size / 2
        if y1 - y0 < min_size:
            y0, y1 = (y0 + y1) / 2 - min_size / 2, (y0 + y1) / 2 + min_size / 2
        density = net_weight[net] * length / ((x1 - x0) * (y1 - y0))
        for i in range(shape[0]):
            bx = origin[0] + i * bin_size[0]
            ox = max(0.0, min(x1, bx + bin_size[0]) - max(x0, bx))
            for j in range(shape[1]):
                by = origin[1] + j * bin_size[1]
                oy = max(0.0, min(y1, by + bin_size[1]) - max(y0, by))
                out[i, j] += density * ox * oy
    return out


def assignment_costs(
    cells,
    x,
    y,
    width,
    height,
    pin_cell,
    offset_x,
    offset_y,
    net_pin_indptr,
    net_weight,
    cell_mirror_y,
):  # type: ignore[no-untyped-def]
    """cost[i, j]: HPWL of cell i's nets with cell i moved to cell j's spot (others stay),
    its y offsets negated when the spot's mirror about the x axis differs from its own."""
    k = len(cells)
    cost = np.zeros((k, k))
    for i, cell in enumerate(cells):
        nets = {
            n
            for n in range(len(net_pin_indptr) - 1)
            if cell in pin_cell[net_pin_indptr[n] : net_pin_indptr[n + 1]]
        }
        for j, spot in enumerate(cells):
            moved_x = x.copy()
            moved_y = y.copy()
            moved_x[cell] = x[spot]
            moved_y[cell] = y[spot]
            moved_offset_y = offset_y.copy()
            if cell_mirror_y[spot] != cell_mirror_y[cell]:
                moved_offset_y[pin_cell == cell] *= -1
            for net in nets:
                pins = np.arange(net_pin_indptr[net], net_pin_indptr[net + 1])
                if len(pins) < 2:
                    continue
                px = moved_x[pin_cell[pins]] + width[pin_cell[pins]] / 2 + offset_x[pins]
                py = moved_y[pin_cell[pins]] + height[pin_cell[pins]] / 2 + moved_offset_y[pins]
                cost[i, j] += net_weight[net] * (np.ptp(px) + np.ptp(py))
    return cost


def flip_pass(cells, x, y, width, height, pin_cell, offset_x, offset_y, net_pin_indptr, net_weight):  # type: ignore[no-untyped-def]
    """Each of ``cells`` in turn mirrored about its vertical axis when the whole HPWL drops.

    Returns (offset_x after, flipped bool per cell of ``cells``); the inputs are not changed.
    """
    offset_x = offset_x.copy()
    flipped = np.zeros(len(cells), dtype=bool)

    def total(dx):  # type: ignore[no-untyped-def]
        px = x[pin_cell] + width[pin_cell] / 2 + dx
        py = y[pin_cell] + height[pin_cell] / 2 + offset_y
        return hpwl(px, py, net_pin_indptr, net_weight)

    for k, cell in enumerate(cells):
        trial = offset_x.copy()
        trial[pin_cell == cell] *= -1
        if total(trial) < total(offset_x) - 1e-9:
            offset_x = trial
            flipped[k] = True
    return offset_x, flipped
