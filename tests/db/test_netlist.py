"""Netlist arrays, CSR index and the builder."""

import numpy as np

from tapeout.db import CONST1, NameTable, NetlistBuilder, PortDirection
from tapeout.db.compare import differences


def small_netlist():
    builder = NetlistBuilder("top")
    a = builder.add_port("a", PortDirection.INPUT)
    y = builder.add_port("y", PortDirection.OUTPUT)
    u1 = builder.add_instance("u1", "INV")
    u2 = builder.add_instance("u2", "INV")
    na, n1, ny = builder.net("a"), builder.net("n1"), builder.net("y")
    builder.connect_port(a, na)
    builder.connect(u1, "A", na)
    builder.connect(u1, "Y", n1)
    builder.connect(u2, "A", n1)
    builder.connect(u2, "Y", ny)
    builder.connect_port(y, ny)
    return builder.build()


def test_csr_groups_pins_by_net():
    netlist = small_netlist()
    assert netlist.n_insts == 2 and netlist.n_nets == 3 and netlist.n_pins == 6
    assert [netlist.pin_name(p) for p in netlist.net_pins(1)] == ["u1/Y", "u2/A"]
    assert [netlist.pin_name(p) for p in netlist.net_pins(2)] == ["u2/Y", "y"]
    assert netlist.net_pin_indptr.tolist() == [0, 2, 4, 6]


def test_inst_pin_csr_skips_ports():
    indptr, indices = small_netlist().inst_pin_csr()
    assert indptr.tolist() == [0, 2, 4]
    assert indices.tolist() == [1, 2, 3, 4]


def test_constant_nets_are_recognized():
    builder = NetlistBuilder()
    u = builder.add_instance("u", "BUF")
    builder.connect(u, "A", builder.net(CONST1))
    netlist = builder.build()
    assert netlist.constant_value(0) == 1


def test_differences_finds_array_and_name_changes():
    a, b = small_netlist(), small_netlist()
    assert differences(a, b) == []
    b.pin_net = b.pin_net.copy()
    b.pin_net[0] = 2
    b.net_names = NameTable(["a", "n1", "z"])
    found = differences(a, b)
    assert any("net_names" in f for f in found)
    assert any("pin_net" in f for f in found)


def test_duplicate_instance_is_rejected():
    builder = NetlistBuilder()
    builder.add_instance("u", "INV")
    try:
        builder.add_instance("u", "INV")
    except ValueError as error:
        assert "u" in str(error)
    else:
        raise AssertionError("duplicate accepted")


def test_empty_netlist_has_valid_index():
    netlist = NetlistBuilder().build()
    assert netlist.net_pin_indptr.tolist() == [0]
    assert netlist.inst_master.dtype == np.int32
