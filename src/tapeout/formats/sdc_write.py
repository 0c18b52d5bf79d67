"""SDC writer: ``Constraints`` back to SDC text that read_sdc (and OpenSTA) read back equal."""

from __future__ import annotations

import math
import re
from decimal import Decimal
from pathlib import Path

from tapeout.db.constraints import Constraints, ObjectRef, PathException, PortDelay
from tapeout.fileio import atomic_write
from tapeout.formats.tcl import quote_element

_QUERY = {
    "port": "get_ports",
    "pin": "get_pins",
    "net": "get_nets",
    "cell": "get_cells",
    "clock": "get_clocks",
    "lib_cell": "get_lib_cells",
}


def _number(value: float, scale: float) -> str:
    """``value / scale`` as short text that multiplies back by ``scale`` to exactly ``value``."""
    target = float(value)
    quotient = target / scale
    for candidate in (
        quotient,
        math.nextafter(quotient, math.inf),
        math.nextafter(quotient, -math.inf),
    ):
        for digits in (6, 9, 12, 15, 17):
            text = f"{candidate:.{digits}g}"
            if float(text) * scale == target:
                return text
    return repr(quotient)


def _name_list(names: list[str]) -> str:
    """Names as one Tcl word that reads back as the list of names."""
    if all(name and not re.search(r'[\s{}\\"]', name) for name in names):
        return "{" + " ".join(names) + "}"
    return "[list " + " ".join(quote_element(name) for name in names) + "]"


def _objects(refs: list[ObjectRef], design: str) -> str:
    """A Tcl word that evaluates to the objects ``refs`` (queries grouped by kind)."""
    groups: list[tuple[str, list[str]]] = []
    for kind, name in refs:
        if groups and groups[-1][0] == kind and kind in _QUERY:
            groups[-1][1].append(name)
        else:
            groups.append((kind, [name]))
    words: list[str] = []
    for kind, names in groups:
        if kind in _QUERY:
            words.append(f"[{_QUERY[kind]} {_name_list(names)}]")
        elif kind == "design":  # only the current design can be named
            words.append("[current_design]")
        else:  # all_inputs / all_outputs / all_registers, the name holds the flags
            words.extend(f"[{kind}{' ' + name if name else ''}]" for name in names)
    if len(words) == 1:
        return words[0]
    return "[concat " + " ".join(words) + "]"


def _delay_line(command: str, delay: PortDelay, time: float, design: str) -> str:
    parts = [command, _number(delay.value_ps, time)]
    if delay.clock:
        parts += ["-clock", f"[get_clocks {_name_list([delay.clock])}]"]
    if delay.clock_fall:
        parts.append("-clock_fall")
    if delay.applies_rise != delay.applies_fall:
        parts.append("-rise" if delay.applies_rise else "-fall")
    if delay.applies_min != delay.applies_max:
        parts.append("-min" if delay.applies_min else "-max")
    if delay.add_delay:
        parts.append("-add_delay")
    parts.append(_objects(delay.objects, design))
    return " ".join(parts)


def _exception_line(exception: PathException, time: float, design: str) -> str:
    parts = [f"set_{exception.kind}"]
    if exception.kind == "multicycle_path":
        if exception.setup and not exception.hold:
            pass  # the default of set_multicycle_path
        elif exception.hold and not exception.setup:
            parts.append("-hold")
        else:
            parts += ["-setup", "-hold"]
        if exception.start:
            parts.append("-start")
        if exception.end:
            parts.append("-end")
    elif exception.setup != exception.hold:
        parts.append("-setup" if exception.setup else "-hold")
    if exception.end_rf is not None:
        parts.append(("-rise", "-fall")[exception.end_rf])
    edge = ("-rise", "-fall")
    if exception.from_objects:
        option = "-from" if exception.from_rf is None else f"{edge[exception.from_rf]}_from"
        parts += [option, _objects(exception.from_objects, design)]
    for through, through_rf in zip(exception.through, exception.through_edges(), strict=True):
        option = "-through" if through_rf is None else f"{edge[through_rf]}_through"
        parts += [option, _objects(through, design)]
    if exception.to_objects:
        option = "-to" if exception.to_rf is None else f"{edge[exception.to_rf]}_to"
        parts += [option, _objects(exception.to_objects, design)]
    if exception.kind == "multicycle_path":
        parts.append(str(exception.multiplier))
    elif exception.kind in ("max_delay", "min_delay"):
        parts.append(_number(exception.value_ps, time))
    return " ".join(parts)


def sdc_text(constraints: Constraints) -> str:
    """The SDC text of ``constraints``: values in its ``time_unit_s`` and ``cap_unit_f``."""
    time = float(Decimal(repr(constraints.time_unit_s)) / Decimal("1e-12"))
    cap = float(Decimal(repr(constraints.cap_unit_f)) / Decimal("1e-15"))
    design = constraints.design
    lines = [
        "# Written by tapeout",
        f"# units: time {constraints.time_unit_s!r} s, capacitance {constraints.cap_unit_f!r} F",
    ]
    if design:
        lines.append(f"current_design {_name_list([design])}")
    for clock in constraints.clocks.values():
        name = _name_list([clock.name])
        if clock.generated:
            parts = ["create_generated_clock", "-name", name]
            parts += ["-source", _objects(clock.master_source, design)]
            if clock.master_clock:
                parts += ["-master_clock", f"[get_clocks {_name_list([clock.master_clock])}]"]
            if clock.divide_by != 1:
                parts += ["-divide_by", str(clock.divide_by)]
            if clock.multiply_by != 1:
                parts += ["-multiply_by", str(clock.multiply_by)]
            if clock.invert:
                parts.append("-invert")
            if clock.edges:
                parts += ["-edges", "{" + " ".join(str(edge) for edge in clock.edges) + "}"]
            if clock.edge_shift_ps:
                shifts = " ".join(_number(shift, time) for shift in clock.edge_shift_ps)
                parts += ["-edge_shift", "{" + shifts + "}"]
        else:
            waveform = " ".join(_number(edge, time) for edge in clock.waveform_ps)
            parts = ["create_clock", "-name", name, "-period", _number(clock.period_ps, time)]
            if clock.waveform_ps != [0.0, clock.period_ps / 2]:
                parts += ["-waveform", "{" + waveform + "}"]
        if clock.add:
            parts.append("-add")
        if clock.sources or clock.generated:
            parts.append(_objects(clock.sources, design))
        lines.append(" ".join(parts))
    for clock in constraints.clocks.values():
        target = f"[get_clocks {_name_list([clock.name])}]"
        if clock.propagated:
            lines.append(f"set_propagated_clock {target}")
        if clock.uncertainty_setup_ps == clock.uncertainty_hold_ps:
            if clock.uncertainty_setup_ps:
                lines.append(
                    f"set_clock_uncertainty {_number(clock.uncertainty_setup_ps, time)} {target}"
                )
        else:
            for which, value in (
                ("-setup", clock.uncertainty_setup_ps),
                ("-hold", clock.uncertainty_hold_ps),
            ):
                lines.append(f"set_clock_uncertainty {which} {_number(value, time)} {target}")
        if clock.transition_ps is not None:
            lines.append(f"set_clock_transition {_number(clock.transition_ps, time)} {target}")
        for prefix, flag in (("latency", ""), ("source_latency", " -source")):
            low = getattr(clock, f"{prefix}_min_ps")
            high = getattr(clock, f"{prefix}_max_ps")
            if low is not None and low == high:
                lines.append(f"set_clock_latency{flag} {_number(low, time)} {target}")
                continue
            if low is not None:
                lines.append(f"set_clock_latency{flag} -min {_number(low, time)} {target}")
            if high is not None:
                lines.append(f"set_clock_latency{flag} -max {_number(high, time)} {target}")
    for (source, target_clock), (setup, hold) in constraints.inter_clock_uncertainty.items():
        launch, capture = _name_list([source]), _name_list([target_clock])
        between = f"-from [get_clocks {launch}] -to [get_clocks {capture}]"
        for which, amount in (("-setup", setup), ("-hold", hold)):
            if amount is not None:
                lines.append(f"set_clock_uncertainty {which} {between} {_number(amount, time)}")
    for group in constraints.clock_groups:
        parts = ["set_clock_groups", f"-{group.relation}"]
        if group.name:
            parts += ["-name", _name_list([group.name])]
        for clocks in group.groups:
            parts += ["-group", f"[get_clocks {_name_list(clocks)}]" if clocks else "{}"]
        lines.append(" ".join(parts))
    for delay in constraints.input_delays:
        lines.append(_delay_line("set_input_delay", delay, time, design))
    for delay in constraints.output_delays:
        lines.append(_delay_line("set_output_delay", delay, time, design))
    for ref, value in constraints.loads_ff.items():
        lines.append(f"set_load {_number(value, cap)} {_objects([ref], design)}")
    for ref, driver in constraints.driving_cells.items():
        parts = ["set_driving_cell", "-lib_cell", _name_list([driver.cell])]
        for option, text in (
            ("-library", driver.library),
            ("-pin", driver.pin),
            ("-from_pin", driver.from_pin),
        ):
            if text:
                parts += [option, _name_list([text])]
        if driver.input_transition_ps is not None:
            transition = _number(driver.input_transition_ps, time)
            parts += ["-input_transition_rise", transition, "-input_transition_fall", transition]
        parts.append(_objects([ref], design))
        lines.append(" ".join(parts))
    late, early = constraints.input_transitions_ps, constraints.input_transitions_min_ps
    for ref in dict.fromkeys([*late, *early]):
        if late.get(ref) == early.get(ref):
            lines.append(
                f"set_input_transition {_number(late[ref], time)} {_objects([ref], design)}"
            )
            continue
        for option, slews in (("-max", late), ("-min", early)):
            if ref in slews:
                lines.append(
                    f"set_input_transition {option} {_number(slews[ref], time)} "
                    f"{_objects([ref], design)}"
                )
    for exception in constraints.exceptions:
        lines.append(_exception_line(exception, time, design))
    for command, table, scale in (
        ("set_max_fanout", constraints.max_fanout, 1.0),
        ("set_max_transition", constraints.max_transition_ps, time),
        ("set_max_capacitance", constraints.max_capacitance_ff, cap),
    ):
        for ref, value in table.items():
            lines.append(f"{command} {_number(value, scale)} {_objects([ref], design)}")
    for limit in constraints.clock_transition_limits:
        parts = ["set_max_transition"]
        if limit.clock_path != limit.data_path:
            parts.append("-clock_path" if limit.clock_path else "-data_path")
        if limit.rise != limit.fall:
            parts.append("-rise" if limit.rise else "-fall")
        parts += [_number(limit.limit_ps, time), f"[get_clocks {_name_list([limit.clock])}]"]
        lines.append(" ".join(parts))
    for disabled in constraints.disabled_timing:
        parts = ["set_disable_timing"]
        if disabled.from_pin:
            parts += ["-from", disabled.from_pin]
        if disabled.to_pin:
            parts += ["-to", disabled.to_pin]
        lines.append(" ".join([*parts, _objects(disabled.objects, design)]))
    for gating in constraints.clock_gating_checks:
        parts = ["set_clock_gating_check"]
        if gating.setup_ps is not None:
            parts += ["-setup", _number(gating.setup_ps, time)]
        if gating.hold_ps is not None:
            parts += ["-hold", _number(gating.hold_ps, time)]
        if gating.objects:
            parts.append(_objects(gating.objects, design))
        lines.append(" ".join(parts))
    for ref, borrow in constraints.max_time_borrow_ps.items():
        lines.append(f"set_max_time_borrow {_number(borrow, time)} {_objects([ref], design)}")
    for ref, logic in constraints.logic_values.items():
        command = "set_logic_one" if logic == "1" else "set_logic_zero"
        lines.append(f"{command} {_objects([ref], design)}")
    for ref, case in constraints.case_analysis.items():
        lines.append(f"set_case_analysis {case} {_objects([ref], design)}")
    for ref, touch in constraints.dont_touch.items():
        lines.append(f"set_dont_touch {_objects([ref], design)} {'true' if touch else 'false'}")
    for derate in constraints.timing_derates:
        parts = ["set_timing_derate"]
        if derate.early != derate.late:
            parts.append("-early" if derate.early else "-late")
        for flag in ("cell_delay", "net_delay", "cell_check"):
            if getattr(derate, flag):
                parts.append(f"-{flag}")
        if derate.data != derate.clock:
            parts.append("-data" if derate.data else "-clock")
        parts.append(_number(derate.value, 1.0))
        if derate.objects:
            parts.append(_objects(derate.objects, design))
        lines.append(" ".join(parts))
    return "\n".join(lines) + "\n"


def write_sdc(path: str | Path, constraints: Constraints) -> None:
    """Write ``constraints`` as an SDC file (atomically) in its own units."""
    with atomic_write(path) as handle:
        handle.write(sdc_text(constraints))
