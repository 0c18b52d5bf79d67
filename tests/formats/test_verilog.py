"""Tests of the structural Verilog reader and writer (tapeout.formats.verilog)."""

from __future__ import annotations

import gzip
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tapeout.db.compare import differences
from tapeout.db.netlist import CONST0, CONST1, Netlist, PortDirection
from tapeout.db.synthetic import make_netlist
from tapeout.errors import InputFileError, ParseError
from tapeout.formats.verilog import format_verilog, read_verilog, write_verilog
from tapeout.log import Log
from tests.conftest import DATA, shared_path

FIXTURE = DATA / "verilog" / "hierarchy.v"
GCD = "sta/gcd_sky130hd/gcd_sky130hd.v"


def connections(netlist: Netlist) -> dict[str, str]:
    """``inst/TERM`` or port name -> net name, for every pin."""
    return {
        netlist.pin_name(p): netlist.net_names[int(netlist.pin_net[p])]
        for p in range(netlist.n_pins)
    }


def round_trip(netlist: Netlist, tmp_path: Path) -> Netlist:
    path = tmp_path / "written.v"
    write_verilog(path, netlist)
    return read_verilog(path)


def read_text(tmp_path: Path, text: str, **options: object) -> Netlist:
    path = tmp_path / "netlist.v"
    path.write_text(text)
    return read_verilog(path, **options)  # type: ignore[arg-type]


# ---- the hand-written fixture ----------------------------------------------------------------


def test_fixture_structure() -> None:
    netlist = read_verilog(FIXTURE)
    assert netlist.top == "top"
    assert netlist.inst_names.names == [
        "reg[0]", "reg[1]", "n1", "i1", "b1", "sram0", "tie0",
        "u_add/b0", "u_add/o1", "u_add/h0/x1", "u_add/h0/a1", "u_add/h1/x1", "u_add/h1/a1",
    ]  # fmt: skip
    assert netlist.port_names.names[:3] == ["clk", "in[0]", "in[1]"]
    assert netlist.port_names.names[-3:] == ["esc.port", "tie[0]", "tie[1]"]
    assert netlist.port_direction[netlist.port_names.index("out[3]")] == PortDirection.OUTPUT
    wired = connections(netlist)
    # Ordered connections through two levels, concatenation {in[3], in[2]} for y.
    assert wired["u_add/h0/x1/A"] == "in[0]"
    assert wired["u_add/h0/x1/B"] == "in[2]"
    assert wired["u_add/h1/a1/B"] == "in[3]"
    assert wired["u_add/h0/x1/X"] == "s[0]"
    assert wired["u_add/h1/x1/X"] == "u_add/p/q"  # escaped net inside the submodule
    assert wired["u_add/b0/A"] == "u_add/p/q"
    # Constants, assigns (the port name survives), x bits and open pins.
    assert wired["n1/B"] == CONST1
    assert wired["b1/X"] == "esc.port"
    assert wired["tie[0]"] == CONST1 and wired["tie[1]"] == CONST0
    assert wired["out[6]"] == CONST0
    assert wired["out[7]"] == "in[5]"
    assert wired["i1/Y"] == "weird[name]"
    # Multi-bit pins of a cell without a definition, most significant bit first.
    assert [wired[f"sram0/D[{i}]"] for i in (3, 2, 1, 0)] == ["bus[0]", "s[2]", "in[7]", "in[6]"]
    assert [wired[f"sram0/Q[{i}]"] for i in (3, 2, 1, 0)] == [
        "out[5]",
        "out[4]",
        "out[3]",
        "out[2]",
    ]
    assert "sram0/EN" not in wired and "tie0/HI" not in wired
    # Declared but unused bus bits stay nets; constants come last.
    assert "bus[3]" in netlist.net_names
    assert netlist.net_names.names[-2:] == [CONST0, CONST1]
    assert netlist.masters.names[0] == "sky130_fd_sc_hd__dfxtp_1"


def test_fixture_round_trip(tmp_path: Path) -> None:
    netlist = read_verilog(FIXTURE)
    again = round_trip(netlist, tmp_path)
    assert differences(netlist, again) == []
    text = (tmp_path / "written.v").read_text()
    assert "input [7:0] in;" in text
    assert "wire [3:0] bus;" in text
    assert "\\weird[name] " in text
    assert "assign out[7] = in[5];" in text
    assert ".D({bus[0], s[2], in[7], in[6]})" in text


def test_write_is_deterministic(tmp_path: Path) -> None:
    netlist = read_verilog(FIXTURE)
    assert format_verilog(netlist) == format_verilog(read_verilog(FIXTURE))


def test_gzip_round_trip(tmp_path: Path) -> None:
    netlist = read_verilog(FIXTURE)
    write_verilog(tmp_path / "n.v.gz", netlist)
    assert differences(netlist, read_verilog(tmp_path / "n.v.gz")) == []


# ---- real and generated netlists -----------------------------------------------------------


def test_gcd_structure_and_round_trip(tmp_path: Path) -> None:
    netlist = read_verilog(shared_path(GCD), top="gcd")
    assert netlist.top == "gcd"
    assert netlist.n_insts == 1292
    assert netlist.n_ports == 1 + 1 + 1 + 1 + 1 + 1 + 32 + 16
    taps = netlist.masters.index("sky130_fd_sc_hd__tapvpwrvgnd_1")
    assert int(np.count_nonzero(netlist.inst_master == taps)) == 1040
    wired = connections(netlist)
    assert wired["_197_/A"] == "dpath.a_lt_b$in1[14]"
    assert wired["_197_/Y"] == "_035_"
    assert wired["clkbuf_0_clk/A"] == "clk"
    assert wired["rebuffer9/A"] == "net8"
    assert netlist.masters[int(netlist.inst_master[netlist.inst_names.index("_197_")])] == (
        "sky130_fd_sc_hd__xnor2_1"
    )
    assert differences(netlist, round_trip(netlist, tmp_path)) == []


def test_synthetic_round_trip(tmp_path: Path) -> None:
    original = make_netlist(10_000, seed=3)
    first = round_trip(original, tmp_path)
    assert first.n_insts == original.n_insts
    assert first.inst_names == original.inst_names
    assert [first.masters[m] for m in first.inst_master] == [
        original.masters[m] for m in original.inst_master
    ]
    # Output ports take over the names of the nets they are assigned from.
    assert first.n_nets == original.n_nets
    second = round_trip(first, tmp_path)
    assert differences(first, second) == []


def test_several_files_and_default_top(tmp_path: Path) -> None:
    (tmp_path / "leaf.v").write_text(
        "module sub (input a, output y);\n  INV u (.A(a), .Y(y));\nendmodule\n"
    )
    (tmp_path / "top.v").write_text(
        "module chip (input i, output o);\n  sub s0 (.a(i), .y(o));\nendmodule\n"
    )
    netlist = read_verilog([tmp_path / "top.v", tmp_path / "leaf.v"])
    assert netlist.top == "chip"
    assert connections(netlist) == {"i": "i", "o": "o", "s0/u/A": "i", "s0/u/Y": "o"}


def test_cell_stub_gives_port_order(tmp_path: Path) -> None:
    text = (
        "module NAND2 (A, B, Y); input A, B; output Y; endmodule\n"
        "module top (input a, b, output y);\n  NAND2 g (a, b, y);\nendmodule\n"
    )
    netlist = read_text(tmp_path, text)
    assert netlist.top == "top"
    assert connections(netlist)["g/B"] == "b"
    assert netlist.masters.names == ["NAND2"]
    bad_pin = text.replace("NAND2 g (a, b, y);", "NAND2 g (.A(a), .Z(b));")
    with pytest.raises(ParseError, match="cell NAND2 has no pin Z"):
        read_text(tmp_path, bad_pin)


def test_literals_and_replication(tmp_path: Path) -> None:
    text = (
        "module top (output [3:0] o, output [7:0] w, output z);\n"
        "  assign o = 4'hA;\n  assign w = {2{2'b10, 2'd1}};\n  assign z = 1'bx;\nendmodule\n"
    )
    log = Log()
    wired = connections(read_text(tmp_path, text, log=log))
    assert [wired[f"o[{i}]"] for i in (3, 2, 1, 0)] == [CONST1, CONST0, CONST1, CONST0]
    assert [wired[f"w[{i}]"][-1] for i in range(7, -1, -1)] == list("10011001")
    assert wired["z"] == "z"
    assert "VLOG-0004" in log.ids()


def test_empty_module_and_comments_in_escaped_names(tmp_path: Path) -> None:
    text = (
        "module top (input \\a//b , output y);\n  BUF u (.A(\\a//b ), .X(y)); // note\nendmodule\n"
    )
    netlist = read_text(tmp_path, text)
    assert connections(netlist)["u/A"] == "a//b"
    assert read_text(tmp_path, "module top; endmodule\n").n_insts == 0


def test_cell_parameters_are_skipped(tmp_path: Path) -> None:
    text = "module top (input a);\n  CELL #(.W(2)) u (.A(a));\nendmodule\n"
    log = Log()
    netlist = read_text(tmp_path, text, log=log)
    assert netlist.n_insts == 1 and "VLOG-0005" in log.ids()


# ---- errors --------------------------------------------------------------------------------


def expect_error(tmp_path: Path, text: str, message: str, line: int, **options: object) -> None:
    with pytest.raises(ParseError) as caught:
        read_text(tmp_path, text, **options)
    error = caught.value
    assert message in error.message
    assert error.file is not None and error.file.endswith("netlist.v")
    assert error.line == line, str(error)


def test_errors(tmp_path: Path) -> None:
    expect_error(tmp_path, "module top (a);\n  input a;\n  INV u (a);\nendmodule\n", "ordered", 3)
    expect_error(
        tmp_path,
        "module top (a);\n  input a;\n  INV u (.A(a));\n  INV u (.A(a));\nendmodule\n",
        "duplicate instance u",
        4,
    )
    expect_error(
        tmp_path,
        "module top (output [1:0] o, input a);\n\n  assign o = a;\nendmodule\n",
        "width mismatch",
        3,
    )
    expect_error(tmp_path, "module top (a);\n  input a\n  INV u (.A(a));\nendmodule\n", "", 3)
    expect_error(tmp_path, "module top (a);\n  input a;\n  INV u (.A(a))\n", "endmodule", 4)
    expect_error(tmp_path, "module top (a);\nendmodule\n", "no direction", 1)
    expect_error(
        tmp_path, "module top (input a);\n  wire [1:0] b;\n  X u (.A(b[5]));\nendmodule\n",
        "outside b[1:0]", 3,
    )  # fmt: skip
    expect_error(
        tmp_path, "module top ();\n  always @(posedge c) q <= d;\nendmodule\n", "not allowed", 2
    )
    expect_error(tmp_path, "`define X 1\nmodule top(); endmodule\n", "directive", 1)


def test_top_errors(tmp_path: Path) -> None:
    text = (
        "module a (); endmodule\nmodule b ();\n  X u ();\nendmodule\n"
        "module c ();\n  X u ();\nendmodule\n"
    )
    with pytest.raises(ParseError, match="several top module candidates: b, c"):
        read_text(tmp_path, text)
    with pytest.raises(ParseError, match="modules found: a, b, c"):
        read_text(tmp_path, text, top="nope")
    assert read_text(tmp_path, text, top="c").top == "c"
    with pytest.raises(InputFileError):
        read_verilog(tmp_path / "missing.v")


# ---- other tools accept what we write ------------------------------------------------------


def cell_stubs(netlist: Netlist) -> str:
    """Module stubs for every master, with the pins (and bus widths) the netlist uses."""
    pins: dict[str, dict[str, int]] = {}
    for pin in np.flatnonzero(netlist.pin_inst >= 0).tolist():
        master = netlist.masters[int(netlist.inst_master[netlist.pin_inst[pin]])]
        term = netlist.terms[int(netlist.pin_term[pin])]
        base, _, index = term.partition("[")
        width = int(index[:-1]) + 1 if index else 0
        ports = pins.setdefault(master, {})
        ports[base] = max(ports.get(base, 0), width)
    for master in netlist.masters:
        pins.setdefault(master, {})
    lines = []
    for master, ports in pins.items():
        names = ", ".join(ports)
        lines.append(f"module {master} ({names});")
        lines.extend(f"  input {f'[{w - 1}:0] ' if w else ''}{name};" for name, w in ports.items())
        lines.append("endmodule")
    return "\n".join(lines) + "\n"


@pytest.mark.skipif(shutil.which("iverilog") is None, reason="iverilog not installed")
def test_iverilog_accepts_written_netlist(tmp_path: Path) -> None:
    for netlist in (read_verilog(FIXTURE), make_netlist(200, seed=1)):
        write_verilog(tmp_path / "n.v", netlist)
        (tmp_path / "cells.v").write_text(cell_stubs(netlist))
        result = subprocess.run(
            [
                "iverilog",
                "-t",
                "null",
                "-o",
                "/dev/null",
                str(tmp_path / "n.v"),
                str(tmp_path / "cells.v"),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr


_YOSYS = """
import sys
from pyosys import libyosys as ys
design = ys.Design()
ys.run_pass("read_verilog " + sys.argv[1], design)
ys.run_pass("read_verilog -lib " + sys.argv[2], design)
ys.run_pass("hierarchy -check -top " + sys.argv[3], design)
ys.run_pass("stat", design)
"""


def test_yosys_accepts_written_netlist(tmp_path: Path) -> None:
    pytest.importorskip("pyosys")
    netlist = read_verilog(FIXTURE)
    write_verilog(tmp_path / "n.v", netlist)
    (tmp_path / "cells.v").write_text(cell_stubs(netlist))
    result = subprocess.run(
        [sys.executable, "-c", _YOSYS, str(tmp_path / "n.v"), str(tmp_path / "cells.v"), "top"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert re.search(r"\b13 cells\b", result.stdout)
    assert re.search(r"\b20 port bits\b", result.stdout)


@pytest.mark.skipif(shutil.which("sta") is None, reason="OpenSTA (sta) not installed")
def test_opensta_links_written_gcd(tmp_path: Path) -> None:
    netlist = read_verilog(shared_path(GCD))
    liberty = shared_path("pdks/sky130hd/lib/sky130_fd_sc_hd__tt_025C_1v80.lib.gz")
    (tmp_path / "cells.lib").write_bytes(gzip.decompress(liberty.read_bytes()))
    write_verilog(tmp_path / "gcd.v", netlist)
    (tmp_path / "check.tcl").write_text(
        f"read_liberty {tmp_path / 'cells.lib'}\nread_verilog {tmp_path / 'gcd.v'}\n"
        "link_design gcd\n"
        'puts "counts [llength [get_cells *]] [llength [get_nets *]] [llength [get_ports *]]"\n'
    )
    result = subprocess.run(
        ["sta", "-no_splash", "-exit", str(tmp_path / "check.tcl")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "counts 1292 288 54" in result.stdout, result.stdout[-2000:] + result.stderr[-2000:]
    assert "Error" not in result.stdout + result.stderr


def test_declaration_forms_and_bus_pins(tmp_path: Path) -> None:
    text = """module top (a, y, q);
  input [1:0] a;
  output y;
  output [1:0] q;
  wire p, r;
  wire \\e.x ;
  wire signed s;
  wire [1:0] w = a;
  supply1 vdd;
  tri t;
  RAM m (.D(w), .Q(q), .S(s), .E(\\e.x ), .V(vdd), .T(t), .P(p), .R(r));
  INV i (.A(r), .Y(y));
endmodule
"""
    netlist = read_text(tmp_path, text)
    assert netlist.net_names.names[:5] == ["a[0]", "a[1]", "y", "q[0]", "q[1]"]
    assert netlist.net_names.names[5:9] == ["p", "r", "e.x", "s"]
    wired = connections(netlist)
    assert [wired["m/D[1]"], wired["m/D[0]"]] == ["a[1]", "a[0]"]  # wire w = a merges into a
    assert [wired["m/Q[1]"], wired["m/Q[0]"]] == ["q[1]", "q[0]"]
    assert wired["m/V"] == CONST1 and wired["m/E"] == "e.x" and wired["m/T"] == "t"
    assert [netlist.terms[int(t)] for t in netlist.pin_term[netlist.pin_inst == 0]] == [
        "D[1]", "D[0]", "Q[1]", "Q[0]", "S", "E", "V", "T", "P", "R",
    ]  # fmt: skip
    assert differences(netlist, round_trip(netlist, tmp_path)) == []


def test_whole_bus_to_submodule_and_unconnected_port(tmp_path: Path) -> None:
    text = """module sub (input [1:0] d, output o, output unused);
  AND2 g (.A(d[1]), .B(d[0]), .X(o));
  BUF b (.A(d[0]), .X(unused));
endmodule
module top (input [1:0] d, output o);
  sub u (.d(d), .o(o), .unused());
endmodule
"""
    netlist = read_text(tmp_path, text)
    wired = connections(netlist)
    assert wired["u/g/A"] == "d[1]" and wired["u/g/B"] == "d[0]" and wired["u/g/X"] == "o"
    assert wired["u/b/X"] == "u/unused"
    assert differences(netlist, round_trip(netlist, tmp_path)) == []


def test_hierarchy_errors(tmp_path: Path) -> None:
    sub = (
        "module sub (input [1:0] d, output o);\n  AND2 g (.A(d[1]), .B(d[0]), .X(o));\nendmodule\n"
    )
    expect_error(
        tmp_path,
        sub + "module top (input a, output o);\n  sub u (.d(a), .o(o));\nendmodule\n",
        "width mismatch",
        5,
    )
    expect_error(
        tmp_path,
        sub + "module top (input [1:0] a, output o);\n  sub u (.d(a), .z(o));\nendmodule\n",
        "sub has no port z",
        5,
    )
    expect_error(
        tmp_path,
        "module top (input a);\n  loop u (.a(a));\nendmodule\n"
        "module loop (input a);\n  top t (.a(a));\nendmodule\n",
        "instantiates itself",
        1,
        top="top",
    )
    # An unsized literal adapts to the port width.
    netlist = read_text(
        tmp_path, sub + "module top (output o);\n  sub u (.d(1), .o(o));\nendmodule\n"
    )
    assert connections(netlist)["u/g/A"] == CONST0 and connections(netlist)["u/g/B"] == CONST1
