"""The flow's steps: what each reads, writes and depends on, and the production step list.

A step is a function ``run(context) -> metrics`` plus a declaration of the files it consumes from
earlier steps (by kind: "netlist", "sdc", "def", ...), the files it writes, the user and PDK
files it reads and the options it depends on. The runner (``tapeout.flow.run``) uses the
declaration for the manifest and ``--resume``. Adding a step::

    FLOORPLAN = Step(
        name="floorplan",
        run=run_floorplan,                      # writes context.output("def")
        inputs=("netlist", "sdc"),
        outputs=(("def", "{design}.def"),),
        options=lambda config: asdict(config.floorplan),
        files=lambda config: platform_files(config),
    )
    STEPS = (SYNTH, FLOORPLAN)
"""

from __future__ import annotations

import functools
import shutil
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tapeout.errors import ConfigError
from tapeout.fileio import write_text
from tapeout.flow.config import FlowConfig
from tapeout.flow.report import DENSITY_NAME, SLACK_NAME
from tapeout.flow.steps_physical import (
    STA_REPORT_PATHS,
    layer_map,
    run_gds,
    run_place,
    run_sta,
    wire_rc_per_um,
)
from tapeout.formats.sdc import read_sdc
from tapeout.log import Log
from tapeout.platforms import Platform, get_platform

# Metric values as they go into metrics.json.
Metric = float | int | str | bool
Metrics = dict[str, Metric]


@dataclass(frozen=True)
class StepContext:
    """What a running step gets: the configuration, where to write, and its inputs.

    ``directory`` is a temporary directory the runner renames into place when the step returns;
    a step writes only there. ``inputs`` maps each input kind to the file an earlier step wrote.
    """

    step: Step
    config: FlowConfig
    directory: Path
    inputs: Mapping[str, Path]
    jobs: int
    log: Log
    progress: Callable[[float], None] = field(default=lambda fraction: None)

    def output(self, kind: str) -> Path:
        """Path the step must write its output of ``kind`` to."""
        return self.directory / self.step.output_name(kind, self.config)

    def platform(self) -> Platform:
        """The configuration's platform (loaded once per configuration)."""
        return load_platform(self.config)


@dataclass(frozen=True)
class Step:
    """One step of the flow and its declared dependencies.

    ``outputs`` pairs a kind with a file name pattern (``{design}`` is replaced by the design
    name). ``options(config)`` returns the JSON-able options whose change must rerun the step;
    ``files(config)`` the user and PDK files it reads, hashed into the manifest.
    """

    name: str
    run: Callable[[StepContext], Metrics]
    inputs: tuple[str, ...] = ()
    outputs: tuple[tuple[str, str], ...] = ()
    options: Callable[[FlowConfig], dict[str, Any]] = field(default=lambda config: {})
    files: Callable[[FlowConfig], tuple[Path, ...]] = field(default=lambda config: ())

    def output_name(self, kind: str, config: FlowConfig) -> str:
        """File name of this step's output of ``kind``."""
        for output_kind, pattern in self.outputs:
            if output_kind == kind:
                return pattern.format(design=config.design.name)
        raise KeyError(f"step {self.name} declares no output of kind {kind!r}")

    def output_names(self, config: FlowConfig) -> tuple[str, ...]:
        """All output file names, in declaration order."""
        return tuple(pattern.format(design=config.design.name) for _, pattern in self.outputs)


@functools.cache
def _platform(name: str, pdk_root: Path | None) -> Platform:
    return get_platform(name, pdk_root=pdk_root)


def load_platform(config: FlowConfig) -> Platform:
    """The platform named by ``config`` (PlatformError when its files cannot be found)."""
    return _platform(config.design.platform, config.design.pdk_root)


def _include_files(directories: tuple[Path, ...]) -> tuple[Path, ...]:
    suffixes = {".v", ".vh", ".sv", ".svh", ".h", ".inc"}
    files: list[Path] = []
    for directory in directories:
        files.extend(sorted(p for p in directory.iterdir() if p.suffix in suffixes))
    return tuple(files)


# --- synth -----------------------------------------------------------------------------------


def _synth_options(config: FlowConfig) -> dict[str, Any]:
    design = config.design
    return {
        "top": design.top,
        "platform": design.platform,
        "clock_period_ns": design.clock_period_ns,
        "clock_port": design.clock_port,
        "defines": list(design.defines),
        "parameters": [list(pair) for pair in design.parameters],
        **{
            key: list(value) if isinstance(value, tuple) else value
            for key, value in asdict(config.synth).items()
        },
    }


def _synth_files(config: FlowConfig) -> tuple[Path, ...]:
    design = config.design
    platform = load_platform(config)
    files = [*design.sources, *_include_files(design.include_dirs)]
    if design.sdc is not None:
        files.append(design.sdc)
    files.extend(platform.liberty[:1])
    return tuple(files)


def clock_sdc(period_ns: float, port: str) -> str:
    """A minimal SDC with one clock of ``period_ns`` nanoseconds on input ``port``."""
    return (
        "# written by tapeout from [design] clock_period_ns\n"
        f"create_clock -name core_clock -period {period_ns:g} [get_ports {{{port}}}]\n"
    )


def _split_define(define: str) -> tuple[str, str]:
    name, _, value = define.partition("=")
    return name, value


def run_synth(context: StepContext) -> Metrics:
    """Synthesize the RTL to ``<design>.v`` and copy (or write) the SDC as ``<design>.sdc``."""
    from tapeout.synth import SynthOptions, synthesize  # pyosys loads only when synthesizing

    design = context.config.design
    sdc_path = context.output("sdc")
    if design.sdc is not None:
        shutil.copyfile(design.sdc, sdc_path)
    elif design.clock_period_ns is not None:
        write_text(sdc_path, clock_sdc(design.clock_period_ns, design.clock_port))
    else:
        write_text(sdc_path, "# no timing constraints: set [design] sdc or clock_period_ns\n")
    synth = context.config.synth
    options = SynthOptions(
        sources=design.sources,
        top=design.top,
        platform=design.platform,
        pdk_root=design.pdk_root,
        include_dirs=design.include_dirs,
        defines=tuple(_split_define(define) for define in design.defines),
        parameters=design.parameters,
        sdc=design.sdc,
        clock_period_ps=(
            design.clock_period_ns * 1000.0 if design.clock_period_ns is not None else None
        ),
        extra_dont_use=synth.extra_dont_use,
        flatten=synth.flatten,
        equivalence_check=synth.equivalence_check,
    )
    try:
        options.validate()
    except ConfigError as error:
        raise ConfigError(error.message, file=context.config.path, hint=error.hint) from None
    # Reading the SDC checks it early (errors name the user's file and line) and counts clocks.
    constraints = read_sdc(design.sdc or sdc_path, log=context.log)
    report = synthesize(
        options,
        context.output("netlist"),
        log=context.log,
        work_directory=context.directory / "yosys",  # its scripts and logs, for debugging
    )
    if design.sdc is None and design.clock_period_ns is not None:
        _check_clock_port(context, design.clock_port, design.top)
    return {**report.metrics(), "constraints__clocks__count": len(constraints.clocks)}


def _check_clock_port(context: StepContext, port: str, top: str) -> None:
    """The clock that clock_period_ns makes must sit on an input of the design: on no port it
    constrains nothing, and every slack would read 0."""
    from tapeout.db.netlist import PortDirection
    from tapeout.formats.verilog_read import read_verilog

    netlist = read_verilog(context.output("netlist"), top=top, log=Log(echo=False))
    inputs = [
        name
        for name, direction in zip(netlist.port_names, netlist.port_direction.tolist(), strict=True)
        if direction in (PortDirection.INPUT, PortDirection.INOUT)
    ]
    if port not in inputs:
        shown = ", ".join(inputs[:8]) + (" ..." if len(inputs) > 8 else "") or "none"
        raise ConfigError(
            f"design.clock_port: {port!r} is not an input of {top} (its inputs: {shown})",
            file=context.config.path,
            hint="set [design] clock_port to the clock input; a design without one needs an "
            "SDC (sdc = ...) with a virtual clock and input/output delays",
        )


SYNTH = Step(
    name="synth",
    run=run_synth,
    inputs=(),
    outputs=(("netlist", "{design}.v"), ("sdc", "{design}.sdc")),
    options=_synth_options,
    files=_synth_files,
)

# --- floorplan -------------------------------------------------------------------------------


def run_floorplan(context: StepContext) -> Metrics:
    """Floorplan the synthesized netlist (die, rows, tracks, pins, taps, power grid) to DEF."""
    from tapeout.db.design import Design
    from tapeout.db.library import Library
    from tapeout.floorplan import FloorplanOptions, floorplan
    from tapeout.floorplan.check import check_floorplan
    from tapeout.formats.def_ import write_def
    from tapeout.formats.lef import read_lef
    from tapeout.formats.verilog_read import read_verilog

    platform = context.platform()
    lef = read_lef([platform.tech_lef, *platform.cell_lefs], log=context.log)
    netlist = read_verilog(context.inputs["netlist"], log=context.log)
    design = Design(context.config.design.name, lef.tech, Library(macros=lef.macros), netlist)
    settings = context.config.floorplan
    options = FloorplanOptions(
        platform=platform,
        utilization=settings.utilization,
        aspect_ratio=settings.aspect_ratio,
        core_margin_um=settings.core_margin_um,
    )
    report = floorplan(design, options, log=context.log)
    assert design.physical is not None and design.wires is not None
    write_def(context.output("def"), netlist, design.physical, design.wires, vias=report.vias)
    metrics: Metrics = dict(report.metrics())
    if platform.power_grid is not None:
        geometry = check_floorplan(
            netlist, design.physical, design.wires, report.vias, lef.tech,
            rail_layer=platform.power_grid.rail_layer,
        )  # fmt: skip
        for line in geometry.problems():
            context.log.warn("FLOORPLAN-0020", f"grid check: {line}")
        metrics["floorplan__power__grid__problems"] = len(geometry.problems())
    return metrics


FLOORPLAN = Step(
    name="floorplan",
    run=run_floorplan,
    inputs=("netlist",),
    outputs=(("def", "{design}.def"),),
    options=lambda config: asdict(config.floorplan),
    files=lambda config: (load_platform(config).tech_lef, *load_platform(config).cell_lefs),
)

# --- place, sta, gds (their work is in tapeout.flow.steps_physical) --------------------------


def _lefs(config: FlowConfig) -> tuple[Path, ...]:
    platform = load_platform(config)
    return (platform.tech_lef, *platform.cell_lefs)


def _sta_options(config: FlowConfig) -> dict[str, Any]:
    res_ohm_per_um, cap_ff_per_um = wire_rc_per_um(load_platform(config))
    return {
        "wires": "placement",
        "res_ohm_per_um": res_ohm_per_um,
        "cap_ff_per_um": cap_ff_per_um,
        "report_paths": STA_REPORT_PATHS,
    }


def _gds_files(config: FlowConfig) -> tuple[Path, ...]:
    platform = load_platform(config)
    mapping = layer_map(platform)
    return (*_lefs(config), *platform.gds, *((mapping,) if mapping is not None else ()))


def _place_files(config: FlowConfig) -> tuple[Path, ...]:
    liberty = load_platform(config).liberty[0]
    return (*_lefs(config), *((liberty,) if config.place.timing_driven else ()))


PLACE = Step(
    name="place",
    run=run_place,
    inputs=("def", "sdc"),  # the SDC for timing-driven placement
    outputs=(("def", "{design}.def"), ("density", DENSITY_NAME)),
    options=lambda config: asdict(config.place),
    files=_place_files,
)

STA = Step(
    name="sta",
    run=run_sta,
    inputs=("def", "sdc"),
    outputs=(("timing_report", "{design}.timing.rpt"), ("slack", SLACK_NAME)),
    options=_sta_options,
    files=lambda config: (*_lefs(config), load_platform(config).liberty[0]),
)

GDS = Step(
    name="gds",
    run=run_gds,
    inputs=("def",),
    outputs=(("gds", "{design}.gds"),),
    options=lambda config: {"layer_map": getattr(layer_map(load_platform(config)), "name", None)},
    files=_gds_files,
)

# The production flow, in order. Later issues insert cts, route, ... before gds.
STEPS: tuple[Step, ...] = (SYNTH, FLOORPLAN, PLACE, STA, GDS)


def find_step(name: str, steps: tuple[Step, ...] = STEPS) -> int:
    """Index of step ``name`` in ``steps``; ConfigError listing the known steps otherwise."""
    for index, step in enumerate(steps):
        if step.name == name:
            return index
    known = ", ".join(step.name for step in steps)
    raise ConfigError(f"unknown step {name!r}; the steps are: {known}")
