"""Writers may replace the file just read (the CLI refuses that; the library allows it): the
write is atomic, so the result equals a write elsewhere and no temporary file is left."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tapeout.formats.def_ import read_def, write_def
from tapeout.formats.lef import read_lef
from tapeout.formats.lef_write import write_lef
from tapeout.formats.liberty import read_liberty
from tapeout.formats.liberty_write import write_liberty
from tapeout.formats.sdc import read_sdc
from tapeout.formats.sdc_write import write_sdc
from tapeout.formats.spef import read_spef, write_spef
from tapeout.formats.verilog import read_verilog, write_verilog
from tapeout.log import Log
from tests.conftest import DATA


def _def(source: Path, target: Path) -> None:
    result = read_def(source, log=Log())
    write_def(target, result.netlist, result.physical, result.wires, vias=result.vias)


def _lef(source: Path, target: Path) -> None:
    result = read_lef([DATA / "lef" / "tiny_tech.lef", source], log=Log())
    write_lef(target, result.tech, result.macros)


CASES: dict[str, tuple[Path, Callable[[Path, Path], None]]] = {
    "def": (DATA / "def" / "small.def", _def),
    "lef": (DATA / "lef" / "tiny_cells.lef", _lef),
    "liberty": (
        DATA / "liberty" / "features.lib",
        lambda source, target: write_liberty(target, read_liberty(source, log=Log())),
    ),
    "sdc": (
        DATA / "sdc" / "full.sdc",
        lambda source, target: write_sdc(target, read_sdc(source, log=Log())),
    ),
    "spef": (
        DATA / "spef" / "small.spef",
        lambda source, target: write_spef(target, read_spef(source, log=Log())),
    ),
    "verilog": (
        DATA / "verilog" / "hierarchy.v",
        lambda source, target: write_verilog(target, read_verilog(source, log=Log())),
    ),
}


@pytest.mark.parametrize("kind", sorted(CASES))
def test_write_over_the_file_just_read(tmp_path: Path, kind: str) -> None:
    fixture, convert = CASES[kind]
    elsewhere = tmp_path / "elsewhere" / fixture.name
    convert(fixture, elsewhere)
    in_place = tmp_path / "in_place" / fixture.name
    in_place.parent.mkdir()
    shutil.copy(fixture, in_place)
    convert(in_place, in_place)
    assert in_place.read_bytes() == elsewhere.read_bytes()
    assert [path.name for path in in_place.parent.iterdir()] == [fixture.name]
