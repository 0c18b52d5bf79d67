"""DEF reader fuzzing: mutated files either parse (and then round-trip) or raise a located error."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from tapeout.db.compare import differences
from tapeout.db.physical import place_on_rows
from tapeout.db.synthetic import make_netlist
from tapeout.errors import ParseError
from tapeout.formats.def_ import read_def, write_def
from tapeout.log import Log
from tests.conftest import DATA
from tests.fuzzing import deadline, mutate

SMALL = DATA / "def" / "small.def"
GARBAGE = ["(", ")", ";", "+", "-", "*", "ROUTED", "NEW", "END", "#", '"', "\x00", "é", "1e99"]


def _generated_text(tmp_path: Path) -> str:
    netlist = make_netlist(150, seed=5, n_inputs=4, n_outputs=4)
    physical = place_on_rows(netlist, np.array([1380, 1380, 1380, 2300, 1380, 7360]))
    path = tmp_path / "generated.def"
    write_def(path, netlist, physical)
    return path.read_text()


WRONG_UNITS = [
    ("MICRONS 1000", f"MICRONS {value}")
    for value in ("0", "-1", "2.5", "abc", "99999999999999999999", "2000")
]
WRONG_NUMBERS = ("9" * 25, "1.5", "-", "1e5", "0x10")


def _mutate(text: str, rng: random.Random) -> str:
    return mutate(text, rng, garbage=GARBAGE, replacements=WRONG_UNITS, numbers=WRONG_NUMBERS)


@pytest.mark.parametrize("source", ["small", "generated"])
def test_mutations_parse_or_raise_located_errors(tmp_path: Path, source: str) -> None:
    text = SMALL.read_text() if source == "small" else _generated_text(tmp_path)
    rng = random.Random(2024 if source == "small" else 7)
    path = tmp_path / "mutant.def"
    out = tmp_path / "rewritten.def"
    outcomes = {"parsed": 0, "error": 0}
    for _ in range(200):
        path.write_text(_mutate(text, rng), encoding="utf-8", errors="surrogateescape")
        with deadline(20):
            try:
                result = read_def(path, log=Log())
            except ParseError as error:
                assert error.file == str(path)
                assert error.line is not None and error.line >= 1, str(error)
                outcomes["error"] += 1
                continue
            # What we accept we can write, and read back to the same thing.
            if not result.design:
                result.design = result.netlist.top = "top"
            write_def(out, result.netlist, result.physical, result.wires, vias=result.vias)
            again = read_def(out, log=Log())
        assert differences(result, again) == []
        outcomes["parsed"] += 1
    assert outcomes["parsed"] > 10 and outcomes["error"] > 10, outcomes
