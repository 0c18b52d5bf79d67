"""Latch time borrowing (sky130 dlxtp) and an integrated clock gate (dlclkp), against Debian
OpenSTA endpoint slacks stored under tests/data/timing/latch/."""

from __future__ import annotations

from pathlib import Path

import pytest

from tapeout.db.liberty import LibertyLibrary
from tapeout.db.netlist import Netlist
from tapeout.timing import Timer
from tapeout.timing.report import trace_path
from tests.timing.debian_sta import endpoint_slacks_from_sta, requires_sta
from tests.timing.references import (
    assert_matches_reference,
    read_reference_case,
    slacks_by_name,
    timer_for,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "timing" / "latch"
CASES = ["no_borrow", "borrow", "borrow_limit", "borrow_max"]


def read_case(name: str) -> tuple[str, dict[str, dict[str, float]]]:
    return read_reference_case(DATA / f"{name}.txt")


def latch_timer(library: LibertyLibrary, sdc: str, folder: Path) -> tuple[Netlist, Timer]:
    return timer_for(library, DATA / "lat.v", "lat", sdc, folder)


@pytest.mark.parametrize("name", CASES)
def test_latches_and_clock_gate_match_opensta(
    sky130_library: LibertyLibrary, tmp_path: Path, name: str
) -> None:
    """No borrowing (D before the opening edge), borrowing, and borrowing past the limit
    (closing edge less setup); the clock gate's GATE setup/hold checks."""
    sdc, expected = read_case(name)
    netlist, timer = latch_timer(sky130_library, sdc, tmp_path)
    assert timer.latch_arc.size == 1
    assert_matches_reference(lambda check: slacks_by_name(timer, netlist, check), expected, 0.05)


def test_borrowing_latch_launches_at_its_opening_edge(
    sky130_library: LibertyLibrary, tmp_path: Path
) -> None:
    sdc, expected = read_case("borrow")
    netlist, timer = latch_timer(sky130_library, sdc, tmp_path)
    assert slacks_by_name(timer, netlist, "setup")["l1/D"] == pytest.approx(0.0, abs=1e-9)
    endpoint = next(p for p in range(netlist.n_pins) if netlist.pin_name(p) == "f3/D")
    path = trace_path(timer, endpoint, "setup")
    assert path.points[0].name == "l1/Q"
    assert path.launch_clock == "clk" and path.launch_edge_ps == pytest.approx(200.0)
    assert path.slack_ps == pytest.approx(expected["setup"]["f3/D"], abs=0.05)


def test_latch_incremental_equals_full(sky130_library: LibertyLibrary, tmp_path: Path) -> None:
    """Resizing a buffer before the latch moves what it borrows: incremental equals full."""
    sdc, _ = read_case("borrow")
    netlist, timer = latch_timer(sky130_library, sdc, tmp_path)
    before = slacks_by_name(timer, netlist, "setup")
    b3 = netlist.inst_names.get("b3")
    timer.resize(b3, "sky130_fd_sc_hd__buf_4")
    _, full = latch_timer(sky130_library, sdc, tmp_path)
    full.resize(b3, "sky130_fd_sc_hd__buf_4")
    full.update_full()
    for check in ("setup", "hold"):
        incremental = slacks_by_name(timer, netlist, check)
        assert incremental == pytest.approx(slacks_by_name(full, netlist, check), abs=1e-6)
    assert slacks_by_name(timer, netlist, "setup")["f3/D"] != pytest.approx(before["f3/D"], abs=1.0)


@requires_sta
def test_stored_latch_references_are_debian_sta(tmp_path: Path) -> None:
    for name in CASES:
        sdc, expected = read_case(name)
        found = endpoint_slacks_from_sta(tmp_path, DATA / "lat.v", "lat", sdc)
        for check in ("setup", "hold"):
            assert found[check] == pytest.approx(expected[check], abs=1e-3), (name, check)
