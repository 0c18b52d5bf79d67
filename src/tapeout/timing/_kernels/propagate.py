"""Forward (arrival, slew) and backward (required) propagation over the pin graph.

Pins are visited in topological order; each pin folds its incoming arcs (pin-centric), so the
same code does full analysis (all pins) and incremental updates (a dirty fan-out cone).
Index 0 of a transition axis is rise, 1 is fall. Times in ps, capacitances in fF, ohm.
"""

from __future__ import annotations

from heapq import heappop as heapq_pop
from heapq import heappush as heapq_push

import numpy as np
from numba import njit

from tapeout.timing._kernels.lookup import lookup_table

_TOLERANCE_PS = 1e-6
_INF = np.inf


@njit(cache=True)
def effective_cap(
    total_ff: float, near_ff: float, resistance_ohm: float, far_ff: float, transition_ps: float
) -> float:
    """Effective capacitance of a π load (near C, R, far C) driven by a ramp of
    ``transition_ps`` (O'Brien–Savarino charge matching up to the ramp's 50 % point).

    A lumped load (``resistance_ohm <= 0``) returns ``total_ff``.
    """
    if resistance_ohm <= 0.0 or far_ff <= 0.0 or transition_ps <= 0.0:
        return total_ff
    tau_ps = resistance_ohm * far_ff * 1e-3  # ohm * fF = 1e-3 ps
    t = transition_ps
    x = tau_ps / t
    shielding = 1.0 - x * (1.0 - np.exp(-1.0 / x))
    return total_ff - far_ff + far_ff * shielding


@njit(cache=True)
def _gate(
    delay_table: int,
    slew_table: int,
    in_slew: float,
    load_ff: float,
    near_ff: float,
    resistance_ohm: float,
    far_ff: float,
    nx,
    ny,
    xo,
    yo,
    vo,
    axes,
    values,
):
    """Delay and output slew of one cell arc transition (Ceff iterations for a π load)."""
    cap = load_ff
    delay = lookup_table(delay_table, in_slew, cap, nx, ny, xo, yo, vo, axes, values)
    slew = 0.0
    if slew_table >= 0:
        slew = lookup_table(slew_table, in_slew, cap, nx, ny, xo, yo, vo, axes, values)
    if resistance_ohm > 0.0:
        for _ in range(6):
            cap_new = effective_cap(load_ff, near_ff, resistance_ohm, far_ff, slew)
            delay = lookup_table(delay_table, in_slew, cap_new, nx, ny, xo, yo, vo, axes, values)
            if slew_table >= 0:
                slew = lookup_table(slew_table, in_slew, cap_new, nx, ny, xo, yo, vo, axes, values)
            if abs(cap_new - cap) < 1e-6:
                break
            cap = cap_new
    return delay, slew


@njit(cache=True)
def update_pin(
    p,
    pin_in_indptr,
    pin_in_arcs,
    arc_from,
    arc_kind,
    arc_delay_table,
    arc_slew_table,
    arc_ideal,
    wire_delay_ps,
    wire_slew_ps,
    load_cap_ff,
    pi_near_ff,
    pi_resistance_ohm,
    pi_far_ff,
    nx,
    ny,
    xo,
    yo,
    vo,
    axes,
    values,
    source_arrival_max,
    source_arrival_min,
    source_slew_ps,
    source_tag,
    arrival_max,
    arrival_min,
    slew_max,
    slew_min,
    tag_max,
    tag_min,
    pred_max,
    pred_min,
    arc_delay_max,
    arc_delay_min,
) -> bool:
    """Recompute pin ``p`` from its sources and incoming arcs; True when anything changed."""
    changed = False
    for rf in range(2):
        new_arr_max = source_arrival_max[p, rf]
        new_arr_min = source_arrival_min[p, rf]
        new_tag_max = source_tag[p, rf]
        new_tag_min = source_tag[p, rf]
        new_pred_max = -1
        new_pred_min = -1
        new_slew_max = -_INF
        new_slew_min = _INF
        for k in range(pin_in_indptr[p], pin_in_indptr[p + 1]):
            a = pin_in_arcs[k]
            f = arc_from[a]
            for in_rf in range(2):
                table = arc_delay_table[a, in_rf, rf]
                if arc_kind[a] == 0:
                    # a wire arc: transitions pass through unchanged
                    if in_rf != rf:
                        continue
                    if arc_ideal[a]:
                        d_max = 0.0
                        d_min = 0.0
                        s_max = slew_max[f, in_rf]
                        s_min = slew_min[f, in_rf]
                    else:
                        d_max = wire_delay_ps[a, rf]
                        d_min = d_max
                        s_max = max(slew_max[f, in_rf], wire_slew_ps[a, rf])
                        s_min = max(slew_min[f, in_rf], wire_slew_ps[a, rf])
                        if wire_slew_ps[a, rf] < 0.0:
                            # negative marks a degraded slew: sqrt(s^2 + w^2)
                            w = wire_slew_ps[a, rf]
                            s_max = np.sqrt(slew_max[f, in_rf] ** 2 + w * w)
                            s_min = np.sqrt(slew_min[f, in_rf] ** 2 + w * w)
                else:
                    if table < 0:
                        continue
                    if arc_ideal[a]:
                        d_max = 0.0
                        d_min = 0.0
                        s_max = slew_max[f, in_rf]
                        s_min = slew_min[f, in_rf]
                    else:
                        slew_table = arc_slew_table[a, in_rf, rf]
                        load = load_cap_ff[p, rf]
                        d_max, s_max = _gate(
                            table,
                            slew_table,
                            slew_max[f, in_rf],
                            load,
                            pi_near_ff[p],
                            pi_resistance_ohm[p],
                            pi_far_ff[p],
                            nx,
                            ny,
                            xo,
                            yo,
                            vo,
                            axes,
                            values,
                        )
                        d_min, s_min = _gate(
                            table,
                            slew_table,
                            slew_min[f, in_rf],
                            load,
                            pi_near_ff[p],
                            pi_resistance_ohm[p],
                            pi_far_ff[p],
                            nx,
                            ny,
                            xo,
                            yo,
                            vo,
                            axes,
                            values,
                        )
                arc_delay_max[a, in_rf, rf] = d_max
                arc_delay_min[a, in_rf, rf] = d_min
                if s_max > new_slew_max:
                    new_slew_max = s_max
                if s_min < new_slew_min:
                    new_slew_min = s_min
                arrival_in = arrival_max[f, in_rf]
                if arrival_in > -_INF and arrival_in + d_max > new_arr_max:
                    new_arr_max = arrival_in + d_max
                    new_tag_max = tag_max[f, in_rf]
                    new_pred_max = a * 2 + in_rf
                arrival_in = arrival_min[f, in_rf]
                if arrival_in < _INF and arrival_in + d_min < new_arr_min:
                    new_arr_min = arrival_in + d_min
                    new_tag_min = tag_min[f, in_rf]
                    new_pred_min = a * 2 + in_rf
        if new_slew_max == -_INF:
            new_slew_max = source_slew_ps[p, rf]
        if new_slew_min == _INF:
            new_slew_min = source_slew_ps[p, rf]
        if (
            abs(new_slew_max - slew_max[p, rf]) > _TOLERANCE_PS
            or abs(new_slew_min - slew_min[p, rf]) > _TOLERANCE_PS
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


@njit(cache=True, inline="always")
def _same(a: float, b: float) -> bool:
    if a == b:
        return True
    return abs(a - b) <= _TOLERANCE_PS


@njit(cache=True)
def propagate_forward(
    pins,
    pin_in_indptr,
    pin_in_arcs,
    arc_from,
    arc_kind,
    arc_delay_table,
    arc_slew_table,
    arc_ideal,
    wire_delay_ps,
    wire_slew_ps,
    load_cap_ff,
    pi_near_ff,
    pi_resistance_ohm,
    pi_far_ff,
    nx,
    ny,
    xo,
    yo,
    vo,
    axes,
    values,
    source_arrival_max,
    source_arrival_min,
    source_slew_ps,
    source_tag,
    arrival_max,
    arrival_min,
    slew_max,
    slew_min,
    tag_max,
    tag_min,
    pred_max,
    pred_min,
    arc_delay_max,
    arc_delay_min,
) -> None:
    """Update every pin of ``pins`` (int64, topological order)."""
    for i in range(pins.shape[0]):
        update_pin(
            pins[i],
            pin_in_indptr,
            pin_in_arcs,
            arc_from,
            arc_kind,
            arc_delay_table,
            arc_slew_table,
            arc_ideal,
            wire_delay_ps,
            wire_slew_ps,
            load_cap_ff,
            pi_near_ff,
            pi_resistance_ohm,
            pi_far_ff,
            nx,
            ny,
            xo,
            yo,
            vo,
            axes,
            values,
            source_arrival_max,
            source_arrival_min,
            source_slew_ps,
            source_tag,
            arrival_max,
            arrival_min,
            slew_max,
            slew_min,
            tag_max,
            tag_min,
            pred_max,
            pred_min,
            arc_delay_max,
            arc_delay_min,
        )


@njit(cache=True)
def propagate_forward_incremental(
    seeds,
    pin_position,
    pin_out_indptr,
    pin_out_arcs,
    arc_to,
    pin_in_indptr,
    pin_in_arcs,
    arc_from,
    arc_kind,
    arc_delay_table,
    arc_slew_table,
    arc_ideal,
    wire_delay_ps,
    wire_slew_ps,
    load_cap_ff,
    pi_near_ff,
    pi_resistance_ohm,
    pi_far_ff,
    nx,
    ny,
    xo,
    yo,
    vo,
    axes,
    values,
    source_arrival_max,
    source_arrival_min,
    source_slew_ps,
    source_tag,
    arrival_max,
    arrival_min,
    slew_max,
    slew_min,
    tag_max,
    tag_min,
    pred_max,
    pred_min,
    arc_delay_max,
    arc_delay_min,
) -> np.ndarray:
    """Update ``seeds`` and, in topological order, every fan-out pin whose inputs changed.

    ``pin_position``: int64 (n_pins,) index of each pin in the topological order.
    Returns the pins recomputed (int64).
    """
    n_pins = pin_position.shape[0]
    queued = np.zeros(n_pins, np.bool_)
    heap = [(np.int64(0), np.int64(0))]
    heap.pop()
    for s in seeds:
        if not queued[s]:
            queued[s] = True
            heapq_push(heap, (pin_position[s], s))
    visited = [np.int64(0)]
    visited.pop()
    while len(heap) > 0:
        item = heapq_pop(heap)
        p = item[1]
        queued[p] = False
        changed = update_pin(
            p,
            pin_in_indptr,
            pin_in_arcs,
            arc_from,
            arc_kind,
            arc_delay_table,
            arc_slew_table,
            arc_ideal,
            wire_delay_ps,
            wire_slew_ps,
            load_cap_ff,
            pi_near_ff,
            pi_resistance_ohm,
            pi_far_ff,
            nx,
            ny,
            xo,
            yo,
            vo,
            axes,
            values,
            source_arrival_max,
            source_arrival_min,
            source_slew_ps,
            source_tag,
            arrival_max,
            arrival_min,
            slew_max,
            slew_min,
            tag_max,
            tag_min,
            pred_max,
            pred_min,
            arc_delay_max,
            arc_delay_min,
        )
        visited.append(p)
        # Arc delays into p may change without p's values changing; fan-out only on change.
        if changed:
            for k in range(pin_out_indptr[p], pin_out_indptr[p + 1]):
                q = arc_to[pin_out_arcs[k]]
                if not queued[q]:
                    queued[q] = True
                    heapq_push(heap, (pin_position[q], q))
    result = np.empty(len(visited), np.int64)
    for i in range(len(visited)):
        result[i] = visited[i]
    return result


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
    queued = np.zeros(n_pins, np.bool_)
    heap = [(np.int64(0), np.int64(0))]
    heap.pop()
    for s in seeds:
        if not queued[s]:
            queued[s] = True
            heapq_push(heap, (-pin_position[s], s))
    visited = 0
    while len(heap) > 0:
        item = heapq_pop(heap)
        p = item[1]
        queued[p] = False
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
                if not queued[f]:
                    queued[f] = True
                    heapq_push(heap, (-pin_position[f], f))
    return visited
