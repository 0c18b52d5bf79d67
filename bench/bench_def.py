"""DEF reader/writer benchmark: a generated placed design of 1,000,000 instances, one core.

Run: ``.venv/bin/python bench/bench_def.py [n_insts]`` (writes bench/results/def.md). The DEF is
generated into a temporary folder (``make_netlist`` + ``place_on_rows`` + power rails), never
committed. Writing and reading each run in a fresh interpreter pinned to one core; peak memory is
that process's ``ru_maxrss``. The peer figure is KLayout's C++ DEF reader (``Layout.read`` with the
sky130hd LEFs) on the same file, which builds geometry, not a netlist: a yardstick.
"""

from __future__ import annotations

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
import numpy as np
from tapeout.db.names import NameTable
from tapeout.db.physical import place_on_rows
from tapeout.db.synthetic import make_netlist
from tapeout.db.wires import Routing, Wires
from tapeout.formats.def_ import write_def
n = int(sys.argv[1])
start = time.perf_counter()
netlist = make_netlist(n, seed=0)
physical = place_on_rows(netlist, np.array([1380, 1380, 1380, 2300, 1380, 7360]))
wires = Wires.for_nets(netlist.n_nets)
wires.layers = NameTable(["met1"])
wires.special_net_names = NameTable(["VPWR", "VGND"])
wires.special_net_use = np.array([2, 3], np.int8)
wires.special_terms = NameTable(["VPWR", "VGND"])
wires.special_conn_net = np.array([0, 1], np.int32)
wires.special_conn_inst = np.array([-1, -1], np.int32)
wires.special_conn_term = np.array([0, 1], np.int32)
rows = physical.n_rows
ones = np.ones(rows, np.int64)
wires.special = Routing(
    seg_net=(np.arange(rows) % 2).astype(np.int32), seg_layer=np.zeros(rows, np.int32),
    seg_x0=0 * ones, seg_y0=physical.row_y, seg_x1=int(physical.die_area[1, 0]) * ones,
    seg_y1=physical.row_y, seg_width=480 * ones, seg_ext0=-ones, seg_ext1=-ones,
    seg_status=np.zeros(rows, np.int8), seg_shape=np.full(rows, 5, np.int8))
made = time.perf_counter() - start
start, cpu = time.perf_counter(), time.process_time()
write_def(sys.argv[2], netlist, physical, wires)
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
report(generate_seconds=made, seconds=seconds, cpu_seconds=cpu, pins=netlist.n_pins,
       nets=netlist.n_nets, rows=rows)
"""

_READ = """
import sys, time
from tapeout.formats.def_ import read_def
from tapeout.log import Log
baseline = rss_mib()
start, cpu = time.perf_counter(), time.process_time()
result = read_def(sys.argv[1], log=Log())
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
report(seconds=seconds, cpu_seconds=cpu, insts=result.netlist.n_insts,
       pins=result.netlist.n_pins, baseline_mib=baseline)
"""

_KLAYOUT = """
import sys, time
import klayout.db as db
options = db.LoadLayoutOptions()
options.lefdef_config.lef_files = sys.argv[2:]
start = time.perf_counter()
layout = db.Layout()
layout.read(sys.argv[1], options)
seconds = time.perf_counter() - start
report(seconds=seconds)
"""


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"synthetic_{n}.def"
        write = run_pinned(_WRITE, str(n), str(path))
        size_mib = path.stat().st_size / 2**20
        reads = [run_pinned(_READ, str(path)) for _ in range(3)]
        read = min(reads, key=lambda r: r["seconds"])
        lefs = [
            SHARED / "pdks/sky130hd/lef/sky130_fd_sc_hd.tlef",
            SHARED / "pdks/sky130hd/lef/sky130_fd_sc_hd_merged.lef",
        ]
        klayout = run_pinned(_KLAYOUT, str(path), *map(str, lefs)) if lefs[1].exists() else None
    ok_time = read["seconds"] <= TARGET_READ_S
    ok_memory = read["peak_mib"] <= TARGET_PEAK_MIB
    lines = [
        "# DEF reader/writer benchmark",
        "",
        machine_line(),
        "",
        f"Input: generated DEF, {n:,} placed instances, {write['nets']:,} nets, "
        f"{write['pins']:,} pins, {write['rows']:,} rows + power rails; {size_mib:.0f} MiB "
        "(`make_netlist` + `place_on_rows`, written by our writer into a temporary folder).",
        "",
        "| step | wall s | CPU s | peak memory (MiB) | target | met |",
        "|---|---:|---:|---:|---|---|",
        f"| read_def (best of {len(reads)}) | {read['seconds']:.2f} | {read['cpu_seconds']:.2f} | "
        f"{read['peak_mib']:.0f} | "
        f"≤ {TARGET_READ_S:.0f} s, ≤ {TARGET_PEAK_MIB:.0f} MiB | "
        f"{'yes' if ok_time and ok_memory else 'NO'} |",
        f"| write_def | {write['seconds']:.2f} | {write['cpu_seconds']:.2f} | "
        f"{write['peak_mib']:.0f} (with generation) | "
        "fast | – |",
    ]
    if klayout is not None:
        lines.append(
            f"| peer: KLayout 0.30 C++ DEF read (geometry, with LEF) | {klayout['seconds']:.2f} "
            f"| – | {klayout['peak_mib']:.0f} | – | – |"
        )
    lines += [
        "",
        "Wall time is on a 2-core machine shared with other jobs; CPU time is the process's own "
        "(user + system) time on its one core, the figure to compare when the load is high.",
        "Read runs (s): " + ", ".join(f"{r['seconds']:.2f}" for r in reads) + "; interpreter "
        f"baseline memory {read['baseline_mib']:.0f} MiB is included in the peak.",
        f"Generation of the design took {write['generate_seconds']:.1f} s (not counted).",
        "",
    ]
    table = "\n".join(lines)
    print(table)
    write_result("def", table)


if __name__ == "__main__":
    main()
