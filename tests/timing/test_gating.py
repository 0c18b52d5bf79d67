"""Inferred clock gating checks against Debian OpenSTA (tests/data/timing/gating/): AND, OR,
NAND and inverted-clock gates, enables from a latch, a flop and a flop of another clock."""

from __future__ import annotations

from pathlib import Path

import pytest

from tapeout.db.liberty import LibertyLibrary
from tapeout.timing import build_report, format_report
from tapeout.timing.constraints import _gated_hold_relation
from tapeout.timing.gating import FALL, RISE, gating_sense
from tests.timing.debian_sta import endpoint_slacks_from_sta, requires_sta
from tests.timing.references import read_reference_case, timer_matching_reference

DATA = Path(__file__).resolve().parents[1] / "data" / "timing" / "gating"


def test_gating_checks_match_opensta(sky130_library: LibertyLibrary, tmp_path: Path) -> None:
    # Before, the enables were cut from the clock network and not timed at all (STA-0041):
    # a flop-launched enable of an AND gate (g2/A, g6/B) changes while the clock is high.
    timer = timer_matching_reference(
        sky130_library, DATA / "gates.txt", DATA / "gates.v", "gates", tmp_path, tolerance_ps=0.01
    )
    report = build_report(timer, n_paths=1)
    assert report.hold_endpoints[0].name == "g6/B"
    assert report.hold_violations == 2
    text = format_report(build_report(timer, n_paths=3))
    assert "Endpoint: g6 (rising clock gating-check end-point clocked by clk)" in text
    assert "clock gating setup time" in text
    assert "^ g6/A (sky130_fd_sc_hd__and2_1)" in text  # the gate's clock pin


def test_gating_check_margins_match_opensta(sky130_library: LibertyLibrary, tmp_path: Path) -> None:
    # set_clock_gating_check was accepted and ignored: every gating check had zero margin.
    timer = timer_matching_reference(
        sky130_library, DATA / "gates_margins.txt", DATA / "gates.v", "gates", tmp_path
    )
    margins = timer.check_fixed_margin_ps[timer.graph.check_kind >= 4]
    assert set(margins[:, 0][margins[:, 0] > 0].round(3)) == {20.0, 100.0, 300.0}
    assert set(margins[:, 1][margins[:, 1] > 0].round(3)) == {150.0}


@requires_sta
@pytest.mark.parametrize("case", ["gating/gates", "gating/gates_margins", "clock_mux/clock_mux"])
def test_stored_gating_references_are_debian_sta(case: str, tmp_path: Path) -> None:
    folder_name, name = case.split("/")
    folder = DATA.parent / folder_name
    top = name.split("_margins")[0]
    sdc, expected = read_reference_case(folder / f"{name}.txt")
    found = endpoint_slacks_from_sta(tmp_path, folder / f"{top}.v", top, sdc)
    for check in ("setup", "hold"):
        assert found[check] == pytest.approx(expected[check], abs=1e-3), check


@pytest.mark.parametrize(
    ("function", "inputs", "clock", "enable", "sense"),
    [
        ("(A&B)", "A B", "A", "B", RISE),  # AND: setup at the rising clock
        ("!(A&B)", "A B", "B", "A", RISE),  # NAND
        ("(A|B)", "A B", "A", "B", FALL),  # OR: setup at the falling clock
        ("!(A|B)", "A B", "A", "B", FALL),
        ("(!A&B)", "A B", "A", "B", FALL),  # AND of the inverted clock
        ("(A&B&C)", "A B C", "C", "A", RISE),
        ("(A1&A2) | (B1)", "A1 A2 B1", "B1", "A1", FALL),  # a21o: OR with the clock on B1
        ("(A1&A2) | (B1)", "A1 A2 B1", "A1", "B1", None),  # the clock inside an operand
        ("(A0&!S) | (A1&S)", "A0 A1 S", "A0", "S", None),  # a clock mux: no gating check
        ("(A^B)", "A B", "A", "B", None),
        ("(A&B)", "A B", "A", "C", None),  # not an input of the function
    ],
)
def test_gating_sense(
    function: str, inputs: str, clock: str, enable: str, sense: int | None
) -> None:
    assert gating_sense(function, inputs.split(), clock, enable) == sense


def test_gated_hold_relation_is_opensta_cycle_accounting() -> None:
    # (launch period, launch edge, capture period, capture edge, capture's opposite edge) ps
    # AND gate, flop enable launched at the rise: hold at the fall of the same cycle.
    assert _gated_hold_relation(10.0, 0.0, 10.0, 5.0, 0.0) == 5.0
    # AND gate, latch enable launched at the fall: hold at that same fall.
    assert _gated_hold_relation(10.0, 5.0, 10.0, 5.0, 0.0) == 0.0
    # OR gate, flop enable launched at the rise: hold at the rise a period before.
    assert _gated_hold_relation(10.0, 0.0, 10.0, 0.0, 5.0) == -10.0
    # another clock (7 ns): the tightest over the common period
    assert _gated_hold_relation(7.0, 0.0, 10.0, 5.0, 0.0) == 5.0


def test_clock_mux_select_is_named_untimed(sky130_library: LibertyLibrary) -> None:
    from tapeout.db.constraints import Clock, Constraints
    from tapeout.db.netlist import NetlistBuilder, PortDirection
    from tapeout.log import Log
    from tapeout.timing import Timer

    builder = NetlistBuilder("mux")
    nets = {name: builder.net(name) for name in ("clk", "s", "d", "mclk", "q")}
    for name, direction in (("clk", PortDirection.INPUT), ("s", PortDirection.INPUT)):
        builder.connect_port(builder.add_port(name, direction), nets[name])
    builder.connect_port(builder.add_port("d", PortDirection.INPUT), nets["d"])
    mux = builder.add_instance("m1", "sky130_fd_sc_hd__mux2_1")
    for term, net in (("A0", "clk"), ("A1", "clk"), ("S", "s"), ("X", "mclk")):
        builder.connect(mux, term, nets[net])
    flop = builder.add_instance("r1", "sky130_fd_sc_hd__dfxtp_1")
    for term, net in (("CLK", "mclk"), ("D", "d"), ("Q", "q")):
        builder.connect(flop, term, nets[net])
    log = Log(echo=False)
    constraints = Constraints(clocks={"clk": Clock("clk", 1000.0, [0.0, 500.0], [("port", "clk")])})
    timer = Timer(builder.build(), [sky130_library], constraints, log=log)
    messages = {ident: text for _, ident, text in log.messages}
    # A mux select is no AND/OR-type gate of the clock: no gating check, and said so.
    assert "m1/S" in messages["STA-0041"]
    assert "STA-0047" not in messages
    assert timer.graph.check_kind.max() < 4


def test_register_clocked_by_two_clocks_is_checked_against_each(
    sky130_library: LibertyLibrary, tmp_path: Path
) -> None:
    # A clock mux of two clocks (free select) into registers: OpenSTA checks their data
    # against both clocks. Before, one capture clock per pin: r1/D read +8.85 ns (clka)
    # where clkb's capture gives -0.145 ns.
    from tapeout.formats.sdc import read_sdc
    from tapeout.formats.verilog import read_verilog
    from tapeout.log import Log
    from tapeout.timing import Timer

    case = Path(__file__).resolve().parents[1] / "data" / "timing" / "clock_mux"
    timer = timer_matching_reference(
        sky130_library, case / "clock_mux.txt", case / "clock_mux.v", "clock_mux", tmp_path
    )
    assert timer.check_capture_clock.max() == 1  # copies captured by clkb
    from tapeout.timing.report import trace_path

    r1_d = next(p for p in range(timer.netlist.n_pins) if timer.netlist.pin_name(p) == "r1/D")
    path = trace_path(timer, r1_d, "setup")
    assert path.capture_clock == "clkb" and path.launch_clock == "clka"
    assert path.slack_ps == pytest.approx(-145.238, abs=0.01)
    sdc, _ = read_reference_case(case / "clock_mux.txt")
    (tmp_path / "held.sdc").write_text(sdc + "set_case_analysis 0 [get_ports sel]\n")
    netlist = read_verilog(case / "clock_mux.v", top="clock_mux")
    log = Log(echo=False)
    held = Timer(
        netlist, [sky130_library], read_sdc(tmp_path / "held.sdc", netlist=netlist), log=log
    )
    # with the select held, only clka reaches the registers: one check each
    assert "STA-0048" not in {ident for _, ident, _ in log.messages}
    assert (held.check_capture_clock == -1).all()
