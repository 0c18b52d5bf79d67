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
