"""SDC constraints resolved onto the timing graph's pins: clocks, edges, IO delays, slews, loads.

A *tag* names a launching or capturing clock edge: ``clock_index * 2 + edge`` (edge 0 = the
rising edge at ``waveform[0]``, 1 = the falling edge at ``waveform[1]``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from tapeout.db.constraints import (
    Clock,
    ClockGatingCheck,
    ClockTransitionLimit,
    Constraints,
    DisableTiming,
    ObjectRef,
    generated_waveform,
)
from tapeout.db.netlist import Netlist
from tapeout.log import Log
from tapeout.timing.derates import ObjectDerates, derate_factors, object_derates
from tapeout.timing.exceptions import FromException, PinResolver, resolve_exceptions
from tapeout.timing.graph import TimingGraph, combinational_reach

MAX_EXPANSION_EDGES = 1000
PATH_DELAY_TAG = -2  # output_sets tag of ports that only a max/min delay constrains


@dataclass(eq=False)
class ResolvedConstraints:
    """Constraints as arrays over pins (times ps, capacitance fF).

    Attributes:
        clock_names: clock names; tag ``k*2+e`` is edge ``e`` of clock ``k``; tag
            ``2*n_clocks`` marks unclocked arrivals (input ports without input delay, at 0).
        clock_period_ps: float64 (n_clocks,).
        edge_time_ps: float64 (n_tags,) time of each edge in its first period (0 unclocked).
        setup_relation_ps, hold_relation_ps: float64 (n_tags, n_tags) capture minus launch time
            of the closest setup / hold edge pair (launch tag, capture tag).
        gated_hold_relation_ps: float64 (n_tags, n_tags) the same for clock gating hold
            checks (``_gated_hold_relation``).
        clock_source_pins: list of int64 arrays, the source pins of each clock.
        clock_latency_max_ps, clock_latency_min_ps: float64 (n_clocks,) ideal latency
            (source + network; network only when not propagated).
        clock_slew_ps: float64 (n_clocks,) ideal clock slew (``set_clock_transition``, else 0).
        clock_propagated: bool (n_clocks,).
        clock_generated: bool (n_clocks,) ``create_generated_clock`` (period and waveform
            derived from the master's: ``-divide_by``/``-multiply_by``, ``-edges``,
            ``-edge_shift``, ``-invert``).
        clock_master: int64 (n_clocks,) a generated clock's master clock (-1: none).
        uncertainty_setup_ps, uncertainty_hold_ps: float64 (n_clocks + 1, n_clocks) by launch
            and capture clock (row n_clocks: an unclocked launch): the capture clock's own
            uncertainty, or the ``-from -to`` one of the pair.
        input_arrival_max, input_arrival_min: float64 (n_pins, 2) input-delay arrivals (±inf
            where none); input_tag, input_tag_min: int64 (n_pins, 2) the launch tags of the
            latest and of the earliest (-1 none).
        input_by_clock: clock -> (arrival max, arrival min, tag of the max, tag of the min) of
            its input delays alone
            (the arrays above merge every clock's, with the tag of the latest).
        case_values: pin -> 0 or 1 of ``set_case_analysis`` and ``set_logic_zero``/``_one``
            (see ``timing/case.py``; case analysis wins where both name a pin).
        case_edges: pin -> the one transition (0 rise, 1 fall) of ``set_case_analysis
            rising``/``falling``.
        output_sets: per capture clock edge, (tag int64 (n_pins,) -1 where unconstrained,
            output delay max, min float64 (n_pins, 2) NaN where none).
        input_slew_ps, input_slew_min_ps: float64 (n_pins, 2) ``set_input_transition`` of late
            (max) and early (min) analysis (0 where none).
        derate_factors: float64 (3, 2, 2) ``set_timing_derate`` (see ``derate_factors``).
        object_derates: ``set_timing_derate`` on named cells, nets and library cells.
        path_delay_outputs: bool (n_pins,) output ports without output delays, and instance
            pins, that a ``set_max_delay``/``set_min_delay -to`` names: endpoints of those path
            delays only (their set in ``output_sets`` has tag ``PATH_DELAY_TAG`` and zero
            delays).
        output_tag: int64 (n_pins,) capture tag of a port's first set of output delays (-1:
            no output delay).
        pin_load_ff: float64 (n_pins,) ``set_load`` on port pins.
        design_rule_limits: float64 (3, n_pins) SDC max transition (ps), capacitance (fF) and
            fanout: the design's limit, on a port's pin the tighter of it and the port's own;
            NaN where the SDC sets none (``timing/drv.py`` adds the Liberty limits); (3, 0)
            when it sets none anywhere.
        disabled_timing: ``set_disable_timing`` commands with the pins (int64) of their pin
            objects (cells and library cells are resolved by ``timing/sources.py``).
        clock_gating_checks: ``set_clock_gating_check`` commands (``timing/sources.py``).
        max_time_borrow_ps: ``set_max_time_borrow`` by object (``timing/latches.py``).
        clock_slew_limits: (clock index, ``ClockTransitionLimit``) of ``set_max_transition``
            on clocks (``timing/drv.py`` applies them to the clock's network and data pins).
        false_endpoints: bool (n_pins,) endpoints of ``set_false_path -to``.
        multicycle_setup, multicycle_hold: int64 (n_pins,) multipliers on endpoints (1, 0 default);
            setup moves ``setup - 1`` periods, hold ``setup - 1 - hold`` periods.
        driving_cells: port pin -> (cell, pin, from_pin, input transition ps or None).
        unclocked_inputs: int64 (k,) input port pins without any input delay (launch unclocked
            paths at time 0, tag ``unclocked_tag``).
        from_exceptions: the ``-from`` false / multicycle paths.
    """

    clock_names: list[str]
    clock_period_ps: np.ndarray
    edge_time_ps: np.ndarray
    setup_relation_ps: np.ndarray
    hold_relation_ps: np.ndarray
    gated_hold_relation_ps: np.ndarray
    clock_source_pins: list[np.ndarray]
    clock_latency_max_ps: np.ndarray
    clock_latency_min_ps: np.ndarray
    clock_slew_ps: np.ndarray
    clock_propagated: np.ndarray
    uncertainty_setup_ps: np.ndarray
    uncertainty_hold_ps: np.ndarray
    input_arrival_max: np.ndarray
    input_arrival_min: np.ndarray
    input_tag: np.ndarray
    input_tag_min: np.ndarray
    input_by_clock: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]
    output_sets: list[tuple[np.ndarray, np.ndarray, np.ndarray]]
    case_values: dict[int, int]
    case_edges: dict[int, int]
    input_slew_ps: np.ndarray
    input_slew_min_ps: np.ndarray
    derate_factors: np.ndarray
    object_derates: ObjectDerates
    output_tag: np.ndarray
    path_delay_outputs: np.ndarray
    pin_load_ff: np.ndarray
    design_rule_limits: np.ndarray
    clock_slew_limits: list[tuple[int, ClockTransitionLimit]]
    disabled_timing: list[tuple[DisableTiming, np.ndarray]]
    clock_gating_checks: list[ClockGatingCheck]
    max_time_borrow_ps: dict[ObjectRef, float]
    false_endpoints: np.ndarray
    multicycle_setup: np.ndarray
    multicycle_hold: np.ndarray
    driving_cells: dict[int, tuple[str, str, str, float | None]] = field(default_factory=dict)
    unclocked_inputs: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    unclocked_tag: int = 0
    from_exceptions: list[FromException] = field(default_factory=list)
    clock_generated: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    clock_master: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


def _relations(
    period_a: float, edge_a: float, period_b: float, edge_b: float
) -> tuple[float, float]:
    """(setup, hold) capture-minus-launch of launch edge ``a`` and capture edge ``b``."""
    scale = 1000.0  # resolve periods to 1e-3 ps for the common multiple
    ia, ib = round(period_a * scale), round(period_b * scale)
    if ia <= 0 or ib <= 0:
        return math.inf, -math.inf
    common = ia * ib // math.gcd(ia, ib)
    n_launch = min(common // ia, MAX_EXPANSION_EDGES)
    setup = math.inf
    hold = -math.inf
    for m in range(n_launch):
        launch = edge_a + m * period_a
        k = math.floor((launch - edge_b) / period_b) + 1
        capture = edge_b + k * period_b
        if capture <= launch + 1e-9:
            capture += period_b
        setup = min(setup, capture - launch)
        hold = max(hold, capture - period_b - launch)
    return setup, hold


def _gated_hold_relation(
    period_a: float, edge_a: float, period_b: float, edge_b: float, opposite_b: float
) -> float:
    """Capture-minus-launch of a clock gating hold check (OpenSTA's cycle accounting): the
    capture edge ``b`` is in the same cycle as its opposite edge (``opposite_b``, the
    gating pulse's other end), the latest such cycle whose opposite edge is not after the
    launch."""
    scale = 1000.0
    ia, ib = round(period_a * scale), round(period_b * scale)
    if ia <= 0 or ib <= 0:
        return -math.inf
    common = ia * ib // math.gcd(ia, ib)
    relation = -math.inf
    for m in range(min(common // ia, MAX_EXPANSION_EDGES)):
        launch = edge_a + m * period_a
        cycle = math.floor((launch - opposite_b) / period_b + 1e-9)
        relation = max(relation, edge_b + cycle * period_b - launch)
    return relation


def _clock_waveforms(
    clocks: list[Clock],
    source_pins: list[np.ndarray],
    resolver: PinResolver,
    graph: TimingGraph | None,
    log: Log,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(period ps float64 (n,), edge times ps float64 (2n,), master index int64 (n,), -1 for
    a primary clock) with generated clocks derived from their masters.

    A generated clock's master is its ``-master_clock``, else the clock defined on its
    ``-source``, else (with ``graph``) the clock whose network reaches its ``-source``.
    """
    n_clocks = len(clocks)
    period = np.array([clock.period_ps for clock in clocks], dtype=np.float64)
    edge_time = np.zeros(2 * n_clocks, dtype=np.float64)
    masters = np.full(n_clocks, -1, dtype=np.int64)
    names = [clock.name for clock in clocks]
    networks: dict[int, np.ndarray] = {}
    for k, clock in enumerate(clocks):
        waveform = clock.waveform_ps or [0.0, clock.period_ps / 2]
        if clock.generated:
            master = names.index(clock.master_clock) if clock.master_clock in names else -1
            master_source = np.asarray(resolver.pins(clock.master_source), dtype=np.int64)
            for m in range(n_clocks):
                if master >= 0 or m == k or (clocks[m].generated and m > k):
                    continue
                if np.isin(master_source, source_pins[m]).any():
                    master = m
                elif graph is not None and source_pins[m].size and master_source.size:
                    if m not in networks:
                        networks[m] = combinational_reach(graph, source_pins[m])
                    if networks[m][master_source].any():
                        master = m
            if master >= 0 and master < k:
                masters[k] = master
                master_waveform = [edge_time[2 * master], edge_time[2 * master + 1]]
                period[k], waveform = generated_waveform(
                    float(period[master]),
                    master_waveform,
                    clock.divide_by,
                    clock.multiply_by,
                    clock.edges,
                    clock.edge_shift_ps,
                    invert=clock.invert,
                )
            elif period[k] <= 0:
                log.warn("STA-0018", f"generated clock {clock.name}: no master clock found")
        edge_time[2 * k] = waveform[0]
        edge_time[2 * k + 1] = waveform[1] if len(waveform) > 1 else period[k] / 2
    return period, edge_time, masters


def resolve_constraints(
    constraints: Constraints,
    netlist: Netlist,
    *,
    graph: TimingGraph | None = None,
    log: Log | None = None,
) -> ResolvedConstraints:
    """Map ``constraints`` onto ``netlist``'s pins (unknown objects are warned about);
    ``graph`` lets generated clocks find a master whose network reaches their ``-source``."""
    log = log or Log()
    n_pins = netlist.n_pins
    resolver = PinResolver(netlist, log)
    clocks = list(constraints.clocks.values())
    names = [clock.name for clock in clocks]
    n_clocks = len(clocks)
    source_pins = [np.asarray(resolver.pins(clock.sources), dtype=np.int64) for clock in clocks]
    period, edge_time, masters = _clock_waveforms(clocks, source_pins, resolver, graph, log)
    # Tags 0 .. 2*n_clocks-1 are clock edges; the last one is "unclocked" (an input port
    # without input delay arrives at 0 and is checked against the first capture edge after 0).
    n_tags = 2 * n_clocks + 1
    unclocked = 2 * n_clocks
    edge_time = np.append(edge_time, 0.0)
    setup_rel = np.full((n_tags, n_tags), np.inf)
    hold_rel = np.full((n_tags, n_tags), -np.inf)
    for a in range(n_tags - 1):
        for b in range(n_tags - 1):
            setup_rel[a, b], hold_rel[a, b] = _relations(
                period[a // 2], edge_time[a], period[b // 2], edge_time[b]
            )
    for b in range(n_tags - 1):
        capture = edge_time[b] if edge_time[b] > 0.0 else edge_time[b] + period[b // 2]
        setup_rel[unclocked, b] = capture
        hold_rel[unclocked, b] = capture - period[b // 2]
    gated_hold_rel = hold_rel.copy()
    for a in range(n_tags - 1):
        for b in range(n_tags - 1):
            gated_hold_rel[a, b] = _gated_hold_relation(
                period[a // 2], edge_time[a], period[b // 2], edge_time[b], edge_time[b ^ 1]
            )
    resolver_pins_of_clocks = source_pins
    latency_max = np.zeros(n_clocks)
    latency_min = np.zeros(n_clocks)
    clock_slew = np.zeros(n_clocks)
    for k, clock in enumerate(clocks):
        source_max = clock.source_latency_max_ps or 0.0
        source_min = clock.source_latency_min_ps or 0.0
        network_max = 0.0 if clock.propagated else (clock.latency_max_ps or 0.0)
        network_min = 0.0 if clock.propagated else (clock.latency_min_ps or 0.0)
        latency_max[k] = source_max + network_max
        latency_min[k] = source_min + network_min
        clock_slew[k] = clock.transition_ps or 0.0
    clock_index = {name: k for k, name in enumerate(names)}

    # Input delays per launching clock (-1: no clock): [max, min, tag] arrays, so that a port
    # with -add_delay delays of two clocks launches in each clock's pass with that clock's
    # arrival. Without -add_delay a delay replaces the port's delays of every clock.
    by_clock: dict[int, list[np.ndarray]] = {}
    for delay in constraints.input_delays:
        k = clock_index.get(delay.clock, -1)
        if delay.clock and k < 0:
            log.warn("STA-0012", f"input delay refers to unknown clock {delay.clock}")
        tag = -1 if k < 0 else 2 * k + (1 if delay.clock_fall else 0)
        base_max = 0.0 if k < 0 else edge_time[tag] + latency_max[k]
        base_min = 0.0 if k < 0 else edge_time[tag] + latency_min[k]
        mine = by_clock.setdefault(
            k,
            [
                np.full((n_pins, 2), -np.inf),
                np.full((n_pins, 2), np.inf),
                np.full((n_pins, 2), -1, dtype=np.int64),
                np.full((n_pins, 2), -1, dtype=np.int64),
            ],
        )
        for pin in resolver.pins(delay.objects):
            for rf, applies in ((0, delay.applies_rise), (1, delay.applies_fall)):
                if not applies:
                    continue
                if not delay.add_delay:
                    for other in by_clock.values():
                        if delay.applies_max:
                            other[0][pin, rf] = -np.inf
                        if delay.applies_min:
                            other[1][pin, rf] = np.inf
                # each analysis keeps the edge of its own arrival (a port with delays on both
                # edges of one clock: the latest may be the fall's, the earliest the rise's)
                if delay.applies_max and base_max + delay.value_ps >= mine[0][pin, rf]:
                    mine[0][pin, rf] = base_max + delay.value_ps
                    mine[2][pin, rf] = tag
                if delay.applies_min and base_min + delay.value_ps <= mine[1][pin, rf]:
                    mine[1][pin, rf] = base_min + delay.value_ps
                    mine[3][pin, rf] = tag
    for arrays in by_clock.values():
        arrays[2][np.isinf(arrays[0])] = -1
        arrays[3][np.isinf(arrays[1])] = -1
        if np.array_equal(arrays[2], arrays[3]):
            arrays[3] = arrays[2]  # one edge per port (the usual case): share the array
    # Over all clocks: the latest (earliest) arrival with its tag.
    input_max = np.full((n_pins, 2), -np.inf)
    input_min = np.full((n_pins, 2), np.inf)
    input_tag = np.full((n_pins, 2), -1, dtype=np.int64)
    input_tag_min = np.full((n_pins, 2), -1, dtype=np.int64)
    for k in sorted(by_clock):
        arrival_max, arrival_min, tags, tags_min = by_clock[k]
        later = (tags >= 0) & ((input_tag < 0) | (arrival_max > input_max))
        input_tag[later] = tags[later]
        earlier = (tags_min >= 0) & ((input_tag_min < 0) | (arrival_min < input_min))
        input_tag_min[earlier] = tags_min[earlier]
        input_max = np.maximum(input_max, arrival_max)
        input_min = np.minimum(input_min, arrival_min)
    if np.array_equal(input_tag, input_tag_min):
        input_tag_min = input_tag

    # Input ports without any input delay (clock sources aside) launch unclocked paths at 0.
    # As in OpenSTA they are checked at output ports with output delays (not at registers), so
    # the Timer propagates them in a separate pass.
    clock_source_pins = {int(p) for pins in resolver_pins_of_clocks for p in pins}
    unclocked_inputs = [
        pin
        for port, pin in resolver.port_pin.items()
        if netlist.port_direction[netlist.port_names.index(port)] != 1
        and pin not in clock_source_pins
        and (input_tag[pin] < 0).all()
        and (input_tag_min[pin] < 0).all()
    ]

    # Output delays per capture clock edge (tag): a port with -add_delay delays of several
    # clocks is checked against each; without -add_delay a delay replaces the port's others.
    output_by_tag: dict[int, list[np.ndarray]] = {}
    for delay in constraints.output_delays:
        k = clock_index.get(delay.clock, -1)
        if k < 0:
            log.warn("STA-0013", "output delay without a known clock; ignored")
            continue
        tag = 2 * k + (1 if delay.clock_fall else 0)
        mine = output_by_tag.setdefault(
            tag, [np.full((n_pins, 2), np.nan), np.full((n_pins, 2), np.nan)]
        )
        for pin in resolver.pins(delay.objects):
            for rf, applies in ((0, delay.applies_rise), (1, delay.applies_fall)):
                if not applies:
                    continue
                if not delay.add_delay:
                    for other in output_by_tag.values():
                        if delay.applies_max:
                            other[0][pin, rf] = np.nan
                        if delay.applies_min:
                            other[1][pin, rf] = np.nan
                if delay.applies_max:
                    mine[0][pin, rf] = np.fmax(delay.value_ps, mine[0][pin, rf])
                if delay.applies_min:
                    mine[1][pin, rf] = np.fmin(delay.value_ps, mine[1][pin, rf])
    output_sets = []
    for tag in sorted(output_by_tag):
        late, early = output_by_tag[tag]
        constrained = ~(np.isnan(late) & np.isnan(early)).all(axis=1)
        if constrained.any():
            output_sets.append((np.where(constrained, tag, -1).astype(np.int64), late, early))
    # Each constrained port's capture tag in its first set (which ports are outputs to check).
    output_tag = np.full(n_pins, -1, dtype=np.int64)
    for tags, _, _ in reversed(output_sets):
        output_tag[tags >= 0] = tags[tags >= 0]

    # Output ports that only a set_max_delay/set_min_delay -to names (no output delay): a
    # combinational block's constraints; they are endpoints of those path delays, as OpenSTA.
    path_delay_outputs = np.zeros(n_pins, dtype=bool)
    port_output = np.zeros(n_pins, dtype=bool)
    for port, pin in resolver.port_pin.items():
        port_output[pin] = netlist.port_direction[netlist.port_names.index(port)] != 0
    internal = np.zeros(n_pins, dtype=bool)
    for exception in constraints.exceptions:
        if exception.kind in ("max_delay", "min_delay") and exception.to_objects:
            for pin in resolver.pins(exception.to_objects):
                if port_output[pin] and output_tag[pin] < 0:
                    path_delay_outputs[pin] = True
            # Instance pins named as pins (not through their cell) are endpoints of the path
            # delay too, "internal path endpoints" in OpenSTA; the Timer leaves out those
            # that a check already ends at (a register's D).
            named = [ref for ref in exception.to_objects if ref[0] == "pin"]
            for pin in resolver.pins(named):
                if netlist.pin_inst[pin] >= 0:
                    internal[pin] = True
    path_delay_outputs |= internal
    if path_delay_outputs.any():
        zero = np.where(path_delay_outputs[:, None], 0.0, np.nan) * np.ones((1, 2))
        tags = np.where(path_delay_outputs, PATH_DELAY_TAG, -1).astype(np.int64)
        output_sets.append((tags, zero, zero.copy()))

    uncertainty = _uncertainty(constraints, clocks, clock_index)
    input_slew = np.zeros((n_pins, 2))
    for ref, value in constraints.input_transitions_ps.items():
        for pin in resolver.pins([ref]):
            input_slew[pin] = value
    input_slew_min = np.zeros((n_pins, 2))
    for ref, value in constraints.input_transitions_min_ps.items():
        for pin in resolver.pins([ref]):
            input_slew_min[pin] = value
    loads = np.zeros(n_pins)
    for ref, value in constraints.loads_ff.items():
        for pin in resolver.pins([ref]):
            loads[pin] = value
    driving: dict[int, tuple[str, str, str, float | None]] = {}
    for ref, cell in constraints.driving_cells.items():
        for pin in resolver.pins([ref]):
            driving[pin] = (cell.cell, cell.pin, cell.from_pin, cell.input_transition_ps)

    false_endpoints, multicycle_setup, multicycle_hold, from_exceptions = resolve_exceptions(
        constraints, names, resolver, clock_index, n_pins, log
    )
    return ResolvedConstraints(
        clock_names=names,
        clock_period_ps=period,
        edge_time_ps=edge_time,
        setup_relation_ps=setup_rel,
        hold_relation_ps=hold_rel,
        gated_hold_relation_ps=gated_hold_rel,
        clock_source_pins=source_pins,
        clock_latency_max_ps=latency_max,
        clock_latency_min_ps=latency_min,
        clock_slew_ps=clock_slew,
        clock_propagated=np.array([clock.propagated for clock in clocks], dtype=bool),
        uncertainty_setup_ps=uncertainty[0],
        uncertainty_hold_ps=uncertainty[1],
        input_arrival_max=input_max,
        input_arrival_min=input_min,
        input_tag=input_tag,
        input_tag_min=input_tag_min,
        input_by_clock={k: tuple(v) for k, v in by_clock.items() if k >= 0},
        output_sets=output_sets,
        case_values={  # set_logic_zero/one hold a pin as set_case_analysis does (OpenSTA's Sim)
            pin: int(value)
            for ref, value in [
                *constraints.logic_values.items(),
                *constraints.case_analysis.items(),
            ]
            if value in ("0", "1")
            for pin in resolver.pins([ref])
        },
        case_edges={
            pin: 0 if value == "rising" else 1
            for ref, value in constraints.case_analysis.items()
            if value in ("rising", "falling")
            for pin in resolver.pins([ref])
        },
        input_slew_ps=input_slew,
        input_slew_min_ps=input_slew_min,
        derate_factors=derate_factors(constraints, log),
        object_derates=object_derates(constraints, netlist, log),
        output_tag=output_tag,
        path_delay_outputs=path_delay_outputs,
        pin_load_ff=loads,
        design_rule_limits=_design_rule_limits(constraints, resolver, n_pins, log),
        disabled_timing=[
            (
                disabled,
                np.asarray(
                    resolver.pins([ref for ref in disabled.objects if ref[0] == "pin"]),
                    dtype=np.int64,
                ),
            )
            for disabled in constraints.disabled_timing
        ],
        clock_gating_checks=list(constraints.clock_gating_checks),
        max_time_borrow_ps=dict(constraints.max_time_borrow_ps),
        clock_slew_limits=[
            (names.index(limit.clock), limit)
            for limit in constraints.clock_transition_limits
            if limit.clock in names
        ],
        false_endpoints=false_endpoints,
        multicycle_setup=multicycle_setup,
        multicycle_hold=multicycle_hold,
        driving_cells=driving,
        unclocked_inputs=np.asarray(sorted(unclocked_inputs), dtype=np.int64),
        unclocked_tag=unclocked,
        from_exceptions=from_exceptions,
        clock_generated=np.array([clock.generated for clock in clocks], dtype=bool),
        clock_master=masters,
    )


def _uncertainty(
    constraints: Constraints, clocks: list[Clock], clock_index: dict[str, int]
) -> tuple[np.ndarray, np.ndarray]:
    """Setup and hold uncertainty, float64 (n_clocks + 1, n_clocks) [launch, capture]."""
    n_clocks = len(clocks)
    setup = np.empty((n_clocks + 1, n_clocks))
    hold = np.empty((n_clocks + 1, n_clocks))
    setup[:] = [clock.uncertainty_setup_ps for clock in clocks]  # each row: the capture's own
    hold[:] = [clock.uncertainty_hold_ps for clock in clocks]
    for (source, target), (setup_ps, hold_ps) in constraints.inter_clock_uncertainty.items():
        if source in clock_index and target in clock_index:
            if setup_ps is not None:
                setup[clock_index[source], clock_index[target]] = setup_ps
            if hold_ps is not None:
                hold[clock_index[source], clock_index[target]] = hold_ps
    return setup, hold


def _design_rule_limits(
    constraints: Constraints, resolver: PinResolver, n_pins: int, log: Log
) -> np.ndarray:
    """``ResolvedConstraints.design_rule_limits``; limits on other objects (pins, cells)
    are warned about (STA-0045) and left out (clocks' slew limits are kept apart)."""
    tables = (constraints.max_transition_ps, constraints.max_capacitance_ff, constraints.max_fanout)
    if not any(ref[0] in ("design", "port") for table in tables for ref in table):
        limits = np.full((3, 0), np.nan)  # none: no per-pin rows (drv.py reads NaN)
    else:
        limits = np.full((3, n_pins), np.nan)
    skipped: set[str] = set()
    for row, given in enumerate(tables):
        design = [value for (kind, _), value in given.items() if kind == "design"]
        if design:
            limits[row] = min(design)
        for ref, value in given.items():
            if ref[0] == "port":
                pins = resolver.pins([ref])
                limits[row, pins] = np.fmin(limits[row, pins], value)
            elif ref[0] != "design":
                skipped.add(f"{ref[0]} {ref[1]}")
    if skipped:
        log.warn(
            "STA-0045",
            f"max transition/capacitance/fanout limits on {sorted(skipped)[:5]} are not applied "
            "(only the design's, ports' and clocks' limits are)",
        )
    return limits
