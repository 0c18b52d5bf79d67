"""DEF reader fuzzing: mutated files either parse (and then round-trip) or raise a located error."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
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

SMALL = DATA / "def" / "small.def"
GARBAGE = ["(", ")", ";", "+", "-", "*", "ROUTED", "NEW", "END", "#", '"', "\x00", "é", "1e99"]


@contextmanager
def _deadline(seconds: int) -> Iterator[None]:
    """Fail instead of hanging."""

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError("parser did not finish")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _generated_text(tmp_path: Path) -> str:
    netlist = make_netlist(150, seed=5, n_inputs=4, n_outputs=4)
    physical = place_on_rows(netlist, np.array([1380, 1380, 1380, 2300, 1380, 7360]))
    path = tmp_path / "generated.def"
    write_def(path, netlist, physical)
    return path.read_text()


def _mutate(text: str, rng: np.random.Generator) -> str:
    tokens = text.split(" ")
    kind = int(rng.integers(7))
    if kind == 0:  # truncate
        return text[: int(rng.integers(len(text)))]
    if kind == 1:  # delete a token
        del tokens[int(rng.integers(len(tokens)))]
    elif kind == 2:  # duplicate a token
        i = int(rng.integers(len(tokens)))
        tokens.insert(i, tokens[i])
    elif kind == 3:  # inject garbage bytes
        i = int(rng.integers(len(text)))
        junk = bytes(rng.integers(0, 256, int(rng.integers(1, 8))).tolist())
        return text[:i] + junk.decode("latin-1") + text[i:]
    elif kind == 4:  # a garbage token
        tokens.insert(int(rng.integers(len(tokens))), str(rng.choice(GARBAGE)))
    elif kind == 5:  # wrong units
        value = str(rng.choice(["0", "-1", "2.5", "abc", "99999999999999999999", "2000"]))
        return text.replace("MICRONS 1000", f"MICRONS {value}")
    else:  # a number out of range or malformed
        numbers = [i for i, t in enumerate(tokens) if t.lstrip("-").isdigit()]
        if numbers:
            i = numbers[int(rng.integers(len(numbers)))]
            tokens[i] = str(rng.choice(["9" * 25, "1.5", "-", "1e5", "0x10"]))
    return " ".join(tokens)


@pytest.mark.parametrize("source", ["small", "generated"])
def test_mutations_parse_or_raise_located_errors(tmp_path: Path, source: str) -> None:
    text = SMALL.read_text() if source == "small" else _generated_text(tmp_path)
    rng = np.random.default_rng(2024 if source == "small" else 7)
    path = tmp_path / "mutant.def"
    out = tmp_path / "rewritten.def"
    outcomes = {"parsed": 0, "error": 0}
    for _ in range(200):
        path.write_text(_mutate(text, rng), encoding="utf-8", errors="surrogateescape")
        with _deadline(20):
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
