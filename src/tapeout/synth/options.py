"""Synthesis options (what to read, which platform, timing target) and their validation."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tapeout.errors import ConfigError, InputFileError, ParseError
from tapeout.fileio import read_text

# Files read with the slang SystemVerilog frontend when ``frontend="auto"``.
SYSTEMVERILOG_SUFFIXES = (".sv", ".svh")
FRONTENDS = ("auto", "verilog", "slang")

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*\Z")


@dataclass(frozen=True, kw_only=True)
class SynthOptions:
    """What ``synthesize`` reads and how it maps it.

    sources: Verilog/SystemVerilog files, in reading order.
    top: name of the top module.
    platform: platform name for ``tapeout.platforms.get_platform``.
    pdk_root: directory holding ``<platform>/...``; None uses the default search.
    include_dirs: ``` `include``` search directories.
    defines: preprocessor macros ``(NAME, VALUE)``.
    parameters: top-level parameter overrides ``(NAME, VALUE)`` (Verilog constant text).
    sdc: constraints file; the period of its first ``create_clock`` sets ABC's delay target.
    clock_period_ps: delay target in picoseconds; overrides ``sdc``.
    extra_dont_use: cell-name glob patterns avoided besides the platform's own.
    flatten: flatten the hierarchy (instance names keep the path: ``u_core.u_alu._123_``).
    equivalence_check: prove the written netlist equivalent to the RTL (Yosys equiv_*).
    frontend: "auto" (slang when any source ends in .sv/.svh), "verilog" (Yosys's own
        Verilog-2005 + SystemVerilog subset reader) or "slang" (full SystemVerilog).
    """

    sources: tuple[Path, ...]
    top: str
    platform: str = "sky130hd"
    pdk_root: Path | None = None
    include_dirs: tuple[Path, ...] = ()
    defines: tuple[tuple[str, str], ...] = ()
    parameters: tuple[tuple[str, str], ...] = ()
    sdc: Path | None = None
    clock_period_ps: float | None = None
    extra_dont_use: tuple[str, ...] = ()
    flatten: bool = True
    equivalence_check: bool = False
    frontend: str = "auto"

    def validate(self) -> None:
        """Raise ConfigError for impossible values, InputFileError for missing files."""
        if not self.sources:
            raise ConfigError("no source files given", hint="name at least one Verilog file")
        if not self.top or not _IDENTIFIER.match(self.top):
            raise ConfigError(f"top module name {self.top!r} is not a Verilog identifier")
        if self.frontend not in FRONTENDS:
            raise ConfigError(
                f"unknown frontend {self.frontend!r}; choose one of {', '.join(FRONTENDS)}"
            )
        if self.clock_period_ps is not None and not (0.0 < self.clock_period_ps < 1e9):
            raise ConfigError(
                f"clock period {self.clock_period_ps} ps is not a positive number below 1e9"
            )
        for name, _ in self.defines:
            if not _IDENTIFIER.match(name):
                raise ConfigError(f"define name {name!r} is not a Verilog identifier")
        for name, value in self.parameters:
            if not _IDENTIFIER.match(name):
                raise ConfigError(f"parameter name {name!r} is not a Verilog identifier")
            if not value or any(ch in value for ch in ";\n"):
                raise ConfigError(f"parameter {name} has an unusable value {value!r}")
        for pattern in self.extra_dont_use:
            if not pattern or any(ch.isspace() for ch in pattern):
                raise ConfigError(f"don't-use pattern {pattern!r} is empty or has spaces")
        for source in self.sources:
            _require_file(Path(source), "source file")
        if self.sdc is not None:
            _require_file(Path(self.sdc), "SDC file")
        for directory in self.include_dirs:
            if not Path(directory).is_dir():
                raise InputFileError("include directory not found", file=directory)

    def uses_slang(self) -> bool:
        """True when the sources go through the slang SystemVerilog frontend."""
        if self.frontend != "auto":
            return self.frontend == "slang"
        return any(Path(source).suffix in SYSTEMVERILOG_SUFFIXES for source in self.sources)

    def resolved_clock_period_ps(self) -> float | None:
        """ABC's delay target: ``clock_period_ps``, else the SDC's first clock, else None."""
        if self.clock_period_ps is not None:
            return self.clock_period_ps
        if self.sdc is not None:
            return read_sdc_clock_period_ps(Path(self.sdc))
        return None


def _require_file(path: Path, what: str) -> None:
    if not path.exists():
        raise InputFileError(f"{what} not found", file=path, hint="check the path")
    if not path.is_file():
        raise InputFileError(f"{what} is not a regular file", file=path)


_SET_VARIABLE = re.compile(r"^[ \t]*set[ \t]+(\w+)[ \t]+([^\s;#]+)", re.MULTILINE)
_CREATE_CLOCK = re.compile(r"^[ \t]*create_clock\b([^\n]*)", re.MULTILINE)
_PERIOD = re.compile(r"-period\s+(\S+)")
_TIME_UNIT = re.compile(r"^[ \t]*set_units\b[^\n]*-time\s+(\d*\.?\d*)\s*([munpf]?s)", re.MULTILINE)
_UNIT_PS = {"s": 1e12, "ms": 1e9, "us": 1e6, "ns": 1e3, "ps": 1.0, "fs": 1e-3}


def read_sdc_clock_period_ps(path: Path) -> float | None:
    """Period of the first ``create_clock`` in an SDC file, in picoseconds (None without one).

    Understands the forms the reference designs use: a literal ``-period 6.0`` or a Tcl variable
    set earlier (``set clk_period 1.1`` … ``-period $clk_period``). Times are in ns unless
    ``set_units -time`` says otherwise. This is not an SDC reader: only the clock period is read.
    """
    text = read_text(path, what="SDC file")
    variables = {match.group(1): match.group(2) for match in _SET_VARIABLE.finditer(text)}
    unit_ps = 1e3
    unit = _TIME_UNIT.search(text)
    if unit:
        unit_ps = float(unit.group(1) or 1.0) * _UNIT_PS[unit.group(2)]
    for clock in _CREATE_CLOCK.finditer(text):
        period = _PERIOD.search(clock.group(1))
        if not period:
            continue
        value = period.group(1).strip("{}")
        if value.startswith("$"):
            value = variables.get(value[1:].strip("{}"), value)
        line = text.count("\n", 0, clock.start()) + 1
        try:
            period_ps = float(value) * unit_ps
        except ValueError:
            raise ParseError(
                f"cannot read the clock period {value!r}", file=path, line=line
            ) from None
        if period_ps <= 0:
            raise ParseError(f"clock period {value} is not positive", file=path, line=line)
        return period_ps
    return None
