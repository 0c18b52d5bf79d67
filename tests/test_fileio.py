"""Atomic writes and readable errors for missing files."""

import gzip

import pytest

from tapeout.errors import InputFileError
from tapeout.fileio import atomic_write, read_text, write_text


def test_missing_file_names_path(tmp_path):
    with pytest.raises(InputFileError) as info:
        read_text(tmp_path / "nope.lef", what="LEF file")
    assert "nope.lef" in str(info.value) and "LEF file not found" in str(info.value)


def test_gzip_round_trip(tmp_path):
    write_text(tmp_path / "x.txt.gz", "hello\n")
    assert gzip.decompress((tmp_path / "x.txt.gz").read_bytes()) == b"hello\n"
    assert read_text(tmp_path / "x.txt.gz") == "hello\n"


def test_failed_write_keeps_old_file(tmp_path):
    target = tmp_path / "out.v"
    target.write_text("original")
    with pytest.raises(RuntimeError), atomic_write(target) as handle:
        handle.write("half")
        raise RuntimeError("killed")
    assert target.read_text() == "original"
    assert list(tmp_path.iterdir()) == [target]
