"""Structural Verilog reader/writer benchmark: a generated 1,000,000-instance netlist, one core.

Run: ``.venv/bin/python bench/bench_verilog.py [n_insts]`` (writes bench/results/verilog.md).
The netlist is ``make_netlist(n)`` written by our writer into a temporary folder, never committed.
Writing and reading each run in a fresh interpreter pinned to one core; peak memory is that
process's ``ru_maxrss``. The peer figure is OpenSTA's C++ ``read_verilog`` (the Debian ``sta``
binary, timed with Tcl ``time``) on the same file: it parses without linking, a yardstick.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

try:
    from bench._common import SHARED, machine_line, run_pinned, write_result
except ModuleNotFoundError:  # run as ``python bench/<script>.py``: bench/ is on sys.path
    from _common import SHARED, machine_line, run_pinned, write_result

TARGET_READ_S = 10.0
TARGET_PEAK_MIB = 2048.0

_WRITE = """
import sys, time
from tapeout.db.synthetic import make_netlist
from tapeout.formats.verilog import write_verilog
n = int(sys.argv[1])
start = time.perf_counter()
netlist = make_netlist(n, seed=0)
made = time.perf_counter() - start
start, cpu = time.perf_counter(), time.process_time()
write_verilog(sys.argv[2], netlist)
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
report(generate_seconds=made, seconds=seconds, cpu_seconds=cpu, pins=netlist.n_pins,
       nets=netlist.n_nets)
"""

_READ = """
import sys, time
from tapeout.formats.verilog import read_verilog, write_verilog
from tapeout.log import Log
baseline = rss_mib()
start, cpu = time.perf_counter(), time.process_time()
netlist = read_verilog(sys.argv[1], log=Log())
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
peak = rss_mib()
start = time.perf_counter()
write_verilog(sys.argv[2], netlist)
rewrite = time.perf_counter() - start
report(seconds=seconds, cpu_seconds=cpu, insts=netlist.n_insts, pins=netlist.n_pins,
       baseline_mib=baseline, peak_mib=peak, rewrite_seconds=rewrite)
"""


def _opensta(path: Path, folder: Path) -> float | None:
    """Seconds OpenSTA's ``read_verilog`` takes on ``path``, or None without ``sta``."""
    if shutil.which("sta") is None:
        return None
    script = folder / "read.tcl"
    script.write_text(f"puts [time {{read_verilog {path}}}]\n")
    done = subprocess.run(
        ["taskset", "-c", "0", "sta", "-no_splash", "-exit", str(script)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    match = re.search(r"(\d+) microseconds per iteration", done.stdout)
    return int(match.group(1)) / 1e6 if match else None


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        path = folder / f"synthetic_{n}.v"
        write = run_pinned(_WRITE, str(n), str(path))
        size_mib = path.stat().st_size / 2**20
        reads = [run_pinned(_READ, str(path), str(folder / "again.v")) for _ in range(3)]
        read = min(reads, key=lambda r: r["seconds"])
        gcd = SHARED / "sta/gcd_sky130hd/gcd_sky130hd.v"
        small = run_pinned(_READ, str(gcd), str(folder / "gcd.v")) if gcd.exists() else None
        opensta = _opensta(path, folder)
    ok_time = read["seconds"] <= TARGET_READ_S
    ok_memory = read["peak_mib"] <= TARGET_PEAK_MIB
    lines = [
        "# Structural Verilog reader/writer benchmark",
        "",
        machine_line(),
        "",
        f"Input: generated netlist, {n:,} instances, {write['nets']:,} nets, "
        f"{write['pins']:,} pins; {size_mib:.0f} MiB (`make_netlist`, written by our writer "
        "into a temporary folder).",
        "",
        "| step | wall s | CPU s | peak memory (MiB) | target | met |",
        "|---|---:|---:|---:|---|---|",
        f"| read_verilog (best of {len(reads)}) | {read['seconds']:.2f} | "
        f"{read['cpu_seconds']:.2f} | {read['peak_mib']:.0f} | "
        f"≤ {TARGET_READ_S:.0f} s, ≤ {TARGET_PEAK_MIB:.0f} MiB | "
        f"{'yes' if ok_time and ok_memory else 'NO'} |",
        f"| write_verilog (generated netlist) | {write['seconds']:.2f} | "
        f"{write['cpu_seconds']:.2f} | {write['peak_mib']:.0f} (with generation) | fast | – |",
        f"| write_verilog (netlist as read) | {read['rewrite_seconds']:.2f} | – | – | fast | – |",
    ]
    if small is not None:
        lines.append(
            f"| read_verilog gcd_sky130hd ({small['insts']:,} instances) | "
            f"{small['seconds']:.3f} | {small['cpu_seconds']:.3f} | {small['peak_mib']:.0f} "
            "| – | – |"
        )
    if opensta is not None:
        lines.append(
            f"| peer: OpenSTA (Debian `sta`) read_verilog, no link | {opensta:.2f} "
            "| – | – | – | – |"
        )
    lines += [
        "",
        "Wall time is on a 2-core machine shared with other jobs; CPU time is the process's own "
        "(user + system) time on its one core, the figure to compare when the load is high.",
        "Read runs (s): " + ", ".join(f"{r['seconds']:.2f}" for r in reads) + "; interpreter "
        f"baseline memory {read['baseline_mib']:.0f} MiB is included in the peak.",
        f"Generation of the netlist took {write['generate_seconds']:.1f} s (not counted).",
        "",
    ]
    table = "\n".join(lines)
    print(table)
    write_result("verilog", table)


if __name__ == "__main__":
    main()
