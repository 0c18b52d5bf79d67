"""Forward (arrival, slew) and backward (required) propagation over the pin graph.

Pins are visited in topological order; each pin folds its incoming arcs (pin-centric), so the
same code does full analysis (all pins) and incremental updates (a dirty fan-out cone).
Index 0 of a transition axis is rise, 1 is fall; of a min/max axis 0 is max (late), 1 is min
(early). Times in ps, capacitances in fF, resistances in ohm.

The forward kernels take one tuple ``graph`` of arrays (built by ``Timer._forward_arguments``
in ``tapeout.timing.incremental``) so that their signatures stay short:
``(pin_in_indptr, pin_in_arcs, arc_from, arc_kind, arc_delay_table, arc_slew_table, arc_ideal,
wire_delay_ps, wire_slew_ps, load_cap_ff, pi_near_ff, pi_resistance_ohm, pi_far_ff, use_dmp,
thresholds, table_nx, table_ny, table_x_offset, table_y_offset, table_value_offset, axes,
values, source_arrival_max, source_arrival_min, source_slew_ps, source_tag, source_tag_min,
pin_blocked, ideal_slew_ps, arc_mode)`` and one tuple ``state``: ``(arrival_max, arrival_min,
slew_max, slew_min, tag_max, tag_min, pred_max, pred_min, arc_delay_max, arc_delay_min,
dmp_state)``. Each element of ``graph`` is copied at every pin's call: keep it short.

An ideal arc (``arc_ideal``: inside an ideal clock network) has no delay and gives its pin the
clock's ideal slew ``ideal_slew_ps`` (float64 (n_arcs,)). ``source_tag`` is the launch tag of
``source_arrival_max``, ``source_tag_min`` that of ``source_arrival_min``; a source's slew is
``source_slew_ps`` float64 (n_pins, 2, 2) [pin, transition, late / early]. ``arc_mode``
float64 (n_arcs, 6) or empty: columns 0 and 1 scale a non-ideal arc's late and early delays
(``set_timing_derate``), columns 2 + 2 * input + output transition, when not 0, stop arrivals
of that pair (``set_case_analysis`` left the cell one sense; its slews still count, as in
OpenSTA).
Arrivals at a pin with ``pin_blocked`` set (bool (n_pins, 2), by the arrival's transition) do
not propagate past it (its own arrival, slew and fan-out arc delays are still computed).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from tapeout.timing._kernels.dmp import dmp_gate, dmp_load
from tapeout.timing._kernels.lookup import lookup_table

TOLERANCE_PS = 1e-6


@njit(cache=True, inline="always")
def _same(a: float, b: float) -> bool:
    if a == b:
        return True
    return abs(a - b) <= TOLERANCE_PS


@njit(cache=True)
def _cell_delay(graph, a, p, in_rf, rf, in_slew, scratch):
    """Delay and output slew of cell arc ``a`` (in_rf -> rf) into driver pin ``p``."""
    arc_delay_table, arc_slew_table = graph[4], graph[5]
    load_cap_ff, pi_near_ff, pi_resistance_ohm, pi_far_ff = (
        graph[9],
        graph[10],
        graph[11],
        graph[12],
    )
    use_dmp, thresholds = graph[13], graph[14]
    nx, ny, xo, yo, vo, axes, values = (
        graph[15],
        graph[16],
        graph[17],
        graph[18],
        graph[19],
        graph[20],
        graph[21],
    )
    table = arc_delay_table[a, in_rf, rf]
    slew_table = arc_slew_table[a, in_rf, rf]
    if use_dmp and pi_resistance_ohm[p, rf] > 0.0:
        return dmp_gate(
            table,
            slew_table,
            in_slew,
            pi_near_ff[p, rf],
            pi_resistance_ohm[p, rf] * 1e-3,
            pi_far_ff[p, rf],
            thresholds[0],
            thresholds[1],
            thresholds[2],
            nx,
            ny,
            xo,
            yo,
            vo,
            axes,
            values,
            scratch,
        )
    scratch[0] = 0.0
    load = load_cap_ff[p, rf]
    delay = lookup_table(table, in_slew, load, nx, ny, xo, yo, vo, axes, values)
    slew = 0.0
    if slew_table >= 0:
        slew = lookup_table(slew_table, in_slew, load, nx, ny, xo, yo, vo, axes, values)
    scratch[5] = slew
    return delay, slew


@njit(cache=True)
def _wire_delay(graph, state, a, f, mm, rf, in_slew):
    """Delay and load slew of wire arc ``a`` from driver ``f`` (mm: 0 max, 1 min)."""
    wire_delay_ps, wire_slew_ps = graph[7], graph[8]
    pi_near_ff, pi_resistance_ohm, pi_far_ff = graph[10], graph[11], graph[12]
    use_dmp, thresholds = graph[13], graph[14]
    dmp_state = state[10]
    elmore = wire_delay_ps[a, rf]
    if use_dmp and dmp_state.shape[0] > f:
        if dmp_state[f, mm, rf, 0] != 0.0:
            delay, slew = dmp_load(
                elmore,
                pi_near_ff[f, rf],
                pi_resistance_ohm[f, rf] * 1e-3,
                pi_far_ff[f, rf],
                thresholds[0],
                thresholds[1],
                thresholds[2],
                dmp_state[f, mm, rf],
            )
            return delay, max(slew, in_slew)
        return elmore, in_slew
    degrade = wire_slew_ps[a, rf]
    if degrade < 0.0:
        return elmore, np.sqrt(in_slew * in_slew + degrade * degrade)
    return elmore, max(in_slew, degrade)


@njit(cache=True)
def update_pin(p, graph, state, scratch) -> bool:
    """Recompute pin ``p`` from its sources and incoming arcs; True when anything changed.

    ``scratch``: float64 (6,) work space for the DMP driver state (allocated once by callers).
    """
    pin_in_indptr, pin_in_arcs, arc_from, arc_kind = graph[0], graph[1], graph[2], graph[3]
    arc_delay_table, arc_ideal = graph[4], graph[6]
    source_arrival_max, source_arrival_min = graph[22], graph[23]
    source_slew_ps, source_tag, source_tag_min, pin_blocked = (
        graph[24],
        graph[25],
        graph[26],
        graph[27],
    )
    ideal_slew_ps, arc_mode = graph[28], graph[29]
    moded = arc_mode.shape[0] > 0  # empty: no derate, no sense left off
    arrival_max, arrival_min, slew_max, slew_min = state[0], state[1], state[2], state[3]
    tag_max, tag_min, pred_max, pred_min = state[4], state[5], state[6], state[7]
    arc_delay_max, arc_delay_min, dmp_state = state[8], state[9], state[10]
    keep_dmp = dmp_state.shape[0] > p
    changed = False
    for rf in range(2):
        new_arr_max = source_arrival_max[p, rf]
        new_arr_min = source_arrival_min[p, rf]
        new_tag_max = source_tag[p, rf]
        new_tag_min = source_tag_min[p, rf]
        new_pred_max = -1
        new_pred_min = -1
        new_slew_max = -np.inf
        new_slew_min = np.inf
        for k in range(pin_in_indptr[p], pin_in_indptr[p + 1]):
            a = pin_in_arcs[k]
            f = arc_from[a]
            for in_rf in range(2):
                if arc_kind[a] == 0:
                    if in_rf != rf:
                        continue  # wires keep the transition
                    if arc_ideal[a]:
                        d_max, s_max = 0.0, ideal_slew_ps[a]
                        d_min, s_min = 0.0, ideal_slew_ps[a]
                    else:
                        d_max, s_max = _wire_delay(graph, state, a, f, 0, rf, slew_max[f, in_rf])
                        d_min, s_min = _wire_delay(graph, state, a, f, 1, rf, slew_min[f, in_rf])
                        if moded:
                            d_max *= arc_mode[a, 0]
                            d_min *= arc_mode[a, 1]
                else:
                    if arc_delay_table[a, in_rf, rf] < 0:
                        continue
                    if arc_ideal[a]:
                        d_max, s_max = 0.0, ideal_slew_ps[a]
                        d_min, s_min = 0.0, ideal_slew_ps[a]
                    else:
                        d_max, s_max = _cell_delay(
                            graph, a, p, in_rf, rf, slew_max[f, in_rf], scratch
                        )
                        if keep_dmp and s_max > new_slew_max:
                            dmp_state[p, 0, rf, :] = scratch
                        d_min, s_min = _cell_delay(
                            graph, a, p, in_rf, rf, slew_min[f, in_rf], scratch
                        )
                        if keep_dmp and s_min < new_slew_min:
                            dmp_state[p, 1, rf, :] = scratch
                        if moded:
                            d_max *= arc_mode[a, 0]
                            d_min *= arc_mode[a, 1]
                arc_delay_max[a, in_rf, rf] = d_max
                arc_delay_min[a, in_rf, rf] = d_min
                if s_max > new_slew_max:
                    new_slew_max = s_max
                if s_min < new_slew_min:
                    new_slew_min = s_min
                if pin_blocked[f, in_rf] or (moded and arc_mode[a, 2 + 2 * in_rf + rf] != 0.0):
                    continue
                arrival_in = arrival_max[f, in_rf]
                if arrival_in > -np.inf and arrival_in + d_max > new_arr_max:
                    new_arr_max = arrival_in + d_max
                    new_tag_max = tag_max[f, in_rf]
                    new_pred_max = a * 2 + in_rf
                arrival_in = arrival_min[f, in_rf]
                if arrival_in < np.inf and arrival_in + d_min < new_arr_min:
                    new_arr_min = arrival_in + d_min
                    new_tag_min = tag_min[f, in_rf]
                    new_pred_min = a * 2 + in_rf
        if new_slew_max == -np.inf:
            new_slew_max = source_slew_ps[p, rf, 0]
        if new_slew_min == np.inf:
            new_slew_min = source_slew_ps[p, rf, 1]
        if (
            not _same(new_slew_max, slew_max[p, rf])
            or not _same(new_slew_min, slew_min[p, rf])
            or not _same(new_arr_max, arrival_max[p, rf])
            or not _same(new_arr_min, arrival_min[p, rf])
            or new_tag_max != tag_max[p, rf]
            or new_tag_min != tag_min[p, rf]
        ):
            changed = True
        slew_max[p, rf] = new_slew_max
        slew_min[p, rf] = new_slew_min
        arrival_max[p, rf] = new_arr_max
        arrival_min[p, rf] = new_arr_min
        tag_max[p, rf] = new_tag_max
        tag_min[p, rf] = new_tag_min
        pred_max[p, rf] = new_pred_max
        pred_min[p, rf] = new_pred_min
    return changed


@njit(cache=True)
def update_arrivals(p, graph, state) -> bool:
    """Recompute the arrivals, tags and predecessors of pin ``p`` from the stored arc delays.

    For a pin whose slews and incoming arc delays are unchanged but whose fan-in arrivals
    moved: the same sums and comparisons as ``update_pin``, without table lookups. Returns
    True when an arrival or tag changed.
    """
    pin_in_indptr, pin_in_arcs, arc_from, arc_kind = graph[0], graph[1], graph[2], graph[3]
    arc_delay_table = graph[4]
    source_arrival_max, source_arrival_min, source_tag = graph[22], graph[23], graph[25]
    source_tag_min, pin_blocked = graph[26], graph[27]
    arc_mode = graph[29]
    moded = arc_mode.shape[0] > 0
    arrival_max, arrival_min = state[0], state[1]
    tag_max, tag_min, pred_max, pred_min = state[4], state[5], state[6], state[7]
    arc_delay_max, arc_delay_min = state[8], state[9]
    changed = False
    for rf in range(2):
        new_arr_max = source_arrival_max[p, rf]
        new_arr_min = source_arrival_min[p, rf]
        new_tag_max = source_tag[p, rf]
        new_tag_min = source_tag_min[p, rf]
        new_pred_max = -1
        new_pred_min = -1
        for k in range(pin_in_indptr[p], pin_in_indptr[p + 1]):
            a = pin_in_arcs[k]
            f = arc_from[a]
            for in_rf in range(2):
                if arc_kind[a] == 0:
                    if in_rf != rf:
                        continue
                elif arc_delay_table[a, in_rf, rf] < 0:
                    continue
                d_max = arc_delay_max[a, in_rf, rf]
                d_min = arc_delay_min[a, in_rf, rf]
                if pin_blocked[f, in_rf] or (moded and arc_mode[a, 2 + 2 * in_rf + rf] != 0.0):
                    continue
                arrival_in = arrival_max[f, in_rf]
                if arrival_in > -np.inf and arrival_in + d_max > new_arr_max:
                    new_arr_max = arrival_in + d_max
                    new_tag_max = tag_max[f, in_rf]
                    new_pred_max = a * 2 + in_rf
                arrival_in = arrival_min[f, in_rf]
                if arrival_in < np.inf and arrival_in + d_min < new_arr_min:
                    new_arr_min = arrival_in + d_min
                    new_tag_min = tag_min[f, in_rf]
                    new_pred_min = a * 2 + in_rf
        if (
            not _same(new_arr_max, arrival_max[p, rf])
            or not _same(new_arr_min, arrival_min[p, rf])
            or new_tag_max != tag_max[p, rf]
            or new_tag_min != tag_min[p, rf]
        ):
            changed = True
        arrival_max[p, rf] = new_arr_max
        arrival_min[p, rf] = new_arr_min
        tag_max[p, rf] = new_tag_max
        tag_min[p, rf] = new_tag_min
        pred_max[p, rf] = new_pred_max
        pred_min[p, rf] = new_pred_min
    return changed


@njit(cache=True)
def propagate_forward(pins, graph, state) -> None:
    """Update every pin of ``pins`` (int64, topological order)."""
    scratch = np.zeros(6)
    for i in range(pins.shape[0]):
        update_pin(pins[i], graph, state, scratch)


@njit(cache=True)
def propagate_forward_incremental(
    seeds, pin_position, order, pin_out_indptr, pin_out_arcs, arc_to, graph, state
) -> tuple[np.ndarray, np.ndarray]:
    """Update ``seeds`` and, in topological order, every fan-out pin whose values changed.

    ``pin_position``: int64 (n_pins,) index of each pin in ``order`` (the topological order).
    Dirty pins are found by scanning ``order`` from the first seed to the last dirty position
    (a bitmap, no priority queue). Seeds and the fan-out of pins recomputed from the delay
    tables are recomputed from the tables too; a pin reached only from pins whose arrivals
    alone were updated re-adds its stored arc delays (the slews, loads and driver states those
    delays come from are untouched, so the sums are the same). Returns the pins recomputed
    (int64) and, of those, the pins whose arc delays were recomputed (int64).
    """
    n_pins = pin_position.shape[0]
    dirty = np.zeros(n_pins, np.bool_)
    retime = np.zeros(n_pins, np.bool_)
    first = order.shape[0]
    last = -1
    for s in seeds:
        dirty[s] = True
        retime[s] = True
        first = min(first, pin_position[s])
        last = max(last, pin_position[s])
    visited = [np.int64(0)]
    visited.pop()
    retimed = [np.int64(0)]
    retimed.pop()
    scratch = np.zeros(6)
    slew_max, slew_min, dmp_state = state[2], state[3], state[10]
    old_slews = np.zeros((2, 2))
    old_dmp = np.zeros(dmp_state.shape[1:])
    i = first
    while i <= last:
        p = order[i]
        i += 1
        if not dirty[p]:
            continue
        dirty[p] = False
        visited.append(p)
        keep_dmp = dmp_state.shape[0] > p
        if retime[p]:
            retimed.append(p)
            old_slews[0, :] = slew_max[p]
            old_slews[1, :] = slew_min[p]
            if keep_dmp:
                old_dmp[:] = dmp_state[p]
            changed = update_pin(p, graph, state, scratch)
            # Any change, even within the tolerance, of what the fan-out arc delays are
            # computed from (slews, the driver's DMP state) re-times the fan-out.
            moved = False
            for rf in range(2):
                if old_slews[0, rf] != slew_max[p, rf] or old_slews[1, rf] != slew_min[p, rf]:
                    moved = True
            if keep_dmp and not moved:
                moved = not np.array_equal(old_dmp, dmp_state[p])
            if moved:
                for k in range(pin_out_indptr[p], pin_out_indptr[p + 1]):
                    retime[arc_to[pin_out_arcs[k]]] = True
        else:
            changed = update_arrivals(p, graph, state)
        if changed:
            for k in range(pin_out_indptr[p], pin_out_indptr[p + 1]):
                q = arc_to[pin_out_arcs[k]]
                if not dirty[q]:
                    dirty[q] = True
                    if pin_position[q] > last:
                        last = pin_position[q]
    result = np.empty(len(visited), np.int64)
    for j in range(len(visited)):
        result[j] = visited[j]
    result_retimed = np.empty(len(retimed), np.int64)
    for j in range(len(retimed)):
        result_retimed[j] = retimed[j]
    return result, result_retimed


@njit(cache=True)
def update_required(
    p,
    pin_out_indptr,
    pin_out_arcs,
    arc_to,
    arc_delay_max,
    arc_delay_min,
    endpoint_required_max,
    endpoint_required_min,
    required_max,
    required_min,
) -> bool:
    """Recompute required times of pin ``p`` from its endpoint value and fan-out arcs."""
    changed = False
    for rf in range(2):
        new_max = endpoint_required_max[p, rf]
        new_min = endpoint_required_min[p, rf]
        for k in range(pin_out_indptr[p], pin_out_indptr[p + 1]):
            a = pin_out_arcs[k]
            q = arc_to[a]
            for out_rf in range(2):
                d_max = arc_delay_max[a, rf, out_rf]
                if np.isnan(d_max):
                    continue
                value = required_max[q, out_rf] - d_max
                if value < new_max:
                    new_max = value
                value = required_min[q, out_rf] - arc_delay_min[a, rf, out_rf]
                if value > new_min:
                    new_min = value
        if not _same(new_max, required_max[p, rf]) or not _same(new_min, required_min[p, rf]):
            changed = True
        required_max[p, rf] = new_max
        required_min[p, rf] = new_min
    return changed


@njit(cache=True)
def propagate_backward(
    pins,
    pin_out_indptr,
    pin_out_arcs,
    arc_to,
    arc_delay_max,
    arc_delay_min,
    endpoint_required_max,
    endpoint_required_min,
    required_max,
    required_min,
) -> None:
    """Required times of ``pins`` (int64, reverse topological order)."""
    for i in range(pins.shape[0]):
        update_required(
            pins[i],
            pin_out_indptr,
            pin_out_arcs,
            arc_to,
            arc_delay_max,
            arc_delay_min,
            endpoint_required_max,
            endpoint_required_min,
            required_max,
            required_min,
        )


@njit(cache=True)
def propagate_backward_incremental(
    seeds,
    pin_position,
    order,
    pin_in_indptr,
    pin_in_arcs,
    arc_from,
    pin_out_indptr,
    pin_out_arcs,
    arc_to,
    arc_delay_max,
    arc_delay_min,
    endpoint_required_max,
    endpoint_required_min,
    required_max,
    required_min,
) -> int:
    """Update ``seeds`` and their fan-in cone (reverse topological order); pins visited."""
    n_pins = pin_position.shape[0]
    dirty = np.zeros(n_pins, np.bool_)
    first = -1
    last = order.shape[0]
    for s in seeds:
        dirty[s] = True
        first = max(first, pin_position[s])
        last = min(last, pin_position[s])
    visited = 0
    i = first
    while i >= last:
        p = order[i]
        i -= 1
        if not dirty[p]:
            continue
        dirty[p] = False
        visited += 1
        if update_required(
            p,
            pin_out_indptr,
            pin_out_arcs,
            arc_to,
            arc_delay_max,
            arc_delay_min,
            endpoint_required_max,
            endpoint_required_min,
            required_max,
            required_min,
        ):
            for k in range(pin_in_indptr[p], pin_in_indptr[p + 1]):
                f = arc_from[pin_in_arcs[k]]
                if not dirty[f]:
                    dirty[f] = True
                    if pin_position[f] < last:
                        last = pin_position[f]
    return visited
