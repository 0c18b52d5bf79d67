"""Building the Liberty from results: structure, units, and a write → read round trip."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tapeout.characterize.cells import FAMILIES
from tapeout.characterize.liberty_build import build_library, update_library
from tapeout.characterize.measure import ArcTables, CellResult, Grid
from tapeout.characterize.sequential import ConstraintTables, PulseWidthTables
from tapeout.db.compare import differences
from tapeout.db.liberty import LutTemplate
from tapeout.errors import ConfigError
from tapeout.formats.liberty import read_liberty, write_liberty

SLEWS = np.array([0.01, 0.1, 1.5])
LOADS = np.array([0.0005, 0.01, 0.1])


def _table(offset: float) -> np.ndarray:
    return offset + SLEWS[:, None] * 0.5 + LOADS[None, :] * 4.0


def _inverter() -> CellResult:
    result = CellResult("sky130_fd_sc_hd__inv_1", FAMILIES["inv"], Grid(SLEWS, {"Y": LOADS}))
    result.arcs.append(
        ArcTables(
            "A",
            "Y",
            "negative_unate",
            _table(0.02),
            _table(0.01),
            _table(0.015),
            _table(0.012),
            _table(0.001),
            _table(-0.001),
        )
    )
    result.arcs[0].cell_fall[1, 1] = np.nan  # a failed measurement is filled from a neighbour
    result.pin_rise_cap_pf["A"] = 0.0021
    result.pin_fall_cap_pf["A"] = 0.0023
    result.leakage_nw += [("!A", 0.003), ("A", 0.005)]
    return result


def _flop() -> CellResult:
    family = FAMILIES["dfrtp"]
    result = CellResult("sky130_fd_sc_hd__dfrtp_1", family, Grid(SLEWS, {"Q": LOADS}))
    result.arcs.append(
        ArcTables(
            "CLK",
            "Q",
            "non_unate",
            _table(0.3),
            _table(0.32),
            _table(0.05),
            _table(0.04),
            None,
            None,
            timing_type="rising_edge",
        )
    )
    result.arcs.append(
        ArcTables(
            "RESET_B",
            "Q",
            "positive_unate",
            None,
            _table(0.2),
            None,
            _table(0.04),
            None,
            None,
            timing_type="clear",
        )
    )
    constraint = np.full((3, 3), 0.05)
    result.constraints.append(
        ConstraintTables("D", "CLK", "setup_rising", constraint, constraint * 2, SLEWS)
    )
    for timing_type, value in (("recovery_rising", -0.2), ("removal_rising", 0.3)):
        result.constraints.append(
            ConstraintTables("RESET_B", "CLK", timing_type, constraint + value, None, SLEWS)
        )
    result.constraints.append(PulseWidthTables("CLK", SLEWS + 0.15, SLEWS + 0.2, SLEWS))
    result.constraints.append(PulseWidthTables("RESET_B", None, SLEWS + 0.18, SLEWS))
    for pin in family.inputs:
        result.pin_rise_cap_pf[pin] = result.pin_fall_cap_pf[pin] = 0.0017
    # the clock toggling with D = Q; one failed slew is filled from its neighbour
    result.pin_energy_pj["CLK"] = (np.array([0.018, np.nan, 0.019]), np.array([0.022] * 3))
    return result


def test_library_contents() -> None:
    physical = CellResult("sky130_fd_sc_hd__fill_1", FAMILIES["fill"], Grid(SLEWS, {}))
    tie = CellResult("sky130_fd_sc_hd__conb_1", FAMILIES["conb"], Grid(SLEWS, {}))
    library = build_library(
        [_flop(), _inverter(), physical, tie], {"sky130_fd_sc_hd__inv_1": 3.7536}
    )
    assert list(library.cells) == sorted(library.cells)
    inverter = library.cells["sky130_fd_sc_hd__inv_1"]
    assert inverter.area == 3.7536
    pin = inverter.pins["A"]
    assert (pin.rise_capacitance, pin.fall_capacitance, pin.capacitance) == (0.0021, 0.0023, 0.0022)
    output = inverter.pins["Y"]
    assert output.function == "(!A)" and output.max_capacitance == 0.1
    arc = output.timing[0]
    assert arc.timing_sense == "negative_unate" and arc.related_pin == "A"
    assert not np.isnan(arc.cell_fall.values).any()
    assert arc.cell_rise.index_2.tolist() == LOADS.tolist()
    assert output.internal_power[0].rise_power.values.shape == (3, 3)
    assert inverter.cell_leakage_power == 0.004
    flop = library.cells["sky130_fd_sc_hd__dfrtp_1"]
    assert flop.sequential[0].clear == "!RESET_B" and flop.sequential[0].clocked_on == "CLK"
    assert flop.pins["CLK"].clock and flop.pins["Q"].function == "IQ"
    kinds = {(arc.related_pin, arc.timing_type) for arc in flop.pins["Q"].timing}
    assert kinds == {("CLK", "rising_edge"), ("RESET_B", "clear")}
    clear = next(arc for arc in flop.pins["Q"].timing if arc.timing_type == "clear")
    assert clear.cell_rise is None and clear.cell_fall is not None
    assert flop.pins["D"].timing[0].rise_constraint.values.shape == (3, 3)
    releases = {arc.timing_type: arc for arc in flop.pins["RESET_B"].timing}
    assert set(releases) == {"recovery_rising", "removal_rising", "min_pulse_width"}
    # min_pulse_width: the pin against itself, over its own slew (a one-axis table)
    pulse = releases.pop("min_pulse_width")
    assert pulse.related_pin == "RESET_B" and pulse.rise_constraint is None
    assert pulse.fall_constraint.template == "constraint_3_0_1"
    assert pulse.fall_constraint.values.tolist() == (SLEWS + 0.18).tolist()
    assert pulse.fall_constraint.index_2.size == 0
    (clock_pulse,) = flop.pins["CLK"].timing
    assert clock_pulse.timing_type == "min_pulse_width" and clock_pulse.related_pin == "CLK"
    assert clock_pulse.rise_constraint.values.tolist() == (SLEWS + 0.15).tolist()
    assert library.templates["constraint_3_0_1"].variables == ["related_pin_transition"]
    for arc in releases.values():  # only the release (rising) edge of the reset
        assert arc.related_pin == "CLK" and arc.fall_constraint is None
    assert np.allclose(releases["removal_rising"].rise_constraint.values, 0.35)
    (clock_power,) = flop.pins["CLK"].internal_power
    assert clock_power.related_pin == "" and clock_power.rise_power.template == "power_inputs_1"
    assert clock_power.rise_power.values.tolist() == [0.018, 0.018, 0.019]
    assert clock_power.rise_power.index_1.tolist() == SLEWS.tolist()
    assert clock_power.rise_power.index_2.size == 0
    assert not flop.pins["D"].internal_power and not pin.internal_power  # none measured
    assert library.cells["sky130_fd_sc_hd__fill_1"].dont_touch
    assert library.cells["sky130_fd_sc_hd__conb_1"].pins["HI"].function == "1"


def test_output_energy_leaves_out_the_related_pins_own_energy() -> None:
    """A power tool adds an input pin's internal_power on every toggle of the pin, so an
    output's table holds the output edge's energy less the causing input edge's pin energy."""
    inverter = _inverter()  # negative unate: Y rises on A's fall, falls on A's rise
    inverter.pin_energy_pj["A"] = (np.full(3, -0.003), np.array([0.004, 0.005, 0.006]))
    flop = _flop()
    flop.arcs[0].rise_energy_pj, flop.arcs[0].fall_energy_pj = _table(0.034), _table(0.035)
    library = build_library([inverter, flop], {})
    (power,) = library.cells["sky130_fd_sc_hd__inv_1"].pins["Y"].internal_power
    a_fall = np.array([0.004, 0.005, 0.006])[:, None]
    assert np.allclose(power.rise_power.values, _table(0.001) - a_fall)
    assert np.allclose(power.fall_power.values, _table(-0.001) + 0.003)
    # a clock edge: both Q edges follow CLK's rise (0.018, a failed slew filled as in its table)
    (clock_to_q,) = library.cells["sky130_fd_sc_hd__dfrtp_1"].pins["Q"].internal_power
    clk_rise = np.array([0.018, 0.018, 0.019])[:, None]
    assert np.allclose(clock_to_q.rise_power.values, _table(0.034) - clk_rise)
    assert np.allclose(clock_to_q.fall_power.values, _table(0.035) - clk_rise)
    # a pin without an energy group of its own keeps the whole output energy
    plain = build_library([_inverter()], {}).cells["sky130_fd_sc_hd__inv_1"]
    assert np.allclose(plain.pins["Y"].internal_power[0].rise_power.values, _table(0.001))


def test_round_trip(tmp_path: Path) -> None:
    library = build_library([_inverter(), _flop()], {})
    path = tmp_path / "ours.lib.gz"
    write_liberty(path, library)
    first = read_liberty(path)
    write_liberty(tmp_path / "again.lib", first)
    second = read_liberty(tmp_path / "again.lib")
    assert differences(first, second) == []
    arc = first.cells["sky130_fd_sc_hd__inv_1"].pins["Y"].timing[0]
    assert np.allclose(arc.cell_rise.values, np.round(_table(0.02), 7))
    assert first.slew_lower_threshold_pct_rise == 20.0 and first.slew_derate_from_library == 1.0
    assert first.time_unit == "1ns" and first.capacitive_load_unit_f == 1e-12
    recovery = first.cells["sky130_fd_sc_hd__dfrtp_1"].pins["RESET_B"].timing[0]
    assert recovery.timing_type == "recovery_rising" and recovery.fall_constraint is None
    clock_power = first.cells["sky130_fd_sc_hd__dfrtp_1"].pins["CLK"].internal_power[0]
    assert clock_power.fall_power.values.tolist() == [0.022] * 3
    assert first.templates["power_inputs_1"].variables == ["input_transition_time"]
    pulse = first.cells["sky130_fd_sc_hd__dfrtp_1"].pins["CLK"].timing[0]
    assert pulse.timing_type == "min_pulse_width"
    assert np.allclose(pulse.fall_constraint.values, SLEWS + 0.2)
    assert pulse.fall_constraint.index_1.tolist() == SLEWS.tolist()


def _read_back(library, path: Path):
    write_liberty(path, library)
    return read_liberty(path)


def test_update_replaces_and_adds_cells(tmp_path: Path) -> None:
    """Regenerating some cells of a library: those replaced where they stand, a new one added
    in name order, the others and the header kept; templates the base lacks are added."""
    base = build_library([_inverter(), _flop()], {})
    base.attributes["revision"] = "7"
    base = _read_back(base, tmp_path / "base.lib")
    slower = _inverter()
    slower.arcs[0].cell_rise = _table(0.05)
    added = _inverter()
    added.name = "sky130_fd_sc_hd__inv_2"
    update = build_library([slower, added], {})
    update.templates["vio_5_5"] = LutTemplate("vio_5_5", "lu_table_template", ["x"], [SLEWS])
    merged = update_library(base, update, file=tmp_path / "base.lib")
    assert list(merged.cells) == [
        "sky130_fd_sc_hd__dfrtp_1",
        "sky130_fd_sc_hd__inv_1",
        "sky130_fd_sc_hd__inv_2",
    ]
    arc = merged.cells["sky130_fd_sc_hd__inv_1"].pins["Y"].timing[0]
    assert np.allclose(arc.cell_rise.values, _table(0.05))
    assert merged.cells["sky130_fd_sc_hd__dfrtp_1"] is base.cells["sky130_fd_sc_hd__dfrtp_1"]
    assert merged.attributes["revision"] == "7" and "vio_5_5" in merged.templates
    assert "vio_5_5" not in base.templates
    assert "sky130_fd_sc_hd__inv_2" not in base.cells  # the base itself is left alone
    again = _read_back(merged, tmp_path / "merged.lib")
    assert differences(merged, again) == []


def test_update_refuses_other_units_or_templates(tmp_path: Path) -> None:
    update = build_library([_inverter()], {})
    other_units = build_library([_flop()], {})
    other_units.time_unit, other_units.time_unit_s = "1ps", 1e-12
    with pytest.raises(ConfigError, match=r"base\.lib: time_unit is 1ps"):
        update_library(other_units, update, file="base.lib")
    other_axes = build_library([_flop()], {})
    template = other_axes.templates["del_1_7_7"]
    template.indices = [index * 2 for index in template.indices]
    with pytest.raises(ConfigError, match="template del_1_7_7 differs"):
        update_library(other_axes, update, file="base.lib")


def _clock_gate() -> CellResult:
    family = FAMILIES["dlclkp"]
    result = CellResult("sky130_fd_sc_hd__dlclkp_1", family, Grid(SLEWS, {"GCLK": LOADS}))
    result.arcs.append(
        ArcTables(
            "CLK",
            "GCLK",
            "positive_unate",
            _table(0.13),
            _table(0.13),
            _table(0.06),
            _table(0.04),
            None,
            None,
        )
    )
    constraint = np.full((3, 3), 0.1)
    result.constraints.append(
        ConstraintTables("GATE", "CLK", "setup_rising", constraint, constraint, SLEWS)
    )
    result.constraints.append(
        ConstraintTables("GATE", "CLK", "hold_rising", -constraint, -constraint, SLEWS)
    )
    for pin in family.inputs:
        result.pin_rise_cap_pf[pin] = result.pin_fall_cap_pf[pin] = 0.002
    return result


def test_clock_gate_is_written_as_an_integrated_clock_gate(tmp_path: Path) -> None:
    from tapeout.synth.liberty_cache import library_facts

    path = tmp_path / "gate.lib"
    write_liberty(path, build_library([_clock_gate()], {}))
    cell = read_liberty(path).cells["sky130_fd_sc_hd__dlclkp_1"]
    # as the official library writes it: synthesis recognises the gate by these attributes
    assert cell.attributes["clock_gating_integrated_cell"].strip('"') == "latch_posedge"
    assert cell.pins["CLK"].clock and cell.pins["CLK"].attributes["clock_gate_clock_pin"]
    assert cell.pins["GATE"].attributes["clock_gate_enable_pin"].strip('"') == "true"
    gclk = cell.pins["GCLK"]
    # the output is a state function of the latch node, not combinational logic
    assert gclk.function == "" and gclk.attributes["state_function"].strip('"') == "(CLK&M0)"
    assert cell.pins["M0"].direction == "internal"
    assert cell.statetable is not None and cell.statetable.internal_nodes == "M0"
    assert not cell.sequential  # no ff/latch group: Yosys must not map flops onto it
    (arc,) = gclk.timing
    assert (arc.related_pin, arc.timing_type, arc.timing_sense) == (
        "CLK",
        "combinational",
        "positive_unate",
    )
    kinds = {item.timing_type for item in cell.pins["GATE"].timing}
    assert kinds == {"setup_rising", "hold_rising"}
    (gate,) = library_facts(path).clock_gates
    assert (gate.clock_pin, gate.enable_pin, gate.output_pin) == ("CLK", "GATE", "GCLK")


def _tristate(family: str = "ebufn") -> CellResult:
    name = f"sky130_fd_sc_hd__{family}_2"
    result = CellResult(name, FAMILIES[family], Grid(SLEWS, {"Z": LOADS}))
    enable = "TE" if family == "einvp" else "TE_B"
    data_sense = "positive_unate" if family == "ebufn" else "negative_unate"
    tables = [_table(0.09), _table(0.1), _table(0.04), _table(0.02)]
    result.arcs.append(ArcTables("A", "Z", data_sense, *tables, _table(0.007), _table(0.006)))
    sense = "positive_unate" if family == "einvp" else "negative_unate"
    result.arcs.append(
        ArcTables(
            enable,
            "Z",
            sense,
            *tables,
            _table(0.03),
            _table(0.027),
            timing_type="three_state_enable",
        )
    )
    released = np.array([0.037, 0.012, -0.1])[:, None] * np.ones((1, 3))
    result.arcs.append(
        ArcTables(
            enable,
            "Z",
            "negative_unate" if family == "einvp" else "positive_unate",
            released + 0.01,
            released,
            np.zeros(()),
            np.zeros(()),
            np.full((3, 3), -0.006),
            np.full((3, 3), -0.007),
            timing_type="three_state_disable",
        )
    )
    for pin in ("A", enable):
        result.pin_rise_cap_pf[pin] = result.pin_fall_cap_pf[pin] = 0.002
    result.output_cap_pf["Z"] = 0.0041234567
    result.leakage_nw += [(f"!A&!{enable}", 0.01), (f"A&{enable}", 0.02)]
    return result


def test_tristate_buffer_is_written_as_the_official_library_writes_it(tmp_path: Path) -> None:
    from tapeout.synth.liberty_cache import library_facts

    path = tmp_path / "tristate.lib"
    write_liberty(path, build_library([_tristate(), _tristate("einvp")], {}))
    library = read_liberty(path)
    pin = library.cells["sky130_fd_sc_hd__ebufn_2"].pins["Z"]
    assert (pin.direction, pin.function, pin.three_state) == ("output", "(A)", "(TE_B)")
    assert pin.capacitance == pytest.approx(0.0041235)  # the high-impedance output's own
    kinds = [(arc.related_pin, arc.timing_type, arc.timing_sense) for arc in pin.timing]
    assert kinds == [
        ("A", "combinational", "positive_unate"),
        ("TE_B", "three_state_enable", "negative_unate"),
        ("TE_B", "three_state_disable", "positive_unate"),
    ]
    # delay tables count the output's own capacitance in the load, power tables do not
    for arc in pin.timing:
        assert np.allclose(arc.cell_rise.index_2, np.round(LOADS + 0.0041234567, 7))
    disable = pin.timing[2]
    assert np.allclose(disable.cell_fall.values[:, 0], [0.037, 0.012, -0.1])
    assert np.allclose(np.ptp(disable.cell_fall.values, axis=1), 0)  # load-independent
    for table in (disable.rise_transition, disable.fall_transition):
        assert table.template == "scalar" and table.values.shape == () and table.values == 0
    groups = {(power.related_pin, power.when): power for power in pin.internal_power}
    assert set(groups) == {("A", ""), ("TE_B", "A"), ("TE_B", "!A")}
    assert np.allclose(groups["A", ""].rise_power.index_2, LOADS)
    # Z driven high (A): the enable's rise and the disable's fall; Z driven low: the others
    assert np.allclose(groups["TE_B", "A"].rise_power.values, _table(0.03))
    assert np.allclose(groups["TE_B", "A"].fall_power.values, -0.007)
    assert np.allclose(groups["TE_B", "!A"].rise_power.values, -0.006)
    assert np.allclose(groups["TE_B", "!A"].fall_power.values, _table(0.027))
    inverter = library.cells["sky130_fd_sc_hd__einvp_2"].pins["Z"]
    assert (inverter.function, inverter.three_state) == ("(!A)", "(!TE)")
    assert {(p.related_pin, p.when) for p in inverter.internal_power} >= {("TE", "!A")}
    # synthesis takes ebufn as a tri-state buffer (enable active low), not the inverter
    (buffer,) = library_facts(path).tristate_buffers
    assert buffer.name == "sky130_fd_sc_hd__ebufn_2"
    assert (buffer.data_pin, buffer.enable_pin, buffer.enable_low) == ("A", "TE_B", True)
