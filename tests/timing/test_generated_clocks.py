"""Generated clocks: a divide-by-2 register clocks two registers as a plain clock would;
-divide_by, -edges, -edge_shift, ideal and propagated, against Debian OpenSTA."""

from __future__ import annotations

from pathlib import Path

import pytest

from tapeout.db.liberty import LibertyLibrary
from tapeout.db.netlist import Netlist, NetlistBuilder, PortDirection
from tapeout.formats.sdc import read_sdc
from tapeout.timing import Timer
from tests.timing.debian_sta import endpoint_slacks_from_sta, requires_sta
from tests.timing.references import (
    assert_matches_reference,
    read_reference_case,
    slacks_by_name,
    timer_for,
)


def divider_netlist(generated: bool) -> Netlist:
    """fdiv toggles on clk (Q -> inv -> D); f2 -> inv -> f3 -> f2 run on its Q (``generated``)
    or on a port clk2."""
    builder = NetlistBuilder("divider")
    names = ["clk"] + ([] if generated else ["clk2"])
    nets = {name: builder.net(name) for name in ("clk", "clk2", "gclk", "nd", "q2", "d3", "q3")}
    for name in names:
        builder.connect_port(builder.add_port(name, PortDirection.INPUT), nets[name])

    def flop(inst: str, clock: str, data: str, output: str) -> None:
        cell = builder.add_instance(inst, "sky130_fd_sc_hd__dfxtp_1")
        builder.connect(cell, "CLK", nets[clock])
        builder.connect(cell, "D", nets[data])
        builder.connect(cell, "Q", nets[output])

    def inverter(inst: str, source: str, sink: str) -> None:
        cell = builder.add_instance(inst, "sky130_fd_sc_hd__inv_1")
        builder.connect(cell, "A", nets[source])
        builder.connect(cell, "Y", nets[sink])

    flop("fdiv", "clk", "nd", "gclk")
    inverter("udiv", "gclk", "nd")
    register_clock = "gclk" if generated else "clk2"
    flop("f2", register_clock, "q3", "q2")
    inverter("u4", "q2", "d3")
    flop("f3", register_clock, "d3", "q3")
    return builder.build()


@pytest.mark.parametrize("check", ["setup", "hold"])
def test_divide_by_two_equals_a_plain_clock(
    sky130_library: LibertyLibrary, tmp_path: Path, check: str
) -> None:
    slacks = []
    for generated, sdc in (
        (
            True,
            "create_clock -name clk -period 1 [get_ports clk]\n"
            "create_generated_clock -name gclk -source [get_ports clk] -divide_by 2 "
            "[get_pins fdiv/Q]\n",
        ),
        (
            False,
            "create_clock -name clk -period 1 [get_ports clk]\n"
            "create_clock -name clk2 -period 2 [get_ports clk2]\n",
        ),
    ):
        netlist = divider_netlist(generated)
        path = tmp_path / f"{generated}.sdc"
        path.write_text(sdc)
        constraints = read_sdc(path, netlist=netlist)
        if generated:
            clock = constraints.clocks["gclk"]
            assert clock.period_ps == pytest.approx(2000.0)
            assert clock.waveform_ps == pytest.approx([0.0, 1000.0])
        timer = Timer(netlist, [sky130_library], constraints)
        timer.update()
        pins, slack = timer.endpoint_slacks(check)
        names = {netlist.pin_name(int(p)): float(s) for p, s in zip(pins, slack, strict=True)}
        slacks.append({k: names[k] for k in ("f2/D", "f3/D")})
        if generated:  # the divider's Q carries gclk only: no clk arrival past CK->Q
            q = next(p for p in range(netlist.n_pins) if netlist.pin_name(p) == "f2/CLK")
            assert timer.arrival_max_ps[q] == pytest.approx([0.0, 1000.0])
    assert slacks[0] == pytest.approx(slacks[1], abs=1e-6)


DATA = Path(__file__).resolve().parents[1] / "data" / "timing" / "generated"
CASES = [
    "divide_ideal",
    "divide_propagated",
    "divide_propagated_io",  # IO delays on both edges of the propagated generated clock
    "divide3_propagated",
    "edges_ideal",
    "edge_shift_ideal",
    "edge_shift_propagated",
]


def read_case(name: str) -> tuple[str, dict[str, dict[str, float]]]:
    return read_reference_case(DATA / f"{name}.txt")


def divider_timer(library: LibertyLibrary, sdc: str, folder: Path) -> tuple[Netlist, Timer]:
    return timer_for(library, DATA / "div.v", "div", sdc, folder)


@pytest.mark.parametrize("name", CASES)
def test_generated_clocks_match_opensta(
    sky130_library: LibertyLibrary, tmp_path: Path, name: str
) -> None:
    """-source on a pin the master reaches, -divide_by, -edges, -edge_shift, ideal and
    propagated (the generated clock's latency through the divider's CK->Q), every endpoint
    within 0.05 ps of Debian OpenSTA."""
    sdc, expected = read_case(name)
    netlist, timer = divider_timer(sky130_library, sdc, tmp_path)
    assert_matches_reference(lambda check: slacks_by_name(timer, netlist, check), expected, 0.05)


@pytest.mark.parametrize("name", ["divide_propagated", "divide_propagated_io"])
def test_propagated_generated_clock_incremental_equals_full(
    sky130_library: LibertyLibrary, tmp_path: Path, name: str
) -> None:
    """Resizing the divider register moves the generated clock's latency (its CK->Q), and
    with it the IO delays that count from it."""
    sdc, _ = read_case(name)
    netlist, timer = divider_timer(sky130_library, sdc, tmp_path)
    before = {check: slacks_by_name(timer, netlist, check) for check in ("setup", "hold")}
    divider = netlist.inst_names.get("fdiv")
    timer.resize(divider, "sky130_fd_sc_hd__dfxtp_4")
    timer.update()
    _, full = divider_timer(sky130_library, sdc, tmp_path)
    full.resize(divider, "sky130_fd_sc_hd__dfxtp_4")
    full.update_full()
    for check in ("setup", "hold"):
        incremental = slacks_by_name(timer, netlist, check)
        assert incremental["f2/D"] != pytest.approx(before[check]["f2/D"], abs=1.0)
        assert incremental == pytest.approx(slacks_by_name(full, netlist, check), abs=1e-6)


@requires_sta
def test_stored_generated_references_are_debian_sta(tmp_path: Path) -> None:
    """The stored slacks are what Debian ``sta`` reports today."""
    for name in CASES:
        sdc, expected = read_case(name)
        found = endpoint_slacks_from_sta(tmp_path, DATA / "div.v", "div", sdc)
        for check in ("setup", "hold"):
            assert found[check] == pytest.approx(expected[check], abs=1e-3), (name, check)
