"""DEF statement parsers for the general (token by token) path: every construct the reader knows.

The bulk readers in ``def_read`` use regular expressions for the common forms and fall back to
these functions for anything else, so these are the reference for what the reader accepts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tapeout.db.names import NameTable
from tapeout.db.wires import Routing
from tapeout.formats.def_common import (
    DIRECTION_CODE,
    ORIENT_CODE,
    ROUTE_CODE,
    SHAPE_CODE,
    STATUS_CODE,
    USE_CODE,
    Cursor,
    DefVia,
)

# Options that carry no information we keep; skipped silently.
_QUIET = frozenset({"SOURCE", "WEIGHT", "ORIGINAL", "PATTERN", "ESTCAP", "FIXEDBUMP"})


def code(cursor: Cursor, table: dict[str, int], what: str) -> int:
    """The code of the next token in ``table``; ParseError naming the choices otherwise."""
    token = cursor.next(what)
    value = table.get(token)
    if value is None:
        raise cursor.error(
            f"unknown {what} {token!r} (expected one of {', '.join(table)})", cursor.i - 1
        )
    return value


def skip_unknown(cursor: Cursor, keyword: str, where: str) -> None:
    """Skip ``+ keyword ...``, warning once per keyword unless it is harmless."""
    if keyword not in _QUIET:
        cursor.context.warn_once(
            "DEF-0010",
            f"{where}:{keyword}",
            f"{where}: option '+ {keyword}' is not supported; skipped",
        )
    cursor.skip_option()


@dataclass
class RoutingBuilder:
    """Collects wiring items as Python lists, then freezes them into a ``Routing``."""

    layers: NameTable
    via_names: NameTable
    seg: list[tuple[int, ...]] = field(default_factory=list)
    via: list[tuple[int, ...]] = field(default_factory=list)
    rect: list[tuple[int, ...]] = field(default_factory=list)

    def build(self) -> Routing:
        seg = np.array(self.seg, dtype=np.int64).reshape(-1, 11)
        via = np.array(self.via, dtype=np.int64).reshape(-1, 14)
        rect = np.array(self.rect, dtype=np.int64).reshape(-1, 8)
        return Routing(
            seg_net=seg[:, 0].astype(np.int32),
            seg_layer=seg[:, 1].astype(np.int32),
            seg_x0=seg[:, 2].copy(),
            seg_y0=seg[:, 3].copy(),
            seg_x1=seg[:, 4].copy(),
            seg_y1=seg[:, 5].copy(),
            seg_width=seg[:, 6].copy(),
            seg_ext0=seg[:, 7].copy(),
            seg_ext1=seg[:, 8].copy(),
            seg_status=seg[:, 9].astype(np.int8),
            seg_shape=seg[:, 10].astype(np.int8),
            via_net=via[:, 0].astype(np.int32),
            via_name=via[:, 1].astype(np.int32),
            via_layer=via[:, 2].astype(np.int32),
            via_x=via[:, 3].copy(),
            via_y=via[:, 4].copy(),
            via_orient=via[:, 5].astype(np.int8),
            via_width=via[:, 6].copy(),
            via_status=via[:, 7].astype(np.int8),
            via_shape=via[:, 8].astype(np.int8),
            via_num_x=via[:, 9].copy(),
            via_num_y=via[:, 10].copy(),
            via_step_x=via[:, 11].copy(),
            via_step_y=via[:, 12].copy(),
            rect_net=rect[:, 0].astype(np.int32),
            rect_layer=rect[:, 1].astype(np.int32),
            rect=rect[:, 2:6].copy(),
            rect_status=rect[:, 6].astype(np.int8),
            rect_shape=rect[:, 7].astype(np.int8),
        )


class ViaLayers:
    """Which layer a wire continues on after a via: from DEF VIAS, the caller, and TRACKS."""

    def __init__(
        self,
        vias: dict[str, DefVia],
        known: dict[str, tuple[str, str]] | None,
        routing_layers: set[str],
    ) -> None:
        self.vias = vias
        self.known = known or {}
        self.routing_layers = routing_layers

    def after(self, cursor: Cursor, via: str, layer: str) -> str:
        if via in self.known:
            candidates = list(self.known[via])
        elif via in self.vias:
            candidates = self.vias[via].routing_layers()
            if not self.vias[via].layers and len(candidates) > 2:
                candidates = [c for c in candidates if c in self.routing_layers or c == layer]
        else:
            candidates = []
        others = [c for c in candidates if c != layer]
        if len(others) == 1 and len(candidates) == 2:
            return others[0]
        cursor.context.warn_once(
            "DEF-0011",
            f"via-layers:{via}",
            f"cannot tell which layer wiring continues on after via {via!r} (not in DEF VIAS; "
            "pass via_layers= from the LEF); keeping the layer before it",
        )
        return layer


def parse_wiring(
    cursor: Cursor,
    builder: RoutingBuilder,
    net: int,
    status: int,
    special: bool,
    via_layers: ViaLayers,
) -> None:
    """``layer [width] [options] points [NEW layer ...]*`` after ``+ ROUTED`` and friends."""
    while True:
        layer_name = cursor.name("a layer name")
        width = cursor.integer("a wire width") if special else 0
        shape = 0
        while True:
            token = cursor.peek()
            if special and token == "+" and cursor.peek(1) in ("SHAPE", "STYLE", "MASK"):
                cursor.i += 1
                if cursor.next("SHAPE") == "SHAPE":
                    shape = code(cursor, SHAPE_CODE, "wire shape")
                else:
                    cursor.next("a value")
            elif not special and token == "TAPER":
                cursor.i += 1
            elif not special and token in ("TAPERRULE", "STYLE"):
                cursor.i += 2
            else:
                break
        _parse_points(cursor, builder, net, layer_name, width, status, shape, special, via_layers)
        if cursor.peek() != "NEW":
            return
        cursor.i += 1


def _parse_points(
    cursor: Cursor,
    builder: RoutingBuilder,
    net: int,
    layer_name: str,
    width: int,
    status: int,
    shape: int,
    special: bool,
    via_layers: ViaLayers,
) -> None:
    if cursor.peek() != "(":
        raise cursor.error("expected '(' starting the wiring points")
    layer = builder.layers.add(layer_name)
    previous: tuple[int, int, int] | None = None
    after_via: str | None = None
    while True:
        token = cursor.peek()
        if token == "(":
            if after_via is not None:
                # The wire goes on after a via: on the via's other layer.
                next_layer = via_layers.after(cursor, after_via, layer_name)
                if next_layer != layer_name:
                    layer_name = next_layer
                    layer = builder.layers.add(layer_name)
                after_via = None
            point = cursor.point(previous[:2] if previous else None)
            if previous is not None:
                builder.seg.append(
                    (net, layer, previous[0], previous[1], point[0], point[1], width,
                     previous[2], point[2], status, shape)
                )  # fmt: skip
            previous = point
        elif token in ("MASK", "VIAMASK"):
            cursor.i += 2
        elif token == "RECT":
            cursor.i += 1
            if previous is None:
                raise cursor.error("RECT without a point before it")
            cursor.expect("(")
            dx0, dy0 = cursor.integer("dx1"), cursor.integer("dy1")
            dx1, dy1 = cursor.integer("dx2"), cursor.integer("dy2")
            cursor.expect(")")
            x, y = previous[0], previous[1]
            builder.rect.append(
                (net, layer, x + min(dx0, dx1), y + min(dy0, dy1), x + max(dx0, dx1),
                 y + max(dy0, dy1), status, shape)
            )  # fmt: skip
        elif token == "VIRTUAL":
            cursor.i += 1
            previous = cursor.point(previous[:2] if previous else None)
        elif token is None or token in ("NEW", "+", ";"):
            return
        else:
            via_name = cursor.name("a via name")
            if previous is None:
                raise cursor.error("via without a point before it", cursor.i - 1)
            orient = 0
            if cursor.peek() in ORIENT_CODE:
                orient = ORIENT_CODE[cursor.next("orientation")]
            num_x = num_y = 1
            step_x = step_y = 0
            if cursor.peek() == "DO":
                cursor.i += 1
                num_x = cursor.integer("DO count")
                cursor.expect("BY")
                num_y = cursor.integer("BY count")
                cursor.expect("STEP")
                step_x, step_y = cursor.integer("step x"), cursor.integer("step y")
            builder.via.append(
                (net, builder.via_names.add(via_name), layer, previous[0], previous[1], orient,
                 width, status, shape, num_x, num_y, step_x, step_y, 0)
            )  # fmt: skip
            after_via = via_name


@dataclass
class NetStatement:
    """One NETS or SPECIALNETS statement: name, connections and use (wiring goes to a builder)."""

    name: str
    insts: list[str]
    terms: list[str]
    use: int


def parse_net(
    cursor: Cursor,
    builder: RoutingBuilder,
    net: int,
    special: bool,
    via_layers: ViaLayers,
) -> NetStatement | None:
    """A ``- name ( inst term )... [+ wiring] [+ USE u] ...`` statement; None for MUSTJOIN."""
    where = "SPECIALNETS" if special else "NETS"
    cursor.expect("-")
    name = cursor.name("a net name")
    if name == "MUSTJOIN":
        cursor.context.warn_once("DEF-0012", "MUSTJOIN", "NETS: MUSTJOIN statements are skipped")
        return None
    insts: list[str] = []
    terms: list[str] = []
    while cursor.peek() == "(":
        cursor.i += 1
        insts.append(cursor.name("an instance name"))
        terms.append(cursor.name("a pin name"))
        while cursor.peek() == "+":
            cursor.i += 2  # + SYNTHESIZED
        cursor.expect(")")
    use = 0
    status = 0
    shape = 0
    while not cursor.done():
        cursor.expect("+")
        keyword = cursor.next("an option")
        if keyword in ROUTE_CODE and (keyword != "NOSHIELD" or not special):
            status = ROUTE_CODE[keyword]
            shape = 0
            if not cursor.done() and cursor.peek() != "+":
                parse_wiring(cursor, builder, net, status, special, via_layers)
        elif keyword == "USE":
            use = code(cursor, USE_CODE, "net use")
        elif special and keyword == "SHIELD":
            cursor.context.warn_once("DEF-0013", "SHIELD", "SPECIALNETS: SHIELD wiring is skipped")
            cursor.name("a shield net")
            scratch = RoutingBuilder(NameTable(), NameTable())
            parse_wiring(cursor, scratch, net, 0, special, via_layers)
        elif special and keyword == "SHAPE":
            shape = code(cursor, SHAPE_CODE, "wire shape")
        elif special and keyword == "MASK":
            cursor.next("a mask number")
        elif special and keyword == "RECT":
            layer = builder.layers.add(cursor.name("a layer name"))
            if cursor.peek() == "+":
                cursor.i += 3  # + MASK n
            x0, y0, _ = cursor.point(None)
            x1, y1, _ = cursor.point((x0, y0))
            builder.rect.append(
                (net, layer, min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1), status, shape)
            )
        elif special and keyword == "VIA":
            via = builder.via_names.add(cursor.name("a via name"))
            orient = ORIENT_CODE[cursor.next("")] if cursor.peek() in ORIENT_CODE else 0
            if cursor.peek() != "(":
                raise cursor.error("expected a via location")
            previous: tuple[int, int] | None = None
            while cursor.peek() == "(":
                x, y, _ = cursor.point(previous)
                previous = (x, y)
                builder.via.append((net, via, -1, x, y, orient, 0, status, shape, 1, 1, 0, 0, 0))
        else:
            skip_unknown(cursor, keyword, where)
    return NetStatement(name, insts, terms, use)


@dataclass
class PinStatement:
    """One PINS statement."""

    name: str
    net: str | None = None
    special: bool = False
    direction: int = 0
    use: int = 0
    status: int = 0
    x: int = 0
    y: int = 0
    orient: int = 0
    layers: list[str] = field(default_factory=list)
    rects: list[tuple[int, int, int, int]] = field(default_factory=list)


def parse_pin(cursor: Cursor) -> PinStatement:
    """A PINS statement: ``- name + NET n [+ DIRECTION d] [+ LAYER ..] [+ PLACED ..]``."""
    cursor.expect("-")
    pin = PinStatement(cursor.name("a pin name"))
    ports = 0
    while not cursor.done():
        cursor.expect("+")
        keyword = cursor.next("an option")
        if keyword == "NET":
            pin.net = cursor.name("a net name")
        elif keyword == "SPECIAL":
            pin.special = True
        elif keyword == "DIRECTION":
            pin.direction = code(cursor, DIRECTION_CODE, "pin direction")
        elif keyword == "USE":
            pin.use = code(cursor, USE_CODE, "pin use")
        elif keyword == "PORT":
            ports += 1
            if ports == 2:
                cursor.context.warn_once(
                    "DEF-0014", f"port:{pin.name}", f"PINS: pin {pin.name} has several PORTs; "
                    "only the first is kept"
                )  # fmt: skip
        elif keyword == "LAYER":
            layer = cursor.name("a layer name")
            while cursor.peek() == "+" or cursor.peek() in ("MASK", "SPACING", "DESIGNRULEWIDTH"):
                if cursor.peek() == "+":
                    cursor.i += 1
                cursor.i += 2
            x0, y0, _ = cursor.point(None)
            x1, y1, _ = cursor.point((x0, y0))
            if ports <= 1:
                pin.layers.append(layer)
                pin.rects.append((min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))
        elif keyword in STATUS_CODE:
            status = STATUS_CODE[keyword]
            if keyword != "UNPLACED" or cursor.peek() == "(":
                x, y, _ = cursor.point(None)
                orient = code(cursor, ORIENT_CODE, "orientation")
                if ports <= 1:
                    pin.status, pin.x, pin.y, pin.orient = status, x, y, orient
            elif ports <= 1:
                pin.status = status
        else:
            skip_unknown(cursor, keyword, "PINS")
    return pin


@dataclass
class ComponentStatement:
    """One COMPONENTS statement."""

    name: str
    master: str
    status: int = 0
    x: int = 0
    y: int = 0
    orient: int = 0
    halo: tuple[int, int, int, int] | None = None  # left bottom right top
    halo_soft: bool = False


def parse_component(cursor: Cursor) -> ComponentStatement:
    """``- name master [+ PLACED ( x y ) orient | + UNPLACED] [+ SOURCE s] ...``."""
    cursor.expect("-")
    component = ComponentStatement(cursor.name("an instance name"), cursor.name("a master name"))
    while not cursor.done():
        cursor.expect("+")
        keyword = cursor.next("an option")
        if keyword in STATUS_CODE:
            component.status = STATUS_CODE[keyword]
            if keyword != "UNPLACED" or cursor.peek() == "(":
                component.x, component.y, _ = cursor.point(None)
                component.orient = code(cursor, ORIENT_CODE, "orientation")
        elif keyword == "HALO":
            if cursor.peek() == "SOFT":
                cursor.next("SOFT")
                component.halo_soft = True
            left, bottom, right, top = (cursor.integer("halo") for _ in range(4))
            component.halo = (left, bottom, right, top)
        else:
            skip_unknown(cursor, keyword, "COMPONENTS")
    return component


def parse_via(cursor: Cursor) -> DefVia:
    """A VIAS statement: ``- name [+ VIARULE ...] [+ RECT layer pt pt] [+ POLYGON ...]``."""
    cursor.expect("-")
    via = DefVia(cursor.name("a via name"))
    numbers = {"CUTSIZE": 2, "CUTSPACING": 2, "ENCLOSURE": 4, "ROWCOL": 2, "ORIGIN": 2, "OFFSET": 4}
    while not cursor.done():
        cursor.expect("+")
        keyword = cursor.next("an option")
        if keyword == "VIARULE":
            via.viarule = cursor.name("a via rule name")
        elif keyword in numbers:
            values = tuple(cursor.integer(keyword) for _ in range(numbers[keyword]))
            setattr(via, keyword.lower().replace("cutsize", "cut_size").replace(
                "cutspacing", "cut_spacing"), values)  # fmt: skip
        elif keyword == "LAYERS":
            via.layers = tuple(cursor.name("a layer name") for _ in range(3))
        elif keyword == "PATTERN":
            via.pattern = cursor.name("a pattern")
        elif keyword in ("RECT", "POLYGON"):
            layer = cursor.name("a layer name")
            if cursor.peek() == "+":
                cursor.i += 3  # + MASK n
            points: list[int] = []
            previous: tuple[int, int] | None = None
            while cursor.peek() == "(":
                x, y, _ = cursor.point(previous)
                previous = (x, y)
                points += [x, y]
            if keyword == "RECT":
                if len(points) != 4:
                    raise cursor.error("RECT needs two points")
                x0, y0, x1, y1 = points
                via.rect_layers.append(layer)
                via.rects.append((min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))
            else:
                if len(points) < 6:
                    raise cursor.error("POLYGON needs at least three points")
                via.polygon_layers.append(layer)
                via.polygons.append(tuple(points))
        else:
            skip_unknown(cursor, keyword, "VIAS")
    return via


@dataclass
class BlockageStatement:
    """One BLOCKAGES statement (``layer`` None for a placement blockage)."""

    layer: str | None
    flags: int = 0
    component: str | None = None
    spacing: int = 0
    density: float = float("nan")
    rects: list[tuple[int, int, int, int]] = field(default_factory=list)


_FLAGS = {"SLOTS": 1, "FILLS": 2, "PUSHDOWN": 4, "EXCEPTPGNET": 8, "SOFT": 16}


def parse_blockage(cursor: Cursor) -> BlockageStatement:
    """``- LAYER l [options] RECT pt pt ...`` or ``- PLACEMENT [options] RECT pt pt ...``."""
    cursor.expect("-")
    kind = cursor.next("LAYER or PLACEMENT")
    if kind == "LAYER":
        blockage = BlockageStatement(cursor.name("a layer name"))
    elif kind == "PLACEMENT":
        blockage = BlockageStatement(None)
    else:
        raise cursor.error(f"expected LAYER or PLACEMENT, found {kind!r}", cursor.i - 1)
    while not cursor.done():
        token = cursor.next("RECT or an option")
        if token == "+":
            keyword = cursor.next("an option")
            if keyword in _FLAGS:
                blockage.flags |= _FLAGS[keyword]
            elif keyword == "COMPONENT":
                blockage.component = cursor.name("an instance name")
            elif keyword == "SPACING":
                blockage.spacing = cursor.integer("spacing")
            elif keyword == "PARTIAL":
                blockage.density = cursor.number("maximum density")
            elif keyword == "MASK":
                cursor.next("mask number")
            else:
                skip_unknown(cursor, keyword, "BLOCKAGES")
        elif token == "RECT":
            x0, y0, _ = cursor.point(None)
            x1, y1, _ = cursor.point((x0, y0))
            blockage.rects.append((min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))
        elif token == "POLYGON":
            cursor.context.warn_once("DEF-0015", "blockage-polygon", "BLOCKAGES: POLYGON skipped")
            while cursor.peek() == "(":
                cursor.point((0, 0))
        else:
            raise cursor.error(f"expected RECT, POLYGON or '+', found {token!r}", cursor.i - 1)
    return blockage
