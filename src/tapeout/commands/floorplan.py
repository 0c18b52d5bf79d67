"""``tapeout floorplan``: a gate netlist (Verilog or DEF) + platform -> a floorplanned DEF."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tapeout.db.design import Design
from tapeout.db.library import Library
from tapeout.errors import ConfigError, DesignError
from tapeout.fileio import check_output
from tapeout.floorplan import FloorplanOptions, MacroPlacement, floorplan
from tapeout.floorplan.check import check_floorplan
from tapeout.floorplan.options import ORIENTATIONS
from tapeout.formats.def_ import read_def, write_def
from tapeout.formats.lef import read_lef
from tapeout.formats.pin_constraints import read_pin_constraints
from tapeout.formats.verilog_read import read_verilog
from tapeout.log import Log
from tapeout.platforms import Platform, get_platform

SUMMARY = "make an empty chip for placement: die, rows, tracks, IO pins, taps and power grid"

EXAMPLES = """\
  tapeout floorplan gcd.v --platform sky130hd --utilization 0.4 -o gcd_floorplan.def
  tapeout floorplan aes.v --platform nangate45 --aspect-ratio 0.5 --pins pins.txt -o aes.def
  tapeout floorplan top.def --platform ihp-sg13g2 --die-area 0 0 400 400 --check -o top_fp.def
  tapeout floorplan soc.v --platform sky130hd --lef ram.lef --macro u_ram 50 50 N -o soc.def

pin constraint file (--pins): one 'port_glob side [position_um]' per line, e.g.
  clk      left  20
  data_*   top
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command's options."""
    parser.add_argument("netlist", type=Path, help="gate netlist: Verilog (.v) or DEF (.def)")
    parser.add_argument("--platform", default="sky130hd", help="platform (default sky130hd)")
    parser.add_argument("--pdk-root", type=Path, default=None, help="platforms folder, or builtin")
    parser.add_argument("--top", default=None, help="top module of a Verilog netlist")
    parser.add_argument("-o", "--output", type=Path, required=True, help="DEF file to write")
    parser.add_argument("--utilization", type=float, default=0.5, help="cell area / core area")
    parser.add_argument("--aspect-ratio", type=float, default=1.0, help="core height / width")
    parser.add_argument("--core-margin", type=float, default=None, help="core to die (µm)")
    parser.add_argument(
        "--die-area", type=float, nargs=4, default=None, metavar=("X0", "Y0", "X1", "Y1")
    )
    parser.add_argument(
        "--core-area", type=float, nargs=4, default=None, metavar=("X0", "Y0", "X1", "Y1")
    )
    parser.add_argument("--pins", type=Path, default=None, help="IO pin constraint file")
    parser.add_argument("--lef", type=Path, action="append", default=[], help="extra macro LEF")
    parser.add_argument(
        "--macro", nargs="+", action="append", default=[], metavar="ARG",
        help="hard macro placement: INSTANCE X_UM Y_UM [ORIENT] (repeatable)",
    )  # fmt: skip
    parser.add_argument("--halo", type=float, default=5.0, help="macro halo (µm, default 5)")
    parser.add_argument("--no-taps", action="store_true", help="do not insert tap cells")
    parser.add_argument("--no-power-grid", action="store_true", help="no power grid")
    parser.add_argument(
        "--check", action="store_true", help="check grid connectivity and rules; fail on problems"
    )
    parser.add_argument("--report", choices=("text", "json"), default="text")


def _macros(values: list[list[str]]) -> tuple[MacroPlacement, ...]:
    placements = []
    for words in values:
        if len(words) not in (3, 4):
            raise ConfigError(f"--macro {' '.join(words)}: expected INSTANCE X_UM Y_UM [ORIENT]")
        try:
            x, y = float(words[1]), float(words[2])
        except ValueError:
            raise ConfigError(f"--macro {' '.join(words)}: X and Y must be numbers (µm)") from None
        orient = words[3] if len(words) == 4 else "N"
        if orient not in ORIENTATIONS:
            raise ConfigError(f"--macro: unknown orientation {orient!r}")
        placements.append(MacroPlacement(words[0], x, y, orient))
    return tuple(placements)


def load_design(
    netlist_path: Path, platform: Platform, *, top: str | None, extra_lefs: list[Path], log: Log
) -> Design:
    """A Design with the platform's tech and cell LEF and the netlist read from Verilog or DEF."""
    lef = read_lef([platform.tech_lef, *platform.cell_lefs, *extra_lefs], log=log)
    name = netlist_path.name
    if name.endswith((".def", ".def.gz")):
        netlist = read_def(netlist_path, log=log, dbu_per_micron=lef.tech.dbu_per_micron).netlist
    else:
        netlist = read_verilog(netlist_path, top=top, log=log)
    return Design(
        name=netlist.top, tech=lef.tech, library=Library(macros=lef.macros), netlist=netlist
    )


def execute(args: argparse.Namespace) -> int:
    """Floorplan the netlist and write the DEF."""
    log = Log()
    inputs = [args.netlist, *args.lef, *([args.pins] if args.pins else [])]
    check_output(args.output, inputs)
    platform = get_platform(args.platform, pdk_root=args.pdk_root)
    options = FloorplanOptions(
        platform=platform,
        utilization=args.utilization,
        aspect_ratio=args.aspect_ratio,
        core_margin_um=args.core_margin,
        die_area_um=tuple(args.die_area) if args.die_area else None,
        core_area_um=tuple(args.core_area) if args.core_area else None,
        pin_constraints=read_pin_constraints(args.pins) if args.pins else (),
        macro_placements=_macros(args.macro),
        macro_halo_um=args.halo,
        add_taps=not args.no_taps,
        add_power_grid=not args.no_power_grid,
    )
    options.validate()
    design = load_design(args.netlist, platform, top=args.top, extra_lefs=args.lef, log=log)
    report = floorplan(design, options, log=log)
    assert design.physical is not None and design.wires is not None and design.tech is not None
    write_def(args.output, design.netlist, design.physical, design.wires, vias=report.vias)
    result: dict[str, object] = dict(report.metrics())
    problems: list[str] = []
    if args.check:
        recipe = platform.power_grid
        geometry = check_floorplan(
            design.netlist, design.physical, design.wires, report.vias, design.tech,
            rail_layer=recipe.rail_layer if recipe and not args.no_power_grid else None,
        )  # fmt: skip
        problems = geometry.problems()
        result["check__supply__pieces"] = geometry.supply_pieces
        result["check__problems"] = problems
    if args.report == "json":
        json.dump(result, sys.stdout, indent=1)
        sys.stdout.write("\n")
    elif not getattr(args, "quiet", False):
        print(
            f"{args.output}: die {report.die_width_um:g} x {report.die_height_um:g} µm, "
            f"utilization {report.utilization:.3f}, {report.n_rows} rows, {report.n_io_pins} "
            f"IO pins, {report.n_taps} taps, {report.n_power_shapes} grid shapes, "
            f"{report.n_power_vias} grid vias"
        )
        if args.check:
            print("check: " + ("clean" if not problems else "; ".join(problems)))
    if problems:
        raise DesignError(f"floorplan check failed: {'; '.join(problems[:5])}")
    return 0
