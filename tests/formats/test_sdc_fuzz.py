"""Fuzzing the SDC reader: every mutation runs or raises a located ParseError, never hangs."""

from __future__ import annotations

import random
from pathlib import Path

from tapeout.errors import ParseError
from tapeout.formats.sdc import read_sdc
from tests.conftest import DATA, shared_path
from tests.formats.test_sdc import _tiny_netlist
from tests.fuzzing import BAD_NUMBERS, mutate

TCL_SPECIALS = list('{}[]$"\\;#*?-')
WRONG_NUMBERS = ("x", "-1e999", "1ns", *BAD_NUMBERS)


def _mutate(text: str, rng: random.Random) -> str:
    return mutate(text, rng, garbage=TCL_SPECIALS, numbers=WRONG_NUMBERS)


def _check(text: str, path: Path, **options: object) -> None:
    path.write_text(text, encoding="utf-8", errors="replace")
    try:
        read_sdc(path, **options)  # type: ignore[arg-type]
    except ParseError as error:
        assert error.file == str(path)
        assert error.line is not None and error.line >= 1


def test_fuzz_full_fixture(tmp_path: Path) -> None:
    rng = random.Random(21)
    text = (DATA / "sdc" / "full.sdc").read_text()
    netlist = _tiny_netlist()
    for round_index in range(300):
        options = {"netlist": netlist} if round_index % 2 else {}
        _check(_mutate(text, rng), tmp_path / "fuzz.sdc", **options)


def test_fuzz_design_sdc(tmp_path: Path) -> None:
    rng = random.Random(22)
    text = shared_path("designs/riscv32i/sky130hd/constraint.sdc").read_text()
    for _ in range(200):
        _check(_mutate(text, rng), tmp_path / "fuzz.sdc")
