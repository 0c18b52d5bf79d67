"""Our characterized sky130hd Liberty against the official one on whole designs: the same
placed netlists timed with each library.

Run: ``.venv/bin/python bench/bench_characterize_designs.py`` (writes
bench/results/characterize_designs.md). gcd, aes and riscv32i (RTL, SDC and utilization from
../shared) are synthesized on the built-in platform (our 108 cells, so the official library has
every cell the netlist uses), floorplanned and placed with ``tapeout synth / floorplan / place
--pdk-root builtin`` into a work folder (kept between runs). Each placed design is then timed in
a fresh interpreter, once with each Liberty and otherwise identically, the way the flow's sta
step does it (``tapeout.timing``, ideal clocks): with half-perimeter wires at the platform's
unit R and C, and with ideal wires (pin capacitances only).

What a user sees of the per-arc errors that bench_characterize.py tabulates: how far a path's
arrival time, an endpoint's setup or hold slack and the design's worst slack move when our
library replaces the official one. Errors along a path partly cancel (an arc 5 % slow beside
one 5 % fast) and partly add (the same cell type many times on one path).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from tapeout.characterize.measure import DEFAULT_SLEWS_NS

try:
    from bench._common import REPO, SHARED, machine_line, run_pinned, write_result
except ModuleNotFoundError:  # run as ``python bench/<script>.py``: bench/ is on sys.path
    from _common import REPO, SHARED, machine_line, run_pinned, write_result

WORK = Path(os.environ.get("TAPEOUT_BENCH_WORK", "/tmp/tapeout_bench_characterize_designs"))
OURS = REPO / "src" / "tapeout" / "platforms" / "data" / "sky130hd_tt_025C_1v80.lib.gz"
OFFICIAL = SHARED / "pdks" / "sky130hd" / "lib" / "sky130_fd_sc_hd__tt_025C_1v80.lib.gz"
# name: (top, utilization, RTL files relative to shared/designs/<name>/src); the reference
# flow's utilization (reference_settings.json).
DESIGNS = {
    "gcd": ("gcd", 0.38, ["gcd.v"]),
    "aes": ("aes_cipher_top", 0.35, ["aes_cipher_top.v", "aes_key_expand_128.v", "aes_rcon.v",
            "aes_sbox.v", "timescale.v"]),
    "riscv32i": ("riscv", 0.45, ["*.v"]),
}  # fmt: skip
WIRES = ("placement", "ideal")

_TIME = """
import sys
import numpy as np
from pathlib import Path
from tapeout.db.library import Library
from tapeout.flow.steps_physical import _read_placed, wire_rc_per_um
from tapeout.formats.liberty import read_liberty
from tapeout.formats.sdc import read_sdc
from tapeout.log import Log
from tapeout.platforms import get_platform
from tapeout.timing import TimingOptions
from tapeout.timing.analysis import make_timer
from tapeout.timing.graph import CHECK_HOLD, CHECK_SETUP
from tapeout.timing.report import build_report, trace_path

def_path, sdc_path, liberty_path, wires = sys.argv[1:5]
log = Log()
platform = get_platform("sky130hd", pdk_root=Path("builtin"))
placed = _read_placed(Path(def_path), platform, log)  # as the flow's sta step reads it
liberty = [read_liberty(liberty_path, log=log)]
design = placed.design
design.library = Library(macros=placed.macros, liberty=liberty)
design.constraints = read_sdc(sdc_path, netlist=design.netlist,
                              library_time_unit_s=liberty[0].time_unit_s,
                              cap_unit_f=liberty[0].capacitive_load_unit_f, log=log)
res_ohm, cap_ff = wire_rc_per_um(platform)
timer = make_timer(design, options=TimingOptions(wires=wires, res_ohm_per_um=res_ohm,
                                                 cap_ff_per_um=cap_ff), log=log)
timer.update()
metrics = build_report(timer, n_paths=0, n_endpoints=0)
kind = timer.graph.check_kind
setup, hold = kind == CHECK_SETUP, kind == CHECK_HOLD
data = timer.graph.check_data_pin[setup]
arrival = timer.arrival_max_ps[data].max(axis=1)
cells = liberty[0].cells


def in_tables(point):
    # the point's slew within the tables' slews, a driver's load within its largest load
    if point.slew_ps > max_slew_ps:
        return False
    if not point.cell or not np.isfinite(point.load_ff):
        return True
    pin = cells[point.cell].pins.get(point.name.rsplit("/", 1)[-1])
    limit = pin.max_capacitance if pin is not None else None
    return limit is None or point.load_ff <= limit * cap_unit_ff


max_slew_ps = float(sys.argv[5])
cap_unit_ff = liberty[0].capacitive_load_unit_f * 1e15
inside = [all(in_tables(p) for p in trace_path(timer, int(pin), "setup").points) for pin in data]
report(cells=int(design.netlist.n_insts), setup_ws_ps=metrics.setup_ws_ps,
       setup_tns_ps=metrics.setup_tns_ps, hold_ws_ps=metrics.hold_ws_ps,
       arrival_ps=arrival.tolist(), inside=inside,
       setup_slack_ps=np.nanmin(timer.check_slack_ps[setup], axis=1).tolist(),
       hold_slack_ps=np.nanmin(timer.check_slack_ps[hold], axis=1).tolist(),
       pin_arrival_ps=timer.arrival_max_ps.ravel().tolist())
"""


def _tapeout(*args: str) -> None:
    command = [str(Path(sys.executable).parent / "tapeout"), "-q", *args]
    subprocess.run(command, check=True, capture_output=True, text=True)


def placed(name: str) -> Path:
    """``name`` synthesized, floorplanned and placed on the built-in sky130hd (once, into WORK)."""
    top, utilization, patterns = DESIGNS[name]
    source = SHARED / "designs" / name / "src"
    files = sorted(str(path) for pattern in patterns for path in source.glob(pattern))
    sdc = SHARED / "designs" / name / "sky130hd" / "constraint.sdc"
    WORK.mkdir(parents=True, exist_ok=True)
    netlist, floorplan, result = (WORK / f"{name}{suffix}" for suffix in (".v", "_fp.def", ".def"))
    builtin = ("--pdk-root", "builtin")
    if not netlist.exists():
        _tapeout("synth", *files, "--top", top, *builtin, "--sdc", str(sdc), "-o", str(netlist))
    if not floorplan.exists():
        _tapeout("floorplan", str(netlist), "--top", top, *builtin,
                 "--utilization", str(utilization), "-o", str(floorplan))  # fmt: skip
    if not result.exists():
        _tapeout("place", str(floorplan), *builtin, "-o", str(result))
    return result


def _relative(ours: np.ndarray, official: np.ndarray) -> np.ndarray:
    """(ours − official) / official where both are finite and the official is above 1 ps."""
    keep = np.isfinite(ours) & np.isfinite(official) & (np.abs(official) > 1.0)
    return (ours[keep] - official[keep]) / np.abs(official[keep])


def _difference(ours: np.ndarray, official: np.ndarray) -> np.ndarray:
    keep = np.isfinite(ours) & np.isfinite(official)
    return ours[keep] - official[keep]


def compare(name: str, wires: str) -> dict:
    """Both libraries on one placed design: the summary numbers of one table row."""
    sdc = SHARED / "designs" / name / "sky130hd" / "constraint.sdc"
    max_slew_ps = float(DEFAULT_SLEWS_NS[-1]) * 1e3
    ours, official = (
        run_pinned(_TIME, placed(name), sdc, lib, wires, max_slew_ps) for lib in (OURS, OFFICIAL)
    )
    arrays = {
        key: (np.array(ours[key], dtype=float), np.array(official[key], dtype=float))
        for key in ("arrival_ps", "setup_slack_ps", "hold_slack_ps", "pin_arrival_ps")
    }
    inside = np.array(ours["inside"], dtype=bool) & np.array(official["inside"], dtype=bool)
    every = _relative(*arrays["arrival_ps"])
    within = _relative(*(values[inside] for values in arrays["arrival_ps"]))
    pins = _relative(*arrays["pin_arrival_ps"])
    setup = _difference(*arrays["setup_slack_ps"])
    setup_within = _difference(*(values[inside] for values in arrays["setup_slack_ps"]))
    return {
        "cells": ours["cells"],
        "endpoints": int(arrays["arrival_ps"][0].size),
        "inside": int(inside.sum()),
        "ws": (ours["setup_ws_ps"], official["setup_ws_ps"]),
        "tns": (ours["setup_tns_ps"], official["setup_tns_ps"]),
        "hold_ws": (ours["hold_ws_ps"], official["hold_ws_ps"]),
        "arrival": _spread(every),
        "arrival_within": _spread(within),
        "pins": _spread(pins),
        "setup": _spread(setup),
        "setup_within": _spread(setup_within),
        "hold": _spread(_difference(*arrays["hold_slack_ps"])),
    }


def _spread(errors: np.ndarray) -> tuple[float, float, float]:
    """Median and 95th percentile of the errors' size, and their median (NaN when none)."""
    if errors.size == 0:
        return (np.nan, np.nan, np.nan)
    size = np.abs(errors)
    return (float(np.median(size)), float(np.percentile(size, 95)), float(np.median(errors)))


def _cell(spread: tuple[float, float, float], *, percent: bool) -> str:
    """``median / p95 (median signed)`` of one error spread, in % or ps."""
    if not np.isfinite(spread[0]):
        return "none"
    if percent:
        return f"{spread[0]:.1%} / {spread[1]:.1%} ({spread[2]:+.1%})"
    return f"{spread[0]:.0f} / {spread[1]:.0f} ({spread[2]:+.0f})"


def main() -> None:
    if not OFFICIAL.is_file():
        raise SystemExit(f"the official Liberty is missing: {OFFICIAL}")
    results = {(name, wires): compare(name, wires) for name in DESIGNS for wires in WIRES}
    head = (
        "| design | cells | wires | setup WS ours / official (ns) "
        "| setup TNS ours / official (ns) | hold WS ours / official (ns) "
        "| endpoints (paths within the tables) "
        "| endpoint arrival error: every endpoint | paths within the tables "
        "| every pin's arrival error | setup slack error (ps): every endpoint "
        "| paths within the tables | hold slack error (ps) |"
    )
    rows = [head, "|" + "---|" * 12]
    for (name, wires), value in results.items():
        ws, tns, hold_ws = value["ws"], value["tns"], value["hold_ws"]
        rows.append(
            f"| {name} | {value['cells']:,} | {wires} | {ws[0] / 1e3:.3f} / {ws[1] / 1e3:.3f} "
            f"| {tns[0] / 1e3:,.2f} / {tns[1] / 1e3:,.2f} "
            f"| {hold_ws[0] / 1e3:.3f} / {hold_ws[1] / 1e3:.3f} "
            f"| {value['endpoints']:,} ({value['inside']:,}) | "
            + " | ".join(
                _cell(value[key], percent=key in ("arrival", "arrival_within", "pins"))
                for key in ("arrival", "arrival_within", "pins", "setup", "setup_within", "hold")
            )
            + " |"
        )
    text = "\n".join(
        [
            "# Characterization on whole designs: the same placed netlists timed with our "
            "sky130hd Liberty and with the official one",
            "",
            machine_line(),
            "",
            f"Ours: `{OURS.name}` (packaged); official: `{OFFICIAL.name}` (../shared). " + NOTE,
            "",
            *rows,
            "",
        ]
    )
    write_result("characterize_designs", text)
    print(text)


NOTE = (
    "Each design is synthesized on the built-in platform (so it uses only cells both libraries "
    "have), floorplanned at the reference flow's utilization and placed (`tapeout synth / "
    "floorplan / place --pdk-root builtin`, default options, seed 1), then timed twice, "
    "identically but for the Liberty, with ideal clocks and the design's SDC: with half-"
    "perimeter wires at the platform's unit R and C (as the flow's sta step does) and with "
    "ideal wires (pin capacitances only). The designs are not buffered or sized yet, so a few "
    "high-fanout nets put some arcs at the largest loads and slowest slews of the tables. "
    "Endpoint arrival: the later of the rise and fall arrival at each setup check's data pin; "
    "every pin's arrival: rise and fall at every pin that has one (both relative to the "
    "official, entries above 1 ps); slack errors over every setup / hold check. Each error "
    "column: median / 95th percentile of the error's size (median signed error, ours − "
    "official). A path is within the tables when every slew on it is at most the tables' "
    "largest slew (1.5 ns) and every driver's load at most its pin's max_capacitance (the "
    "largest table load) in both libraries. Cells include the tap cells."
)


if __name__ == "__main__":
    main()
