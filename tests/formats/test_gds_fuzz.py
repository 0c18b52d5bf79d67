"""Fuzzing the DEF input of merge_gds: every mutation merges or raises a located TapeoutError."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tapeout.errors import DesignError, ParseError
from tapeout.formats.gds import merge_gds
from tapeout.log import Log
from tapeout.platforms import get_platform
from tests.conftest import DATA, shared_path
from tests.fuzzing import mutate

pytest.importorskip("klayout.db")


WORDS = ["\x00\xff", "1e999", "-", "(", ";", "nosuchcell", "12.5.3"]


def _mutate(text: str, rng: random.Random) -> str:
    return mutate(text, rng, words=WORDS)


def test_def_mutations(tmp_path: Path) -> None:
    platform = get_platform("sky130hd", pdk_root=shared_path("pdks"))
    # A small cell library (the placed cells only) keeps each merge fast.
    kdb = pytest.importorskip("klayout.db")
    library = kdb.Layout()
    library.read(str(platform.gds[0]))
    keep = {
        f"sky130_fd_sc_hd__{name}"
        for name in ("tapvpwrvgnd_1", "inv_1", "nand2_1", "dfxtp_1", "buf_4", "conb_1")
    }
    for cell in list(library.each_cell()):
        if cell.name not in keep:
            library.delete_cell(cell.cell_index())
    small_library = tmp_path / "cells.gds"
    library.write(str(small_library))

    text = (DATA / "gds" / "sky130hd_small.def").read_text()
    rng = random.Random(1)
    outcomes = {"ok": 0, "error": 0}
    for attempt in range(30):
        def_path = tmp_path / f"m{attempt}.def"
        def_path.write_text(_mutate(text, rng), encoding="utf-8", errors="replace")
        out = tmp_path / f"m{attempt}.gds"
        try:
            merge_gds(
                out,
                def_path=def_path,
                lef_paths=[platform.tech_lef, *platform.cell_lefs],
                cell_gds=[small_library],
                layer_map=platform.klayout_tech,
                log=Log(),
            )
        except (ParseError, DesignError) as error:
            outcomes["error"] += 1
            assert error.file == str(def_path.resolve()), error
            if isinstance(error, ParseError):
                assert error.line is not None and error.line >= 1, error
            assert not out.exists()
        else:
            outcomes["ok"] += 1
            assert out.is_file()
    assert outcomes["ok"] and outcomes["error"]
