"""Bulk parsing of the big DEF sections (COMPONENTS, NETS), chunk by chunk.

A section is cut into chunks of whole statements (about 1 MiB of text each). Each chunk tries,
in order: a token-slicing path for the regular one-line form writers emit (``str.split`` and
list slices checked with ``list.count``), a compiled regular expression over the chunk, and last
the general statement parser of ``def_statements``, which handles every form and reports errors
with line and column. The fast paths convert their columns with numpy in bulk and check
themselves exactly (token or character counts), so a chunk they do not fully explain falls
through to the next path and results never depend on which path ran.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import repeat

import numpy as np

from tapeout.formats.def_common import ORIENT_CODE, STATUS_CODE, USE_CODE, Context, Cursor
from tapeout.formats.def_statements import RoutingBuilder, ViaLayers, parse_component, parse_net

CHUNK_CHARS = 1 << 20
_NAME = r"(?![+(;])[^\s;]+"
_COMPONENT = re.compile(
    rf"\s*(?:-\s+({_NAME})\s+({_NAME})"
    r"(?:\s+\+\s+SOURCE\s+[A-Z]+)?"
    r"(?:\s+\+\s+(?:(PLACED|FIXED|COVER|FIRM)\s+\(\s*(-?\d{1,15})\s+(-?\d{1,15})\s*\)"
    r"\s+([NSEWF]{1,2})|UNPLACED))?"
    r"(?:\s+\+\s+(?:SOURCE\s+[A-Z]+|WEIGHT\s+\d+))*"
    r"\s*;|([^\s;][^;]*;?))"
)
_NET_NAME = re.compile(r";\s*-\s+([^\s;]+)")
_PIN_SIMPLE = re.compile(r"\( (\S+) (\S+) \)")
_PIN = re.compile(r"\(\s*([^\s;()]+)\s+([^\s;()]+)\s*\)")
_PLACED_CODES = {k: v for k, v in STATUS_CODE.items() if k != "UNPLACED"}


@dataclass
class Section:
    """Where a ``KEYWORD n ; ... END KEYWORD`` section lies in the text."""

    keyword: str
    start: int  # offset of the keyword
    body: int  # offset after the header's ';'
    end: int  # offset of END
    count: int


@dataclass
class Components:
    """COMPONENTS columns, one array per chunk."""

    names: list[str] = field(default_factory=list)
    masters: dict[str, int] = field(default_factory=dict)
    master: list[np.ndarray] = field(default_factory=list)
    status: list[np.ndarray] = field(default_factory=list)
    x: list[np.ndarray] = field(default_factory=list)
    y: list[np.ndarray] = field(default_factory=list)
    orient: list[np.ndarray] = field(default_factory=list)
    # (component index, left, bottom, right, top, soft) of each ``+ HALO``
    halos: list[tuple[int, int, int, int, int, bool]] = field(default_factory=list)


@dataclass
class Nets:
    """NETS columns: net names and uses, instance pins per chunk, and ``( PIN p )`` entries."""

    names: list[str] = field(default_factory=list)
    use: list[int] = field(default_factory=list)
    terms: dict[str, int] = field(default_factory=dict)
    pin_net: list[np.ndarray] = field(default_factory=list)
    pin_inst: list[np.ndarray] = field(default_factory=list)
    pin_term: list[np.ndarray] = field(default_factory=list)
    port_conns: list[tuple[int, str]] = field(default_factory=list)  # (net, port name)


def statements_between(context: Context, start: int, end: int) -> Iterator[Cursor]:
    """Cursors over the ``;``-terminated statements between two offsets."""
    text = context.text
    pos = start
    while True:
        semi = text.find(";", pos, end)
        if semi < 0:
            rest = text[pos:end]
            if rest.strip():
                raise context.error("statement has no ';'", pos + len(rest) - len(rest.lstrip()))
            return
        if semi > pos and not text[pos:semi].isspace():
            yield Cursor(context, text[pos:semi], pos)
        pos = semi + 1


def statements(context: Context, section: Section | None) -> Iterator[Cursor]:
    """Cursors over the statements of ``section`` (none when it is absent)."""
    if section is not None:
        yield from statements_between(context, section.body, section.end)


def _chunks(context: Context, section: Section) -> Iterator[tuple[int, int]]:
    """``(start, end)`` offsets of pieces of ``section`` that hold whole statements."""
    text = context.text
    start = section.body
    while start < section.end:
        cut = start + CHUNK_CHARS
        semi = text.find(";", cut, section.end) if cut < section.end else -1
        if semi < 0:
            yield start, section.end
            return
        yield start, semi + 1
        start = semi + 1


def _codes(table: dict[str, int], names: list[str]) -> np.ndarray:
    """int64 codes of ``names`` in ``table``, -1 for unknown ones."""
    return np.fromiter(map(table.get, names, repeat(-1)), np.int64, len(names))


def _index(table: dict[str, int], names: list[str] | tuple[str, ...]) -> np.ndarray:
    """int32 indices of ``names``, adding new ones to ``table`` in order of first appearance."""
    new = set(names).difference(table)
    if new:
        for name in names:
            if name in new:
                table[name] = len(table)
                new.discard(name)
                if not new:
                    break
    return np.fromiter(map(table.__getitem__, names), np.int32, len(names))


def _integers(values: list[str] | tuple[str, ...]) -> np.ndarray | None:
    """int64 array of decimal strings, or None when one is not a plain in-range integer."""
    try:
        array = np.fromiter(map(int, values), np.int64, len(values))
    except (ValueError, OverflowError):
        return None
    if len(values) and np.abs(array).max() >= 1 << 62:
        return None
    return array


def _components_by_tokens(components: Components, chunk: str) -> bool:
    """``- name master + PLACED ( x y ) orient ;`` lines only: slice the token list."""
    tokens = chunk.split()
    n = len(tokens) // 11
    if n == 0 or len(tokens) != 11 * n:
        return False
    for offset, token in ((0, "-"), (3, "+"), (5, "("), (8, ")"), (10, ";")):
        if tokens[offset::11].count(token) != n:
            return False
    status = _codes(_PLACED_CODES, tokens[4::11])
    orient = _codes(ORIENT_CODE, tokens[9::11])
    x, y = _integers(tokens[6::11]), _integers(tokens[7::11])
    if x is None or y is None or (status < 0).any() or (orient < 0).any():
        return False
    components.names += tokens[1::11]
    components.master.append(_index(components.masters, tokens[2::11]))
    components.status.append(status.astype(np.int8))
    components.x.append(x)
    components.y.append(y)
    components.orient.append(orient.astype(np.int8))
    return True


def _components_by_regex(components: Components, chunk: str) -> bool:
    rows = _COMPONENT.findall(chunk)
    if not rows:
        return False
    names, masters, status, xs, ys, orients, bad = zip(*rows, strict=True)
    if any(bad):
        return False
    orient = np.array([ORIENT_CODE.get(o, -1) if o else 0 for o in orients], np.int8)
    x = _integers([v or "0" for v in xs])
    y = _integers([v or "0" for v in ys])
    if x is None or y is None or (orient < 0).any():
        return False
    components.names += names
    components.master.append(_index(components.masters, masters))
    components.status.append(np.array([STATUS_CODE.get(s, 0) for s in status], np.int8))
    components.x.append(x)
    components.y.append(y)
    components.orient.append(orient)
    return True


def read_components(context: Context, section: Section | None) -> Components:
    """Columns of the COMPONENTS section (empty when absent)."""
    components = Components()
    if section is None:
        return components
    text = context.text
    for start, end in _chunks(context, section):
        chunk = text[start:end]
        if _components_by_tokens(components, chunk) or _components_by_regex(components, chunk):
            continue
        parsed = [parse_component(c) for c in statements_between(context, start, end)]
        first = len(components.names)
        components.halos += [
            (first + i, *c.halo, c.halo_soft) for i, c in enumerate(parsed) if c.halo is not None
        ]
        components.names += [c.name for c in parsed]
        components.master.append(_index(components.masters, [c.master for c in parsed]))
        components.status.append(np.array([c.status for c in parsed], np.int8))
        components.x.append(np.array([c.x for c in parsed], np.int64))
        components.y.append(np.array([c.y for c in parsed], np.int64))
        components.orient.append(np.array([c.orient for c in parsed], np.int8))
    if len(components.names) != section.count:
        context.log.warn(
            "DEF-0003",
            f"COMPONENTS says {section.count} but has {len(components.names)} components",
        )
    return components


def _nets_by_pattern(
    nets: Nets, chunk: str
) -> tuple[tuple[str, ...], tuple[str, ...], list[int]] | None:
    """Unrouted ``- name ( inst term )... [+ USE u] ;`` statements only, checked by counts.

    Returns instance names, terminal names and pins per net, or None when the chunk holds
    anything else (then the general parser takes it).
    """
    pieces = chunk.split(";")
    if pieces[-1].strip():
        return None
    pieces.pop()
    names = _NET_NAME.findall(";" + chunk)
    if len(names) != len(pieces) or not names:
        return None
    uses = [0] * len(pieces)
    use_chars = 0
    if "+" in chunk:
        for k, piece in enumerate(pieces):
            if "+" in piece:
                _, _, tail = piece.partition("+")
                words = tail.split()
                if "+" in tail or len(words) != 2 or words[0] != "USE" or words[1] not in USE_CODE:
                    return None
                uses[k] = USE_CODE[words[1]]
                use_chars += 4 + len(words[1])
    n_parens = chunk.count("(")
    pins = _PIN_SIMPLE.findall(chunk)
    if len(pins) != n_parens:
        pins = _PIN.findall(chunk)
    if len(pins) != n_parens or chunk.count(")") != n_parens:
        return None
    insts, terms = zip(*pins, strict=True) if pins else ((), ())
    # Every non-blank character is accounted for: '-', names, ';', pins, '+ USE x'.
    blank = chunk.count(" ") + chunk.count("\n") + chunk.count("\t") + chunk.count("\r")
    expected = (
        2 * len(names) + sum(map(len, names)) + 2 * len(pins)
        + sum(map(len, insts)) + sum(map(len, terms)) + use_chars
    )  # fmt: skip
    if len(chunk) - blank != expected or "*" in insts:
        return None
    nets.names += names
    nets.use += uses
    return insts, terms, [piece.count("(") for piece in pieces]


def read_nets(
    context: Context,
    section: Section | None,
    builder: RoutingBuilder,
    inst_index: dict[str, int],
    via_map: ViaLayers,
) -> Nets:
    """Columns of the NETS section; wiring goes into ``builder``."""
    nets = Nets()
    if section is None:
        return nets
    text = context.text
    for start, end in _chunks(context, section):
        first_net = len(nets.names)
        fast = _nets_by_pattern(nets, text[start:end])
        insts: Sequence[str]
        term_names: Sequence[str]
        if fast is not None:
            insts, term_names, counts = fast
        else:
            insts, term_names, counts = _nets_by_statements(
                context, nets, builder, via_map, start, end
            )
        inst = np.fromiter(map(inst_index.get, insts, repeat(-1)), np.int32, len(insts))
        pin_net = np.repeat(np.arange(first_net, len(nets.names), dtype=np.int32), counts)
        keep = inst >= 0
        if not keep.all():
            for k in np.flatnonzero(~keep).tolist():
                if insts[k] != "PIN":
                    net = nets.names[int(pin_net[k])]
                    raise context.error(
                        f"net {net!r} connects unknown component {insts[k]!r}",
                        find_statement(context, section, net),
                    )
                nets.port_conns.append((int(pin_net[k]), term_names[k]))
            term_names = [t for t, k in zip(term_names, keep.tolist(), strict=True) if k]
        nets.pin_inst.append(inst[keep])
        nets.pin_net.append(pin_net[keep])
        nets.pin_term.append(_index(nets.terms, term_names))
    if len(nets.names) != section.count:
        context.log.warn("DEF-0004", f"NETS says {section.count} but has {len(nets.names)} nets")
    return nets


def find_statement(context: Context, section: Section | None, name: str, nth: int = 1) -> int:
    """Offset of the ``nth`` ``- name`` in ``section`` (for error messages), else its start."""
    if section is None:
        return 0
    pattern = re.compile(rf"-\s+{re.escape(name)}(?![^\s;])")
    found = section.start
    for match in pattern.finditer(context.text, section.body, section.end):
        found = match.start()
        nth -= 1
        if nth == 0:
            break
    return found


def _nets_by_statements(
    context: Context,
    nets: Nets,
    builder: RoutingBuilder,
    via_map: ViaLayers,
    start: int,
    end: int,
) -> tuple[list[str], list[str], list[int]]:
    insts: list[str] = []
    terms: list[str] = []
    counts: list[int] = []
    for cursor in statements_between(context, start, end):
        statement = parse_net(cursor, builder, len(nets.names), False, via_map)
        if statement is None:
            continue
        kept = [i for i, inst in enumerate(statement.insts) if inst != "*"]
        if len(kept) != len(statement.insts):
            context.warn_once("DEF-0016", "net-wildcard", "NETS: '( * pin )' skipped")
        insts += [statement.insts[i] for i in kept]
        terms += [statement.terms[i] for i in kept]
        counts.append(len(kept))
        nets.names.append(statement.name)
        nets.use.append(statement.use)
    return insts, terms, counts
