"""LEF reader benchmark: parse time and peak memory per PDK (tech + cell LEF), one core.

Run: ``.venv/bin/python bench/bench_lef.py`` (writes bench/results/lef.md). Each measurement
runs in a fresh interpreter pinned to one core. The peer figure is KLayout's C++ LEF reader
(``klayout.db.Layout.read`` with the tech LEF in ``lef_files``) on the same files, which builds
cell geometry only (no layer rules), so it is a yardstick rather than a like-for-like.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

try:
    from bench._common import SHARED, machine_line, run_pinned, write_result
except ModuleNotFoundError:  # run as ``python bench/<script>.py``: bench/ is on sys.path
    from _common import SHARED, machine_line, run_pinned, write_result

INPUTS = {
    "sky130hd": ("sky130hd/lef/sky130_fd_sc_hd.tlef", "sky130hd/lef/sky130_fd_sc_hd_merged.lef"),
    "nangate45": (
        "nangate45/lef/NangateOpenCellLibrary.tech.lef",
        "nangate45/lef/NangateOpenCellLibrary.macro.mod.lef",
    ),
    "ihp-sg13g2": ("ihp-sg13g2/lef/sg13g2_tech.lef", "ihp-sg13g2/lef/sg13g2_stdcell.lef"),
}
TARGET_S = 0.5
REPEATS = 5

_OURS = """
import sys, time, tracemalloc
from pathlib import Path
from tapeout.formats.lef import read_lef
from tapeout.log import Log
paths = [Path(p) for p in sys.argv[2:]]
baseline_mib = rss_mib()
best_all = best_cells = float("inf")
for _ in range(int(sys.argv[1])):
    start = time.perf_counter()
    result = read_lef(paths, log=Log())
    best_all = min(best_all, time.perf_counter() - start)
    tech = read_lef(paths[0], log=Log()).tech
    start = time.perf_counter()
    cells = read_lef(paths[1], log=Log(), tech=tech)
    best_cells = min(best_cells, time.perf_counter() - start)
    macros = len(result.macros)
    del result, cells, tech
peak_mib = rss_mib()
tracemalloc.start()
result = read_lef(paths, log=Log())
traced = tracemalloc.get_traced_memory()[1]
report(seconds=best_all, cells_seconds=best_cells, macros=macros, peak_mib=peak_mib,
       baseline_mib=baseline_mib, traced_mib=traced / 2**20)
"""

_KLAYOUT = """
import sys, time
import klayout.db as db
best = float("inf")
for _ in range(int(sys.argv[1])):
    start = time.perf_counter()
    layout = db.Layout()
    options = db.LoadLayoutOptions()
    config = options.lefdef_config
    config.lef_files = [sys.argv[2]]
    options.lefdef_config = config
    layout.read(sys.argv[3], options)
    best = min(best, time.perf_counter() - start)
report(seconds=best)
"""


def _run(script: str, paths: list[Path]) -> dict[str, float]:
    return run_pinned(script, REPEATS, *paths)


def main() -> int:
    rows = []
    for pdk, relatives in INPUTS.items():
        paths = [SHARED / "pdks" / relative for relative in relatives]
        if not all(path.exists() for path in paths):
            print(f"missing files for {pdk}, skipped", file=sys.stderr)
            continue
        size_mb = sum(path.stat().st_size for path in paths) / 1e6
        ours = _run(_OURS, paths)
        try:
            peer = f"{_run(_KLAYOUT, paths)['seconds']:.3f}"
        except (subprocess.CalledProcessError, json.JSONDecodeError):
            peer = "n/a"
        status = "ok" if ours["seconds"] <= TARGET_S else "MISSED"
        rows.append(
            f"| {pdk}: {' + '.join(path.name for path in paths)} | {size_mb:.2f} | "
            f"{int(ours['macros'])} | {ours['seconds']:.3f} | {ours['cells_seconds']:.3f} | "
            f"{ours['traced_mib']:.0f} | {ours['peak_mib']:.0f} ({ours['baseline_mib']:.0f}) | "
            f"{peer} | ≤ {TARGET_S} s {status} |"
        )
        print(rows[-1], flush=True)
    text = "\n".join(
        [
            "# LEF reader benchmark",
            "",
            machine_line(),
            "",
            f"`read_lef` wall time is the best of {REPEATS} reads in a fresh process pinned to"
            " one core: tech + cells together, and the cell LEF alone given the tech read"
            " before. Peak RSS is the process maximum (in brackets: after imports, before"
            " reading); traced peak is tracemalloc's peak during one tech + cells read. KLayout"
            " is `klayout.db` 0.30 reading the same two files (C++; geometry only).",
            "",
            "| PDK: files | MB | macros | read_lef s (tech+cells) | cells only s"
            " | traced peak MiB | peak RSS MiB | KLayout s | target |",
            "|---|---|---|---|---|---|---|---|---|",
            *rows,
            "",
            "Reproduce: `.venv/bin/python bench/bench_lef.py`.",
            "",
        ]
    )
    print(f"wrote {write_result('lef', text)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
