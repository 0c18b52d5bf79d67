"""Reading one standard cell's layout (GDS) for its wiring: per schematic net, the area and
perimeter of its poly, li1 and met1 shapes, found by KLayout's layout-to-netlist extraction and
matched to the schematic (CDL) transistors by KLayout's netlist comparer; and between nets,
where one net's shapes lie over another's (overlaps) or beside them on the same layer
(sidewalls); each transistor gate's geometry: its stress distances (BSIM4's SA/SB, to the
ends of the diffusion strip it sits in) and its share of the source/drain diffusion beside it;
and per net its li1/met1 rectangles and mcon cuts with its terminals (pin labels, the licon
cuts onto each diffusion and poly piece), from which its wiring resistance is solved.

Characterization simulates the schematic, which has no wires; these shapes are what layout
extraction would turn into wiring and coupling capacitance, and into the per-device geometry
that the schematic only estimates (a CDL gives every device its own strip of minimum ends, while
the layout often puts several devices on one strip).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from tapeout.errors import InputFileError


@dataclass(frozen=True)
class CellLayers:
    """GDS (layer, datatype) pairs of the layers the extraction reads."""

    diffusion: tuple[int, int] = (65, 20)
    poly: tuple[int, int] = (66, 20)
    local_contact: tuple[int, int] = (66, 44)  # licon: diffusion/poly to li1
    local_interconnect: tuple[int, int] = (67, 20)  # li1
    metal1_contact: tuple[int, int] = (67, 44)  # mcon: li1 to met1
    metal1: tuple[int, int] = (68, 20)
    nwell: tuple[int, int] = (64, 20)
    labels: tuple[tuple[int, int], ...] = ((66, 5), (67, 5), (68, 5))  # poly/li1/met1 text


SKY130_LAYERS = CellLayers()


class Transistor(NamedTuple):
    """One schematic transistor: terminals by net name, ``p_type`` for a PMOS, sizes in µm
    (``width_um`` the total of its ``multiplier`` parallel fingers)."""

    name: str
    drain: str
    gate: str
    source: str
    bulk: str
    p_type: bool
    width_um: float
    length_um: float


@dataclass(frozen=True)
class NetWiring:
    """Layout shapes of one net (merged per layer): areas in µm², perimeters in µm. Poly is
    counted off diffusion only (over diffusion it is the transistor's gate). The ``exposed``
    areas are the parts over no lower conductor of any net (li1 off poly and source/drain
    diffusion; met1 off li1, poly and diffusion): only they face the substrate."""

    poly_field_area_um2: float
    poly_field_perimeter_um: float
    li1_area_um2: float
    li1_perimeter_um: float
    met1_area_um2: float
    met1_perimeter_um: float
    li1_exposed_area_um2: float
    met1_exposed_area_um2: float


class Overlap(NamedTuple):
    """``upper_net``'s shapes on ``upper_layer`` over ``lower_net``'s on ``lower_layer``
    (layers ``poly``, ``diffusion``, ``li1``, ``met1``; nothing between them), ``area_um2``."""

    upper_net: str
    lower_net: str
    upper_layer: str
    lower_layer: str
    area_um2: float


class Sidewall(NamedTuple):
    """Facing edges of two nets on one layer with nothing between them: ``length_um`` of
    edge (the part that faces the other) ``distance_um`` apart; ``first_net`` < ``second_net``."""

    first_net: str
    second_net: str
    layer: str
    length_um: float
    distance_um: float


class Finger(NamedTuple):
    """One transistor gate of the layout (a poly stripe across diffusion): its schematic nets
    (``gate``; ``left``/``right`` the diffusions before and after it along the channel),
    ``width_um`` and ``length_um``, and its stress distances ``sa_um``/``sb_um``: from each
    gate edge along the channel to the end of the diffusion (BSIM4's SA/SB, through any other
    gates on the same strip; where the diffusion's end differs across the width, the
    width-weighted effective value of BSIM4's length-of-diffusion model); ``left_junction_um``
    and ``right_junction_um``: the area of the source/drain diffusion on each side, divided
    among the gates that border it, over ``width_um`` (the junction's length beside the
    gate); ``left_field_um`` and ``right_field_um``: the perimeter of that diffusion which does
    not border a gate (its field edges), divided the same way. A diffusion net the comparer
    could not pair with the schematic is ``""``."""

    p_type: bool
    gate: str
    left: str
    right: str
    width_um: float
    length_um: float
    sa_um: float
    sb_um: float
    left_junction_um: float
    right_junction_um: float
    left_node: str = ""
    right_node: str = ""
    gate_node: str = ""
    left_field_um: float | None = None
    right_field_um: float | None = None


Box = tuple[int, int, int, int]  # left, bottom, right, top in database units


class NetConductors(NamedTuple):
    """One net's li1 and met1 shapes and mcon cuts (``Box`` rectangles, database units) and
    its terminals, each ``(key, layer, boxes)`` on ``li1`` or ``met1``: ``pin`` where the net
    meets the outside (a 0.17 µm square at each pin label; a supply rail's whole met1), and
    where it meets devices: the licon cuts onto each source/drain diffusion piece (key
    ``pd<k>``/``nd<k>``, as ``Finger.left_node``/``right_node``) and onto each poly piece
    (``g<k>``, as ``Finger.gate_node``)."""

    net: str
    li1: tuple[Box, ...]
    met1: tuple[Box, ...]
    mcon: tuple[Box, ...]
    terminals: tuple[tuple[str, str, tuple[Box, ...]], ...]


@dataclass(frozen=True)
class CellWiring:
    """``nets``: schematic net name → its wiring; ``matched``: the layout's transistors and
    nets correspond one to one with the schematic's (KLayout's comparer; when False, ``nets``
    holds the pairs it still made); ``unpaired``: schematic nets without a layout net;
    ``unpaired_contacted``: some layout net left unpaired has li1 (a licon), so an unpaired
    schematic net may be contacted (False: the layout's unpaired nets are bare diffusion, as
    where a stack node is split into pieces between gates); ``overlaps`` and ``sidewalls``:
    the geometry between paired nets; ``fingers``: the layout's transistor gates whose gate
    net was paired; ``conductors``: each paired net's li1/met1 shapes and terminals, for its
    resistance (``unit_um``: the database unit of their boxes)."""

    nets: dict[str, NetWiring]
    matched: bool
    unpaired: tuple[str, ...]
    unpaired_contacted: bool = True
    overlaps: tuple[Overlap, ...] = ()
    sidewalls: tuple[Sidewall, ...] = ()
    fingers: tuple[Finger, ...] = ()
    conductors: tuple[NetConductors, ...] = ()
    unit_um: float = 0.001


PIN_SQUARE_UM = 0.17  # a pin terminal: an mcon-sized square at the label


def read_cell_wiring(
    gds_path: Path,
    cell: str,
    ports: Sequence[str],
    transistors: Sequence[Transistor],
    *,
    layers: CellLayers = SKY130_LAYERS,
    sidewall_halo_um: float = 0.5,
    rail_nets: Sequence[str] = (),
) -> CellWiring:
    """The wiring of each schematic net of ``cell`` from its layout in ``gds_path``.

    The layout's nets are extracted (transistors where poly crosses diffusion, in or out of the
    n-well; connections through licon, li1, mcon, met1; pins from text labels) and paired with
    the schematic given by ``ports`` and ``transistors``. Sidewalls are the edges of two nets
    closer than ``sidewall_halo_um`` with no shape of the layer between them. A net in
    ``rail_nets`` (the supplies) meets the outside along all its met1, others at their pin
    labels. Raises InputFileError when the file cannot be read or lacks the cell.
    """
    import klayout.db as kdb

    layout = kdb.Layout()
    try:
        layout.read(str(gds_path))
    except RuntimeError as error:
        raise InputFileError(f"cannot read GDS: {error}", file=gds_path) from error
    top = layout.cell(cell)
    if top is None:
        raise InputFileError(f"no cell {cell} in the GDS", file=gds_path)
    extraction = kdb.LayoutToNetlist(kdb.RecursiveShapeIterator(layout, top, []))

    def polygons(pair: tuple[int, int]) -> kdb.Region:
        return extraction.make_layer(layout.layer(*pair))

    diffusion = polygons(layers.diffusion)
    poly = polygons(layers.poly)
    local_contact = polygons(layers.local_contact)
    li1 = polygons(layers.local_interconnect)
    metal1_contact = polygons(layers.metal1_contact)
    metal1 = polygons(layers.metal1)
    nwell = polygons(layers.nwell)
    pwell = extraction.make_layer(layout.layer(), "pwell")  # empty: a global bulk net
    p_diffusion = diffusion & nwell
    n_diffusion = diffusion - nwell
    p_gate = p_diffusion & poly
    n_gate = n_diffusion & poly
    p_source_drain = p_diffusion - p_gate
    n_source_drain = n_diffusion - n_gate
    poly_field = poly - diffusion
    for region, name in (
        (p_gate, "p_gate"),
        (n_gate, "n_gate"),
        (p_source_drain, "p_source_drain"),
        (n_source_drain, "n_source_drain"),
        (poly_field, "poly_field"),
    ):
        extraction.register(region, name)
    extraction.extract_devices(
        kdb.DeviceExtractorMOS4Transistor("PMOS"),
        {"SD": p_source_drain, "G": p_gate, "P": poly, "W": nwell},
    )
    extraction.extract_devices(
        kdb.DeviceExtractorMOS4Transistor("NMOS"),
        {"SD": n_source_drain, "G": n_gate, "P": poly, "W": pwell},
    )
    for region in (p_source_drain, n_source_drain, poly, local_contact, li1, metal1_contact):
        extraction.connect(region)
    extraction.connect(metal1)
    extraction.connect(poly_field)
    extraction.connect(poly, poly_field)
    for lower, upper in (
        (p_source_drain, local_contact),
        (n_source_drain, local_contact),
        (poly, local_contact),
        (local_contact, li1),
        (li1, metal1_contact),
        (metal1_contact, metal1),
    ):
        extraction.connect(lower, upper)
    label_points = []  # (conductor, position) of each pin label on li1 or met1
    for pair, conductor in zip(layers.labels, (poly, li1, metal1), strict=True):
        labels = extraction.make_text_layer(layout.layer(*pair))
        extraction.connect(conductor, labels)
        if conductor is not poly:
            texts = kdb.Texts(top.begin_shapes_rec(layout.layer(*pair)))
            label_points += [(conductor, text.position()) for text in texts.each()]
    extraction.connect_global(nwell, "VPB")
    extraction.connect_global(pwell, "VNB")
    extraction.extract_netlist()
    extracted = extraction.netlist()
    extracted.make_top_level_pins()
    extracted.purge()
    extracted.combine_devices()

    schematic = _schematic_netlist(kdb, cell, ports, transistors)
    comparer = kdb.NetlistComparer()
    cross_reference = kdb.NetlistCrossReference()
    layout_circuit = extracted.circuit_by_name(cell)
    schematic_circuit = schematic.circuit_by_name(cell)
    if layout_circuit is None:
        raise InputFileError(f"no devices extracted from cell {cell}", file=gds_path)
    comparer.same_circuits(layout_circuit, schematic_circuit)
    for name in ("PMOS", "NMOS"):
        comparer.same_device_classes(
            extracted.device_class_by_name(name), schematic.device_class_by_name(name)
        )
    matched = bool(comparer.compare(extracted, schematic, cross_reference))

    unit_um = layout.dbu
    conductors = {
        "poly": poly_field,
        "diffusion": p_source_drain + n_source_drain,
        "li1": li1,
        "met1": metal1,
    }
    paired: dict[str, Any] = {}  # schematic name -> layout net (klayout.db.Net)
    for circuit_pair in cross_reference.each_circuit_pair():
        for net_pair in cross_reference.each_net_pair(circuit_pair):
            layout_net, schematic_net = net_pair.first(), net_pair.second()
            if layout_net is not None and schematic_net is not None:
                paired[schematic_net.name] = layout_net
    for port in ports:  # a pin's layout net carries its label even where pairing failed
        layout_net = layout_circuit.net_by_name(port)
        if port not in paired and layout_net is not None:
            paired[port] = layout_net
    shapes: dict[str, dict[str, Any]] = {name: {} for name in paired}  # net -> layer -> Region
    for name, layout_net in paired.items():
        for layer_name, region in conductors.items():
            net_shapes = extraction.shapes_of_net(layout_net, region, True)
            net_shapes.merge()
            shapes[name][layer_name] = net_shapes
    below_li1 = poly + conductors["diffusion"]
    below_met1 = below_li1 + li1
    nets = {
        name: NetWiring(
            layers["poly"].area() * unit_um**2,
            layers["poly"].perimeter() * unit_um,
            layers["li1"].area() * unit_um**2,
            layers["li1"].perimeter() * unit_um,
            layers["met1"].area() * unit_um**2,
            layers["met1"].perimeter() * unit_um,
            (layers["li1"] - below_li1).area() * unit_um**2,
            (layers["met1"] - below_met1).area() * unit_um**2,
        )
        for name, layers in shapes.items()
    }
    names = {net for transistor in transistors for net in transistor[1:5]} | set(ports)
    unpaired = tuple(sorted(str(name) for name in names if name not in nets))
    paired_names = {layout_net.expanded_name() for layout_net in paired.values()}
    unpaired_contacted = any(
        not extraction.shapes_of_net(layout_net, li1, True).is_empty()
        for layout_net in layout_circuit.each_net()
        if layout_net.expanded_name() not in paired_names
    )
    flat_poly = _flat(kdb, poly)
    flat_p, flat_n = _flat(kdb, p_diffusion), _flat(kdb, n_diffusion)
    pieces = {  # key prefix -> poly / source-drain pieces
        "g": _sorted_pieces(flat_poly),
        "pd": _sorted_pieces(flat_p - flat_poly),
        "nd": _sorted_pieces(flat_n - flat_poly),
    }
    return CellWiring(
        nets,
        matched,
        unpaired,
        unpaired_contacted,
        _overlaps(shapes, li1, unit_um),
        _sidewalls(kdb, shapes, conductors, sidewall_halo_um, unit_um),
        _fingers(
            kdb,
            extraction,
            paired,
            ((True, flat_p, p_source_drain), (False, flat_n, n_source_drain)),
            poly,
            flat_poly,
            pieces,
            unit_um,
        ),
        _net_conductors(
            kdb,
            extraction,
            paired,
            {"li1": li1, "met1": metal1, "mcon": metal1_contact, "licon": local_contact},
            pieces,
            label_points,
            set(rail_nets),
            round(PIN_SQUARE_UM / unit_um),
        ),
        unit_um,
    )


def _sorted_pieces(region) -> list:
    """The polygons of a flat region in a fixed order (by lower left corner)."""
    polygons = list(region.merged().each())
    return sorted(polygons, key=lambda polygon: (polygon.bbox().left, polygon.bbox().bottom))


def _piece_key(pieces: dict, prefix: str, point) -> str:
    """The key (``<prefix><index>``) of the piece of ``pieces[prefix]`` holding ``point``,
    or "" where none does."""
    for index, polygon in enumerate(pieces[prefix]):
        if polygon.inside(point):
            return f"{prefix}{index}"
    return ""


def _boxes(region) -> tuple[Box, ...]:
    """A region as rectangles (Manhattan shapes split exactly; any slanted edge is taken at
    its bounding box)."""
    boxes = []
    for polygon in region.merged().each():
        for piece in polygon.decompose_trapezoids():
            box = piece.bbox()
            boxes.append((box.left, box.bottom, box.right, box.top))
    return tuple(sorted(boxes))


def _net_conductors(
    kdb,
    extraction,
    paired: dict,
    layers: dict,
    pieces: dict,
    label_points: list,
    rail_nets: set[str],
    pin_square: int,
) -> tuple[NetConductors, ...]:
    """Each paired net with li1 or met1: its shapes and terminals (see ``NetConductors``)."""
    names = {layout_net.expanded_name(): name for name, layout_net in paired.items()}
    found = []
    for name, layout_net in sorted(paired.items()):
        shapes = {
            layer: extraction.shapes_of_net(layout_net, region, True).merged()
            for layer, region in layers.items()
        }
        if shapes["li1"].is_empty() and shapes["met1"].is_empty():
            continue
        terminals = []
        pin = kdb.Region()
        pin_layer = "met1"
        if name in rail_nets and not shapes["met1"].is_empty():
            pin = shapes["met1"]
        else:
            for conductor, point in label_points:
                if _probe(extraction, names, conductor, point) != name:
                    continue
                layer = "met1" if conductor is layers["met1"] else "li1"
                square = kdb.Region(kdb.Box(point, point).enlarged(pin_square // 2))
                if pin.is_empty():
                    pin_layer = layer
                if layer == pin_layer:
                    pin += square & shapes[layer]
        if not pin.is_empty():
            terminals.append(("pin", pin_layer, _boxes(pin)))
        for prefix, polygons in pieces.items():
            for index, polygon in enumerate(polygons):
                cuts = shapes["licon"] & kdb.Region(polygon) & shapes["li1"]
                if not cuts.is_empty():
                    terminals.append((f"{prefix}{index}", "li1", _boxes(cuts)))
        found.append(
            NetConductors(
                name,
                _boxes(shapes["li1"]),
                _boxes(shapes["met1"]),
                _boxes(shapes["mcon"]),
                tuple(terminals),
            )
        )
    return tuple(found)


def _fingers(
    kdb,
    extraction,
    paired: dict,
    layers_by_type: tuple,
    poly,
    flat_poly,
    pieces: dict,
    unit_um: float,
) -> tuple[Finger, ...]:
    """Each gate (diffusion under poly) with its nets, found by probing the layout beside it,
    its stress distances, its share of the diffusion on each side and the poly and diffusion
    pieces it joins (``pieces``, see ``NetConductors``) (see ``Finger``); gates whose gate net
    was not paired are left out. ``layers_by_type``: (``p_type``, flat diffusion, registered
    source/drain layer) for each transistor type; ``poly`` the registered poly layer,
    ``flat_poly`` its flat copy."""
    names = {layout_net.expanded_name(): name for name, layout_net in paired.items()}
    found = []
    for p_type, diffusion, deep_source_drain in layers_by_type:
        gates = (diffusion & flat_poly).merged()
        around_gates = gates.sized(1)  # touches every diffusion piece beside a gate
        source_drain = diffusion - flat_poly
        for gate in gates.each():
            box = gate.bbox()
            middle = box.center()
            beside_left = kdb.Box(box.left - 2, middle.y - 1, box.left - 1, middle.y + 1)
            # Work with the channel along x: the direction with diffusion before the gate.
            along_x = not (source_drain & kdb.Region(beside_left)).is_empty()
            turn = kdb.Trans() if along_x else kdb.Trans(kdb.Trans.M45)  # its own inverse
            work = box.transformed(turn)
            strip = diffusion.interacting(kdb.Region(gate)).transformed(turn)
            stress = _stress_distances(kdb, strip, work)
            gate_net = _probe(extraction, names, poly, middle)
            if stress is None or gate_net is None:
                continue
            middle_y = (work.bottom + work.top) // 2
            beside = [kdb.Point(work.left - 1, middle_y), kdb.Point(work.right + 1, middle_y)]
            diffusion_nets = []
            junctions = []
            fields = []
            nodes = []
            width = gate.area() / work.width()
            for point in beside:
                point = turn * point
                diffusion_nets.append(_probe(extraction, names, deep_source_drain, point) or "")
                area, field = _junction_share(kdb, source_drain, around_gates, point)
                junctions.append(area / width)
                fields.append(field * unit_um)
                nodes.append(_piece_key(pieces, "pd" if p_type else "nd", point))
            found.append(
                Finger(
                    p_type,
                    gate_net,
                    diffusion_nets[0],
                    diffusion_nets[1],
                    width * unit_um,
                    work.width() * unit_um,
                    stress[0] * unit_um,
                    stress[1] * unit_um,
                    junctions[0] * unit_um,
                    junctions[1] * unit_um,
                    nodes[0],
                    nodes[1],
                    _piece_key(pieces, "g", middle),
                    fields[0],
                    fields[1],
                )
            )
    return tuple(found)


def _flat(kdb, region):
    """A flat, merged copy of an extraction layer (geometry between a hierarchical layer and
    a flat region gives nothing)."""
    return kdb.Region(list(region.each())).merged()


def _probe(extraction, names: dict, layer, point) -> str | None:
    """The schematic name of the layout net on ``layer`` at ``point`` (None: no net there or
    not paired)."""
    net = extraction.probe_net(layer, point)
    return names.get(net.expanded_name()) if net is not None else None


def _junction_share(kdb, source_drain, around_gates, point) -> tuple[float, float]:
    """The area (database units²) of the source/drain diffusion at ``point`` and the length
    of its field edges (its perimeter less the edges it shares with gates, database units),
    each divided among the gates that border it. ``around_gates``: the gates grown by one
    database unit."""
    piece = source_drain.interacting(kdb.Region(kdb.Box(point, point).enlarged(1, 1)))
    bordering = max(1, around_gates.interacting(piece).count())
    edges = piece.edges()
    field = edges.length() - edges.inside_part(around_gates).length()
    return piece.area() / bordering, field / bordering


def _stress_distances(kdb, strip, box) -> tuple[int, int] | None:
    """BSIM4's effective SA and SB (database units) of the gate ``box`` in the diffusion
    ``strip``, the channel along x: for each horizontal band of the gate's width where the
    diffusion's outline does not change, the distances from the gate's edges to the ends of
    the diffusion piece it sits in, combined as 1/(SA + L/2) = Σ (w_i/W) / (sa_i + L/2)."""
    levels = {box.bottom, box.top}
    for polygon in strip.each():
        for point in polygon.each_point_hull():
            if box.bottom < point.y < box.top:
                levels.add(point.y)
    bands = sorted(levels)
    half_length = box.width() / 2
    frame = strip.bbox()
    inverse_a = inverse_b = 0.0
    for low, high in itertools.pairwise(bands):
        band = strip & kdb.Region(kdb.Box(frame.left - 1, low, frame.right + 1, high))
        pieces = [
            piece.bbox()
            for piece in band.each()
            if piece.bbox().left <= box.left and piece.bbox().right >= box.right
        ]
        if not pieces:
            return None
        share = (high - low) / box.height()
        inverse_a += share / (box.left - pieces[0].left + half_length)
        inverse_b += share / (pieces[0].right - box.right + half_length)
    return round(1 / inverse_a - half_length), round(1 / inverse_b - half_length)


# (upper layer, lower layer, whether li1 lies between them and shields the lower one)
_OVERLAPS = (
    ("li1", "poly", False),
    ("li1", "diffusion", False),
    ("met1", "li1", False),
    ("met1", "poly", True),
    ("met1", "diffusion", True),
)


def _overlaps(shapes: dict, li1, unit_um: float) -> tuple[Overlap, ...]:
    """Areas where one net lies over another (per ``_OVERLAPS``; li1 of any net shields met1
    from what is under it)."""
    found = []
    for upper_net, upper in shapes.items():
        for lower_net, lower in shapes.items():
            if upper_net == lower_net:
                continue
            for upper_layer, lower_layer, under_li1 in _OVERLAPS:
                common = upper[upper_layer] & lower[lower_layer]
                if under_li1 and not common.is_empty():
                    common -= li1
                area = common.area() * unit_um**2
                if area > 0:
                    found.append(Overlap(upper_net, lower_net, upper_layer, lower_layer, area))
    return tuple(found)


def _sidewalls(
    kdb, shapes: dict, conductors: dict, halo_um: float, unit_um: float
) -> tuple[Sidewall, ...]:
    """Facing edges between paired nets on poly, li1 and met1 within ``halo_um``, shielded by
    any shape of the layer between them (nets that were not paired only shield)."""
    found = []
    halo = max(1, round(halo_um / unit_um))
    for layer_name in ("poly", "li1", "met1"):
        everything = conductors[layer_name].merged()
        owners = {name: layers[layer_name] for name, layers in shapes.items()}
        for first, region in sorted(owners.items()):
            if region.is_empty():
                continue
            others = everything - region
            pairs = region.separation_check(
                others, halo, False, kdb.Metrics.Projection, None, None, None, True
            )
            if pairs.is_empty():
                continue
            facing: dict[tuple[int, int, int, int], list[Any]] = {}
            for pair in pairs.each():
                edge = pair.second
                key = (edge.x1, edge.y1, edge.x2, edge.y2)
                facing.setdefault(key, []).append(pair)
            second_edges = pairs.second_edges()
            second_edges.merged_semantics = False  # keep each pair's edge as it is
            for second, other in sorted(owners.items()):
                if second <= first or other.is_empty():
                    continue
                for edge in second_edges.interacting(other).each():
                    for pair in facing.pop((edge.x1, edge.y1, edge.x2, edge.y2), ()):
                        length = min(pair.first.length(), pair.second.length()) * unit_um
                        distance = pair.distance() * unit_um
                        found.append(Sidewall(first, second, layer_name, length, distance))
    return tuple(found)


def _schematic_netlist(kdb, cell: str, ports: Sequence[str], transistors: Sequence[Transistor]):
    """A KLayout netlist of the schematic (devices of classes PMOS/NMOS; parallel fingers
    combined as the layout's are)."""
    netlist = kdb.Netlist()
    classes = {}
    for name in ("PMOS", "NMOS"):
        device_class = kdb.DeviceClassMOS4Transistor()
        device_class.name = name
        netlist.add(device_class)
        classes[name] = device_class
    circuit = kdb.Circuit()
    circuit.name = cell
    netlist.add(circuit)
    nets = {}

    def net(name: str):
        if name not in nets:
            nets[name] = circuit.create_net(name)
        return nets[name]

    for port in ports:
        pin = circuit.create_pin(port)
        circuit.connect_pin(pin, net(port))
    for transistor in transistors:
        device = circuit.create_device(
            classes["PMOS" if transistor.p_type else "NMOS"], transistor.name
        )
        for terminal, name in zip("DGSB", transistor[1:5], strict=True):
            device.connect_terminal(terminal, net(name))
        device.set_parameter("W", transistor.width_um)
        device.set_parameter("L", transistor.length_um)
    netlist.combine_devices()
    return netlist
