"""``tapeout report``: write a run directory's self-contained HTML report and print its path."""

from __future__ import annotations

import argparse
from pathlib import Path

from tapeout.flow.report import write_report

SUMMARY = "write one self-contained HTML report of a run directory"
EXAMPLES = """\
  tapeout report examples/counter/runs/counter          writes .../runs/counter/report.html
  tapeout report runs/gcd -o /tmp/gcd.html               write it somewhere else

The report holds the metrics, each step's runtime and peak memory, and, when the steps made
them, a layout picture, a placement density heat map and a slack histogram (images inline).
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``tapeout report``."""
    parser.add_argument("run_dir", type=Path, metavar="RUN_DIR", help="a run directory")
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="FILE",
        help="HTML file to write (default RUN_DIR/report.html)",
    )


def execute(args: argparse.Namespace) -> int:
    """Write the report; print its path."""
    print(write_report(args.run_dir, args.output))
    return 0
