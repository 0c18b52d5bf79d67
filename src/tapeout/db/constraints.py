"""Timing constraints (what an SDC file holds): clocks, IO delays, loads, exceptions, limits.

Times are in ps and capacitances in fF. Design objects are ``ObjectRef`` pairs ``(kind, name)``
kept as strings; the timing engine resolves them to indices. Kinds:

- ``port``, ``pin`` (``inst/PIN``), ``net``, ``cell`` (an instance), ``clock``, ``design``;
- a name may still hold a glob pattern (``("port", "req_msg[*]")``) when the SDC was read
  without a netlist;
- ``all_inputs``, ``all_outputs``, ``all_registers``: a query that could not be expanded
  without a netlist (or a library); the name holds its flags, e.g. ``("all_inputs",
  "-no_clocks")``.

Lists keep SDC order, so later commands can override earlier ones as in SDC.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ObjectRef = tuple[str, str]

QUERY_KINDS = ("all_inputs", "all_outputs", "all_registers")


@dataclass(eq=False)
class Clock:
    """A clock from ``create_clock`` or ``create_generated_clock`` plus its attributes.

    Attributes:
        name: clock name.
        period_ps: period in ps.
        waveform_ps: rising and falling edge times in ps within one period.
        sources: ports/pins the clock is defined on; empty for a virtual clock.
        generated: True for ``create_generated_clock``.
        master_clock: name of the master clock of a generated clock ("" when not given).
        master_source: the ``-source`` pins/ports of a generated clock.
        divide_by, multiply_by: frequency division/multiplication of a generated clock.
        invert: a generated clock inverted with respect to its master.
        edges: ``-edges``: the master edges (1 = first rise, 2 = first fall, 3 = second rise,
            ...) of the generated clock's rise, fall and next rise; empty when not given.
        edge_shift_ps: ``-edge_shift``: a shift (ps) of each of ``edges``; empty when not given.
        add: ``-add``: the clock joins others on the same source instead of replacing them.
        propagated: ``set_propagated_clock``: use computed clock tree latency.
        uncertainty_setup_ps, uncertainty_hold_ps: ``set_clock_uncertainty``.
        transition_ps: ``set_clock_transition`` (ideal clock slew), None when unset.
        latency_min_ps, latency_max_ps: ideal network latency (``set_clock_latency``).
        source_latency_min_ps, source_latency_max_ps: ``set_clock_latency -source``.
    """

    name: str
    period_ps: float
    waveform_ps: list[float] = field(default_factory=list)
    sources: list[ObjectRef] = field(default_factory=list)
    generated: bool = False
    master_clock: str = ""
    master_source: list[ObjectRef] = field(default_factory=list)
    divide_by: int = 1
    multiply_by: int = 1
    invert: bool = False
    edges: list[int] = field(default_factory=list)
    edge_shift_ps: list[float] = field(default_factory=list)
    add: bool = False
    propagated: bool = False
    uncertainty_setup_ps: float = 0.0
    uncertainty_hold_ps: float = 0.0
    transition_ps: float | None = None
    latency_min_ps: float | None = None
    latency_max_ps: float | None = None
    source_latency_min_ps: float | None = None
    source_latency_max_ps: float | None = None


def generated_waveform(
    master_period_ps: float,
    master_waveform_ps: list[float],
    divide_by: int,
    multiply_by: int,
    edges: list[int],
    edge_shift_ps: list[float],
    *,
    invert: bool = False,
) -> tuple[float, list[float]]:
    """(period ps, [rise, fall] ps) of a generated clock from its master's waveform: master
    edges ``edges`` (1-based, shifted by ``edge_shift_ps``) or the master scaled by
    ``divide_by / multiply_by``; ``invert`` swaps the rise and fall edges."""
    if edges:
        rise, fall = [*master_waveform_ps, master_period_ps / 2][:2]
        shifts = edge_shift_ps or [0.0] * len(edges)
        times = [
            (rise if (edge - 1) % 2 == 0 else fall) + ((edge - 1) // 2) * master_period_ps + shift
            for edge, shift in zip(edges, shifts, strict=True)
        ]
        period, waveform = times[2] - times[0], [times[0], times[1]]
    else:
        ratio = divide_by / multiply_by
        period, waveform = master_period_ps * ratio, [edge * ratio for edge in master_waveform_ps]
    if invert and len(waveform) >= 2:
        waveform = [waveform[1], waveform[0] + period]
    return period, waveform


@dataclass(eq=False)
class PortDelay:
    """One ``set_input_delay`` or ``set_output_delay``.

    Attributes:
        objects: the ports (or pins) constrained.
        clock: reference clock name, "" when none.
        clock_fall: relative to the clock's falling edge.
        value_ps: delay in ps.
        applies_rise, applies_fall: which data transitions it applies to.
        applies_min, applies_max: hold (min) and/or setup (max) analysis.
        add_delay: ``-add_delay``: keep other delays on the same objects.
    """

    objects: list[ObjectRef]
    clock: str
    value_ps: float
    clock_fall: bool = False
    applies_rise: bool = True
    applies_fall: bool = True
    applies_min: bool = True
    applies_max: bool = True
    add_delay: bool = False


@dataclass(eq=False)
class DrivingCell:
    """``set_driving_cell``: the library cell (and pin) that drives an input port.

    Attributes:
        cell: library cell name.
        pin: its output pin ("" = the cell's only output).
        from_pin: input pin of the timing arc ("" = any).
        library: library name ("" = any).
        input_transition_ps: slew at the cell's input, None when not given.
    """

    cell: str
    pin: str = ""
    from_pin: str = ""
    library: str = ""
    input_transition_ps: float | None = None


@dataclass(eq=False)
class PathException:
    """A timing exception: false path, multicycle path, or max/min delay.

    Attributes:
        kind: ``false_path``, ``multicycle_path``, ``max_delay`` or ``min_delay``.
        from_objects, to_objects: start and end points (clocks, ports, pins, cells).
        through: each ``-through`` as its own list of pins/nets/cells.
        setup, hold: which checks it applies to.
        start, end: multicycle ``-start``/``-end`` (the clock the multiplier counts).
        multiplier: multicycle multiplier (0 for the other kinds).
        value_ps: the delay of ``max_delay``/``min_delay`` (0 for the other kinds).
        from_rf, to_rf, end_rf: 0 rise / 1 fall for ``-rise_from``/``-fall_from``,
            ``-rise_to``/``-fall_to`` and ``-rise``/``-fall`` (None: both transitions).
        through_rf: per ``through`` list, 0 / 1 for ``-rise_through``/``-fall_through`` (the
            path's transition at the list's pins), None for ``-through``; empty: all None.
    """

    kind: str
    from_objects: list[ObjectRef] = field(default_factory=list)
    to_objects: list[ObjectRef] = field(default_factory=list)
    through: list[list[ObjectRef]] = field(default_factory=list)
    setup: bool = True
    hold: bool = True
    start: bool = False
    end: bool = False
    multiplier: int = 0
    value_ps: float = 0.0
    from_rf: int | None = None
    to_rf: int | None = None
    end_rf: int | None = None
    through_rf: list[int | None] = field(default_factory=list)

    def through_edges(self) -> list[int | None]:
        """``through_rf`` with one entry per ``through`` list (None where not given)."""
        return [*self.through_rf, *[None] * (len(self.through) - len(self.through_rf))]


@dataclass(eq=False)
class ClockGroups:
    """``set_clock_groups``: clocks in different groups are not timed against each other.

    Attributes:
        name: group name ("" when not given).
        relation: ``asynchronous``, ``logically_exclusive`` or ``physically_exclusive``.
        groups: clock names of each ``-group``.
    """

    name: str
    relation: str
    groups: list[list[str]] = field(default_factory=list)


@dataclass(eq=False)
class ClockTransitionLimit:
    """``set_max_transition [-clock_path] [-data_path] [-rise] [-fall] value <clocks>``: a
    slew limit (ps) on the pins of a clock's network (clock path) and/or of the paths it
    launches (data path), for rising and/or falling transitions (neither flag: both)."""

    clock: str
    limit_ps: float
    clock_path: bool = True
    data_path: bool = True
    rise: bool = True
    fall: bool = True


@dataclass(eq=False)
class ClockGatingCheck:
    """``set_clock_gating_check [-setup v] [-hold v] [objects]``: setup/hold margins (ps,
    None where not given) of the inferred clock gating checks on the named clocks (of the
    gating pin), instances or enable pins, or on the whole design (no objects)."""

    setup_ps: float | None = None
    hold_ps: float | None = None
    objects: list[ObjectRef] = field(default_factory=list)


@dataclass(eq=False)
class DisableTiming:
    """``set_disable_timing [-from pin] [-to pin] objects``: the timing arcs (and checks) of
    cells, library cells or pins switched off; ``from_pin``/``to_pin`` (terminal names, "" for
    any) narrow a cell's arcs to those between two of its pins."""

    objects: list[ObjectRef]
    from_pin: str = ""
    to_pin: str = ""


@dataclass(eq=False)
class TimingDerate:
    """``set_timing_derate``: a delay multiplier.

    Attributes:
        value: the derate factor (1.05 = 5 % slower).
        early, late: applies to min (early) and/or max (late) paths.
        cell_delay, net_delay, cell_check: what it scales (all False = delays of both).
        data, clock: paths it applies to (``-data``/``-clock``; neither given = both).
        objects: cells, nets or library cells it is limited to (empty = whole design).
    """

    value: float
    early: bool = True
    late: bool = True
    cell_delay: bool = False
    net_delay: bool = False
    cell_check: bool = False
    objects: list[ObjectRef] = field(default_factory=list)
    data: bool = True
    clock: bool = True


@dataclass(eq=False)
class Constraints:
    """All constraints of a design, in ps and fF.

    Attributes:
        design: name given to ``current_design`` ("" when not given).
        time_unit_s: the SDC time unit the values were read in (1e-9 for ns); the writer writes
            in it again.
        cap_unit_f: the SDC capacitance unit (1e-12 for pF).
        clocks: clock name -> Clock, in definition order.
        input_delays, output_delays: ``set_input_delay``/``set_output_delay`` in file order.
        loads_ff: object -> ``set_load`` capacitance in fF.
        driving_cells: object -> ``set_driving_cell``.
        input_transitions_ps: object -> ``set_input_transition`` in ps (late, ``-max``).
        input_transitions_min_ps: object -> ``set_input_transition`` in ps (early, ``-min``);
            a command with neither option sets both.
        inter_clock_uncertainty: (from clock, to clock) -> [setup ps, hold ps] of
            ``set_clock_uncertainty -from -to`` (None where not set): it replaces the capture
            clock's own uncertainty on paths from one to the other.
        exceptions: false paths, multicycle paths and max/min delays in file order.
        max_fanout, max_transition_ps, max_capacitance_ff: object (or ``("design", name)``) ->
            design-rule limit.
        clock_transition_limits: ``set_max_transition`` on clocks, in file order.
        clock_groups: ``set_clock_groups`` in file order.
        case_analysis: object -> ``0``, ``1``, ``rising`` or ``falling``.
        logic_values: object -> ``0`` or ``1`` of ``set_logic_zero``/``set_logic_one``.
        max_time_borrow_ps: object (a clock, latch instance or pin, or the design) -> the most
            a latch may borrow (``set_max_time_borrow``).
        disabled_timing: ``set_disable_timing`` in file order.
        clock_gating_checks: ``set_clock_gating_check`` in file order.
        dont_touch: object -> flag of ``set_dont_touch``.
        timing_derates: ``set_timing_derate`` in file order.
    """

    design: str = ""
    time_unit_s: float = 1e-9
    cap_unit_f: float = 1e-12
    clocks: dict[str, Clock] = field(default_factory=dict)
    input_delays: list[PortDelay] = field(default_factory=list)
    output_delays: list[PortDelay] = field(default_factory=list)
    loads_ff: dict[ObjectRef, float] = field(default_factory=dict)
    driving_cells: dict[ObjectRef, DrivingCell] = field(default_factory=dict)
    input_transitions_ps: dict[ObjectRef, float] = field(default_factory=dict)
    input_transitions_min_ps: dict[ObjectRef, float] = field(default_factory=dict)
    inter_clock_uncertainty: dict[tuple[str, str], list[float | None]] = field(default_factory=dict)
    exceptions: list[PathException] = field(default_factory=list)
    max_fanout: dict[ObjectRef, float] = field(default_factory=dict)
    max_transition_ps: dict[ObjectRef, float] = field(default_factory=dict)
    max_capacitance_ff: dict[ObjectRef, float] = field(default_factory=dict)
    clock_transition_limits: list[ClockTransitionLimit] = field(default_factory=list)
    clock_groups: list[ClockGroups] = field(default_factory=list)
    case_analysis: dict[ObjectRef, str] = field(default_factory=dict)
    logic_values: dict[ObjectRef, str] = field(default_factory=dict)
    max_time_borrow_ps: dict[ObjectRef, float] = field(default_factory=dict)
    disabled_timing: list[DisableTiming] = field(default_factory=list)
    clock_gating_checks: list[ClockGatingCheck] = field(default_factory=list)
    dont_touch: dict[ObjectRef, bool] = field(default_factory=dict)
    timing_derates: list[TimingDerate] = field(default_factory=list)

    def clock_source_ports(self) -> set[str]:
        """Names of ports that are clock sources (what ``all_inputs -no_clocks`` leaves out)."""
        return {
            name for clock in self.clocks.values() for kind, name in clock.sources if kind == "port"
        }

    def __repr__(self) -> str:
        return (
            f"Constraints({self.design!r}: {len(self.clocks)} clocks, "
            f"{len(self.input_delays)} input delays, {len(self.output_delays)} output delays, "
            f"{len(self.exceptions)} exceptions)"
        )
