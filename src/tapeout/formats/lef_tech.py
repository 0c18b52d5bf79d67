"""LEF technology statements: LAYER, VIA, VIARULE GENERATE, SITE, PROPERTY (into db.tech)."""

from __future__ import annotations

import numpy as np

from tapeout.db.tech import (
    AdjacentCutSpacing,
    CutEnclosure,
    EndOfLineSpacing,
    Layer,
    LayerDirection,
    LayerType,
    Site,
    Technology,
    Via,
    ViaRule,
    ViaRuleLayer,
)
from tapeout.formats.lef_tokens import LefCursor

_LAYER_TYPES = {member.value: member for member in LayerType}
_DIRECTIONS = {member.value: member for member in LayerDirection}


def layer_reference(cursor: LefCursor, tech: Technology) -> int:
    """Read a layer name and return its index; ParseError when no LAYER defined it."""
    start = cursor.i
    name = cursor.name()
    if not tech.has_layer(name):
        raise cursor.error(
            f"unknown layer {name!r}",
            start,
            hint="define the LAYER in a technology LEF read before this statement",
        )
    return tech.layer_index(name)


def read_properties(cursor: LefCursor, properties: dict[str, str]) -> None:
    """``PROPERTY name value [name value …] ;`` after the keyword: values kept as written."""
    while True:
        name = cursor.name()
        value = cursor.name()
        properties[name] = value
        if cursor.peek() == ";":
            cursor.next()
            return


def read_layer(cursor: LefCursor, tech: Technology) -> None:
    """``LAYER name … END name`` (the LAYER keyword is consumed)."""
    start = cursor.i - 1
    name = cursor.name()
    layer = Layer(name=name, type=LayerType.MASTERSLICE)
    cursor.open(f"LAYER {name}", start)
    type_seen = False
    while True:
        at = cursor.i
        keyword = cursor.keyword()
        if keyword == "END":
            cursor.end_block(name, "LAYER", start)
            break
        if keyword == "TYPE":
            text = cursor.next().upper()
            layer_type = _LAYER_TYPES.get(text)
            if layer_type is None:
                cursor.warn_at(
                    "LEF-0007", f"layer {name}: unknown TYPE {text}, read as MASTERSLICE", at
                )
                layer_type = LayerType.MASTERSLICE
            layer.type = layer_type
            type_seen = True
            cursor.end_statement()
        elif keyword == "DIRECTION":
            text = cursor.next().upper()
            direction = _DIRECTIONS.get(text)
            if direction is None:
                raise cursor.error(
                    f"unknown DIRECTION {text}", cursor.i - 1, hint="HORIZONTAL or VERTICAL"
                )
            layer.direction = direction
            cursor.end_statement()
        elif keyword in ("PITCH", "OFFSET"):
            first = cursor.length()
            second = first if cursor.peek() == ";" else cursor.length()
            cursor.end_statement()
            if keyword == "PITCH":
                layer.pitch_x, layer.pitch_y = first, second
            else:
                layer.offset_x, layer.offset_y = first, second
        elif keyword in ("WIDTH", "MINWIDTH", "MAXWIDTH", "THICKNESS", "HEIGHT"):
            value = cursor.length()
            cursor.end_statement()
            attribute = {"WIDTH": "width", "MINWIDTH": "min_width", "MAXWIDTH": "max_width"}
            setattr(layer, attribute.get(keyword, keyword.lower()), value)
        elif keyword == "AREA":
            layer.min_area = cursor.area()
            cursor.end_statement()
        elif keyword == "SPACING":
            _read_spacing(cursor, layer, at)
        elif keyword == "SPACINGTABLE":
            _read_spacing_table(cursor, layer, at)
        elif keyword in ("ENCLOSURE", "PREFERENCLOSURE"):
            _read_enclosure(cursor, layer, keyword, at)
        elif keyword == "RESISTANCE":
            if cursor.peek().upper() == "RPERSQ":
                cursor.next()
                layer.resistance_ohm_per_square = cursor.number()
                cursor.end_statement()
            elif cursor.is_number():
                layer.resistance_ohm_per_cut = cursor.number()
                cursor.end_statement()
            else:
                cursor.skip_statement("LAYER RESISTANCE " + cursor.peek(), at)
        elif keyword == "CAPACITANCE":
            if cursor.peek().upper() == "CPERSQDIST":
                cursor.next()
                layer.capacitance_pf_per_um2 = cursor.number()
                cursor.end_statement()
            else:
                cursor.skip_statement("LAYER CAPACITANCE " + cursor.peek(), at)
        elif keyword == "EDGECAPACITANCE":
            layer.edge_capacitance_pf_per_um = cursor.number()
            cursor.end_statement()
        elif keyword == "PROPERTY":
            read_properties(cursor, layer.properties)
        else:
            cursor.skip_statement(f"LAYER {keyword}", at)
    if not type_seen:
        cursor.warn_at("LEF-0007", f"layer {name} has no TYPE, read as MASTERSLICE", start)
    tech.add_layer(layer)


def _read_spacing(cursor: LefCursor, layer: Layer, at: int) -> None:
    spacing = cursor.length()
    if cursor.peek() == ";":
        cursor.next()
        if layer.spacing is None:
            layer.spacing = spacing
        else:
            cursor.skipped("LAYER SPACING (second plain SPACING)", at)
        return
    modifier = cursor.peek().upper()
    save = cursor.i
    if modifier == "ADJACENTCUTS":
        cursor.next()
        cuts = cursor.integer()
        if cursor.peek().upper() == "WITHIN":
            cursor.next()
            within = cursor.length()
            if cursor.peek() == ";":
                cursor.next()
                layer.adjacent_cut_spacing.append(AdjacentCutSpacing(spacing, cuts, within))
                return
    elif modifier == "ENDOFLINE":
        cursor.next()
        width = cursor.length()
        if cursor.peek().upper() == "WITHIN":
            cursor.next()
            within = cursor.length()
            if cursor.peek() == ";":
                cursor.next()
                layer.end_of_line_spacing.append(EndOfLineSpacing(spacing, width, within))
                return
    cursor.i = save
    cursor.skip_statement(f"LAYER SPACING {modifier}", at)


def _read_spacing_table(cursor: LefCursor, layer: Layer, at: int) -> None:
    if cursor.peek().upper() != "PARALLELRUNLENGTH":
        cursor.skip_statement(f"SPACINGTABLE {cursor.peek().upper()}", at)
        return
    cursor.next()
    lengths: list[int] = []
    while cursor.is_number():
        lengths.append(cursor.length())
    if not lengths:
        raise cursor.error("SPACINGTABLE PARALLELRUNLENGTH needs at least one length")
    widths: list[int] = []
    rows: list[list[int]] = []
    while True:
        word = cursor.keyword()
        if word == ";":
            break
        if word != "WIDTH":
            raise cursor.error(
                f"expected WIDTH or ';' in SPACINGTABLE, found {word!r}", cursor.i - 1
            )
        widths.append(cursor.length())
        rows.append([cursor.length() for _ in lengths])
    if not widths:
        raise cursor.error("SPACINGTABLE has no WIDTH rows", at)
    layer.spacing_table_length = np.array(lengths, dtype=np.int64)
    layer.spacing_table_width = np.array(widths, dtype=np.int64)
    layer.spacing_table = np.array(rows, dtype=np.int64).reshape(len(widths), len(lengths))


def _read_enclosure(cursor: LefCursor, layer: Layer, keyword: str, at: int) -> None:
    side = "BOTH"
    if cursor.peek().upper() in ("BELOW", "ABOVE"):
        side = cursor.keyword()
    save = cursor.i
    if cursor.is_number():
        first = cursor.length()
        if cursor.is_number():
            second = cursor.length()
            if cursor.peek() == ";":
                cursor.next()
                preferred = keyword == "PREFERENCLOSURE"
                layer.enclosures.append(CutEnclosure(side, first, second, preferred))
                return
    cursor.i = save
    cursor.skip_statement(f"LAYER {keyword} with WIDTH/LENGTH/EOL conditions", at)


def read_via(cursor: LefCursor, tech: Technology) -> None:
    """``VIA name [DEFAULT] … END name`` with LAYER/RECT geometry (the VIA keyword consumed)."""
    start = cursor.i - 1
    name = cursor.name()
    via = Via(name=name)
    cursor.open(f"VIA {name}", start)
    while cursor.peek() != "" and cursor.peek().upper() in (
        "DEFAULT",
        "GENERATED",
        "TOPOFSTACKONLY",
    ):
        if cursor.keyword() == "DEFAULT":
            via.default = True
    rects: list[float] = []
    rect_layer: list[int] = []
    current = -1
    while True:
        at = cursor.i
        keyword = cursor.keyword()
        if keyword == "END":
            cursor.end_block(name, "VIA", start)
            break
        if keyword == "LAYER":
            current = layer_reference(cursor, tech)
            cursor.end_statement()
        elif keyword == "RECT":
            if current < 0:
                raise cursor.error("RECT before any LAYER in VIA", at, hint="add LAYER name ;")
            if cursor.peek().upper() == "MASK":
                cursor.next()
                cursor.integer()
            rects.extend(cursor.number() for _ in range(4))
            rect_layer.append(current)
            cursor.end_statement()
        elif keyword == "RESISTANCE":
            via.resistance_ohm = cursor.number()
            cursor.end_statement()
        else:
            cursor.skip_statement(f"VIA {keyword}", at)
    if rects:
        values = np.rint(np.array(rects).reshape(-1, 4) * cursor.dbu_per_micron).astype(np.int64)
        via.rects = normalize_rects(values)
        via.rect_layer = np.array(rect_layer, dtype=np.int64)
    tech.vias[name] = via


def normalize_rects(values: np.ndarray) -> np.ndarray:
    """int64 (k, 4) rectangles with x0 <= x1 and y0 <= y1 (LEF allows either corner first)."""
    return np.stack(
        [
            np.minimum(values[:, 0], values[:, 2]),
            np.minimum(values[:, 1], values[:, 3]),
            np.maximum(values[:, 0], values[:, 2]),
            np.maximum(values[:, 1], values[:, 3]),
        ],
        axis=1,
    )


def read_via_rule(cursor: LefCursor, tech: Technology) -> None:
    """``VIARULE name GENERATE [DEFAULT] … END name``; other VIARULEs are skipped."""
    start = cursor.i - 1
    name = cursor.name()
    if cursor.peek().upper() != "GENERATE":
        cursor.skip_block("VIARULE (without GENERATE)", start, (name,))
        return
    cursor.next()
    rule = ViaRule(name=name)
    cursor.open(f"VIARULE {name}", start)
    if cursor.peek().upper() == "DEFAULT":
        cursor.next()
        rule.default = True
    section: ViaRuleLayer | None = None
    while True:
        at = cursor.i
        keyword = cursor.keyword()
        if keyword == "END":
            cursor.end_block(name, "VIARULE", start)
            break
        if keyword == "LAYER":
            section = ViaRuleLayer(layer=layer_reference(cursor, tech))
            rule.layers.append(section)
            cursor.end_statement()
            continue
        if section is None:
            if keyword == "PROPERTY":
                cursor.skip_statement("VIARULE PROPERTY", at)
                continue
            raise cursor.error(f"{keyword} before any LAYER in VIARULE {name}", at)
        if keyword == "ENCLOSURE":
            section.enclosure = (cursor.length(), cursor.length())
            cursor.end_statement()
        elif keyword == "WIDTH":
            low = cursor.length()
            cursor.expect("TO")
            section.width_range = (low, cursor.length())
            cursor.end_statement()
        elif keyword == "RECT":
            x0, y0, x1, y1 = (cursor.length() for _ in range(4))
            section.cut_rect = (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
            cursor.end_statement()
        elif keyword == "SPACING":
            x = cursor.length()
            cursor.expect("BY")
            section.cut_spacing = (x, cursor.length())
            cursor.end_statement()
        elif keyword == "RESISTANCE":
            section.resistance_ohm = cursor.number()
            cursor.end_statement()
        else:
            cursor.skip_statement(f"VIARULE {keyword}", at)
    tech.via_rules[name] = rule


def read_site(cursor: LefCursor, tech: Technology) -> None:
    """``SITE name CLASS …; SYMMETRY …; SIZE w BY h; END name`` (the SITE keyword consumed)."""
    start = cursor.i - 1
    name = cursor.name()
    site = Site(name=name, class_name="CORE", symmetry="", width=0, height=0)
    cursor.open(f"SITE {name}", start)
    while True:
        at = cursor.i
        keyword = cursor.keyword()
        if keyword == "END":
            cursor.end_block(name, "SITE", start)
            break
        if keyword == "CLASS":
            site.class_name = cursor.name().upper()
            cursor.end_statement()
        elif keyword == "SYMMETRY":
            site.symmetry = read_words(cursor)
        elif keyword == "SIZE":
            site.width = cursor.length()
            cursor.expect("BY")
            site.height = cursor.length()
            cursor.end_statement()
        else:
            cursor.skip_statement(f"SITE {keyword}", at)
    tech.sites[name] = site


def read_words(cursor: LefCursor) -> str:
    """Upper-cased words up to ``;`` joined by one space (SYMMETRY X Y, CLASS CORE TIEHIGH)."""
    words: list[str] = []
    while True:
        token = cursor.next()
        if token == ";":
            return " ".join(words)
        words.append(token.upper())
