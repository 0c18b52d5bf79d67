"""DEF data shared by the reader and the writer: result classes, keyword tables, a token cursor."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from tapeout.db.netlist import Netlist, PortDirection
from tapeout.db.physical import Orientation, Physical, PlacementStatus, SignalUse
from tapeout.db.wires import RouteStatus, Wires, WireShape
from tapeout.errors import ParseError, line_column
from tapeout.log import Log

ORIENT_CODE: dict[str, int] = {o.name: int(o) for o in Orientation}
ORIENT_NAME: list[str] = [o.name for o in Orientation]
STATUS_CODE: dict[str, int] = {s.name: int(s) for s in PlacementStatus}
STATUS_NAME: list[str] = [s.name for s in PlacementStatus]
USE_CODE: dict[str, int] = {u.name: int(u) for u in SignalUse}
USE_NAME: list[str] = [u.name for u in SignalUse]
ROUTE_CODE: dict[str, int] = {r.name: int(r) for r in RouteStatus}
ROUTE_NAME: list[str] = [r.name for r in RouteStatus]
SHAPE_CODE: dict[str, int] = {s.name: int(s) for s in WireShape if s != WireShape.NONE}
SHAPE_NAME: list[str] = [s.name for s in WireShape]
DIRECTION_CODE: dict[str, int] = {d.name: int(d) for d in PortDirection}
DIRECTION_NAME: list[str] = [d.name for d in PortDirection]


@dataclass(eq=False)
class DefVia:
    """A via defined in the DEF ``VIAS`` section: fixed (rectangles) or generated (via rule).

    Attributes:
        name: via name.
        rect_layers: layer of each rectangle of a fixed via.
        rects: ``(x0, y0, x1, y1)`` DBU rectangles of a fixed via, relative to the via origin.
        polygon_layers / polygons: layer and flat ``(x0, y0, x1, y1, ...)`` points of polygons.
        viarule: via rule name of a generated via ("" for a fixed via); the tuples below are its
            parameters, empty when absent: cut_size (x, y), layers (bottom, cut, top),
            cut_spacing (x, y), enclosure (bottom x, bottom y, top x, top y), rowcol (rows,
            columns), origin (x, y), offset (bottom x, bottom y, top x, top y); pattern string.
    """

    name: str
    rect_layers: list[str] = field(default_factory=list)
    rects: list[tuple[int, int, int, int]] = field(default_factory=list)
    polygon_layers: list[str] = field(default_factory=list)
    polygons: list[tuple[int, ...]] = field(default_factory=list)
    viarule: str = ""
    cut_size: tuple[int, ...] = ()
    layers: tuple[str, ...] = ()
    cut_spacing: tuple[int, ...] = ()
    enclosure: tuple[int, ...] = ()
    rowcol: tuple[int, ...] = ()
    origin: tuple[int, ...] = ()
    offset: tuple[int, ...] = ()
    pattern: str = ""

    def routing_layers(self) -> list[str]:
        """Layers a wire may continue on after this via (generated: bottom and top)."""
        if self.layers:
            return [self.layers[0], self.layers[2]]
        return list(dict.fromkeys(self.rect_layers + self.polygon_layers))


@dataclass(eq=False)
class DefResult:
    """Everything read from a DEF file.

    Attributes:
        design: DESIGN name (also ``netlist.top``).
        version: VERSION string ("5.8").
        def_dbu_per_micron: the file's ``UNITS DISTANCE MICRONS``; coordinates in ``physical`` and
            ``wires`` are in ``physical.dbu_per_micron`` (they differ when the reader scaled).
        netlist: instances (COMPONENTS), ports (PINS), nets and pins (NETS).
        physical: die, rows, tracks, gcell grid, placement, pin shapes, blockages.
        wires: regular and special wiring.
        vias: DEF VIAS definitions by name, in file order.
    """

    design: str
    version: str
    def_dbu_per_micron: int
    netlist: Netlist
    physical: Physical
    wires: Wires
    vias: dict[str, DefVia] = field(default_factory=dict)


_LIMIT = 1 << 62  # coordinates and counts must fit int64 with room for arithmetic
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[^\s;]+|;')


def split_tokens(text: str) -> list[str]:
    """DEF tokens of ``text``: whitespace separated, ``;`` alone, quoted strings kept whole."""
    if '"' in text:
        return _TOKEN.findall(text)
    if ";" in text:
        text = text.replace(";", " ; ")
    return text.split()


class Context:
    """The file being read: its text (for line numbers), path, log and name conventions."""

    def __init__(self, path: str | Path, text: str, log: Log) -> None:
        self.path = str(path)
        self.text = text
        self.log = log
        self.divider = "/"
        self.busbits = "[]"
        self.warned: set[str] = set()

    def error(self, message: str, offset: int, hint: str | None = None) -> ParseError:
        line, column = line_column(self.text, max(0, min(offset, len(self.text))))
        return ParseError(message, file=self.path, line=line, column=column, hint=hint)

    def warn_once(self, msg_id: str, key: str, message: str) -> None:
        if key not in self.warned:
            self.warned.add(key)
            self.log.warn(msg_id, message)


class Cursor:
    """Tokens of one statement (text without the ``;``) at ``offset`` in the file."""

    __slots__ = ("context", "i", "offset", "statement", "tokens")

    def __init__(self, context: Context, statement: str, offset: int) -> None:
        self.context = context
        self.statement = statement
        self.offset = offset
        self.tokens = split_tokens(statement)
        self.i = 0

    def error(self, message: str, index: int | None = None) -> ParseError:
        """A ParseError at token ``index`` (default: the current token)."""
        index = self.i if index is None else index
        starts = [m.start() for m in _TOKEN.finditer(self.statement)]
        if index < len(starts):
            where = self.offset + starts[index]
        else:
            where = self.offset + len(self.statement)
        return self.context.error(message, where)

    def peek(self, ahead: int = 0) -> str | None:
        j = self.i + ahead
        return self.tokens[j] if j < len(self.tokens) else None

    def done(self) -> bool:
        return self.i >= len(self.tokens)

    def next(self, what: str) -> str:
        if self.i >= len(self.tokens):
            raise self.error(f"statement ends early, expected {what}")
        token = self.tokens[self.i]
        self.i += 1
        return token

    def name(self, what: str) -> str:
        """A name token (not a keyword delimiter ``(``, ``)``, ``+``, ``;``)."""
        token = self.next(what)
        if token in ("(", ")", "+", ";"):
            raise self.error(f"expected {what}, found {token!r}", self.i - 1)
        return token

    def expect(self, keyword: str) -> None:
        token = self.next(repr(keyword))
        if token != keyword:
            raise self.error(f"expected {keyword!r}, found {token!r}", self.i - 1)

    def integer(self, what: str) -> int:
        token = self.next(what)
        try:
            value = int(token)
            if abs(value) < _LIMIT:
                return value
            raise self.error(f"{what} {token} is out of range", self.i - 1)
        except ValueError:
            try:
                number = float(token)
            except ValueError:
                raise self.error(
                    f"expected {what} (a number), found {token!r}", self.i - 1
                ) from None
            if number != number or abs(number) >= _LIMIT or number != int(number):
                raise self.error(
                    f"expected {what} (an integer), found {token!r}", self.i - 1
                ) from None
            return int(number)

    def number(self, what: str) -> float:
        token = self.next(what)
        try:
            return float(token)
        except ValueError:
            raise self.error(f"expected {what} (a number), found {token!r}", self.i - 1) from None

    def point(self, previous: tuple[int, int] | None) -> tuple[int, int, int]:
        """``( x y [ext] )``; ``*`` repeats the coordinate of ``previous``; ext -1 if absent."""
        self.expect("(")
        values: list[int] = []
        for axis in range(3):
            token = self.peek()
            if token == ")":
                break
            if token == "*":
                if previous is None or axis == 2:
                    raise self.error("'*' without a previous point")
                self.i += 1
                values.append(previous[axis])
            else:
                values.append(self.integer("a coordinate"))
        self.expect(")")
        if len(values) < 2:
            raise self.error("a point needs two coordinates", self.i - 1)
        return values[0], values[1], values[2] if len(values) == 3 else -1

    def skip_option(self) -> None:
        """Skip the tokens of an unknown ``+ KEYWORD ...`` option up to the next ``+``."""
        while not self.done() and self.peek() != "+":
            self.i += 1
