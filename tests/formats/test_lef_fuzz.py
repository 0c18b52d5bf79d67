"""Fuzzing the LEF reader: mutated real files either parse or raise a located ParseError."""

from __future__ import annotations

import copy
import random
import re
from pathlib import Path

import pytest

from tapeout.db.tech import Technology
from tapeout.errors import ParseError
from tapeout.formats.lef import read_lef, read_lef_text
from tapeout.log import Log
from tests import fuzzing
from tests.conftest import DATA, shared_path

GARBAGE = ["\x00", "\xff\xfe", '"', ";", "END", "#", "(", "1e999", "nan", "-", "é", "\t;\n;"]
WORDS = ["LAYER", "END", "RECT", "MACRO", "PIN", "PORT", "VIA", "SITE", "BY", "0.5", "-3", ";"]


def mutate(text: str, rng: random.Random) -> str:
    """One random corruption: truncation, token delete/duplicate/replace, garbage, numbers."""
    return fuzzing.mutate(text, rng, garbage=GARBAGE, words=WORDS)


def check(text: str, path: Path, tech: Technology | None) -> None:
    try:
        read_lef_text(text, path, log=Log(max_repeats=0), tech=tech)
    except ParseError as error:
        assert error.file == str(path)
        assert error.line is not None and error.line >= 1
        assert error.line <= text.count("\n") + 1


def wrong_units(text: str, rng: random.Random) -> str:
    value = rng.choice(["0", "-1000", "1e30", "abc", "1000.5", "", "2000 2000"])
    return re.sub(r"DATABASE MICRONS \S+", f"DATABASE MICRONS {value}", text)


@pytest.mark.parametrize("seed", range(3))
def test_fuzz_tiny_tech_and_cells(seed: int) -> None:
    rng = random.Random(seed)
    tech_text = (DATA / "lef" / "tiny_tech.lef").read_text()
    cells_text = (DATA / "lef" / "tiny_cells.lef").read_text()
    base_tech = read_lef(DATA / "lef" / "tiny_tech.lef").tech
    for _ in range(60):
        check(mutate(tech_text, rng), Path("tech.lef"), None)
        check(wrong_units(tech_text, rng), Path("tech.lef"), None)
        check(mutate(cells_text, rng), Path("cells.lef"), copy.deepcopy(base_tech))


def test_fuzz_real_sky130_files() -> None:
    rng = random.Random(1234)
    tech_path = shared_path("pdks/sky130hd/lef/sky130_fd_sc_hd.tlef")
    cells_path = shared_path("pdks/sky130hd/lef/sky130_fd_sc_hd_merged.lef")
    tech_text = tech_path.read_text()
    # the first ~30 macros keep each case fast
    cells_text = cells_path.read_text()
    cells_text = cells_text[: cells_text.index("MACRO", 120_000)]
    base_tech = read_lef(tech_path).tech
    for _ in range(60):
        check(mutate(tech_text, rng), Path("sky130.tlef"), None)
        check(mutate(cells_text, rng), Path("cells.lef"), copy.deepcopy(base_tech))


def test_garbage_only_inputs() -> None:
    for text in ["", ";", "END", '"', "\x00\x01\x02", "MACRO", "LAYER x", "#only a comment"]:
        check(text, Path("junk.lef"), None)
