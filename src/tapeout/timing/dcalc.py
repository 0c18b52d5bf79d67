"""Interconnect for delay calculation: driver loads, π models and wire (Elmore) delays.

Three modes: ideal wires (pin capacitances only, as current OpenSTA without parasitics), SPEF
RC networks (Elmore delay to each load, π model for the driver's effective capacitance) and a
placement estimate (half-perimeter wirelength times the platform's unit R and C).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tapeout.db.parasitics import Parasitics
from tapeout.log import Log
from tapeout.timing._kernels.rc import reduce_rc_tree
from tapeout.timing.graph import ARC_WIRE, TimingGraph


@dataclass(eq=False)
class WireModel:
    """Loads and wire delays of every driver pin and wire arc.

    Attributes:
        wire_cap_ff: float64 (n_pins,) wire capacitance of the net each driver pin drives.
        extra_load_ff: float64 (n_pins,) loads not from cell pins on the driver's net (set_load).
        load_cap_ff: float64 (n_pins, 2) total load of each driver pin, by output transition.
        pi_near_ff, pi_resistance_ohm, pi_far_ff: float64 (n_pins, 2) π model of the driver's
            net for a rising / falling output (resistance 0 = lumped load).
        wire_delay_ps: float64 (n_arcs, 2) delay of each wire arc (0 for cell arcs).
        wire_slew_ps: float64 (n_arcs, 2) slew degradation of each wire arc; negative values
            combine as ``sqrt(slew² + w²)`` (w = ln 4 × Elmore delay, the 20-80 % rise of one
            pole), 0 leaves the driver slew. The SPEF mode measures load slews on the DMP
            waveform instead.
    """

    wire_cap_ff: np.ndarray
    extra_load_ff: np.ndarray
    load_cap_ff: np.ndarray
    pi_near_ff: np.ndarray
    pi_resistance_ohm: np.ndarray
    pi_far_ff: np.ndarray
    wire_delay_ps: np.ndarray
    wire_slew_ps: np.ndarray


def pin_loads_ff(graph: TimingGraph, extra_load_ff: np.ndarray) -> np.ndarray:
    """Sum over each net's pins of pin caps and extra loads, given to the net's driver pins.

    Every pin's Liberty capacitance counts, a driver's too: a tri-state output has one (its
    off driver loads the net), as in OpenSTA; ordinary outputs give none.
    Returns float64 (n_pins, 2): rows of non-driver pins are 0.
    """
    netlist = graph.netlist
    pin_net = netlist.pin_net.astype(np.int64)
    n_nets = netlist.n_nets
    per_net = np.zeros((n_nets, 2))
    for rf in range(2):
        weights = graph.pin_cap_ff[:, rf] + extra_load_ff
        per_net[:, rf] = np.bincount(pin_net, weights=weights, minlength=n_nets)
    result = np.zeros((graph.n_pins, 2))
    drivers = graph.pin_is_driver
    result[drivers] = per_net[pin_net[drivers]]
    return result


def ideal_wires(graph: TimingGraph, extra_load_ff: np.ndarray) -> WireModel:
    """No wire resistance or capacitance: loads are the pin capacitances (and set_load)."""
    n_pins, n_arcs = graph.n_pins, graph.n_arcs
    return WireModel(
        wire_cap_ff=np.zeros(n_pins),
        extra_load_ff=extra_load_ff,
        load_cap_ff=pin_loads_ff(graph, extra_load_ff),
        pi_near_ff=np.zeros((n_pins, 2)),
        pi_resistance_ohm=np.zeros((n_pins, 2)),
        pi_far_ff=np.zeros((n_pins, 2)),
        wire_delay_ps=np.zeros((n_arcs, 2)),
        wire_slew_ps=np.zeros((n_arcs, 2)),
    )


def estimated_wires(
    graph: TimingGraph,
    extra_load_ff: np.ndarray,
    pin_x_um: np.ndarray,
    pin_y_um: np.ndarray,
    *,
    cap_ff_per_um: float,
    res_ohm_per_um: float,
) -> WireModel:
    """Wires from placement: each net's half-perimeter length with unit R and C.

    Each load sees a π of the whole net (Elmore delay R_wire * (C_wire/2 + C_pins)), a common
    pre-route estimate. ``pin_x_um``/``pin_y_um``: float64 (n_pins,) pin locations.
    """
    netlist = graph.netlist
    pin_net = netlist.pin_net.astype(np.int64)
    n_nets = netlist.n_nets
    x_max = np.full(n_nets, -np.inf)
    x_min = np.full(n_nets, np.inf)
    y_max = np.full(n_nets, -np.inf)
    y_min = np.full(n_nets, np.inf)
    np.maximum.at(x_max, pin_net, pin_x_um)
    np.minimum.at(x_min, pin_net, pin_x_um)
    np.maximum.at(y_max, pin_net, pin_y_um)
    np.minimum.at(y_min, pin_net, pin_y_um)
    hpwl = np.where(np.isfinite(x_max), (x_max - x_min) + (y_max - y_min), 0.0)
    model = ideal_wires(graph, extra_load_ff)
    drivers = graph.pin_is_driver
    wire_cap = hpwl * cap_ff_per_um
    wire_res = hpwl * res_ohm_per_um
    model.wire_cap_ff[drivers] = wire_cap[pin_net[drivers]]
    model.load_cap_ff[drivers] += wire_cap[pin_net[drivers], None]
    wire_arcs = np.flatnonzero(graph.arc_kind == ARC_WIRE)
    net = pin_net[graph.arc_from[wire_arcs]]
    pin_cap_total = model.load_cap_ff[graph.arc_from[wire_arcs]].mean(axis=1) - wire_cap[net]
    delay = wire_res[net] * (wire_cap[net] / 2 + pin_cap_total) * 1e-3
    model.wire_delay_ps[wire_arcs] = delay[:, None]
    model.wire_slew_ps[wire_arcs] = -np.log(4.0) * delay[:, None]
    return model


def spef_wires(
    graph: TimingGraph,
    extra_load_ff: np.ndarray,
    parasitics: Parasitics,
    *,
    log: Log | None = None,
) -> WireModel:
    """Wires from SPEF RC networks: Elmore delays to the loads and a π model per driver.

    Pin capacitances from Liberty are added at their nodes (averaged over rise/fall for the
    tree). Coupling capacitors count as grounded. Nets missing from the SPEF stay ideal.
    """
    log = log or Log()
    netlist = graph.netlist
    model = ideal_wires(graph, extra_load_ff)
    delimiter = parasitics.header.delimiter
    node_index = parasitics.node_names
    pin_net = netlist.pin_net.astype(np.int64)
    wire_arcs = np.flatnonzero(graph.arc_kind == ARC_WIRE)
    arcs_of_driver: dict[int, list[int]] = {}
    for a in wire_arcs:
        arcs_of_driver.setdefault(int(graph.arc_from[a]), []).append(int(a))
    missing = 0
    pin_node_name = []
    for pin in range(netlist.n_pins):
        inst = int(netlist.pin_inst[pin])
        if inst < 0:
            pin_node_name.append(netlist.port_names[int(netlist.pin_term[pin])])
        else:
            term = netlist.terms[int(netlist.pin_term[pin])]
            pin_node_name.append(f"{netlist.inst_names[inst]}{delimiter}{term}")
    spef_nets = parasitics.net_names
    for driver in np.flatnonzero(graph.pin_is_driver):
        net = int(pin_net[driver])
        net_name = netlist.net_names[net]
        spef_net = spef_nets.get(net_name)
        if spef_net < 0:
            # the SPEF may name the net after a port it connects to
            missing += 1
            continue
        caps = slice(parasitics.net_cap_indptr[spef_net], parasitics.net_cap_indptr[spef_net + 1])
        ress = slice(parasitics.net_res_indptr[spef_net], parasitics.net_res_indptr[spef_net + 1])
        cap_nodes = parasitics.cap_node1[caps].astype(np.int64)
        res1 = parasitics.res_node1[ress].astype(np.int64)
        res2 = parasitics.res_node2[ress].astype(np.int64)
        pins = netlist.net_pins(net)
        pin_nodes = np.array([node_index.get(pin_node_name[p]) for p in pins], dtype=np.int64)
        all_nodes = np.unique(np.concatenate([cap_nodes, res1, res2, pin_nodes[pin_nodes >= 0]]))
        local = {int(n): i for i, n in enumerate(all_nodes)}
        n_local = all_nodes.size
        node_cap = np.zeros(n_local)
        np.add.at(node_cap, np.searchsorted(all_nodes, cap_nodes), parasitics.cap_ff[caps])
        wire_cap = float(parasitics.cap_ff[caps].sum())
        load_positions = []
        load_caps = []
        # the other loads, and every pin with a capacitance of its own (a tri-state driver's,
        # this one's too)
        own = graph.pin_cap_ff[pins].max(axis=1) > 0
        for p in pins[(graph.pin_is_load[pins] & (pins != driver)) | own]:
            position = local.get(node_index.get(pin_node_name[p]), -1)
            if position >= 0:
                load_positions.append(position)
                load_caps.append(graph.pin_cap_ff[p] + extra_load_ff[p])
        root = local.get(node_index.get(pin_node_name[driver]), -1)
        model.wire_cap_ff[driver] = wire_cap
        model.load_cap_ff[driver] += wire_cap
        if root < 0 or res1.size == 0:
            continue
        arcs = arcs_of_driver.get(int(driver), [])
        arc_positions = [
            local.get(node_index.get(pin_node_name[int(graph.arc_to[a])]), -1) for a in arcs
        ]
        for rf in range(2):
            pin_cap = np.zeros(n_local)
            for position, caps in zip(load_positions, load_caps, strict=True):
                pin_cap[position] += caps[rf]
            elmore, near, resistance, far = reduce_rc_tree(
                n_local,
                root,
                node_cap + pin_cap,
                np.searchsorted(all_nodes, res1),
                np.searchsorted(all_nodes, res2),
                parasitics.res_ohm[ress].astype(np.float64),
            )
            model.pi_near_ff[driver, rf] = near
            model.pi_resistance_ohm[driver, rf] = resistance
            model.pi_far_ff[driver, rf] = far
            for a, position in zip(arcs, arc_positions, strict=True):
                if position >= 0 and np.isfinite(elmore[position]):
                    model.wire_delay_ps[a, rf] = elmore[position]
                    model.wire_slew_ps[a, rf] = -np.log(4.0) * elmore[position]
    if missing:
        log.warn("STA-0020", f"{missing} driven nets have no SPEF parasitics; they are ideal")
    return model
