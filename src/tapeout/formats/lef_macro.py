"""LEF MACRO statements (into db.macro): pins, ports, obstructions; RECTs are the hot path."""

from __future__ import annotations

import math

import numpy as np

from tapeout.db.macro import Macro, MacroPin, Shapes
from tapeout.db.netlist import PortDirection
from tapeout.db.tech import Technology
from tapeout.formats.lef_tech import layer_reference, normalize_rects, read_properties, read_words
from tapeout.formats.lef_tokens import LefCursor

_DIRECTIONS = {
    "INPUT": PortDirection.INPUT,
    "OUTPUT": PortDirection.OUTPUT,
    "INOUT": PortDirection.INOUT,
    "FEEDTHRU": PortDirection.FEEDTHRU,
}
_MAX_MICRONS = 1e9


def read_macro(cursor: LefCursor, tech: Technology) -> Macro:
    """``MACRO name … END name`` (the MACRO keyword is consumed)."""
    start = cursor.i - 1
    name = cursor.name()
    macro = Macro(name=name)
    cursor.open(f"MACRO {name}", start)
    while True:
        at = cursor.i
        keyword = cursor.keyword()
        if keyword == "END":
            cursor.end_block(name, "MACRO", start)
            return macro
        if keyword == "PIN":
            pin = _read_pin(cursor, tech)
            macro.pins[pin.name] = pin
        elif keyword == "OBS":
            obstructions = read_shapes(cursor, tech, at)
            if len(macro.obstructions):
                obstructions = _merge_shapes(macro.obstructions, obstructions)
            macro.obstructions = obstructions
        elif keyword == "CLASS":
            macro.class_name = read_words(cursor)
        elif keyword == "SIZE":
            macro.width = cursor.length()
            cursor.expect("BY")
            macro.height = cursor.length()
            cursor.end_statement()
        elif keyword == "ORIGIN":
            macro.origin_x = cursor.length()
            macro.origin_y = cursor.length()
            cursor.end_statement()
        elif keyword == "FOREIGN":
            macro.foreign_name = cursor.name()
            if cursor.is_number():
                macro.foreign_x = cursor.length()
                macro.foreign_y = cursor.length()
            if cursor.peek() != ";":
                cursor.skip_statement("MACRO FOREIGN orientation", at)
            else:
                cursor.next()
        elif keyword == "SYMMETRY":
            macro.symmetry = read_words(cursor)
        elif keyword == "SITE":
            macro.site = cursor.name()
            if cursor.peek() != ";":
                cursor.skip_statement("MACRO SITE pattern", at)
            else:
                cursor.next()
        elif keyword == "PROPERTY":
            read_properties(cursor, macro.properties)
        elif keyword == "DENSITY":
            _skip_to_end(cursor, "MACRO DENSITY", at)
        else:
            cursor.skip_statement(f"MACRO {keyword}", at)


def _skip_to_end(cursor: LefCursor, keyword: str, at: int) -> None:
    cursor.skip_until(keyword, at, "END")


def _read_pin(cursor: LefCursor, tech: Technology) -> MacroPin:
    start = cursor.i - 1
    name = cursor.name()
    pin = MacroPin(name=name)
    cursor.open(f"PIN {name}", start)
    while True:
        at = cursor.i
        keyword = cursor.keyword()
        if keyword == "END":
            cursor.end_block(name, "PIN", start)
            return pin
        if keyword == "PORT":
            if cursor.peek().upper() == "CLASS":
                cursor.skip_statement("PORT CLASS", cursor.i)
            pin.ports.append(read_shapes(cursor, tech, at))
        elif keyword == "DIRECTION":
            word = cursor.next().upper()
            direction = _DIRECTIONS.get(word)
            if direction is None:
                raise cursor.error(
                    f"unknown pin DIRECTION {word}",
                    cursor.i - 1,
                    hint="INPUT, OUTPUT, INOUT, FEEDTHRU",
                )
            pin.direction = direction
            if cursor.peek().upper() == "TRISTATE":
                cursor.next()
                pin.tristate = True
            cursor.end_statement()
        elif keyword == "USE":
            pin.use = cursor.name().upper()
            cursor.end_statement()
        elif keyword == "SHAPE":
            pin.shape_class = cursor.name().upper()
            cursor.end_statement()
        else:
            cursor.skip_statement(f"PIN {keyword}", at)


def read_shapes(cursor: LefCursor, tech: Technology, start: int) -> Shapes:
    """Geometry up to and including ``END``: LAYER, RECT, POLYGON (PORT or OBS body)."""
    tokens = cursor.tokens
    values: list[str] = []
    rect_layer: list[int] = []
    rect_at: list[int] = []
    polygons: list[np.ndarray] = []
    polygon_layer: list[int] = []
    current = -1
    i = cursor.i
    while True:
        if i >= cursor.count:
            raise cursor.error("PORT/OBS has no END", start, hint="add END")
        token = tokens[i]
        if token == "RECT" and i + 5 < cursor.count and tokens[i + 5] == ";":
            if current < 0:
                raise cursor.error("RECT before any LAYER", i, hint="add LAYER name ; first")
            values.extend(tokens[i + 1 : i + 5])
            rect_layer.append(current)
            rect_at.append(i)
            i += 6
            continue
        keyword = token.upper()
        cursor.i = i + 1
        if keyword == "LAYER":
            current = layer_reference(cursor, tech)
            if cursor.peek() != ";":
                cursor.skip_statement("LAYER SPACING/DESIGNRULEWIDTH/EXCEPTPGNET in geometry", i)
            else:
                cursor.next()
        elif keyword == "END":
            break
        elif keyword == "RECT":
            if current < 0:
                raise cursor.error("RECT before any LAYER", i, hint="add LAYER name ; first")
            if cursor.peek().upper() == "MASK":
                cursor.next()
                cursor.integer()
            if cursor.peek().upper() == "ITERATE":
                cursor.skip_statement("RECT ITERATE", i)
            else:
                rect_at.append(i)
                values.extend(str(cursor.number()) for _ in range(4))
                rect_layer.append(current)
                cursor.end_statement()
        elif keyword == "POLYGON":
            if current < 0:
                raise cursor.error("POLYGON before any LAYER", i, hint="add LAYER name ; first")
            polygon = _read_polygon(cursor, i)
            if polygon is not None:
                polygons.append(polygon)
                polygon_layer.append(current)
        else:
            cursor.skip_statement(f"{keyword} in PORT/OBS geometry", i)
        i = cursor.i
    shapes = Shapes()
    if values:
        shapes.rects = _rects_dbu(cursor, values, rect_at)
        shapes.rect_layer = np.array(rect_layer, dtype=np.int64)
    if polygons:
        shapes.polygons = polygons
        shapes.polygon_layer = np.array(polygon_layer, dtype=np.int64)
    return shapes


def _rects_dbu(cursor: LefCursor, values: list[str], rect_at: list[int]) -> np.ndarray:
    """int64 (k, 4) normalized DBU rectangles from 4k number strings (bulk conversion)."""
    try:
        microns = np.array(values, dtype=np.float64)
        good = bool(np.all(np.abs(microns) <= _MAX_MICRONS))
    except ValueError:
        good = False
    if not good:
        checked: list[float] = []
        for k, text in enumerate(values):
            try:
                value = float(text)
            except ValueError:
                value = math.nan
            if not (math.isfinite(value) and abs(value) <= _MAX_MICRONS):
                raise cursor.error(f"expected a number in RECT, found {text!r}", rect_at[k // 4])
            checked.append(value)
        microns = np.array(checked, dtype=np.float64)
    rects = np.rint(microns.reshape(-1, 4) * cursor.dbu_per_micron).astype(np.int64)
    return normalize_rects(rects)


def _read_polygon(cursor: LefCursor, start: int) -> np.ndarray | None:
    if cursor.peek().upper() == "MASK":
        cursor.next()
        cursor.integer()
    if cursor.peek().upper() == "ITERATE":
        cursor.skip_statement("POLYGON ITERATE", start)
        return None
    points: list[int] = []
    while cursor.peek() != ";":
        points.append(cursor.length())
    cursor.next()
    if len(points) % 2 or len(points) < 6:
        raise cursor.error("POLYGON needs at least 3 points (pairs of numbers)", start)
    return np.array(points, dtype=np.int64).reshape(-1, 2)


def _merge_shapes(first: Shapes, second: Shapes) -> Shapes:
    return Shapes(
        rects=np.concatenate([first.rects, second.rects]),
        rect_layer=np.concatenate([first.rect_layer, second.rect_layer]),
        polygons=first.polygons + second.polygons,
        polygon_layer=np.concatenate([first.polygon_layer, second.polygon_layer]),
    )
