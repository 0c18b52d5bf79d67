"""Cell flips for detailed placement (numba): a standard cell mirrored about its vertical axis
(N <-> FN, FS <-> S) stays legal and moves its pins; keep the mirror that shortens its nets.
"""

from __future__ import annotations

import numba
import numpy as np

from tapeout.place._kernels.detailed import _negate_pins, _nets_cost


@numba.njit(cache=True)
def set_mirrors(cells, mirror, cell_mirror, cell_pin_indptr, cell_pin_indices, offset):
    """Give ``cells`` (int64 (k,)) the mirror flags ``mirror`` (uint8 (k,)) in ``cell_mirror``
    (uint8 (n_cells,)), negating ``offset`` (the matching axis) of those that change."""
    for k in range(cells.shape[0]):
        cell = cells[k]
        if cell_mirror[cell] != mirror[k]:
            cell_mirror[cell] = mirror[k]
            _negate_pins(cell, cell_pin_indptr, cell_pin_indices, offset)


@numba.njit(cache=True)
def flip_pass(
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
    cell_pin_indptr,
    cell_pin_indices,
    pin_net,
    cell_mirror_x,
):  # pragma: no cover - numba
    """Mirror each of ``cells`` (int64, in order) about its vertical axis when that shortens its
    nets (negating its pins' ``offset_x``, toggling ``cell_mirror_x``); returns the HPWL gain.
    Linear in the pins of the cells' nets."""
    n_nets = net_pin_indptr.shape[0] - 1
    mark = np.zeros(n_nets, dtype=np.int64)
    stamp = 0
    group = np.empty(1, dtype=np.int64)
    gain = 0.0
    for k in range(cells.shape[0]):
        c = cells[k]
        moves = False
        for index in range(cell_pin_indptr[c], cell_pin_indptr[c + 1]):
            if offset_x[cell_pin_indices[index]] != 0.0:
                moves = True
                break
        if not moves:
            continue
        group[0] = c
        stamp += 1
        before = _nets_cost(
            group, 1, stamp, mark, x, y, width, height, pin_cell, offset_x, offset_y,
            net_pin_indptr, net_weight, cell_pin_indptr, cell_pin_indices, pin_net,
        )  # fmt: skip
        _negate_pins(c, cell_pin_indptr, cell_pin_indices, offset_x)
        stamp += 1
        after = _nets_cost(
            group, 1, stamp, mark, x, y, width, height, pin_cell, offset_x, offset_y,
            net_pin_indptr, net_weight, cell_pin_indptr, cell_pin_indices, pin_net,
        )  # fmt: skip
        if after < before - 1e-9:
            cell_mirror_x[c] = 1 - cell_mirror_x[c]
            gain += before - after
        else:
            _negate_pins(c, cell_pin_indptr, cell_pin_indices, offset_x)
    return gain
