"""``tapeout sta``: static timing of a gate netlist (Liberty + SDC, optional SPEF)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from tapeout.db.design import Design
from tapeout.db.library import Library
from tapeout.fileio import check_output, write_text
from tapeout.formats.liberty import read_liberty
from tapeout.formats.sdc import read_sdc
from tapeout.formats.spef import read_spef
from tapeout.formats.verilog import read_verilog
from tapeout.log import Log
from tapeout.platforms import get_platform
from tapeout.timing import TimingOptions, analyze, format_report

SUMMARY = "static timing analysis: setup/hold slack, TNS and worst paths of a gate netlist"
EXAMPLES = """\
  tapeout sta --netlist gcd.v --liberty sky130_fd_sc_hd__tt_025C_1v80.lib.gz --sdc gcd.sdc
  tapeout sta --netlist runs/gcd/01_synth/gcd.v --sdc gcd.sdc --pdk-root builtin
  tapeout sta --netlist gcd.v --liberty tt.lib --sdc gcd.sdc --spef gcd.spef --top gcd
  tapeout sta --netlist gcd.v --liberty tt.lib --sdc gcd.sdc --json --paths 3
  tapeout sta ... --slack-file slack.json      endpoint slacks for the HTML report histogram

The text report follows OpenSTA's report_checks layout (times in ns); --json prints ps.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``tapeout sta``."""
    parser.add_argument("--netlist", type=Path, required=True, help="gate-level Verilog")
    parser.add_argument(
        "--liberty",
        type=Path,
        action="append",
        default=[],
        help="Liberty (.lib[.gz]), repeatable (default: the platform's)",
    )
    parser.add_argument("--platform", default="sky130hd", help="platform (default sky130hd)")
    parser.add_argument("--pdk-root", type=Path, default=None, help="platforms folder, or builtin")
    parser.add_argument("--sdc", type=Path, required=True, help="constraints")
    parser.add_argument("--spef", type=Path, default=None, help="parasitics (optional)")
    parser.add_argument("--top", default=None, help="top module (default: guessed)")
    parser.add_argument(
        "--wires", choices=("auto", "ideal", "spef"), default="auto", help="interconnect model"
    )
    parser.add_argument("--paths", type=int, default=1, help="worst setup paths to print")
    parser.add_argument("--endpoints", type=int, default=10, help="worst endpoints per check")
    parser.add_argument("--digits", type=int, default=4, help="digits after the point (ns)")
    parser.add_argument("--json", action="store_true", help="print a JSON summary (ps)")
    parser.add_argument(
        "--slack-file", type=Path, default=None, help="write endpoint slacks (slack.json)"
    )


def execute(args: argparse.Namespace) -> int:
    """Read the inputs, time the design, print the report."""
    liberty = args.liberty or [get_platform(args.platform, pdk_root=args.pdk_root).liberty[0]]
    if args.slack_file is not None:
        inputs = [args.netlist, *liberty, args.sdc, *([args.spef] if args.spef else [])]
        check_output(args.slack_file, inputs)
    log = Log()
    libraries = [read_liberty(path, log=log) for path in liberty]
    netlist = read_verilog(args.netlist, top=args.top, log=log)
    time_unit_s = libraries[0].time_unit_s
    cap_unit_f = libraries[0].capacitive_load_unit_f
    constraints = read_sdc(
        args.sdc, netlist=netlist, library_time_unit_s=time_unit_s, cap_unit_f=cap_unit_f, log=log
    )
    parasitics = read_spef(args.spef, log=log) if args.spef else None
    design = Design(
        name=netlist.top,
        library=Library(liberty=libraries),
        netlist=netlist,
        constraints=constraints,
        parasitics=parasitics,
    )
    options = TimingOptions(
        wires=args.wires, report_paths=args.paths, report_endpoints=args.endpoints
    )
    report = analyze(design, options=options, log=log)
    if args.slack_file is not None:
        values = [round(float(v), 3) for v in report.endpoint_slack_ps]
        write_text(
            args.slack_file,
            json.dumps({"endpoint_slack_ps": values, "clock_period_ps": report.clock_period_ps}),
        )
    if args.json:
        print(json.dumps(report.to_json(), indent=1))
    else:
        print(format_report(report, digits=args.digits), end="")
    return 0
