"""Independent-set matching for detailed placement (numba parts; scipy solves the assignment).

Cells of one size in one window whose nets are disjoint form an independent set: the cost of
putting cell ``i`` at the spot of cell ``j`` depends on ``i`` alone, so the best permutation of
the set over its own spots is a linear assignment problem, solved exactly.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True)
def independent_sets(
    order, group, cell_pin_indptr, cell_pin_indices, pin_net, n_nets, max_size
):  # pragma: no cover
    """Greedy independent sets within runs of equal ``group`` along ``order``.

    Returns (set_indptr int64, set_cells int64): sets of 2..max_size cells sharing no net.
    """
    mark = np.full(n_nets, -1, dtype=np.int64)
    used = np.zeros(order.shape[0], dtype=np.bool_)
    set_cells = np.empty(order.shape[0], dtype=np.int64)
    set_indptr = np.zeros(order.shape[0] + 1, dtype=np.int64)
    n_sets = 0
    count = 0
    start = 0
    n = order.shape[0]
    while start < n:
        end = start
        while end < n and group[order[end]] == group[order[start]]:
            end += 1
        # Sets inside the run [start, end).
        for seed in range(start, end):
            if used[seed]:
                continue
            set_id = n_sets
            size = 0
            first = count
            for k in range(seed, end):
                if used[k] or size >= max_size:
                    continue
                cell = order[k]
                free = True
                for index in range(cell_pin_indptr[cell], cell_pin_indptr[cell + 1]):
                    if mark[pin_net[cell_pin_indices[index]]] == set_id:
                        free = False
                        break
                if not free:
                    continue
                for index in range(cell_pin_indptr[cell], cell_pin_indptr[cell + 1]):
                    mark[pin_net[cell_pin_indices[index]]] = set_id
                used[k] = True
                set_cells[count] = cell
                count += 1
                size += 1
            if size >= 2:
                n_sets += 1
                set_indptr[n_sets] = count
            else:
                count = first
                # A lone cell stays available to later seeds' sets only as a seed; mark it used.
        start = end
    return set_indptr[: n_sets + 1].copy(), set_cells[:count].copy()


@numba.njit(cache=True)
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
    cell_pin_indptr,
    cell_pin_indices,
    pin_net,
    cell_mirror_y,
):  # pragma: no cover
    """float64 (k, k): HPWL of cell i's nets with cell i moved to cell j's spot.

    ``cell_mirror_y``: uint8 (n_cells,) whether each cell is mirrored about the x axis, as its
    row is; cell i at a spot of the other mirror has its y offsets negated there.
    """
    k = cells.shape[0]
    cost = np.zeros((k, k))
    for i in range(k):
        cell = cells[i]
        for index in range(cell_pin_indptr[cell], cell_pin_indptr[cell + 1]):
            own = cell_pin_indices[index]
            net = pin_net[own]
            seen = False
            for earlier in range(cell_pin_indptr[cell], index):
                if pin_net[cell_pin_indices[earlier]] == net:
                    seen = True
            if seen:
                continue
            start = net_pin_indptr[net]
            end = net_pin_indptr[net + 1]
            if end - start < 2:
                continue
            # Box of the net's other pins.
            x_low = np.inf
            x_high = -np.inf
            y_low = np.inf
            y_high = -np.inf
            for pin in range(start, end):
                other = pin_cell[pin]
                if other == cell:
                    continue
                px = x[other] + 0.5 * width[other] + offset_x[pin]
                py = y[other] + 0.5 * height[other] + offset_y[pin]
                x_low = min(x_low, px)
                x_high = max(x_high, px)
                y_low = min(y_low, py)
                y_high = max(y_high, py)
            for j in range(k):
                spot = cells[j]
                sign_y = 1.0 if cell_mirror_y[spot] == cell_mirror_y[cell] else -1.0
                # All of the cell's own pins on this net, at the new spot.
                a_low = x_low
                a_high = x_high
                b_low = y_low
                b_high = y_high
                for pin in range(start, end):
                    if pin_cell[pin] != cell:
                        continue
                    px = x[spot] + 0.5 * width[cell] + offset_x[pin]
                    py = y[spot] + 0.5 * height[cell] + sign_y * offset_y[pin]
                    a_low = min(a_low, px)
                    a_high = max(a_high, px)
                    b_low = min(b_low, py)
                    b_high = max(b_high, py)
                cost[i, j] += net_weight[net] * (a_high - a_low + b_high - b_low)
    return cost
