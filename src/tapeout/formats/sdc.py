"""SDC (Synopsys Design Constraints) reader into ``Constraints``; the writer is in sdc_write.py.

SDC is Tcl: the file runs in a small Tcl-subset interpreter (``formats/tcl.py``) whose extra
commands are the SDC commands and object queries below.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from tapeout.db.constraints import (
    Clock,
    ClockGatingCheck,
    ClockGroups,
    ClockTransitionLimit,
    Constraints,
    DisableTiming,
    DrivingCell,
    ObjectRef,
    PathException,
    PortDelay,
    TimingDerate,
    generated_waveform,
)
from tapeout.db.netlist import Netlist
from tapeout.errors import ParseError
from tapeout.fileio import read_text
from tapeout.formats.sdc_objects import SdcQueries
from tapeout.formats.sdc_write import write_sdc
from tapeout.formats.tcl import Interpreter, TclError, TclObject, parse_number, to_list, to_text
from tapeout.log import Log

__all__ = ["read_sdc", "write_sdc"]

_TIME_UNITS_S = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9, "ps": 1e-12, "fs": 1e-15}
_CAP_UNITS_F = {"f": 1.0, "mf": 1e-3, "uf": 1e-6, "nf": 1e-9, "pf": 1e-12, "ff": 1e-15}
# Commands OpenSTA knows that change nothing we model: accepted with a warning.
_IGNORED = (
    "set_wire_load_model",
    "set_wire_load_mode",
    "set_operating_conditions",
    "set_max_area",
    "group_path",
    "set_ideal_network",
    "set_ideal_net",
    "set_ideal_latency",
    "set_ideal_transition",
    "set_max_dynamic_power",
    "set_max_leakage_power",
    "set_load_unit",
    "set_fanout_load",
    "set_sense",
    "set_data_check",
    "set_min_pulse_width",
    "set_resistance",
    "set_port_fanout_number",
    "set_logic_dc",
    "set_voltage",
    "set_level_shifter_strategy",
    "set_level_shifter_threshold",
    "create_voltage_area",
    "set_hierarchy_separator",
    "set_clock_sense",
    "set_min_capacitance",
    "set_min_fanout",
)
_DELAY_FLAGS = {"-rise", "-fall", "-max", "-min", "-add_delay", "-clock_fall", "-level_sensitive"}
_DELAY_FLAGS |= {"-network_latency_included", "-source_latency_included"}
_PATH_OPTIONS = {"-from", "-to", "-through", "-rise_from", "-fall_from", "-rise_to", "-fall_to"}
_PATH_OPTIONS |= {"-rise_through", "-fall_through"}
_THROUGH_EDGE = {"-through": None, "-rise_through": 0, "-fall_through": 1}


def _exact_scale(unit_s: float, target_s: float) -> float:
    """``unit_s / target_s`` without binary rounding noise (1e-9 / 1e-12 is exactly 1000)."""
    return float(Decimal(repr(unit_s)) / Decimal(repr(target_s)))


class _SdcReader(SdcQueries):
    """The SDC commands: they fill ``self.constraints`` while the interpreter runs the file."""

    def __init__(
        self,
        path: Path,
        netlist: Netlist | None,
        time_unit_s: float,
        cap_unit_f: float,
        log: Log,
    ) -> None:
        self.path = path
        self.netlist = netlist
        self.log = log
        self.constraints = Constraints(time_unit_s=time_unit_s, cap_unit_f=cap_unit_f)
        if netlist is not None:
            self.constraints.design = netlist.top
        self.ps_per_unit = _exact_scale(time_unit_s, 1e-12)
        self.ff_per_unit = _exact_scale(cap_unit_f, 1e-15)
        self._pin_names: list[str] | None = None
        self.line = 0
        commands = {
            "create_clock": self.create_clock,
            "create_generated_clock": self.create_generated_clock,
            "set_input_delay": self.set_port_delay,
            "set_output_delay": self.set_port_delay,
            "set_load": self.set_load,
            "set_driving_cell": self.set_driving_cell,
            "set_input_transition": self.set_input_transition,
            "set_false_path": self.set_path_exception,
            "set_multicycle_path": self.set_path_exception,
            "set_max_delay": self.set_path_exception,
            "set_min_delay": self.set_path_exception,
            "set_max_fanout": self.set_design_rule,
            "set_max_transition": self.set_design_rule,
            "set_max_capacitance": self.set_design_rule,
            "set_clock_uncertainty": self.set_clock_uncertainty,
            "set_clock_transition": self.set_clock_transition,
            "set_clock_latency": self.set_clock_latency,
            "set_propagated_clock": self.set_propagated_clock,
            "set_units": self.set_units,
            "set_timing_derate": self.set_timing_derate,
            "set_clock_groups": self.set_clock_groups,
            "set_case_analysis": self.set_case_analysis,
            "set_disable_timing": self.set_disable_timing,
            "set_clock_gating_check": self.set_clock_gating_check,
            "set_max_time_borrow": self.set_max_time_borrow,
            "set_logic_zero": self.set_logic_value,
            "set_logic_one": self.set_logic_value,
            "set_dont_touch": self.set_dont_touch,
            "current_design": self.current_design,
            "get_ports": self.get_objects,
            "get_pins": self.get_objects,
            "get_nets": self.get_objects,
            "get_cells": self.get_objects,
            "get_clocks": self.get_objects,
            "get_lib_cells": self.get_objects,
            "all_inputs": self.all_ports,
            "all_outputs": self.all_ports,
            "all_clocks": self.all_clocks,
            "all_registers": self.all_registers,
            "remove_from_collection": self.remove_from_collection,
            "add_to_collection": self.add_to_collection,
            "sizeof_collection": self.sizeof_collection,
            "get_object_name": self.get_object_name,
        }
        self.interpreter = Interpreter(
            path,
            log,
            {name: self._wrap(name, method) for name, method in commands.items()},
            self.unknown,
        )
        for name in _IGNORED:
            self.interpreter.commands[name] = self._wrap(name, self.ignored)
        # Collections are lists here, so a loop over one is foreach with one variable.
        self.interpreter.commands["foreach_in_collection"] = self.interpreter.commands["foreach"]

    # -- plumbing ------------------------------------------------------------------------------

    def _wrap(self, name: str, method):  # type: ignore[no-untyped-def]
        def command(interpreter: Interpreter, arguments: list, line: int) -> object:
            self.line = line
            return method(name, arguments)

        return command

    def unknown(self, name: str, arguments: list, line: int) -> object:
        hint = ""
        if name.isdigit() or name == "*":
            hint = " (a bus name like a[0] must be braced: {a[0]}, or [ ] run a command)"
        shown = name if len(name) <= 60 else f"{name[:40]}... ({len(name)} characters)"
        self.log.warn("SDC-0001", f"{self.path}:{line}: unknown command {shown!r} skipped{hint}")
        return ""

    def ignored(self, name: str, arguments: list) -> object:
        self.warn("SDC-0002", f"{name} is not supported yet; ignored")
        return ""

    # -- clocks --------------------------------------------------------------------------------

    def create_clock(self, command: str, arguments: list) -> object:
        found, values = self.options(
            command, arguments, {"-add"}, {"-name", "-period", "-waveform", "-comment"}, (0, 1)
        )
        if "-period" not in found:
            raise self.error("create_clock: missing required option -period")
        period = self.time_ps(command, found["-period"])
        if period <= 0:
            raise self.error("create_clock: -period must be positive")
        sources = self.objects(values[0], "port_pin") if values else []
        name = to_text(found["-name"]) if "-name" in found else ""
        if not name:
            if not sources:
                raise self.error("create_clock: needs -name or a source port/pin")
            name = sources[0][1]
        if "-waveform" in found:
            waveform = [self.time_ps(command, edge) for edge in to_list(found["-waveform"])]
            if len(waveform) < 2 or len(waveform) % 2:
                raise self.error("create_clock: -waveform needs an even number of edges")
        else:
            waveform = [0.0, period / 2]
        self.constraints.clocks.pop(name, None)
        self.constraints.clocks[name] = Clock(
            name=name, period_ps=period, waveform_ps=waveform, sources=sources, add="-add" in found
        )
        return [TclObject("clock", name)]

    def create_generated_clock(self, command: str, arguments: list) -> object:
        found, values = self.options(
            command,
            arguments,
            {"-add", "-invert", "-combinational", "-pll_feedback", "-preinvert"},
            {"-name", "-source", "-master_clock", "-divide_by", "-multiply_by", "-comment"}
            | {"-edges", "-edge_shift", "-duty_cycle", "-pll_output"},
            (1, 1),
        )
        if "-source" not in found:
            raise self.error("create_generated_clock: missing required option -source")
        if "-duty_cycle" in found:
            self.warn("SDC-0003", "create_generated_clock -duty_cycle is ignored")
        edges = [int(self.number(command, e)) for e in to_list(found.get("-edges", ""))]
        shifts = [self.time_ps(command, s) for s in to_list(found.get("-edge_shift", ""))]
        if edges and (len(edges) != 3 or edges != sorted(edges) or edges[0] < 1):
            raise self.error("create_generated_clock: -edges needs 3 increasing edges >= 1")
        if shifts and len(shifts) != len(edges):
            raise self.error("create_generated_clock: -edge_shift needs one shift per edge")
        sources = self.objects(values[0], "port_pin")
        master_source = self.objects(found["-source"], "port_pin")
        name = to_text(found["-name"]) if "-name" in found else (sources[0][1] if sources else "")
        if not name:
            raise self.error("create_generated_clock: needs -name or a source")
        master_name = self.clock_name(found["-master_clock"]) if "-master_clock" in found else ""
        divide = int(self.number(command, found.get("-divide_by", "1")))
        multiply = int(self.number(command, found.get("-multiply_by", "1")))
        if divide < 1 or multiply < 1:
            raise self.error("create_generated_clock: -divide_by/-multiply_by must be >= 1")
        master = self.constraints.clocks.get(master_name)
        if master is None:
            master = next(
                (
                    c
                    for c in self.constraints.clocks.values()
                    if set(c.sources) & set(master_source)
                ),
                None,
            )
        if master is None:
            self.warn(
                "SDC-0006",
                f"generated clock {name!r}: no master clock named or defined on its -source "
                "(timing looks for a clock whose network reaches it)",
            )
            period, waveform = 0.0, [0.0, 0.0]
        else:
            period, waveform = generated_waveform(
                master.period_ps,
                master.waveform_ps,
                divide,
                multiply,
                edges,
                shifts,
                invert="-invert" in found,
            )
        self.constraints.clocks.pop(name, None)
        self.constraints.clocks[name] = Clock(
            name=name,
            period_ps=period,
            waveform_ps=waveform,
            sources=sources,
            generated=True,
            master_clock=master_name,
            master_source=master_source,
            divide_by=divide,
            multiply_by=multiply,
            invert="-invert" in found,
            edges=edges,
            edge_shift_ps=shifts,
            add="-add" in found,
        )
        return [TclObject("clock", name)]

    def clocks_of(self, command: str, value: object) -> list[Clock]:
        clocks: list[Clock] = []
        for kind, name in self.objects(value, "clock"):
            if kind == "clock" and name in self.constraints.clocks:
                clocks.append(self.constraints.clocks[name])
            elif kind != "clock":
                self.warn("SDC-0003", f"{command} on {kind} {name!r} is not supported; ignored")
        return clocks

    def set_clock_uncertainty(self, command: str, arguments: list) -> object:
        inter = {"-from", "-to", "-rise_from", "-fall_from", "-rise_to", "-fall_to"}
        found, values = self.options(
            command, arguments, {"-setup", "-hold", "-rise", "-fall"}, inter, (1, 2)
        )
        both = "-setup" not in found and "-hold" not in found
        if inter & found.keys():
            sources = [found[key] for key in ("-from", "-rise_from", "-fall_from") if key in found]
            targets = [found[key] for key in ("-to", "-rise_to", "-fall_to") if key in found]
            if len(sources) != 1 or len(targets) != 1 or len(values) != 1:
                raise self.error(f"{command}: give one -from, one -to and a value")
            if {"-rise_from", "-fall_from", "-rise_to", "-fall_to"} & found.keys():
                self.warn("SDC-0003", f"{command} -rise_*/-fall_*: applied to both edges")
            value = self.time_ps(command, values[0])
            for source in self.clocks_of(command, sources[0]):
                for target in self.clocks_of(command, targets[0]):
                    pair = self.constraints.inter_clock_uncertainty.setdefault(
                        (source.name, target.name), [None, None]
                    )
                    if both or "-setup" in found:
                        pair[0] = value
                    if both or "-hold" in found:
                        pair[1] = value
            return ""
        if len(values) < 2:
            raise self.error(f"{command}: missing required argument (clocks)")
        value = self.time_ps(command, values[0])
        for clock in self.clocks_of(command, values[1]):
            if both or "-setup" in found:
                clock.uncertainty_setup_ps = value
            if both or "-hold" in found:
                clock.uncertainty_hold_ps = value
        return ""

    def set_clock_transition(self, command: str, arguments: list) -> object:
        _, values = self.options(
            command, arguments, {"-rise", "-fall", "-min", "-max"}, set(), (2, 2)
        )
        value = self.time_ps(command, values[0])
        for clock in self.clocks_of(command, values[1]):
            clock.transition_ps = value
        return ""

    def set_clock_latency(self, command: str, arguments: list) -> object:
        flags = {"-source", "-early", "-late", "-rise", "-fall", "-min", "-max", "-dynamic"}
        found, values = self.options(command, arguments, flags, {"-clock"}, (2, 2))
        value = self.time_ps(command, values[0])
        both = "-min" not in found and "-max" not in found
        prefix = "source_latency" if "-source" in found else "latency"
        for clock in self.clocks_of(command, values[1]):
            if both or "-min" in found:
                setattr(clock, f"{prefix}_min_ps", value)
            if both or "-max" in found:
                setattr(clock, f"{prefix}_max_ps", value)
        return ""

    def set_propagated_clock(self, command: str, arguments: list) -> object:
        _, values = self.options(command, arguments, set(), set(), (1, 1))
        for clock in self.clocks_of(command, values[0]):
            clock.propagated = True
        return ""

    def set_clock_groups(self, command: str, arguments: list) -> object:
        relations = {"-asynchronous", "-logically_exclusive", "-physically_exclusive"}
        found, _ = self.options(
            command,
            arguments,
            relations | {"-allow_paths"},
            {"-name", "-group", "-comment"},
            (0, 0),
            frozenset({"-group"}),
        )
        chosen = [relation for relation in relations if relation in found]
        if len(chosen) != 1:
            raise self.error(f"{command}: give exactly one of {', '.join(sorted(relations))}")
        groups = [
            [name for _, name in self.objects(group, "clock")]
            for group in found.get("-group", [])  # type: ignore[attr-defined]
        ]
        name = to_text(found.get("-name", ""))
        self.constraints.clock_groups.append(ClockGroups(name, chosen[0][1:], groups))
        return ""

    # -- ports ---------------------------------------------------------------------------------

    def set_port_delay(self, command: str, arguments: list) -> object:
        found, values = self.options(
            command, arguments, _DELAY_FLAGS, {"-clock", "-reference_pin", "-corner"}, (2, 2)
        )
        if "-reference_pin" in found:
            self.warn("SDC-0003", f"{command} -reference_pin is ignored")
        objects = self.objects(values[1], "port_pin")
        if not objects:
            self.warn("SDC-0005", f"{command} has no objects; ignored")
            return ""
        rise_fall = "-rise" in found or "-fall" in found
        min_max = "-min" in found or "-max" in found
        delay = PortDelay(
            objects=objects,
            clock=self.clock_name(found["-clock"]) if "-clock" in found else "",
            value_ps=self.time_ps(command, values[0]),
            clock_fall="-clock_fall" in found,
            applies_rise=not rise_fall or "-rise" in found,
            applies_fall=not rise_fall or "-fall" in found,
            applies_min=not min_max or "-min" in found,
            applies_max=not min_max or "-max" in found,
            add_delay="-add_delay" in found,
        )
        target = self.constraints.input_delays
        if command == "set_output_delay":
            target = self.constraints.output_delays
        target.append(delay)
        return ""

    def set_load(self, command: str, arguments: list) -> object:
        flags = {"-min", "-max", "-rise", "-fall", "-pin_load", "-wire_load", "-subtract_pin_load"}
        _, values = self.options(command, arguments, flags, {"-corner"}, (2, 2))
        value = self.cap_ff(command, values[0])
        for ref in self.objects(values[1], "port_pin"):
            self.constraints.loads_ff[ref] = value
        return ""

    def set_driving_cell(self, command: str, arguments: list) -> object:
        found, values = self.options(
            command,
            arguments,
            {"-rise", "-fall", "-min", "-max", "-no_design_rule", "-dont_scale"},
            {"-lib_cell", "-cell", "-library", "-pin", "-from_pin", "-multiply_by"}
            | {"-input_transition_rise", "-input_transition_fall", "-clock", "-clock_fall"},
            (1, 1),
        )
        cell = found.get("-lib_cell", found.get("-cell"))
        if cell is None:
            raise self.error(f"{command}: missing required option -lib_cell")
        transition = found.get("-input_transition_rise", found.get("-input_transition_fall"))
        driver = DrivingCell(
            cell=to_text(cell),
            pin=to_text(found.get("-pin", "")),
            from_pin=to_text(found.get("-from_pin", "")),
            library=to_text(found.get("-library", "")),
            input_transition_ps=None if transition is None else self.time_ps(command, transition),
        )
        for ref in self.objects(values[0], "port_pin"):
            self.constraints.driving_cells[ref] = driver
        return ""

    def set_input_transition(self, command: str, arguments: list) -> object:
        found, values = self.options(
            command,
            arguments,
            {"-rise", "-fall", "-min", "-max"},
            {"-clock", "-clock_fall", "-corner"},
            (2, 2),
        )
        value = self.time_ps(command, values[0])
        either = "-min" not in found and "-max" not in found
        for ref in self.objects(values[1], "port_pin"):
            if "-max" in found or either:
                self.constraints.input_transitions_ps[ref] = value
            if "-min" in found or either:
                self.constraints.input_transitions_min_ps[ref] = value
        return ""

    # -- exceptions and rules ------------------------------------------------------------------

    def set_path_exception(self, command: str, arguments: list) -> object:
        flags = {"-setup", "-hold", "-rise", "-fall", "-reset_path"}
        positional = (0, 0)
        if command == "set_multicycle_path":
            flags |= {"-start", "-end"}
            positional = (1, 1)
        elif command in ("set_max_delay", "set_min_delay"):
            flags |= {"-ignore_clock_latency"}
            positional = (1, 1)
        throughs: list[tuple[str, object]] = []
        found, values = self.options(
            command,
            arguments,
            flags,
            _PATH_OPTIONS | {"-comment"},
            positional,
            frozenset({"-through", "-rise_through", "-fall_through"}),
            throughs,
        )

        def collect(*options: str) -> list[ObjectRef]:
            refs: list[ObjectRef] = []
            for option in options:
                if option in found:
                    refs.extend(self.objects(found[option], "any"))
            return refs

        def edge(rise: str, fall: str) -> int | None:
            """0/1 when only the rising/falling option is given, None for both or neither."""
            if (rise in found) == (fall in found):
                return None
            return 0 if rise in found else 1

        # -through lists in the order written (-rise_through / -fall_through: the path's
        # transition at the list's pins)
        through = [self.objects(value, "any") for _, value in throughs]
        through_rf = [_THROUGH_EDGE[option] for option, _ in throughs]
        kind = command[4:]
        neither = "-setup" not in found and "-hold" not in found
        from_objects = collect("-from", "-rise_from", "-fall_from")
        from_rf = edge("-rise_from", "-fall_from")
        exception = PathException(
            kind=kind,
            from_objects=from_objects,
            to_objects=collect("-to", "-rise_to", "-fall_to"),
            through=through,
            setup="-setup" in found or neither,
            hold="-hold" in found or (neither and kind != "multicycle_path"),
            start="-start" in found,
            end="-end" in found,
            from_rf=from_rf,
            to_rf=edge("-rise_to", "-fall_to"),
            end_rf=edge("-rise", "-fall"),
            through_rf=through_rf if any(rf is not None for rf in through_rf) else [],
        )
        if kind == "multicycle_path":
            multiplier = self.number(command, values[0])
            if multiplier != int(multiplier):
                raise self.error(f"{command}: the multiplier must be an integer")
            exception.multiplier = int(multiplier)
        elif values:
            exception.value_ps = self.time_ps(command, values[0])
        self.constraints.exceptions.append(exception)
        return ""

    def set_design_rule(self, command: str, arguments: list) -> object:
        flags = (
            {"-clock_path", "-data_path", "-rise", "-fall"} if "transition" in command else set()
        )
        found, values = self.options(command, arguments, flags, set(), (2, 2))
        if command == "set_max_fanout":
            value = self.number(command, values[0])
            target = self.constraints.max_fanout
        elif command == "set_max_transition":
            value = self.time_ps(command, values[0])
            target = self.constraints.max_transition_ps
        else:
            value = self.cap_ff(command, values[0])
            target = self.constraints.max_capacitance_ff
        for ref in self.objects(values[1], "design"):
            if ref[0] == "clock" and command == "set_max_transition":
                paths = ("-clock_path" in found, "-data_path" in found)
                edges = ("-rise" in found, "-fall" in found)
                self.constraints.clock_transition_limits.append(
                    ClockTransitionLimit(
                        ref[1],
                        value,
                        clock_path=paths[0] or not any(paths),
                        data_path=paths[1] or not any(paths),
                        rise=edges[0] or not any(edges),
                        fall=edges[1] or not any(edges),
                    )
                )
                continue
            target[ref] = value
        return ""

    def set_case_analysis(self, command: str, arguments: list) -> object:
        _, values = self.options(command, arguments, set(), set(), (2, 2))
        value = to_text(values[0]).lower()
        value = {"zero": "0", "one": "1", "rise": "rising", "fall": "falling"}.get(value, value)
        if value not in ("0", "1", "rising", "falling"):
            raise self.error(f"{command}: value must be 0, 1, rising or falling, not {value!r}")
        for ref in self.objects(values[1], "port_pin"):
            self.constraints.case_analysis[ref] = value
        return ""

    def set_disable_timing(self, command: str, arguments: list) -> object:
        found, values = self.options(command, arguments, set(), {"-from", "-to"}, (1, 1))
        objects = self.objects(values[0], "any")
        usable = [ref for ref in objects if ref[0] in ("cell", "lib_cell", "pin")]
        if len(usable) < len(objects):
            self.warn("SDC-0003", f"{command}: only cells, library cells and pins are disabled")
        if ("-from" in found or "-to" in found) and any(ref[0] == "pin" for ref in usable):
            raise self.error(f"{command}: -from/-to name pins of cells, not with pin objects")
        self.constraints.disabled_timing.append(
            DisableTiming(
                usable,
                from_pin=to_text(found.get("-from", "")),
                to_pin=to_text(found.get("-to", "")),
            )
        )
        return ""

    def set_clock_gating_check(self, command: str, arguments: list) -> object:
        found, values = self.options(
            command, arguments, {"-rise", "-fall", "-high", "-low"}, {"-setup", "-hold"}, (0, 1)
        )
        if {"-rise", "-fall", "-high", "-low"} & set(found):
            self.warn(
                "SDC-0003",
                f"{command} -rise/-fall/-high/-low: the margins apply to both edges, and the "
                "gate's sense comes from its function",
            )
        self.constraints.clock_gating_checks.append(
            ClockGatingCheck(
                setup_ps=self.time_ps(command, found["-setup"]) if "-setup" in found else None,
                hold_ps=self.time_ps(command, found["-hold"]) if "-hold" in found else None,
                objects=[
                    ref
                    for ref in (self.objects(values[0], "any") if values else [])
                    if ref[0] != "design"
                ],
            )
        )
        return ""

    def set_max_time_borrow(self, command: str, arguments: list) -> object:
        _, values = self.options(command, arguments, set(), set(), (2, 2))
        value = self.time_ps(command, values[0])
        for ref in self.objects(values[1], "any"):
            if ref[0] in ("clock", "cell", "pin"):
                self.constraints.max_time_borrow_ps[ref] = value
            else:
                self.warn("SDC-0003", f"{command} applies to clocks, latches and pins only")
        return ""

    def set_logic_value(self, command: str, arguments: list) -> object:
        _, values = self.options(command, arguments, set(), set(), (1, 1))
        for ref in self.objects(values[0], "port_pin"):
            self.constraints.logic_values[ref] = "1" if command == "set_logic_one" else "0"
        return ""

    def set_dont_touch(self, command: str, arguments: list) -> object:
        _, values = self.options(command, arguments, set(), set(), (1, 2))
        flag = True
        if len(values) == 2:
            text = to_text(values[1]).lower()
            if text not in ("true", "false", "1", "0"):
                raise self.error(f"{command}: value must be true or false")
            flag = text in ("true", "1")
        for ref in self.objects(values[0], "any"):
            self.constraints.dont_touch[ref] = flag
        return ""

    def set_timing_derate(self, command: str, arguments: list) -> object:
        flags = {"-early", "-late", "-cell_delay", "-net_delay", "-cell_check", "-data"}
        flags |= {"-clock", "-rise", "-fall", "-static", "-dynamic"}
        found, values = self.options(command, arguments, flags, set(), (1, 2))
        either = "-early" not in found and "-late" not in found
        both_paths = "-data" not in found and "-clock" not in found
        if "-rise" in found or "-fall" in found:
            self.warn("SDC-0003", "set_timing_derate -rise/-fall: applied to both transitions")
        self.constraints.timing_derates.append(
            TimingDerate(
                value=self.number(command, values[0]),
                early="-early" in found or either,
                late="-late" in found or either,
                cell_delay="-cell_delay" in found,
                net_delay="-net_delay" in found,
                cell_check="-cell_check" in found,
                objects=self.objects(values[1], "any") if len(values) == 2 else [],
                data="-data" in found or both_paths,
                clock="-clock" in found or both_paths,
            )
        )
        return ""

    def set_units(self, command: str, arguments: list) -> object:
        found, _ = self.options(
            command,
            arguments,
            set(),
            {"-time", "-capacitance", "-resistance", "-voltage", "-current", "-power"}
            | {"-distance"},
            (0, 0),
        )
        if "-time" in found:
            self.ps_per_unit = _exact_scale(self.unit(found["-time"], _TIME_UNITS_S), 1e-12)
        if "-capacitance" in found:
            self.ff_per_unit = _exact_scale(self.unit(found["-capacitance"], _CAP_UNITS_F), 1e-15)
        return ""

    def unit(self, value: object, table: dict[str, float]) -> float:
        text = to_text(value).strip().lower()
        match = re.fullmatch(r"([0-9.eE+-]*)\s*([a-z]+)", text)
        if match is None or match.group(2) not in table:
            raise self.error(f"set_units: unknown unit {to_text(value)!r}")
        scale = parse_number(match.group(1)) if match.group(1) else 1
        if scale is None or scale <= 0:
            raise self.error(f"set_units: bad unit {to_text(value)!r}")
        return float(Decimal(repr(float(scale))) * Decimal(repr(table[match.group(2)])))


def read_sdc(
    path: str | Path,
    *,
    netlist: Netlist | None = None,
    library_time_unit_s: float = 1e-9,
    cap_unit_f: float = 1e-12,
    log: Log | None = None,
) -> Constraints:
    """Run an SDC file and return its ``Constraints`` (times in ps, capacitances in fF).

    Args:
        path: the SDC file.
        netlist: when given, object queries (``get_ports req_msg[*]``, ``all_inputs``) expand to
            the matching names; without it patterns are kept as written.
        library_time_unit_s: the time unit of numbers in the file (the library's, 1e-9 = ns),
            until a ``set_units -time`` changes it.
        cap_unit_f: the capacitance unit of numbers in the file (1e-12 = pF).
        log: receives warnings (unknown commands, queries matching nothing) with file:line.

    Raises:
        ParseError: with file and line, for malformed Tcl, bad numbers, unknown options of a
            known command and missing required arguments.
    """
    path = Path(path)
    if library_time_unit_s <= 0 or cap_unit_f <= 0:
        raise ValueError("units must be positive")
    text = read_text(path, what="SDC file")
    reader = _SdcReader(path, netlist, library_time_unit_s, cap_unit_f, log or Log())
    try:
        reader.interpreter.run(text)
    except TclError as error:  # raised outside the interpreter's own handler
        raise ParseError(error.message, file=path, line=error.line) from None
    constraints = reader.constraints
    reader.log.info(
        "SDC-0007",
        f"read {path.name}: {len(constraints.clocks)} clocks, "
        f"{len(constraints.input_delays)} input and {len(constraints.output_delays)} output "
        f"delays, {len(constraints.exceptions)} exceptions",
    )
    return constraints
