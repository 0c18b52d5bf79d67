"""Wiring resistance of a cell's nets: the grid solve on drawn shapes, and the real layouts."""

from __future__ import annotations

import pytest

from tapeout.characterize.batch import cell_subckt
from tapeout.characterize.fetch import Sky130Files
from tapeout.characterize.parasitics import (
    MCON_OHMS,
    SHEET_OHMS,
    cell_wiring,
    resistor_lines,
    resistor_network,
)
from tapeout.fileio import read_text
from tapeout.formats.gds_cell import CellWiring, NetConductors
from tapeout.formats.spice import find_subckt

LI1 = SHEET_OHMS["li1"]


def _net(li1=(), met1=(), mcon=(), terminals=(), name="Y") -> NetConductors:
    return NetConductors(name, tuple(li1), tuple(met1), tuple(mcon), tuple(terminals))


def test_a_straight_strip_is_its_squares() -> None:
    """A li1 strip 0.17 µm wide with a 0.17 µm square terminal at each end: the 1.36 µm
    between them is 8 squares."""
    strip = (0, 0, 1700, 170)
    net = _net(
        li1=[strip],
        terminals=[("pin", "li1", [(0, 0, 170, 170)]), ("nd0", "li1", [(1530, 0, 1700, 170)])],
    )
    ((first, second, ohms),) = resistor_network(net, 0.001)
    assert (first, second) == ("pin", "nd0")
    assert ohms == pytest.approx(8 * LI1, rel=0.01)


def test_a_wide_strip_divides_and_a_floating_piece_is_ignored() -> None:
    net = _net(
        li1=[(0, 0, 1700, 340), (3000, 0, 3500, 340)],  # the second piece touches nothing
        terminals=[("pin", "li1", [(0, 0, 170, 340)]), ("nd0", "li1", [(1530, 0, 1700, 340)])],
    )
    ((_, _, ohms),) = resistor_network(net, 0.001)
    assert ohms == pytest.approx(4 * LI1, rel=0.01)


def test_mcon_joins_li1_to_met1() -> None:
    """A met1 pin over an mcon at one end of a li1 strip: the cut's 9.3 Ω plus the 8 squares
    of li1 beyond it, and a third of a square under it (the cut feeds the li1 evenly over
    its area, as a resistor fed along its length is a third of its end-to-end value)."""
    net = _net(
        li1=[(0, 0, 1700, 170)],
        met1=[(0, 0, 170, 170)],
        mcon=[(0, 0, 170, 170)],
        terminals=[("pin", "met1", [(0, 0, 170, 170)]), ("nd0", "li1", [(1530, 0, 1700, 170)])],
    )
    ((_, _, ohms),) = resistor_network(net, 0.001)
    assert ohms == pytest.approx(MCON_OHMS + (8 + 1 / 3) * LI1, rel=0.01)


def test_three_terminals_reduce_to_a_triangle() -> None:
    """A pin in the middle of a strip, a terminal at each end: two resistors from the pin of
    equal value, and none between the ends (the pin, an ideal node, cuts the strip)."""
    net = _net(
        li1=[(0, 0, 3570, 170)],
        terminals=[
            ("pin", "li1", [(1700, 0, 1870, 170)]),
            ("nd0", "li1", [(0, 0, 170, 170)]),
            ("nd1", "li1", [(3400, 0, 3570, 170)]),
        ],
    )
    resistors = {(a, b): ohms for a, b, ohms in resistor_network(net, 0.001)}
    assert set(resistors) == {("pin", "nd0"), ("pin", "nd1")}
    assert resistors["pin", "nd0"] == pytest.approx(resistors["pin", "nd1"])
    assert resistors["pin", "nd0"] == pytest.approx(9 * LI1, rel=0.01)


def test_resistor_lines_name_nodes_and_short_contacts() -> None:
    """The pin keeps the net's name; a terminal under the pin label becomes the pin's node;
    a terminal the wiring does not reach stays on the net; others get their own node."""
    net = _net(
        li1=[(0, 0, 1700, 170), (5000, 0, 5500, 170)],
        terminals=[
            ("pin", "li1", [(0, 0, 170, 170)]),
            ("g0", "li1", [(0, 0, 170, 170)]),  # the label sits on the poly contact
            ("pd1", "li1", [(1530, 0, 1700, 170)]),
            ("pd2", "li1", [(5300, 0, 5500, 170)]),  # an island of its own
        ],
    )
    wiring = CellWiring(nets={}, matched=True, unpaired=(), conductors=(net,))
    nodes, lines = resistor_lines(wiring)
    assert nodes == {("Y", "pin"): "Y", ("Y", "g0"): "Y", ("Y", "pd1"): "Y__pd1", ("Y", "pd2"): "Y"}
    assert len(lines) == 1
    name, first, second, ohms = lines[0].split()
    assert name.startswith("Rwire") and (first, second) == ("Y", "Y__pd1")
    assert float(ohms) == pytest.approx(8 * LI1, rel=0.01)


def test_internal_net_without_pin_uses_its_first_terminal() -> None:
    net = _net(
        li1=[(0, 0, 1700, 170)],
        terminals=[("nd3", "li1", [(0, 0, 170, 170)]), ("g1", "li1", [(1530, 0, 1700, 170)])],
        name="net7",
    )
    nodes, lines = resistor_lines(CellWiring({}, True, (), conductors=(net,)))
    assert nodes == {("net7", "nd3"): "net7", ("net7", "g1"): "net7__g1"}
    assert lines[0].split()[1:3] == ["net7", "net7__g1"]


def _subckt(files: Sky130Files, name: str):
    path = files.cell_file(name, ".cdl")
    return find_subckt(read_text(path, what="CDL"), name, file=path)


def test_inv_8_output_strap(sky130_files: Sky130Files) -> None:
    """inv_8's output: four PMOS and four NMOS drain pieces on a li1 comb whose two ends
    carry the Y labels; the drains sit tens of ohms from the pin, the inner ones farther
    (in series along the comb); the supplies reach each source piece from their met1 rail."""
    name = "sky130_fd_sc_hd__inv_8"
    wiring = cell_wiring(sky130_files.cell_file(name, ".gds"), _subckt(sky130_files, name))
    output = next(net for net in wiring.conductors if net.net == "Y")
    keys = [key for key, _, _ in output.terminals]
    assert keys[0] == "pin" and sorted(keys[1:]) == sorted(
        [f"pd{k}" for k in (1, 3, 5, 7)] + [f"nd{k}" for k in (1, 3, 5, 7)]
    )
    resistors = {(a, b): ohms for a, b, ohms in resistor_network(output, wiring.unit_um)}
    assert 20 < resistors["pin", "pd1"] < 80
    assert 20 < resistors["pd1", "pd3"] < 80
    assert resistors["pin", "pd3"] > 10 * resistors["pin", "pd1"]  # reached through pd1/pd5
    rail = next(net for net in wiring.conductors if net.net == "VPWR")
    assert rail.terminals[0][:2] == ("pin", "met1")
    to_rail = [ohms for a, b, ohms in resistor_network(rail, wiring.unit_um) if a == "pin"]
    assert len(to_rail) == 5 and all(5 < ohms < 60 for ohms in to_rail)
    # every finger's drain and source are on its piece's contact node, two fingers a piece
    subckt, _ = cell_subckt(sky130_files, name)
    lines = subckt.splitlines()
    devices = [line.split() for line in lines if line.startswith("XM")]
    assert len(devices) == 16
    drains = [fields[1] for fields in devices]
    assert set(drains) == {f"Y__c{t}d{k}" for t in "pn" for k in (1, 3, 5, 7)}
    assert all(drains.count(node) == 2 for node in drains)
    assert {fields[2] for fields in devices} == {"A"}  # its pin label sits on the poly contact
    assert all("nrd=0" in fields and "nrs=0" in fields for fields in devices)
    contacts = {line.split()[1]: line.split()[2:] for line in lines if line.startswith("Rcontact")}
    assert contacts["Y__cpd3"][0] == "Y__pd3"  # behind the wiring node of its piece
    assert contacts["VPWR__cpd2"][0] == "VPWR"  # the supplies' wiring stays ideal
    assert float(contacts["Y__cnd1"][1]) == pytest.approx(0.14 / 0.65 * (89.1 / 0.65 + 443.5), 1e-3)
    nodes, lines = resistor_lines(wiring, supplies=True)
    assert nodes["VPWR", "pd2"] == "VPWR__pd2" and nodes["VGND", "pin"] == "VGND"
    assert len(lines) > len(resistor_lines(wiring)[1])
    assert any(line.startswith("Rwire") and " Y Y__pd1 " in line for line in subckt.splitlines())


def test_every_cell_terminal_is_reached(sky130_files: Sky130Files) -> None:
    """In a sample of cells every device terminal node the netlist uses is joined by
    resistors to its net (no floating node: ngspice would stop on a singular matrix)."""
    for short in ("nand2_1", "xor2_2", "mux2_1", "dfrtp_1", "a21oi_2", "buf_8"):
        subckt, _ = cell_subckt(sky130_files, f"sky130_fd_sc_hd__{short}")
        lines = subckt.splitlines()
        used = {node for line in lines if line.startswith("X") for node in line.split()[1:4]}
        joined = {node for line in lines if line.startswith("R") for node in line.split()[1:3]}
        assert all(node in joined for node in used if "__" in node), short
