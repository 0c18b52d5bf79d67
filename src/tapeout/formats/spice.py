"""SPICE and CDL netlists: finding one ``.subckt`` block and its ports.

Continuation lines (``+ ...``) are joined first; keywords are case-insensitive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tapeout.errors import ParseError
from tapeout.fileio import read_text


@dataclass(frozen=True)
class Subckt:
    """One ``.subckt`` block: its name, ordered ports and lines from header to ``.ends``."""

    name: str
    ports: tuple[str, ...]
    lines: tuple[str, ...]


def find_subckt(text: str, name: str, *, file: str | Path | None = None) -> Subckt:
    """The ``.subckt name`` block of netlist ``text``; ParseError (naming ``file``) if absent."""
    joined = re.sub(r"\n\+", " ", text)
    match = re.search(
        rf"^\.subckt\s+{re.escape(name)}\b.*?^\.ends\b[^\n]*", joined, re.M | re.S | re.I
    )
    if match is None:
        raise ParseError(f"no .SUBCKT {name} in the netlist", file=file)
    start = match.start()
    line = joined.count("\n", 0, start) + 1
    lines = tuple(match.group(0).splitlines())
    header = lines[0].split()
    if len(header) < 2:
        raise ParseError(f".subckt {name} has no name", file=file, line=line)
    return Subckt(name=header[1], ports=tuple(header[2:]), lines=lines)


def read_subckt(path: str | Path, name: str) -> Subckt:
    """``find_subckt`` on the file at ``path`` (``.gz`` aware)."""
    return find_subckt(read_text(path, what="SPICE netlist"), name, file=path)
