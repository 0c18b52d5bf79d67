"""SPEF reader/writer benchmark: read and write time and peak memory, one core.

Run: ``.venv/bin/python bench/bench_spef.py`` (writes bench/results/spef.md). Inputs: the gcd
SPEF from OpenRCX in ../shared and a synthetic SPEF of 20,000 nets (4 pins, 8 capacitors, 5
resistors each). Each measurement runs in a fresh interpreter pinned to one core. The peer
figure is the Debian OpenSTA (``sta``, C++) ``read_spef`` on the gcd files, timed inside its Tcl
with ``clock microseconds`` after read_liberty + read_verilog + link_design.
"""

from __future__ import annotations

import random
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

try:
    from bench._common import SHARED, machine_line, run_pinned, write_result
except ModuleNotFoundError:  # run as ``python bench/<script>.py``: bench/ is on sys.path
    from _common import SHARED, machine_line, run_pinned, write_result

GCD = SHARED / "sta/gcd_sky130hd"
REPEATS = 5
TARGET_S = 1.0

_OURS = """
import sys, time
from pathlib import Path
from tapeout.formats.spef import read_spef, write_spef
from tapeout.log import Log
path = Path(sys.argv[2])
best_read = best_write = float("inf")
for _ in range(int(sys.argv[1])):
    start = time.perf_counter()
    parasitics = read_spef(path, log=Log())
    best_read = min(best_read, time.perf_counter() - start)
    start = time.perf_counter()
    write_spef(sys.argv[3], parasitics)
    best_write = min(best_write, time.perf_counter() - start)
report(read_s=best_read, write_s=best_write, nets=parasitics.n_nets,
       caps=int(parasitics.cap_ff.size))
"""

_BASELINE = """
from tapeout.formats.spef import read_spef, write_spef
report()
"""


def synthetic_spef(path: Path, n_nets: int, seed: int = 1) -> None:
    """A SPEF with ``n_nets`` nets of 4 pins, 8 capacitors (2 coupling) and 5 resistors."""
    rng = random.Random(seed)
    out = [
        '*SPEF "ieee 1481-1999"',
        '*DESIGN "synthetic"',
        '*DATE ""',
        '*VENDOR "tapeout"',
        '*PROGRAM "bench_spef"',
        '*VERSION "1"',
        '*DESIGN_FLOW "NAME_SCOPE LOCAL"',
        "*DIVIDER /",
        "*DELIMITER :",
        "*BUS_DELIMITER []",
        "*T_UNIT 1 NS",
        "*C_UNIT 1 PF",
        "*R_UNIT 1 OHM",
        "*L_UNIT 1 HENRY",
        "",
        "*NAME_MAP",
    ]
    out += [f"*{i + 1} n{i}" for i in range(n_nets)]
    out += [f"*{n_nets + i + 1} u{i}" for i in range(n_nets)]
    out.append("")
    for net in range(n_nets):
        driver = n_nets + net + 1
        loads = [n_nets + rng.randrange(n_nets) + 1 for _ in range(3)]
        out.append(f"*D_NET *{net + 1} {rng.uniform(0.001, 0.01):.6g}")
        out.append("*CONN")
        out.append(f"*I *{driver}:Y O *D BUF_X1")
        out += [f"*I *{load}:A I *D INV_X1" for load in loads]
        out.append("*CAP")
        nodes = [f"*{driver}:Y"] + [f"*{load}:A" for load in loads] + [f"*{net + 1}:1"]
        lines = [f"{i + 1} {node} {rng.uniform(1e-5, 1e-3):.6g}" for i, node in enumerate(nodes)]
        other = rng.randrange(n_nets) + 1
        lines.append(f"6 *{net + 1}:1 *{other}:1 {rng.uniform(1e-5, 1e-4):.6g}")
        lines.append(f"7 *{driver}:Y *{other}:1 {rng.uniform(1e-5, 1e-4):.6g}")
        lines.append(f"8 *{net + 1}:2 {rng.uniform(1e-5, 1e-4):.6g}")
        out += lines
        out.append("*RES")
        out.append(f"1 *{driver}:Y *{net + 1}:1 {rng.uniform(1, 50):.6g}")
        out.append(f"2 *{net + 1}:1 *{net + 1}:2 {rng.uniform(1, 50):.6g}")
        out += [
            f"{i + 3} *{net + 1}:2 *{load}:A {rng.uniform(1, 50):.6g}"
            for i, load in enumerate(loads)
        ]
        out.append("*END")
        out.append("")
    path.write_text("\n".join(out))


def run_ours(path: Path, scratch: Path) -> dict:
    return run_pinned(_OURS, REPEATS, path, scratch / "out.spef")


def run_opensta(scratch: Path) -> float | None:
    """OpenSTA's read_spef seconds on gcd (best of REPEATS), or None without ``sta``."""
    sta = shutil.which("sta")
    liberty = SHARED / "pdks/sky130hd/lib/sky130_fd_sc_hd__tt_025C_1v80.lib.gz"
    if sta is None or not liberty.exists():
        return None
    import gzip

    (scratch / "tt.lib").write_bytes(gzip.decompress(liberty.read_bytes()))
    script = scratch / "with.tcl"
    script.write_text(
        f"read_liberty tt.lib\nread_verilog {GCD / 'gcd_sky130hd.v'}\nlink_design gcd\n"
        "set start [clock microseconds]\n"
        f"read_spef {GCD / 'gcd_sky130hd.spef'}\n"
        'puts "SPEF_SECONDS [expr {([clock microseconds] - $start) / 1e6}]"\n'
    )
    times = []
    for _ in range(REPEATS):
        result = subprocess.run(
            ["taskset", "-c", "0", sta, "-no_init", "-exit", str(script)],
            cwd=scratch,
            capture_output=True,
            text=True,
            check=False,
        )
        found = re.search(r"SPEF_SECONDS (\S+)", result.stdout)
        if found:
            times.append(float(found.group(1)))
    return min(times) if times else None


def main() -> None:
    baseline = run_pinned(_BASELINE)["peak_mib"]
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        synthetic = scratch / "synthetic_20k.spef"
        synthetic_spef(synthetic, 20_000)
        inputs = [("gcd_sky130hd.spef (OpenRCX)", GCD / "gcd_sky130hd.spef")]
        inputs.append(("synthetic, 20k nets", synthetic))
        for label, path in inputs:
            figures = run_ours(path, scratch)
            size_mib = path.stat().st_size / 2**20
            rows.append((label, size_mib, figures))
        peer = run_opensta(scratch)
    lines = [
        "# SPEF reader/writer benchmark",
        "",
        machine_line(),
        f"Best of {REPEATS} runs. Peak memory is the process maximum RSS, including the "
        f"interpreter with tapeout imported ({baseline:.0f} MiB).",
        "",
        "| input | size MiB | nets | capacitors | read s | write s | read MiB/s | peak RSS MiB |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for label, size_mib, figures in rows:
        lines.append(
            f"| {label} | {size_mib:.2f} | {figures['nets']} | {figures['caps']} | "
            f"{figures['read_s']:.3f} | {figures['write_s']:.3f} | "
            f"{size_mib / figures['read_s']:.1f} | {figures['peak_mib']:.0f} |"
        )
    lines.append("")
    lines.append(f"Target: the gcd SPEF read in well under {TARGET_S:.0f} s.")
    if peer is not None:
        lines.append(
            f"Peer: Debian OpenSTA (2.0.17, C++) `read_spef` of gcd_sky130hd.spef: {peer:.3f} s "
            "(timed in its Tcl, after linking)."
        )
    text = "\n".join(lines) + "\n"
    write_result("spef", text)
    print(text)


if __name__ == "__main__":
    main()
