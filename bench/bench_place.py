"""Placement benchmark: our placer and coloquinte on the same designs, legal HPWL and runtime.

Run: ``.venv/bin/python bench/bench_place.py`` (writes bench/results/place.md). Each placer runs
in a fresh interpreter pinned to one core. Both final placements are scored by the same HPWL
function (``PlacementProblem.hpwl``: pin = cell centre + offset) and checked by the tests'
independent legality checker. Runtime is placement only (global + legalization + detailed),
not file reading; ours is measured after a warm-up on a tiny design so numba's cache load is
not counted (first-ever compilation takes about a minute once per machine).
Coloquinte (PyPI ``coloquinte``, C++) runs at its default effort 3 with seed 1; it reads only
integer Bookshelf files, so the design is written once with integral values to a temp folder.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TAPEOUT_SHARED", REPO.parent / "shared"))
DESIGNS = {"ibm01": "benchmarks/bookshelf/ibm01/ibm01.aux.gz"}
WARMUP = "benchmarks/bookshelf/dreamplace_simple/simple.aux.gz"
HPWL_TARGET = 0.97

_COMMON = f"""
import json, os, resource, sys, time, logging
os.sched_setaffinity(0, {{0}})
sys.path.insert(0, {str(REPO)!r})
logging.disable(logging.WARNING)
import numpy as np
from tapeout.formats.bookshelf import read_bookshelf
from tapeout.place import PlaceOptions, place_problem, problem_from_bookshelf
from tapeout.log import Log
from tests.place.legality import legality_errors
design = read_bookshelf(sys.argv[1], log=Log())
problem = problem_from_bookshelf(design)
fixed_x, fixed_y = problem.cell_x.copy(), problem.cell_y.copy()
"""

_OURS = (
    _COMMON
    + """
warm = problem_from_bookshelf(read_bookshelf(sys.argv[2], log=Log()))
place_problem(warm, PlaceOptions(), log=Log())
start = time.perf_counter()
report = place_problem(problem, PlaceOptions(), log=Log())
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "hpwl": problem.hpwl(),
                  "global_seconds": report.global_result.seconds,
                  "global_hpwl": report.global_result.hpwl,
                  "iterations": report.global_result.iterations,
                  "overflow": report.global_result.overflow,
                  "legal_hpwl": report.legalize_result.hpwl,
                  "errors": legality_errors(problem, fixed_x, fixed_y),
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""
)

_COLOQUINTE = (
    _COMMON
    + """
import coloquinte
circuit = coloquinte.Circuit.read_ispd(sys.argv[2])
params = coloquinte.ColoquinteParameters(3, 1)
start = time.perf_counter()
circuit.place_global(params)
circuit.legalize(params)
circuit.place_detailed(params)
seconds = time.perf_counter() - start
movable = ~problem.cell_fixed
problem.cell_x[movable] = np.asarray(circuit.cell_x, dtype=np.float64)[movable]
problem.cell_y[movable] = np.asarray(circuit.cell_y, dtype=np.float64)[movable]
print(json.dumps({"seconds": seconds, "hpwl": problem.hpwl(), "own_hpwl": circuit.hpwl(),
                  "errors": legality_errors(problem, fixed_x, fixed_y),
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""
)


def _run(code: str, *args: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def _integer_copy(aux: Path, folder: Path) -> Path:
    """The design rewritten for coloquinte, which parses sizes and positions as integers."""
    sys.path.insert(0, str(REPO / "src"))
    from tapeout.formats.bookshelf import read_bookshelf, write_bookshelf
    from tapeout.log import Log

    design = read_bookshelf(aux, log=Log())
    for name in ("node_width", "node_height", "node_x", "node_y"):
        values = getattr(design, name)
        if not np.all(values == np.round(values)):
            raise RuntimeError(f"{aux}: {name} is not integral; coloquinte cannot read it")
    return write_bookshelf(folder, design.name, design)


def main() -> None:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    from importlib.metadata import version

    import coloquinte  # noqa: F401  (fail early when missing)

    rows = []
    for name, relative in DESIGNS.items():
        aux = SHARED / relative
        ours = _run(_OURS, str(aux), str(SHARED / WARMUP))
        with tempfile.TemporaryDirectory() as folder:
            copy = _integer_copy(aux, Path(folder))
            theirs = _run(_COLOQUINTE, str(aux), str(copy))
        rows.append((name, ours, theirs))
        print(name, json.dumps(ours), json.dumps(theirs), flush=True)
    lines = [
        "# Placement benchmark: tapeout.place vs coloquinte",
        "",
        f"Machine: {cpu}, {os.cpu_count()} cores (shared; each run pinned to one core), "
        f"Python {platform.python_version()}, numpy {np.__version__}, "
        f"coloquinte {version('coloquinte')}.",
        "",
        "Both final placements are scored by the same HPWL (pin = cell centre + offset, net "
        "weights) and checked by `tests/place/legality.py` (rows, sites, overlaps, fixed cells). "
        "Time: placement only (global + legalization + detailed), one core, wall clock.",
        f"Targets: our HPWL <= {HPWL_TARGET} x coloquinte's, our time <= coloquinte's.",
        "",
        "| design | cells | ours HPWL | coloquinte HPWL | ratio | ours s | coloquinte s | "
        "ours peak MiB | coloquinte peak MiB | legal (ours/theirs) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, ours, theirs in rows:
        ratio = ours["hpwl"] / theirs["hpwl"]
        legal = f"{'yes' if not ours['errors'] else 'NO'}/{'yes' if not theirs['errors'] else 'NO'}"
        lines.append(
            f"| {name} | {_cells(name)} | {ours['hpwl']:.4g} | {theirs['hpwl']:.4g} | "
            f"{ratio:.3f} | "
            f"{ours['seconds']:.2f} | {theirs['seconds']:.2f} | {ours['peak_mib']:.0f} | "
            f"{theirs['peak_mib']:.0f} | {legal} |"
        )
    lines.append("")
    lines.append("Ours, by stage:")
    lines.append("")
    for name, ours, _ in rows:
        lines.append(
            f"- {name}: global {ours['global_seconds']:.2f} s, {ours['iterations']} Nesterov "
            f"iterations, overflow {ours['overflow']:.3f}, HPWL {ours['global_hpwl']:.4g}; "
            f"after legalization {ours['legal_hpwl']:.4g}; final {ours['hpwl']:.4g}."
        )
    text = "\n".join(lines) + "\n"
    print(text)
    out = REPO / "bench" / "results" / "place.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)


def _cells(name: str) -> str:
    return {"ibm01": "12,036 + 246 fixed"}.get(name, "?")


if __name__ == "__main__":
    main()
