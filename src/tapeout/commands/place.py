"""``tapeout place``: place the standard cells of a floorplanned DEF (with LEF) or Bookshelf."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tapeout.errors import ConfigError
from tapeout.fileio import check_output
from tapeout.log import Log
from tapeout.place import PlaceOptions, place_problem, problem_from_bookshelf
from tapeout.place.problem import bookshelf_orientations

SUMMARY = "place standard cells: global (electrostatic), legalization and detailed placement"

EXAMPLES = """\
  tapeout place gcd_floorplan.def --platform sky130hd -o gcd_placed.def
  tapeout place soc.def --platform nangate45 --lef ram.lef --target-density 0.7 -o soc_placed.def
  tapeout place gcd_floorplan.def --timing-driven --sdc gcd.sdc -o gcd_placed.def
  tapeout place --bookshelf ibm01/ibm01.aux -o ibm01_placed/
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command's options."""
    parser.add_argument("design", type=Path, help="floorplanned DEF, or Bookshelf .aux")
    parser.add_argument(
        "--bookshelf", action="store_true", help="the input is a Bookshelf .aux file"
    )
    parser.add_argument("--platform", default="sky130hd", help="platform (default sky130hd)")
    parser.add_argument("--pdk-root", type=Path, default=None, help="platforms folder, or builtin")
    parser.add_argument("--lef", type=Path, action="append", default=[], help="extra macro LEF")
    parser.add_argument(
        "-o", "--output", type=Path, required=True, help="placed DEF (Bookshelf: a directory)"
    )
    parser.add_argument(
        "--target-density", type=float, default=0.9, help="bin density target (default 0.9)"
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--detailed-passes", type=int, default=6, help="0 skips detailed")
    parser.add_argument(
        "--routability", action="store_true", help="grow cells in congested (RUDY) regions"
    )
    parser.add_argument(
        "--backend", choices=("numba", "torch"), default="numba", help="global placement kernels"
    )
    parser.add_argument(
        "--timing-driven",
        action="store_true",
        help="weight nets by setup slack during global placement (needs --sdc)",
    )
    parser.add_argument("--sdc", type=Path, default=None, help="timing constraints (SDC)")
    parser.add_argument(
        "--liberty", type=Path, default=None, help="Liberty library (default: the platform's)"
    )
    parser.add_argument("--report", choices=("text", "json"), default="text")


def execute(args: argparse.Namespace) -> int:
    """Place; write the result; print the report."""
    options = PlaceOptions(
        target_density=args.target_density,
        seed=args.seed,
        detailed_passes=args.detailed_passes,
        routability=args.routability,
        backend=args.backend,
        timing_driven=args.timing_driven,
    )
    options.validate()
    if args.timing_driven and args.sdc is None:
        raise ConfigError("--timing-driven needs the timing constraints", hint="add --sdc FILE")
    log = Log()
    if args.bookshelf or args.design.name.endswith((".aux", ".aux.gz")):
        if args.timing_driven:
            raise ConfigError("--timing-driven needs a DEF design (Bookshelf has no timing)")
        from tapeout.formats.bookshelf import (
            bookshelf_inputs,
            bookshelf_outputs,
            read_bookshelf,
            write_bookshelf,
        )

        inputs = bookshelf_inputs(args.design)
        for written in bookshelf_outputs(args.output, args.design):
            check_output(written, inputs)
        design = read_bookshelf(args.design, log=log)
        problem = problem_from_bookshelf(design)
        report = place_problem(problem, options, log=log)
        movable = ~problem.cell_fixed
        design.node_x[movable] = problem.cell_x[movable]
        design.node_y[movable] = problem.cell_y[movable]
        design.node_orient[movable] = bookshelf_orientations(problem)[movable]
        args.output.mkdir(parents=True, exist_ok=True)
        write_bookshelf(args.output, design.name, design)
    else:
        report = _place_def(args, options, log)
    metrics = report.metrics()
    if args.report == "json":
        sys.stdout.write(json.dumps(metrics, indent=2) + "\n")
    else:
        sys.stdout.write(
            f"placed: HPWL {report.hpwl:.6g} (global {report.global_result.hpwl:.6g}, "
            f"{report.global_result.iterations} iterations, overflow "
            f"{report.global_result.overflow:.3f}); displacement total "
            f"{report.legalize_result.total_displacement:.6g} max "
            f"{report.legalize_result.max_displacement:.6g}; {report.seconds:.2f} s\n"
        )
        if report.timing is not None:
            sys.stdout.write(
                f"timing-driven: {len(report.timing.updates)} updates; setup WNS "
                f"{report.timing.worst_slack_ps / 1000:.3f} ns, TNS "
                f"{report.timing.total_negative_slack_ps / 1000:.3f} ns\n"
            )
    return 0


def _place_def(args: argparse.Namespace, options: PlaceOptions, log: Log):  # type: ignore[no-untyped-def]
    from tapeout.formats.def_ import read_def, write_def
    from tapeout.formats.lef import read_lef
    from tapeout.place.from_design import apply_to_physical, problem_from_design
    from tapeout.platforms import get_platform

    if not args.design.exists():
        raise ConfigError(f"{args.design}: no such file")
    inputs = [args.design, *args.lef, *(path for path in (args.sdc, args.liberty) if path)]
    check_output(args.output, inputs)
    platform = get_platform(args.platform, pdk_root=args.pdk_root)
    lef = read_lef([platform.tech_lef, *platform.cell_lefs, *args.lef], log=log)
    result = read_def(args.design, log=log, dbu_per_micron=lef.tech.dbu_per_micron)
    problem = problem_from_design(result.netlist, result.physical, lef.macros, lef.tech)
    weighting = None
    if options.timing_driven:
        weighting = _net_weighting(args, platform, lef, result, problem, options, log)
    report = place_problem(problem, options, log=log, timing=weighting)
    apply_to_physical(problem, result.physical, result.netlist.n_insts)
    write_def(
        args.output, result.netlist, result.physical, result.wires, vias=result.vias,
        design=result.design,
    )  # fmt: skip
    return report


def _net_weighting(args, platform, lef, result, problem, options, log):  # type: ignore[no-untyped-def]
    """The timing-driven weighting: Liberty (--liberty or the platform's) and --sdc."""
    from tapeout.db.design import Design
    from tapeout.db.library import Library
    from tapeout.flow.steps_physical import wire_rc_per_um
    from tapeout.formats.liberty import read_liberty
    from tapeout.formats.sdc import read_sdc
    from tapeout.place.timing_driven import make_net_weighting
    from tapeout.timing import TimingOptions

    liberty = [read_liberty(args.liberty or platform.liberty[0], log=log)]
    design = Design(
        result.design or args.design.stem,
        lef.tech,
        Library(macros=lef.macros, liberty=liberty),
        result.netlist,
        physical=result.physical,
        wires=result.wires,
    )
    design.constraints = read_sdc(
        args.sdc,
        netlist=result.netlist,
        library_time_unit_s=liberty[0].time_unit_s,
        cap_unit_f=liberty[0].capacitive_load_unit_f,
        log=log,
    )
    res_ohm, cap_ff = wire_rc_per_um(platform)
    timing_options = TimingOptions(res_ohm_per_um=res_ohm, cap_ff_per_um=cap_ff)
    return make_net_weighting(design, problem, options, timing_options=timing_options, log=log)
