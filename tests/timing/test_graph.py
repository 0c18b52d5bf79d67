"""Timing graph construction: arcs from Liberty, wire arcs, levels, loops, missing cells."""

from __future__ import annotations

import numpy as np

from tapeout.db.liberty import LibertyLibrary
from tapeout.db.netlist import NetlistBuilder, PortDirection
from tapeout.log import Log
from tapeout.timing.graph import ARC_CELL, ARC_WIRE, CHECK_HOLD, CHECK_SETUP, build_timing_graph
from tests.timing.conftest import GcdCase


def test_gcd_graph_shape(gcd: GcdCase) -> None:
    log = Log()
    graph = build_timing_graph(gcd.netlist, [gcd.library], log=log)
    assert "STA-0001" in log.ids()  # tap cells have no Liberty timing
    assert graph.n_pins == gcd.netlist.n_pins
    wires = graph.arc_kind == ARC_WIRE
    assert wires.sum() > 0 and (graph.arc_kind == ARC_CELL).sum() > 0
    # every arc goes from a lower level to a higher one
    assert (graph.pin_level[graph.arc_from] < graph.pin_level[graph.arc_to]).all()
    # one setup and one hold check per flop D
    n_flops = sum(1 for m in gcd.netlist.inst_master if "dfxtp" in gcd.netlist.masters[int(m)])
    assert (graph.check_kind == CHECK_SETUP).sum() == n_flops
    assert (graph.check_kind == CHECK_HOLD).sum() == n_flops
    # an inverter's arc is negative unate: rise->fall and fall->rise only
    inverter = next(
        i
        for i in range(gcd.netlist.n_insts)
        if gcd.netlist.masters[int(gcd.netlist.inst_master[i])] == "sky130_fd_sc_hd__inv_1"
    )
    arc = int(np.flatnonzero(graph.arc_inst == inverter)[0])
    tables = graph.arc_delay_table[arc]
    assert tables[0, 0] < 0 and tables[1, 1] < 0 and tables[0, 1] >= 0 and tables[1, 0] >= 0


def test_combinational_loop_is_broken(sky130_library: LibertyLibrary) -> None:
    builder = NetlistBuilder("loop")
    port = builder.add_port("a", PortDirection.INPUT)
    a, n1, n2 = builder.net("a"), builder.net("n1"), builder.net("n2")
    builder.connect_port(port, a)
    gate = builder.add_instance("g1", "sky130_fd_sc_hd__nand2_1")
    builder.connect(gate, "A", a)
    builder.connect(gate, "B", n2)
    builder.connect(gate, "Y", n1)
    inverter = builder.add_instance("g2", "sky130_fd_sc_hd__inv_1")
    builder.connect(inverter, "A", n1)
    builder.connect(inverter, "Y", n2)
    # A chain behind the loop: on no loop, so none of its arcs may go (they all used to be
    # candidates, being unordered while the loop stood).
    previous = n1
    for index in range(4):
        buffer = builder.add_instance(f"b{index}", "sky130_fd_sc_hd__buf_1")
        builder.connect(buffer, "A", previous)
        previous = builder.net(f"chain{index}")
        builder.connect(buffer, "X", previous)
    log = Log()
    graph = build_timing_graph(builder.build(), [sky130_library], log=log)
    assert "STA-0003" in log.ids()
    assert graph.disabled_arcs == 1
    assert (graph.arc_inst >= 0).sum() == 2 + 1 + 4 - 1  # nand2 A, B; inv; 4 buffers; one cut
    assert (graph.pin_level >= 0).all() and graph.order.size == graph.n_pins
