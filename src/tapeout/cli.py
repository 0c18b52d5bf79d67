"""The ``tapeout`` command line: parses arguments, hands off to a command module, prints errors.

Each subcommand lives in ``tapeout/commands/<name>.py`` with ``SUMMARY`` (one line),
``EXAMPLES`` (text for ``--help``), ``add_arguments(parser)`` and ``execute(args) -> int``.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from tapeout import __version__
from tapeout.errors import TapeoutError

# Order is the order shown in ``tapeout --help``.
COMMANDS: tuple[str, ...] = (
    "run",
    "synth",
    "floorplan",
    "place",
    "sta",
    "report",
    "compare",
    "characterize",
)


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser with every registered subcommand."""
    parser = argparse.ArgumentParser(
        prog="tapeout",
        description="An open chip design flow: Verilog to GDSII.",
        epilog="Examples:\n  tapeout run design.toml\n  tapeout --help\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"tapeout {__version__}")
    _add_common(parser)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"tapeout.commands.{name.replace('-', '_')}")
        sub = subparsers.add_parser(
            name,
            help=module.SUMMARY,
            description=module.SUMMARY,
            epilog="Examples:\n" + module.EXAMPLES,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        _add_common(sub, suppress=True)
        module.add_arguments(sub)
        sub.set_defaults(_execute=module.execute)
    return parser


def _add_common(parser: argparse.ArgumentParser, *, suppress: bool = False) -> None:
    default = argparse.SUPPRESS if suppress else False
    parser.add_argument(
        "--debug", action="store_true", default=default, help="show tracebacks on errors"
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", default=default, help="only print warnings and errors"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``tapeout`` command; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING if args.quiet else logging.INFO,
        format="%(message)s",
        stream=sys.stderr,
    )
    if not getattr(args, "_execute", None):
        parser.print_help()
        return 2
    try:
        return int(args._execute(args) or 0)
    except TapeoutError as error:
        if args.debug:
            raise
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # a bug of ours: say so in one line unless debugging
        if args.debug:
            raise
        print(
            f"internal error: {type(error).__name__}: {error} (rerun with --debug for details)",
            file=sys.stderr,
        )
        return 3


if __name__ == "__main__":
    sys.exit(main())
