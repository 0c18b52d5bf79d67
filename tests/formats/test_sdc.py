"""SDC reader and writer: every shared SDC file, a full fixture, round trips and errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tapeout.db.compare import differences
from tapeout.db.netlist import Netlist, NetlistBuilder, PortDirection
from tapeout.errors import ParseError
from tapeout.formats.sdc import read_sdc, write_sdc
from tapeout.log import Log
from tests.conftest import DATA, SHARED, shared_path

DESIGN_SDCS = sorted(
    str(path.relative_to(SHARED)) for path in SHARED.glob("designs/*/*/constraint.sdc")
) or ["designs/gcd/sky130hd/constraint.sdc"]
GCD_STA_SDC = "sta/gcd_sky130hd/gcd_sky130hd.sdc"


def _verilog_ports(path: Path) -> Netlist:
    """The ports of a gate-level Verilog file (declarations like ``input [31:0] req_msg;``)."""
    builder = NetlistBuilder("gcd")
    for direction, msb, lsb, name in re.findall(
        r"^\s*(input|output)\s+(?:\[(\d+):(\d+)\]\s*)?(\w+)\s*;", path.read_text(), re.M
    ):
        kind = PortDirection.INPUT if direction == "input" else PortDirection.OUTPUT
        bits = [name] if not msb else [f"{name}[{i}]" for i in range(int(lsb), int(msb) + 1)]
        for bit in bits:
            builder.connect_port(builder.add_port(bit, kind), builder.net(bit))
    return builder.build()


def _tiny_netlist() -> Netlist:
    builder = NetlistBuilder("top")
    for name, direction in [
        ("clk", PortDirection.INPUT),
        ("rst", PortDirection.INPUT),
        ("data[0]", PortDirection.INPUT),
        ("data[1]", PortDirection.INPUT),
        ("out", PortDirection.OUTPUT),
    ]:
        builder.connect_port(builder.add_port(name, direction), builder.net(name))
    flop = builder.add_instance("u_ff", "DFF_X1")
    builder.connect(flop, "CK", builder.net("clk"))
    builder.connect(flop, "D", builder.net("data[0]"))
    builder.connect(flop, "Q", builder.net("out"))
    return builder.build()


def _first(pattern: str, text: str) -> str:
    match = re.search(pattern, text, re.M)
    assert match is not None, pattern
    return match.group(1)


def _value(text: str, name: str) -> float:
    match = re.search(rf"^set {name} (\S+)", text, re.M)
    assert match is not None
    return float(match.group(1))


@pytest.mark.parametrize("relative", DESIGN_SDCS)
def test_design_sdc_clock_and_io_delays(relative: str) -> None:
    path = shared_path(relative)
    text = path.read_text()
    log = Log()
    constraints = read_sdc(path, log=log)
    assert "SDC-0001" not in log.ids()  # no unknown command
    latency = float(_first(r"^set_clock_latency (\S+)", text))
    if "set clk_period" in text:
        period_ps = _value(text, "clk_period") * 1000.0
        clock_name = _first(r"^set clk_name (\S+)", text)
        input_delay_ps = output_delay_ps = period_ps * _value(text, "clk_io_pct")
        virtual = f"vclk_{clock_name}"
    else:  # written by write_sdc: literal numbers
        period_ps = float(_first(r"-period (\S+)", text)) * 1000.0
        clock_name, virtual = "clk", "vclk"
        input_delay_ps = float(_first(r"^set_input_delay (\S+)", text)) * 1000.0
        output_delay_ps = float(_first(r"^set_output_delay (\S+)", text)) * 1000.0
    clock = constraints.clocks[clock_name]
    assert clock.period_ps == pytest.approx(period_ps)
    assert clock.sources == [("port", "clk")]
    assert clock.waveform_ps == pytest.approx([0.0, period_ps / 2])
    assert clock.latency_max_ps == pytest.approx(latency * 1000.0)
    assert constraints.clocks[virtual].sources == []
    outputs = constraints.output_delays
    assert outputs and outputs[0].clock == virtual
    assert outputs[0].value_ps == pytest.approx(output_delay_ps)
    inputs = constraints.input_delays
    if "lappend $non_clock_inputs" in text:
        # The file appends to a variable named by the value of $non_clock_inputs: its list stays
        # empty and, as in OpenSTA, set_input_delay constrains nothing.
        assert inputs == [] and "SDC-0005" in log.ids()
    else:
        assert inputs[0].clock == virtual
        assert inputs[0].value_ps == pytest.approx(input_delay_ps)
    if "dynamic_node" in relative:
        assert len(inputs) == text.count("\nset_input_delay")
        assert len(outputs) == text.count("\nset_output_delay")
        assert inputs[0].objects == [("port", "dataIn_E[0]")]
        assert (inputs[0].applies_min, inputs[0].applies_max, inputs[0].add_delay) == (
            True,
            False,
            True,
        )
    elif "-no_clocks" in text:
        assert inputs[0].objects == [("all_inputs", "-no_clocks")]


@pytest.mark.parametrize("relative", DESIGN_SDCS)
def test_design_sdc_round_trip(relative: str, tmp_path: Path) -> None:
    first = read_sdc(shared_path(relative))
    write_sdc(tmp_path / "out.sdc", first)
    assert differences(first, read_sdc(tmp_path / "out.sdc")) == []


def test_gcd_sta_sdc_with_netlist(tmp_path: Path) -> None:
    path = shared_path(GCD_STA_SDC)
    netlist = _verilog_ports(shared_path("sta/gcd_sky130hd/gcd_sky130hd.v"))
    constraints = read_sdc(path, netlist=netlist)
    clock = constraints.clocks["clk"]
    assert clock.period_ps == 5000.0
    (delay,) = constraints.input_delays
    assert delay.value_ps == pytest.approx(1000.0)
    names = [name for _, name in delay.objects]
    assert names[:3] == ["req_val", "reset", "resp_rdy"]
    assert names[3:] == [f"req_msg[{i}]" for i in range(32)]
    outputs = [name for _, name in constraints.output_delays[0].objects]
    assert outputs == ["req_rdy", "resp_val"] + [f"resp_msg[{i}]" for i in range(16)]
    assert len(constraints.input_transitions_ps) == 36
    assert constraints.input_transitions_ps[("port", "clk")] == pytest.approx(100.0)
    write_sdc(tmp_path / "gcd.sdc", constraints)
    again = read_sdc(tmp_path / "gcd.sdc", netlist=netlist)
    assert differences(constraints, again) == []
    # Without a netlist the patterns stay as written.
    plain = read_sdc(path)
    assert plain.input_delays[0].objects[3] == ("port", "req_msg[*]")
    assert list(plain.input_transitions_ps) == [("all_inputs", "")]


def test_full_fixture_with_netlist(tmp_path: Path) -> None:
    log = Log()
    constraints = read_sdc(DATA / "sdc" / "full.sdc", netlist=_tiny_netlist(), log=log)
    assert "SDC-0002" in log.ids()  # set_wire_load_model ignored
    clocks = constraints.clocks
    assert list(clocks) == ["core", "vclk", "div2"]
    assert clocks["vclk"].period_ps == 4000.0 and clocks["vclk"].sources == []
    assert clocks["div2"].generated and clocks["div2"].period_ps == 4000.0
    assert clocks["div2"].master_source == [("port", "clk")]
    assert clocks["div2"].propagated
    core = clocks["core"]
    assert (core.uncertainty_setup_ps, core.uncertainty_hold_ps) == pytest.approx((50.0, 20.0))
    assert core.transition_ps == pytest.approx(100.0)
    assert core.latency_min_ps == core.latency_max_ps == pytest.approx(300.0)
    assert core.source_latency_max_ps == pytest.approx(200.0)
    assert core.source_latency_min_ps is None
    assert constraints.clock_groups[0].groups == [["core"], ["vclk"]]
    first, second = constraints.input_delays
    assert [name for _, name in first.objects] == ["rst", "data[0]", "data[1]"]
    assert second.clock_fall and second.add_delay and not second.applies_max
    assert constraints.output_delays[0].objects == [("port", "out")]
    assert constraints.loads_ff == {("port", "out"): pytest.approx(20.0)}
    driver = constraints.driving_cells[("port", "rst")]
    assert (driver.cell, driver.pin, driver.input_transition_ps) == ("BUF_X1", "Z", 50.0)
    assert set(constraints.input_transitions_ps) == {("port", "data[0]"), ("port", "data[1]")}
    false_path, setup_mcp, hold_mcp, max_delay, one_edge, through_edge = constraints.exceptions
    assert (one_edge.from_rf, one_edge.to_rf, one_edge.end_rf) == (0, 1, 0)
    assert through_edge.through == [[("pin", "u_ff/D")], [("port", "out")]]
    assert through_edge.through_rf == [1, None] and through_edge.setup and not through_edge.hold
    assert one_edge.hold and not one_edge.setup
    assert false_path.kind == "false_path" and false_path.through == [[("pin", "u_ff/D")]]
    assert false_path.to_objects == [("clock", "vclk")]
    assert (setup_mcp.multiplier, setup_mcp.setup, setup_mcp.hold, setup_mcp.end) == (
        2,
        True,
        False,
        True,
    )
    assert hold_mcp.from_objects == [("clock", "core")] and hold_mcp.to_objects == [
        ("cell", "u_ff")
    ]
    assert max_delay.value_ps == pytest.approx(1500.0)
    assert constraints.max_fanout == {("design", "top"): 8.0}
    assert constraints.max_capacitance_ff == {("port", "out"): pytest.approx(100.0)}
    assert constraints.case_analysis == {("port", "rst"): "0"}
    (limit,) = constraints.clock_transition_limits
    assert (limit.clock, limit.limit_ps, limit.data_path, limit.fall) == (
        "core",
        200.0,
        False,
        False,
    )
    (disabled,) = constraints.disabled_timing
    assert (disabled.objects, disabled.from_pin, disabled.to_pin) == ([("cell", "u_ff")], "CK", "Q")
    assert constraints.dont_touch == {("cell", "u_ff"): True}
    assert [d.late for d in constraints.timing_derates] == [False, True]
    write_sdc(tmp_path / "full.sdc", constraints)
    again = read_sdc(tmp_path / "full.sdc", netlist=_tiny_netlist())
    assert differences(constraints, again) == []


def test_full_fixture_without_netlist_round_trip(tmp_path: Path) -> None:
    first = read_sdc(DATA / "sdc" / "full.sdc")
    assert first.input_delays[0].objects == [("all_inputs", "")]  # delete_from_list found no clk
    write_sdc(tmp_path / "full.sdc", first)
    assert differences(first, read_sdc(tmp_path / "full.sdc")) == []


def test_units_and_library_time_unit(tmp_path: Path) -> None:
    path = tmp_path / "units.sdc"
    path.write_text("create_clock -name a -period 500\nset_units -time ns\nset_load 3 x\n")
    constraints = read_sdc(path, library_time_unit_s=1e-12, cap_unit_f=1e-15)
    assert constraints.clocks["a"].period_ps == 500.0
    assert constraints.loads_ff[("port", "x")] == 3.0
    write_sdc(tmp_path / "out.sdc", constraints)
    again = read_sdc(tmp_path / "out.sdc", library_time_unit_s=1e-12, cap_unit_f=1e-15)
    assert differences(constraints, again) == []


def test_generated_clock_edges_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "edges.sdc"
    path.write_text(
        "create_clock -name core -period 2 [get_ports clk]\n"
        "create_generated_clock -name g -source [get_ports clk] -edges {1 3 5}"
        " -edge_shift {0 0.1 0} [get_pins u_ff/Q]\n"
    )
    constraints = read_sdc(path, netlist=_tiny_netlist())
    clock = constraints.clocks["g"]
    assert clock.generated and clock.edges == [1, 3, 5]
    assert clock.edge_shift_ps == pytest.approx([0.0, 100.0, 0.0])
    write_sdc(tmp_path / "out.sdc", constraints)
    assert differences(constraints, read_sdc(tmp_path / "out.sdc", netlist=_tiny_netlist())) == []


@pytest.mark.parametrize(
    "option",
    ["-edges {1 3}", "-edges {3 2 5}", "-edges {0 1 2}", "-edges {1 3 5} -edge_shift {0 1}"],
)
def test_generated_clock_bad_edges_name_the_line(tmp_path: Path, option: str) -> None:
    path = tmp_path / "bad.sdc"
    path.write_text(
        "create_clock -name core -period 2 [get_ports clk]\n"
        f"create_generated_clock -name g -source [get_ports clk] {option} [get_pins u_ff/Q]\n"
    )
    with pytest.raises(ParseError) as caught:
        read_sdc(path, netlist=_tiny_netlist())
    assert caught.value.file is not None and caught.value.line == 2


def test_unknown_command_warns_with_location(tmp_path: Path) -> None:
    path = tmp_path / "w.sdc"
    path.write_text("create_clock -period 1 -name c\n\nfrobnicate 1 2\n")
    log = Log()
    read_sdc(path, log=log)
    assert any(i == "SDC-0001" and f"{path}:3" in t for _, i, t in log.messages)


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("create_clock -name c -period {1\n", "missing close-brace", 1),
        ("\ncreate_clock -name c -period abc\n", "bad number", 2),
        ("create_clock -name c -period 1 -bogus\n", "unknown option -bogus", 1),
        ("create_clock -name c\n", "missing required option -period", 1),
        ("create_clock -name c -period 1\nset_input_delay -clock c\n", "missing required", 2),
        ("set x [expr 1 +]\n", "missing operand", 1),
        ("set a $undefined\n", "no such variable", 1),
        ("create_clock -name c -period 1\nset_multicycle_path -from c\n", "missing required", 2),
        ('set x "abc\n', 'missing "', 1),
        ("set x [list a b\n", "missing close-bracket", 1),
        ("set x {a}b\n", "extra characters after close-brace", 1),
        (
            "create_clock -name c -period 1\nset_clock_uncertainty 0.1 -from [get_clocks c]\n",
            "give one -from, one -to and a value",
            2,
        ),
        ("\nset_disable_timing -from A [get_pins u1/A]\n", "not with pin objects", 2),
        ("set_disable_timing\n", "set_disable_timing", 1),
    ],
)
def test_errors_name_file_and_line(tmp_path: Path, text: str, message: str, line: int) -> None:
    path = tmp_path / "bad.sdc"
    path.write_text(text)
    with pytest.raises(ParseError, match=re.escape(message)) as info:
        read_sdc(path)
    assert info.value.file == str(path)
    assert info.value.line == line


@pytest.mark.parametrize(
    "relative", ["designs/gcd/sky130hd/constraint.sdc", "designs/riscv32i/sky130hd/constraint.sdc"]
)
def test_design_sdc_with_netlist_expands_queries(relative: str) -> None:
    netlist = _verilog_ports(shared_path("sta/gcd_sky130hd/gcd_sky130hd.v"))
    log = Log()
    constraints = read_sdc(shared_path(relative), netlist=netlist, log=log)
    outputs = [name for _, name in constraints.output_delays[0].objects]
    assert outputs == ["req_rdy", "resp_val"] + [f"resp_msg[{i}]" for i in range(16)]
    if "gcd" in relative:  # all_inputs -no_clocks: every input but the clock port
        names = [name for _, name in constraints.input_delays[0].objects]
        assert names == ["req_val", "reset", "resp_rdy"] + [f"req_msg[{i}]" for i in range(32)]
    else:  # the foreach/lappend idiom of this file appends to another variable
        assert constraints.input_delays == []


def test_queries_that_match_nothing_warn(tmp_path: Path) -> None:
    path = tmp_path / "q.sdc"
    path.write_text(
        "create_clock -name c -period 1 [get_ports clk]\n"
        "set_load 1 [get_ports nothere]\n"
        "set_clock_latency 0.1 [get_ports rst]\n"
        "set_false_path -from [get_pins -quiet nope/*]\n"
        "set_input_transition 0.2 [get_ports data]\n"
    )
    log = Log()
    constraints = read_sdc(path, netlist=_tiny_netlist(), log=log)
    assert log.ids().count("SDC-0004") == 1  # -quiet silences the get_pins
    assert "SDC-0003" in log.ids()  # latency on a port is not modelled
    assert constraints.loads_ff == {}
    assert constraints.exceptions[0].from_objects == []
    # A bus named without its bits means all of them.
    assert list(constraints.input_transitions_ps) == [("port", "data[0]"), ("port", "data[1]")]


def test_collection_commands(tmp_path: Path) -> None:
    # The PrimeTime/Design Compiler idioms hand-written SDCs use; remove_from_collection was an
    # unknown command, so the input delays it was meant to set were silently dropped.
    path = tmp_path / "c.sdc"
    path.write_text(
        "create_clock -name c -period 1 [get_ports clk]\n"
        "set ins [remove_from_collection [all_inputs] [get_ports {clk rst}]]\n"
        "set_input_delay -clock c 0.2 $ins\n"
        "set_input_delay -clock c 0.1 [remove_from_collection -intersect [all_inputs] rst]\n"
        "set both [add_to_collection -unique [get_ports rst] [get_ports {rst out}]]\n"
        "set_load 0.01 [remove_from_collection $both [get_ports rst]]\n"
        "set n 0\n"
        "foreach_in_collection port $ins { incr n }\n"
        "set_max_fanout [expr $n * [sizeof_collection $both]] [current_design]\n"
        "set_false_path -from [get_ports [get_object_name [get_ports rst]]]\n"
    )
    log = Log()
    constraints = read_sdc(path, netlist=_tiny_netlist(), log=log)
    assert "SDC-0001" not in log.ids()
    slow, fast = constraints.input_delays
    assert slow.objects == [("port", "data[0]"), ("port", "data[1]")]
    assert fast.objects == [("port", "rst")]
    assert list(constraints.loads_ff) == [("port", "out")]
    assert constraints.max_fanout == {("design", "top"): 4.0}  # 2 inputs x 2 ports
    assert constraints.exceptions[0].from_objects == [("port", "rst")]


def test_input_transition_min_and_max_are_kept_apart(tmp_path: Path) -> None:
    path = tmp_path / "t.sdc"
    path.write_text(
        "set_input_transition -max 0.3 [get_ports data*]\n"
        "set_input_transition -min 0.05 [get_ports data*]\n"
        "set_input_transition 0.1 [get_ports rst]\n"
        "set_input_transition -max 0.2 [get_ports clk]\n"
    )
    constraints = read_sdc(path, netlist=_tiny_netlist())
    assert constraints.input_transitions_ps[("port", "data[0]")] == pytest.approx(300.0)
    assert constraints.input_transitions_min_ps[("port", "data[0]")] == pytest.approx(50.0)
    assert constraints.input_transitions_ps[("port", "rst")] == pytest.approx(100.0)
    assert constraints.input_transitions_min_ps[("port", "rst")] == pytest.approx(100.0)
    assert ("port", "clk") not in constraints.input_transitions_min_ps
    write_sdc(tmp_path / "again.sdc", constraints)
    again = read_sdc(tmp_path / "again.sdc", netlist=_tiny_netlist())
    assert differences(constraints, again) == []


def test_timing_derate_paths_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "d.sdc"
    path.write_text(
        "set_timing_derate -late -data 1.1\nset_timing_derate -early -clock 0.9\n"
        "set_timing_derate -cell_check 1.05\n"
    )
    constraints = read_sdc(path)
    data, clock, check = constraints.timing_derates
    assert (data.data, data.clock, data.late, data.early) == (True, False, True, False)
    assert (clock.data, clock.clock, clock.late, clock.early) == (False, True, False, True)
    assert check.cell_check and check.data and check.clock
    write_sdc(tmp_path / "again.sdc", constraints)
    assert differences(constraints, read_sdc(tmp_path / "again.sdc")) == []


def test_disable_timing_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "d.sdc"
    path.write_text(
        "set_disable_timing -from S -to X [get_cells {u1 u2}]\n"
        "set_disable_timing [get_lib_cells lib/sky130_fd_sc_hd__nand2_1]\n"
        "set_disable_timing [get_pins u3/A]\n"
        "set_logic_zero [get_ports rst]\nset_logic_one [get_ports {en}]\n"
        "set_clock_gating_check -setup 0.1 -hold 0.05\n"
        "set_clock_gating_check -setup 0.3 [get_cells g2]\n"
        "set_max_time_borrow 0.05 [get_cells l1]\n"
    )
    constraints = read_sdc(path)
    cells, lib_cells, pins = constraints.disabled_timing
    assert (cells.from_pin, cells.to_pin) == ("S", "X")
    assert cells.objects == [("cell", "u1"), ("cell", "u2")]
    assert lib_cells.objects == [("lib_cell", "lib/sky130_fd_sc_hd__nand2_1")]
    assert pins.objects == [("pin", "u3/A")] and not pins.from_pin
    assert constraints.logic_values == {("port", "rst"): "0", ("port", "en"): "1"}
    assert constraints.max_time_borrow_ps == {("cell", "l1"): 50.0}
    design, instance = constraints.clock_gating_checks
    assert (design.setup_ps, design.hold_ps, design.objects) == (100.0, 50.0, [])
    assert (instance.setup_ps, instance.hold_ps, instance.objects) == (
        300.0,
        None,
        [("cell", "g2")],
    )
    write_sdc(tmp_path / "again.sdc", constraints)
    assert differences(constraints, read_sdc(tmp_path / "again.sdc")) == []


def test_transition_specific_exceptions_are_read_and_written(tmp_path: Path) -> None:
    # They were taken as plain -from/-to/-through in silence: a false path -rise_to hid the
    # falling paths' violations too. -through lists keep their written order across
    # -through / -rise_through / -fall_through.
    path = tmp_path / "edges.sdc"
    path.write_text(
        "create_clock -name c -period 1 [get_ports clk]\n"
        "set_false_path -rise_to [get_ports data]\n"
        "set_multicycle_path 2 -fall -from [get_clocks c]\n"
        "set_false_path -fall_from [get_clocks c] -fall_through [get_ports clk] "
        "-through [get_ports out] -rise_through [get_ports data]\n"
        "set_false_path -rise_from [get_ports data]\n"
    )
    log = Log()
    constraints = read_sdc(path, netlist=_tiny_netlist(), log=log)
    first, second, third, fourth = constraints.exceptions
    assert (first.from_rf, first.to_rf, first.end_rf) == (None, 0, None)
    assert (second.from_rf, second.to_rf, second.end_rf) == (None, None, 1)
    assert third.from_rf == 1
    assert third.through == [
        [("port", "clk")],
        [("port", "out")],
        [("port", "data[0]"), ("port", "data[1]")],
    ]
    assert third.through_rf == [1, None, 0]
    assert fourth.from_rf == 0 and fourth.from_objects == [
        ("port", "data[0]"),
        ("port", "data[1]"),
    ]
    assert "SDC-0003" not in log.ids()
    written = tmp_path / "written.sdc"
    write_sdc(written, constraints)
    text = written.read_text()
    assert "set_false_path -rise_to [get_ports {data" in text
    assert "set_multicycle_path -fall -from [get_clocks {c}] 2" in text
    assert "-fall_through [get_ports {clk}] -through [get_ports {out}] -rise_through" in text
    again = read_sdc(written, netlist=_tiny_netlist(), log=Log())
    assert [(e.from_rf, e.to_rf, e.end_rf) for e in again.exceptions] == [
        (None, 0, None),
        (None, None, 1),
        (1, None, None),
        (0, None, None),
    ]
    assert again.exceptions[2].through_rf == [1, None, 0]
