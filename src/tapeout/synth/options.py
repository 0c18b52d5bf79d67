"""Synthesis options (what to read, which platform, timing target) and their validation."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tapeout.errors import ConfigError, InputFileError
from tapeout.formats.sdc import read_sdc
from tapeout.log import Log
from tapeout.synth.script import parameter_value

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
    parameters: top-level parameter overrides ``(NAME, VALUE)``: a string in double quotes or
        as a bare word (``"NONE"``, ``NONE``), else a number (``16``, ``8'hff``).
    sdc: constraints file; its shortest clock period sets ABC's delay target.
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
            is_string, text = parameter_value(value)
            if (
                not value.strip()
                or any(ch.isspace() or ch in ";#\\" for ch in text)
                or (is_string and '"' in text)
            ):
                raise ConfigError(
                    f"parameter {name} has a value the frontends cannot pass: {value!r}",
                    hint='a number (16, 8\'hff) or a string without spaces (NONE, "NONE")',
                )
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

    def resolved_clock_period_ps(self, *, log: Log | None = None) -> float | None:
        """ABC's delay target: ``clock_period_ps``, else the SDC's shortest clock, else None."""
        if self.clock_period_ps is not None:
            return self.clock_period_ps
        if self.sdc is not None:
            return read_sdc_clock_period_ps(Path(self.sdc), log=log)
        return None


def _require_file(path: Path, what: str) -> None:
    if not path.exists():
        raise InputFileError(f"{what} not found", file=path, hint="check the path")
    if not path.is_file():
        raise InputFileError(f"{what} is not a regular file", file=path)


def read_sdc_clock_period_ps(path: Path, *, log: Log | None = None) -> float | None:
    """ABC's delay target from an SDC file: the shortest clock period with a source (ps).

    Virtual clocks (no source port or pin) count only when there is no other; None without any
    ``create_clock``. Raises ParseError (file, line) for a malformed SDC file.
    """
    constraints = read_sdc(path, log=log if log is not None else Log())
    clocks = list(constraints.clocks.values())
    real = [clock for clock in clocks if clock.sources] or clocks
    periods = [clock.period_ps for clock in real if clock.period_ps > 0]
    return min(periods) if periods else None
