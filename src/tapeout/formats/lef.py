"""LEF 5.8 reading (technology and cell LEF into db.tech / db.macro) and writing.

``read_lef`` reads one or more files in order into one Technology and one macro dict; a cell LEF
read after a technology LEF uses its units and layers. Statements the flow does not use are
skipped with a ``LEF-0002`` warning naming file:line; malformed input raises ParseError.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tapeout.db.macro import Macro
from tapeout.db.tech import Technology
from tapeout.fileio import read_text
from tapeout.formats.lef_macro import RectBatch, read_macro
from tapeout.formats.lef_tech import read_layer, read_site, read_via, read_via_rule
from tapeout.formats.lef_tokens import LefCursor
from tapeout.formats.lef_write import write_lef
from tapeout.log import Log

__all__ = ["LefResult", "read_lef", "read_lef_text", "write_lef"]

# Blocks skipped whole: keyword -> words that may follow END (None: END <block name>).
_SKIPPED_BLOCKS: dict[str, tuple[str, ...] | None] = {
    "PROPERTYDEFINITIONS": ("PROPERTYDEFINITIONS",),
    "SPACING": ("SPACING",),
    "NOISETABLE": ("NOISETABLE",),
    "CORRECTIONTABLE": ("CORRECTIONTABLE",),
    "IRDROP": ("IRDROP",),
    "NONDEFAULTRULE": None,
    "ARRAY": None,
}


@dataclass(eq=False)
class LefResult:
    """What LEF files held: the technology and the macros (LEF order)."""

    tech: Technology
    macros: dict[str, Macro] = field(default_factory=dict)


def read_lef(
    paths: Path | Sequence[Path], *, log: Log | None = None, tech: Technology | None = None
) -> LefResult:
    """Read LEF files in order (technology LEF first, then cell LEFs).

    ``tech``: a Technology read earlier; new layers, vias and sites are added to it in place and,
    once it holds any, its units convert the lengths (a later UNITS that differs warns LEF-0003).
    Raises InputFileError for unreadable files and ParseError (file, line, column, hint) for
    malformed ones.
    """
    if isinstance(paths, Path | str):
        paths = [Path(paths)]
    log = log if log is not None else Log()
    result = LefResult(tech=tech if tech is not None else Technology())
    units_known = _has_units(tech)
    for path in paths:
        text = read_text(path, what="LEF file")
        units_known = _read_one(text, Path(path), result, log, units_known)
    return result


def read_lef_text(
    text: str, path: Path, *, log: Log | None = None, tech: Technology | None = None
) -> LefResult:
    """Read LEF from ``text`` (``path`` names it in messages); see ``read_lef``."""
    result = LefResult(tech=tech if tech is not None else Technology())
    _read_one(text, path, result, log if log is not None else Log(), _has_units(tech))
    return result


def _has_units(tech: Technology | None) -> bool:
    """Whether ``tech`` already fixed the units (something was read with them)."""
    return tech is not None and bool(tech.layers or tech.sites or tech.vias)


def _read_one(text: str, path: Path, result: LefResult, log: Log, units_known: bool) -> bool:
    """Parse one file into ``result``; returns whether the units are now known."""
    tech = result.tech
    cursor = LefCursor(text, path, log, tech.dbu_per_micron)
    layers_before = len(tech.layers)
    macros_before = len(result.macros)
    batch = RectBatch()
    try:
        units_known = _walk(cursor, result, units_known, batch)
        batch.finish(cursor)
    except IndexError:
        raise cursor.error(
            "unexpected end of file", cursor.count, hint="the file looks truncated"
        ) from None
    cursor.report_skipped()
    log.info(
        "LEF-0001",
        f"{path}: read {len(tech.layers) - layers_before} layers, "
        f"{len(result.macros) - macros_before} macros",
    )
    return units_known


def _walk(cursor: LefCursor, result: LefResult, units_known: bool, batch: RectBatch) -> bool:
    tech = result.tech
    while cursor.i < cursor.count:
        at = cursor.i
        keyword = cursor.keyword()
        if keyword == "MACRO":
            if not units_known:
                _assume_units(cursor, at)
                units_known = True
            macro = read_macro(cursor, tech, batch)
            if macro.name in result.macros:
                cursor.warn_at(
                    "LEF-0005", f"MACRO {macro.name} defined again; the later one wins", at
                )
            result.macros[macro.name] = macro
        elif keyword == "LAYER":
            if not units_known:
                _assume_units(cursor, at)
                units_known = True
            read_layer(cursor, tech)
        elif keyword == "VIA":
            read_via(cursor, tech)
        elif keyword == "VIARULE":
            read_via_rule(cursor, tech)
        elif keyword == "SITE":
            if not units_known:
                _assume_units(cursor, at)
                units_known = True
            read_site(cursor, tech)
        elif keyword == "UNITS":
            units_known = _read_units(cursor, tech, units_known, at)
        elif keyword == "MANUFACTURINGGRID":
            tech.manufacturing_grid = cursor.length()
            cursor.end_statement()
        elif keyword == "VERSION":
            cursor.name()  # the writer always writes 5.8; 5.5-5.8 read alike here
            cursor.end_statement()
        elif keyword in ("BUSBITCHARS", "DIVIDERCHAR"):
            value = cursor.name().strip('"')
            if keyword == "BUSBITCHARS":
                tech.bus_bit_chars = value
            else:
                tech.divider_char = value
            cursor.end_statement()
        elif keyword == "END":
            if cursor.peek().upper() == "LIBRARY":
                cursor.next()
                break
            # The END of a block we skipped statement by statement (an unknown block keyword).
            name = cursor.next() if cursor.peek() not in ("", ";") else ""
            cursor.warn_at("LEF-0008", f"END {name} outside any block; skipped", at)
        elif keyword == "BEGINEXT":
            cursor.skip_until("BEGINEXT", at, "ENDEXT")
        elif keyword in _SKIPPED_BLOCKS:
            words = _SKIPPED_BLOCKS[keyword]
            if words is None:
                words = (cursor.name(),)
            cursor.skip_block(keyword, at, words)
        elif keyword == ";":
            raise cursor.error("stray ';'", at)
        else:
            cursor.skip_statement(keyword, at)
    return units_known


def _assume_units(cursor: LefCursor, at: int) -> None:
    cursor.warn_at(
        "LEF-0006",
        f"no UNITS DATABASE MICRONS before the first length; assuming {cursor.dbu_per_micron}",
        at,
    )


def _read_units(cursor: LefCursor, tech: Technology, units_known: bool, start: int) -> bool:
    while True:
        at = cursor.i
        keyword = cursor.keyword()
        if keyword == "END":
            cursor.expect("UNITS")
            return units_known
        if keyword == "DATABASE":
            cursor.expect("MICRONS")
            value = cursor.integer()
            cursor.end_statement()
            if value <= 0:
                raise cursor.error(f"DATABASE MICRONS must be positive, found {value}", at)
            if not units_known:
                tech.dbu_per_micron = value
                cursor.dbu_per_micron = value
                units_known = True
            elif value != tech.dbu_per_micron:
                cursor.warn_at(
                    "LEF-0003",
                    f"DATABASE MICRONS {value} differs from the technology's "
                    f"{tech.dbu_per_micron}; keeping {tech.dbu_per_micron}",
                    at,
                )
        else:
            cursor.skip_statement(f"UNITS {keyword}", at)
