"""Timing and power libraries (Liberty): units, templates, cells, pins, timing arcs, power tables.

Every value stays in the library's own units, as written in the file. The scale of each unit in
SI is stored beside it so later code converts once: ``time_unit_s`` (``1e-9`` for "1ns"),
``capacitive_load_unit_f`` (``1e-12`` for ``(1, pf)``), ``voltage_unit_v``, ``current_unit_a``,
``leakage_power_unit_w`` and ``pulling_resistance_unit_ohm``. Internal power tables use the
library's energy unit, ``energy_unit_j`` (= capacitive load unit × voltage unit squared).

Optional numbers are ``None`` when the file does not give them. Attributes the database does not
model are kept verbatim (text as written, quotes included) in each object's ``attributes`` dict,
and complex attributes (``voltage_map (VDD, 1.1)``) in ``complex_attributes``, so that writing a
library back keeps them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# Liberty defaults when the library does not set them (Liberty reference manual).
DEFAULT_THRESHOLD_PCT = {
    "input_threshold_pct_rise": 50.0,
    "input_threshold_pct_fall": 50.0,
    "output_threshold_pct_rise": 50.0,
    "output_threshold_pct_fall": 50.0,
    "slew_lower_threshold_pct_rise": 20.0,
    "slew_lower_threshold_pct_fall": 20.0,
    "slew_upper_threshold_pct_rise": 80.0,
    "slew_upper_threshold_pct_fall": 80.0,
}

TIMING_TABLE_NAMES = (
    "cell_rise",
    "cell_fall",
    "rise_transition",
    "fall_transition",
    "rise_constraint",
    "fall_constraint",
    "rise_propagation",
    "fall_propagation",
    "retaining_rise",
    "retaining_fall",
)
"""Table groups a ``timing`` group may hold; each is a ``TimingArc`` field."""

POWER_TABLE_NAMES = ("rise_power", "fall_power", "power")
"""Table groups an ``internal_power`` group may hold; each is an ``InternalPower`` field."""


_EMPTY: np.ndarray = np.zeros(0, dtype=np.float64)
_EMPTY.flags.writeable = False


@dataclass(eq=False)
class LutTemplate:
    """A ``lu_table_template`` / ``power_lut_template``: axis variables and default indices.

    ``variables``: e.g. ``["input_net_transition", "total_output_net_capacitance"]``.
    ``indices``: one float64 ``(n_k,)`` array per axis the template defines (may be fewer than
    ``variables`` when tables supply their own).
    """

    name: str
    kind: str  # "lu_table_template", "power_lut_template", ...
    variables: list[str] = field(default_factory=list)
    indices: list[np.ndarray] = field(default_factory=list)


@dataclass(eq=False)
class LutTable:
    """One lookup table (``cell_rise (del_1_7_7) {...}``) with its indices resolved.

    ``index_1``, ``index_2``, ``index_3``: float64 ``(n_k,)``; an axis the table does not have is
    an empty array. ``values``: float64 with one dimension per axis, ``(n1,)``, ``(n1, n2)`` or
    ``(n1, n2, n3)``; a scalar table (template "scalar") has shape ``()``. Row ``i`` of the
    Liberty ``values ("…", "…")`` is ``values[i]``. ``variable_k`` name each axis (from the
    template: "input_net_transition", "total_output_net_capacitance", "related_pin_transition",
    "constrained_pin_transition", ...), empty when unknown. Units: the library's.
    Index arrays may be shared between tables (they are read-only).
    """

    template: str
    values: np.ndarray
    index_1: np.ndarray = field(default_factory=lambda: _EMPTY)
    index_2: np.ndarray = field(default_factory=lambda: _EMPTY)
    index_3: np.ndarray = field(default_factory=lambda: _EMPTY)
    variable_1: str = ""
    variable_2: str = ""
    variable_3: str = ""

    @property
    def indices(self) -> list[np.ndarray]:
        """The table's axes in order (only those it has)."""
        return [index for index in (self.index_1, self.index_2, self.index_3) if index.size]


@dataclass(eq=False)
class TimingArc:
    """A ``timing`` group of a pin: from ``related_pin`` to the owning pin (or a check on it).

    ``timing_type``: "combinational" (the Liberty default), "rising_edge", "falling_edge",
    "setup_rising", "hold_rising", "recovery_rising", "removal_falling", "three_state_enable",
    "three_state_disable", "min_pulse_width", "preset", "clear", ... ``timing_sense``:
    "positive_unate", "negative_unate", "non_unate" or "" when not given. Tables are in the
    library's time unit (delays, transitions, constraints).
    """

    related_pin: str = ""
    timing_type: str = "combinational"
    timing_sense: str = ""
    when: str = ""
    related_output_pin: str = ""
    cell_rise: LutTable | None = None
    cell_fall: LutTable | None = None
    rise_transition: LutTable | None = None
    fall_transition: LutTable | None = None
    rise_constraint: LutTable | None = None
    fall_constraint: LutTable | None = None
    rise_propagation: LutTable | None = None
    fall_propagation: LutTable | None = None
    retaining_rise: LutTable | None = None
    retaining_fall: LutTable | None = None
    attributes: dict[str, str] = field(default_factory=dict)

    @property
    def related_pins(self) -> list[str]:
        """``related_pin`` split on blanks ("A B" names two pins sharing this arc)."""
        return self.related_pin.split()


@dataclass(eq=False)
class InternalPower:
    """An ``internal_power`` group: energy per transition in the library's energy unit."""

    related_pin: str = ""
    when: str = ""
    related_pg_pin: str = ""
    rise_power: LutTable | None = None
    fall_power: LutTable | None = None
    power: LutTable | None = None
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(eq=False)
class LibertyPin:
    """A ``pin`` group (or the attributes of a ``bus``/``bundle``). Capacitances in the library's
    capacitive load unit, transitions in its time unit; ``None`` when not given.

    ``direction``: "input", "output", "inout", "internal" (or "" when not given).
    ``function``/``three_state``: Boolean expressions as written ("!(A&B)").
    """

    name: str
    direction: str = ""
    capacitance: float | None = None
    rise_capacitance: float | None = None
    fall_capacitance: float | None = None
    max_capacitance: float | None = None
    min_capacitance: float | None = None
    max_transition: float | None = None
    function: str = ""
    three_state: str = ""
    clock: bool = False
    timing: list[TimingArc] = field(default_factory=list)
    internal_power: list[InternalPower] = field(default_factory=list)
    attributes: dict[str, str] = field(default_factory=dict)
    complex_attributes: list[tuple[str, str]] = field(default_factory=list)


@dataclass(eq=False)
class LibertyBus:
    """A ``bus`` or ``bundle`` group: its own attributes/arcs as ``pin``, its explicit members.

    ``bus_type`` names a library ``type`` group (buses); ``members`` lists bundle members.
    ``pins`` holds the ``pin`` groups written inside (e.g. ``pin ("D[0]")``).
    """

    name: str
    kind: str  # "bus" or "bundle"
    pin: LibertyPin
    bus_type: str = ""
    members: list[str] = field(default_factory=list)
    pins: dict[str, LibertyPin] = field(default_factory=dict)


@dataclass(eq=False)
class BusType:
    """A library ``type`` group describing a bus (``bit_from`` .. ``bit_to``)."""

    name: str
    base_type: str = "array"
    data_type: str = "bit"
    bit_width: int = 0
    bit_from: int = 0
    bit_to: int = 0
    downto: bool = False
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(eq=False)
class Sequential:
    """An ``ff``, ``latch``, ``ff_bank`` or ``latch_bank`` group; expressions kept as strings.

    ``variables``: the group's arguments (the internal state names, e.g. ``["IQ", "IQN"]``, plus
    the bit count for banks).
    """

    kind: str
    variables: list[str]
    next_state: str = ""
    clocked_on: str = ""
    clocked_on_also: str = ""
    clear: str = ""
    preset: str = ""
    clear_preset_var1: str = ""
    clear_preset_var2: str = ""
    data_in: str = ""
    enable: str = ""
    enable_also: str = ""
    attributes: dict[str, str] = field(default_factory=dict)


# The expression attributes of ``Sequential`` (its string fields), in Liberty's order.
SEQUENTIAL_EXPRESSIONS = (
    "next_state",
    "clocked_on",
    "clocked_on_also",
    "clear",
    "preset",
    "clear_preset_var1",
    "clear_preset_var2",
    "data_in",
    "enable",
    "enable_also",
)


@dataclass(eq=False)
class StateTable:
    """A ``statetable ("in1 in2", "state")`` group; ``table`` kept as written."""

    input_nodes: str
    internal_nodes: str
    table: str = ""
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(eq=False)
class LeakagePower:
    """A ``leakage_power`` group: ``value`` in the library's leakage power unit."""

    value: float
    when: str = ""
    related_pg_pin: str = ""
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(eq=False)
class PgPin:
    """A ``pg_pin`` group: a power or ground pin ("primary_power", "primary_ground", ...)."""

    name: str
    voltage_name: str = ""
    pg_type: str = ""
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(eq=False)
class LibertyCell:
    """A ``cell`` group. ``area`` in the library's area unit (µm² in practice);
    ``cell_leakage_power`` in the leakage power unit. ``pins`` keeps file order; bus/bundle
    groups stay whole in ``buses`` (see ``all_pins``)."""

    name: str
    area: float = 0.0
    dont_use: bool = False
    dont_touch: bool = False
    cell_leakage_power: float | None = None
    cell_footprint: str = ""
    leakage_power: list[LeakagePower] = field(default_factory=list)
    sequential: list[Sequential] = field(default_factory=list)
    statetable: StateTable | None = None
    pins: dict[str, LibertyPin] = field(default_factory=dict)
    buses: dict[str, LibertyBus] = field(default_factory=dict)
    pg_pins: dict[str, PgPin] = field(default_factory=dict)
    attributes: dict[str, str] = field(default_factory=dict)
    complex_attributes: list[tuple[str, str]] = field(default_factory=list)

    @property
    def is_sequential(self) -> bool:
        """True for flip-flops, latches and state-table cells."""
        return bool(self.sequential) or self.statetable is not None

    def all_pins(self) -> dict[str, LibertyPin]:
        """Plain pins plus the pins written inside buses and bundles (by their full names)."""
        pins = dict(self.pins)
        for bus in self.buses.values():
            pins.update(bus.pins)
        return pins


@dataclass(eq=False)
class OperatingConditions:
    """An ``operating_conditions`` group (voltage in the voltage unit, temperature in °C)."""

    name: str
    process: float | None = None
    voltage: float | None = None
    temperature: float | None = None
    tree_type: str = ""
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(eq=False)
class WireLoad:
    """A ``wire_load`` group: per-unit-length R and C, slope, and fanout → length pairs."""

    name: str
    capacitance: float = 0.0
    resistance: float = 0.0
    slope: float = 0.0
    area: float | None = None
    fanout_length: list[tuple[int, float]] = field(default_factory=list)


@dataclass(eq=False)
class LibertyLibrary:
    """A whole Liberty ``library`` group.

    Unit strings are kept as written ("1ns", "1kohm"); the ``*_s``/``*_f``/``*_v``/``*_a``/
    ``*_w``/``*_ohm`` fields give one such unit in SI. Threshold percentages default to the
    Liberty defaults (50 % delay, 20/80 % slew) when the file omits them.
    """

    name: str
    time_unit: str = "1ns"
    time_unit_s: float = 1e-9
    capacitive_load_unit: tuple[float, str] = (1.0, "pf")
    capacitive_load_unit_f: float = 1e-12  # value × unit: (1, ff) → 1e-15
    voltage_unit: str = "1V"
    voltage_unit_v: float = 1.0
    current_unit: str = "1mA"
    current_unit_a: float = 1e-3
    leakage_power_unit: str = "1nW"
    leakage_power_unit_w: float = 1e-9
    pulling_resistance_unit: str = "1kohm"
    pulling_resistance_unit_ohm: float = 1e3
    delay_model: str = "table_lookup"
    nom_process: float | None = None
    nom_voltage: float | None = None
    nom_temperature: float | None = None
    default_operating_conditions: str = ""
    operating_conditions: dict[str, OperatingConditions] = field(default_factory=dict)
    input_threshold_pct_rise: float = 50.0
    input_threshold_pct_fall: float = 50.0
    output_threshold_pct_rise: float = 50.0
    output_threshold_pct_fall: float = 50.0
    slew_lower_threshold_pct_rise: float = 20.0
    slew_lower_threshold_pct_fall: float = 20.0
    slew_upper_threshold_pct_rise: float = 80.0
    slew_upper_threshold_pct_fall: float = 80.0
    slew_derate_from_library: float = 1.0
    default_max_transition: float | None = None
    default_max_capacitance: float | None = None
    default_input_pin_cap: float | None = None
    default_output_pin_cap: float | None = None
    default_inout_pin_cap: float | None = None
    default_fanout_load: float | None = None
    default_cell_leakage_power: float | None = None
    default_wire_load: str = ""
    templates: dict[str, LutTemplate] = field(default_factory=dict)
    bus_types: dict[str, BusType] = field(default_factory=dict)
    wire_loads: dict[str, WireLoad] = field(default_factory=dict)
    cells: dict[str, LibertyCell] = field(default_factory=dict)
    attributes: dict[str, str] = field(default_factory=dict)
    complex_attributes: list[tuple[str, str]] = field(default_factory=list)

    def bus_bits(self, bus: LibertyBus) -> list[str]:
        """Bit names of ``bus``: ``D[3]`` … ``D[0]`` (bit_from to bit_to of its bus type) for a
        bus, the members for a bundle; the explicit pin groups when the bus type is unknown."""
        if bus.kind == "bundle":
            return list(bus.members)
        bus_type = self.bus_types.get(bus.bus_type)
        if bus_type is None:
            return list(bus.pins)
        step = 1 if bus_type.bit_to >= bus_type.bit_from else -1
        bits = range(bus_type.bit_from, bus_type.bit_to + step, step)
        return [f"{bus.name}[{bit}]" for bit in bits]

    def cell_pins(self, cell: LibertyCell) -> dict[str, LibertyPin]:
        """Every bit-level pin of ``cell``: plain pins, then the bits of its buses and bundles.

        A bit with its own ``pin`` group maps to it; any other bit maps to the bus's ``pin``
        (whose ``name`` is the bus name, and whose attributes apply to every bit).
        """
        pins = dict(cell.pins)
        for bus in cell.buses.values():
            for bit in self.bus_bits(bus):
                pins[bit] = bus.pins.get(bit, bus.pin)
        return pins

    @property
    def energy_unit_j(self) -> float:
        """Internal power tables' unit in joules: capacitive load unit × voltage unit²."""
        return self.capacitive_load_unit_f * self.voltage_unit_v**2
