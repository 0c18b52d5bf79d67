"""The synthetic netlist generator gives connected, single-driver, deterministic netlists."""

import numpy as np

from tapeout.db.synthetic import make_netlist


def test_every_net_has_one_driver_and_a_sink():
    netlist = make_netlist(2000, seed=3)
    output_terms = {netlist.terms.index(t) for t in ("Y", "X", "Q")}
    is_driver = np.isin(netlist.pin_term, list(output_terms)) & (netlist.pin_inst >= 0)
    is_driver |= (netlist.pin_inst < 0) & (netlist.port_direction[netlist.pin_term] == 0)
    drivers = np.bincount(netlist.pin_net[is_driver], minlength=netlist.n_nets)
    assert (drivers == 1).all()
    assert netlist.n_insts == 2000
    assert np.diff(netlist.net_pin_indptr).min() >= 1


def test_same_seed_same_netlist():
    a, b = make_netlist(500, seed=7), make_netlist(500, seed=7)
    assert np.array_equal(a.pin_net, b.pin_net)
    assert not np.array_equal(a.pin_net, make_netlist(500, seed=8).pin_net)


def test_logic_depth_bounds_gate_paths_between_flops():
    depth_limit = 6
    netlist = make_netlist(3000, seed=5, logic_depth=depth_limit)
    clk = netlist.terms.index("CLK")
    flop = np.zeros(netlist.n_insts, dtype=bool)
    flop[netlist.pin_inst[(netlist.pin_term == clk) & (netlist.pin_inst >= 0)]] = True
    output_terms = [netlist.terms.index(t) for t in ("Y", "X", "Q")]
    is_output = np.isin(netlist.pin_term, output_terms) & (netlist.pin_inst >= 0)
    driver_of_net = np.full(netlist.n_nets, -1)
    driver_of_net[netlist.pin_net[is_output]] = netlist.pin_inst[is_output]
    depth = np.zeros(netlist.n_insts, dtype=np.int64)
    sinks = (netlist.pin_inst >= 0) & ~is_output & (netlist.pin_term != clk)
    order = np.argsort(netlist.pin_inst[sinks], kind="stable")
    for inst, net in zip(
        netlist.pin_inst[sinks][order], netlist.pin_net[sinks][order], strict=True
    ):
        source = driver_of_net[net]
        if flop[inst] or source < 0 or flop[source]:
            continue
        assert source < inst  # gates feed from earlier gates: index order is topological
        depth[inst] = max(depth[inst], depth[source] + 1)
    assert depth.max() < depth_limit
    unbounded = make_netlist(3000, seed=5)
    assert not np.array_equal(unbounded.pin_net, netlist.pin_net)
