"""``-from`` false and multicycle paths on a tiny netlist, checked against hand-split timings."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tapeout.db.constraints import Clock, Constraints, PathException, PortDelay
from tapeout.db.liberty import LibertyLibrary
from tapeout.db.netlist import Netlist, NetlistBuilder, PortDirection
from tapeout.formats.sdc import read_sdc
from tapeout.log import Log
from tapeout.timing import Timer, TimingOptions
from tests.conftest import shared_path
from tests.timing.conftest import GcdCase
from tests.timing.debian_sta import endpoint_slacks_from_sta, requires_sta

PERIOD_PS = 1000.0
EARLY_PS = -1.0e6  # an input delay this early takes its port out of the setup picture


def two_input_netlist() -> Netlist:
    """a -> inv u1 \\ and2 u3 -> n3 -> f1/D and output y; b -> inv u2 /."""
    builder = NetlistBuilder("tiny")
    ports = {
        name: builder.add_port(name, direction)
        for name, direction in (
            ("clk", PortDirection.INPUT),
            ("a", PortDirection.INPUT),
            ("b", PortDirection.INPUT),
            ("y", PortDirection.OUTPUT),
        )
    }
    nets = {name: builder.net(name) for name in ("clk", "a", "b", "n1", "n2", "n3", "q")}
    for name in ("clk", "a", "b"):
        builder.connect_port(ports[name], nets[name])
    builder.connect_port(ports["y"], nets["n3"])
    for inst, source, sink in (("u1", "a", "n1"), ("u2", "b", "n2")):
        inverter = builder.add_instance(inst, "sky130_fd_sc_hd__inv_1")
        builder.connect(inverter, "A", nets[source])
        builder.connect(inverter, "Y", nets[sink])
    gate = builder.add_instance("u3", "sky130_fd_sc_hd__and2_1")
    builder.connect(gate, "A", nets["n1"])
    builder.connect(gate, "B", nets["n2"])
    builder.connect(gate, "X", nets["n3"])
    flop = builder.add_instance("f1", "sky130_fd_sc_hd__dfxtp_1")
    builder.connect(flop, "D", nets["n3"])
    builder.connect(flop, "CLK", nets["clk"])
    builder.connect(flop, "Q", nets["q"])
    return builder.build()


def make_constraints(
    delay_a_ps: float = 300.0, delay_b_ps: float = 100.0, clock_a: str = "clk"
) -> Constraints:
    clocks = {"clk": Clock("clk", PERIOD_PS, [0.0, PERIOD_PS / 2], [("port", "clk")])}
    if clock_a != "clk":
        clocks[clock_a] = Clock(clock_a, PERIOD_PS, [0.0, PERIOD_PS / 2], [])
    return Constraints(
        clocks=clocks,
        input_delays=[
            PortDelay([("port", "a")], clock_a, delay_a_ps),
            PortDelay([("port", "b")], "clk", delay_b_ps),
        ],
        output_delays=[PortDelay([("port", "y")], "clk", 200.0)],
    )


def slacks(timer: Timer, netlist: Netlist, check: str) -> dict[str, float]:
    timer.update()
    pins, slack = timer.endpoint_slacks(check)
    return {netlist.pin_name(int(p)): float(s) for p, s in zip(pins, slack, strict=True)}


@pytest.fixture(scope="module")
def case(sky130_library: LibertyLibrary) -> tuple[Netlist, list[LibertyLibrary]]:
    return two_input_netlist(), [sky130_library]


def only(case, port: str, check: str = "setup", **kwargs) -> dict[str, float]:
    """Slacks with the other input taken out of the picture (``EARLY_PS`` input delay)."""
    netlist, libraries = case
    delays = {"delay_a_ps": 300.0, "delay_b_ps": 100.0} | kwargs
    delays["delay_b_ps" if port == "a" else "delay_a_ps"] = EARLY_PS
    return slacks(Timer(netlist, libraries, make_constraints(**delays)), netlist, check)


def test_false_path_from_port(case) -> None:
    netlist, libraries = case
    base = slacks(Timer(netlist, libraries, make_constraints()), netlist, "setup")
    from_b = only(case, "b")
    assert base["f1/D"] < from_b["f1/D"] - 100.0  # a (300 ps input delay) is the worst
    constraints = make_constraints()
    constraints.exceptions.append(PathException("false_path", from_objects=[("port", "a")]))
    result = slacks(Timer(netlist, libraries, constraints), netlist, "setup")
    assert result["f1/D"] == pytest.approx(from_b["f1/D"], abs=1e-6)
    assert result["y"] == pytest.approx(from_b["y"], abs=1e-6)
    # -from a -to f1/D leaves the output y to the path from a
    constraints = make_constraints()
    constraints.exceptions.append(
        PathException("false_path", from_objects=[("port", "a")], to_objects=[("pin", "f1/D")])
    )
    result = slacks(Timer(netlist, libraries, constraints), netlist, "setup")
    assert result["f1/D"] == pytest.approx(from_b["f1/D"], abs=1e-6)
    assert result["y"] == pytest.approx(base["y"], abs=1e-6)


@pytest.mark.parametrize("delay_a_ps", [300.0, 1500.0])
def test_multicycle_from_port(case, delay_a_ps: float) -> None:
    netlist, libraries = case
    from_a = only(case, "a", delay_a_ps=delay_a_ps)
    from_b = only(case, "b", delay_a_ps=delay_a_ps)
    constraints = make_constraints(delay_a_ps=delay_a_ps)
    constraints.exceptions.append(
        PathException("multicycle_path", from_objects=[("port", "a")], multiplier=2)
    )
    result = slacks(Timer(netlist, libraries, constraints), netlist, "setup")
    for endpoint in ("f1/D", "y"):
        expected = min(from_a[endpoint] + PERIOD_PS, from_b[endpoint])
        assert result[endpoint] == pytest.approx(expected, abs=1e-6)
    if delay_a_ps > 1000.0:  # a still holds the worst path, one period later
        assert result["f1/D"] < from_b["f1/D"] - 100.0
    # hold: the setup multiplier moves the hold edge one period later too (b delayed so
    # that a holds the earliest paths)
    late_b = make_constraints(delay_a_ps=0.0, delay_b_ps=5.0e5)
    hold_a = slacks(Timer(netlist, libraries, late_b), netlist, "hold")
    late_b.exceptions.append(
        PathException("multicycle_path", from_objects=[("port", "a")], multiplier=2)
    )
    result = slacks(Timer(netlist, libraries, late_b), netlist, "hold")
    assert result["f1/D"] == pytest.approx(hold_a["f1/D"] - PERIOD_PS, abs=1e-6)


def test_false_path_from_clock(case) -> None:
    netlist, libraries = case
    from_b = only(case, "b", clock_a="virtual")
    constraints = make_constraints(clock_a="virtual")
    base = slacks(Timer(netlist, libraries, constraints), netlist, "setup")
    assert base["f1/D"] < from_b["f1/D"] - 100.0
    constraints.exceptions.append(PathException("false_path", from_objects=[("clock", "virtual")]))
    result = slacks(Timer(netlist, libraries, constraints), netlist, "setup")
    assert result["f1/D"] == pytest.approx(from_b["f1/D"], abs=1e-6)
    assert result["y"] == pytest.approx(from_b["y"], abs=1e-6)


def test_unsupported_from_is_ignored_with_a_warning(case) -> None:
    netlist, libraries = case
    base = slacks(Timer(netlist, libraries, make_constraints()), netlist, "setup")
    constraints = make_constraints()
    constraints.exceptions.append(PathException("false_path", from_objects=[("design", "tiny")]))
    log = Log()
    result = slacks(Timer(netlist, libraries, constraints, log=log), netlist, "setup")
    assert result == pytest.approx(base)
    assert "STA-0016" in log.ids()


def test_incremental_equals_full_with_from_exceptions(case) -> None:
    netlist, libraries = case
    constraints = make_constraints()
    constraints.exceptions.append(
        PathException("multicycle_path", from_objects=[("port", "a")], multiplier=2)
    )
    timer = Timer(netlist, libraries, constraints)
    timer.update()
    before = timer.endpoint_slacks("setup")[1]
    u2 = netlist.inst_names.get("u2")
    timer.resize(u2, "sky130_fd_sc_hd__inv_4")
    assert 0 < timer.update() < timer.graph.n_pins
    assert not np.allclose(timer.endpoint_slacks("setup")[1], before)
    for check in ("setup", "hold"):
        incremental = timer.endpoint_slacks(check)
        full = Timer(netlist, libraries, constraints)
        full.resize(u2, "sky130_fd_sc_hd__inv_4")
        full.update_full()
        reference = full.endpoint_slacks(check)
        assert np.array_equal(incremental[0], reference[0])
        assert np.allclose(incremental[1], reference[1], atol=1e-6)


DATA = Path(__file__).resolve().parents[1] / "data" / "timing" / "exceptions"


@pytest.mark.parametrize("variant", ["false", "mcp"])
def test_gcd_from_exceptions_match_opensta(gcd: GcdCase, variant: str, tmp_path: Path) -> None:
    """gcd at a 0.6 ns clock with ``-from`` exceptions: endpoint slacks as Debian OpenSTA's."""
    reference = (DATA / f"gcd_{variant}.txt").read_text().splitlines()
    added = [line[4:] for line in reference if line.startswith("#   ")]
    rows = [line.split() for line in reference if not line.startswith("#")]
    sdc = shared_path("sta/gcd_sky130hd/gcd_sky130hd.sdc").read_text()
    assert "set period 5\n" in sdc
    path = tmp_path / "gcd.sdc"
    path.write_text(sdc.replace("set period 5\n", "set period 0.6\n") + "\n".join(added) + "\n")
    timer = Timer(
        gcd.netlist,
        [gcd.library],
        read_sdc(path, netlist=gcd.netlist),
        options=TimingOptions(wires="auto"),
    )
    timer.update()
    for column, check in ((1, "setup"), (2, "hold")):
        pins, slack = timer.endpoint_slacks(check)
        ours = {
            gcd.netlist.pin_name(int(p)): s
            for p, s in zip(pins, slack, strict=True)
            if not np.isnan(s)
        }
        expected = {row[0]: float(row[column]) * 1000.0 for row in rows if row[column] != "nan"}
        assert sorted(ours) == sorted(expected)
        for endpoint, value in expected.items():
            assert ours[endpoint] == pytest.approx(value, abs=0.1), (check, endpoint)


def test_false_path_between_clocks(case) -> None:
    netlist, libraries = case
    from_b = only(case, "b", clock_a="virtual")
    base = slacks(Timer(netlist, libraries, make_constraints(clock_a="virtual")), netlist, "setup")
    for objects, expected in (
        ({"from_objects": [("clock", "virtual")], "to_objects": [("clock", "clk")]}, from_b),
        ({"from_objects": [("clock", "virtual")], "to_objects": [("clock", "virtual")]}, base),
        ({"to_objects": [("clock", "clk")]}, {}),
        ({"to_objects": [("clock", "virtual")]}, base),
    ):
        constraints = make_constraints(clock_a="virtual")
        constraints.exceptions.append(PathException("false_path", **objects))
        result = slacks(Timer(netlist, libraries, constraints), netlist, "setup")
        assert {k: v for k, v in result.items() if not np.isnan(v)} == pytest.approx(expected)


COMB = Path(__file__).resolve().parents[1] / "data" / "timing" / "path_delay" / "comb.v"
COMB_SDC = (
    "set_input_transition 0.1 [all_inputs]\n"
    "set_load 0.01 [all_outputs]\n"
    "set_max_delay 0.3 -from [all_inputs] -to [all_outputs]\n"
    "set_min_delay 0.1 -from [all_inputs] -to [get_ports z]\n"
)
# Debian sta 2.0.17 on comb.v with COMB_SDC (report_checks -path_delay min_max -format end)
COMB_EXPECTED = {"setup": {"y": -55.5, "z": 146.5}, "hold": {"z": 44.7}}


def test_max_and_min_delay_time_a_combinational_block(
    sky130_library: LibertyLibrary, tmp_path: Path
) -> None:
    # Without a clock or output delays nothing was timed (STA-0040): the ports that only a
    # set_max_delay/set_min_delay -to names are now their endpoints, as in OpenSTA.
    from tapeout.timing import build_report, format_report
    from tests.timing.references import slacks_by_name, timer_for

    netlist, timer = timer_for(sky130_library, COMB, "comb", COMB_SDC, tmp_path)
    for check in ("setup", "hold"):
        assert slacks_by_name(timer, netlist, check) == pytest.approx(
            COMB_EXPECTED[check], abs=0.06
        )
    text = format_report(build_report(timer))
    assert "Endpoint: y (output port)" in text and "  max_delay" in text


@requires_sta
def test_combinational_reference_is_debian_sta(tmp_path: Path) -> None:
    found = endpoint_slacks_from_sta(tmp_path, COMB, "comb", COMB_SDC)
    for check in ("setup", "hold"):
        assert found[check] == pytest.approx(COMB_EXPECTED[check], abs=0.06)
