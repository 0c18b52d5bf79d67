"""DEF 5.8 reader: top-level scan, then each section in dependency order, then assembly.

The big sections (COMPONENTS, NETS) are parsed in bulk by ``def_bulk``; the others statement by
statement by ``def_statements``. Errors carry file, line and column.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from tapeout.db.names import NameTable
from tapeout.db.netlist import Netlist
from tapeout.db.physical import Physical
from tapeout.db.tech import LayerType, Technology
from tapeout.db.wires import Wires
from tapeout.fileio import read_text
from tapeout.formats.def_bulk import (
    Components,
    Nets,
    Section,
    find_statement,
    read_components,
    read_nets,
    statements,
)
from tapeout.formats.def_common import ORIENT_CODE, Context, Cursor, DefResult, DefVia
from tapeout.formats.def_statements import (
    BlockageStatement,
    PinStatement,
    RoutingBuilder,
    ViaLayers,
    parse_blockage,
    parse_net,
    parse_pin,
    parse_via,
)
from tapeout.log import Log

_WORD = re.compile(r"\s*([^\s;]+|;)")
_SECTIONS = ("VIAS", "COMPONENTS", "PINS", "BLOCKAGES", "SPECIALNETS", "NETS")
_SKIPPED = (
    "PROPERTYDEFINITIONS",
    "NONDEFAULTRULES",
    "REGIONS",
    "GROUPS",
    "FILLS",
    "SLOTS",
    "SCANCHAINS",
    "STYLES",
    "PINPROPERTIES",
)


def read_def(
    path: str | Path,
    *,
    log: Log | None = None,
    dbu_per_micron: int | None = None,
    via_layers: dict[str, tuple[str, str]] | None = None,
) -> DefResult:
    """Read a DEF file into a netlist, physical data, wiring and via definitions.

    Args:
        path: DEF file (``.gz`` allowed).
        log: receives warnings (``DEF-00xx``) about skipped constructs.
        dbu_per_micron: database units to convert coordinates to (default: the file's UNITS).
        via_layers: ``{via name: (bottom routing layer, top routing layer)}`` for vias defined in
            the LEF (``via_layers_from_tech(tech)``), so wiring that continues after a via gets
            the right layer.

    Raises:
        ParseError: malformed DEF, with file, line and column.
    """
    # Millions of small objects are made and kept: the cyclic collector would only slow us down.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _read(path, log if log is not None else Log(), dbu_per_micron, via_layers)
    finally:
        if collecting:
            gc.enable()


def via_layers_from_tech(tech: Technology) -> dict[str, tuple[str, str]]:
    """``{via: (bottom, top)}`` routing layers of the LEF's fixed vias, for ``read_def``."""
    routing = {i for i, layer in enumerate(tech.layers) if layer.type is LayerType.ROUTING}
    result: dict[str, tuple[str, str]] = {}
    for name, via in tech.vias.items():
        layers = sorted({int(i) for i in via.rect_layer.tolist()} & routing)
        if len(layers) == 2:
            result[name] = (tech.layers[layers[0]].name, tech.layers[layers[1]].name)
    return result


def _read(
    path: str | Path,
    log: Log,
    dbu_per_micron: int | None,
    via_layers: dict[str, tuple[str, str]] | None,
) -> DefResult:
    text = read_text(path, what="DEF file")
    if "#" in text:
        text = re.sub(r"(?:(?<=\s)|^)#[^\n]*", lambda m: " " * len(m.group()), text, flags=re.M)
    context = Context(path, text, log)
    header, sections = _scan(context)
    physical = header.physical
    vias: dict[str, DefVia] = {}
    if "VIAS" in sections:
        for cursor in statements(context, sections["VIAS"]):
            via = parse_via(cursor)
            vias[via.name] = via
    components = read_components(context, sections.get("COMPONENTS"))
    inst_names = _name_table(context, components.names, sections.get("COMPONENTS"), "component")
    inst_index = inst_names._index  # the plain dict: bulk lookups go through dict.get in C
    pins = [parse_pin(c) for c in statements(context, sections.get("PINS"))]
    port_names = _name_table(context, [p.name for p in pins], sections.get("PINS"), "pin")
    wires = Wires()
    routing_layers = set(header.track_layers) | {
        x for pair in (via_layers or {}).values() for x in pair
    }
    via_map = ViaLayers(vias, via_layers, routing_layers)
    _read_special_nets(context, sections.get("SPECIALNETS"), wires, inst_index, via_map)
    regular = RoutingBuilder(wires.layers, wires.via_names)
    nets = read_nets(context, sections.get("NETS"), regular, inst_index, via_map)
    wires.regular = regular.build()
    netlist = _assemble_netlist(
        context,
        header.design,
        components,
        inst_names,
        pins,
        port_names,
        nets,
        wires,
        sections.get("NETS"),
    )
    _fill_pins(physical, pins)
    physical.inst_x = _concat(components.x, np.int64)
    physical.inst_y = _concat(components.y, np.int64)
    physical.inst_orient = _concat(components.orient, np.int8)
    physical.inst_status = _concat(components.status, np.int8)
    halos = components.halos
    physical.halo_inst = np.array([h[0] for h in halos], dtype=np.int32)
    physical.halo_size = np.array([h[1:5] for h in halos], dtype=np.int64).reshape(-1, 4)
    physical.halo_soft = np.array([h[5] for h in halos], dtype=np.bool_)
    blockages = [parse_blockage(c) for c in statements(context, sections.get("BLOCKAGES"))]
    _fill_blockages(context, physical, blockages, inst_index, sections.get("BLOCKAGES"))
    result = DefResult(
        design=header.design,
        version=header.version,
        def_dbu_per_micron=physical.dbu_per_micron,
        netlist=netlist,
        physical=physical,
        wires=wires,
        vias=vias,
    )
    if context.divider != "/" or context.busbits != "[]":
        _translate_names(context, netlist)
    if dbu_per_micron is not None and dbu_per_micron != physical.dbu_per_micron:
        _rescale(context, result, dbu_per_micron)
    return result


@dataclass
class _Header:
    design: str = ""
    version: str = "5.8"
    physical: Physical = field(default_factory=Physical)
    track_layers: list[str] = field(default_factory=list)
    rows: list[tuple[str, str, int, int, int, int, int, int, int]] = field(default_factory=list)
    tracks: list[tuple[str, int, int, int, int]] = field(default_factory=list)
    gcells: list[tuple[int, int, int, int]] = field(default_factory=list)


def _scan(context: Context) -> tuple[_Header, dict[str, Section]]:
    """Parse the top-level statements and locate the sections (parsed later, in order)."""
    text = context.text
    header = _Header()
    sections: dict[str, Section] = {}
    pos = 0
    while True:
        match = _WORD.match(text, pos)
        if match is None:
            raise context.error("missing END DESIGN (file truncated?)", len(text))
        keyword, start = match.group(1), match.start(1)
        if keyword in _SECTIONS or keyword in _SKIPPED:
            end = _find_end(text, keyword, match.end())
            if end is None:
                raise context.error(f"{keyword} section has no END {keyword}", start)
            if keyword in _SKIPPED:
                context.log.warn("DEF-0001", f"{keyword} section skipped (not supported)")
            else:
                if keyword in sections:
                    raise context.error(f"second {keyword} section", start)
                semi = text.find(";", match.end(), end.start())
                if semi < 0:
                    raise context.error(f"{keyword} needs a count and ';'", start)
                cursor = Cursor(context, text[match.end() : semi], match.end())
                count = cursor.integer(f"the number of {keyword}") if not cursor.done() else 0
                sections[keyword] = Section(keyword, start, semi + 1, end.start(), count)
            pos = end.end()
        elif keyword == "END":
            after = _WORD.match(text, match.end())
            if after is None or after.group(1) != "DESIGN":
                raise context.error("expected END DESIGN", start)
            break
        elif keyword == "BEGINEXT":
            end_ext = text.find("ENDEXT", match.end())
            if end_ext < 0:
                raise context.error("BEGINEXT without ENDEXT", start)
            pos = end_ext + len("ENDEXT")
        else:
            semi = text.find(";", match.end())
            if semi < 0:
                raise context.error(f"{keyword} statement has no ';' (file truncated?)", start)
            _header_statement(Cursor(context, text[start:semi], start), header)
            pos = semi + 1
    _finish_header(header)
    return header, sections


def _find_end(text: str, keyword: str, start: int) -> re.Match[str] | None:
    """The ``END keyword`` closing a section that starts at ``start``."""
    target = f"END {keyword}"
    pos = text.find(target, start)
    while pos >= 0:
        after = pos + len(target)
        if (pos == 0 or text[pos - 1] in " \t\r\n;") and (
            after == len(text) or text[after] in " \t\r\n;"
        ):
            return re.compile(re.escape(target)).match(text, pos)
        pos = text.find(target, after)
    # Unusual spacing between END and the keyword.
    return re.compile(rf"(?<![^\s;])END\s+{keyword}(?![^\s;])").search(text, start)


def _header_statement(cursor: Cursor, header: _Header) -> None:
    keyword = cursor.next("a statement")
    physical = header.physical
    context = cursor.context
    if keyword == "VERSION":
        header.version = cursor.name("a version")
    elif keyword == "DESIGN":
        header.design = cursor.name("a design name")
    elif keyword == "DIVIDERCHAR":
        context.divider = _quoted(cursor, 1)
    elif keyword == "BUSBITCHARS":
        context.busbits = _quoted(cursor, 2)
    elif keyword == "UNITS":
        cursor.expect("DISTANCE")
        cursor.expect("MICRONS")
        units = cursor.integer("database units per micron")
        if units <= 0:
            raise cursor.error("UNITS DISTANCE MICRONS must be positive", cursor.i - 1)
        physical.dbu_per_micron = units
    elif keyword == "DIEAREA":
        points: list[tuple[int, int]] = []
        while not cursor.done():
            x, y, _ = cursor.point(points[-1] if points else None)
            points.append((x, y))
        if len(points) < 2:
            raise cursor.error("DIEAREA needs at least two points")
        physical.die_area = np.array(points, dtype=np.int64)
    elif keyword == "ROW":
        name, site = cursor.name("a row name"), cursor.name("a site name")
        x, y = cursor.integer("row x"), cursor.integer("row y")
        orient = ORIENT_CODE.get(cursor.next("orientation"), -1)
        if orient < 0:
            raise cursor.error("unknown orientation", cursor.i - 1)
        num_x = num_y = 1
        step_x = step_y = 0
        if cursor.peek() == "DO":
            cursor.i += 1
            num_x = cursor.integer("DO count")
            cursor.expect("BY")
            num_y = cursor.integer("BY count")
            if cursor.peek() == "STEP":
                cursor.i += 1
                step_x, step_y = cursor.integer("step x"), cursor.integer("step y")
        header.rows.append((name, site, x, y, orient, num_x, num_y, step_x, step_y))
    elif keyword in ("TRACKS", "GCELLGRID"):
        axis = cursor.next("X or Y")
        if axis not in ("X", "Y"):
            raise cursor.error(f"expected X or Y, found {axis!r}", cursor.i - 1)
        start = cursor.integer("start")
        cursor.expect("DO")
        count = cursor.integer("count")
        cursor.expect("STEP")
        step = cursor.integer("step")
        if keyword == "GCELLGRID":
            header.gcells.append((int(axis == "Y"), start, count, step))
            return
        while cursor.peek() in ("MASK", "SAMEMASK"):
            cursor.i += 2 if cursor.peek() == "MASK" else 1
        layers: list[str] = []
        if cursor.peek() == "LAYER":
            cursor.i += 1
            while not cursor.done():
                layers.append(cursor.name("a layer name"))
        for layer in layers:
            header.tracks.append((layer, int(axis == "Y"), start, count, step))
            header.track_layers.append(layer)
    elif keyword in ("NAMESCASESENSITIVE", "TECHNOLOGY", "HISTORY"):
        return
    else:
        context.log.warn("DEF-0002", f"statement {keyword} skipped (not supported)")


def _quoted(cursor: Cursor, length: int) -> str:
    token = cursor.next("a quoted string")
    value = token[1:-1] if len(token) >= 2 and token[0] == token[-1] == '"' else token
    if len(value) != length:
        raise cursor.error(
            f"expected {length} character(s) in quotes, found {token!r}", cursor.i - 1
        )
    return value


def _finish_header(header: _Header) -> None:
    physical = header.physical
    rows = header.rows
    physical.sites = NameTable(dict.fromkeys(r[1] for r in rows))
    physical.row_names = NameTable(dict.fromkeys(r[0] for r in rows))
    if len(physical.row_names) != len(rows):
        physical.row_names = NameTable(
            f"{r[0]}" if i == 0 else f"{r[0]}_{i}" for i, r in enumerate(rows)
        )
    columns: list[Sequence[Any]] = list(zip(*rows, strict=True)) if rows else [()] * 9
    physical.row_site = np.array([physical.sites.index(s) for s in columns[1]], dtype=np.int32)
    for name, index in (("row_x", 2), ("row_y", 3), ("row_num_x", 5), ("row_num_y", 6),
                        ("row_step_x", 7), ("row_step_y", 8)):  # fmt: skip
        setattr(physical, name, np.array(columns[index], dtype=np.int64))
    physical.row_orient = np.array(columns[4], dtype=np.int8)
    for layer, *_ in header.tracks:
        physical.layers.add(layer)
    tracks = header.tracks
    physical.track_layer = np.array([physical.layers.index(t[0]) for t in tracks], dtype=np.int32)
    track_columns = np.array([t[1:] for t in tracks], dtype=np.int64).reshape(-1, 4)
    physical.track_direction = track_columns[:, 0].astype(np.int8)
    physical.track_start, physical.track_count, physical.track_step = (
        track_columns[:, 1].copy(), track_columns[:, 2].copy(), track_columns[:, 3].copy()
    )  # fmt: skip
    gcells = np.array(header.gcells, dtype=np.int64).reshape(-1, 4)
    physical.gcell_direction = gcells[:, 0].astype(np.int8)
    physical.gcell_start, physical.gcell_count, physical.gcell_step = (
        gcells[:, 1].copy(), gcells[:, 2].copy(), gcells[:, 3].copy()
    )  # fmt: skip


def _read_special_nets(
    context: Context,
    section: Section | None,
    wires: Wires,
    inst_index: dict[str, int],
    via_map: ViaLayers,
) -> None:
    builder = RoutingBuilder(wires.layers, wires.via_names)
    names: list[str] = []
    uses: list[int] = []
    conn_net: list[int] = []
    conn_inst: list[int] = []
    conn_term: list[int] = []
    for cursor in statements(context, section):
        statement = parse_net(cursor, builder, len(names), True, via_map)
        if statement is None:
            continue
        if statement.name in names:
            raise cursor.error(f"special net {statement.name!r} defined twice", 1)
        for inst, term in zip(statement.insts, statement.terms, strict=True):
            index = -1 if inst == "*" else -2 if inst == "PIN" else inst_index.get(inst, -3)
            if index == -3:
                raise cursor.error(
                    f"special net {statement.name!r} names unknown component {inst!r}"
                )
            conn_net.append(len(names))
            conn_inst.append(index)
            conn_term.append(wires.special_terms.add(term))
        names.append(statement.name)
        uses.append(statement.use)
    wires.special_net_names = NameTable(names)
    wires.special_net_use = np.array(uses, dtype=np.int8)
    wires.special_conn_net = np.array(conn_net, dtype=np.int32)
    wires.special_conn_inst = np.array(conn_inst, dtype=np.int32)
    wires.special_conn_term = np.array(conn_term, dtype=np.int32)
    wires.special = builder.build()


def _name_table(
    context: Context, names: list[str], section: Section | None, what: str
) -> NameTable:
    try:
        return NameTable(names)
    except ValueError:
        seen: set[str] = set()
        duplicate = next(n for n in names if n in seen or seen.add(n))  # type: ignore[func-returns-value]
        raise context.error(
            f"{what} {duplicate!r} defined twice",
            find_statement(context, section, duplicate, nth=2),
        ) from None


def _concat(parts: list[np.ndarray], dtype: type) -> np.ndarray:
    return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype)


def _assemble_netlist(
    context: Context,
    design: str,
    components: Components,
    inst_names: NameTable,
    pins: list[PinStatement],
    port_names: NameTable,
    nets: Nets,
    wires: Wires,
    nets_section: Section | None,
) -> Netlist:
    net_names = _name_table(context, nets.names, nets_section, "net")
    net_use = list(nets.use)
    port_net = [-1] * len(pins)
    for port, pin in enumerate(pins):
        if pin.net is not None:
            if pin.net not in net_names:
                net_use.append(pin.use)
            port_net[port] = net_names.add(pin.net)
    for net, port_name in nets.port_conns:
        port = port_names.get(port_name)
        if port < 0:
            raise context.error(
                f"net {net_names[net]!r} connects unknown pin {port_name!r}",
                find_statement(context, nets_section, net_names[net]),
            )
        if port_net[port] < 0:
            port_net[port] = net
        elif port_net[port] != net:
            context.log.warn(
                "DEF-0005",
                f"pin {port_name} is on net {net_names[port_net[port]]} in PINS but listed in "
                f"net {net_names[net]}; kept on {net_names[port_net[port]]}",
            )
    ports_with_net = np.array([p for p in range(len(pins)) if port_net[p] >= 0], dtype=np.int32)
    netlist = Netlist(
        top=design,
        masters=NameTable(components.masters),
        terms=NameTable(nets.terms),
        inst_names=inst_names,
        inst_master=_concat(components.master, np.int32),
        port_names=port_names,
        port_direction=np.array([p.direction for p in pins], dtype=np.int8),
        net_names=net_names,
        pin_inst=np.concatenate(
            [np.full(len(ports_with_net), -1, np.int32), _concat(nets.pin_inst, np.int32)]
        ),
        pin_term=np.concatenate([ports_with_net, _concat(nets.pin_term, np.int32)]),
        pin_net=np.concatenate(
            [
                np.array([port_net[p] for p in ports_with_net.tolist()], np.int32),
                _concat(nets.pin_net, np.int32),
            ]
        ),
    )
    netlist.build_index()
    wires.net_use = np.array(net_use, dtype=np.int8)
    return netlist


def _fill_pins(physical: Physical, pins: list[PinStatement]) -> None:
    physical.port_x = np.array([p.x for p in pins], dtype=np.int64)
    physical.port_y = np.array([p.y for p in pins], dtype=np.int64)
    physical.port_orient = np.array([p.orient for p in pins], dtype=np.int8)
    physical.port_status = np.array([p.status for p in pins], dtype=np.int8)
    physical.port_use = np.array([p.use for p in pins], dtype=np.int8)
    physical.port_special = np.array([p.special for p in pins], dtype=np.bool_)
    counts = np.array([len(p.rects) for p in pins], dtype=np.int64)
    physical.port_shape_indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    physical.shape_layer = np.array(
        [physical.layers.add(layer) for p in pins for layer in p.layers], dtype=np.int32
    )
    physical.shape_rect = np.array([r for p in pins for r in p.rects], dtype=np.int64).reshape(
        -1, 4
    )


def _fill_blockages(
    context: Context,
    physical: Physical,
    blockages: list[BlockageStatement],
    inst_index: dict[str, int],
    section: Section | None,
) -> None:
    component = []
    for b in blockages:
        index = -1 if b.component is None else inst_index.get(b.component, -2)
        if index == -2:
            raise context.error(
                f"blockage names unknown component {b.component!r}", section.start if section else 0
            )
        component.append(index)
    physical.blockage_layer = np.array(
        [-1 if b.layer is None else physical.layers.add(b.layer) for b in blockages], dtype=np.int32
    )
    physical.blockage_flags = np.array([b.flags for b in blockages], dtype=np.int8)
    physical.blockage_component = np.array(component, dtype=np.int32)
    physical.blockage_spacing = np.array([b.spacing for b in blockages], dtype=np.int64)
    physical.blockage_density = np.array([b.density for b in blockages], dtype=np.float64)
    counts = np.array([len(b.rects) for b in blockages], dtype=np.int64)
    physical.blockage_rect_indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    physical.blockage_rects = np.array(
        [r for b in blockages for r in b.rects], dtype=np.int64
    ).reshape(-1, 4)


_PHYSICAL_COORDINATES = (
    "die_area", "core_area", "row_x", "row_y", "row_step_x", "row_step_y", "track_start",
    "track_step", "gcell_start", "gcell_step", "inst_x", "inst_y", "port_x", "port_y",
    "shape_rect", "blockage_spacing", "blockage_rects", "halo_size",
)  # fmt: skip
_ROUTING_COORDINATES = (
    "seg_x0", "seg_y0", "seg_x1", "seg_y1", "seg_width", "via_x", "via_y", "via_width",
    "via_step_x", "via_step_y", "rect",
)  # fmt: skip


def _rescale(context: Context, result: DefResult, dbu_per_micron: int) -> None:
    """Convert every coordinate from the file's units to ``dbu_per_micron``."""
    factor = Fraction(dbu_per_micron, result.physical.dbu_per_micron)

    def scale(values: np.ndarray) -> np.ndarray:
        scaled = values * factor.numerator
        if factor.denominator != 1:
            if np.any(scaled % factor.denominator):
                raise context.error(
                    f"coordinates in units of 1/{result.physical.dbu_per_micron} um do not fit "
                    f"a grid of 1/{dbu_per_micron} um",
                    max(0, context.text.find("UNITS")),
                    hint="read with the file's own units (dbu_per_micron=None)",
                )
            scaled //= factor.denominator
        return scaled

    physical = result.physical
    for name in _PHYSICAL_COORDINATES:
        value = getattr(physical, name)
        if value is not None:
            setattr(physical, name, scale(value))
    for routing in (result.wires.regular, result.wires.special):
        for name in _ROUTING_COORDINATES:
            setattr(routing, name, scale(getattr(routing, name)))
        for name in ("seg_ext0", "seg_ext1"):
            value = getattr(routing, name)
            setattr(routing, name, np.where(value < 0, value, scale(np.maximum(value, 0))))
    for via in result.vias.values():
        via.rects = [tuple(int(v) for v in scale(np.array(r))) for r in via.rects]  # type: ignore[misc]
        via.polygons = [tuple(int(v) for v in scale(np.array(p))) for p in via.polygons]
        for name in ("cut_size", "cut_spacing", "enclosure", "origin", "offset"):
            value = getattr(via, name)
            if value:
                setattr(via, name, tuple(int(v) for v in scale(np.array(value))))
    physical.dbu_per_micron = dbu_per_micron


def _translate_names(context: Context, netlist: Netlist) -> None:
    """Rewrite the file's divider and bus-bit characters (unescaped) to ``/`` and ``[]``."""
    pairs = [(context.divider, "/"), (context.busbits[0], "["), (context.busbits[1], "]")]
    pairs = [(old, new) for old, new in pairs if old != new]
    pattern = re.compile("|".join(rf"(?<!\\){re.escape(old)}" for old, _ in pairs))
    mapping = dict(pairs)

    def translate(name: str) -> str:
        return pattern.sub(lambda m: mapping[m.group()], name)

    for table in ("inst_names", "net_names", "port_names"):
        names = [translate(n) for n in getattr(netlist, table).names]
        setattr(netlist, table, _name_table(context, names, None, table.split("_")[0]))
