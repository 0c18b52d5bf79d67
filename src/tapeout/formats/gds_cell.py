"""Reading one standard cell's layout (GDS) for its wiring: per schematic net, the area and
perimeter of its poly, li1 and met1 shapes, found by KLayout's layout-to-netlist extraction and
matched to the schematic (CDL) transistors by KLayout's netlist comparer.

Characterization simulates the schematic, which has no wires; these shapes are what layout
extraction would turn into wiring capacitance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

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
    counted off diffusion only (over diffusion it is the transistor's gate)."""

    poly_field_area_um2: float
    poly_field_perimeter_um: float
    li1_area_um2: float
    li1_perimeter_um: float
    met1_area_um2: float
    met1_perimeter_um: float


@dataclass(frozen=True)
class CellWiring:
    """``nets``: schematic net name → its wiring; ``matched``: the layout's transistors and
    nets correspond one to one with the schematic's (KLayout's comparer; when False, ``nets``
    holds the pairs it still made); ``unpaired``: schematic nets without a layout net."""

    nets: dict[str, NetWiring]
    matched: bool
    unpaired: tuple[str, ...]


def read_cell_wiring(
    gds_path: Path,
    cell: str,
    ports: Sequence[str],
    transistors: Sequence[Transistor],
    *,
    layers: CellLayers = SKY130_LAYERS,
) -> CellWiring:
    """The wiring of each schematic net of ``cell`` from its layout in ``gds_path``.

    The layout's nets are extracted (transistors where poly crosses diffusion, in or out of the
    n-well; connections through licon, li1, mcon, met1; pins from text labels) and paired with
    the schematic given by ``ports`` and ``transistors``. Raises InputFileError when the file
    cannot be read or lacks the cell.
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
    for pair, conductor in zip(layers.labels, (poly, li1, metal1), strict=True):
        labels = extraction.make_text_layer(layout.layer(*pair))
        extraction.connect(conductor, labels)
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

    def wiring_of(layout_net) -> NetWiring:
        measured = []
        for region in (poly_field, li1, metal1):
            net_shapes = extraction.shapes_of_net(layout_net, region, True)
            net_shapes.merge()
            measured.append(net_shapes.area() * unit_um**2)
            measured.append(net_shapes.perimeter() * unit_um)
        return NetWiring(*measured)

    nets: dict[str, NetWiring] = {}
    for circuit_pair in cross_reference.each_circuit_pair():
        for net_pair in cross_reference.each_net_pair(circuit_pair):
            layout_net, schematic_net = net_pair.first(), net_pair.second()
            if layout_net is not None and schematic_net is not None:
                nets[schematic_net.name] = wiring_of(layout_net)
    for port in ports:  # a pin's layout net carries its label even where pairing failed
        layout_net = layout_circuit.net_by_name(port)
        if port not in nets and layout_net is not None:
            nets[port] = wiring_of(layout_net)
    names = {net for transistor in transistors for net in transistor[1:5]} | set(ports)
    unpaired = tuple(sorted(str(name) for name in names if name not in nets))
    return CellWiring(nets, matched, unpaired)


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
