"""Detailed placement moves (numba): global moves and swaps, window reordering, in-row shifts
of single cells and of blocks of abutting cells (cell flips: ``flip.py``).

Pin offsets are the cells' as oriented now. A cell moved to a row of the other mirror about the
x axis (N and FS rows alternate) has its pins' y offsets negated, in the costs too
(``cell_mirror_y`` per cell, ``row_mirror_y`` per row); a flip negates its x offsets.

Every move is kept only when the weighted HPWL of the nets it touches goes down, and every move
keeps the placement legal (cells stay in their segment's free space, on sites). Each free row
segment holds its cells as a doubly linked list of slots sorted by x (``slot_next``,
``slot_prev``, ``segment_head``); ``slot_cell`` names the cell in each slot.
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
def _negate_pins(cell, cell_pin_indptr, cell_pin_indices, offset):  # pragma: no cover
    for index in range(cell_pin_indptr[cell], cell_pin_indptr[cell + 1]):
        pin = cell_pin_indices[index]
        offset[pin] = -offset[pin]


@numba.njit(cache=True)
def _optimal_position(
    cell,
    position,
    size,
    pin_cell,
    offset,
    net_pin_indptr,
    cell_pin_indptr,
    cell_pin_indices,
    pin_net,
    buffer,
):  # pragma: no cover
    """Median of the other pins' ranges on one axis of the cell's nets, as a lower-left
    coordinate (nan if none). Pass x, width, offset_x for x; y, height, offset_y for y."""
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
            p = position[other] + 0.5 * size[other] + offset[pin]
            low = min(low, p)
            high = max(high, p)
        if low <= high:
            # Convert a pin target back to the cell's lower-left corner.
            shift = 0.5 * size[cell] + offset[own_pin]
            buffer[count] = low - shift
            buffer[count + 1] = high - shift
            count += 2
    if count == 0:
        return np.nan
    values = np.sort(buffer[:count])
    return 0.5 * (values[(count - 1) // 2] + values[count // 2])


@numba.njit(cache=True)
def _unlink(slot, slot_next, slot_prev, slot_segment, segment_head):  # pragma: no cover
    before = slot_prev[slot]
    after = slot_next[slot]
    if before != -1:
        slot_next[before] = after
    else:
        segment_head[slot_segment[slot]] = after
    if after != -1:
        slot_prev[after] = before
    slot_next[slot] = -1
    slot_prev[slot] = -1


@numba.njit(cache=True)
def _link_after(
    slot, before, segment, slot_next, slot_prev, slot_segment, segment_head
):  # pragma: no cover
    slot_segment[slot] = segment
    if before == -1:
        after = segment_head[segment]
        segment_head[segment] = slot
    else:
        after = slot_next[before]
        slot_next[before] = slot
    slot_prev[slot] = before
    slot_next[slot] = after
    if after != -1:
        slot_prev[after] = slot


@numba.njit(cache=True)
def _room(
    slot, x, width, slot_cell, slot_next, slot_prev, slot_segment, segment_low, segment_high
):  # pragma: no cover
    """(low, high) free interval around the slot's cell, its own space included."""
    before = slot_prev[slot]
    after = slot_next[slot]
    segment = slot_segment[slot]
    low = segment_low[segment] if before == -1 else x[slot_cell[before]] + width[slot_cell[before]]
    high = segment_high[segment] if after == -1 else x[slot_cell[after]]
    return low, high


@numba.njit(cache=True)
def _fit(target, low, high, size, origin, site):  # pragma: no cover
    """Site-aligned x nearest ``target`` with [x, x+size] inside [low, high]; nan if none."""
    first = origin + math.ceil((low - origin) / site - 1e-9) * site
    last = origin + math.floor((high - size - origin) / site + 1e-9) * site
    if last < first - 1e-9:
        return np.nan
    snapped = origin + math.floor((target - origin) / site + 0.5) * site
    return min(max(snapped, first), last)


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
    segment_low,
    segment_high,
    segment_row,
    row_y,
    row_site_origin,
    row_site_width,
    rows_by_y,
    row_segment_indptr,
    slot_cell,
    cell_slot,
    slot_segment,
    slot_next,
    slot_prev,
    segment_head,
    reach,
    gaps,
    permutations,
    row_mirror_y,
    cell_mirror_y,
):  # pragma: no cover - numba
    """One pass of global moves/swaps, window reordering and shifts; returns the HPWL gain.

    ``permutations``: int64 (n, window) reorderings of a window of slots to try.
    ``row_mirror_y``: uint8 (n_rows,) rows mirrored about the x axis (FS); ``cell_mirror_y``:
    uint8 (n_cells,) the cells' (kept equal to their row's; ``offset_y`` follows it).
    """
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
    n_slots = slot_cell.shape[0]
    # Row x buckets of about four cells each, each remembering a slot of that row near it.
    bucket_origin = segment_low.min() if n_segments else 0.0
    span = segment_high.max() - bucket_origin if n_segments else 1.0
    mean_width = 0.0
    for k in range(n_slots):
        mean_width += width[slot_cell[k]]
    mean_width = mean_width / max(n_slots, 1)
    bucket_width = max(4.0 * mean_width, span / 4096.0, 1e-9)
    n_buckets_x = int(span / bucket_width) + 1
    bucket_hint = np.full(n_rows * n_buckets_x, -1, dtype=np.int64)
    for k in range(n_slots):
        row_k = segment_row[slot_segment[k]]
        b_k = min(max(int((x[slot_cell[k]] - bucket_origin) / bucket_width), 0), n_buckets_x - 1)
        bucket_hint[row_k * n_buckets_x + b_k] = k

    # 1. Global moves into free space and swaps, toward each cell's optimal region.
    for s in range(n_slots):
        c = slot_cell[s]
        tx = _optimal_position(
            c,
            x,
            width,
            pin_cell,
            offset_x,
            net_pin_indptr,
            cell_pin_indptr,
            cell_pin_indices,
            pin_net,
            buffer,
        )
        ty = _optimal_position(
            c,
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
        if np.isnan(tx) or np.isnan(ty):
            continue
        old_x = x[c]
        old_y = y[c]
        group[0] = c
        stamp += 1
        base_c = _nets_cost(
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
        best = 0.0
        best_kind = 0
        best_segment = -1
        best_after = -1
        best_x = 0.0
        best_y = 0.0
        best_other = -1
        best_other_x = 0.0
        best_other_y = 0.0
        r = np.searchsorted(sorted_y, ty)
        for candidate_r in range(r - 1 - reach, r + 1 + reach):
            if candidate_r < 0 or candidate_r >= n_rows:
                continue
            row = rows_by_y[candidate_r]
            origin = row_site_origin[row]
            site = row_site_width[row]
            for t in range(row_segment_indptr[row], row_segment_indptr[row + 1]):
                if segment_low[t] > tx + width[c] or segment_high[t] < tx:
                    continue
                # a: last slot left of tx, b: first at or right of it. Walk from a slot seen
                # near tx in this row before (the list is sorted, so any slot of the segment
                # is a correct start; a near one keeps the walk short), else the head.
                bucket = row * n_buckets_x + min(
                    max(int((tx - bucket_origin) / bucket_width), 0), n_buckets_x - 1
                )
                b = bucket_hint[bucket]
                if b == -1 or slot_segment[b] != t:
                    b = segment_head[t]
                a = slot_prev[b] if b != -1 else -1
                while a != -1 and x[slot_cell[a]] >= tx:
                    b = a
                    a = slot_prev[a]
                while b != -1 and x[slot_cell[b]] < tx:
                    a = b
                    b = slot_next[b]
                bucket_hint[bucket] = b if b != -1 else a
                # Move into the gap between a and b (skipping the cell itself), or into one of
                # the ``gaps`` gaps on either side of it.
                a2 = slot_prev[a] if a == s else a
                b2 = slot_next[b] if b == s else b
                for side in range(2):
                    left_slot = a2
                    right_slot = b2
                    for step in range(gaps + 1):
                        if step > 0:
                            if side == 0:
                                if left_slot == -1:
                                    break
                                right_slot = left_slot
                                left_slot = slot_prev[left_slot]
                                if left_slot == s:
                                    left_slot = slot_prev[left_slot]
                            else:
                                if right_slot == -1:
                                    break
                                left_slot = right_slot
                                right_slot = slot_next[right_slot]
                                if right_slot == s:
                                    right_slot = slot_next[right_slot]
                        elif side == 1:
                            continue
                        low = (
                            segment_low[t]
                            if left_slot == -1
                            else x[slot_cell[left_slot]] + width[slot_cell[left_slot]]
                        )
                        high = segment_high[t] if right_slot == -1 else x[slot_cell[right_slot]]
                        if high - low < width[c] - 1e-9:
                            continue
                        new_x = _fit(tx, low, high, width[c], origin, site)
                        if np.isnan(new_x):
                            continue
                        x[c] = new_x
                        y[c] = row_y[row]
                        turn = cell_mirror_y[c] != row_mirror_y[row]
                        if turn:
                            _negate_pins(c, cell_pin_indptr, cell_pin_indices, offset_y)
                        stamp += 1
                        cost = _nets_cost(
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
                        x[c] = old_x
                        y[c] = old_y
                        if turn:
                            _negate_pins(c, cell_pin_indptr, cell_pin_indices, offset_y)
                        if cost - base_c < best - 1e-9:
                            best = cost - base_c
                            best_kind = 1
                            best_segment = t
                            best_after = left_slot
                            best_x = new_x
                            best_y = row_y[row]
                # Swap with the cells around the target.
                before_a = slot_prev[a] if a != -1 else -1
                after_b = slot_next[b] if b != -1 else -1
                for d_slot in (before_a, a, b, after_b):
                    if d_slot == -1 or d_slot == s:
                        continue
                    d = slot_cell[d_slot]
                    if height[d] != height[c]:
                        continue
                    adjacent = slot_next[s] == d_slot or slot_prev[s] == d_slot
                    if adjacent and width[d] != width[c]:
                        continue
                    if width[d] == width[c]:
                        c_x, c_y, d_x, d_y = x[d], y[d], old_x, old_y
                    else:
                        d_low, d_high = _room(
                            d_slot,
                            x,
                            width,
                            slot_cell,
                            slot_next,
                            slot_prev,
                            slot_segment,
                            segment_low,
                            segment_high,
                        )
                        c_low, c_high = _room(
                            s,
                            x,
                            width,
                            slot_cell,
                            slot_next,
                            slot_prev,
                            slot_segment,
                            segment_low,
                            segment_high,
                        )
                        d_row = segment_row[slot_segment[d_slot]]
                        c_row = segment_row[slot_segment[s]]
                        c_x = _fit(
                            x[d],
                            d_low,
                            d_high,
                            width[c],
                            row_site_origin[d_row],
                            row_site_width[d_row],
                        )
                        d_x = _fit(
                            old_x,
                            c_low,
                            c_high,
                            width[d],
                            row_site_origin[c_row],
                            row_site_width[c_row],
                        )
                        if np.isnan(c_x) or np.isnan(d_x):
                            continue
                        c_y = y[d]
                        d_y = old_y
                    group[1] = d
                    stamp += 1
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
                    keep_x = x[d]
                    keep_y = y[d]
                    x[c] = c_x
                    y[c] = c_y
                    x[d] = d_x
                    y[d] = d_y
                    turn = cell_mirror_y[c] != cell_mirror_y[d]
                    if turn:
                        _negate_pins(c, cell_pin_indptr, cell_pin_indices, offset_y)
                        _negate_pins(d, cell_pin_indptr, cell_pin_indices, offset_y)
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
                    x[c] = old_x
                    y[c] = old_y
                    x[d] = keep_x
                    y[d] = keep_y
                    if turn:
                        _negate_pins(c, cell_pin_indptr, cell_pin_indices, offset_y)
                        _negate_pins(d, cell_pin_indptr, cell_pin_indices, offset_y)
                    if after - before < best - 1e-9:
                        best = after - before
                        best_kind = 2
                        best_other = d_slot
                        best_x = c_x
                        best_y = c_y
                        best_other_x = d_x
                        best_other_y = d_y
        if best_kind == 1:
            _unlink(s, slot_next, slot_prev, slot_segment, segment_head)
            _link_after(
                s, best_after, best_segment, slot_next, slot_prev, slot_segment, segment_head
            )
            x[c] = best_x
            y[c] = best_y
            if cell_mirror_y[c] != row_mirror_y[segment_row[best_segment]]:
                cell_mirror_y[c] = row_mirror_y[segment_row[best_segment]]
                _negate_pins(c, cell_pin_indptr, cell_pin_indices, offset_y)
            gain -= best
        elif best_kind == 2:
            d = slot_cell[best_other]
            x[c] = best_x
            y[c] = best_y
            x[d] = best_other_x
            y[d] = best_other_y
            if cell_mirror_y[c] != cell_mirror_y[d]:
                cell_mirror_y[c] = 1 - cell_mirror_y[c]
                cell_mirror_y[d] = 1 - cell_mirror_y[d]
                _negate_pins(c, cell_pin_indptr, cell_pin_indices, offset_y)
                _negate_pins(d, cell_pin_indptr, cell_pin_indices, offset_y)
            slot_cell[best_other] = c
            slot_cell[s] = d
            cell_slot[c] = best_other
            cell_slot[d] = s
            gain -= best

    # 2. Window reordering: the best of ``permutations`` (each row a reordering of the
    # window's slots) packed from the window's left end.
    window = permutations.shape[1]
    saved = np.empty(window)
    slots = np.empty(window, dtype=np.int64)
    block = np.empty(window, dtype=np.int64)
    ordered = np.empty(window, dtype=np.int64)
    for t in range(n_segments):
        first = segment_head[t]
        while first != -1:
            slots[0] = first
            filled = 1
            while filled < window and slot_next[slots[filled - 1]] != -1:
                slots[filled] = slot_next[slots[filled - 1]]
                filled += 1
            if filled < window:
                break
            for k in range(window):
                block[k] = slot_cell[slots[k]]
                saved[k] = x[block[k]]
            left = saved[0]
            right_limit = x[block[window - 1]] + width[block[window - 1]]
            stamp += 1
            best = _nets_cost(
                block, window, stamp, mark, x, y, width, height, pin_cell, offset_x, offset_y,
                net_pin_indptr, net_weight, cell_pin_indptr, cell_pin_indices, pin_net,
            )  # fmt: skip
            start_cost = best
            best_permutation = -1
            for p in range(permutations.shape[0]):
                cursor = left
                for k in range(window):
                    cell = block[permutations[p, k]]
                    x[cell] = cursor
                    cursor += width[cell]
                if cursor > right_limit + 1e-9:
                    continue
                stamp += 1
                cost = _nets_cost(
                    block, window, stamp, mark, x, y, width, height, pin_cell, offset_x,
                    offset_y, net_pin_indptr, net_weight, cell_pin_indptr, cell_pin_indices,
                    pin_net,
                )  # fmt: skip
                if cost < best - 1e-9:
                    best = cost
                    best_permutation = p
            if best_permutation < 0:
                for k in range(window):
                    x[block[k]] = saved[k]
            else:
                cursor = left
                for k in range(window):
                    ordered[k] = block[permutations[best_permutation, k]]
                for k in range(window):
                    cell = ordered[k]
                    x[cell] = cursor
                    cursor += width[cell]
                    slot_cell[slots[k]] = cell
                    cell_slot[cell] = slots[k]
                gain += start_cost - best
            first = slot_next[first]

    # 3. Shift each cell inside its free gap toward its optimal x.
    for t in range(n_segments):
        row = segment_row[t]
        origin = row_site_origin[row]
        site = row_site_width[row]
        s = segment_head[t]
        while s != -1:
            c = slot_cell[s]
            low, high = _room(
                s,
                x,
                width,
                slot_cell,
                slot_next,
                slot_prev,
                slot_segment,
                segment_low,
                segment_high,
            )
            if high - low - width[c] >= 0.5 * site:
                target = _optimal_position(
                    c,
                    x,
                    width,
                    pin_cell,
                    offset_x,
                    net_pin_indptr,
                    cell_pin_indptr,
                    cell_pin_indices,
                    pin_net,
                    buffer,
                )
                if not np.isnan(target):
                    new_x = _fit(target, low, high, width[c], origin, site)
                    if not np.isnan(new_x) and new_x != x[c]:
                        group[0] = c
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
                        old = x[c]
                        x[c] = new_x
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
                            x[c] = old
            s = slot_next[s]

    # 4. Shift each run of abutting cells (up to ``max_run``) as one block, a site at a time
    # while the HPWL drops (it is convex in the shift).
    max_run = 64
    max_split = 16
    run = np.empty(max_run, dtype=np.int64)
    for t in range(n_segments):
        row = segment_row[t]
        site = row_site_width[row]
        s = segment_head[t]
        low = segment_low[t]
        while s != -1:
            n_run = 0
            e = s
            while True:
                if n_run < max_run:
                    run[n_run] = slot_cell[e]
                n_run += 1
                following = slot_next[e]
                if (
                    following == -1
                    or abs(x[slot_cell[following]] - x[slot_cell[e]] - width[slot_cell[e]])
                    > 1e-6 * site
                ):
                    break
                e = following
            following = slot_next[e]
            high = segment_high[t] if following == -1 else x[slot_cell[following]]
            last = slot_cell[e]
            if 2 <= n_run <= max_run:
                room_left = x[run[0]] - low
                room_right = high - x[last] - width[last]
                # Blocks: prefixes of the run go left, suffixes go right (the whole run only
                # when it is longer than ``max_split``).
                best_gain = 0.0
                best_shift = 0.0
                best_first = 0
                best_end = 0
                for direction in (-1.0, 1.0):
                    room = room_left if direction < 0 else room_right
                    steps = int(room / site + 1e-9)
                    if steps == 0:
                        continue
                    n_blocks = n_run if n_run <= max_split else 1
                    for b in range(n_blocks):
                        if direction < 0:
                            block_first = 0
                            block_end = n_run - b
                        else:
                            block_first = b
                            block_end = n_run
                        members = run[block_first:block_end]
                        n_members = block_end - block_first
                        stamp += 1
                        base = _nets_cost(
                            members, n_members, stamp, mark, x, y, width, height, pin_cell,
                            offset_x, offset_y, net_pin_indptr, net_weight, cell_pin_indptr,
                            cell_pin_indices, pin_net,
                        )  # fmt: skip
                        lowest = base
                        lowest_shift = 0.0
                        for step in range(1, steps + 1):
                            shift = direction * step * site
                            for k in range(n_members):
                                x[members[k]] += shift
                            stamp += 1
                            cost = _nets_cost(
                                members, n_members, stamp, mark, x, y, width, height,
                                pin_cell, offset_x, offset_y, net_pin_indptr, net_weight,
                                cell_pin_indptr, cell_pin_indices, pin_net,
                            )  # fmt: skip
                            for k in range(n_members):
                                x[members[k]] -= shift
                            if cost < lowest - 1e-9:
                                lowest = cost
                                lowest_shift = shift
                            else:
                                break
                        if base - lowest > best_gain + 1e-9:
                            best_gain = base - lowest
                            best_shift = lowest_shift
                            best_first = block_first
                            best_end = block_end
                if best_shift != 0.0:
                    for k in range(best_first, best_end):
                        x[run[k]] += best_shift
                    gain += best_gain
            low = x[last] + width[last]
            s = following
    return gain
