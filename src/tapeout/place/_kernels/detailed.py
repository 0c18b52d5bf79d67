"""Detailed placement moves (numba): equal-width global swaps, window reordering, in-row shifts.

Every move is kept only when the weighted HPWL of the nets it touches goes down, and every move
keeps the placement legal (cells stay in their segment's free space, on sites). Segments hold
their cells sorted by x in ``segment_cells[segment_indptr[s]:segment_indptr[s+1]]``.
"""

from __future__ import annotations

import math

import numba
import numpy as np


@numba.njit(cache=True)
def _net_hpwl(
    net, x, y, width, height, pin_cell, offset_x, offset_y, net_pin_indptr, net_weight
):  # pragma: no cover
    start = net_pin_indptr[net]
    end = net_pin_indptr[net + 1]
    if end - start < 2:
        return 0.0
    x_low = np.inf
    x_high = -np.inf
    y_low = np.inf
    y_high = -np.inf
    for pin in range(start, end):
        cell = pin_cell[pin]
        px = x[cell] + 0.5 * width[cell] + offset_x[pin]
        py = y[cell] + 0.5 * height[cell] + offset_y[pin]
        x_low = min(x_low, px)
        x_high = max(x_high, px)
        y_low = min(y_low, py)
        y_high = max(y_high, py)
    return net_weight[net] * (x_high - x_low + y_high - y_low)


@numba.njit(cache=True)
def _nets_cost(
    cells,
    n_cells_used,
    stamp,
    mark,
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
):  # pragma: no cover
    total = 0.0
    for k in range(n_cells_used):
        cell = cells[k]
        for index in range(cell_pin_indptr[cell], cell_pin_indptr[cell + 1]):
            net = pin_net[cell_pin_indices[index]]
            if mark[net] != stamp:
                mark[net] = stamp
                total += _net_hpwl(
                    net,
                    x,
                    y,
                    width,
                    height,
                    pin_cell,
                    offset_x,
                    offset_y,
                    net_pin_indptr,
                    net_weight,
                )
    return total


@numba.njit(cache=True)
def _optimal_x(
    cell,
    x,
    y,
    width,
    pin_cell,
    offset_x,
    net_pin_indptr,
    cell_pin_indptr,
    cell_pin_indices,
    pin_net,
    buffer,
):  # pragma: no cover
    """Median of the other pins' x ranges of the cell's nets, as a lower-left x (nan if none)."""
    count = 0
    for index in range(cell_pin_indptr[cell], cell_pin_indptr[cell + 1]):
        own_pin = cell_pin_indices[index]
        net = pin_net[own_pin]
        low = np.inf
        high = -np.inf
        for pin in range(net_pin_indptr[net], net_pin_indptr[net + 1]):
            other = pin_cell[pin]
            if other == cell:
                continue
            px = x[other] + 0.5 * width[other] + offset_x[pin]
            low = min(low, px)
            high = max(high, px)
        if low <= high:
            # Convert a pin target back to the cell's lower-left corner.
            shift = 0.5 * width[cell] + offset_x[own_pin]
            buffer[count] = low - shift
            buffer[count + 1] = high - shift
            count += 2
    if count == 0:
        return np.nan
    values = np.sort(buffer[:count])
    return 0.5 * (values[(count - 1) // 2] + values[count // 2])


@numba.njit(cache=True)
def _optimal_y(
    cell,
    y,
    height,
    pin_cell,
    offset_y,
    net_pin_indptr,
    cell_pin_indptr,
    cell_pin_indices,
    pin_net,
    buffer,
):  # pragma: no cover
    count = 0
    for index in range(cell_pin_indptr[cell], cell_pin_indptr[cell + 1]):
        own_pin = cell_pin_indices[index]
        net = pin_net[own_pin]
        low = np.inf
        high = -np.inf
        for pin in range(net_pin_indptr[net], net_pin_indptr[net + 1]):
            other = pin_cell[pin]
            if other == cell:
                continue
            py = y[other] + 0.5 * height[other] + offset_y[pin]
            low = min(low, py)
            high = max(high, py)
        if low <= high:
            shift = 0.5 * height[cell] + offset_y[own_pin]
            buffer[count] = low - shift
            buffer[count + 1] = high - shift
            count += 2
    if count == 0:
        return np.nan
    values = np.sort(buffer[:count])
    return 0.5 * (values[(count - 1) // 2] + values[count // 2])


@numba.njit(cache=True)
def detailed_pass(
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
    segment_indptr,
    segment_cells,
    segment_low,
    segment_high,
    segment_row,
    row_y,
    row_site_origin,
    row_site_width,
    rows_by_y,
    row_segment_indptr,
    cell_segment,
    cell_slot,
):  # pragma: no cover - numba
    """One pass of global swaps, window-3 reordering and shifts; returns the HPWL gain."""
    n_nets = net_pin_indptr.shape[0] - 1
    mark = np.zeros(n_nets, dtype=np.int64)
    stamp = 0
    max_pins = 0
    for cell in range(cell_pin_indptr.shape[0] - 1):
        max_pins = max(max_pins, cell_pin_indptr[cell + 1] - cell_pin_indptr[cell])
    buffer = np.empty(2 * max_pins + 2)
    group = np.empty(3, dtype=np.int64)
    gain = 0.0
    n_rows = row_y.shape[0]
    sorted_y = np.empty(n_rows)
    for k in range(n_rows):
        sorted_y[k] = row_y[rows_by_y[k]]
    n_segments = segment_low.shape[0]

    # 1. Global swap of equal-width cells toward each cell's optimal region.
    for s in range(n_segments):
        for slot in range(segment_indptr[s], segment_indptr[s + 1]):
            cell = segment_cells[slot]
            target_x = _optimal_x(
                cell,
                x,
                y,
                width,
                pin_cell,
                offset_x,
                net_pin_indptr,
                cell_pin_indptr,
                cell_pin_indices,
                pin_net,
                buffer,
            )
            target_y = _optimal_y(
                cell,
                y,
                height,
                pin_cell,
                offset_y,
                net_pin_indptr,
                cell_pin_indptr,
                cell_pin_indices,
                pin_net,
                buffer,
            )
            if np.isnan(target_x) or np.isnan(target_y):
                continue
            if (
                abs(target_x - x[cell]) < width[cell]
                and abs(target_y - y[cell]) < 0.5 * height[cell]
            ):
                continue
            r = np.searchsorted(sorted_y, target_y)
            for candidate_r in (r - 1, r):
                if candidate_r < 0 or candidate_r >= n_rows:
                    continue
                row = rows_by_y[candidate_r]
                # Segments of that row: find the cells around target_x.
                for t in range(row_segment_indptr[row], row_segment_indptr[row + 1]):
                    if segment_low[t] > target_x or segment_high[t] < target_x:
                        continue
                    lo = segment_indptr[t]
                    hi = segment_indptr[t + 1]
                    if hi == lo:
                        continue
                    # Binary search by x.
                    a = lo
                    b = hi
                    while a < b:
                        m = (a + b) // 2
                        if x[segment_cells[m]] < target_x:
                            a = m + 1
                        else:
                            b = m
                    for other_slot in range(max(lo, a - 2), min(hi, a + 2)):
                        other = segment_cells[other_slot]
                        if (
                            other == cell
                            or width[other] != width[cell]
                            or height[other] != height[cell]
                        ):
                            continue
                        stamp += 1
                        group[0] = cell
                        group[1] = other
                        before = _nets_cost(
                            group,
                            2,
                            stamp,
                            mark,
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
                        )
                        x[cell], x[other] = x[other], x[cell]
                        y[cell], y[other] = y[other], y[cell]
                        stamp += 1
                        after = _nets_cost(
                            group,
                            2,
                            stamp,
                            mark,
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
                        )
                        if after < before - 1e-9:
                            gain += before - after
                            slot_cell = cell_slot[cell]
                            slot_other = cell_slot[other]
                            segment_cells[slot_cell] = other
                            segment_cells[slot_other] = cell
                            cell_slot[cell] = slot_other
                            cell_slot[other] = slot_cell
                            seg_cell = cell_segment[cell]
                            cell_segment[cell] = cell_segment[other]
                            cell_segment[other] = seg_cell
                            break
                        x[cell], x[other] = x[other], x[cell]
                        y[cell], y[other] = y[other], y[cell]

    # 2. Window-3 reordering: best permutation packed from the window's left end.
    permutations = np.array([[0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]])
    saved = np.empty(3)
    for s in range(n_segments):
        lo = segment_indptr[s]
        hi = segment_indptr[s + 1]
        for slot in range(lo, hi - 2):
            for k in range(3):
                group[k] = segment_cells[slot + k]
                saved[k] = x[group[k]]
            left = saved[0]
            right_limit = x[group[2]] + width[group[2]]
            stamp += 1
            best = _nets_cost(
                group,
                3,
                stamp,
                mark,
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
            )
            start_cost = best
            best_permutation = -1
            for p in range(permutations.shape[0]):
                cursor = left
                for k in range(3):
                    c = group[permutations[p, k]]
                    x[c] = cursor
                    cursor += width[c]
                if cursor > right_limit + 1e-9:
                    continue
                stamp += 1
                cost = _nets_cost(
                    group,
                    3,
                    stamp,
                    mark,
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
                )
                if cost < best - 1e-9:
                    best = cost
                    best_permutation = p
            if best_permutation < 0:
                for k in range(3):
                    x[group[k]] = saved[k]
                continue
            cursor = left
            cells_in_order = np.empty(3, dtype=np.int64)
            for k in range(3):
                c = group[permutations[best_permutation, k]]
                cells_in_order[k] = c
                x[c] = cursor
                cursor += width[c]
            for k in range(3):
                segment_cells[slot + k] = cells_in_order[k]
                cell_slot[cells_in_order[k]] = slot + k
            gain += start_cost - best

    # 3. Shift each cell inside its free gap toward its optimal x.
    for s in range(n_segments):
        lo = segment_indptr[s]
        hi = segment_indptr[s + 1]
        row = segment_row[s]
        origin = row_site_origin[row]
        site = row_site_width[row]
        for slot in range(lo, hi):
            cell = segment_cells[slot]
            left = (
                segment_low[s]
                if slot == lo
                else x[segment_cells[slot - 1]] + width[segment_cells[slot - 1]]
            )
            right = segment_high[s] if slot == hi - 1 else x[segment_cells[slot + 1]]
            if right - left - width[cell] < 0.5 * site:
                continue
            target = _optimal_x(
                cell,
                x,
                y,
                width,
                pin_cell,
                offset_x,
                net_pin_indptr,
                cell_pin_indptr,
                cell_pin_indices,
                pin_net,
                buffer,
            )
            if np.isnan(target):
                continue
            target = origin + math.floor((target - origin) / site + 0.5) * site
            low_site = origin + math.ceil((left - origin) / site - 1e-9) * site
            high_site = origin + math.floor((right - width[cell] - origin) / site + 1e-9) * site
            target = min(max(target, low_site), high_site)
            if target == x[cell]:
                continue
            group[0] = cell
            stamp += 1
            before = _nets_cost(
                group,
                1,
                stamp,
                mark,
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
            )
            old = x[cell]
            x[cell] = target
            stamp += 1
            after = _nets_cost(
                group,
                1,
                stamp,
                mark,
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
            )
            if after < before - 1e-9:
                gain += before - after
            else:
                x[cell] = old
    return gain
