"""SDC object queries (get_ports, all_inputs, ...) and argument parsing shared by SDC commands."""

from __future__ import annotations

import re
from pathlib import Path

from tapeout.db.constraints import Constraints, ObjectRef
from tapeout.db.netlist import Netlist, PortDirection
from tapeout.errors import ParseError
from tapeout.formats.tcl import TclObject, parse_number, to_list, to_text
from tapeout.log import Log


class SdcQueries:
    """Object queries and option parsing; ``formats/sdc.py`` adds the constraint commands.

    Object handles are ``TclObject(kind, name)``; without a netlist the queries return their
    patterns unexpanded (and ``all_inputs`` itself, as kind ``all_inputs``).
    """

    path: Path
    netlist: Netlist | None
    log: Log
    constraints: Constraints
    line: int
    _pin_names: list[str] | None
    ps_per_unit: float
    ff_per_unit: float

    def error(self, message: str) -> ParseError:
        return ParseError(message, file=self.path, line=self.line)

    def warn(self, msg_id: str, message: str) -> None:
        self.log.warn(msg_id, f"{self.path}:{self.line}: {message}")

    def options(
        self,
        command: str,
        arguments: list,
        flags: set[str],
        valued: set[str],
        positional: tuple[int, int],
        repeated: frozenset[str] = frozenset(),
        sequence: list[tuple[str, object]] | None = None,
    ) -> tuple[dict[str, object], list]:
        """Split ``arguments`` into options and positional values, checking both.

        ``sequence``, when given, receives each ``repeated`` option with its value in the
        order they were written (their relative order matters across options)."""
        found: dict[str, object] = {}
        values: list = []
        index = 0
        while index < len(arguments):
            argument = arguments[index]
            if (
                isinstance(argument, str)
                and len(argument) > 1
                and argument.startswith("-")
                and parse_number(argument) is None
            ):
                if argument in flags:
                    found[argument] = True
                elif argument in valued:
                    if index + 1 >= len(arguments):
                        raise self.error(f"{command}: option {argument} needs a value")
                    index += 1
                    if argument in repeated:
                        found.setdefault(argument, [])
                        found[argument].append(arguments[index])  # type: ignore[attr-defined]
                        if sequence is not None:
                            sequence.append((argument, arguments[index]))
                    else:
                        found[argument] = arguments[index]
                else:
                    raise self.error(
                        f"{command}: unknown option {argument}",
                    )
            else:
                values.append(argument)
            index += 1
        low, high = positional
        if len(values) < low:
            raise self.error(f"{command}: missing required argument")
        if len(values) > high:
            raise self.error(f"{command}: too many arguments ({to_text(values[high])!r} ...)")
        return found, values

    def number(self, command: str, value: object) -> float:
        number = parse_number(to_text(value))
        if number is None:
            raise self.error(f"{command}: bad number {to_text(value)!r}")
        return float(number)

    def time_ps(self, command: str, value: object) -> float:
        return self.number(command, value) * self.ps_per_unit

    def cap_ff(self, command: str, value: object) -> float:
        return self.number(command, value) * self.ff_per_unit

    # -- objects -------------------------------------------------------------------------------

    def flatten(self, value: object) -> list:
        items: list = []
        for item in to_list(value, self.line):
            if isinstance(item, list):
                items.extend(self.flatten(item))
            else:
                items.append(item)
        return items

    def objects(self, value: object, default: str) -> list[ObjectRef]:
        """Object references of a command argument; plain names resolve by ``default``.

        ``default`` is ``port_pin`` (ports, else pins), ``clock``, ``any`` (clocks, ports,
        pins, cells, nets) or ``design`` (the design by its name, else ports and pins).
        """
        refs: list[ObjectRef] = []
        for item in self.flatten(value):
            if isinstance(item, TclObject):
                refs.append((item.kind, item.name))
                continue
            name = str(item)
            if default == "clock" or (default == "any" and name in self.constraints.clocks):
                if name not in self.constraints.clocks:
                    self.warn("SDC-0006", f"clock {name!r} is not defined")
                refs.append(("clock", name))
            elif default == "design" and name == self.constraints.design:
                refs.append(("design", name))
            elif self.netlist is None:
                refs.append(("pin" if "/" in name else "port", name))
            else:
                kinds = ("port", "pin", "cell", "net") if default == "any" else ("port", "pin")
                for kind in kinds:
                    names = self.match(kind, name, regexp=False, nocase=False)
                    if names:
                        refs.extend((kind, found) for found in names)
                        break
                else:
                    self.warn("SDC-0004", f"{name!r} matches no {' or '.join(kinds)}")
        return refs

    def clock_name(self, value: object) -> str:
        refs = self.objects(value, "clock")
        if len(refs) != 1 or refs[0][0] != "clock":
            raise self.error(f"-clock needs one clock, got {to_text(value)!r}")
        return refs[0][1]

    def names_of(self, kind: str) -> list[str]:
        netlist = self.netlist
        assert netlist is not None
        if kind == "port":
            return netlist.port_names.names
        if kind == "cell":
            return netlist.inst_names.names
        if kind == "net":
            return netlist.net_names.names
        if self._pin_names is None:
            self._pin_names = [
                netlist.pin_name(pin) for pin in range(netlist.n_pins) if netlist.pin_inst[pin] >= 0
            ]
        return self._pin_names

    def match(self, kind: str, pattern: str, *, regexp: bool, nocase: bool) -> list[str]:
        """Names of ``kind`` in the netlist (or clocks) that ``pattern`` matches."""
        if kind == "clock":
            names = list(self.constraints.clocks)
        else:
            names = self.names_of(kind)
        if not regexp and not nocase and "*" not in pattern and "?" not in pattern:
            plain = pattern.replace("\\", "")
            if kind == "clock":
                return [plain] if plain in self.constraints.clocks else []
            if kind == "port" and self.netlist is not None:
                if plain in self.netlist.port_names:
                    return [plain]
                # A bus named without its bits means all of them.
                return self.match(kind, plain + "[*]", regexp=False, nocase=False)
            if kind in ("cell", "net") and self.netlist is not None:
                table = self.netlist.inst_names if kind == "cell" else self.netlist.net_names
                return [plain] if plain in table else []
        flags = re.IGNORECASE if nocase else 0
        try:
            regex = re.compile(pattern if regexp else _pattern_regex(pattern), flags)
        except re.error:
            raise self.error(f"bad regular expression {pattern!r}") from None
        return [name for name in names if regex.fullmatch(name)]

    def get_objects(self, command: str, arguments: list) -> object:
        found, values = self.options(
            command,
            arguments,
            {"-quiet", "-regexp", "-nocase", "-hierarchical", "-exact"},
            {"-filter", "-of_objects", "-hsc", "-libraries"},
            (0, 1 << 30),
        )
        kind = {
            "get_ports": "port",
            "get_pins": "pin",
            "get_nets": "net",
            "get_cells": "cell",
            "get_clocks": "clock",
            "get_lib_cells": "lib_cell",
        }[command]
        if "-of_objects" in found:
            self.warn("SDC-0003", f"{command} -of_objects is not supported; returns nothing")
            return []
        if "-filter" in found:
            self.warn("SDC-0003", f"{command} -filter is ignored")
        patterns = [to_text(item) for value in values for item in self.flatten(value)] or ["*"]
        result: list = []
        for pattern in patterns:
            if kind == "lib_cell" or (kind != "clock" and self.netlist is None):
                result.append(TclObject(kind, pattern))
                continue
            names = self.match(kind, pattern, regexp="-regexp" in found, nocase="-nocase" in found)
            if not names and "-quiet" not in found:
                self.warn("SDC-0004", f"{command} {pattern!r} matches nothing")
            result.extend(TclObject(kind, name) for name in names)
        return result

    def all_ports(self, command: str, arguments: list) -> object:
        flags = {"-no_clocks"} if command == "all_inputs" else set()
        found, _ = self.options(command, arguments, flags, {"-level_sensitive"}, (0, 0))
        if self.netlist is None:
            return [TclObject(command, " ".join(sorted(found)))]
        wanted = PortDirection.INPUT if command == "all_inputs" else PortDirection.OUTPUT
        clocks = self.constraints.clock_source_ports() if "-no_clocks" in found else set()
        directions = self.netlist.port_direction.tolist()
        return [
            TclObject("port", name)
            for name, direction in zip(self.netlist.port_names, directions, strict=True)
            if direction in (wanted, PortDirection.INOUT) and name not in clocks
        ]

    def all_clocks(self, command: str, arguments: list) -> object:
        self.options(command, arguments, set(), set(), (0, 0))
        return [TclObject("clock", name) for name in self.constraints.clocks]

    def all_registers(self, command: str, arguments: list) -> object:
        flags = {"-clock_pins", "-data_pins", "-output_pins", "-async_pins", "-cells"}
        flags |= {"-edge_triggered", "-level_sensitive", "-rise_clock", "-fall_clock"}
        found, _ = self.options(command, arguments, flags, {"-clock"}, (0, 0))
        if "-clock" in found:
            self.warn("SDC-0003", "all_registers -clock is not kept")
        return [TclObject("all_registers", " ".join(sorted(found)))]

    # -- collections (PrimeTime/Design Compiler): object lists here -----------------------------

    def remove_from_collection(self, command: str, arguments: list) -> object:
        """``remove_from_collection [-intersect] base remove``: base without (with -intersect:
        only) the objects of remove. A plain name in remove matches an object of that name."""
        found, values = self.options(command, arguments, {"-intersect"}, set(), (2, 2))
        removed = self.flatten(values[1])
        objects = {item for item in removed if isinstance(item, TclObject)}
        names = {to_text(item) for item in removed if not isinstance(item, TclObject)}
        keep = "-intersect" in found
        return [
            item
            for item in self.flatten(values[0])
            if ((item in objects) or (to_text(item) in names)) == keep
        ]

    def add_to_collection(self, command: str, arguments: list) -> object:
        """``add_to_collection [-unique] base add``: both, in order (-unique: once each)."""
        found, values = self.options(command, arguments, {"-unique"}, set(), (2, 2))
        items = self.flatten(values[0]) + self.flatten(values[1])
        if "-unique" in found:
            items = list(dict.fromkeys(items))
        return items

    def sizeof_collection(self, command: str, arguments: list) -> object:
        _, values = self.options(command, arguments, set(), set(), (1, 1))
        return str(len(self.flatten(values[0])))

    def get_object_name(self, command: str, arguments: list) -> object:
        _, values = self.options(command, arguments, set(), set(), (1, 1))
        names = [to_text(item) for item in self.flatten(values[0])]
        return names[0] if len(names) == 1 else names

    def current_design(self, command: str, arguments: list) -> object:
        _, values = self.options(command, arguments, set(), set(), (0, 1))
        if values:
            self.constraints.design = to_text(values[0])
        return [TclObject("design", self.constraints.design)]


def _pattern_regex(pattern: str) -> str:
    """SDC (OpenSTA) glob as a regex: ``*`` and ``?`` are wildcards, brackets are literal."""
    out: list[str] = []
    position = 0
    while position < len(pattern):
        char = pattern[position]
        if char == "\\" and position + 1 < len(pattern):
            position += 1
            out.append(re.escape(pattern[position]))
        elif char == "*":
            out.append(".*")
        elif char == "?":
            out.append(".")
        else:
            out.append(re.escape(char))
        position += 1
    return "".join(out)
