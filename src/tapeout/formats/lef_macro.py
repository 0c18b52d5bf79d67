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


def read_macro(cursor: LefCursor, tech: Technology, batch: RectBatch) -> Macro:
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
            pin = _read_pin(cursor, tech, batch)
            macro.pins[pin.name] = pin
        elif keyword == "OBS":
            macro.obstructions = read_shapes(cursor, tech, at, batch, macro.obstructions)
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


def _read_pin(cursor: LefCursor, tech: Technology, batch: RectBatch) -> MacroPin:
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
            pin.ports.append(read_shapes(cursor, tech, at, batch))
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


class RectBatch:
    """RECT numbers of a whole file, converted to DBU in one numpy call at the end.

    Ports and obstructions record which slice of the batch is theirs; ``finish`` fills their
    ``rects`` and ``rect_layer`` (one conversion per file instead of one per port).
    """

    def __init__(self) -> None:
        self.values: list[str] = []
        self.layers: list[int] = []
        self.token_at: list[int] = []
        self.pending: list[tuple[Shapes, int, int]] = []

    def finish(self, cursor: LefCursor) -> None:
        """Convert all numbers and hand each Shapes its rectangles (ParseError on bad numbers)."""
        if not self.pending:
            return
        rects = _rects_dbu(cursor, self.values, self.token_at)
        layers = np.array(self.layers, dtype=np.int64)
        ranges: dict[int, list[tuple[int, int]]] = {}
        owners: dict[int, Shapes] = {}
        for shapes, first, end in self.pending:
            ranges.setdefault(id(shapes), []).append((first, end))
            owners[id(shapes)] = shapes
        for key, spans in ranges.items():
            shapes = owners[key]
            if len(spans) == 1:
                first, end = spans[0]
                shapes.rects = rects[first:end]
                shapes.rect_layer = layers[first:end]
            else:
                shapes.rects = np.concatenate([rects[a:b] for a, b in spans])
                shapes.rect_layer = np.concatenate([layers[a:b] for a, b in spans])
        self.pending.clear()


def read_shapes(
    cursor: LefCursor, tech: Technology, start: int, batch: RectBatch, into: Shapes | None = None
) -> Shapes:
    """Geometry up to and including ``END``: LAYER, RECT, POLYGON (PORT or OBS body).

    Rectangles arrive in ``shapes.rects`` when ``batch.finish`` runs; ``into`` appends to an
    earlier Shapes (a second OBS block).
    """
    tokens = cursor.tokens
    values = batch.values
    rect_layer = batch.layers
    rect_at = batch.token_at
    first_rect = len(rect_layer)
    polygons: list[np.ndarray] = []
    polygon_layer: list[int] = []
    current = -1
    i = cursor.i
    count = cursor.count
    while True:
        if i >= count:
            raise cursor.error("PORT/OBS has no END", start, hint="add END")
        token = tokens[i]
        if token == "RECT" and i + 5 < count and tokens[i + 5] == ";":
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
                numbers = [str(cursor.number()) for _ in range(4)]
                cursor.end_statement()
                values.extend(numbers)
                rect_at.append(i)
                rect_layer.append(current)
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
    shapes = into if into is not None else Shapes()
    if len(rect_layer) > first_rect:
        batch.pending.append((shapes, first_rect, len(rect_layer)))
    if polygons:
        shapes.polygons = shapes.polygons + polygons
        shapes.polygon_layer = np.concatenate(
            [shapes.polygon_layer, np.array(polygon_layer, dtype=np.int64)]
        )
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
