"""Timing loops and data into clock networks, against Debian OpenSTA: a clock gate whose enable
comes from the registers it clocks (a loop through the registers' clock-to-output arcs) and
one whose enable is a port; both enables get clock gating checks. Stored slacks under
tests/data/timing/loops/."""

from __future__ import annotations

from pathlib import Path

import pytest

from tapeout.db.liberty import LibertyLibrary
from tapeout.log import Log
from tapeout.timing import Timer
from tests.timing.debian_sta import endpoint_slacks_from_sta, requires_sta
from tests.timing.references import read_reference_case, timer_matching_reference

DATA = Path(__file__).resolve().parents[1] / "data" / "timing" / "loops"


def test_clock_gates_match_opensta(sky130_library: LibertyLibrary, tmp_path: Path) -> None:
    # The loop breaker used to disable an arc at a time among every pin behind the loop (on
    # cv32e40p 15,998 arcs, most on no loop), and a gate's enable reached the registers as their
    # clock (cv32e40p: 30 ns of "ideal" clock network delay).
    timer_matching_reference(
        sky130_library, DATA / "clock_gates.txt", DATA / "clock_gates.v", "clock_gates", tmp_path
    )


def test_one_arc_per_loop_is_cut_and_both_enables_get_gating_checks(
    sky130_library: LibertyLibrary, tmp_path: Path
) -> None:
    from tapeout.formats.sdc import read_sdc
    from tapeout.formats.verilog import read_verilog

    sdc, _ = read_reference_case(DATA / "clock_gates.txt")
    (tmp_path / "case.sdc").write_text(sdc)
    netlist = read_verilog(DATA / "clock_gates.v", top="clock_gates")
    log = Log()
    Timer(netlist, [sky130_library], read_sdc(tmp_path / "case.sdc", netlist=netlist), log=log)
    messages = dict((ident, text) for _, ident, text in log.messages)
    # The loop's gate: its enable input into the gated clock, nothing else.
    assert messages["STA-0003"] == "timing loops: disabled 1 arcs (_2_/B -> _2_/X)"
    # The port-enabled gate: no loop, its enable cut from the clock network all the same;
    # the loop's cut arc and it are both AND gates: clock gating checks, nothing untimed.
    assert messages["STA-0047"] == "2 clock gate enables get clock gating checks"
    assert "STA-0041" not in messages


@requires_sta
def test_stored_clock_gate_references_are_debian_sta(tmp_path: Path) -> None:
    sdc, expected = read_reference_case(DATA / "clock_gates.txt")
    found = endpoint_slacks_from_sta(tmp_path, DATA / "clock_gates.v", "clock_gates", sdc)
    for check in ("setup", "hold"):
        assert found[check] == pytest.approx(expected[check], abs=1e-3), check
