"""Fixtures of the timing tests: the gcd_sky130hd reference case, read once per session."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tapeout.db.constraints import Constraints
from tapeout.db.liberty import LibertyLibrary
from tapeout.db.netlist import Netlist
from tapeout.db.parasitics import Parasitics
from tests.conftest import shared_path

LIBERTY = "pdks/sky130hd/lib/sky130_fd_sc_hd__tt_025C_1v80.lib.gz"
CASE = "sta/gcd_sky130hd"


@dataclass
class GcdCase:
    netlist: Netlist
    library: LibertyLibrary
    constraints: Constraints
    parasitics: Parasitics
    reference_spef: str
    reference_nospef: str


@pytest.fixture(scope="session")
def sky130_library() -> LibertyLibrary:
    from tapeout.formats.liberty import read_liberty

    return read_liberty(shared_path(LIBERTY))


@pytest.fixture(scope="session")
def gcd(sky130_library: LibertyLibrary) -> GcdCase:
    from tapeout.formats.sdc import read_sdc
    from tapeout.formats.spef import read_spef
    from tapeout.formats.verilog import read_verilog

    folder = shared_path(CASE)
    netlist = read_verilog(folder / "gcd_sky130hd.v", top="gcd")
    return GcdCase(
        netlist=netlist,
        library=sky130_library,
        constraints=read_sdc(folder / "gcd_sky130hd.sdc", netlist=netlist),
        parasitics=read_spef(folder / "gcd_sky130hd.spef"),
        reference_spef=(folder / "opensta_reference.txt").read_text(),
        reference_nospef=(folder / "opensta_reference_nospef.txt").read_text(),
    )
