"""Fuzzing the Liberty reader: every mutation parses or raises a located ParseError."""

from __future__ import annotations

import random
from pathlib import Path

from tapeout.errors import ParseError
from tapeout.fileio import read_text
from tapeout.formats.liberty import read_liberty
from tapeout.log import Log
from tests.conftest import DATA, shared_path
from tests.fuzzing import mutate

_UNIT_MUTATIONS = [
    ('time_unit : "1ns"', 'time_unit : "1xs"'),
    ('time_unit : "1ns"', 'time_unit : "ns"'),
    ('time_unit : "1ns"', "time_unit : 1"),
    ('voltage_unit : "1V"', 'voltage_unit : "1 volt"'),
    ('current_unit : "1mA"', 'current_unit : "-1mA"'),
    ('leakage_power_unit : "1nW"', 'leakage_power_unit : "1nJ"'),
    ('capacitive_load_unit(1.0000000000, "pf")', 'capacitive_load_unit(1.0, "xf")'),
    ('capacitive_load_unit(1.0000000000, "pf")', "capacitive_load_unit(pf)"),
    ("capacitive_load_unit (1,ff)", "capacitive_load_unit (one,ff)"),
]


def _mutate(text: str, rng: random.Random) -> str:
    return mutate(text, rng, replacements=_UNIT_MUTATIONS)


def _check(text: str, path: Path) -> bool:
    """True when the mutation parsed, False when it raised a located ParseError."""
    path.write_text(text, encoding="utf-8", errors="replace")
    try:
        read_liberty(path, log=Log(max_repeats=0))
    except ParseError as error:
        assert error.file == str(path)
        assert error.line is not None and error.line >= 1
        return False
    return True


def _head(relative: str, cells: int) -> str:
    """The library header and its first ``cells`` cells, closed: a small real library."""
    text = read_text(shared_path(relative))
    position = 0
    for _ in range(cells + 1):
        position = text.index("cell (", position + 1)
    end = text.rfind("\n", 0, position)
    return text[:end] + "\n}\n"


def test_fuzz_fixture(tmp_path: Path) -> None:
    rng = random.Random(21)
    text = (DATA / "liberty" / "features.lib").read_text()
    outcomes = [_check(_mutate(text, rng), tmp_path / "fuzz.lib") for _ in range(300)]
    assert any(outcomes) and not all(outcomes)  # the mutations reach both outcomes


def test_fuzz_sky130_head(tmp_path: Path) -> None:
    rng = random.Random(22)
    text = _head("pdks/sky130hd/lib/sky130_fd_sc_hd__tt_025C_1v80.lib.gz", 2)
    read_liberty(_write(tmp_path / "head.lib", text))  # the unmutated head parses
    for _ in range(120):
        _check(_mutate(text, rng), tmp_path / "fuzz.lib")


def test_fuzz_nangate_head(tmp_path: Path) -> None:
    rng = random.Random(23)
    text = _head("pdks/nangate45/lib/NangateOpenCellLibrary_typ.lib.gz", 3)
    read_liberty(_write(tmp_path / "head.lib", text))
    for _ in range(120):
        _check(_mutate(text, rng), tmp_path / "fuzz.lib")


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path
