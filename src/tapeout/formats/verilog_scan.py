"""First pass over a Verilog module body: bulk statement splitting and declarations.

One compiled regex ``findall`` splits the body into statements and recognizes the two shapes
that make up almost all of a gate-level netlist in bulk: ``wire a, b, c;`` and
``master inst (.A(n1), .B(n2));``. Everything else is kept as a located *slow* statement for
the token parser (``verilog_module``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import compress
from operator import itemgetter

import numpy as np

from tapeout.formats.verilog_syntax import (
    ESCAPED,
    IDENTIFIER,
    KEYWORDS,
    Declaration,
    ModuleText,
    Tokens,
    parse_range,
)
from tapeout.log import Log

_STATEMENT = re.compile(
    rf"""\s*+(?:
    wire\s++([^;\\\[\]=]*+|\\\S++\s++);
    |({IDENTIFIER})\s++({IDENTIFIER}|{ESCAPED})\s*+\(([^;]*)\)\s*+;
    |((?:[^;\\]++|\\\S*+)*+)(;|\Z))""",
    re.X,
)
_WIRE_LIST = re.compile(rf"\s*+{IDENTIFIER}(?:\s*+,\s*+{IDENTIFIER})*+\s*+")
_NET = rf"(?:{IDENTIFIER}(?:\[\d+\])?|{ESCAPED}|1'b[01])"
_CONNECTION = rf"\.{IDENTIFIER}\s*+\(\s*+(?:{_NET}\s*+)?\)"
CONNECTIONS = re.compile(rf"\s*+(?:{_CONNECTION}\s*+(?:,\s*+{_CONNECTION}\s*+)*+)?")
ALL_CONNECTIONS = re.compile(rf"(?:\s*+(?:{_CONNECTION}\s*+(?:,\s*+{_CONNECTION}\s*+)*+)?\x00)*+")
CONNECTION_TERMS = re.compile(rf"\\\S++|\.({IDENTIFIER})\s*+\(")
PLAIN_CONNECTION_TERMS = re.compile(rf"\.({IDENTIFIER})")  # valid text without escapes
CONNECTION_NETS = re.compile(r"\(\s*+(\\\S++|[^\s)]*+)")
_NAME = re.compile(r"[^\s,]+")
_FIRST_WORD = re.compile(rf"\s*+({IDENTIFIER}|{ESCAPED}|\S?)")

DIRECTIONS = ("input", "output", "inout")
NET_KINDS = frozenset(
    ("wire", "reg", "tri", "logic", "uwire", "wand", "wor", "tri0", "tri1", "supply0", "supply1")
)
SKIPPED_KINDS = frozenset(("parameter", "localparam", "specparam"))


@dataclass
class SlowStatement:
    """A statement for the token parser: its index in the body and ``[start, end)`` offsets."""

    statement: int
    start: int
    end: int
    first_word: str


@dataclass
class NetInitializer:
    """``wire a = expr``: the declared bits' name and where the expression's tokens are."""

    declaration: Declaration
    tokens: Tokens
    position: int


@dataclass(eq=False)
class ScannedModule:
    """A module body after the bulk pass (see module docstring).

    ``fast_*`` lists describe simple instance statements in body order; ``wire_names`` are the
    names of simple ``wire`` statements with ``wire_statement`` int64 (n,) their statement index.
    """

    text: ModuleText
    fast_masters: list[str] = field(default_factory=list)
    fast_instances: list[str] = field(default_factory=list)
    fast_connections: list[str] = field(default_factory=list)
    fast_statement: list[int] = field(default_factory=list)
    wire_names: list[str] = field(default_factory=list)
    wire_statement: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    slow: list[SlowStatement] = field(default_factory=list)
    declarations: list[Declaration] = field(default_factory=list)
    initializers: list[NetInitializer] = field(default_factory=list)
    supplies: list[tuple[Declaration, int]] = field(default_factory=list)
    used_masters: set[str] = field(default_factory=set)
    is_stub: bool = True


def scan_module(module: ModuleText, log: Log) -> ScannedModule:
    """Split ``module``'s body into fast and slow statements and parse its declarations."""
    source = module.source
    text = source.text
    scanned = ScannedModule(module)
    pending: list[tuple[int, str, str]] = []  # (statement, kind, payload) to locate in order
    items = _STATEMENT.findall(text, module.header_end, module.body_end)
    # Columns by C-level iteration (a Python loop over a million statements costs seconds).
    master_column = list(map(itemgetter(1), items))
    scanned.fast_masters = list(compress(master_column, master_column))
    scanned.fast_instances = list(compress(map(itemgetter(2), items), master_column))
    scanned.fast_connections = list(compress(map(itemgetter(3), items), master_column))
    scanned.fast_statement = list(compress(range(len(items)), master_column))
    del master_column
    wire_column = list(map(itemgetter(0), items))
    wire_texts = list(compress(wire_column, wire_column))
    wire_statements = list(compress(range(len(items)), wire_column))
    del wire_column
    other_column = list(map(itemgetter(4), items))
    for index in compress(range(len(items)), other_column):
        other, end = items[index][4], items[index][5]
        pending.append((index, "other" if end else "unterminated", other))
    del items, other_column
    masters = scanned.fast_masters
    if wire_texts:
        _bulk_wires(scanned, wire_texts, wire_statements, pending)
    scanned.used_masters.update(dict.fromkeys(masters))
    if masters:
        scanned.is_stub = False
    _locate(scanned, pending)
    for statement in scanned.slow:
        word = statement.first_word
        if word in DIRECTIONS or word in NET_KINDS:
            _declaration(scanned, statement)
        elif word in SKIPPED_KINDS:
            log.warn(
                "VLOG-0003",
                f"{source.path}: {module.name}: skipped a {word} (not used by netlists)",
            )
        elif word in ("assign", "defparam") or word not in KEYWORDS:
            scanned.is_stub = False
            if word != "assign":
                scanned.used_masters.add(word.removeprefix("\\"))
        else:
            scanned.is_stub = False
    return scanned


def _bulk_wires(
    scanned: ScannedModule,
    wire_texts: list[str],
    wire_statements: list[int],
    pending: list[tuple[int, str, str]],
) -> None:
    joined = ",".join(wire_texts)
    if (
        "\\" not in joined
        and _WIRE_LIST.fullmatch(joined) is not None
        and not KEYWORDS.intersection(names := _NAME.findall(joined))
    ):
        counts = np.fromiter(
            (wires.count(",") + 1 for wires in wire_texts), dtype=np.int64, count=len(wire_texts)
        )
    else:
        # Escaped names, or a statement that is not a plain name list (``wire signed x``).
        names = []
        count_list: list[int] = []
        statements: list[int] = []
        for wires, statement in zip(wire_texts, wire_statements, strict=True):
            if wires[0] == "\\":
                parts = [wires.strip()[1:]]
            elif _WIRE_LIST.fullmatch(wires) is None or KEYWORDS.intersection(
                parts := _NAME.findall(wires)
            ):
                pending.append((statement, "wire", wires))
                continue
            names.extend(parts)
            count_list.append(len(parts))
            statements.append(statement)
        pending.sort()
        wire_statements = statements
        counts = np.asarray(count_list, dtype=np.int64)
    scanned.wire_names = names
    scanned.wire_statement = np.repeat(np.asarray(wire_statements, dtype=np.int64), counts)


def _locate(scanned: ScannedModule, pending: list[tuple[int, str, str]]) -> None:
    """Find the offsets of slow statements (searching forward in body order)."""
    source = scanned.text.source
    text = source.text
    cursor = scanned.text.header_end
    for statement, kind, payload in pending:
        found = text.find(payload, cursor, scanned.text.body_end)
        if found < 0:  # cannot happen: the payload is a slice of the body
            found = cursor
        end = found + len(payload)
        start = max(text.rfind("wire", cursor, found), cursor) if kind == "wire" else found
        if kind == "unterminated":
            raise source.error(
                "statement is not terminated by ';' before endmodule", start, "add the ';'"
            )
        word = _FIRST_WORD.match(text, start).group(1)  # type: ignore[union-attr]
        scanned.slow.append(SlowStatement(statement, start, end, word))
        cursor = end


def _declaration(scanned: ScannedModule, statement: SlowStatement) -> None:
    """``input [7:0] a, b`` / ``wire [3:0] x = y, z``: records declarations (and initializers)."""
    tokens = Tokens(scanned.text.source, statement.start, statement.end)
    kind = tokens.next()[1]
    if kind in DIRECTIONS and tokens.peek()[0] == "id" and tokens.peek()[1] in NET_KINDS:
        tokens.next()
    tokens.accept("vectored") or tokens.accept("scalared")
    tokens.accept("signed")
    if tokens.at("#"):
        raise tokens.error("net delays are not supported in a netlist")
    declared_range = parse_range(tokens)
    msb, lsb = declared_range if declared_range else (None, None)
    while True:
        name, offset = tokens.name("a declared name")
        if tokens.at("["):
            raise tokens.error("arrays (memories) are not supported in a netlist")
        declaration = Declaration(kind, name, msb, lsb, offset, statement.statement)
        scanned.declarations.append(declaration)
        if kind in ("supply0", "supply1"):
            scanned.supplies.append((declaration, int(kind[-1])))
        if tokens.accept("="):
            if kind in DIRECTIONS:
                raise tokens.error("a port declaration cannot have an initializer")
            scanned.initializers.append(NetInitializer(declaration, tokens, tokens.position))
            scanned.is_stub = False
            _skip_expression(tokens)
        if tokens.done():
            return
        tokens.expect(",", "separate declared names with commas")


def _skip_expression(tokens: Tokens) -> None:
    depth = 0
    while not tokens.done():
        kind, value, _ = tokens.peek()
        if kind == "punct" and value in "({[":
            depth += 1
        elif kind == "punct" and value in ")}]":
            depth -= 1
        elif kind == "punct" and value == "," and depth == 0:
            return
        tokens.next()
