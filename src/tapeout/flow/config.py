"""The design configuration file (TOML): its schema, validation with file:line errors, defaults.

A configuration names the RTL, the top module, the platform and the timing constraint, and holds
one table of options per step::

    [design]
    name = "gcd"                 # run directory name; defaults to top
    top = "gcd"
    sources = ["src/gcd.v"]      # relative to this file
    platform = "sky130hd"
    sdc = "constraint.sdc"       # or: clock_period_ns = 5.0 (+ clock_port = "clk")

    [synth]
    extra_dont_use = ["*_1"]

    [floorplan]
    utilization = 0.4

    [place]
    density = 0.6

Every problem raises a ConfigError naming the key, the file and the line of the key.
To add an option: add a ``Key`` to ``SCHEMA`` and a field to the section's dataclass.
"""

from __future__ import annotations

import difflib
import math
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tapeout.errors import ConfigError
from tapeout.fileio import read_text
from tapeout.platforms import list_platforms
from tapeout.platforms.builtin import is_builtin_root

# A value check returns an error text (what is wrong) or None when the value is fine.
Check = Callable[[Any], str | None]


@dataclass(frozen=True)
class Key:
    """One configuration key: its TOML type, whether it is required, a value check and a doc."""

    name: str
    kind: str  # "str", "number", "integer", "bool", "str_list", "table"
    doc: str
    required: bool = False
    check: Check | None = None


def _positive(value: float) -> str | None:
    return None if value > 0 and math.isfinite(value) else "must be a positive number"


def _non_negative(value: float) -> str | None:
    return None if value >= 0 and math.isfinite(value) else "must be zero or positive"


def _fraction(value: float) -> str | None:
    return None if 0 < value <= 1 else "must be greater than 0 and at most 1"


def _clock_period(value: float) -> str | None:
    # 1 ps .. 1 s: anything outside is a unit mistake (ps or s written as ns).
    if not math.isfinite(value) or value <= 0:
        return "must be a positive number of nanoseconds"
    if not 0.001 <= value <= 1e9:
        return "is outside 0.001 .. 1e9 ns (is the unit right? the key is in nanoseconds)"
    return None


def _identifier(value: str) -> str | None:
    if re.fullmatch(r"[A-Za-z0-9_.\-]+", value) and value not in {".", ".."}:
        return None
    return "may only hold letters, digits, '_', '.' and '-' (it names the run directory)"


def _not_empty(value: str | list[Any]) -> str | None:
    return None if len(value) > 0 else "must not be empty"


SCHEMA: dict[str, dict[str, Key]] = {
    "design": {
        key.name: key
        for key in (
            Key("name", "str", "design name, names runs/<name>; default: top", check=_identifier),
            Key("top", "str", "top module name", required=True, check=_not_empty),
            Key("sources", "str_list", "Verilog/SystemVerilog files", required=True),
            Key("platform", "str", "platform (PDK) name; default sky130hd"),
            Key(
                "pdk_root",
                "str",
                "directory holding <platform>/..., or builtin; default $TAPEOUT_PDK_ROOT",
            ),
            Key("sdc", "str", "timing constraints file (SDC)"),
            Key("clock_period_ns", "number", "clock period when no SDC", check=_clock_period),
            Key("clock_port", "str", "clock input for clock_period_ns; default clk"),
            Key("include_dirs", "str_list", "Verilog include directories"),
            Key("defines", "str_list", 'preprocessor defines, "NAME" or "NAME=VALUE"'),
            Key(
                "parameters",
                "table",
                'top-module parameter overrides, NAME = value (a word or "text" is a string)',
            ),
        )
    },
    "synth": {
        key.name: key
        for key in (
            Key("extra_dont_use", "str_list", "cell name patterns to avoid beyond the platform's"),
            Key("flatten", "bool", "flatten the hierarchy; default true"),
            Key("equivalence_check", "bool", "formally check netlist against RTL; default false"),
        )
    },
    "floorplan": {
        key.name: key
        for key in (
            Key("utilization", "number", "cell area / core area; default 0.5", check=_fraction),
            Key("aspect_ratio", "number", "core height / width; default 1.0", check=_positive),
            Key(
                "core_margin_um",
                "number",
                "die edge to core; default platform's",
                check=_non_negative,
            ),
        )
    },
    "place": {
        key.name: key
        for key in (
            Key("density", "number", "target placement density; default 0.6", check=_fraction),
            Key("timing_driven", "bool", "weight nets by setup slack (SDC); default false"),
        )
    },
}


@dataclass(frozen=True)
class DesignConfig:
    """``[design]``: what to build. Paths are absolute."""

    name: str
    top: str
    sources: tuple[Path, ...]
    platform: str = "sky130hd"
    pdk_root: Path | None = None
    sdc: Path | None = None
    clock_period_ns: float | None = None
    clock_port: str = "clk"
    include_dirs: tuple[Path, ...] = ()
    defines: tuple[str, ...] = ()
    parameters: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class SynthConfig:
    """``[synth]``: options of the synthesis step."""

    extra_dont_use: tuple[str, ...] = ()
    flatten: bool = True
    equivalence_check: bool = False


@dataclass(frozen=True)
class FloorplanConfig:
    """``[floorplan]``: options of the floorplan step."""

    utilization: float = 0.5
    aspect_ratio: float = 1.0
    core_margin_um: float | None = None  # None: the platform's power-grid recipe margin


@dataclass(frozen=True)
class PlaceConfig:
    """``[place]``: options of the placement step (``density``: PlaceOptions.target_density)."""

    density: float = 0.6
    timing_driven: bool = False


@dataclass(frozen=True)
class FlowConfig:
    """A whole validated configuration file."""

    path: Path  # the configuration file, absolute
    design: DesignConfig
    synth: SynthConfig = SynthConfig()
    floorplan: FloorplanConfig = FloorplanConfig()
    place: PlaceConfig = PlaceConfig()

    @property
    def directory(self) -> Path:
        """The directory relative paths in the file are resolved against."""
        return self.path.parent


def load_config(path: str | Path) -> FlowConfig:
    """Read and validate the configuration file ``path``.

    Raises ConfigError (with file and line) for malformed TOML, unknown sections or keys, wrong
    types, impossible values, missing files and unknown platforms; InputFileError when ``path``
    itself cannot be read.
    """
    path = Path(path).absolute()
    text = read_text(path, what="configuration file")
    return parse_config(text, path)


def parse_config(text: str, path: Path) -> FlowConfig:
    """Validate configuration ``text`` read from ``path`` (paths resolve against its directory)."""
    locator = _Locator(text, path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message, line, column = _split_toml_error(str(error), text)
        raise ConfigError(
            f"malformed TOML: {message}", file=path, line=line, column=column
        ) from None
    except ValueError:  # tomllib lets int() refuse integers of more than 4300 digits
        digits = re.search(r"\d{4300,}", text)
        raise ConfigError(
            "malformed TOML: an integer with thousands of digits",
            file=path,
            line=text.count("\n", 0, digits.start()) + 1 if digits else None,
        ) from None
    _check_structure(data, locator)
    design_table = data.get("design")
    if design_table is None:
        raise ConfigError(
            "missing section [design]",
            file=path,
            line=1,
            hint='add [design] with top = "..." and sources = [...]',
        )
    design = _design(design_table, locator)
    synth = data.get("synth", {})
    floorplan = data.get("floorplan", {})
    place = data.get("place", {})
    return FlowConfig(
        path=path,
        design=design,
        synth=SynthConfig(
            extra_dont_use=tuple(synth.get("extra_dont_use", ())),
            flatten=synth.get("flatten", True),
            equivalence_check=synth.get("equivalence_check", False),
        ),
        floorplan=FloorplanConfig(
            utilization=float(floorplan.get("utilization", 0.5)),
            aspect_ratio=float(floorplan.get("aspect_ratio", 1.0)),
            core_margin_um=(
                float(floorplan["core_margin_um"]) if "core_margin_um" in floorplan else None
            ),
        ),
        place=PlaceConfig(
            density=float(place.get("density", 0.6)),
            timing_driven=place.get("timing_driven", False),
        ),
    )


def describe_schema() -> str:
    """The known sections and keys with their docs, for help texts and the README."""
    lines = []
    for section, keys in SCHEMA.items():
        lines.append(f"[{section}]")
        for key in keys.values():
            required = " (required)" if key.required else ""
            lines.append(f"  {key.name}: {key.kind}{required} — {key.doc}")
    return "\n".join(lines)


class _Locator:
    """Finds the line of a section or key in the TOML text (tomllib does not report lines)."""

    def __init__(self, text: str, path: Path) -> None:
        self.path = path
        self.lines = text.splitlines()

    def section_line(self, section: str) -> int | None:
        pattern = re.compile(rf"^\s*\[\s*{re.escape(section)}\s*\]")
        for number, line in enumerate(self.lines, start=1):
            if pattern.match(line):
                return number
        dotted = re.compile(rf"^\s*{re.escape(section)}\s*\.")
        for number, line in enumerate(self.lines, start=1):
            if dotted.match(line):
                return number
        return None

    def first_statement_line(self) -> int:
        """Line of the first statement (not blank, not a comment), else 1."""
        for number, line in enumerate(self.lines, start=1):
            if line.strip() and not line.lstrip().startswith("#"):
                return number
        return 1

    def unknown_header_line(self) -> int:
        """Line of the first ``[header]`` that is not a known section (quoted names with
        escapes do not match ``section_line``), else 1."""
        known = re.compile(rf"^\s*\[\[?\s*({'|'.join(SCHEMA)})\s*[\].]")
        for number, line in enumerate(self.lines, start=1):
            if line.lstrip().startswith("[") and not known.match(line):
                return number
        return 1

    def key_line(self, section: str, key: str) -> int | None:
        """Line of ``key`` inside ``[section]`` (or ``section.key = ...``), else the section's."""
        header = re.compile(r"^\s*\[")
        key_pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*[=.]")
        inside = section == ""  # top-level keys come before the first header
        start = self.section_line(section) if section else None
        for number, line in enumerate(self.lines, start=1):
            if header.match(line):
                inside = number == start
                continue
            if inside and key_pattern.match(line):
                return number
        dotted = re.compile(rf"^\s*{re.escape(section)}\s*\.\s*{re.escape(key)}\s*=")
        for number, line in enumerate(self.lines, start=1):
            if dotted.match(line):
                return number
        return start

    def error(
        self, section: str, key: str | None, message: str, hint: str | None = None
    ) -> ConfigError:
        line = self.key_line(section, key) if key else self.section_line(section)
        where = _printable(f"{section}.{key}" if key else f"[{section}]")
        return ConfigError(f"{where}: {message}", file=self.path, line=line, hint=hint)


def _split_toml_error(message: str, text: str) -> tuple[str, int | None, int | None]:
    match = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
    if match:
        return message[: match.start()], int(match.group(1)), int(match.group(2))
    if message.endswith("(at end of document)"):
        line = max(1, len(text.rstrip("\n").splitlines()))
        return message.replace(" (at end of document)", " at end of file"), line, None
    return message, None, None


def _suggest(word: str, choices: list[str]) -> str | None:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return close[0] if close else None


def _type_name(value: Any) -> str:
    names = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array"}
    if isinstance(value, dict):
        return "table"
    return names.get(type(value), type(value).__name__)


def _check_structure(data: dict[str, Any], locator: _Locator) -> None:
    """Unknown sections and keys, wrong types and impossible values."""
    for section, table in data.items():
        if section not in SCHEMA:
            guess = _suggest(section, list(SCHEMA))
            hint = f"did you mean [{guess}]?" if guess else f"known: {', '.join(SCHEMA)}"
            line = locator.section_line(section) or locator.unknown_header_line()
            if not isinstance(table, dict):
                # A top-level key, not a section.
                line = locator.key_line("", section) or locator.first_statement_line()
                raise ConfigError(
                    f"unknown top-level key {section!r}; keys belong in a section",
                    file=locator.path,
                    line=line,
                    hint=hint,
                )
            raise ConfigError(
                f"unknown section {_printable(f'[{section}]')}",
                file=locator.path,
                line=line,
                hint=hint,
            )
        if not isinstance(table, dict):
            raise ConfigError(
                f"{section} must be a section [{section}], got {_type_name(table)}",
                file=locator.path,
                line=locator.key_line("", section),
            )
        keys = SCHEMA[section]
        for name, value in table.items():
            if name not in keys:
                guess = _suggest(name, list(keys))
                hint = f"did you mean {guess}?" if guess else f"known: {', '.join(keys)}"
                raise locator.error(section, name, "unknown key", hint=hint)
            _check_value(keys[name], section, value, locator)
        for key in keys.values():
            if key.required and key.name not in table:
                raise locator.error(section, None, f"missing required key {key.name!r} ({key.doc})")


def _check_value(key: Key, section: str, value: Any, locator: _Locator) -> None:
    expected = {
        "str": "a string",
        "number": "a number",
        "integer": "an integer",
        "bool": "true or false",
        "str_list": "an array of strings",
        "table": "a table",
    }[key.kind]
    ok = {
        "str": isinstance(value, str),
        "number": isinstance(value, int | float) and not isinstance(value, bool),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "bool": isinstance(value, bool),
        "str_list": isinstance(value, list) and all(isinstance(item, str) for item in value),
        "table": isinstance(value, dict),
    }[key.kind]
    if not ok:
        raise locator.error(
            section, key.name, f"must be {expected}, got {_type_name(value)} {_shown(value)}"
        )
    if key.kind == "number" and isinstance(value, int) and abs(value) > 2**63:
        raise locator.error(section, key.name, f"is out of range, got {_shown(value)}")
    if key.check is not None:
        problem = key.check(value)
        if problem:
            raise locator.error(section, key.name, f"{problem}, got {_shown(value)}")


def _printable(path: str | Path) -> str:
    """A path as written, or quoted with escapes when it holds newlines or control characters."""
    text = str(path)
    return text if text.isprintable() else _shown(text)


def _shown(value: Any) -> str:
    """``repr(value)``, shortened so an error stays one readable line."""
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:60]}... ({len(text)} characters)"


def _design(table: dict[str, Any], locator: _Locator) -> DesignConfig:
    directory = locator.path.parent

    def existing(key: str, relative: str, *, directory_expected: bool = False) -> Path:
        try:
            resolved = (directory / relative).resolve()
            ok = resolved.is_dir() if directory_expected else resolved.is_file()
        except (OSError, ValueError) as error:  # a NUL character, a name too long, a loop
            raise locator.error(
                "design", key, f"not a usable path: {_shown(relative)}: {error}"
            ) from None
        if not ok:
            what = "directory" if directory_expected else "file"
            raise locator.error(
                "design", key, f"{what} not found: {_printable(relative)} ({_printable(resolved)})"
            )
        return resolved

    sources = table["sources"]
    if not sources:
        raise locator.error("design", "sources", "must name at least one Verilog file")
    source_paths = tuple(existing("sources", source) for source in sources)
    platform = table.get("platform", "sky130hd")
    _check_platform_name(platform, locator)
    sdc = existing("sdc", table["sdc"]) if "sdc" in table else None
    clock_period = table.get("clock_period_ns")
    if sdc is not None and clock_period is not None:
        raise locator.error(
            "design",
            "clock_period_ns",
            "give either sdc or clock_period_ns, not both",
            hint="the SDC file's create_clock sets the period",
        )
    parameters = []
    for name, value in table.get("parameters", {}).items():
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise locator.error(
                "design", "parameters", f"parameter {name} must be a number or string"
            )
        parameters.append((name, str(value)))
    for define in table.get("defines", ()):
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_$]*(=.*)?", define):
            raise locator.error("design", "defines", f'{define!r} is not "NAME" or "NAME=VALUE"')
    pdk_root = table.get("pdk_root")
    top = table["top"]
    return DesignConfig(
        name=table.get("name") or (top if _identifier(top) is None else "design"),
        top=top,
        sources=source_paths,
        platform=platform,
        pdk_root=_pdk_root(pdk_root, existing),
        sdc=sdc,
        clock_period_ns=float(clock_period) if clock_period is not None else None,
        clock_port=table.get("clock_port", "clk"),
        include_dirs=tuple(
            existing("include_dirs", item, directory_expected=True)
            for item in table.get("include_dirs", ())
        ),
        defines=tuple(table.get("defines", ())),
        parameters=tuple(parameters),
    )


def _pdk_root(value: str | None, existing: Callable[..., Path]) -> Path | None:
    """``[design] pdk_root``: a folder (relative to the config), or ``builtin`` by name."""
    if not value:
        return None
    if is_builtin_root(value):
        return Path(value)
    return existing("pdk_root", value, directory_expected=True)


def _check_platform_name(name: str, locator: _Locator) -> None:
    known = list_platforms()
    if name not in known:
        guess = _suggest(name, list(known))
        hint = f"did you mean {guess}?" if guess else f"known platforms: {', '.join(known)}"
        raise locator.error("design", "platform", f"unknown platform {name!r}", hint=hint)
