"""Incremental updates equal a full re-analysis after random resizes and wire changes."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from tapeout.db.names import NameTable
from tapeout.db.netlist import Netlist
from tapeout.errors import DesignError
from tapeout.timing import Timer
from tests.timing.conftest import GcdCase


def footprint_alternatives(timer: Timer, netlist: Netlist) -> dict[int, list[str]]:
    """Instance -> other cells with the same footprint and the same pin names."""
    library = timer.libraries[0]
    by_footprint: dict[str, list[str]] = {}
    for name, cell in library.cells.items():
        if cell.cell_footprint and not cell.dont_use:
            by_footprint.setdefault(cell.cell_footprint, []).append(name)
    result: dict[int, list[str]] = {}
    for inst in range(netlist.n_insts):
        master = netlist.masters[int(netlist.inst_master[inst])]
        cell = library.cells.get(master)
        if cell is None or not cell.cell_footprint:
            continue
        options = [
            other
            for other in by_footprint[cell.cell_footprint]
            if other != master and set(library.cells[other].pins) == set(cell.pins)
        ]
        if options:
            result[inst] = options
    return result


def assert_same_timing(a: Timer, b: Timer) -> None:
    for name in (
        "arrival_max_ps",
        "arrival_min_ps",
        "slew_max_ps",
        "slew_min_ps",
        "required_max_ps",
        "required_min_ps",
    ):
        np.testing.assert_allclose(
            getattr(a, name), getattr(b, name), atol=1e-3, rtol=0, err_msg=name
        )
    for check in ("setup", "hold"):
        pins_a, slack_a = a.endpoint_slacks(check)
        pins_b, slack_b = b.endpoint_slacks(check)
        np.testing.assert_array_equal(pins_a, pins_b)
        np.testing.assert_allclose(slack_a, slack_b, atol=1e-3, rtol=0)
    assert a.worst_slack("setup") == pytest.approx(b.worst_slack("setup"), abs=1e-3)
    assert a.worst_slack("hold") == pytest.approx(b.worst_slack("hold"), abs=1e-3)


@pytest.mark.parametrize("with_spef", [False, True])
def test_random_resizes_match_full_analysis(gcd: GcdCase, with_spef: bool) -> None:
    parasitics = gcd.parasitics if with_spef else None
    timer = Timer(gcd.netlist, [gcd.library], gcd.constraints, parasitics=parasitics)
    timer.update()
    before = timer.worst_slack("setup")
    rng = np.random.default_rng(7)
    alternatives = footprint_alternatives(timer, gcd.netlist)
    insts = rng.choice(sorted(alternatives), size=25, replace=False)
    resizes = [(int(i), str(rng.choice(alternatives[int(i)]))) for i in insts]
    for inst, master in resizes:
        timer.resize(inst, master)
        visited = timer.update()
        assert 0 < visited < timer.graph.n_pins
    full = Timer(gcd.netlist, [gcd.library], gcd.constraints, parasitics=parasitics)
    for inst, master in resizes:
        full.resize(inst, master)
    full.update_full()
    assert_same_timing(timer, full)
    assert timer.worst_slack("setup") != pytest.approx(before, abs=1e-6)


def test_resize_equals_timing_the_resized_netlist(gcd: GcdCase) -> None:
    """Resizing in place gives the timing of a netlist written with the new cells."""
    timer = Timer(gcd.netlist, [gcd.library], gcd.constraints)
    timer.update()
    alternatives = footprint_alternatives(timer, gcd.netlist)
    rng = np.random.default_rng(3)
    masters = NameTable(gcd.netlist.masters)
    inst_master = gcd.netlist.inst_master.copy()
    for inst in rng.choice(sorted(alternatives), size=10, replace=False):
        master = str(rng.choice(alternatives[int(inst)]))
        timer.resize(int(inst), master)
        inst_master[inst] = masters.add(master)
    timer.update()
    resized = dataclasses.replace(gcd.netlist, masters=masters, inst_master=inst_master)
    fresh = Timer(resized, [gcd.library], gcd.constraints)
    fresh.update()
    assert_same_timing(timer, fresh)


def test_net_wire_change_is_incremental(gcd: GcdCase) -> None:
    timer = Timer(gcd.netlist, [gcd.library], gcd.constraints)
    timer.update()
    net = gcd.netlist.net_names.index("_110_")
    timer.set_net_wire(net, wire_cap_ff=30.0, wire_delay_ps=12.0)
    visited = timer.update()
    assert 0 < visited < timer.graph.n_pins
    full = Timer(gcd.netlist, [gcd.library], gcd.constraints)
    full.set_net_wire(net, wire_cap_ff=30.0, wire_delay_ps=12.0)
    full.update_full()
    assert_same_timing(timer, full)


def test_set_parasitics_switches_to_spef_numbers(gcd: GcdCase) -> None:
    spef = Timer(gcd.netlist, [gcd.library], gcd.constraints, parasitics=gcd.parasitics)
    spef.update()
    timer = Timer(gcd.netlist, [gcd.library], gcd.constraints, parasitics=gcd.parasitics)
    timer.update()
    timer.set_parasitics(gcd.parasitics)
    assert timer.update() == 0 or timer.worst_slack() == pytest.approx(spef.worst_slack())


def test_resize_to_unknown_cell_is_an_error(gcd: GcdCase) -> None:
    timer = Timer(gcd.netlist, [gcd.library], gcd.constraints)
    with pytest.raises(DesignError):
        timer.resize(0, "no_such_cell")


def test_two_launch_clocks_incremental_matches_full(gcd: GcdCase) -> None:
    """Input delays on a virtual clock of another period: two launch passes."""
    import copy

    from tapeout.db.constraints import Clock

    constraints = copy.deepcopy(gcd.constraints)
    constraints.clocks["vclk"] = Clock("vclk", 7000.0, [0.0, 3500.0], [])
    for delay in constraints.input_delays + constraints.output_delays:
        delay.clock = "vclk"
    timer = Timer(gcd.netlist, [gcd.library], constraints)
    timer.update()
    assert len(timer.passes) == 2
    full = Timer(gcd.netlist, [gcd.library], constraints)
    rng = np.random.default_rng(11)
    alternatives = footprint_alternatives(timer, gcd.netlist)
    for inst in rng.choice(sorted(alternatives), size=15, replace=False):
        master = str(rng.choice(alternatives[int(inst)]))
        timer.resize(int(inst), master)
        timer.update()
        full.resize(int(inst), master)
    full.update_full()
    assert_same_timing(timer, full)
    # a register fed from the inputs is timed against both launch clocks
    pins, slack = timer.endpoint_slacks("setup")
    assert np.isfinite(slack).all() and pins.size > 40


def test_deep_synthetic_netlist_incremental_matches_full(sky130_library) -> None:
    """A deep random netlist where a resize moves the arrivals of most of its fan-out cone
    (re-added from stored arc delays) but the slews of few pins (re-timed from the tables)."""
    from tapeout.db.constraints import Clock, Constraints, PortDelay
    from tapeout.db.synthetic import make_netlist

    netlist = make_netlist(3000, seed=5)
    inputs = [("port", f"in[{i}]") for i in range(64)]
    outputs = [("port", f"out[{i}]") for i in range(64)]
    constraints = Constraints(
        clocks={"clk": Clock("clk", 5000.0, [0.0, 2500.0], [("port", "clk")])},
        input_delays=[PortDelay(inputs, "clk", 1000.0)],
        output_delays=[PortDelay(outputs, "clk", 1000.0)],
    )
    timer = Timer(netlist, [sky130_library], constraints)
    timer.update()
    graph = timer.graph
    # Checks end paths: no arc leaves a flop's data pin.
    data_pins = graph.check_data_pin
    assert data_pins.size > 0
    assert np.all(graph.pin_out_indptr[data_pins + 1] == graph.pin_out_indptr[data_pins])
    rng = np.random.default_rng(11)
    bigger = {"inv_1": "inv_4", "nand2_1": "nand2_4", "nor2_1": "nor2_2", "buf_1": "buf_4"}
    resizes = []
    for inst in rng.permutation(netlist.n_insts):
        master = netlist.masters[int(netlist.inst_master[inst])]
        short = master.removeprefix("sky130_fd_sc_hd__")
        if short in bigger:
            resizes.append((int(inst), "sky130_fd_sc_hd__" + bigger[short]))
        if len(resizes) == 12:
            break
    for batch in (resizes[:1], resizes[1:4], resizes[4:]):
        for inst, master in batch:
            timer.resize(inst, master)
        assert timer.update() > 0
    full = Timer(netlist, [sky130_library], constraints)
    for inst, master in resizes:
        full.resize(inst, master)
    full.update_full()
    assert_same_timing(timer, full)
    np.testing.assert_array_equal(timer.tag_max, full.tag_max)
    np.testing.assert_array_equal(timer.tag_min, full.tag_min)
