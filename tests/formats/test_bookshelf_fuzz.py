"""Fuzzing the Bookshelf reader: every mutation parses or raises a located TapeoutError."""

from __future__ import annotations

import gzip
import random
from pathlib import Path

import pytest

from tapeout.errors import InputFileError, ParseError, TapeoutError
from tapeout.formats.bookshelf import read_bookshelf
from tapeout.log import Log
from tests.conftest import DATA, shared_path
from tests.fuzzing import mutate

KINDS = ("nodes", "nets", "pl", "scl", "wts")


def _sources() -> dict[str, dict[str, str]]:
    """Design name -> {kind: text} for the small real designs."""
    simple = shared_path("benchmarks/bookshelf/dreamplace_simple")
    designs = {"simple": {}, "tiny": {}}
    for kind in KINDS:
        zipped = simple / f"simple.{kind}.gz"
        if zipped.exists():
            designs["simple"][kind] = gzip.decompress(zipped.read_bytes()).decode()
        designs["tiny"][kind] = (DATA / "bookshelf" / f"tiny.{kind}").read_text()
    return designs


def _mutate(text: str, rng: random.Random) -> str:
    return mutate(text, rng)  # garbage up to U+02FF, bad numbers, lines deleted or doubled


@pytest.mark.parametrize("seed", range(4))
def test_mutations_parse_or_raise_located_errors(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    designs = _sources()
    for attempt in range(60):
        name = rng.choice(sorted(designs))
        files = dict(designs[name])
        kind = rng.choice(sorted(files))
        files[kind] = _mutate(files[kind], rng)
        folder = tmp_path / f"{seed}_{attempt}"
        folder.mkdir()
        for file_kind, text in files.items():
            (folder / f"d.{file_kind}").write_text(text, encoding="utf-8", errors="replace")
        listed = " ".join(f"d.{file_kind}" for file_kind in files)
        (folder / "d.aux").write_text(f"RowBasedPlacement : {listed}\n")
        try:
            design = read_bookshelf(folder / "d.aux", log=Log())
        except ParseError as error:
            assert error.file is not None and error.file.startswith(str(folder)), error
            assert error.line is not None and error.line >= 1, error
        except InputFileError as error:  # only for an unreadable file
            assert error.file is not None, error
        except TapeoutError as error:  # pragma: no cover - any other kind is a bug here
            raise AssertionError(f"unexpected {type(error).__name__}: {error}") from error
        else:
            assert design.n_pins == int(design.net_pin_indptr[-1])
            assert design.pin_node.max(initial=-1) < design.n_nodes
