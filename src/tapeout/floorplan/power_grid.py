"""The power grid as DEF special nets: follow-pin rails, straps, a core ring and via stacks.

Per the platform's ``PowerGridRecipe``: rails on the rail layer along every row boundary
(ground where the row's cells have their ground pin), reaching out to the core ring; straps
alternating power/ground on each strap layer at the recipe's pitch and offset (the ground strap
half a pitch after the power strap), reaching the ring; two rings (power inside, ground
outside) on the ring layers; via stacks at every rail/strap, strap/strap, strap/ring,
rail/ring and ring corner crossing of the same net. All shapes are rectangles (DEF ``RECT``)
so their extent is exact; vias are arrays from the tech LEF's generate rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tapeout.db.names import NameTable
from tapeout.db.physical import Physical, SignalUse
from tapeout.db.tech import LayerDirection, Technology
from tapeout.db.wires import RouteStatus, Routing, Wires, WireShape
from tapeout.floorplan.core import snap_down, snap_up
from tapeout.floorplan.macros import PlacedMacro
from tapeout.floorplan.vias import Box, ViaMaker
from tapeout.formats.def_common import DefVia
from tapeout.log import Log
from tapeout.platforms.base import PowerGridRecipe


@dataclass
class _Shapes:
    """Growing lists of special wiring, converted to a ``Routing`` at the end."""

    rect_net: list[int] = field(default_factory=list)
    rect_layer: list[str] = field(default_factory=list)
    rect: list[Box] = field(default_factory=list)
    rect_shape: list[int] = field(default_factory=list)
    via_net: list[int] = field(default_factory=list)
    via_name: list[str] = field(default_factory=list)
    via_layer: list[str] = field(default_factory=list)
    via_xy: list[tuple[int, int]] = field(default_factory=list)
    via_shape: list[int] = field(default_factory=list)

    def add_rect(self, net: int, layer: str, box: Box, shape: WireShape) -> None:
        self.rect_net.append(net)
        self.rect_layer.append(layer)
        self.rect.append(box)
        self.rect_shape.append(int(shape))


@dataclass
class PowerGridResult:
    """Counts of what ``build_power_grid`` made and the DEF via definitions it needs."""

    n_rects: int
    n_vias: int
    n_rails: int
    n_straps: int
    vias: dict[str, DefVia]


def _layer_spacing(tech: Technology, name: str) -> int:
    """Minimum spacing of the layer (DBU): SPACING or the spacing table's first entry."""
    layer = tech.layer(name)
    values = [layer.spacing or 0]
    if layer.spacing_table.size:
        values.append(int(layer.spacing_table[0, 0]))
    return max(values)


def _inside(inner: Box, outer: Box) -> bool:
    return (
        outer[0] <= inner[0]
        and outer[1] <= inner[1]
        and inner[2] <= outer[2]
        and inner[3] <= outer[3]
    )


def _cut(wire: Box, holes: list[Box], vertical: bool) -> list[Box]:
    """Pieces of ``wire`` outside the ``holes`` it crosses, along its length."""
    pieces = [wire]
    for hole in holes:
        kept: list[Box] = []
        for piece in pieces:
            if _intersection(piece, hole) is None:
                kept.append(piece)
            elif vertical:
                kept += [
                    (piece[0], piece[1], piece[2], hole[1]),
                    (piece[0], hole[3], piece[2], piece[3]),
                ]
            else:
                kept += [
                    (piece[0], piece[1], hole[0], piece[3]),
                    (hole[2], piece[1], piece[2], piece[3]),
                ]
        pieces = [p for p in kept if p[0] < p[2] and p[1] < p[3]]
    return pieces


def _intersection(a: Box, b: Box) -> Box | None:
    box = (max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))
    return box if box[0] < box[2] and box[1] < box[3] else None


def build_power_grid(
    wires: Wires,
    physical: Physical,
    tech: Technology,
    recipe: PowerGridRecipe,
    *,
    core: Box,
    row_height: int,
    bottom_is_ground: bool,
    net_names: tuple[str, str],
    power_pins: tuple[str, ...],
    ground_pins: tuple[str, ...],
    macros: list[PlacedMacro],
    log: Log,
) -> PowerGridResult:
    """Add the power and ground special nets with their wiring to ``wires``.

    Args:
        core: core box (DBU); the ring goes around it.
        row_height: row pitch; rails sit on every multiple of it from the core bottom.
        bottom_is_ground: whether an N-oriented cell has its ground pin at the bottom.
        net_names: (power net, ground net) names.
        power_pins, ground_pins: cell pins the nets connect (``( * VPWR )``).
        macros: placed hard macros: rails stop at their halos, straps on layers they use are
            cut there, and straps above their supply pins drop via stacks onto them.
    """
    grid = max(tech.manufacturing_grid or 1, 1)
    dbu = tech.dbu_per_micron

    def length(um: float) -> int:
        return snap_up(round(um * dbu), grid)

    def width(um: float) -> int:
        return snap_up(round(um * dbu), 2 * grid)

    maker = ViaMaker(tech, log)
    shapes = _Shapes()
    power, ground = 0, 1
    cx0, cy0, cx1, cy1 = core

    obstacles: list[tuple[str, Box]] = []  # straps and ring sides, for rail-to-ring stacks

    def connect(
        net: int,
        layer_a: str,
        wire_a: Box,
        layer_b: str,
        wire_b: Box,
        shape: WireShape,
        *,
        avoid: bool = False,
    ) -> bool:
        """Via stack joining two wires; with ``avoid``, only if its metal keeps the layer's
        spacing from every strap and ring side but the two wires (else nothing, False)."""
        if layer_a == layer_b or _intersection(wire_a, wire_b) is None:
            return False
        vias, pads = maker.stack(layer_a, wire_a, layer_b, wire_b)
        if avoid:
            metal = [*pads, *((via.bottom_layer, via.bottom_box) for via in vias)]
            metal += [(maker.above(via.bottom_layer), via.top_box) for via in vias]
            for layer, box in metal:
                if (layer == layer_a and _inside(box, wire_a)) or (
                    layer == layer_b and _inside(box, wire_b)
                ):
                    continue  # no new metal
                space = spacing.get(layer, 0)
                grown = (box[0] - space, box[1] - space, box[2] + space, box[3] + space)
                for other_layer, other in obstacles:
                    if other_layer != layer or other in (wire_a, wire_b):
                        continue
                    if _intersection(grown, other) is not None:
                        return False
        for via in vias:
            shapes.via_net.append(net)
            shapes.via_name.append(via.name)
            shapes.via_layer.append(via.bottom_layer)
            shapes.via_xy.append((via.x, via.y))
            shapes.via_shape.append(int(shape))
        for layer, pad in pads:
            shapes.add_rect(net, layer, pad, shape)
        return True

    spacing = {layer.name: _layer_spacing(tech, layer.name) for layer in tech.routing_layers()}

    # --- ring: power inside, ground outside ---------------------------------------------------
    ring_a, ring_b = recipe.ring_layers
    if tech.layer(ring_a).direction is LayerDirection.VERTICAL:
        ring_vertical, ring_horizontal = ring_a, ring_b
    else:
        ring_horizontal, ring_vertical = ring_a, ring_b
    ring_width, ring_spacing = width(recipe.ring_width_um), length(recipe.ring_spacing_um)
    ring_offset = length(recipe.ring_offset_um)
    ring_outer: dict[int, Box] = {}
    ring_sides: dict[int, dict[str, Box]] = {}
    for k, net in enumerate((power, ground)):
        d_in = ring_offset + k * (ring_width + ring_spacing)
        d_out = d_in + ring_width
        outer = (cx0 - d_out, cy0 - d_out, cx1 + d_out, cy1 + d_out)
        inner = (cx0 - d_in, cy0 - d_in, cx1 + d_in, cy1 + d_in)
        ring_outer[net] = outer
        sides = {
            "left": (outer[0], outer[1], inner[0], outer[3]),
            "right": (inner[2], outer[1], outer[2], outer[3]),
            "bottom": (outer[0], outer[1], outer[2], inner[1]),
            "top": (outer[0], inner[3], outer[2], outer[3]),
        }
        ring_sides[net] = sides
        for side, box in sides.items():
            layer = ring_vertical if side in ("left", "right") else ring_horizontal
            shapes.add_rect(net, layer, box, WireShape.RING)
            obstacles.append((layer, box))
        for side_v in ("left", "right"):
            for side_h in ("bottom", "top"):
                connect(net, ring_vertical, sides[side_v], ring_horizontal, sides[side_h],
                        WireShape.RING)  # fmt: skip
    die = physical.die_bbox()
    outermost = ring_outer[ground]
    if (
        outermost[0] < die[0]
        or outermost[1] < die[1]
        or outermost[2] > die[2]
        or outermost[3] > die[3]
    ):
        log.warn(
            "FLOORPLAN-0010",
            "the core ring does not fit between core and die; raise the core margin",
        )

    # --- straps ---------------------------------------------------------------------------------
    straps: list[tuple[str, bool, int, Box]] = []  # layer, vertical, net, box
    for layer_name, width_um, pitch_um, offset_um in zip(
        recipe.strap_layers, recipe.strap_width_um, recipe.strap_pitch_um,
        recipe.strap_offset_um, strict=True,
    ):  # fmt: skip
        vertical = tech.layer(layer_name).direction is LayerDirection.VERTICAL
        strap_width, pitch, offset = width(width_um), length(pitch_um), length(offset_um)
        lo, hi = (cx0, cx1) if vertical else (cy0, cy1)
        half = strap_width // 2
        centres: dict[int, list[int]] = {power: [], ground: []}
        for net, shift in ((power, 0), (ground, snap_down(pitch // 2, grid))):
            position = lo + offset + shift
            while position + half <= hi:
                if position - half >= lo:
                    centres[net].append(position)
                position += pitch
        if not centres[power] or not centres[ground]:
            third = snap_down((hi - lo) // 3, grid)
            centres = {power: [lo + third], ground: [hi - third]}
            fits = third - half >= 0 and (hi - lo) - 2 * third >= strap_width + spacing[layer_name]
            if not fits:
                centres = {power: [], ground: []}
            log.warn(
                "FLOORPLAN-0012",
                f"core too small for {layer_name} straps at pitch {pitch_um} µm; "
                + ("one power and one ground strap placed" if fits else "none placed"),
            )
        for net, positions in centres.items():
            outer = ring_outer[net]
            for centre in positions:
                if vertical:
                    full = (centre - half, outer[1], centre + half, outer[3])
                    ends = (ring_sides[net]["bottom"], ring_sides[net]["top"])
                    ring_layer = ring_horizontal
                else:
                    full = (outer[0], centre - half, outer[2], centre + half)
                    ends = (ring_sides[net]["left"], ring_sides[net]["right"])
                    ring_layer = ring_vertical
                # Straps on a layer a macro uses stop at its halo.
                level = maker.level(layer_name)
                cuts = [
                    m.halo for m in macros
                    if m.top_layer is not None and maker.level(m.top_layer) >= level
                ]  # fmt: skip
                for box in _cut(full, cuts, vertical):
                    shapes.add_rect(net, layer_name, box, WireShape.STRIPE)
                    obstacles.append((layer_name, box))
                    straps.append((layer_name, vertical, net, box))
                    for end in ends:
                        connect(net, layer_name, box, ring_layer, end, WireShape.STRIPE)
    for index, (layer_a, vertical_a, net_a, box_a) in enumerate(straps):
        for layer_b, vertical_b, net_b, box_b in straps[index + 1 :]:
            if net_a != net_b or vertical_a == vertical_b or layer_a == layer_b:
                continue
            connect(net_a, layer_a, box_a, layer_b, box_b, WireShape.STRIPE)

    # --- hard macros' supply pins: via stacks from the straps above them ------------------
    for placed in macros:
        for is_ground, pin_layer, pin_box in placed.power_pins:
            net = ground if is_ground else power
            touched = False
            for layer, _, strap_net, strap_box in straps:
                if strap_net != net or maker.level(layer) <= maker.level(pin_layer):
                    continue
                touched |= connect(net, pin_layer, pin_box, layer, strap_box, WireShape.BLOCKWIRE)
            if touched:  # the pin's metal joins the net's special wiring
                shapes.add_rect(net, pin_layer, pin_box, WireShape.BLOCKWIRE)
            else:
                log.warn(
                    "FLOORPLAN-0014",
                    f"macro {placed.instance}: a {'ground' if is_ground else 'power'} pin shape on "
                    f"{pin_layer} is crossed by no strap above it",
                )

    # --- follow-pin rails -----------------------------------------------------------------------
    rail_layer = recipe.rail_layer
    rail_half = width(recipe.rail_width_um) // 2
    vertical_strap_layers = [layer for layer, vertical, _, _ in straps if vertical]
    first_vertical = min(vertical_strap_layers, key=maker.level) if vertical_strap_layers else None
    n_boundaries = (cy1 - cy0) // row_height + 1
    n_rails = 0
    for k in range(n_boundaries):
        y = cy0 + k * row_height
        net = ground if (k % 2 == 0) == bottom_is_ground else power
        outer = ring_outer[net]
        intervals = [(outer[0], outer[2])]
        for bx0, by0, bx1, by1 in (m.halo for m in macros):
            if by0 < y < by1:
                intervals = [
                    piece
                    for lo, hi in intervals
                    for piece in ((lo, min(hi, bx0)), (max(lo, bx1), hi))
                    if piece[1] > piece[0]
                ]
        for lo, hi in intervals:
            box = (lo, y - rail_half, hi, y + rail_half)
            shapes.add_rect(net, rail_layer, box, WireShape.FOLLOWPIN)
            n_rails += 1
            joined = 0
            for side in ("left", "right"):
                joined += connect(net, rail_layer, box, ring_vertical, ring_sides[net][side],
                                  WireShape.FOLLOWPIN, avoid=True)  # fmt: skip
            for layer, vertical, strap_net, strap_box in straps:
                if not vertical or strap_net != net or layer != first_vertical:
                    continue
                if _intersection(box, strap_box) is not None:
                    connect(net, rail_layer, box, layer, strap_box, WireShape.FOLLOWPIN)
                    joined += 1
            if joined == 0:
                log.warn(
                    "FLOORPLAN-0013",
                    f"rail at y={y / dbu:g} µm x {lo / dbu:g}..{hi / dbu:g} µm touches no strap "
                    "or ring (between macros?)",
                )

    _store(wires, shapes, net_names, power_pins, ground_pins)
    return PowerGridResult(
        n_rects=len(shapes.rect),
        n_vias=len(shapes.via_name),
        n_rails=n_rails,
        n_straps=len(straps),
        vias=dict(maker.definitions),
    )


def _store(
    wires: Wires,
    shapes: _Shapes,
    net_names: tuple[str, str],
    power_pins: tuple[str, ...],
    ground_pins: tuple[str, ...],
) -> None:
    """Replace ``wires``' special nets by the power and ground nets with ``shapes``."""
    layer_ids = np.array([wires.layers.add(name) for name in shapes.rect_layer], np.int32)
    via_layer_ids = np.array([wires.layers.add(name) for name in shapes.via_layer], np.int32)
    via_ids = np.array([wires.via_names.add(name) for name in shapes.via_name], np.int32)
    wires.special_net_names = NameTable(net_names)
    wires.special_net_use = np.array([int(SignalUse.POWER), int(SignalUse.GROUND)], np.int8)
    wires.special_terms = NameTable(dict.fromkeys([*power_pins, *ground_pins]))
    conn_net = [0] * len(power_pins) + [1] * len(ground_pins)
    wires.special_conn_net = np.array(conn_net, np.int32)
    wires.special_conn_inst = np.full(len(conn_net), -1, np.int32)
    wires.special_conn_term = np.array(
        [wires.special_terms.index(pin) for pin in (*power_pins, *ground_pins)], np.int32
    )
    n_rects, n_vias = len(shapes.rect), len(shapes.via_name)
    xy = np.array(shapes.via_xy, np.int64).reshape(-1, 2)
    wires.special = Routing(
        via_net=np.array(shapes.via_net, np.int32),
        via_name=via_ids.reshape(-1),
        via_layer=via_layer_ids.reshape(-1),
        via_x=xy[:, 0].copy(),
        via_y=xy[:, 1].copy(),
        via_orient=np.zeros(n_vias, np.int8),
        via_width=np.zeros(n_vias, np.int64),
        via_status=np.full(n_vias, int(RouteStatus.ROUTED), np.int8),
        via_shape=np.array(shapes.via_shape, np.int8),
        via_num_x=np.ones(n_vias, np.int64),
        via_num_y=np.ones(n_vias, np.int64),
        via_step_x=np.zeros(n_vias, np.int64),
        via_step_y=np.zeros(n_vias, np.int64),
        rect_net=np.array(shapes.rect_net, np.int32),
        rect_layer=layer_ids.reshape(-1),
        rect=np.array(shapes.rect, np.int64).reshape(-1, 4),
        rect_status=np.full(n_rects, int(RouteStatus.ROUTED), np.int8),
        rect_shape=np.array(shapes.rect_shape, np.int8),
    )
