"""IO pin constraint files: ``port_glob side [position_um]`` per line, ``#`` comments.

Example::

    # clock on the left edge, 20 µm from the bottom
    clk          left   20
    req_msg*     top
    resp_*       right

``side`` is ``left``, ``right``, ``top`` or ``bottom`` (also ``west``/``east``/``north``/``south``
or ``W``/``E``/``N``/``S``); ``position_um`` is the distance of the pin centre from the lower
(bottom/left) end of that die edge, in microns. The first line whose glob matches a port wins;
globs know ``*`` and ``?``, and brackets are literal bus-bit brackets (``data[3]``, ``data[*]``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from tapeout.errors import ParseError
from tapeout.fileio import read_text

SIDES = ("bottom", "right", "top", "left")

_SIDE_ALIASES = {
    "bottom": "bottom", "south": "bottom", "s": "bottom",
    "right": "right", "east": "right", "e": "right",
    "top": "top", "north": "top", "n": "top",
    "left": "left", "west": "left", "w": "left",
}  # fmt: skip


@dataclass(frozen=True)
class PinConstraint:
    """Ports matching ``pattern`` (glob of ``*`` and ``?``) go on ``side``, at ``position_um``."""

    pattern: str
    side: str
    position_um: float | None = None


def parse_side(text: str) -> str | None:
    """The canonical side name of ``text`` (case-insensitive), or None if it names no side."""
    return _SIDE_ALIASES.get(text.lower())


def read_pin_constraints(path: str | Path) -> tuple[PinConstraint, ...]:
    """Read a pin constraint file; ParseError naming file and line for a malformed line."""
    text = read_text(path, what="pin constraint file")
    return parse_pin_constraints(text, str(path))


def parse_pin_constraints(text: str, path: str = "<text>") -> tuple[PinConstraint, ...]:
    """Parse pin constraint ``text`` (see the module docstring); ``path`` names it in errors."""
    constraints: list[PinConstraint] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        words = raw.split("#", 1)[0].split()
        if not words:
            continue
        if len(words) not in (2, 3):
            raise ParseError(
                f"expected 'port_glob side [position_um]', got {len(words)} words",
                file=path,
                line=number,
                hint="e.g. 'clk left 20' or 'data_* top'",
            )
        side = parse_side(words[1])
        if side is None:
            raise ParseError(
                f"unknown side {words[1]!r}",
                file=path,
                line=number,
                hint="use left, right, top or bottom",
            )
        position: float | None = None
        if len(words) == 3:
            try:
                position = float(words[2])
            except ValueError:
                position = math.nan
            if not math.isfinite(position) or position < 0:
                raise ParseError(
                    f"bad position {words[2]!r}: expected a non-negative number of microns",
                    file=path,
                    line=number,
                )
        constraints.append(PinConstraint(words[0], side, position))
    return tuple(constraints)
