"""Running the steps: the run directory, atomic step directories, resume, and per-step metrics.

Layout of a run directory (``<config dir>/runs/<design>`` unless given)::

    run.json              the configuration file, design, platform and step list of the last run
    01_synth/             one directory per finished step, renamed into place when complete:
        <design>.v          its standard files
        <design>.sdc
        metrics.json        metrics with OpenROAD-flow-scripts names, plus runtime and memory
        step.log            the step's log lines ([WARN SYN-0001] ...)
        manifest.json       hashes of inputs, options and outputs; the tapeout version
    01_synth.tmp-<pid>/   a step being written (removed by the next run)
    01_synth.failed/      the last failed attempt of a step, kept for its step.log
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import math
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from tapeout import __version__
from tapeout.errors import ConfigError, InputFileError, TapeoutError, ToolError
from tapeout.fileio import write_text
from tapeout.flow.config import FlowConfig
from tapeout.flow.manifest import file_sha256, new_manifest, stale_reason, write_manifest
from tapeout.flow.metrics import METRICS_NAME, ResourceMeter
from tapeout.flow.steps import STEPS, Metrics, Step, StepContext, find_step
from tapeout.log import Log
from tapeout.platforms.builtin import is_builtin_root

LOG_NAME = "step.log"
RUN_INFO_NAME = "run.json"


@dataclass(frozen=True)
class StepOutcome:
    """What happened to one step in a run: "ran", "skipped" (up to date) or "reused" (--from)."""

    name: str
    directory: Path
    status: str
    reason: str
    metrics: Metrics = field(default_factory=dict)


@dataclass(frozen=True)
class FlowResult:
    """The outcome of ``run_flow``: the run directory and each considered step's outcome."""

    run_dir: Path
    outcomes: tuple[StepOutcome, ...]

    def metrics(self) -> Metrics:
        """All outcomes' metrics merged (later steps win)."""
        merged: Metrics = {}
        for outcome in self.outcomes:
            merged.update(outcome.metrics)
        return merged


class FlowObserver(Protocol):
    """Receives progress of a run (the terminal shows it with rich; tests record it)."""

    def step_started(self, name: str, reason: str) -> None: ...

    def step_progress(self, name: str, fraction: float) -> None: ...

    def step_finished(self, outcome: StepOutcome) -> None: ...


class _SilentObserver:
    def step_started(self, name: str, reason: str) -> None:
        pass

    def step_progress(self, name: str, fraction: float) -> None:
        pass

    def step_finished(self, outcome: StepOutcome) -> None:
        pass


def default_run_dir(config: FlowConfig) -> Path:
    """``runs/<design>`` beside the configuration file."""
    return config.directory / "runs" / config.design.name


def step_directory_name(index: int, step: Step) -> str:
    """``NN_<step>`` for the step at 0-based ``index`` of the step list."""
    return f"{index + 1:02d}_{step.name}"


def run_flow(
    config: FlowConfig,
    *,
    run_dir: Path | None = None,
    from_step: str | None = None,
    to_step: str | None = None,
    resume: bool = False,
    jobs: int = 1,
    steps: tuple[Step, ...] = STEPS,
    observer: FlowObserver | None = None,
    log: Log | None = None,
) -> FlowResult:
    """Run ``steps`` from ``from_step`` to ``to_step`` (inclusive) for ``config``.

    Without ``resume`` every step in the range runs. With ``resume`` a step runs only when its
    directory is incomplete, its options, inputs or tapeout version changed, an output is
    missing or corrupt, or an earlier step ran in this invocation. Steps before ``from_step``
    must already be complete in ``run_dir``; their outputs are used as they are.
    """
    if jobs < 1:
        raise ConfigError(f"--jobs must be at least 1, got {jobs}")
    observer = observer or _SilentObserver()
    log = log or Log()
    run_dir = (run_dir or default_run_dir(config)).absolute()
    first = find_step(from_step, steps) if from_step else 0
    last = find_step(to_step, steps) if to_step else len(steps) - 1
    if first > last:
        raise ConfigError(f"--from {from_step} comes after --to {to_step}")
    _check_run_directory(run_dir, config)
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputFileError(f"cannot create the run directory: {error}", file=run_dir) from None
    outcomes: list[StepOutcome] = []
    with _locked(run_dir):
        _remove_leftovers(run_dir)
        _write_run_info(run_dir, config, steps)
        upstream_ran = False
        for index, step in enumerate(steps[: last + 1]):
            directory = run_dir / step_directory_name(index, step)
            options = step.options(config)
            if index < first:
                reason = _reused_reason(directory, step, config, steps, index, run_dir)
                if reason != "up to date":
                    log.warn("FLOW-0001", f"--from {from_step}: {step.name} {reason}")
                outcomes.append(StepOutcome(step.name, directory, "reused", reason))
                continue
            inputs = _input_hashes(step, config, steps, index, run_dir)
            if upstream_ran:
                reason = "an earlier step ran"
            elif not resume:
                reason = "requested"
            else:
                reason = stale_reason(directory, options, inputs) or ""
            if not reason:
                shutil.rmtree(run_dir / f"{directory.name}.failed", ignore_errors=True)
                outcome = StepOutcome(
                    step.name, directory, "skipped", "up to date", _read_metrics(directory)
                )
                observer.step_finished(outcome)
                outcomes.append(outcome)
                continue
            observer.step_started(step.name, reason)
            metrics = _run_step(
                step, index, config, steps, run_dir, options, inputs, jobs, observer
            )
            upstream_ran = True
            outcome = StepOutcome(step.name, directory, "ran", reason, metrics)
            observer.step_finished(outcome)
            outcomes.append(outcome)
        if upstream_ran:
            _remove_stale_later_steps(run_dir, steps, last)
    return FlowResult(run_dir, tuple(outcomes))


def _check_run_directory(run_dir: Path, config: FlowConfig) -> None:
    """Refuse a run directory where a run could replace or delete the user's files.

    A run rewrites ``run.json`` and step directories and removes leftovers, so the directory
    must not hold (or be) an input, and must be new, empty or an earlier run's directory.
    """
    design = config.design
    inputs = [config.path, *design.sources, *design.include_dirs]
    inputs += [path for path in (design.sdc, design.pdk_root) if path is not None]
    inputs = [path for path in inputs if not is_builtin_root(path)]
    resolved = run_dir.resolve()
    for path in inputs:
        path = path.resolve()
        if path == resolved or resolved in path.parents:
            raise ConfigError(
                f"the run directory {run_dir} holds the input {path}; a run replaces files there",
                file=config.path,
                hint="give --run-dir a new or empty directory (default: runs/<design>)",
            )
    if not run_dir.is_dir():
        return
    try:
        entries = [entry.name for entry in run_dir.iterdir() if entry.name != ".lock"]
    except OSError as error:
        raise InputFileError(f"cannot read the run directory: {error}", file=run_dir) from None
    if entries and not _is_run_directory(run_dir):
        raise ConfigError(
            f"the run directory {run_dir} is not empty and holds no earlier run ({RUN_INFO_NAME})",
            file=config.path,
            hint="give --run-dir a new or empty directory, or a directory `tapeout run` made",
        )


def _is_run_directory(run_dir: Path) -> bool:
    try:
        info = json.loads((run_dir / RUN_INFO_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(info, dict) and "tapeout_version" in info


def _read_metrics(directory: Path) -> Metrics:
    try:
        data = json.loads((directory / METRICS_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _relative_label(path: Path, config: FlowConfig) -> str:
    try:
        return path.resolve().relative_to(config.directory.resolve()).as_posix()
    except ValueError:
        return str(path.resolve())


def _producer(kind: str, steps: tuple[Step, ...], index: int) -> int:
    """Index of the latest step before ``index`` that writes files of ``kind``."""
    for earlier in range(index - 1, -1, -1):
        if any(output_kind == kind for output_kind, _ in steps[earlier].outputs):
            return earlier
    raise ConfigError(
        f"step {steps[index].name} needs a {kind!r} file but no earlier step writes one"
    )


def _input_paths(
    step: Step, config: FlowConfig, steps: tuple[Step, ...], index: int, run_dir: Path
) -> dict[str, tuple[str, Path]]:
    """kind -> (label, path) of the files ``step`` reads from earlier steps."""
    paths = {}
    for kind in step.inputs:
        producer_index = _producer(kind, steps, index)
        producer = steps[producer_index]
        directory_name = step_directory_name(producer_index, producer)
        name = producer.output_name(kind, config)
        paths[kind] = (f"{directory_name}/{name}", run_dir / directory_name / name)
    return paths


def _input_hashes(
    step: Step, config: FlowConfig, steps: tuple[Step, ...], index: int, run_dir: Path
) -> dict[str, str]:
    hashes = {}
    for label, path in _input_paths(step, config, steps, index, run_dir).values():
        if not path.is_file():
            raise ConfigError(
                f"step {step.name} needs {label}, which is missing in {run_dir}",
                hint="run the earlier steps first (drop --from)",
            )
        hashes[label] = file_sha256(path)
    for path in step.files(config):
        hashes[_relative_label(path, config)] = file_sha256(path)
    return hashes


def _reused_reason(
    directory: Path,
    step: Step,
    config: FlowConfig,
    steps: tuple[Step, ...],
    index: int,
    run_dir: Path,
) -> str:
    """A step before --from must be complete; say whether it is also current."""
    try:
        inputs = _input_hashes(step, config, steps, index, run_dir)
    except ConfigError:
        inputs = {}
    problem = stale_reason(directory, step.options(config), inputs)
    if problem is None:
        return "up to date"
    if problem.startswith(("options changed", "inputs changed")):
        return f"used as it is, although {problem}"
    raise ConfigError(
        f"--from needs step {step.name} complete in {directory}: {problem}",
        hint="run without --from (or with --resume) first",
    )


def _run_step(
    step: Step,
    index: int,
    config: FlowConfig,
    steps: tuple[Step, ...],
    run_dir: Path,
    options: dict,
    inputs: dict[str, str],
    jobs: int,
    observer: FlowObserver,
) -> Metrics:
    """Run one step into a temporary directory and rename it into place when complete."""
    final = run_dir / step_directory_name(index, step)
    temporary = run_dir / f"{final.name}.tmp-{os.getpid()}"
    if temporary.exists():
        shutil.rmtree(temporary)
    temporary.mkdir()
    log = Log()
    context = StepContext(
        step=step,
        config=config,
        directory=temporary,
        inputs={
            kind: path
            for kind, (_, path) in _input_paths(step, config, steps, index, run_dir).items()
        },
        jobs=jobs,
        log=log,
        progress=lambda fraction: observer.step_progress(step.name, fraction),
    )
    meter = ResourceMeter()
    started = time.perf_counter()
    try:
        with _step_log(temporary / LOG_NAME):
            meter.start()
            metrics = _plain_metrics(step.run(context))
            metrics.update(meter.stop(step.name))
        _rewrite_paths(temporary / LOG_NAME, temporary, final)
        missing = [name for name in step.output_names(config) if not (temporary / name).is_file()]
        if missing:
            raise ToolError(f"step {step.name} finished without writing {', '.join(missing)}")
        write_text(temporary / METRICS_NAME, json.dumps(metrics, indent=2, sort_keys=True) + "\n")
        manifest = new_manifest(
            step.name,
            options,
            inputs,
            temporary,
            [*step.output_names(config), METRICS_NAME, LOG_NAME],
            round(time.perf_counter() - started, 4),
            datetime.now(UTC).isoformat(timespec="seconds"),
        )
        write_manifest(temporary, manifest)  # last: its presence marks the directory complete
    except BaseException as error:
        failed = run_dir / f"{final.name}.failed"
        with contextlib.suppress(OSError):
            if failed.exists():
                shutil.rmtree(failed)
            temporary.rename(failed)
        if isinstance(error, TapeoutError):
            # Paths inside the step's temporary directory now lie in the .failed one.
            moved = (str(temporary), str(failed))
            if error.file is not None:
                error.file = error.file.replace(*moved)
            if error.hint is None:
                error.hint = f"the step's log is in {failed / LOG_NAME}"
            error.hint = error.hint.replace(*moved)
        raise
    _replace_directory(temporary, final)
    return metrics


def _plain_metrics(metrics: Metrics) -> Metrics:
    """Metrics as plain JSON values: numpy scalars unwrapped, non-finite floats as strings."""
    plain: Metrics = {}
    for name, value in metrics.items():
        item = value.item() if hasattr(value, "item") else value
        if isinstance(item, float) and not math.isfinite(item):
            item = str(item)
        if not isinstance(item, bool | int | float | str):
            raise ToolError(f"metric {name} has a value of type {type(item).__name__}")
        plain[str(name)] = item
    return plain


def _rewrite_paths(log_path: Path, temporary: Path, final: Path) -> None:
    """Name the final directory, not the temporary one, in the step's log."""
    text = log_path.read_text(encoding="utf-8")
    if str(temporary) in text:
        write_text(log_path, text.replace(str(temporary), str(final)))


def _replace_directory(new: Path, final: Path) -> None:
    """Rename ``new`` to ``final``; an existing ``final`` is moved aside first, then removed."""
    old = final.with_name(f"{final.name}.old-{os.getpid()}")
    if final.exists():
        final.rename(old)
    new.rename(final)
    if old.exists():
        shutil.rmtree(old)
    failed = final.with_name(f"{final.name}.failed")
    if failed.exists():
        shutil.rmtree(failed, ignore_errors=True)


def _remove_leftovers(run_dir: Path) -> None:
    """Remove ``.tmp-<pid>`` and ``.old-<pid>`` directories of earlier, interrupted runs."""
    for path in run_dir.iterdir():
        if ".tmp-" in path.name or ".old-" in path.name:
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def _remove_stale_later_steps(run_dir: Path, steps: tuple[Step, ...], last: int) -> None:
    """Steps after ``last`` were made from outputs that just changed: remove them."""
    for index in range(last + 1, len(steps)):
        directory = run_dir / step_directory_name(index, steps[index])
        if directory.exists():
            shutil.rmtree(directory)


def _write_run_info(run_dir: Path, config: FlowConfig, steps: tuple[Step, ...]) -> None:
    info = {
        "tapeout_version": __version__,
        "config": str(config.path),
        "design": config.design.name,
        "top": config.design.top,
        "platform": config.design.platform,
        "pdk_root": str(config.design.pdk_root) if config.design.pdk_root else None,
        "steps": [step_directory_name(index, step) for index, step in enumerate(steps)],
    }
    write_text(run_dir / RUN_INFO_NAME, json.dumps(info, indent=2) + "\n")


@contextlib.contextmanager
def _locked(run_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``run_dir`` so two runs never write it at once."""
    with open(run_dir / ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ConfigError(
                f"another tapeout run is using {run_dir}", hint="wait for it or use --run-dir"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def _step_log(path: Path) -> Iterator[None]:
    """Copy the ``tapeout`` logger's lines into ``path`` while the step runs."""
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(message)s"))
    handler.setLevel(logging.INFO)
    logger = logging.getLogger("tapeout")
    previous = logger.level
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)
        handler.close()
