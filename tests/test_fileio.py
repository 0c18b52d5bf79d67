"""Atomic writes and readable errors for missing files."""

import gzip
import os
import stat

import pytest

from tapeout.errors import InputFileError
from tapeout.fileio import atomic_write, output_mode, read_text, write_text


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


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_outputs_get_the_umask_mode_or_keep_the_replaced_files(tmp_path):
    # The temporary file an atomic write starts from is 0600: every netlist, DEF and report
    # came out unreadable to group and others whatever the umask.
    mask = os.umask(0o022)
    os.umask(mask)
    fresh = tmp_path / "fresh.v"
    write_text(fresh, "new\n")
    assert _mode(fresh) == 0o666 & ~mask == output_mode(tmp_path / "other.v")
    kept = tmp_path / "kept.lib.gz"
    kept.write_bytes(b"")
    kept.chmod(0o640)
    write_text(kept, "replaced\n")
    assert _mode(kept) == 0o640
