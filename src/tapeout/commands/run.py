"""``tapeout run``: run a design configuration through the flow, with progress and a summary."""

from __future__ import annotations

import argparse
import logging
from dataclasses import replace
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from tapeout.flow.config import describe_schema, load_config
from tapeout.flow.run import FlowResult, StepOutcome, run_flow
from tapeout.flow.steps import STEPS, load_platform
from tapeout.platforms.builtin import is_builtin_root

SUMMARY = "run a design through the flow (RTL to layout) into runs/<design>/"
EXAMPLES = """\
  tapeout run examples/counter/counter.toml            all steps into examples/counter/runs/counter/
  tapeout run design.toml --resume                     rerun only steps whose inputs changed
  tapeout run design.toml --to synth                   stop after synthesis
  tapeout run design.toml --from synth --to synth      redo only synthesis
  tapeout run design.toml --run-dir /tmp/try1 --jobs 2 another run directory, 2 threads per step

Steps, in order: {steps}. Exit status: 0 done, 1 a problem with the input (one line on
stderr). Configuration keys (TOML; paths relative to the file):
{schema}
"""

# Shown first in the summary table when present; other scalar metrics follow.
KEY_METRICS = (
    "synth__design__instance__area__stdcell",
    "synth__design__instance__count__stdcell",
    "synth__design__instance__count__flop",
    "floorplan__design__core__area",
    "detailedplace__design__violations",
    "placeopt__design__instance__area",
    "detailedplace__route__wirelength__estimated",
    "timing__setup__ws",
    "timing__setup__tns",
    "timing__hold__ws",
    "cts__timing__setup__ws",
    "detailedroute__route__wirelength",
    "detailedroute__route__drc_errors",
    "finish__design__instance__area",
    "finish__timing__setup__ws",
    "finish__timing__setup__tns",
)
MAX_SUMMARY_METRICS = 20


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``tapeout run``."""
    steps = ", ".join(step.name for step in STEPS)
    parser.epilog = (parser.epilog or "").replace("{steps}", steps)
    parser.epilog = parser.epilog.replace("{schema}", describe_schema())
    parser.add_argument("config", type=Path, help="design configuration file (TOML)")
    parser.add_argument("--to", dest="to_step", metavar="STEP", help="stop after STEP")
    parser.add_argument(
        "--from",
        dest="from_step",
        metavar="STEP",
        help="start at STEP, using the outputs of earlier steps already in the run directory",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="skip steps whose inputs, options and outputs are unchanged (see manifest.json)",
    )
    parser.add_argument(
        "--run-dir",
        type=Path,
        metavar="DIR",
        help="directory for the step folders (default: runs/<design> beside the config file)",
    )
    parser.add_argument(
        "--pdk-root",
        type=Path,
        metavar="DIR",
        help="directory holding <platform>/lef, lib, ..., or builtin (the PyPI sky130hd with "
        "our Liberty); overrides [design] pdk_root",
    )
    parser.add_argument(
        "--jobs", type=int, default=1, metavar="N", help="threads a step may use (default 1)"
    )


class _TerminalObserver:
    """Shows one progress line per step with rich."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {}

    def step_started(self, name: str, reason: str) -> None:
        self.tasks[name] = self.progress.add_task(name, total=None, status=f"running ({reason})")

    def step_progress(self, name: str, fraction: float) -> None:
        self.progress.update(self.tasks[name], total=1.0, completed=min(max(fraction, 0.0), 1.0))

    def step_finished(self, outcome: StepOutcome) -> None:
        status = "done" if outcome.status == "ran" else outcome.reason
        task = self.tasks.get(outcome.name)
        if task is None:
            task = self.progress.add_task(outcome.name, total=1.0, status=status)
        self.progress.update(task, total=1.0, completed=1.0, status=status)


class _ConsoleHandler(logging.Handler):
    """Prints log lines above the live progress display."""

    def __init__(self, console: Console, level: int) -> None:
        super().__init__(level)
        self.console = console

    def emit(self, record: logging.LogRecord) -> None:
        self.console.print(self.format(record), markup=False, highlight=False, soft_wrap=True)


def execute(args: argparse.Namespace) -> int:
    """Run the flow; print progress to stderr and the summary table to stdout."""
    config = load_config(args.config)
    if args.pdk_root is not None:
        root = args.pdk_root if is_builtin_root(args.pdk_root) else args.pdk_root.absolute()
        config = replace(config, design=replace(config.design, pdk_root=root))
    load_platform(config)  # a missing PDK stops here, before any run directory is made
    errors = Console(stderr=True)
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description:<10}"),
        BarColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[status]}"),
        console=errors,
        disable=args.quiet,
    )
    logger = logging.getLogger("tapeout")
    handler = _ConsoleHandler(errors, logging.WARNING if args.quiet else logging.INFO)
    logger.addHandler(handler)
    propagate = logger.propagate
    logger.propagate = False
    try:
        with progress:
            result = run_flow(
                config,
                run_dir=args.run_dir,
                from_step=args.from_step,
                to_step=args.to_step,
                resume=args.resume,
                jobs=args.jobs,
                observer=_TerminalObserver(progress),
            )
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
    if not args.quiet:
        console = Console()
        for table in summary_tables(result):
            console.print(table)
    print(f"run directory: {result.run_dir}")
    if not args.quiet:
        print(f"make the HTML report: tapeout report {result.run_dir}")
    return 0


def summary_tables(result: FlowResult) -> list[Table]:
    """A table of steps (status, runtime, peak memory) and one of the key metrics."""
    steps = Table(title=f"tapeout run: {result.run_dir.name}")
    steps.add_column("step")
    steps.add_column("status")
    steps.add_column("runtime s", justify="right")
    steps.add_column("peak MiB", justify="right")
    for outcome in result.outcomes:
        runtime = outcome.metrics.get(f"{outcome.name}__runtime__total_s", "")
        memory = outcome.metrics.get(f"{outcome.name}__mem__peak_mb", "")
        status = outcome.status
        if outcome.status != "ran":
            status = f"{outcome.status} ({outcome.reason})"
        steps.add_row(outcome.name, status, _format(runtime), _format(memory))
    tables = [steps]
    metrics = result.metrics()
    names = [name for name in KEY_METRICS if name in metrics]
    names += sorted(
        name
        for name, value in metrics.items()
        if name not in names
        and not isinstance(value, str)
        and name.split("__")[1:2] not in (["runtime"], ["cpu"], ["mem"])
    )
    if names:
        table = Table(title="key metrics")
        table.add_column("metric")
        table.add_column("value", justify="right")
        for name in names[:MAX_SUMMARY_METRICS]:
            table.add_row(name, _format(metrics[name]))
        tables.append(table)
    return tables


def _format(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1e5 else f"{value:.0f}"
    return str(value)
