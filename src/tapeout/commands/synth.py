"""``tapeout synth``: Verilog/SystemVerilog to a gate netlist of a platform's cells."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tapeout.errors import ConfigError
from tapeout.fileio import check_output, write_text
from tapeout.log import Log
from tapeout.synth import SynthOptions, synthesize

SUMMARY = "synthesize Verilog/SystemVerilog RTL to a flat netlist of a platform's standard cells"

EXAMPLES = """\
  tapeout synth gcd.v --top gcd --platform sky130hd --sdc constraint.sdc -o gcd.v.mapped
  tapeout synth rtl/*.v --top riscv -I rtl/include -D SYNTHESIS --param XLEN=32 -o riscv.v
  tapeout synth pkg.sv core.sv --top core --platform nangate45 --equiv --report json
  tapeout synth aes/*.v --top aes_cipher_top --clock-period-ps 3600 --dont-use '*_16' -o aes.v
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command's options."""
    parser.add_argument("sources", nargs="+", type=Path, metavar="FILE", help="RTL files")
    parser.add_argument("--top", required=True, help="top module name")
    parser.add_argument("--platform", default="sky130hd", help="platform (default sky130hd)")
    parser.add_argument("--pdk-root", type=Path, default=None, help="platforms folder, or builtin")
    parser.add_argument("--sdc", type=Path, default=None, help="SDC: clock period = ABC target")
    parser.add_argument(
        "--clock-period-ps", type=float, default=None, help="delay target (ps), overrides --sdc"
    )
    parser.add_argument(
        "-o", "--output", type=Path, default=None, help="netlist file (default <top>.mapped.v)"
    )
    parser.add_argument(
        "--report",
        choices=("text", "json"),
        default="text",
        help="print the report as text (default) or JSON",
    )
    parser.add_argument(
        "--report-file", type=Path, default=None, help="also write the JSON report here"
    )
    parser.add_argument(
        "-I",
        dest="include_dirs",
        action="append",
        type=Path,
        default=[],
        metavar="DIR",
        help="include directory (repeatable)",
    )
    parser.add_argument(
        "-D",
        dest="defines",
        action="append",
        default=[],
        metavar="NAME[=VALUE]",
        help="preprocessor define (repeatable)",
    )
    parser.add_argument(
        "--param",
        dest="parameters",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help='top-level parameter override (repeatable); a bare word or "text" is a string',
    )
    parser.add_argument(
        "--dont-use",
        dest="dont_use",
        action="append",
        default=[],
        metavar="GLOB",
        help="cell-name pattern to avoid besides the platform's (repeatable)",
    )
    parser.add_argument(
        "--frontend",
        choices=("auto", "verilog", "slang"),
        default="auto",
        help="auto: slang when a file ends in .sv (default)",
    )
    parser.add_argument(
        "--no-flatten", action="store_true", help="keep the hierarchy (default: flatten)"
    )
    parser.add_argument(
        "--equiv", action="store_true", help="prove the netlist equivalent to the RTL"
    )
    parser.add_argument(
        "--work-dir", type=Path, default=None, help="keep Yosys scripts and logs here"
    )


def _pairs(values: list[str], what: str, *, value_required: bool) -> tuple[tuple[str, str], ...]:
    pairs = []
    for text in values:
        name, separator, value = text.partition("=")
        if not name or (value_required and not separator):
            raise ConfigError(f"{what} {text!r} is not NAME=VALUE")
        pairs.append((name, value if separator else ""))
    return tuple(pairs)


def execute(args: argparse.Namespace) -> int:
    """Run synthesis; print the report; exit 0 (1 when --equiv finds a difference)."""
    options = SynthOptions(
        sources=tuple(args.sources),
        top=args.top,
        platform=args.platform,
        pdk_root=args.pdk_root,
        include_dirs=tuple(args.include_dirs),
        defines=_pairs(args.defines, "define", value_required=False),
        parameters=_pairs(args.parameters, "parameter", value_required=True),
        sdc=args.sdc,
        clock_period_ps=args.clock_period_ps,
        extra_dont_use=tuple(args.dont_use),
        flatten=not args.no_flatten,
        equivalence_check=args.equiv,
        frontend=args.frontend,
    )
    output = args.output or Path(f"{args.top}.mapped.v")
    inputs = [*args.sources, *([args.sdc] if args.sdc else [])]
    check_output(output, inputs)
    if args.report_file is not None:
        check_output(args.report_file, inputs)
        if args.report_file.resolve() == output.resolve():
            raise ConfigError(
                f"--report-file and the netlist are the same file ({output})",
                hint="give the report its own path",
            )
    report = synthesize(options, output, log=Log(), work_directory=args.work_dir)
    data = report.to_json()
    if args.report_file is not None:
        write_text(args.report_file, json.dumps(data, indent=2) + "\n")
    if args.report == "json":
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
    else:
        sys.stdout.write(report.summary() + "\n")
    return 1 if report.equivalent is False else 0
