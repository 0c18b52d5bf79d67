"""``tapeout floorplan`` on a real netlist: DEF out, check, JSON report, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tapeout.cli import main
from tapeout.formats.def_ import read_def
from tests.conftest import shared_path


def test_floorplan_command_checks_and_writes_def(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    netlist = shared_path("sta/gcd_sky130hd/gcd_sky130hd.v")
    shared_path("pdks/sky130hd/PLATFORM.md")
    pins = tmp_path / "pins.txt"
    pins.write_text("clk left 30\nreq_msg[*] top\n")
    out = tmp_path / "gcd.def"
    status = main([
        "floorplan", str(netlist), "--platform", "sky130hd", "--utilization", "0.3",
        "--pins", str(pins), "--check", "--report", "json", "-o", str(out),
    ])  # fmt: skip
    assert status == 0
    report = json.loads(capsys.readouterr().out)
    assert report["check__problems"] == []
    assert report["check__supply__pieces"] == {"VDD": 1, "VSS": 1}
    assert report["floorplan__design__io__count"] == 54
    result = read_def(out)
    assert result.physical.n_rows == report["floorplan__design__rows__count"]
    assert set(result.wires.special_net_names) == {"VDD", "VSS"}
    top = result.physical.die_bbox()[3]
    for port, name in enumerate(result.netlist.port_names):
        if name.startswith("req_msg["):
            assert result.physical.port_y[port] == top


def test_floorplan_command_reads_def_input(tmp_path: Path) -> None:
    netlist = shared_path("sta/gcd_sky130hd/gcd_sky130hd.v")
    first = tmp_path / "a.def"
    assert main(["floorplan", str(netlist), "--no-power-grid", "-o", str(first)]) == 0
    second = tmp_path / "b.def"
    assert main(["floorplan", str(first), "--aspect-ratio", "0.5", "-o", str(second)]) == 0
    box = read_def(second).physical.die_bbox()
    assert box[2] > box[3]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--utilization", "2"], "utilization"),
        (["--macro", "u1", "x", "1"], "must be numbers"),
        (["--macro", "u1", "1", "1", "Q"], "orientation"),
    ],
)
def test_floorplan_command_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    netlist = shared_path("sta/gcd_sky130hd/gcd_sky130hd.v")
    status = main(["floorplan", str(netlist), "-o", str(tmp_path / "x.def"), *extra])
    assert status == 1
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x.def").exists()


def test_bad_pin_file_names_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    netlist = shared_path("sta/gcd_sky130hd/gcd_sky130hd.v")
    pins = tmp_path / "pins.txt"
    pins.write_text("clk left\nreset sideways\n")
    assert (
        main(["floorplan", str(netlist), "--pins", str(pins), "-o", str(tmp_path / "x.def")]) == 1
    )
    assert "pins.txt:2" in capsys.readouterr().err


def test_floorplan_refuses_to_write_over_its_netlist(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    netlist = tmp_path / "top.v"
    netlist.write_text("module top(a); input a; endmodule\n")
    status = main(["floorplan", str(netlist), "-o", str(netlist)])
    assert status == 1
    assert "top.v" in capsys.readouterr().err
    assert netlist.read_text() == "module top(a); input a; endmodule\n"
