"""Incremental-timing benchmark on a 1M-instance netlist with bounded logic depth.

``bench_sta.py`` times ``make_netlist(n)``, whose paths between flops grow with the netlist
(83k levels at 1M), a stress case. Synthesized logic has bounded depth between flops; this
script runs the same measurement (same snippet, same resizes, one core) on
``make_netlist(n, logic_depth=D)`` and writes bench/results/sta_depth.md.

Run: ``.venv/bin/python bench/bench_sta_depth.py [n] [depth] [--peer]`` (default 1,000,000 and
40); ``--peer`` also runs Debian ``sta`` on the same netlist, stopped after 300 s.
"""

from __future__ import annotations

import platform
import sys
import tempfile
from pathlib import Path

import numpy as np

try:
    from bench.bench_sta import (
        _OURS,
        LIBERTY,
        N_RESIZES,
        REPO,
        TARGET_FULL_S,
        TARGET_INCREMENTAL_S,
        _cpu,
        _run,
    )
except ModuleNotFoundError:  # run as ``python bench/<script>.py``: bench/ is on sys.path
    from bench_sta import (  # type: ignore[no-redef]
        _OURS,
        LIBERTY,
        N_RESIZES,
        REPO,
        TARGET_FULL_S,
        TARGET_INCREMENTAL_S,
        _cpu,
        _run,
    )

SNIPPET = _OURS.replace(
    "netlist = make_netlist(n, seed=0)",
    "netlist = make_netlist(n, seed=0, logic_depth=int(sys.argv[4]))",
)


def _peer(n: int, depth: int) -> dict | None:
    """Debian ``sta`` through bench_sta's runner, on the bounded-depth netlist."""
    try:
        import bench.bench_sta as base
    except ModuleNotFoundError:
        import bench_sta as base  # type: ignore[no-redef]
    base._WRITE = base._WRITE.replace(
        "netlist = make_netlist(n, seed=0)",
        f"netlist = make_netlist(n, seed=0, logic_depth={depth})",
    )
    base.STA_LIMIT_S = 300
    with tempfile.TemporaryDirectory() as name:
        return base._opensta(Path(name), n)


def main() -> None:
    numbers = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(numbers[0]) if numbers else 1_000_000
    depth = int(numbers[1]) if len(numbers) > 1 else 40
    peer = _peer(n, depth) if "--peer" in sys.argv else None
    assert SNIPPET != _OURS, "bench_sta's snippet changed: update the replacement"
    ours = _run(SNIPPET, str(n), str(LIBERTY), str(N_RESIZES), str(depth))
    full_ok = ours["full_cpu_seconds"] <= TARGET_FULL_S
    incremental_ok = ours["incremental_cpu_seconds"] <= TARGET_INCREMENTAL_S
    lines = [
        "# Static timing benchmark, bounded logic depth",
        "",
        f"Machine: {_cpu()}, one core; Python {platform.python_version()}, numpy "
        f"{np.__version__}. Shared 2-core machine: CPU time is the figure judged.",
        "",
        f"Input: `make_netlist({n:,}, seed=0, logic_depth={depth})` (no path between flops longer "
        f"than {depth} gates, as in synthesized logic) with sky130hd tt Liberty: "
        f"{ours['pins']:,} pins, {ours['arcs']:,} arcs, {ours['checks']:,} checks, "
        f"{ours['levels']:,} levels. Same clock, IO delays, resizes and code as "
        "`bench_sta.py` (whose unbounded netlist has 83k levels: see sta.md).",
        "",
        "| step | wall s | CPU s | target | met |",
        "|---|---:|---:|---|---|",
        f"| full analysis | {ours['full_seconds']:.2f} | {ours['full_cpu_seconds']:.2f} | "
        f"≤ {TARGET_FULL_S:.0f} s | {'yes' if full_ok else 'NO'} |",
        f"| {ours['resizes']:,} random resizes, then one update "
        f"({ours['incremental_pins']:,} pins re-timed) | {ours['incremental_seconds']:.2f} | "
        f"{ours['incremental_cpu_seconds']:.2f} | ≤ {TARGET_INCREMENTAL_S:.0f} s | "
        f"{'yes' if incremental_ok else 'NO'} |",
        f"| one resize + update (median of 20) | {ours['single_median_seconds']:.3f} | "
        f"{ours['single_median_cpu_seconds']:.3f} | – | – |",
        f"| peak memory (MiB) | {ours['peak_mib']:.0f} | – | – | – |",
        "",
        f"Setup WNS {ours['wns_ps'] / 1000:.2f} ns, TNS {ours['tns_ps'] / 1000:.0f} ns.",
        "",
        "Debian `sta` 2.0.17 on the same netlist, SDC and resizes (one core, stopped after "
        "300 s; phases it did not reach are missing; seconds, peak memory in MiB; it applies "
        "the Liberty's default wire-load model, so its slacks differ): "
        + (
            ", ".join(f"{k} {v:.2f}" for k, v in peer.items() if isinstance(v, float))
            if peer
            else "not run (pass --peer)"
        )
        + ".",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    (REPO / "bench/results/sta_depth.md").write_text(text)


if __name__ == "__main__":
    main()
