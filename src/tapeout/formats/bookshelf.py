"""Bookshelf placement benchmarks (.aux .nodes .nets .pl .scl .wts): reading and writing.

Bookshelf (UCLA/ISPD) coordinates are abstract numbers without a unit; some files use integers,
others floats (``40.0``). They are kept as float64 arrays and never converted to DBU here: a
caller that needs integers scales them itself. Files may be gzipped (``simple.nodes.gz`` is used
when ``simple.nodes`` is absent). Positions are lower-left corners of the nodes; pin offsets are
from the node centre, as in the files.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tapeout.db.names import NameTable
from tapeout.db.netlist import Netlist, PortDirection
from tapeout.errors import ParseError
from tapeout.fileio import atomic_write, read_text
from tapeout.log import Log

ORIENTATIONS = ("N", "S", "W", "E", "FN", "FS", "FW", "FE")
_ORIENT_CODE = {name: code for code, name in enumerate(ORIENTATIONS)}

MOVABLE = 0
FIXED = 1  # /FIXED: cannot move, blocks placement
FIXED_NI = 2  # /FIXED_NI: cannot move, other nodes may overlap it (ISPD 2011+)

_DIRECTION_CODE = {
    "I": int(PortDirection.INPUT),
    "O": int(PortDirection.OUTPUT),
    "B": int(PortDirection.INOUT),
}
_DIRECTION_LETTER = {code: letter for letter, code in _DIRECTION_CODE.items()}

_FILE_KINDS = ("nodes", "nets", "wts", "pl", "scl")


def _empty_float() -> np.ndarray:
    return np.zeros(0, dtype=np.float64)


@dataclass(eq=False)
class BookshelfDesign:
    """A Bookshelf design as struct-of-arrays (coordinates are unitless float64).

    Attributes:
        name: design name (the .aux file's stem).
        node_names: node (cell or terminal) names; node id = index.
        node_width, node_height: float64 (n_nodes,) sizes.
        node_is_terminal: bool (n_nodes,) marked ``terminal`` or ``terminal_NI`` in .nodes.
        node_is_terminal_ni: bool (n_nodes,) marked ``terminal_NI`` (may be overlapped).
        node_x, node_y: float64 (n_nodes,) lower-left corner from the .pl (0 when absent).
        node_orient: int8 (n_nodes,) index into ``ORIENTATIONS``.
        node_fixed: int8 (n_nodes,) ``MOVABLE``, ``FIXED`` or ``FIXED_NI`` as the .pl says.
        node_weight: float64 (n_nodes,) weights the .wts gives to node names (default 1).
        net_names: net names (unnamed nets get ``net<index>``).
        net_pin_indptr: int64 (n_nets+1,) CSR: pins of net i are ``indptr[i]:indptr[i+1]``.
        net_weight: float64 (n_nets,) from the .wts (default 1).
        pin_node: int32 (n_pins,) node of each pin.
        pin_net: int32 (n_pins,) net of each pin (pins are stored net by net).
        pin_offset_x, pin_offset_y: float64 (n_pins,) offset from the node centre.
        pin_direction: int8 (n_pins,) ``PortDirection`` value (I=INPUT, O=OUTPUT, B=INOUT).
        row_y: float64 (n_rows,) ``Coordinate`` (bottom of the row).
        row_height, row_site_width, row_site_spacing: float64 (n_rows,).
        row_x: float64 (n_rows,) ``SubrowOrigin`` (one entry per sub-row).
        row_num_sites: int64 (n_rows,).
        row_site_orient, row_site_symmetry: the rows' ``Siteorient`` / ``Sitesymmetry`` text.
    """

    name: str = "design"
    node_names: NameTable = field(default_factory=NameTable)
    node_width: np.ndarray = field(default_factory=_empty_float)
    node_height: np.ndarray = field(default_factory=_empty_float)
    node_is_terminal: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    node_is_terminal_ni: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    node_x: np.ndarray = field(default_factory=_empty_float)
    node_y: np.ndarray = field(default_factory=_empty_float)
    node_orient: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int8))
    node_fixed: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int8))
    node_weight: np.ndarray = field(default_factory=_empty_float)
    net_names: NameTable = field(default_factory=NameTable)
    net_pin_indptr: np.ndarray = field(default_factory=lambda: np.zeros(1, dtype=np.int64))
    net_weight: np.ndarray = field(default_factory=_empty_float)
    pin_node: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    pin_net: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    pin_offset_x: np.ndarray = field(default_factory=_empty_float)
    pin_offset_y: np.ndarray = field(default_factory=_empty_float)
    pin_direction: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int8))
    row_y: np.ndarray = field(default_factory=_empty_float)
    row_height: np.ndarray = field(default_factory=_empty_float)
    row_site_width: np.ndarray = field(default_factory=_empty_float)
    row_site_spacing: np.ndarray = field(default_factory=_empty_float)
    row_x: np.ndarray = field(default_factory=_empty_float)
    row_num_sites: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    row_site_orient: tuple[str, ...] = ()
    row_site_symmetry: tuple[str, ...] = ()

    @property
    def n_nodes(self) -> int:
        return len(self.node_names)

    @property
    def n_terminals(self) -> int:
        return int(np.count_nonzero(self.node_is_terminal))

    @property
    def n_nets(self) -> int:
        return len(self.net_names)

    @property
    def n_pins(self) -> int:
        return int(self.pin_node.shape[0])

    @property
    def n_rows(self) -> int:
        return int(self.row_y.shape[0])

    @property
    def net_pin_indices(self) -> np.ndarray:
        """int64 (n_pins,) CSR column of net -> pins: pins are stored net by net, so 0..n-1."""
        return np.arange(self.n_pins, dtype=np.int64)

    def node_is_fixed(self) -> np.ndarray:
        """bool (n_nodes,): terminals and nodes placed ``/FIXED`` or ``/FIXED_NI``."""
        return self.node_is_terminal | (self.node_fixed != MOVABLE)

    def pin_x(self) -> np.ndarray:
        """float64 (n_pins,) absolute pin x: node centre plus offset (orientation ignored)."""
        return self.node_x[self.pin_node] + self.node_width[self.pin_node] / 2 + self.pin_offset_x

    def pin_y(self) -> np.ndarray:
        """float64 (n_pins,) absolute pin y: node centre plus offset (orientation ignored)."""
        return self.node_y[self.pin_node] + self.node_height[self.pin_node] / 2 + self.pin_offset_y

    def hpwl(self) -> float:
        """Weighted half-perimeter wirelength of all nets (pins at centre + offset)."""
        if self.n_pins == 0:
            return 0.0
        starts = self.net_pin_indptr[:-1]
        nonempty = self.net_pin_indptr[1:] > starts
        total = 0.0
        for coordinate in (self.pin_x(), self.pin_y()):
            high = np.maximum.reduceat(coordinate, starts[nonempty])
            low = np.minimum.reduceat(coordinate, starts[nonempty])
            total += float(np.sum((high - low) * self.net_weight[nonempty]))
        return total

    def to_netlist(self) -> BookshelfNetlist:
        """A ``tapeout.db.Netlist`` of this design plus the placer's per-pin arrays.

        Each node is an instance; its master is named by its size (``W16_H24``, terminals
        ``TERMINAL_W40_H40``) so equal-sized nodes share one. A node's pins are terms ``P0``,
        ``P1``, … in the order they appear in the .nets. There are no top-level ports: terminals
        are fixed instances (``inst_fixed``). Netlist pins keep this design's pin order.
        """
        masters = NameTable()
        master_width: list[float] = []
        master_height: list[float] = []
        inst_master = np.empty(self.n_nodes, dtype=np.int32)
        for node in range(self.n_nodes):
            width = float(self.node_width[node])
            height = float(self.node_height[node])
            prefix = "TERMINAL_" if self.node_is_terminal[node] else ""
            name = f"{prefix}W{_number(width)}_H{_number(height)}"
            before = len(masters)
            inst_master[node] = masters.add(name)
            if len(masters) > before:
                master_width.append(width)
                master_height.append(height)
        # Rank of each pin among its node's pins, in pin order: a stable sort by node.
        order = np.argsort(self.pin_node, kind="stable")
        counts = np.bincount(self.pin_node, minlength=self.n_nodes)
        starts = np.zeros(self.n_nodes + 1, dtype=np.int64)
        np.cumsum(counts, out=starts[1:])
        rank = np.empty(self.n_pins, dtype=np.int32)
        rank[order] = np.arange(self.n_pins) - np.repeat(starts[:-1], counts)
        max_pins = int(counts.max()) if self.n_nodes else 0
        netlist = Netlist(
            top=self.name,
            masters=masters,
            terms=NameTable(f"P{index}" for index in range(max_pins)),
            inst_names=NameTable(self.node_names),
            inst_master=inst_master,
            net_names=NameTable(self.net_names),
            pin_inst=self.pin_node.astype(np.int32, copy=True),
            pin_term=rank,
            pin_net=self.pin_net.astype(np.int32, copy=True),
        )
        netlist.build_index()
        return BookshelfNetlist(
            netlist=netlist,
            inst_fixed=self.node_is_fixed(),
            master_width=np.asarray(master_width, dtype=np.float64),
            master_height=np.asarray(master_height, dtype=np.float64),
            pin_offset_x=self.pin_offset_x.copy(),
            pin_offset_y=self.pin_offset_y.copy(),
            pin_direction=self.pin_direction.copy(),
        )


@dataclass(eq=False)
class BookshelfNetlist:
    """``BookshelfDesign.to_netlist()``: the netlist and what a placer needs beside it.

    Attributes:
        netlist: instances = nodes, nets = nets, pins in the design's pin order.
        inst_fixed: bool (n_insts,) terminals and ``/FIXED`` nodes.
        master_width, master_height: float64 (n_masters,) Bookshelf sizes of each master.
        pin_offset_x, pin_offset_y: float64 (n_pins,) offsets from the instance centre.
        pin_direction: int8 (n_pins,) ``PortDirection`` values.
    """

    netlist: Netlist
    inst_fixed: np.ndarray
    master_width: np.ndarray
    master_height: np.ndarray
    pin_offset_x: np.ndarray
    pin_offset_y: np.ndarray
    pin_direction: np.ndarray


# --------------------------------------------------------------------------------- reading


def read_bookshelf(aux_path: str | Path, *, log: Log | None = None) -> BookshelfDesign:
    """Read the design an .aux file lists (``.aux`` or ``.aux.gz``).

    The .nodes and .nets files are required; .pl, .scl and .wts are optional. Raises
    ParseError (with file and line) for malformed files, InputFileError for missing ones.
    """
    log = log or Log()
    aux_path = Path(aux_path)
    files = _read_aux(aux_path)
    name = _design_name(aux_path)
    for required in ("nodes", "nets"):
        if required not in files:
            raise ParseError(
                f".aux lists no .{required} file",
                file=aux_path,
                line=1,
                hint="a Bookshelf "
                ".aux names its files: 'RowBasedPlacement : x.nodes x.nets x.pl x.scl'",
            )
    design = BookshelfDesign(name=name)
    _read_nodes(files["nodes"], design)
    _read_nets(files["nets"], design, log)
    if "pl" in files:
        _read_pl(files["pl"], design, log)
    if "scl" in files:
        _read_scl(files["scl"], design, log)
    if "wts" in files:
        _read_wts(files["wts"], design, log)
    log.info(
        "BOOK-0001",
        f"read Bookshelf {name}: {design.n_nodes} nodes ({design.n_terminals} terminals), "
        f"{design.n_nets} nets, {design.n_pins} pins, {design.n_rows} rows",
    )
    return design


def bookshelf_inputs(aux_path: str | Path) -> list[Path]:
    """The .aux file and the files it lists (ParseError when it is malformed)."""
    aux_path = Path(aux_path)
    return [aux_path, *_read_aux(aux_path).values()]


def bookshelf_outputs(directory: str | Path, aux_path: str | Path) -> list[Path]:
    """The files ``write_bookshelf`` writes into ``directory`` for the design ``aux_path``."""
    name = _design_name(Path(aux_path))
    return [Path(directory) / f"{name}.{kind}" for kind in (*_FILE_KINDS, "aux")]


def _design_name(aux_path: Path) -> str:
    return aux_path.name.removesuffix(".gz").removesuffix(".aux")


def _existing(path: Path) -> Path:
    """``path``, or ``path.gz`` when only the compressed file exists."""
    if not path.exists():
        zipped = path.with_name(path.name + ".gz")
        if zipped.exists():
            return zipped
    return path


def _read_aux(aux_path: Path) -> dict[str, Path]:
    text = read_text(aux_path, what="Bookshelf .aux file")
    files: dict[str, Path] = {}
    for line_number, tokens in _lines(text):
        if ":" not in tokens:
            raise ParseError(
                "expected 'RowBasedPlacement : <files>'", file=aux_path, line=line_number
            )
        for token in tokens[tokens.index(":") + 1 :]:
            kind = token.removesuffix(".gz").rsplit(".", 1)[-1].lower()
            if kind in _FILE_KINDS:
                files[kind] = _existing(aux_path.parent / token)
    return files


def _lines(text: str) -> Iterator[tuple[int, list[str]]]:
    """(1-based line number, tokens) of non-empty lines, ``#`` comments removed."""
    for index, line in enumerate(text.splitlines()):
        if "#" in line:
            line = line[: line.index("#")]
        tokens = line.split()
        if tokens:
            yield index + 1, tokens


def _body(text: str, kind: str) -> Iterator[tuple[int, list[str]]]:
    """``_lines`` without the ``UCLA <kind> 1.0`` header line."""
    lines = _lines(text)
    for line_number, tokens in lines:
        if tokens[0] != "UCLA":
            yield line_number, tokens
        break
    yield from lines


def _float(token: str, path: Path, line: int) -> float:
    try:
        value = float(token)
    except ValueError:
        raise ParseError(f"expected a number, found {token!r}", file=path, line=line) from None
    if not math.isfinite(value):
        raise ParseError(f"number {token!r} is not finite", file=path, line=line)
    return value


def _count(tokens: list[str], path: Path, line: int) -> int:
    """The integer of ``Key : N``."""
    if len(tokens) != 3 or tokens[1] != ":":
        raise ParseError(f"expected '{tokens[0]} : <count>'", file=path, line=line)
    try:
        value = int(tokens[2])
    except ValueError:
        raise ParseError(f"expected a count, found {tokens[2]!r}", file=path, line=line) from None
    if value < 0:
        raise ParseError(f"negative count {value}", file=path, line=line)
    return value


def _split_colons(text: str) -> str:
    # "NumNodes:10" and "Coordinate:459" are legal; give ':' its own token.
    return re.sub(r":", " : ", text) if ":" in text else text


def _read_nodes(path: Path, design: BookshelfDesign) -> None:
    text = _split_colons(read_text(path, what="Bookshelf .nodes file"))
    names: list[str] = []
    widths: list[float] = []
    heights: list[float] = []
    terminal: list[bool] = []
    terminal_ni: list[bool] = []
    declared_nodes = declared_terminals = None
    last_line = 0
    for line_number, tokens in _body(text, "nodes"):
        last_line = line_number
        keyword = tokens[0]
        if keyword == "NumNodes":
            declared_nodes = _count(tokens, path, line_number)
        elif keyword == "NumTerminals":
            declared_terminals = _count(tokens, path, line_number)
        else:
            if len(tokens) not in (3, 4):
                raise ParseError(
                    "expected '<name> <width> <height> [terminal|terminal_NI]'",
                    file=path,
                    line=line_number,
                )
            width = _float(tokens[1], path, line_number)
            height = _float(tokens[2], path, line_number)
            if width < 0 or height < 0:
                raise ParseError(f"node {keyword} has a negative size", file=path, line=line_number)
            kind = tokens[3].lower() if len(tokens) == 4 else ""
            if kind not in ("", "terminal", "terminal_ni"):
                raise ParseError(
                    f"unknown node kind {tokens[3]!r} (expected terminal or terminal_NI)",
                    file=path,
                    line=line_number,
                )
            names.append(keyword)
            widths.append(width)
            heights.append(height)
            terminal.append(kind != "")
            terminal_ni.append(kind == "terminal_ni")
    try:
        node_names = NameTable(names)
    except ValueError as error:
        raise ParseError(f"{error} in .nodes", file=path, line=last_line) from None
    if declared_nodes is not None and declared_nodes != len(names):
        raise ParseError(
            f"NumNodes says {declared_nodes} but the file lists {len(names)} nodes",
            file=path,
            line=last_line,
            hint="the file may be truncated",
        )
    if declared_terminals is not None and declared_terminals != sum(terminal):
        raise ParseError(
            f"NumTerminals says {declared_terminals} but {sum(terminal)} nodes are terminals",
            file=path,
            line=last_line,
        )
    count = len(names)
    design.node_names = node_names
    design.node_width = np.asarray(widths, dtype=np.float64)
    design.node_height = np.asarray(heights, dtype=np.float64)
    design.node_is_terminal = np.asarray(terminal, dtype=bool)
    design.node_is_terminal_ni = np.asarray(terminal_ni, dtype=bool)
    design.node_x = np.zeros(count, dtype=np.float64)
    design.node_y = np.zeros(count, dtype=np.float64)
    design.node_orient = np.zeros(count, dtype=np.int8)
    design.node_fixed = np.zeros(count, dtype=np.int8)
    design.node_weight = np.ones(count, dtype=np.float64)


def _read_nets(path: Path, design: BookshelfDesign, log: Log) -> None:
    text = _split_colons(read_text(path, what="Bookshelf .nets file"))
    node_index = design.node_names._index
    net_names = NameTable()
    indptr: list[int] = [0]
    pin_node: list[int] = []
    pin_direction: list[int] = []
    offset_x: list[float] = []
    offset_y: list[float] = []
    declared_nets = declared_pins = None
    remaining = 0  # pins still expected in the current net
    net_line = 0
    last_line = 0
    for line_number, tokens in _body(text, "nets"):
        last_line = line_number
        keyword = tokens[0]
        if remaining:
            node = node_index.get(keyword)
            if node is None:
                if keyword in ("NetDegree", "NumNets", "NumPins"):
                    raise ParseError(
                        f"net at line {net_line} has {remaining} pins fewer than its NetDegree",
                        file=path,
                        line=line_number,
                    )
                raise ParseError(f"unknown node {keyword!r}", file=path, line=line_number)
            direction = int(PortDirection.INOUT)
            position = 1
            if len(tokens) > 1 and tokens[1] != ":":
                code = _DIRECTION_CODE.get(tokens[1].upper())
                if code is None:
                    raise ParseError(
                        f"unknown pin direction {tokens[1]!r} (expected I, O or B)",
                        file=path,
                        line=line_number,
                    )
                direction = code
                position = 2
            dx = dy = 0.0
            if len(tokens) > position:
                if len(tokens) != position + 3 or tokens[position] != ":":
                    raise ParseError(
                        "expected '<node> <I|O|B> : <x offset> <y offset>'",
                        file=path,
                        line=line_number,
                    )
                dx = _float(tokens[position + 1], path, line_number)
                dy = _float(tokens[position + 2], path, line_number)
            pin_node.append(node)
            pin_direction.append(direction)
            offset_x.append(dx)
            offset_y.append(dy)
            remaining -= 1
            if remaining == 0:
                indptr.append(len(pin_node))
        elif keyword == "NetDegree":
            if len(tokens) not in (3, 4) or tokens[1] != ":":
                raise ParseError(
                    "expected 'NetDegree : <pins> [name]'", file=path, line=line_number
                )
            degree = _count(tokens[:3], path, line_number)
            name = tokens[3] if len(tokens) == 4 else f"net{len(net_names)}"
            if name in net_names:
                raise ParseError(f"duplicate net name {name!r}", file=path, line=line_number)
            net_names.add(name)
            net_line = line_number
            remaining = degree
            if degree == 0:
                log.warn("BOOK-0002", f"{path}:{line_number}: net {name} has no pins")
                indptr.append(len(pin_node))
        elif keyword == "NumNets":
            declared_nets = _count(tokens, path, line_number)
        elif keyword == "NumPins":
            declared_pins = _count(tokens, path, line_number)
        else:
            raise ParseError(
                f"unexpected {keyword!r}: pin line outside a net", file=path, line=line_number
            )
    if remaining:
        raise ParseError(
            f"file ends inside the net started at line {net_line} ({remaining} pins missing)",
            file=path,
            line=last_line,
            hint="the file may be truncated",
        )
    if declared_nets is not None and declared_nets != len(net_names):
        raise ParseError(
            f"NumNets says {declared_nets} but the file lists {len(net_names)} nets",
            file=path,
            line=last_line,
            hint="the file may be truncated",
        )
    if declared_pins is not None and declared_pins != len(pin_node):
        raise ParseError(
            f"NumPins says {declared_pins} but the nets hold {len(pin_node)} pins",
            file=path,
            line=last_line,
        )
    design.net_names = net_names
    design.net_pin_indptr = np.asarray(indptr, dtype=np.int64)
    design.net_weight = np.ones(len(net_names), dtype=np.float64)
    design.pin_node = np.asarray(pin_node, dtype=np.int32)
    counts = np.diff(design.net_pin_indptr)
    design.pin_net = np.repeat(np.arange(len(net_names), dtype=np.int32), counts)
    design.pin_offset_x = np.asarray(offset_x, dtype=np.float64)
    design.pin_offset_y = np.asarray(offset_y, dtype=np.float64)
    design.pin_direction = np.asarray(pin_direction, dtype=np.int8)


def _read_pl(path: Path, design: BookshelfDesign, log: Log) -> None:
    text = _split_colons(read_text(path, what="Bookshelf .pl file"))
    node_index = design.node_names._index
    for line_number, tokens in _body(text, "pl"):
        node = node_index.get(tokens[0])
        if node is None:
            raise ParseError(f"unknown node {tokens[0]!r}", file=path, line=line_number)
        if len(tokens) < 3:
            raise ParseError(
                "expected '<node> <x> <y> : <orientation> [/FIXED]'", file=path, line=line_number
            )
        design.node_x[node] = _float(tokens[1], path, line_number)
        design.node_y[node] = _float(tokens[2], path, line_number)
        rest = tokens[3:]
        if rest and rest[0] == ":":
            rest = rest[1:]
        for token in rest:
            if token.startswith("/"):
                marker = token.upper()
                if marker == "/FIXED":
                    design.node_fixed[node] = FIXED
                elif marker == "/FIXED_NI":
                    design.node_fixed[node] = FIXED_NI
                else:
                    log.warn("BOOK-0003", f"{path}:{line_number}: unknown marker {token} ignored")
            else:
                code = _ORIENT_CODE.get(token.upper())
                if code is None:
                    raise ParseError(
                        f"unknown orientation {token!r} (expected one of {' '.join(ORIENTATIONS)})",
                        file=path,
                        line=line_number,
                    )
                design.node_orient[node] = code


_ROW_NUMBER_KEYS = {
    "coordinate": "y",
    "height": "height",
    "sitewidth": "site_width",
    "sitespacing": "site_spacing",
}


def _read_scl(path: Path, design: BookshelfDesign, log: Log) -> None:
    text = _split_colons(read_text(path, what="Bookshelf .scl file"))
    rows: list[dict[str, float | str]] = []
    core_rows = 0  # CoreRow blocks; a block with several sub-rows gives several rows
    declared_rows = None
    current: dict[str, float | str] | None = None
    subrows: list[tuple[float, int]] = []  # (SubrowOrigin, NumSites) of the current CoreRow
    row_line = 0
    last_line = 0
    for line_number, tokens in _body(text, "scl"):
        last_line = line_number
        key = tokens[0].lower()
        if key == "numrows":
            declared_rows = _count(tokens, path, line_number)
        elif key == "corerow":
            if current is not None:
                raise ParseError(
                    f"CoreRow at line {row_line} has no End", file=path, line=line_number
                )
            if len(tokens) > 1 and tokens[1].lower() != "horizontal":
                log.warn("BOOK-0004", f"{path}:{line_number}: {tokens[1]} row read as horizontal")
            current = {"site_orient": "1", "site_symmetry": "1", "site_spacing": -1.0}
            subrows = []
            row_line = line_number
        elif current is None:
            raise ParseError(
                f"unexpected {tokens[0]!r} outside a CoreRow", file=path, line=line_number
            )
        elif key == "end":
            for needed in ("y", "height", "site_width"):
                if needed not in current:
                    raise ParseError(
                        f"CoreRow at line {row_line} lacks its {needed.replace('_', ' ')}",
                        file=path,
                        line=line_number,
                    )
            if not subrows:
                raise ParseError(
                    f"CoreRow at line {row_line} has no SubrowOrigin", file=path, line=line_number
                )
            if current["site_spacing"] == -1.0:
                current["site_spacing"] = current["site_width"]
            for origin, sites in subrows:
                rows.append({**current, "x": origin, "num_sites": sites})
            core_rows += 1
            current = None
        elif key in _ROW_NUMBER_KEYS:
            if len(tokens) != 3 or tokens[1] != ":":
                raise ParseError(f"expected '{tokens[0]} : <number>'", file=path, line=line_number)
            current[_ROW_NUMBER_KEYS[key]] = _float(tokens[2], path, line_number)
        elif key in ("siteorient", "sitesymmetry"):
            if len(tokens) != 3 or tokens[1] != ":":
                raise ParseError(f"expected '{tokens[0]} : <value>'", file=path, line=line_number)
            current["site_orient" if key == "siteorient" else "site_symmetry"] = tokens[2]
        elif key == "subroworigin":
            if (
                len(tokens) != 6
                or tokens[1] != ":"
                or tokens[3].lower() != "numsites"
                or tokens[4] != ":"
            ):
                raise ParseError(
                    "expected 'SubrowOrigin : <x> NumSites : <count>'", file=path, line=line_number
                )
            origin = _float(tokens[2], path, line_number)
            sites = _count(tokens[3:], path, line_number)
            subrows.append((origin, sites))
        else:
            log.warn("BOOK-0005", f"{path}:{line_number}: unknown row field {tokens[0]} skipped")
    if current is not None:
        raise ParseError(
            f"file ends inside the CoreRow started at line {row_line}",
            file=path,
            line=last_line,
            hint="the file may be truncated",
        )
    if declared_rows is not None and declared_rows != core_rows:
        raise ParseError(
            f"NumRows says {declared_rows} but the file lists {core_rows} rows",
            file=path,
            line=last_line,
        )

    def column(key: str) -> np.ndarray:
        return np.asarray([row[key] for row in rows], dtype=np.float64)

    design.row_y = column("y")
    design.row_height = column("height")
    design.row_site_width = column("site_width")
    design.row_site_spacing = column("site_spacing")
    design.row_x = column("x")
    design.row_num_sites = np.asarray([row["num_sites"] for row in rows], dtype=np.int64)
    design.row_site_orient = tuple(str(row["site_orient"]) for row in rows)
    design.row_site_symmetry = tuple(str(row["site_symmetry"]) for row in rows)


def _read_wts(path: Path, design: BookshelfDesign, log: Log) -> None:
    """Weights by name: a net's name sets its weight; a node's name (ibm01) the node's."""
    text = read_text(path, what="Bookshelf .wts file")
    unknown = 0
    for line_number, tokens in _body(text, "wts"):
        if len(tokens) != 2:
            raise ParseError("expected '<name> <weight>'", file=path, line=line_number)
        weight = _float(tokens[1], path, line_number)
        net = design.net_names.get(tokens[0])
        if net >= 0:
            design.net_weight[net] = weight
            continue
        node = design.node_names.get(tokens[0])
        if node >= 0:
            design.node_weight[node] = weight
        else:
            unknown += 1
    if unknown:
        log.warn("BOOK-0006", f"{path}: {unknown} weights name no net or node; ignored")


# --------------------------------------------------------------------------------- writing


def _number(value: float) -> str:
    """Shortest text that reads back to exactly ``value`` (``16`` rather than ``16.0``)."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def write_bookshelf(directory: str | Path, name: str, design: BookshelfDesign) -> Path:
    """Write ``<name>.aux/.nodes/.nets/.wts/.pl/.scl`` into ``directory``; returns the .aux path.

    Each file is written atomically. Unnamed nets keep their generated ``net<i>`` names.
    """
    directory = Path(directory)
    header = "# written by tapeout\n\n"
    nodes = [f"UCLA nodes 1.0\n{header}"]
    nodes.append(f"NumNodes : {design.n_nodes}\nNumTerminals : {design.n_terminals}\n\n")
    for node, node_name in enumerate(design.node_names):
        kind = ""
        if design.node_is_terminal_ni[node]:
            kind = "\tterminal_NI"
        elif design.node_is_terminal[node]:
            kind = "\tterminal"
        width = _number(design.node_width[node])
        height = _number(design.node_height[node])
        nodes.append(f"\t{node_name}\t{width}\t{height}{kind}\n")

    nets = [f"UCLA nets 1.0\n{header}NumNets : {design.n_nets}\nNumPins : {design.n_pins}\n\n"]
    node_names = design.node_names.names
    for net, net_name in enumerate(design.net_names):
        start, stop = int(design.net_pin_indptr[net]), int(design.net_pin_indptr[net + 1])
        nets.append(f"NetDegree : {stop - start}   {net_name}\n")
        for pin in range(start, stop):
            letter = _DIRECTION_LETTER.get(int(design.pin_direction[pin]), "B")
            dx = _number(design.pin_offset_x[pin])
            dy = _number(design.pin_offset_y[pin])
            nets.append(f"\t{node_names[design.pin_node[pin]]}\t{letter} : {dx}\t{dy}\n")

    weights = [f"UCLA wts 1.0\n{header}"]
    for net, net_name in enumerate(design.net_names):
        weights.append(f"\t{net_name}\t{_number(design.net_weight[net])}\n")
    for weighted in np.flatnonzero(design.node_weight != 1.0).tolist():
        weights.append(f"\t{node_names[weighted]}\t{_number(design.node_weight[weighted])}\n")

    placement = [f"UCLA pl 1.0\n{header}"]
    markers = {MOVABLE: "", FIXED: " /FIXED", FIXED_NI: " /FIXED_NI"}
    for node, node_name in enumerate(node_names):
        x = _number(design.node_x[node])
        y = _number(design.node_y[node])
        orient = ORIENTATIONS[int(design.node_orient[node])]
        placement.append(
            f"{node_name}\t{x}\t{y}\t: {orient}{markers[int(design.node_fixed[node])]}\n"
        )

    rows = [f"UCLA scl 1.0\n{header}NumRows : {design.n_rows}\n\n"]
    for row in range(design.n_rows):
        rows.append(
            "CoreRow Horizontal\n"
            f"  Coordinate    :   {_number(design.row_y[row])}\n"
            f"  Height        :   {_number(design.row_height[row])}\n"
            f"  Sitewidth     :   {_number(design.row_site_width[row])}\n"
            f"  Sitespacing   :   {_number(design.row_site_spacing[row])}\n"
            f"  Siteorient    :   {design.row_site_orient[row]}\n"
            f"  Sitesymmetry  :   {design.row_site_symmetry[row]}\n"
            f"  SubrowOrigin  :   {_number(design.row_x[row])}\t"
            f"NumSites  :  {int(design.row_num_sites[row])}\n"
            "End\n"
        )

    contents = dict(zip(_FILE_KINDS, (nodes, nets, weights, placement, rows), strict=True))
    for kind, parts in contents.items():
        with atomic_write(directory / f"{name}.{kind}") as handle:
            handle.write("".join(parts))
    aux_path = directory / f"{name}.aux"
    with atomic_write(aux_path) as handle:
        listed = " ".join(f"{name}.{kind}" for kind in contents)
        handle.write(f"RowBasedPlacement : {listed}\n")
    return aux_path
