"""SPEF (IEEE 1481 Standard Parasitic Exchange Format) reader and writer for ``Parasitics``."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from tapeout.db.names import NameTable
from tapeout.db.parasitics import Parasitics, SpefHeader
from tapeout.errors import ParseError
from tapeout.fileio import atomic_write, read_text
from tapeout.log import Log

_TIME_UNITS_PS = {"NS": 1000.0, "PS": 1.0, "US": 1e6, "MS": 1e9, "S": 1e12, "FS": 1e-3}
_CAP_UNITS_FF = {"PF": 1000.0, "FF": 1.0, "NF": 1e6, "UF": 1e9, "F": 1e15}
_RES_UNITS_OHM = {"OHM": 1.0, "KOHM": 1000.0, "MOHM": 1e6}
_INDUCTANCE_UNITS_H = {"HENRY": 1.0, "MH": 1e-3, "UH": 1e-6, "NH": 1e-9}
_DIRECTIONS = {"I": 0, "O": 1, "B": 2}
_DIRECTION_LETTERS = "IOB"
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
_UNESCAPE = re.compile(r"\\(.)")
_HEADER_STRINGS = {
    "*SPEF": "standard",
    "*DESIGN": "design",
    "*DATE": "date",
    "*VENDOR": "vendor",
    "*PROGRAM": "program",
    "*VERSION": "version",
}
_IGNORED_SECTIONS = ("*POWER_NETS", "*GROUND_NETS", "*DEFINE", "*PDEFINE", "*VARIATION_PARAMETERS")


class _Reader:
    """State of one SPEF read: the line cursor, the name map and the growing arrays."""

    def __init__(self, path: Path, text: str, log: Log) -> None:
        self.path = path
        self.lines = text.split("\n")
        self.index = 0
        self.log = log
        self.header = SpefHeader()
        self.name_map: dict[int, str] = {}
        self.resolved: dict[str, int] = {}
        self.node_names = NameTable()
        self.net_names = NameTable()
        self.cell_names = NameTable()
        self.port_names = NameTable()
        self.port_direction: list[int] = []
        self.net_total_cap: list[float] = []
        self.conn_counts: list[int] = []
        self.cap_counts: list[int] = []
        self.res_counts: list[int] = []
        self.conn_node: list[int] = []
        self.conn_is_port: list[bool] = []
        self.conn_direction: list[int] = []
        self.conn_x: list[float] = []
        self.conn_y: list[float] = []
        self.conn_load: list[float] = []
        self.conn_cell: list[int] = []
        self.cap_node1: list[int] = []
        self.cap_node2: list[int] = []
        self.cap_text: list[str] = []
        self.cap_line: list[int] = []
        self.res_node1: list[int] = []
        self.res_node2: list[int] = []
        self.res_text: list[str] = []
        self.res_line: list[int] = []

    def error(self, message: str, line_index: int | None = None) -> ParseError:
        line = (self.index if line_index is None else line_index) + 1
        return ParseError(message, file=self.path, line=line)

    def number(self, token: str, what: str) -> float:
        try:
            value = float(token)
        except ValueError:
            raise self.error(f"bad {what} {token!r}, expected a number") from None
        if value != value or value in (float("inf"), float("-inf")):
            raise self.error(f"bad {what} {token!r}, expected a finite number")
        return value

    def name(self, token: str) -> str:
        """Unescaped full name of ``token``, with a ``*123`` prefix looked up in the name map."""
        if token.startswith("*"):
            digits_end = 1
            while digits_end < len(token) and token[digits_end].isdigit():
                digits_end += 1
            if digits_end == 1:
                raise self.error(f"bad name reference {token!r}")
            key = int(token[1:digits_end])
            if key not in self.name_map:
                raise self.error(f"name map reference {token[:digits_end]} is not defined")
            return self.name_map[key] + self.plain(token[digits_end:])
        return self.plain(token)

    def plain(self, text: str) -> str:
        """Unescaped ``text`` with bus bits in square brackets (``a<3>`` -> ``a[3]``)."""
        bus = self.header.bus_delimiter
        if bus not in ("[]", "[") and bus[0] in text:
            opening, closing = re.escape(bus[0]), re.escape(bus[-1])
            text = re.sub(rf"(?<!\\){opening}(\d+)(?<!\\){closing}", r"[\1]", text)
        return _unescape(text)

    def node(self, token: str) -> int:
        index = self.resolved.get(token)
        if index is None:
            index = self.node_names.add(self.name(token))
            self.resolved[token] = index
        return index

    def next_content_line(self) -> list[str] | None:
        """Tokens of the next non-blank, non-comment line (cursor left on it), or None at EOF."""
        lines = self.lines
        while self.index < len(lines):
            line = lines[self.index]
            if "//" in line:
                line = line[: line.index("//")]
            tokens = line.split()
            if tokens:
                return tokens
            self.index += 1
        return None

    def read(self) -> Parasitics:
        self.read_header()
        while (tokens := self.next_content_line()) is not None:
            keyword = tokens[0]
            if keyword == "*NAME_MAP":
                self.index += 1
                self.read_name_map()
            elif keyword == "*PORTS":
                self.index += 1
                self.read_ports()
            elif keyword == "*D_NET":
                self.read_net(tokens)
            elif keyword == "*R_NET":
                self.log.warn("SPEF-0002", f"{self.path}:{self.index + 1}: *R_NET skipped")
                self.skip_to_end()
            elif keyword in _IGNORED_SECTIONS or keyword in ("*D_PNET", "*R_PNET"):
                self.log.warn("SPEF-0003", f"{self.path}:{self.index + 1}: {keyword} skipped")
                if keyword in ("*D_PNET", "*R_PNET"):
                    self.skip_to_end()
                else:
                    self.index += 1
            else:
                raise self.error(f"unexpected {keyword!r}", self.index)
        if not self.header.design and not self.net_names:
            raise self.error("not a SPEF file: no *SPEF header and no *D_NET", 0)
        return self.build()

    def read_header(self) -> None:
        header = self.header
        seen_spef = False
        while (tokens := self.next_content_line()) is not None:
            keyword = tokens[0]
            line = self.lines[self.index]
            if keyword in _HEADER_STRINGS:
                match = _QUOTED.search(line)
                if match is None:
                    raise self.error(f"{keyword} needs a quoted string")
                setattr(header, _HEADER_STRINGS[keyword], match.group(1))
                seen_spef |= keyword == "*SPEF"
            elif keyword == "*DESIGN_FLOW":
                header.design_flow = _QUOTED.findall(line)
            elif keyword in ("*DIVIDER", "*DELIMITER", "*BUS_DELIMITER"):
                if len(tokens) < 2:
                    raise self.error(f"{keyword} needs a character")
                value = "".join(tokens[1:])
                if keyword == "*DIVIDER":
                    header.divider = value
                elif keyword == "*DELIMITER":
                    header.delimiter = value
                else:
                    header.bus_delimiter = value
            elif keyword in ("*T_UNIT", "*C_UNIT", "*R_UNIT", "*L_UNIT"):
                table = {
                    "*T_UNIT": _TIME_UNITS_PS,
                    "*C_UNIT": _CAP_UNITS_FF,
                    "*R_UNIT": _RES_UNITS_OHM,
                    "*L_UNIT": _INDUCTANCE_UNITS_H,
                }[keyword]
                if len(tokens) != 3 or tokens[2].upper() not in table:
                    raise self.error(
                        f"bad {keyword} line, expected a number and one of {', '.join(table)}"
                    )
                scale = self.number(tokens[1], "unit") * table[tokens[2].upper()]
                if scale <= 0:
                    raise self.error(f"{keyword} must be positive")
                attribute = {
                    "*T_UNIT": "time_unit_ps",
                    "*C_UNIT": "cap_unit_ff",
                    "*R_UNIT": "res_unit_ohm",
                    "*L_UNIT": "inductance_unit_h",
                }[keyword]
                setattr(header, attribute, scale)
            else:
                break
            self.index += 1
        if not seen_spef and self.index < len(self.lines):
            raise self.error("not a SPEF file: missing *SPEF header", 0)

    def read_name_map(self) -> None:
        lines = self.lines
        name_map = self.name_map
        while self.index < len(lines):
            line = lines[self.index]
            if not line.startswith("*") or not line[1:2].isdigit():
                if line.strip() and not line.lstrip().startswith("//"):
                    stripped = line.lstrip()
                    if not (stripped.startswith("*") and stripped[1:2].isdigit()):
                        return
                    line = stripped
                else:
                    self.index += 1
                    continue
            parts = line.split()
            if len(parts) != 2 or not parts[0][1:].isdigit():
                raise self.error(f"bad *NAME_MAP entry {line.strip()!r}")
            name_map[int(parts[0][1:])] = self.plain(parts[1])
            self.index += 1

    def read_ports(self) -> None:
        while (tokens := self.next_content_line()) is not None:
            if tokens[0].startswith("*") and not tokens[0][1:2].isdigit():
                return
            if len(tokens) < 2 or tokens[1] not in _DIRECTIONS:
                raise self.error("bad *PORTS entry, expected a name and I, O or B")
            name = self.name(tokens[0])
            if name in self.port_names:
                raise self.error(f"port {name!r} listed twice")
            self.port_names.add(name)
            self.port_direction.append(_DIRECTIONS[tokens[1]])
            self.index += 1

    def skip_to_end(self) -> None:
        while (tokens := self.next_content_line()) is not None:
            self.index += 1
            if tokens[0] == "*END":
                return
        raise self.error("missing *END", len(self.lines) - 1)

    def read_net(self, tokens: list[str]) -> None:
        if len(tokens) < 3:
            raise self.error("*D_NET needs a net name and a total capacitance")
        name = self.name(tokens[1])
        if name in self.net_names:
            raise self.error(f"net {name!r} has two *D_NET sections")
        self.net_names.add(name)
        start = self.index
        self.net_total_cap.append(self.number(tokens[2], "total capacitance") * self.cap_scale)
        self.index += 1
        section = ""
        counts = {"*CONN": 0, "*CAP": 0, "*RES": 0}
        lines = self.lines
        n_lines = len(lines)
        resolved = self.resolved
        node = self.node
        cap_node1, cap_node2 = self.cap_node1, self.cap_node2
        cap_text, cap_line = self.cap_text, self.cap_line
        res_node1, res_node2 = self.res_node1, self.res_node2
        res_text, res_line = self.res_text, self.res_line
        index = self.index
        while True:
            if index >= n_lines:
                raise self.error(f"missing *END of the *D_NET of {name!r} started here", start)
            parts = lines[index].split()
            if not parts:
                index += 1
                continue
            size = len(parts)
            # The hot loop: *CAP and *RES lines are most of a file. Values stay text here and
            # become numbers in one numpy call in build().
            if section == "*CAP" and (size == 3 or size == 4) and parts[0][0] not in "*/":
                first_node = resolved.get(parts[1])
                cap_node1.append(first_node if first_node is not None else node(parts[1]))
                if size == 4:
                    second = resolved.get(parts[2])
                    cap_node2.append(second if second is not None else node(parts[2]))
                else:
                    cap_node2.append(-1)
                cap_text.append(parts[-1])
                cap_line.append(index)
                counts["*CAP"] += 1
            elif section == "*RES" and size == 4 and parts[0][0] not in "*/":
                first_node = resolved.get(parts[1])
                res_node1.append(first_node if first_node is not None else node(parts[1]))
                second = resolved.get(parts[2])
                res_node2.append(second if second is not None else node(parts[2]))
                res_text.append(parts[3])
                res_line.append(index)
                counts["*RES"] += 1
            else:
                self.index = index
                first = parts[0]
                if first.startswith("//"):
                    pass
                elif first in counts:
                    section = first
                elif first == "*END":
                    index += 1
                    break
                elif section == "*CONN" and first == "*N":
                    self.log.warn(
                        "SPEF-0004",
                        f"{self.path}:{index + 1}: *N internal node coordinates are skipped",
                    )
                elif section == "*CONN":
                    self.read_conn(parts)
                    counts["*CONN"] += 1
                elif section == "*CAP":
                    raise self.error("bad *CAP entry, expected: index node [node2] value")
                elif section == "*RES":
                    raise self.error("bad *RES entry, expected: index node1 node2 value")
                elif first == "*INDUC":
                    raise self.error("*INDUC sections are not supported")
                else:
                    raise self.error(f"unexpected {first!r} in *D_NET {name!r}")
            index += 1
        self.index = index
        self.conn_counts.append(counts["*CONN"])
        self.cap_counts.append(counts["*CAP"])
        self.res_counts.append(counts["*RES"])

    def read_conn(self, parts: list[str]) -> None:
        kind = parts[0]
        if kind not in ("*P", "*I") or len(parts) < 3 or parts[2] not in _DIRECTIONS:
            raise self.error("bad *CONN entry, expected *P or *I, a name and I, O or B")
        self.conn_node.append(self.node(parts[1]))
        self.conn_is_port.append(kind == "*P")
        self.conn_direction.append(_DIRECTIONS[parts[2]])
        x = y = load = float("nan")
        cell = -1
        position = 3
        while position < len(parts):
            key = parts[position]
            if key == "*C" and position + 2 < len(parts):
                x = self.number(parts[position + 1], "coordinate")
                y = self.number(parts[position + 2], "coordinate")
                position += 3
            elif key == "*L" and position + 1 < len(parts):
                load = self.number(parts[position + 1], "load") * self.cap_scale
                position += 2
            elif key == "*S" and position + 2 < len(parts):
                position += 3
            elif key == "*D" and position + 1 < len(parts):
                cell = self.cell_names.add(parts[position + 1])
                position += 2
            else:
                raise self.error(f"bad *CONN attribute {key!r}")
        self.conn_x.append(x)
        self.conn_y.append(y)
        self.conn_load.append(load)
        self.conn_cell.append(cell)

    def values(self, texts: list[str], line_indices: list[int], what: str) -> np.ndarray:
        """float64 array of number ``texts``; a bad one raises a ParseError at its line."""
        try:
            values = np.array(texts, dtype=np.float64) if texts else np.zeros(0)
        except ValueError:
            values = None
        if values is None or not np.isfinite(values).all():
            for text, line_index in zip(texts, line_indices, strict=True):
                self.index = line_index
                self.number(text, what)
        assert values is not None
        return values

    @property
    def cap_scale(self) -> float:
        return self.header.cap_unit_ff

    def build(self) -> Parasitics:
        def indptr(counts: list[int]) -> np.ndarray:
            result = np.zeros(len(counts) + 1, dtype=np.int64)
            np.cumsum(counts, out=result[1:])
            return result

        return Parasitics(
            header=self.header,
            name_map=self.name_map,
            port_names=self.port_names,
            port_direction=np.asarray(self.port_direction, dtype=np.int8),
            node_names=self.node_names,
            net_names=self.net_names,
            net_total_cap_ff=np.asarray(self.net_total_cap, dtype=np.float64),
            net_conn_indptr=indptr(self.conn_counts),
            conn_node=np.asarray(self.conn_node, dtype=np.int32),
            conn_is_port=np.asarray(self.conn_is_port, dtype=np.bool_),
            conn_direction=np.asarray(self.conn_direction, dtype=np.int8),
            conn_x=np.asarray(self.conn_x, dtype=np.float64),
            conn_y=np.asarray(self.conn_y, dtype=np.float64),
            conn_load_ff=np.asarray(self.conn_load, dtype=np.float64),
            conn_driving_cell=np.asarray(self.conn_cell, dtype=np.int32),
            cell_names=self.cell_names,
            net_cap_indptr=indptr(self.cap_counts),
            cap_node1=np.asarray(self.cap_node1, dtype=np.int32),
            cap_node2=np.asarray(self.cap_node2, dtype=np.int32),
            cap_ff=self.values(self.cap_text, self.cap_line, "capacitance") * self.cap_scale,
            net_res_indptr=indptr(self.res_counts),
            res_node1=np.asarray(self.res_node1, dtype=np.int32),
            res_node2=np.asarray(self.res_node2, dtype=np.int32),
            res_ohm=self.values(self.res_text, self.res_line, "resistance")
            * self.header.res_unit_ohm,
        )


def _unescape(token: str) -> str:
    return _UNESCAPE.sub(r"\1", token) if "\\" in token else token


def read_spef(path: str | Path, *, log: Log | None = None) -> Parasitics:
    """Read a SPEF file into ``Parasitics`` (capacitance in fF, resistance in ohm).

    ``*R_NET`` and power-net sections are skipped with a warning; a malformed file raises a
    ParseError naming the file and line.
    """
    path = Path(path)
    text = read_text(path, what="SPEF file")
    reader = _Reader(path, text, log if log is not None else Log())
    parasitics = reader.read()
    reader.log.info(
        "SPEF-0001",
        f"read {path.name}: {parasitics.n_nets} nets, {parasitics.cap_ff.size} capacitors, "
        f"{parasitics.res_ohm.size} resistors",
    )
    return parasitics


# ---------------------------------------------------------------------------------------------
# Writing


_ESCAPE = re.compile(r"([^A-Za-z0-9_/])")
_BUS_BIT = re.compile(r"\[(\d+)\]$")


def _escape(name: str, bus_delimiter: str) -> str:
    """SPEF spelling of ``name``: special characters escaped, a trailing bus bit kept."""
    match = _BUS_BIT.search(name)
    # A trailing [3] stays a bus bit only when the rest is a plain name; in ``a.b[3]`` the
    # brackets were part of an escaped identifier and stay escaped.
    if match and bus_delimiter and not _ESCAPE.search(name, 0, match.start()):
        close = bus_delimiter[1] if len(bus_delimiter) > 1 else bus_delimiter[0]
        base = _ESCAPE.sub(r"\\\1", name[: match.start()])
        return f"{base}{bus_delimiter[0]}{match.group(1)}{close}"
    return _ESCAPE.sub(r"\\\1", name)


def _file_values(values_in_our_unit: np.ndarray, scale: float) -> list[str]:
    """Text of ``values / scale``, as short as possible while reading back (``x * scale``) exactly.

    Plain division can land one ulp off; the shortest of a few precisions that multiplies back
    to the same float is written, so that read -> write -> read is bit-identical.
    """
    values = np.asarray(values_in_our_unit, dtype=np.float64)
    result = values / scale
    if scale != 1.0:
        bad = result * scale != values
        for step in (np.inf, -np.inf):
            if not bad.any():
                break
            candidate = np.nextafter(result, step)
            fixed = bad & (candidate * scale == values)
            result[fixed] = candidate[fixed]
            bad &= ~fixed
    texts: list[str] = []
    for value, target in zip(result.tolist(), values.tolist(), strict=True):
        for digits in (6, 9, 12, 15):
            text = f"{value:.{digits}g}"
            if float(text) * scale == target:
                break
        else:
            text = repr(value)
        texts.append(text)
    return texts


def _unit_text(value: float, table: dict[str, float]) -> str:
    for unit, scale in sorted(table.items(), key=lambda item: -item[1]):
        if value >= scale:
            return f"{_number(value / scale)} {unit}"
    unit, scale = min(table.items(), key=lambda item: item[1])
    return f"{_number(value / scale)} {unit}"


def _number(value: float) -> str:
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


class _Writer:
    """Spells resolved names through the name map again."""

    def __init__(self, parasitics: Parasitics) -> None:
        self.parasitics = parasitics
        header = parasitics.header
        self.bus = header.bus_delimiter
        self.delimiter = header.delimiter
        self.reverse = {name: key for key, name in parasitics.name_map.items()}
        self.ports = set(parasitics.port_names)

    def name(self, name: str) -> str:
        key = self.reverse.get(name)
        if key is not None:
            return f"*{key}"
        return _escape(name, self.bus)

    def node(self, name: str) -> str:
        if name in self.ports:  # ports are spelled out, as extraction tools write them
            return _escape(name, self.bus)
        key = self.reverse.get(name)
        if key is not None:
            return f"*{key}"
        owner, separator, pin = name.rpartition(self.delimiter)
        if separator and owner:
            key = self.reverse.get(owner)
            prefix = f"*{key}" if key is not None else _escape(owner, self.bus)
            return f"{prefix}{self.delimiter}{_escape(pin, self.bus)}"
        return _escape(name, self.bus)


def write_spef(path: str | Path, parasitics: Parasitics) -> None:
    """Write ``parasitics`` as SPEF in its header's units, reusing its name map."""
    header = parasitics.header
    writer = _Writer(parasitics)
    out: list[str] = [
        f'*SPEF "{header.standard}"',
        f'*DESIGN "{header.design}"',
        f'*DATE "{header.date}"',
        f'*VENDOR "{header.vendor}"',
        f'*PROGRAM "{header.program}"',
        f'*VERSION "{header.version}"',
        "*DESIGN_FLOW " + " ".join(f'"{flow}"' for flow in header.design_flow),
        f"*DIVIDER {header.divider}",
        f"*DELIMITER {header.delimiter}",
        f"*BUS_DELIMITER {header.bus_delimiter}",
        f"*T_UNIT {_unit_text(header.time_unit_ps, _TIME_UNITS_PS)}",
        f"*C_UNIT {_unit_text(header.cap_unit_ff, _CAP_UNITS_FF)}",
        f"*R_UNIT {_unit_text(header.res_unit_ohm, _RES_UNITS_OHM)}",
        f"*L_UNIT {_unit_text(header.inductance_unit_h, _INDUCTANCE_UNITS_H)}",
        "",
    ]
    if parasitics.name_map:
        out.append("*NAME_MAP")
        out.extend(
            f"*{key} {_escape(name, writer.bus)}" for key, name in parasitics.name_map.items()
        )
        out.append("")
    if len(parasitics.port_names):
        out.append("*PORTS")
        for port, direction in zip(
            parasitics.port_names, parasitics.port_direction.tolist(), strict=True
        ):
            out.append(f"{writer.node(port)} {_DIRECTION_LETTERS[direction]}")
        out.append("")
    cap_scale = header.cap_unit_ff
    node_text = [writer.node(name) for name in parasitics.node_names]
    cells = parasitics.cell_names
    conn_node = parasitics.conn_node.tolist()
    conn_is_port = parasitics.conn_is_port.tolist()
    conn_direction = parasitics.conn_direction.tolist()
    conn_x = parasitics.conn_x.tolist()
    conn_y = parasitics.conn_y.tolist()
    conn_load = parasitics.conn_load_ff.tolist()
    conn_cell = parasitics.conn_driving_cell.tolist()
    cap_node1 = parasitics.cap_node1.tolist()
    cap_node2 = parasitics.cap_node2.tolist()
    cap_value = _file_values(parasitics.cap_ff, cap_scale)
    res_node1 = parasitics.res_node1.tolist()
    res_node2 = parasitics.res_node2.tolist()
    res_value = _file_values(parasitics.res_ohm, header.res_unit_ohm)
    conn_ptr = parasitics.net_conn_indptr.tolist()
    cap_ptr = parasitics.net_cap_indptr.tolist()
    res_ptr = parasitics.net_res_indptr.tolist()
    total = _file_values(parasitics.net_total_cap_ff, cap_scale)
    load = _file_values(parasitics.conn_load_ff, cap_scale)
    for net, net_name in enumerate(parasitics.net_names):
        out.append(f"*D_NET {writer.name(net_name)} {total[net]}")
        out.append("*CONN")
        for conn in range(conn_ptr[net], conn_ptr[net + 1]):
            kind = "*P" if conn_is_port[conn] else "*I"
            line = f"{kind} {node_text[conn_node[conn]]} {_DIRECTION_LETTERS[conn_direction[conn]]}"
            if conn_x[conn] == conn_x[conn]:
                line += f" *C {conn_x[conn]!r} {conn_y[conn]!r}"
            if conn_load[conn] == conn_load[conn]:
                line += f" *L {load[conn]}"
            if conn_cell[conn] >= 0:
                line += f" *D {cells[conn_cell[conn]]}"
            out.append(line)
        out.append("*CAP")
        for number, cap in enumerate(range(cap_ptr[net], cap_ptr[net + 1]), start=1):
            other = cap_node2[cap]
            second = f" {node_text[other]}" if other >= 0 else ""
            out.append(f"{number} {node_text[cap_node1[cap]]}{second} {cap_value[cap]}")
        out.append("*RES")
        for number, res in enumerate(range(res_ptr[net], res_ptr[net + 1]), start=1):
            out.append(
                f"{number} {node_text[res_node1[res]]} {node_text[res_node2[res]]} {res_value[res]}"
            )
        out.append("*END")
        out.append("")
    with atomic_write(path) as handle:
        handle.write("\n".join(out))
        handle.write("\n")
