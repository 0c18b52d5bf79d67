"""Tri-state cells and inout ports against Debian OpenSTA (tests/data/timing/tristate/):
enable and disable arcs of ebufn/einvp/einvn, a tri-state output's own capacitance on its
net, two cells driving one output port, and inout ports driven inside the design."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tapeout.db.liberty import LibertyLibrary
from tapeout.db.netlist import Netlist
from tapeout.log import Log
from tapeout.timing import build_report, format_report
from tapeout.timing.graph import build_timing_graph
from tests.timing.debian_sta import endpoint_slacks_from_sta, requires_sta
from tests.timing.references import (
    read_reference_case,
    slacks_by_name,
    timer_for,
    timer_matching_reference,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "timing" / "tristate"


def _pins(netlist: Netlist) -> dict[str, int]:
    return {netlist.pin_name(pin): pin for pin in range(netlist.n_pins)}


def test_tristate_cells_and_inout_ports_match_opensta(
    sky130_library: LibertyLibrary, tmp_path: Path
) -> None:
    # Before: the enable/disable arcs were taken for sequential arcs (TE_B launched paths as a
    # clock pin), a tri-state output's own capacitance was left off its net (13 ps on the
    # port's path), and an inout port's output check saw its own input delay (hold at io0
    # read the 0.8 ns input delay instead of the driving cell's path).
    timer = timer_matching_reference(
        sky130_library, DATA / "tristate.txt", DATA / "tristate.v", "tristate", tmp_path
    )
    graph = timer.graph
    netlist = timer.netlist
    pins = _pins(netlist)
    io0 = pins["io0"]
    assert netlist.pin_name(int(graph.port_feed[io0])) == "t0/Z"
    assert graph.port_feed[pins["bus"]] == -1  # an output port: no input side
    # the inout port is not fed by a wire arc: its one pin keeps the input side only
    into = graph.pin_in_arcs[graph.pin_in_indptr[io0] : graph.pin_in_indptr[io0 + 1]]
    assert into.size == 0
    report = build_report(timer, n_paths=8)
    rows = {row.name: row for row in report.setup_endpoints}
    # the endpoint table reads the driving cell's arrival, not the port's 0.8 ns input delay
    assert rows["io0"].arrival_ps < 700
    assert rows["io0"].required_ps - rows["io0"].arrival_ps == pytest.approx(rows["io0"].slack_ps)
    text = format_report(report)
    assert "io0 (inout)" in text
    assert "Endpoint: io0 (output port clocked by clk)" in text
    assert "t0/Z (sky130_fd_sc_hd__ebufn_2)" in text


def test_resizing_a_tristate_driver_updates_its_own_load(
    sky130_library: LibertyLibrary, tmp_path: Path
) -> None:
    sdc, _ = read_reference_case(DATA / "tristate.txt")
    netlist, timer = timer_for(sky130_library, DATA / "tristate.v", "tristate", sdc, tmp_path)
    timer.update()
    t3 = netlist.inst_names.index("t3")
    bus_driver = _pins(netlist)["t3/Z"]
    before = timer.wires.load_cap_ff[bus_driver].copy()
    timer.resize(t3, "sky130_fd_sc_hd__ebufn_8")
    timer.update()
    # ebufn_1's Z has 2.26 fF of its own, ebufn_8's 9.75 fF: the net's load grows by the step
    assert timer.wires.load_cap_ff[bus_driver] - before == pytest.approx([7.49, 7.49], abs=0.01)
    incremental = {c: slacks_by_name(timer, netlist, c) for c in ("setup", "hold")}
    timer.update_full()
    for check in ("setup", "hold"):
        full = slacks_by_name(timer, netlist, check)
        for name, value in full.items():
            assert incremental[check][name] == pytest.approx(value, abs=1e-6), (check, name)


def test_enable_and_disable_arcs_are_combinational_with_their_sense(
    sky130_library: LibertyLibrary,
) -> None:
    from tapeout.formats.verilog import read_verilog

    netlist = read_verilog(DATA / "tristate.v", top="tristate")
    graph = build_timing_graph(netlist, [sky130_library], log=Log())
    enable = next(
        arc
        for arc in graph.templates["sky130_fd_sc_hd__ebufn_2"].arcs
        if arc.timing_type == "three_state_enable"
    )
    # TE_B falling turns Z on, to either level; TE_B rising does not (that is the disable arc)
    assert enable.delay_tables[1][0] >= 0 and enable.delay_tables[1][1] >= 0
    assert enable.delay_tables[0] == (-1, -1)
    te = {
        arc.timing_type: arc
        for arc in graph.templates["sky130_fd_sc_hd__einvp_1"].arcs
        if arc.from_pin == "TE"
    }
    assert te["three_state_enable"].delay_tables[1] == (-1, -1)  # TE rising enables
    assert te["three_state_disable"].delay_tables[0] == (-1, -1)  # TE falling disables
    te_b = _pins(netlist)["t0/TE_B"]
    arcs = graph.pin_out_arcs[graph.pin_out_indptr[te_b] : graph.pin_out_indptr[te_b + 1]]
    assert np.all(graph.arc_timing_type[arcs] == 0)  # no clock pin, no launch point


@requires_sta
def test_stored_tristate_reference_is_debian_sta(tmp_path: Path) -> None:
    sdc, expected = read_reference_case(DATA / "tristate.txt")
    found = endpoint_slacks_from_sta(tmp_path, DATA / "tristate.v", "tristate", sdc)
    for check in ("setup", "hold"):
        assert found[check] == pytest.approx(expected[check], abs=1e-3), check


def test_inout_port_with_two_driving_cells_says_which_one_is_checked(
    sky130_library: LibertyLibrary, tmp_path: Path
) -> None:
    from tapeout.formats.verilog import read_verilog

    verilog = tmp_path / "two.v"
    verilog.write_text(
        "module two(a, b, e0, e1, io);\n  input a, b, e0, e1;\n  inout io;\n"
        "  sky130_fd_sc_hd__ebufn_2 t0 (.A(a), .TE_B(e0), .Z(io));\n"
        "  sky130_fd_sc_hd__ebufn_2 t1 (.A(b), .TE_B(e1), .Z(io));\nendmodule\n"
    )
    log = Log()
    graph = build_timing_graph(read_verilog(verilog, top="two"), [sky130_library], log=log)
    warnings = [text for _, ident, text in log.messages if ident == "STA-0004"]
    assert warnings == [
        "inout port io has 2 driving cells; its output delay is checked on t0/Z's paths"
    ]
    assert graph.port_feed.max() >= 0
    assert "STA-0002" not in log.ids()  # the port's net is not counted as a shared net too
