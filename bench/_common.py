"""Plumbing the reader/writer benchmarks share: paths, the machine line, one-core measurements.

A measurement is a Python snippet run in a fresh interpreter pinned to one core, with warnings
silenced and thread pools at one thread; the snippet ends with ``report(name=value, ...)``, which
prints one JSON line holding the values and the process's peak RSS (``peak_mib``, unless the
snippet gives its own). ``rss_mib()`` is available inside the snippet too.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TAPEOUT_SHARED", REPO.parent / "shared"))
# Where tables go; set TAPEOUT_BENCH_RESULTS to try a script without touching the committed ones.
RESULTS = Path(os.environ.get("TAPEOUT_BENCH_RESULTS", REPO / "bench" / "results"))

_PRELUDE = """\
import json as _json, logging as _logging, os as _os, resource as _resource
_logging.disable(_logging.WARNING)
_os.sched_setaffinity(0, {{{core}}})


def rss_mib():
    return _resource.getrusage(_resource.RUSAGE_SELF).ru_maxrss / 1024


def report(**values):
    values.setdefault("peak_mib", rss_mib())
    print(_json.dumps(values))

"""


def bench_core() -> int:
    """The core measurements are pinned to: the last one this process may use."""
    return sorted(os.sched_getaffinity(0))[-1]


def run_pinned(snippet: str, *args: object, timeout_s: float | None = None) -> dict[str, Any]:
    """Run ``snippet`` with ``args`` as ``sys.argv[1:]`` in a fresh interpreter on one core.

    Returns the JSON object of its last output line (see ``report``). Raises
    CalledProcessError (with the child's stderr) when the snippet fails.
    """
    done = subprocess.run(
        [sys.executable, "-c", _PRELUDE.format(core=bench_core()) + snippet, *map(str, args)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=timeout_s,
        env={**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"},
    )
    if done.returncode != 0:
        raise subprocess.CalledProcessError(done.returncode, "snippet", done.stdout, done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def cpu_model() -> str:
    """The CPU model name from /proc/cpuinfo."""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def machine_line() -> str:
    """``Machine: <cpu>, N cores (one used); Python x, numpy y. <date>.`` for a table's head."""
    return (
        f"Machine: {cpu_model()}, {os.cpu_count()} cores (one used); Python "
        f"{platform.python_version()}, numpy {np.__version__}. "
        f"{time.strftime('%Y-%m-%d', time.gmtime())}."
    )


def write_result(name: str, text: str) -> Path:
    """Write ``text`` to ``RESULTS/<name>.md`` and return the path."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.md"
    path.write_text(text)
    return path
