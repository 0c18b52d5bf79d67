"""Per-step resource measurement and reading the metrics of a run directory back.

Resource metrics (units in the names, OpenROAD-flow-scripts style stage prefix):
``<step>__runtime__total_s`` wall seconds, ``<step>__cpu__total_s`` CPU seconds of the process
and its finished child processes, ``<step>__mem__peak_mb`` peak resident memory in MiB of the
process during the step (Linux resets the high-water mark per step through
``/proc/self/clear_refs``; elsewhere it is the process peak so far) or of a child process the step
started, whichever is larger.
"""

from __future__ import annotations

import json
import re
import resource
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tapeout.flow.manifest import MANIFEST_NAME, Manifest, read_manifest

METRICS_NAME = "metrics.json"
STEP_DIRECTORY = re.compile(r"^(\d\d)_([a-z0-9_]+)$")


def _reset_peak_memory() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def _peak_memory_kib() -> int:
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak


def _children_peak_kib() -> int:
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@dataclass
class ResourceMeter:
    """Measures one step: call ``start()`` before and ``stop(step)`` after it."""

    _wall: float = 0.0
    _cpu: float = 0.0
    _children_peak_kib: int = 0

    def start(self) -> None:
        _reset_peak_memory()
        self._children_peak_kib = _children_peak_kib()
        self._cpu = _cpu_seconds()
        self._wall = time.perf_counter()

    def stop(self, step: str) -> dict[str, float]:
        """The step's resource metrics (see the module docstring for names and units)."""
        wall = time.perf_counter() - self._wall
        cpu = _cpu_seconds() - self._cpu
        peak_kib = _peak_memory_kib()
        children_kib = _children_peak_kib()
        if children_kib > self._children_peak_kib:  # a child of this step set a new maximum
            peak_kib = max(peak_kib, children_kib)
        return {
            f"{step}__runtime__total_s": round(wall, 4),
            f"{step}__cpu__total_s": round(cpu, 4),
            f"{step}__mem__peak_mb": round(peak_kib / 1024.0, 1),
        }


@dataclass(frozen=True)
class StepRecord:
    """A finished step found in a run directory."""

    index: int
    name: str
    directory: Path
    manifest: Manifest
    metrics: dict[str, float | int | str | bool]


def step_records(run_dir: Path) -> list[StepRecord]:
    """Finished steps in ``run_dir`` in step order (directories with a readable manifest).

    Temporary (``.tmp-<pid>``), replaced (``.old-<pid>``) and failed (``.failed``) directories
    are not steps and are skipped.
    """
    records = []
    for directory in sorted(run_dir.iterdir()) if run_dir.is_dir() else ():
        match = STEP_DIRECTORY.match(directory.name)
        if not match or not directory.is_dir():
            continue
        manifest = read_manifest(directory)
        if manifest is None or not (directory / MANIFEST_NAME).is_file():
            continue
        try:
            data = json.loads((directory / METRICS_NAME).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        # A hand-edited file may hold anything: keep the plain values a metric can have.
        metrics = {
            name: value
            for name, value in (data.items() if isinstance(data, dict) else ())
            if isinstance(value, bool | int | float | str)
        }
        records.append(
            StepRecord(int(match.group(1)), match.group(2), directory, manifest, metrics)
        )
    return records


def collect_metrics(run_dir: Path) -> dict[str, float | int | str | bool]:
    """All steps' metrics of ``run_dir`` merged into one dictionary (later steps win)."""
    merged: dict[str, float | int | str | bool] = {}
    for record in step_records(run_dir):
        merged.update(record.metrics)
    return merged
