"""Liberty files for Yosys and ABC: plain-text copies and a few facts, cached by content hash."""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from tapeout.db.liberty import LibertyCell
from tapeout.errors import InputFileError
from tapeout.fileio import atomic_write
from tapeout.formats.liberty import read_liberty
from tapeout.log import Log

CACHE_ENV = "TAPEOUT_CACHE"


def cache_directory() -> Path:
    """``$TAPEOUT_CACHE`` or ``~/.cache/tapeout``."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured)
    return Path.home() / ".cache" / "tapeout"


def plain_liberty(path: Path) -> Path:
    """A path Yosys and ABC can read: ``path`` itself, or its decompressed copy in the cache.

    Yosys's ``read_liberty`` and ABC's ``read_lib`` do not read gzip; the copy is keyed by the
    SHA-256 of the compressed bytes, so a changed file gets a fresh copy and a rerun reuses it.
    """
    path = Path(path)
    if path.suffix != ".gz":
        if not path.is_file():
            raise InputFileError("Liberty file not found", file=path)
        return path
    try:
        compressed = path.read_bytes()
    except OSError as error:
        raise InputFileError(f"cannot read Liberty file: {error}", file=path) from None
    digest = hashlib.sha256(compressed).hexdigest()[:16]
    target = cache_directory() / "liberty" / digest / path.name.removesuffix(".gz")
    if target.is_file():
        return target
    try:
        text = gzip.decompress(compressed)
    except (OSError, EOFError) as error:
        raise InputFileError(f"cannot decompress Liberty file: {error}", file=path) from None
    with atomic_write(target, "wb") as handle:
        handle.write(text)
    return target


@dataclass(frozen=True)
class ClockGateCell:
    """A library integrated clock gate (``clock_gating_integrated_cell : latch_posedge``)."""

    name: str
    area_um2: float
    clock_pin: str
    enable_pin: str
    output_pin: str


@dataclass(frozen=True)
class TristateCell:
    """A library tri-state buffer: ``output_pin`` follows ``data_pin`` while enabled, else is
    high-impedance (Liberty ``three_state`` on ``enable_pin``, active low when ``enable_low``:
    sky130's ebufn has ``three_state : "(TE_B)"``, so TE_B = 0 drives)."""

    name: str
    area_um2: float
    data_pin: str
    enable_pin: str
    enable_low: bool
    output_pin: str


@dataclass(frozen=True)
class LibraryFacts:
    """What synthesis needs from a Liberty file beyond Yosys: sequential cells, clock gates,
    tri-state buffers."""

    sequential_cells: frozenset[str]
    clock_gates: tuple[ClockGateCell, ...]
    tristate_buffers: tuple[TristateCell, ...] = ()
    # cell -> its outputs' largest max_capacitance (library units; the library's
    # default_max_capacitance for outputs without one; cells with neither left out)
    max_capacitance: dict[str, float] = field(default_factory=dict)


def _unquote(text: str) -> str:
    return text.strip().strip('"').strip()


_BARE = re.compile(r"[()\s]")


def tristate_buffer(cell: LibertyCell) -> TristateCell | None:
    """``cell`` as a non-inverting tri-state buffer: two inputs, one output whose function is
    one input and whose ``three_state`` (the high-impedance condition) is the other or its
    complement. None for any other cell."""
    pins = cell.all_pins()
    inputs = [name for name, pin in pins.items() if pin.direction == "input"]
    outputs = [name for name, pin in pins.items() if pin.direction == "output"]
    if len(inputs) != 2 or len(outputs) != 1:
        return None
    output = pins[outputs[0]]
    data = _BARE.sub("", output.function)
    condition = _BARE.sub("", output.three_state)
    if data not in inputs or not condition:
        return None
    enable_low = True
    if condition.startswith("!"):
        condition, enable_low = condition[1:], False
    elif condition.endswith("'"):
        condition, enable_low = condition[:-1], False
    if condition not in inputs or condition == data:
        return None
    return TristateCell(
        name=cell.name,
        area_um2=float(cell.area),
        data_pin=data,
        enable_pin=condition,
        enable_low=enable_low,
        output_pin=outputs[0],
    )


def library_facts(path: Path) -> LibraryFacts:
    """Sequential cells, latch_posedge clock gates and tri-state buffers of a Liberty file
    (cached as JSON).

    Read once with ``tapeout.formats.liberty`` and kept beside the plain copy, keyed by the
    file's content hash.
    """
    path = Path(path)
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    except OSError as error:
        raise InputFileError(f"cannot read Liberty file: {error}", file=path) from None
    cached = cache_directory() / "liberty" / digest / (path.name + ".facts.json")
    if cached.is_file():
        try:
            data = json.loads(cached.read_text(encoding="utf-8"))
            return LibraryFacts(
                sequential_cells=frozenset(data["sequential_cells"]),
                clock_gates=tuple(ClockGateCell(**gate) for gate in data["clock_gates"]),
                tristate_buffers=tuple(TristateCell(**cell) for cell in data["tristate_buffers"]),
                max_capacitance=dict(data["max_capacitance"]),
            )
        except (ValueError, KeyError, TypeError):
            pass  # a stale or damaged cache entry: read the library again
    # Its warnings are about the library, not the user's design: keep them off the console.
    logger = logging.getLogger("tapeout")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        library = read_liberty(path, log=Log())
    finally:
        logger.setLevel(level)
    sequential = sorted(cell.name for cell in library.cells.values() if cell.is_sequential)
    gates = []
    for cell in library.cells.values():
        if _unquote(cell.attributes.get("clock_gating_integrated_cell", "")) != "latch_posedge":
            continue
        roles: dict[str, str] = {}
        for pin_name, pin in cell.all_pins().items():
            for role in ("clock", "enable", "out"):
                if _unquote(pin.attributes.get(f"clock_gate_{role}_pin", "")) == "true":
                    roles[role] = pin_name
        if len(roles) == 3:
            gates.append(
                ClockGateCell(
                    name=cell.name,
                    area_um2=float(cell.area),
                    clock_pin=roles["clock"],
                    enable_pin=roles["enable"],
                    output_pin=roles["out"],
                )
            )
    tristates = [
        found for cell in library.cells.values() if (found := tristate_buffer(cell)) is not None
    ]
    max_capacitance = {}
    default = library.default_max_capacitance
    for cell in library.cells.values():
        limits = [
            pin.max_capacitance if pin.max_capacitance is not None else default
            for pin in cell.all_pins().values()
            if pin.direction == "output"
        ]
        limits = [limit for limit in limits if limit is not None]
        if limits:
            max_capacitance[cell.name] = float(max(limits))
    facts = LibraryFacts(
        sequential_cells=frozenset(sequential),
        clock_gates=tuple(gates),
        tristate_buffers=tuple(tristates),
        max_capacitance=max_capacitance,
    )
    payload = {
        "sequential_cells": sequential,
        "clock_gates": [gate.__dict__ for gate in gates],
        "tristate_buffers": [cell.__dict__ for cell in tristates],
        "max_capacitance": max_capacitance,
    }
    with atomic_write(cached) as handle:
        handle.write(json.dumps(payload, indent=1))
    return facts
