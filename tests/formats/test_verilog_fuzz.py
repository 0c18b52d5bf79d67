"""Fuzz test of the Verilog reader: mutated netlists parse or raise a located ParseError."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from tapeout.errors import ParseError
from tapeout.formats.verilog import read_verilog
from tests import fuzzing
from tests.conftest import DATA, shared_path

_TOKEN = re.compile(r"\\\S+|\w+|[^\s\w]")
_GARBAGE = ["\x00", "\xff", "(", ")", ";", "{", "}", "[", "]", ",", ".", "\\", "'", "/*", "//"]
_GARBAGE += ["(*", "`define", "endmodule", "module", "assign", "=", "1'b", "99'hx", "[3:", "#("]


def mutate(text: str, rng: random.Random) -> str:
    return fuzzing.mutate(text, rng, garbage=_GARBAGE, pattern=_TOKEN)


def check_mutations(source: Path, tmp_path: Path, count: int, seed: int) -> int:
    text = source.read_text()
    rng = random.Random(seed)
    failures = 0
    path = tmp_path / "mutant.v"
    for _ in range(count):
        mutant = mutate(text, rng)
        for _ in range(rng.randrange(3)):
            mutant = mutate(mutant, rng) if mutant else mutant
        path.write_text(mutant, encoding="utf-8", errors="surrogateescape")
        try:
            read_verilog(path)
        except ParseError as error:
            failures += 1
            assert error.file == str(path), f"{error!r} has no file"
            assert error.line is not None and error.line >= 1, f"{error} has no line"
    return failures


def test_fuzz_fixture(tmp_path: Path) -> None:
    failures = check_mutations(DATA / "verilog" / "hierarchy.v", tmp_path, 300, seed=1)
    assert failures > 30  # the mutations do reach the error paths


@pytest.mark.parametrize("seed", [2])
def test_fuzz_gcd(tmp_path: Path, seed: int) -> None:
    source = shared_path("sta/gcd_sky130hd/gcd_sky130hd.v")
    # Keep the run short: a prefix of the real file, with the module closed.
    lines = source.read_text().splitlines()[:400]
    while not lines[-1].endswith(";"):
        lines.pop()
    small = tmp_path / "gcd_small.v"
    small.write_text("\n".join(lines) + "\nendmodule\n")
    assert read_verilog(small).n_insts > 10
    failures = check_mutations(small, tmp_path, 200, seed=seed)
    assert 20 < failures < 200
