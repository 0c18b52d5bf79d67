"""Timing-driven placement benchmark: setup WNS/TNS and HPWL with and without net weighting.

Run: ``.venv/bin/python bench/bench_place_timing.py`` (writes bench/results/place_timing.md).
gcd and aes (sky130hd, the reference flow's utilization and SDC from ../shared) are synthesized
and floorplanned by ``tapeout synth`` + ``tapeout floorplan`` into a work folder (kept between
runs). Each placement runs in a fresh interpreter pinned to one core: ``place_problem`` on the
floorplanned DEF, plain or with ``timing_driven=True``; the placed design is then timed the way
the flow's sta step does (``tapeout.timing.analyze``, half-perimeter wires with the platform's
unit R and C from ``wire_rc_per_um``, ideal clocks). Several seeds, since one placement's
timing moves by a few percent from seed to seed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

try:
    from bench._common import SHARED, machine_line, run_pinned, write_result
except ModuleNotFoundError:  # run as ``python bench/<script>.py``: bench/ is on sys.path
    from _common import SHARED, machine_line, run_pinned, write_result

WORK = Path(os.environ.get("TAPEOUT_BENCH_WORK", "/tmp/tapeout_bench_place_timing"))
SEEDS = (1, 2, 3)
# mode: (timing_driven, timing_weight_gain, timing_max_weight)
MODES = {
    "plain": (False, 2.0, 16.0),
    "timing-driven": (True, 2.0, 16.0),
    "timing-driven, gain 4": (True, 4.0, 32.0),
}
# name: (top, utilization, RTL files relative to shared/designs)
DESIGNS = {
    "gcd": ("gcd", 0.38, ["gcd/src/gcd.v"]),
    "aes": ("aes_cipher_top", 0.35, ["aes/src/aes_cipher_top.v", "aes/src/aes_key_expand_128.v",
            "aes/src/aes_rcon.v", "aes/src/aes_sbox.v", "aes/src/timescale.v"]),
}  # fmt: skip

_PLACE = """
import sys, time
import numpy as np
from tapeout.db.design import Design
from tapeout.db.library import Library
from tapeout.flow.steps_physical import _instance_sizes, placement_violations, wire_rc_per_um
from tapeout.formats.def_ import read_def
from tapeout.formats.lef import read_lef
from tapeout.formats.liberty import read_liberty
from tapeout.formats.sdc import read_sdc
from tapeout.log import Log
from tapeout.place import PlaceOptions, place_problem
from tapeout.place.from_design import apply_to_physical, problem_from_design
from tapeout.place.timing_driven import make_net_weighting
from tapeout.platforms import get_platform
from tapeout.timing import TimingOptions, analyze

def_path, sdc_path, seed = sys.argv[1], sys.argv[2], int(sys.argv[4])
timing_driven, gain, max_weight = sys.argv[3] == "True", float(sys.argv[6]), float(sys.argv[7])
log = Log()
platform = get_platform("sky130hd", pdk_root=__import__("pathlib").Path(sys.argv[5]))
lef = read_lef([platform.tech_lef, *platform.cell_lefs], log=log)
result = read_def(def_path, log=log, dbu_per_micron=lef.tech.dbu_per_micron)
liberty = [read_liberty(platform.liberty[0], log=log)]
design = Design(result.design or "top", lef.tech, Library(macros=lef.macros, liberty=liberty),
                result.netlist, physical=result.physical, wires=result.wires)
design.constraints = read_sdc(sdc_path, netlist=design.netlist,
                              library_time_unit_s=liberty[0].time_unit_s,
                              cap_unit_f=liberty[0].capacitive_load_unit_f, log=log)
res_ohm, cap_ff = wire_rc_per_um(platform)
timing_options = TimingOptions(wires="placement", res_ohm_per_um=res_ohm, cap_ff_per_um=cap_ff)
problem = problem_from_design(design.netlist, design.physical, lef.macros, lef.tech)
options = PlaceOptions(seed=seed, target_density=0.6, timing_driven=timing_driven,
                       timing_weight_gain=gain, timing_max_weight=max_weight)
start = time.perf_counter()
weighting = (make_net_weighting(design, problem, options, timing_options=timing_options, log=log)
             if options.timing_driven else None)
placed = place_problem(problem, options, log=log, timing=weighting)
seconds = time.perf_counter() - start
apply_to_physical(problem, design.physical, design.netlist.n_insts)
timing = analyze(design, options=timing_options, log=log)
dbu = float(design.physical.dbu_per_micron)
report(hpwl_um=problem.hpwl() / dbu, wns_ns=timing.metrics()["timing__setup__ws"],
       tns_ns=timing.metrics()["timing__setup__tns"], seconds=seconds,
       updates=len(placed.timing.updates) if placed.timing else 0,
       movable=int((~problem.cell_fixed).sum()) - design.netlist.n_ports,
       errors=placement_violations(design.physical, *_instance_sizes(design.netlist, lef.macros),
                                   ~problem.cell_fixed[: design.netlist.n_insts]))
"""


def _tapeout(*args: str) -> None:
    command = [str(Path(sys.executable).parent / "tapeout"), "-q", *args]
    subprocess.run(command, check=True, capture_output=True, text=True)


def floorplanned(name: str) -> Path:
    """The design synthesized and floorplanned on sky130hd (made once into ``WORK``)."""
    top, utilization, sources = DESIGNS[name]
    WORK.mkdir(parents=True, exist_ok=True)
    netlist = WORK / f"{name}.v"
    floorplan = WORK / f"{name}_floorplan.def"
    if not netlist.exists():
        files = [str(SHARED / "designs" / source) for source in sources]
        _tapeout("synth", *files, "--top", top, "--platform", "sky130hd", "-o", str(netlist))
    if not floorplan.exists():
        _tapeout("floorplan", str(netlist), "--top", top, "--platform", "sky130hd",
                 "--utilization", str(utilization), "-o", str(floorplan))  # fmt: skip
    return floorplan


def measure(name: str, mode: str, seed: int) -> dict:
    """One placement of ``name`` in ``mode`` (a key of ``MODES``) and its placed timing."""
    sdc = SHARED / "designs" / name / "sky130hd" / "constraint.sdc"
    timing_driven, gain, max_weight = MODES[mode]
    return run_pinned(
        _PLACE, floorplanned(name), sdc, timing_driven, seed, SHARED / "pdks", gain, max_weight
    )


def main() -> None:
    rows = []
    summary = []
    for name in DESIGNS:
        results = {mode: [measure(name, mode, seed) for seed in SEEDS] for mode in MODES}
        for mode, values in results.items():
            for seed, value in zip(SEEDS, values, strict=True):
                rows.append(
                    f"| {name} | {value['movable']:,} | {mode} | {seed} "
                    f"| {value['hpwl_um']:,.0f} | {value['wns_ns']:.3f} | {value['tns_ns']:,.2f} "
                    f"| {value['updates']} | {value['seconds']:.2f} "
                    f"| {'yes' if value['errors'] == 0 else 'NO'} |"
                )
        mean = {
            mode: {key: sum(v[key] for v in values) / len(values)
                   for key in ("hpwl_um", "wns_ns", "tns_ns", "seconds")}
            for mode, values in results.items()
        }  # fmt: skip
        plain = mean["plain"]
        for mode, value in mean.items():
            summary.append(
                f"| {name} | {mode} | {value['hpwl_um']:,.0f} "
                f"| {_change(plain['hpwl_um'], value['hpwl_um'])} | {value['wns_ns']:.3f} "
                f"| {_change(plain['wns_ns'], value['wns_ns'])} | {value['tns_ns']:,.2f} "
                f"| {_change(plain['tns_ns'], value['tns_ns'])} | {value['seconds']:.2f} |"
            )
            print(summary[-1], flush=True)
    text = "\n".join([
        "# Timing-driven placement: setup timing and HPWL with and without net weighting",
        "",
        machine_line(),
        "",
        "Designs: synthesized and floorplanned here (`tapeout synth` + `tapeout floorplan`, "
        "sky130hd, the reference flow's utilization: gcd 38%, aes 35%), constraints from "
        "../shared (gcd 1.1 ns, aes 3.6 ns clock). Placement: `place_problem` with target "
        "density 0.6 (the flow's default), default options; timing-driven adds "
        "`timing_driven=True` (re-weighting at overflow 0.7, 0.5, 0.35, 0.25 the worst 10% of "
        "nets; gain 2, cap 16x by default, and gain 4, cap 32x). Timing: the placed design, "
        "timed as the flow's sta step does (half-perimeter wires, sky130hd met1/met2 unit RC, "
        "ideal clocks, typical corner; no buffering or sizing yet, so unbuffered high-fanout "
        "nets dominate the slack). Time: placement only (timing-driven includes building the "
        "timer and its analyses), one core of a busy 2-core machine.",
        "",
        f"Mean over seeds {', '.join(map(str, SEEDS))} (changes relative to plain; WNS and TNS "
        "are negative, a positive change is less negative slack: better):",
        "",
        "| design | mode | HPWL µm | HPWL change | WNS ns | WNS change | TNS ns | TNS change "
        "| place s |",
        "|---|---|---|---|---|---|---|---|---|",
        *summary,
        "",
        "Each run:",
        "",
        "| design | movable cells | mode | seed | HPWL µm | WNS ns | TNS ns | timing updates "
        "| place s | legal |",
        "|---|---|---|---|---|---|---|---|---|---|",
        *rows,
        "",
    ])  # fmt: skip
    path = write_result("place_timing", text)
    print(text)
    print(f"wrote {path}")


def _change(before: float, after: float) -> str:
    if before == 0:
        return "n/a"
    return f"{100 * (after - before) / abs(before):+.1f}%"


if __name__ == "__main__":
    main()
