"""False / multicycle paths and max / min delays ``-from`` registers and pins and
``-through`` pins, nets and instances on gcd, against Debian OpenSTA 2.0.17 endpoint slacks
stored under tests/data/timing/exceptions/ (gcd_*.txt)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tapeout.db.netlist import Netlist
from tapeout.formats.sdc import read_sdc
from tapeout.log import Log
from tapeout.timing import Timer, TimingOptions
from tapeout.timing.report import trace_path
from tests.conftest import shared_path
from tests.timing.conftest import GcdCase
from tests.timing.debian_sta import endpoint_slacks_from_sta, requires_sta
from tests.timing.references import assert_matches_reference

DATA = Path(__file__).resolve().parents[1] / "data" / "timing" / "exceptions"
CASES = [
    "gcd_from_register",
    "gcd_from_transitions",
    "gcd_from_through_to",
    "gcd_internal_ends",
    "gcd_path_delay",
    "gcd_priority",
    "gcd_through",
    "gcd_through_mixed",
    "gcd_through_order",
    "gcd_through_reversed",
    "gcd_through_transitions",
    "gcd_transitions",
]
TOLERANCE_PS = 0.05


def read_case(name: str) -> tuple[list[str], dict[str, dict[str, float]]]:
    """(added SDC lines, {"setup"|"hold": endpoint -> slack ps}) of a stored reference."""
    lines = (DATA / f"{name}.txt").read_text().splitlines()
    added = [line[4:] for line in lines if line.startswith("#   ")]
    expected: dict[str, dict[str, float]] = {"setup": {}, "hold": {}}
    for line in lines:
        if line.startswith("#"):
            continue
        endpoint, setup, hold = line.split()
        for check, value in (("setup", setup), ("hold", hold)):
            if value != "nan":
                expected[check][endpoint] = float(value) * 1000.0
    return added, expected


def gcd_sdc(added: list[str], folder: Path) -> Path:
    """gcd's SDC at a 0.6 ns clock (paths critical) with ``added`` lines."""
    sdc = shared_path("sta/gcd_sky130hd/gcd_sky130hd.sdc").read_text()
    assert "set period 5\n" in sdc
    path = folder / "gcd.sdc"
    path.write_text(sdc.replace("set period 5\n", "set period 0.6\n") + "\n".join(added) + "\n")
    return path


def make_timer(gcd: GcdCase, added: list[str], folder: Path, log: Log | None = None) -> Timer:
    constraints = read_sdc(gcd_sdc(added, folder), netlist=gcd.netlist)
    return Timer(
        gcd.netlist, [gcd.library], constraints, options=TimingOptions(wires="auto"), log=log
    )


def endpoint_slacks(timer: Timer, netlist: Netlist, check: str) -> dict[str, float]:
    pins, slack = timer.endpoint_slacks(check)
    return {
        netlist.pin_name(int(p)): float(s)
        for p, s in zip(pins, slack, strict=True)
        if not np.isnan(s)
    }


@pytest.mark.parametrize("name", CASES)
def test_gcd_exceptions_match_opensta(gcd: GcdCase, name: str, tmp_path: Path) -> None:
    added, expected = read_case(name)
    timer = make_timer(gcd, added, tmp_path)
    timer.update()
    assert len(timer.passes) > 1
    assert_matches_reference(
        lambda check: endpoint_slacks(timer, gcd.netlist, check), expected, TOLERANCE_PS
    )


def test_through_order_matters(tmp_path: Path, gcd: GcdCase) -> None:
    """Two ``-through`` lists apply in SDC order only: reversed, nothing on gcd matches."""
    base = make_timer(gcd, [], tmp_path)
    base.update()
    ordered = make_timer(gcd, read_case("gcd_through_order")[0], tmp_path)
    ordered.update()
    reversed_ = make_timer(gcd, read_case("gcd_through_reversed")[0], tmp_path)
    reversed_.update()
    for check in ("setup", "hold"):
        assert endpoint_slacks(reversed_, gcd.netlist, check) == pytest.approx(
            endpoint_slacks(base, gcd.netlist, check), abs=1e-9
        )
    relaxed = endpoint_slacks(ordered, gcd.netlist, "setup")
    # the worst path of _424_/D passes _219_/X then _295_/Y: one period (600 ps) more
    assert relaxed["_424_/D"] == pytest.approx(base.worst_slack("setup") + 600.0, abs=1e-6)


def test_worst_path_crosses_through_passes(tmp_path: Path, gcd: GcdCase) -> None:
    """The report traces a path back across the ``-through`` states to its register."""
    timer = make_timer(gcd, read_case("gcd_through_order")[0], tmp_path)
    timer.update()
    endpoint = next(p for p in range(gcd.netlist.n_pins) if gcd.netlist.pin_name(p) == "_424_/D")
    path = trace_path(timer, endpoint, "setup")
    names = [point.name for point in path.points]
    assert names[0] == "_414_/CLK" and names[-1] == "_424_/D"
    assert names.index("_219_/X") < names.index("_295_/Y")
    assert path.points[-1].arrival_ps == pytest.approx(3961.6, abs=0.1)  # sta: 3.9616 ns
    assert path.slack_ps == pytest.approx(-2887.159, abs=TOLERANCE_PS)


def test_transition_at_a_through_pin_selects_the_paths(tmp_path: Path, gcd: GcdCase) -> None:
    """``-rise_through`` / ``-fall_through`` take only the paths with that transition at the
    pin (as Debian ``sta``): _424_/D's worst path passes _219_/X, then _295_/Y rising; a
    multicycle on it ``-rise_through`` leaves the worst path the one falling there, and one
    ``-fall_through`` leaves the rising one (before, both applied to either transition)."""
    endpoint = next(p for p in range(gcd.netlist.n_pins) if gcd.netlist.pin_name(p) == "_424_/D")
    found = {}
    for option in ("-rise_through", "-fall_through"):
        added = [f"set_multicycle_path 3 -through [get_pins _219_/X] {option} [get_pins _295_/Y]"]
        timer = make_timer(gcd, added, tmp_path)
        timer.update()
        path = trace_path(timer, endpoint, "setup")
        edges = {point.name: point.rf for point in path.points}
        found[option] = (edges["_295_/Y"], path.slack_ps)
        assert path.points[0].name == "_414_/CLK" and "_219_/X" in edges
    # sta: -2.654405 ns (the falling path, not relaxed), -3.487159 ns (the rising path, as
    # without the exception)
    assert found["-rise_through"] == (1, pytest.approx(-2654.405, abs=TOLERANCE_PS))
    assert found["-fall_through"] == (0, pytest.approx(-3487.159, abs=TOLERANCE_PS))


@pytest.mark.parametrize(
    "name",
    [
        "gcd_through_mixed",
        "gcd_from_through_to",
        "gcd_through_transitions",
        "gcd_from_transitions",
    ],
)
def test_incremental_equals_full_with_through_exceptions(
    gcd: GcdCase, name: str, tmp_path: Path
) -> None:
    added = read_case(name)[0]
    resizes = [("_219_", "sky130_fd_sc_hd__maj3_4"), ("_292_", "sky130_fd_sc_hd__o311a_1")]
    timer = make_timer(gcd, added, tmp_path)
    timer.update()
    before = {check: endpoint_slacks(timer, gcd.netlist, check) for check in ("setup", "hold")}
    for inst, master in resizes:
        timer.resize(gcd.netlist.inst_names.get(inst), master)
    assert 0 < timer.update() < timer.graph.n_pins
    full = make_timer(gcd, added, tmp_path)
    for inst, master in resizes:
        full.resize(gcd.netlist.inst_names.get(inst), master)
    full.update_full()
    for check in ("setup", "hold"):
        incremental = endpoint_slacks(timer, gcd.netlist, check)
        assert incremental != pytest.approx(before[check], abs=1e-3) or check == "hold"
        reference = endpoint_slacks(full, gcd.netlist, check)
        assert sorted(incremental) == sorted(reference)
        for endpoint, value in reference.items():
            assert incremental[endpoint] == pytest.approx(value, abs=1e-6), (check, endpoint)


def test_from_a_pin_that_is_no_start_point_warns(gcd: GcdCase, tmp_path: Path) -> None:
    """As in OpenSTA, ``-from`` a register output (not a start point) matches no path."""
    log = Log()
    timer = make_timer(gcd, ["set_false_path -from [get_pins _414_/Q]"], tmp_path, log=log)
    timer.update()
    base = make_timer(gcd, [], tmp_path)
    base.update()
    assert endpoint_slacks(timer, gcd.netlist, "setup") == pytest.approx(
        endpoint_slacks(base, gcd.netlist, "setup"), abs=1e-9
    )
    assert "STA-0016" in log.ids()


@requires_sta
@pytest.mark.parametrize("name", CASES)
def test_stored_references_are_debian_sta(name: str, tmp_path: Path) -> None:
    """The stored slacks are what Debian ``sta`` reports today (regenerates one case)."""
    added, expected = read_case(name)
    sdc = gcd_sdc(added, tmp_path).read_text()
    verilog = shared_path("sta/gcd_sky130hd/gcd_sky130hd.v")
    found = endpoint_slacks_from_sta(tmp_path, verilog, "gcd", sdc)
    for check in ("setup", "hold"):
        assert found[check] == pytest.approx(expected[check], abs=1e-3), check


def test_internal_path_delay_endpoint_report(tmp_path: Path, gcd: GcdCase) -> None:
    """A max delay ending at a cell output: its own endpoint (OpenSTA's "internal path
    endpoint", default path group), and no path continues past it."""
    from tapeout.timing import build_report, format_report

    timer = make_timer(gcd, read_case("gcd_internal_ends")[0], tmp_path)
    timer.update()
    pin = next(p for p in range(gcd.netlist.n_pins) if gcd.netlist.pin_name(p) == "_253_/Y")
    path = trace_path(timer, pin, "setup")
    assert path.end_is_internal and path.endpoint == "_253_/Y"
    assert path.required_ps == pytest.approx(350.0)
    assert path.slack_ps == pytest.approx(-2095.155, abs=TOLERANCE_PS)  # sta: -2.095155 ns
    text = format_report(build_report(timer, n_paths=100))
    assert "Endpoint: _253_/Y (internal path endpoint)" in text
    assert "Path Group: **default**" in text
    # resp_msg[8] is fed through _253_/Y; its worst path now avoids that pin
    out = next(p for p in range(gcd.netlist.n_pins) if gcd.netlist.pin_name(p) == "resp_msg[8]")
    assert "_253_/Y" not in [point.name for point in trace_path(timer, out, "setup").points]
