"""Fuzzing the SPEF reader: every mutation parses or raises a located ParseError."""

from __future__ import annotations

import random
from pathlib import Path

from tapeout.errors import ParseError
from tapeout.formats.spef import read_spef
from tests.conftest import DATA, shared_path
from tests.fuzzing import mutate

WRONG_UNITS = [("1 PF", wrong) for wrong in ("1 XF", "-1 PF", "abc PF", "1")]


def _mutate(text: str, rng: random.Random) -> str:
    return mutate(text, rng, replacements=WRONG_UNITS)


def _check(text: str, path: Path) -> None:
    path.write_text(text, encoding="utf-8", errors="replace")
    try:
        read_spef(path)
    except ParseError as error:
        assert error.file == str(path)
        assert error.line is not None and error.line >= 1


def test_fuzz_small_fixture(tmp_path: Path) -> None:
    rng = random.Random(11)
    text = (DATA / "spef" / "small.spef").read_text()
    for _ in range(300):
        _check(_mutate(text, rng), tmp_path / "fuzz.spef")


def test_fuzz_gcd_head(tmp_path: Path) -> None:
    rng = random.Random(12)
    full = shared_path("sta/gcd_sky130hd/gcd_sky130hd.spef").read_text()
    # The name map, the ports and the first nets: big enough to hit every section, fast to parse.
    text = full[:60000] + full[full.index("*D_NET *1 ") :][:20000]
    for _ in range(100):
        _check(_mutate(text, rng), tmp_path / "fuzz.spef")
