"""Clock and wire modes: propagated clocks, placement estimates, IO constraints, exceptions."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest

from tapeout.db.constraints import Clock, Constraints, DrivingCell, PathException, PortDelay
from tapeout.db.liberty import LibertyLibrary
from tapeout.db.netlist import NetlistBuilder, PortDirection
from tapeout.timing import Timer, TimingOptions
from tests.conftest import shared_path
from tests.timing.conftest import GcdCase
from tests.timing.debian_sta import endpoint_slacks_from_sta, requires_sta
from tests.timing.references import (
    read_reference_case,
    slacks_by_name,
    timer_for,
    timer_matching_reference,
)

DRIVING_CELLS = Path(__file__).resolve().parents[1] / "data" / "timing" / "drive"
GCD_VERILOG = "sta/gcd_sky130hd/gcd_sky130hd.v"  # under ../shared


def clock_pins(timer: Timer) -> np.ndarray:
    return np.unique(timer.graph.check_clock_pin)


def test_propagated_clock_has_latency(gcd: GcdCase) -> None:
    constraints = copy.deepcopy(gcd.constraints)
    constraints.clocks["clk"].propagated = True
    timer = Timer(gcd.netlist, [gcd.library], constraints)
    timer.update()
    arrivals = timer.arrival_max_ps[clock_pins(timer), 0]
    assert (arrivals >= 0).all() and arrivals.max() > 50.0  # through the clock buffers
    ideal = Timer(gcd.netlist, [gcd.library], gcd.constraints)
    ideal.update()
    assert np.allclose(ideal.arrival_max_ps[clock_pins(ideal), 0], 0.0)
    assert timer.worst_slack("setup") != pytest.approx(ideal.worst_slack("setup"), abs=0.1)


def test_clock_latency_and_uncertainty_shift_slack(gcd: GcdCase) -> None:
    base = Timer(gcd.netlist, [gcd.library], gcd.constraints)
    base.update()
    constraints = copy.deepcopy(gcd.constraints)
    constraints.clocks["clk"].uncertainty_setup_ps = 100.0
    constraints.clocks["clk"].uncertainty_hold_ps = 30.0
    timer = Timer(gcd.netlist, [gcd.library], constraints)
    timer.update()
    assert timer.worst_slack("setup") == pytest.approx(base.worst_slack("setup") - 100.0, abs=1e-6)
    assert timer.worst_slack("hold") == pytest.approx(base.worst_slack("hold") - 30.0, abs=1e-6)


def test_false_path_and_multicycle_to_endpoint(gcd: GcdCase) -> None:
    base = Timer(gcd.netlist, [gcd.library], gcd.constraints)
    base.update()
    pins, slack = base.endpoint_slacks("setup")
    worst = gcd.netlist.pin_name(int(pins[np.argmin(slack)]))
    constraints = copy.deepcopy(gcd.constraints)
    constraints.exceptions.append(PathException("false_path", to_objects=[("port", worst)]))
    timer = Timer(gcd.netlist, [gcd.library], constraints)
    timer.update()
    assert timer.worst_slack("setup") > base.worst_slack("setup")
    constraints = copy.deepcopy(gcd.constraints)
    constraints.exceptions.append(
        PathException("multicycle_path", to_objects=[("pin", "_424_/D")], multiplier=2)
    )
    timer = Timer(gcd.netlist, [gcd.library], constraints)
    timer.update()
    new_pins, new_slack = timer.endpoint_slacks("setup")
    names = {gcd.netlist.pin_name(int(p)): s for p, s in zip(new_pins, new_slack, strict=True)}
    base_names = {gcd.netlist.pin_name(int(p)): s for p, s in zip(pins, slack, strict=True)}
    assert names["_424_/D"] == pytest.approx(base_names["_424_/D"] + 5000.0, abs=1e-6)


def test_driving_cell_and_load_slow_the_ports(gcd: GcdCase) -> None:
    base = Timer(gcd.netlist, [gcd.library], gcd.constraints)
    base.update()
    constraints = copy.deepcopy(gcd.constraints)
    constraints.driving_cells[("port", "req_val")] = DrivingCell("sky130_fd_sc_hd__inv_1")
    constraints.loads_ff[("port", "resp_msg[15]")] = 50.0
    timer = Timer(gcd.netlist, [gcd.library], constraints)
    timer.update()
    port = {gcd.netlist.pin_name(p): p for p in range(gcd.netlist.n_pins)}
    assert timer.arrival_max_ps[port["req_val"]].min() > base.arrival_max_ps[port["req_val"]].max()
    assert timer.arrival_max_ps[port["resp_msg[15]"]].max() > (
        base.arrival_max_ps[port["resp_msg[15]"]].max() + 20.0
    )


def test_placement_wires_add_delay(gcd: GcdCase) -> None:
    rng = np.random.default_rng(0)
    n_pins = gcd.netlist.n_pins
    xy = (rng.uniform(0, 100, n_pins), rng.uniform(0, 100, n_pins))
    ideal = Timer(gcd.netlist, [gcd.library], gcd.constraints)
    ideal.update()
    placed = Timer(
        gcd.netlist,
        [gcd.library],
        gcd.constraints,
        pin_xy_um=xy,
        options=TimingOptions(wires="placement"),
    )
    placed.update()
    assert placed.worst_slack("setup") < ideal.worst_slack("setup") - 50.0
    assert (placed.wires.load_cap_ff >= ideal.wires.load_cap_ff - 1e-9).all()


def test_report_text_layout(gcd: GcdCase) -> None:
    timer = Timer(gcd.netlist, [gcd.library], gcd.constraints)
    text = timer.report_checks(n_paths=1, n_endpoints=3)
    assert "max_delay/setup" in text and "min_delay/hold" in text
    assert "resp_msg[15] (output)" in text
    assert "output external delay" in text and "slack (MET)" in text
    assert text.strip().endswith("tns min 0.0000")


def test_unclocked_inputs_are_checked_at_outputs_only(gcd: GcdCase) -> None:
    """An input without input delay launches at 0 and is timed to outputs, not registers."""
    builder = NetlistBuilder("tiny")
    clk = builder.add_port("clk", PortDirection.INPUT)
    a = builder.add_port("a", PortDirection.INPUT)
    y = builder.add_port("y", PortDirection.OUTPUT)
    clk_net, a_net, n1, q = (builder.net(name) for name in ("clk", "a", "n1", "q"))
    builder.connect_port(clk, clk_net)
    builder.connect_port(a, a_net)
    builder.connect_port(y, n1)
    inverter = builder.add_instance("u1", "sky130_fd_sc_hd__inv_1")
    builder.connect(inverter, "A", a_net)
    builder.connect(inverter, "Y", n1)
    flop = builder.add_instance("f1", "sky130_fd_sc_hd__dfxtp_1")
    builder.connect(flop, "D", n1)
    builder.connect(flop, "CLK", clk_net)
    builder.connect(flop, "Q", q)
    netlist = builder.build()
    constraints = Constraints(
        clocks={"clk": Clock("clk", 1000.0, [0.0, 500.0], [("port", "clk")])},
        output_delays=[PortDelay([("port", "y")], "clk", 300.0)],
    )
    timer = Timer(netlist, [gcd.library], constraints)
    timer.update()
    assert timer.track_unclocked
    pins, slack = timer.endpoint_slacks("setup")
    names = [netlist.pin_name(int(p)) for p in pins]
    assert names == ["y"]  # the register D sees only the unclocked path: not checked
    arrival = timer.unclocked_arrival_max_ps[pins[0]].max()
    assert slack[0] == pytest.approx(1000.0 - 300.0 - arrival)


def test_clock_relations_over_the_common_period(gcd: GcdCase) -> None:
    constraints = copy.deepcopy(gcd.constraints)
    constraints.clocks["slow"] = Clock("slow", 7000.0, [0.0, 3500.0], [])
    timer = Timer(gcd.netlist, [gcd.library], constraints)
    timer.update()
    # a virtual clock with its own period: launch/capture relations over the common period
    relation = timer.constraints.setup_relation_ps
    # the tightest pair over the common period of 35 ns: clk 20 ns -> slow 21 ns, slow 14 ns ->
    # clk 15 ns
    assert relation[0, 2] == pytest.approx(1000.0)
    assert relation[2, 0] == pytest.approx(1000.0)
    assert timer.constraints.hold_relation_ps[0, 0] == pytest.approx(0.0)


def test_min_and_max_input_transitions_match_opensta(
    sky130_library: LibertyLibrary, tmp_path: Path
) -> None:
    # set_input_transition -max/-min: one value per port was kept (the last command's) and
    # used in both analyses; with -max alone the early analysis took it too (OpenSTA: 0).
    case = DRIVING_CELLS / "gcd_input_transitions.txt"
    timer_matching_reference(sky130_library, case, shared_path(GCD_VERILOG), "gcd", tmp_path)


def test_driving_cells_match_opensta_and_leave_the_ideal_clock_alone(
    sky130_library: LibertyLibrary, tmp_path: Path
) -> None:
    # set_driving_cell [all_inputs] takes in the clock port: its delay into the clock net
    # was added to every launch and capture (ns on a large unbuffered design). And a port's
    # arrival grows by the driver's delay into its load less that into no load (hold slacks
    # were up to 83 ps high with the whole delay added).
    case = DRIVING_CELLS / "gcd_driving_cells.txt"
    timer = timer_matching_reference(
        sky130_library, case, shared_path(GCD_VERILOG), "gcd", tmp_path
    )
    assert np.allclose(timer.arrival_max_ps[clock_pins(timer)], [0.0, 300.0])  # rise, fall


@requires_sta
@pytest.mark.parametrize("case", ["gcd_driving_cells", "gcd_input_transitions"])
def test_stored_driving_cell_references_are_debian_sta(case: str, tmp_path: Path) -> None:
    sdc, expected = read_reference_case(DRIVING_CELLS / f"{case}.txt")
    verilog = shared_path("sta/gcd_sky130hd/gcd_sky130hd.v")
    found = endpoint_slacks_from_sta(tmp_path, verilog, "gcd", sdc)
    for check in ("setup", "hold"):
        assert found[check] == pytest.approx(expected[check], abs=1e-3), check


DERATE = Path(__file__).resolve().parents[1] / "data" / "timing" / "derate"


def test_derates_on_instances_and_library_cells_match_opensta(
    sky130_library: LibertyLibrary, tmp_path: Path
) -> None:
    # set_timing_derate on named cells and library cells was read and dropped (STA-0042).
    case = DERATE / "gcd_object_derates.txt"
    timer = timer_matching_reference(
        sky130_library, case, shared_path(GCD_VERILOG), "gcd", tmp_path
    )
    netlist = timer.netlist
    arcs = timer.graph.arcs_of_instance(netlist.inst_names.index("_295_"))
    assert (timer.arc_mode[arcs, 0] == 1.3).all() and (timer.arc_mode[arcs, 1] == 0.7).all()


def test_library_cell_derate_follows_a_resized_instance(gcd: GcdCase) -> None:
    from tapeout.db.constraints import TimingDerate

    constraints = copy.deepcopy(gcd.constraints)
    lib_cell = [("lib_cell", "*/sky130_fd_sc_hd__nand2_1")]
    constraints.timing_derates.append(TimingDerate(1.2, early=False, objects=lib_cell))
    timer = Timer(gcd.netlist, [gcd.library], constraints)
    timer.update()
    masters = gcd.netlist.masters
    inst = next(
        i
        for i in range(gcd.netlist.n_insts)
        if masters[int(gcd.netlist.inst_master[i])] == "sky130_fd_sc_hd__nand2_1"
    )
    arcs = timer.graph.arcs_of_instance(inst)
    assert (timer.arc_mode[arcs, 0] == 1.2).all()
    timer.resize(inst, "sky130_fd_sc_hd__nand2_2")
    timer.update()
    assert (timer.arc_mode[arcs, 0] == 1.0).all()
    full = Timer(gcd.netlist, [gcd.library], constraints)
    full.resize(inst, "sky130_fd_sc_hd__nand2_2")
    full.update_full()
    for check in ("setup", "hold"):
        assert timer.endpoint_slacks(check)[1] == pytest.approx(
            full.endpoint_slacks(check)[1], abs=1e-6
        )


def test_net_derate_scales_that_nets_wire_delays(gcd: GcdCase) -> None:
    from tapeout.db.constraints import TimingDerate

    constraints = copy.deepcopy(gcd.constraints)
    plain = Timer(gcd.netlist, [gcd.library], constraints, parasitics=gcd.parasitics)
    plain.update()
    net = gcd.netlist.net_names.index("_022_")
    wires = np.flatnonzero(
        (plain.graph.arc_kind == 0) & (gcd.netlist.pin_net[plain.graph.arc_from] == net)
    )
    constraints.timing_derates.append(
        TimingDerate(2.0, early=False, net_delay=True, objects=[("net", "_022_")])
    )
    derated = Timer(gcd.netlist, [gcd.library], constraints, parasitics=gcd.parasitics)
    derated.update()
    before = plain.arc_delay_max_ps[wires]
    assert (before > 0).any()
    assert np.allclose(derated.arc_delay_max_ps[wires], 2.0 * before, equal_nan=True)
    assert np.allclose(
        derated.arc_delay_min_ps[wires], plain.arc_delay_min_ps[wires], equal_nan=True
    )


@requires_sta
def test_stored_object_derate_reference_is_debian_sta(tmp_path: Path) -> None:
    sdc, expected = read_reference_case(DERATE / "gcd_object_derates.txt")
    found = endpoint_slacks_from_sta(tmp_path, shared_path(GCD_VERILOG), "gcd", sdc)
    for check in ("setup", "hold"):
        assert found[check] == pytest.approx(expected[check], abs=1e-3), check


DISABLE = Path(__file__).resolve().parents[1] / "data" / "timing" / "disable"


def test_disabled_timing_matches_opensta(sky130_library: LibertyLibrary, tmp_path: Path) -> None:
    # set_disable_timing was accepted and ignored (SDC-0002): every arc stayed timed.
    case = DISABLE / "gcd_disable.txt"
    timer = timer_matching_reference(
        sky130_library, case, shared_path(GCD_VERILOG), "gcd", tmp_path
    )
    pins, _ = timer.endpoint_slacks("setup")
    names = {timer.netlist.pin_name(int(pin)) for pin in pins}
    assert "_411_/D" not in names  # its setup/hold check is disabled
    sdc, expected = read_reference_case(case)
    plain = "\n".join(line for line in sdc.splitlines() if "disable" not in line) + "\n"
    _, undisabled = timer_for(sky130_library, shared_path(GCD_VERILOG), "gcd", plain, tmp_path)
    undisabled.update()
    pins, slack = undisabled.endpoint_slacks("setup")
    before = {
        undisabled.netlist.pin_name(int(p)): float(v) for p, v in zip(pins, slack, strict=True)
    }
    moved = [name for name, value in expected["setup"].items() if abs(before[name] - value) > 1.0]
    assert len(moved) > 10


@requires_sta
def test_stored_disable_reference_is_debian_sta(tmp_path: Path) -> None:
    sdc, expected = read_reference_case(DISABLE / "gcd_disable.txt")
    found = endpoint_slacks_from_sta(tmp_path, shared_path(GCD_VERILOG), "gcd", sdc)
    for check in ("setup", "hold"):
        assert found[check] == pytest.approx(expected[check], abs=1e-3), check


def test_logic_values_hold_pins_as_case_analysis_does(
    sky130_library: LibertyLibrary, tmp_path: Path
) -> None:
    # set_logic_zero/one were accepted and ignored; OpenSTA (Debian sta: the same report
    # either way on gcd) holds the pins constant as set_case_analysis does.
    base = (
        "create_clock -period 1.0 [get_ports clk]\n"
        "set_input_delay 0.2 -clock clk {req_val reset resp_rdy req_msg[*]}\n"
        "set_output_delay 0.2 -clock clk [all_outputs]\n"
    )
    results = []
    for extra in (
        "",
        "set_case_analysis 1 [get_ports reset]\nset_case_analysis 0 [get_ports req_val]\n",
        "set_logic_one [get_ports reset]\nset_logic_zero [get_ports req_val]\n",
    ):
        netlist, timer = timer_for(
            sky130_library, shared_path(GCD_VERILOG), "gcd", base + extra, tmp_path
        )
        results.append(
            {check: slacks_by_name(timer, netlist, check) for check in ("setup", "hold")}
        )
    plain, case, logic = results
    assert case == logic
    assert case != plain


def test_constraints_not_applied_yet_are_named(gcd: GcdCase) -> None:
    # set_timing_derate on a port (OpenSTA takes cells, nets and library cells) is read from
    # the SDC; timing does not apply it, and says so.
    from tapeout.db.constraints import TimingDerate
    from tapeout.log import Log

    constraints = copy.deepcopy(gcd.constraints)
    constraints.timing_derates.append(TimingDerate(1.05, early=False, objects=[("port", "reset")]))
    log = Log()
    Timer(gcd.netlist, [gcd.library], constraints, log=log)
    assert "STA-0042" in log.ids()
