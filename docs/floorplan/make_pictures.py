"""Floorplan gcd, aes and riscv32i on every platform, check them, and draw docs/floorplan/*.png.

Usage: ``python docs/floorplan/make_pictures.py [--netlists DIR] [--out docs/floorplan]``

Netlists come from ``tapeout.synth`` (written to ``--netlists``, reused when present). For each
design x platform: floorplan at the reference flow's utilization, write the DEF, check it with
``tapeout.floorplan.check`` (supply connectivity, min width/spacing/area, via enclosure, IO pins
on tracks, rails on every row), read it back with KLayout (with the LEF) and render a PNG with
``klayout.lay``. Prints a markdown table and writes it to ``acceptance.md`` beside the PNGs.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from tapeout.commands.floorplan import load_design
from tapeout.floorplan import FloorplanOptions, floorplan
from tapeout.floorplan.check import check_floorplan
from tapeout.flow.render import render_layout_png
from tapeout.formats.def_ import write_def
from tapeout.log import Log
from tapeout.platforms import get_platform

SHARED = Path(__file__).resolve().parents[3] / "shared"
DESIGNS = {"gcd": ("gcd", ["gcd.v"]), "aes": ("aes_cipher_top", None), "riscv32i": ("riscv", None)}
PLATFORMS = ("sky130hd", "nangate45", "ihp-sg13g2")


def netlist_for(design: str, platform: str, directory: Path) -> Path:
    """The synthesized netlist of ``design`` for ``platform`` (synthesized when missing)."""
    path = directory / f"{design}_{platform}.v"
    if path.exists():
        return path
    from tapeout.synth import SynthOptions, synthesize

    top, files = DESIGNS[design]
    source_dir = SHARED / "designs" / design / "src"
    sources = (
        tuple(source_dir / f for f in files) if files else tuple(sorted(source_dir.glob("*.v")))
    )
    directory.mkdir(parents=True, exist_ok=True)
    options = SynthOptions(sources=sources, top=top, platform=platform, clock_period_ps=5000.0)
    synthesize(options, path, log=Log())
    return path


def utilization_for(design: str, platform: str) -> float:
    settings = SHARED / "designs" / design / platform / "reference_settings.json"
    if settings.exists():
        value = json.loads(settings.read_text()).get("CORE_UTILIZATION")
        if value:
            return float(value) / 100
    return 0.4


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--netlists", type=Path, default=Path("/tmp/tapeout-floorplan-netlists"))
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    parser.add_argument("--designs", default="gcd,aes,riscv32i")
    parser.add_argument("--size", type=int, default=640, help="PNG width and height (pixels)")
    args = parser.parse_args()
    import klayout.db as kdb

    rows = []
    for design in args.designs.split(","):
        for name in PLATFORMS:
            platform = get_platform(name)
            log = Log(max_repeats=0)
            netlist = netlist_for(design, name, args.netlists)
            data = load_design(netlist, platform, top=None, extra_lefs=[], log=log)
            utilization = utilization_for(design, name)
            started = time.perf_counter()
            report = floorplan(
                data, FloorplanOptions(platform=platform, utilization=utilization), log=log
            )
            seconds = time.perf_counter() - started
            assert data.physical is not None and data.wires is not None and data.tech is not None
            def_path = args.netlists / f"{design}_{name}.def"
            write_def(def_path, data.netlist, data.physical, data.wires, vias=report.vias)
            assert platform.power_grid is not None
            geometry = check_floorplan(
                data.netlist, data.physical, data.wires, report.vias, data.tech,
                rail_layer=platform.power_grid.rail_layer,
            )  # fmt: skip
            options = kdb.LoadLayoutOptions()
            options.lefdef_config.lef_files = [
                str(p) for p in (platform.tech_lef, *platform.cell_lefs)
            ]
            layout = kdb.Layout()
            layout.read(str(def_path), options)
            klayout_um = layout.top_cell().dbbox().width()
            # KLayout's default colours show every layer (the PDKs' .lyp files know only GDS
            # layer numbers, not the DEF's layer names).
            png = render_layout_png(
                def_path,
                width_px=args.size,
                height_px=args.size,
                lef_files=(platform.tech_lef, *platform.cell_lefs),
            )
            (args.out / f"{design}_{name}.png").write_bytes(png)
            problems = geometry.problems()
            rows.append(
                f"| {design} | {name} | {data.netlist.n_insts - report.n_taps} | "
                f"{utilization:.2f} | {report.die_width_um:g} x {report.die_height_um:g} | "
                f"{report.n_rows} | {report.n_io_pins} | {report.n_taps} | "
                f"{report.n_power_shapes} / {report.n_power_vias} | "
                f"{geometry.supply_pieces.get('VDD')} / {geometry.supply_pieces.get('VSS')} | "
                f"{'clean' if not problems else '; '.join(problems)} | {klayout_um:g} | "
                f"{seconds:.2f} |"
            )
            print(rows[-1], flush=True)
    header = (
        "| design | platform | cells | util | die (µm) | rows | IO pins | taps "
        "| grid shapes / vias | VDD / VSS pieces | check | KLayout die width (µm) | floorplan s |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    text = (
        "# Floorplan acceptance (made by docs/floorplan/make_pictures.py)\n\n"
        "Netlists synthesized by `tapeout.synth` (clock target 5 ns); utilization from each "
        "design's reference settings (0.4 where none).\n\n" + header + "\n".join(rows) + "\n"
    )
    (args.out / "acceptance.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
