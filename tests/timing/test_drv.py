"""Design rule checks (max slew, capacitance, fanout): stored Debian OpenSTA max-transition
violators on gcd, and hand-built netlists for the capacitance and fanout rules."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from tapeout.db.constraints import Clock, Constraints
from tapeout.db.liberty import LibertyLibrary
from tapeout.db.netlist import Netlist, NetlistBuilder, PortDirection
from tapeout.log import Log
from tapeout.timing import Timer, build_report, format_report
from tapeout.timing.drv import check_design_rules
from tests.conftest import shared_path
from tests.timing.conftest import GcdCase
from tests.timing.debian_sta import max_transition_violators_from_sta, requires_sta
from tests.timing.references import timer_for

CASES = Path(__file__).resolve().parents[1] / "data" / "timing" / "drv"
GCD_VERILOG = "sta/gcd_sky130hd/gcd_sky130hd.v"  # under ../shared
INV = "sky130_fd_sc_hd__inv_1"


def read_violators(path: Path) -> tuple[str, dict[str, tuple[float, float, float]]]:
    """(SDC text, pin -> (limit, transition, slack) ns) of a stored reference file."""
    lines = path.read_text().splitlines()
    sdc = "\n".join(line[4:] for line in lines if line.startswith("#   ")) + "\n"
    rows = {}
    for line in lines:
        if not line.startswith("#"):
            pin, limit, slew, slack = line.split()
            rows[pin] = (float(limit), float(slew), float(slack))
    return sdc, rows


@pytest.mark.parametrize(
    "case", ["gcd_liberty_and_port_limits", "gcd_design_limit", "gcd_clock_limits"]
)
def test_max_slew_violators_match_opensta(
    case: str, sky130_library: LibertyLibrary, tmp_path: Path
) -> None:
    # Liberty limits (an output's own max_transition, else default_max_transition; an input
    # pin's max_transition), the design's limit, and a port's own (tighter or looser than the
    # design's: the tightest applies).
    sdc, expected = read_violators(CASES / f"{case}.txt")
    _, timer = timer_for(sky130_library, shared_path(GCD_VERILOG), "gcd", sdc, tmp_path)
    timer.update()
    rules = check_design_rules(timer, n_rows=10_000)
    ours = {
        row.name: (row.limit / 1000, row.value / 1000, row.slack / 1000)
        for row in rules.max_slew.violators
    }
    assert sorted(ours) == sorted(expected)
    for pin, values in expected.items():
        assert ours[pin] == pytest.approx(values, abs=2e-6), pin
    assert rules.max_slew.violations == len(expected)
    worst = min(expected.values(), key=lambda row: row[2])
    assert rules.max_slew.worst is not None
    assert rules.max_slew.worst.slack / 1000 == pytest.approx(worst[2], abs=2e-6)
    assert rules.max_slew.slack_ratio == pytest.approx(worst[2] / worst[0], abs=1e-5)


@requires_sta
@pytest.mark.parametrize(
    "case", ["gcd_liberty_and_port_limits", "gcd_design_limit", "gcd_clock_limits"]
)
def test_stored_max_slew_references_are_debian_sta(case: str, tmp_path: Path) -> None:
    sdc, expected = read_violators(CASES / f"{case}.txt")
    found = max_transition_violators_from_sta(tmp_path, shared_path(GCD_VERILOG), "gcd", sdc)
    for ideal_clock_pin in ("clk", "clkbuf_0_clk/A"):  # 2.0.17 checks them; see the file
        found.pop(ideal_clock_pin, None)
    assert sorted(found) == sorted(expected)
    for pin, values in expected.items():
        assert found[pin] == pytest.approx(values, abs=1e-6), pin


def _fanout_netlist(n_loads: int) -> Netlist:
    """``d`` -> inv_1 ``u0`` -> ``n_loads`` inv_1 and output port ``y``; a tie cell (conb_1)
    drives ``n_loads`` more; ``clk`` -> ``n_loads`` flops (ideal clock)."""
    builder = NetlistBuilder("fan")
    ports = {
        name: builder.add_port(name, direction)
        for name, direction in (
            ("d", PortDirection.INPUT),
            ("clk", PortDirection.INPUT),
            ("y", PortDirection.OUTPUT),
        )
    }
    d, clk, n0, tie = (builder.net(name) for name in ("d", "clk", "n0", "tie"))
    builder.connect_port(ports["d"], d)
    builder.connect_port(ports["clk"], clk)
    builder.connect_port(ports["y"], n0)
    driver = builder.add_instance("u0", INV)
    builder.connect(driver, "A", d)
    builder.connect(driver, "Y", n0)
    conb = builder.add_instance("t0", "sky130_fd_sc_hd__conb_1")
    builder.connect(conb, "HI", tie)
    for k in range(n_loads):
        load = builder.add_instance(f"l{k}", INV)
        builder.connect(load, "A", n0)
        builder.connect(load, "Y", builder.net(f"o{k}"))
        tied = builder.add_instance(f"t{k + 1}", INV)
        builder.connect(tied, "A", tie)
        builder.connect(tied, "Y", builder.net(f"p{k}"))
        flop = builder.add_instance(f"f{k}", "sky130_fd_sc_hd__dfxtp_1")
        builder.connect(flop, "CLK", clk)
        builder.connect(flop, "D", builder.net(f"o{k}"))
        builder.connect(flop, "Q", builder.net(f"q{k}"))
    return builder.build()


def _clocked(**limits: dict) -> Constraints:
    return Constraints(
        design="fan",
        clocks={"clk": Clock("clk", 1000.0, [0.0, 500.0], [("port", "clk")])},
        **limits,
    )


def test_max_capacitance_is_the_driver_load_against_its_pins_limit(
    sky130_library: LibertyLibrary,
) -> None:
    netlist = _fanout_netlist(n_loads=40)
    inverter = sky130_library.cells[INV]
    pin_cap_ff = max(inverter.pins["A"].rise_capacitance, inverter.pins["A"].fall_capacitance)
    limit_ff = inverter.pins["Y"].max_capacitance * 1000.0
    constraints = _clocked(loads_ff={("port", "y"): 100.0})
    timer = Timer(netlist, [sky130_library], constraints)
    timer.update()
    check = check_design_rules(timer).max_capacitance
    # u0/Y drives 40 inverter inputs and the port's 100 fF: 40 × ~2.4 fF + 100 > 181 fF
    # (inv_1's limit); the tie cell (constant), the clock port (ideal clock) and input ports
    # are not checked, and the output port has no limit of its own.
    assert [row.name for row in check.violators] == ["u0/Y"]
    row = check.violators[0]
    assert row.value == pytest.approx(40 * pin_cap_ff * 1000.0 + 100.0, rel=0.01)
    assert row.limit == pytest.approx(limit_ff)
    assert row.slack == pytest.approx(limit_ff - row.value)
    assert check.slack_ratio == pytest.approx(row.slack / row.limit)
    # Driving outputs with a library limit: u0, 40 load inverters, the tie cell's two outputs
    # (not checked: constant), 40 tied inverters, 40 flop outputs.
    assert check.checked == 1 + 40 + 40 + 40


def test_design_and_port_capacitance_limits(sky130_library: LibertyLibrary) -> None:
    netlist = _fanout_netlist(n_loads=3)
    constraints = _clocked(
        max_capacitance_ff={("design", "fan"): 6.0, ("port", "y"): 1.0, ("port", "d"): 0.1}
    )
    timer = Timer(netlist, [sky130_library], constraints)
    timer.update()
    check = check_design_rules(timer, n_rows=100).max_capacitance
    names = [row.name for row in check.violators]
    # u0/Y drives 3 inverters (~7 fF > 6); the output port sees its net's load against its own
    # 1 fF; the input port d drives but is not an output: not checked.
    assert names == ["y", "u0/Y"]
    assert check.violators[0].value == pytest.approx(check.violators[1].value)
    assert check.violators[0].limit == 1.0 and check.violators[1].limit == 6.0


def test_max_fanout_counts_library_loads_only(sky130_library: LibertyLibrary) -> None:
    netlist = _fanout_netlist(n_loads=6)
    timer = Timer(netlist, [sky130_library], _clocked(max_fanout={("design", "fan"): 5.0}))
    timer.update()
    check = check_design_rules(timer).max_fanout
    # u0/Y: six inverter inputs (default_fanout_load 1) — the output port does not count as a
    # load, but as an output it is checked against the design's limit with its net's fanout
    # (as OpenSTA); the tie net (constant) and the ideal clock net are not checked.
    assert [(row.name, row.value, row.limit) for row in check.violators] == [
        ("y", 6.0, 5.0),
        ("u0/Y", 6.0, 5.0),
    ]
    report = build_report(timer)
    metrics = report.metrics()
    assert metrics["timing__drv__max_fanout"] == 2
    assert metrics["timing__drv__max_fanout_limit"] == 5.0
    assert metrics["timing__drv__max_slew"] == 0
    text = format_report(report)
    assert "max_fanout violations: 2 of " in text
    assert "u0/Y" in text


def test_no_limit_anywhere_reads_zero(gcd: GcdCase) -> None:
    library = copy.deepcopy(gcd.library)
    library.default_max_transition = None
    for cell in library.cells.values():
        for pin in cell.pins.values():
            pin.max_transition = None
            pin.max_capacitance = None
    timer = Timer(gcd.netlist, [library], gcd.constraints)
    timer.update()
    rules = check_design_rules(timer)
    for check in rules.checks():
        assert (check.checked, check.violations, check.worst, check.slack_ratio) == (
            0,
            0,
            None,
            0.0,
        )
    assert rules.metrics()["timing__drv__max_fanout_limit"] == 0.0


def test_constant_pins_from_case_analysis_are_not_checked(sky130_library: LibertyLibrary) -> None:
    netlist = _fanout_netlist(n_loads=40)
    constraints = _clocked(case_analysis={("port", "d"): "0"}, loads_ff={("port", "y"): 100.0})
    timer = Timer(netlist, [sky130_library], constraints)
    timer.update()
    assert check_design_rules(timer).max_capacitance.violations == 0


def test_resized_driver_is_checked_with_its_new_limit(sky130_library: LibertyLibrary) -> None:
    netlist = _fanout_netlist(n_loads=40)
    timer = Timer(netlist, [sky130_library], _clocked(loads_ff={("port", "y"): 100.0}))
    timer.update()
    assert check_design_rules(timer).max_capacitance.violations == 1
    timer.resize(netlist.inst_names.index("u0"), "sky130_fd_sc_hd__inv_4")
    timer.update()
    check = check_design_rules(timer).max_capacitance
    assert check.violations == 0  # inv_4's limit is four times inv_1's


def test_limits_on_pins_are_named_as_not_applied(sky130_library: LibertyLibrary) -> None:
    netlist = _fanout_netlist(n_loads=2)
    log = Log(echo=False)
    constraints = _clocked(
        max_transition_ps={("pin", "u0/Y"): 100.0, ("design", "fan"): 500.0},
    )
    timer = Timer(netlist, [sky130_library], constraints, log=log)
    timer.update()
    assert any(msg_id == "STA-0045" and "pin u0/Y" in text for _, msg_id, text in log.messages)
    assert check_design_rules(timer).max_slew.worst is not None


def test_clock_path_slew_limit_applies_to_a_propagated_clock_network(
    sky130_library: LibertyLibrary, tmp_path: Path
) -> None:
    from tapeout.db.constraints import ClockTransitionLimit
    from tapeout.formats.sdc import read_sdc, write_sdc

    netlist = _fanout_netlist(n_loads=40)
    clock = Clock("clk", 1000.0, [0.0, 500.0], [("port", "clk")], propagated=True)
    limit = ClockTransitionLimit("clk", 20.0, data_path=False, fall=False)
    constraints = Constraints(
        design="fan",
        clocks={"clk": clock},
        input_transitions_ps={("port", "clk"): 50.0},
        clock_transition_limits=[limit],
    )
    timer = Timer(netlist, [sky130_library], constraints)
    timer.update()
    check = check_design_rules(timer, n_rows=100).max_slew
    names = {row.name for row in check.violators}
    # the clock port and its 40 flop clock pins, rising at 50 ps against 20 ps; data pins
    # keep the Liberty limits (met)
    assert "clk" in names and "f0/CLK" in names and len(names) == 41
    assert all(row.rf == 0 and row.limit == 20.0 for row in check.violators)
    # read and written back as one SDC command
    path = tmp_path / "limits.sdc"
    write_sdc(path, constraints)
    text = path.read_text()
    assert "set_max_transition -clock_path -rise 0.02 [get_clocks {clk}]" in text
    (again,) = read_sdc(path, netlist=netlist).clock_transition_limits
    assert (again.clock, again.limit_ps, again.clock_path, again.data_path) == (
        "clk",
        20.0,
        True,
        False,
    )
    assert (again.rise, again.fall) == (True, False)
