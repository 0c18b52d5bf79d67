"""``tapeout place`` on a tiny floorplanned sky130hd DEF and on a Bookshelf design."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tapeout.cli import main
from tapeout.db.physical import Orientation
from tapeout.formats.bookshelf import read_bookshelf
from tapeout.formats.def_ import read_def
from tapeout.formats.lef import read_lef
from tapeout.log import Log
from tapeout.place import problem_from_bookshelf
from tapeout.place.from_design import problem_from_design
from tapeout.platforms import get_platform
from tests.conftest import DATA, shared_path
from tests.place.legality import legality_errors

TINY_DEF = DATA / "place" / "tiny_sky130.def"


def test_place_def_is_legal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shared_path("pdks/sky130hd")
    output = tmp_path / "placed.def"
    assert main(["place", str(TINY_DEF), "--platform", "sky130hd", "-o", str(output),
                 "--report", "json"]) == 0  # fmt: skip
    metrics = json.loads(capsys.readouterr().out)
    assert metrics["detailedplace__hpwl"] > 0
    platform = get_platform("sky130hd")
    lef = read_lef([platform.tech_lef, *platform.cell_lefs], log=Log())
    before = read_def(TINY_DEF, log=Log(), dbu_per_micron=lef.tech.dbu_per_micron)
    after = read_def(output, log=Log(), dbu_per_micron=lef.tech.dbu_per_micron)
    original = problem_from_design(before.netlist, before.physical, lef.macros, lef.tech)
    placed = problem_from_design(after.netlist, after.physical, lef.macros, lef.tech)
    # The placed DEF marks cells PLACED: judge them against the input's fixed flags.
    placed.cell_fixed = original.cell_fixed
    placed.cell_blocks = original.cell_blocks
    assert legality_errors(placed, original.cell_x, original.cell_y) == []
    # Pins follow the written orientations: the DEF read back scores the placer's HPWL.
    assert placed.hpwl() == pytest.approx(metrics["detailedplace__hpwl"], rel=1e-9)
    # Cells take their row's orientation (rows alternate N / FS), or its mirror about the
    # vertical axis where detailed placement flipped them (FN / S).
    row_orient = dict(
        zip(after.physical.row_y.tolist(), after.physical.row_orient.tolist(), strict=True)
    )
    flipped = {Orientation.N: Orientation.FN, Orientation.FS: Orientation.S}
    movable = np.flatnonzero(~original.cell_fixed[: after.netlist.n_insts])
    for inst in movable:
        row = Orientation(row_orient[int(after.physical.inst_y[inst])])
        assert after.physical.inst_orient[inst] in (row, flipped[row])


def test_place_bookshelf(tmp_path: Path) -> None:
    aux = shared_path("benchmarks/bookshelf/dreamplace_simple/simple.aux.gz")
    assert main(["place", str(aux), "-o", str(tmp_path)]) == 0
    original = problem_from_bookshelf(read_bookshelf(aux))
    placed = problem_from_bookshelf(read_bookshelf(tmp_path / "simple.aux"))
    assert legality_errors(placed, original.cell_x, original.cell_y) == []


def test_place_bad_options_exit_nonzero(tmp_path: Path) -> None:
    assert main(["place", str(TINY_DEF), "-o", str(tmp_path / "x.def"),
                 "--target-density", "2"]) == 1  # fmt: skip
    assert main(["place", str(tmp_path / "missing.def"), "-o", str(tmp_path / "x.def")]) == 1


def test_timing_driven_errors_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--timing-driven without --sdc, and with an SDC that does not parse: one error line
    (the SDC's file:line for the second), exit 1, no output written."""
    shared_path("pdks/sky130hd")
    output = tmp_path / "placed.def"
    args = ["place", str(TINY_DEF), "--platform", "sky130hd", "-o", str(output), "--timing-driven"]
    assert main(args) == 1
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error")]
    assert errors == ["error: --timing-driven needs the timing constraints (hint: add --sdc FILE)"]
    bad = tmp_path / "bad.sdc"
    bad.write_text("create_clock -period 1 [get_ports clk]\nset_false_path -through [get_pins x\n")
    assert main([*args, "--sdc", str(bad)]) == 1
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error")]
    assert len(errors) == 1 and errors[0].startswith(f"error: {bad}:2:")
    assert not output.exists()
