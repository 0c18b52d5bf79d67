"""Every reader of formats/: missing, directory, unreadable, empty and binary files give one
located TapeoutError (never another exception, never a hang)."""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from pathlib import Path

import pytest

from tapeout.errors import InputFileError, ParseError, TapeoutError
from tapeout.formats.bookshelf import read_bookshelf
from tapeout.formats.def_ import read_def
from tapeout.formats.lef import read_lef
from tapeout.formats.liberty import read_liberty
from tapeout.formats.pin_constraints import read_pin_constraints
from tapeout.formats.sdc import read_sdc
from tapeout.formats.spef import read_spef
from tapeout.formats.verilog import read_verilog
from tapeout.log import Log
from tests.fuzzing import deadline

READERS: dict[str, tuple[str, Callable[[Path, Log], object]]] = {
    "lef": ("cells.lef", lambda path, log: read_lef(path, log=log)),
    "def": ("design.def", lambda path, log: read_def(path, log=log)),
    "liberty": ("cells.lib", lambda path, log: read_liberty(path, log=log)),
    "verilog": ("design.v", lambda path, log: read_verilog(path, log=log)),
    "sdc": ("design.sdc", lambda path, log: read_sdc(path, log=log)),
    "spef": ("design.spef", lambda path, log: read_spef(path, log=log)),
    "bookshelf": ("design.aux", lambda path, log: read_bookshelf(path, log=log)),
    "pin_constraints": ("pins.cfg", lambda path, log: read_pin_constraints(path)),
}
# Readers for which an empty file is a valid, empty description.
EMPTY_IS_VALID = {"lef", "sdc", "pin_constraints"}


def read(kind: str, path: Path, log: Log | None = None) -> object:
    with deadline(20):
        return READERS[kind][1](path, log or Log())


def assert_located(error: TapeoutError, path: Path) -> None:
    assert error.file is not None and Path(error.file).resolve() == path.resolve(), error
    if isinstance(error, ParseError):
        assert error.line is not None and error.line >= 1, error
    assert "\n" not in str(error), repr(str(error))


@pytest.mark.parametrize("kind", sorted(READERS))
@pytest.mark.parametrize("problem", ["missing", "directory", "below a file", "unreadable"])
def test_unreadable_input_names_the_path(
    tmp_path: Path, kind: str, problem: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = READERS[kind][0]
    path = tmp_path / name
    if problem == "directory":
        path.mkdir()
    elif problem == "below a file":
        (tmp_path / "plain").write_text("")
        path = tmp_path / "plain" / name
    elif problem == "unreadable":
        path.write_text("x")
        path.chmod(0)
        if os.geteuid() == 0:  # root reads any file: make the read fail as it would for a user
            real_read_bytes = Path.read_bytes

            def refuse(self: Path) -> bytes:
                if self == path:
                    raise PermissionError(13, "Permission denied", str(self))
                return real_read_bytes(self)

            monkeypatch.setattr(Path, "read_bytes", refuse)
    with pytest.raises(InputFileError) as info:
        read(kind, path)
    assert info.value.file == str(path), info.value
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("kind", sorted(READERS))
def test_empty_file(tmp_path: Path, kind: str) -> None:
    path = tmp_path / READERS[kind][0]
    path.write_bytes(b"")
    try:
        read(kind, path)
    except TapeoutError as error:
        assert kind not in EMPTY_IS_VALID, f"{kind}: {error}"
        assert isinstance(error, ParseError), repr(error)
        assert_located(error, path)
    else:
        assert kind in EMPTY_IS_VALID, f"an empty {kind} file was accepted"


@pytest.mark.parametrize("kind", sorted(READERS))
@pytest.mark.parametrize("seed", range(3))
def test_binary_file(tmp_path: Path, kind: str, seed: int) -> None:
    rng = random.Random(seed)
    data = bytes(rng.randrange(256) for _ in range(rng.choice([7, 300, 5000])))
    if seed == 2:
        data = b"\x00" * 4096  # a file of zeros (a crashed copy)
    path = tmp_path / READERS[kind][0]
    path.write_bytes(data)
    log = Log()
    try:
        read(kind, path, log)
    except TapeoutError as error:
        assert_located(error, path)
    else:
        # Tcl skips unknown commands with a warning, so SDC may survive garbage, but says so.
        assert kind == "sdc" and log.count("WARN") >= 1, f"a binary {kind} file was accepted"
        assert all(len(text) < 400 for _, _, text in log.messages)


@pytest.mark.parametrize("kind", ["lef", "def", "liberty", "verilog", "spef"])
def test_corrupt_gzip(tmp_path: Path, kind: str) -> None:
    path = tmp_path / (READERS[kind][0] + ".gz")
    path.write_bytes(b"\x1f\x8b\x08\x00not really gzip")
    with pytest.raises(InputFileError) as info:
        read(kind, path)
    assert info.value.file == str(path)
