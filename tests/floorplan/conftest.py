"""Fixtures for floorplan tests: platforms with their LEF, and netlists of their cells."""

from __future__ import annotations

import functools

import numpy as np
import pytest

from tapeout.db.design import Design
from tapeout.db.library import Library
from tapeout.db.netlist import Netlist
from tapeout.db.synthetic import CellKind, make_netlist
from tapeout.formats.lef import LefResult, read_lef
from tapeout.log import Log
from tapeout.platforms import Platform, get_platform
from tests.conftest import shared_path

#: A small menu of each platform's cells for synthetic netlists (sizes are what matter here).
MENUS: dict[str, tuple[CellKind, ...]] = {
    "sky130hd": (
        CellKind("sky130_fd_sc_hd__inv_1", ("A",), "Y"),
        CellKind("sky130_fd_sc_hd__nand2_1", ("A", "B"), "Y"),
        CellKind("sky130_fd_sc_hd__nor2_1", ("A", "B"), "Y"),
        CellKind("sky130_fd_sc_hd__a21oi_1", ("A1", "A2", "B1"), "Y"),
        CellKind("sky130_fd_sc_hd__buf_1", ("A",), "X"),
        CellKind("sky130_fd_sc_hd__dfxtp_1", ("D", "CLK"), "Q"),
    ),
    "nangate45": (
        CellKind("INV_X1", ("A",), "ZN"),
        CellKind("NAND2_X1", ("A1", "A2"), "ZN"),
        CellKind("NOR2_X1", ("A1", "A2"), "ZN"),
        CellKind("AOI21_X1", ("A", "B1", "B2"), "ZN"),
        CellKind("BUF_X1", ("A",), "Z"),
        CellKind("DFF_X1", ("D", "CK"), "Q"),
    ),
    "ihp-sg13g2": (
        CellKind("sg13g2_inv_1", ("A",), "Y"),
        CellKind("sg13g2_nand2_1", ("A", "B"), "Y"),
        CellKind("sg13g2_nor2_1", ("A", "B"), "Y"),
        CellKind("sg13g2_a21oi_1", ("A1", "A2", "B1"), "Y"),
        CellKind("sg13g2_buf_1", ("A",), "X"),
        CellKind("sg13g2_dfrbp_1", ("D", "CLK"), "Q"),
    ),
}
PLATFORMS = tuple(MENUS)


@functools.cache
def _platform_and_lef(name: str) -> tuple[Platform, LefResult]:
    platform = get_platform(name)
    return platform, read_lef([platform.tech_lef, *platform.cell_lefs], log=Log(max_repeats=0))


def platform_and_lef(name: str) -> tuple[Platform, LefResult]:
    """The platform and its LEF (read once per test session); skips when shared data is absent."""
    shared_path(f"pdks/{name}/PLATFORM.md")
    return _platform_and_lef(name)


def synthetic_netlist(name: str, n_insts: int, *, seed: int = 0, n_ports: int = 40) -> Netlist:
    """A random netlist of ``n_insts`` cells of platform ``name``."""
    return make_netlist(
        n_insts, seed=seed, n_inputs=n_ports, n_outputs=n_ports, menu=MENUS[name],
        weights=np.array([0.2, 0.25, 0.15, 0.15, 0.1, 0.15]),
    )  # fmt: skip


def design_for(name: str, netlist: Netlist) -> Design:
    """A Design of ``netlist`` with the platform's technology and macros."""
    _, lef = platform_and_lef(name)
    return Design(
        name=netlist.top,
        tech=lef.tech,
        library=Library(macros=dict(lef.macros)),
        netlist=netlist,
    )


@pytest.fixture(params=PLATFORMS)
def platform_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)
