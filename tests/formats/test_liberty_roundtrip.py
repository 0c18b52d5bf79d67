"""Every Liberty file under ../shared/pdks: read → write → read gives an equal database."""

from __future__ import annotations

from pathlib import Path

import pytest

from tapeout.db.compare import differences
from tapeout.formats.liberty import read_liberty, write_liberty
from tests.conftest import shared_path

FAST = [
    "pdks/ihp-sg13g2/lib/sg13g2_stdcell_typ_1p20V_25C.lib.gz",
    "pdks/ihp-sg13g2/lib/sg13g2_stdcell_fast_1p32V_m40C.lib.gz",
    "pdks/ihp-sg13g2/lib/sg13g2_stdcell_slow_1p08V_125C.lib.gz",
]
SLOW = [
    "pdks/sky130hd/lib/sky130_fd_sc_hd__tt_025C_1v80.lib.gz",
    "pdks/nangate45/lib/NangateOpenCellLibrary_typ.lib.gz",
    "pdks/nangate45/lib/NangateOpenCellLibrary_fast.lib.gz",
    "pdks/nangate45/lib/NangateOpenCellLibrary_slow.lib.gz",
]


@pytest.mark.parametrize(
    "relative", FAST + [pytest.param(path, marks=pytest.mark.slow) for path in SLOW]
)
def test_round_trip(relative: str, tmp_path: Path) -> None:
    first = read_liberty(shared_path(relative))
    assert first.cells
    written = tmp_path / "out.lib"
    write_liberty(written, first)
    second = read_liberty(written)
    # Exact equality (rel_tol=0): floats are written with repr, so every value survives.
    assert differences(first, second) == []
