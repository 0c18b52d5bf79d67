"""Tap cells: every row, at the platform pitch, staggered, inside the rows."""

from __future__ import annotations

import numpy as np

from tapeout.db.physical import PlacementStatus
from tapeout.floorplan import FloorplanOptions, floorplan
from tapeout.log import Log
from tests.floorplan.conftest import design_for, platform_and_lef, synthetic_netlist


def test_sky130_taps_every_row_staggered() -> None:
    platform, lef = platform_and_lef("sky130hd")
    design = design_for("sky130hd", synthetic_netlist("sky130hd", 2000))
    n_before = design.netlist.n_insts
    report = floorplan(design, FloorplanOptions(platform=platform), log=Log())
    physical, netlist = design.physical, design.netlist
    assert physical is not None and platform.tap_pitch_um is not None
    assert netlist.n_insts == n_before + report.n_taps
    tap = netlist.masters.index("sky130_fd_sc_hd__tapvpwrvgnd_1")
    taps = np.flatnonzero(netlist.inst_master == tap)
    assert taps.shape[0] == report.n_taps and taps.min() == n_before
    assert all(netlist.inst_names[int(i)].startswith("TAP_") for i in taps)
    assert np.all(physical.inst_status[taps] == PlacementStatus.FIXED)
    pitch = round(platform.tap_pitch_um * 1000) // 460 * 460
    width = lef.macros["sky130_fd_sc_hd__tapvpwrvgnd_1"].width
    first_x = {}
    for row in range(physical.n_rows):
        in_row = taps[physical.inst_y[taps] == physical.row_y[row]]
        xs = np.sort(physical.inst_x[in_row])
        assert xs.shape[0] >= 2
        assert np.all(np.diff(xs) == pitch)
        row_end = physical.row_x[row] + physical.row_num_x[row] * 460
        assert xs[0] >= physical.row_x[row] and xs[-1] + width <= row_end
        assert row_end - (xs[-1] + width) < pitch  # no gap longer than a pitch at the end
        assert np.all(physical.inst_orient[in_row] == physical.row_orient[row])
        assert np.all((xs - physical.row_x[row]) % 460 == 0)
        first_x[row] = int(xs[0] - physical.row_x[row])
    assert first_x[0] == 0 and first_x[1] == (pitch // 2) // 460 * 460


def test_ihp_has_no_taps() -> None:
    platform, _ = platform_and_lef("ihp-sg13g2")
    design = design_for("ihp-sg13g2", synthetic_netlist("ihp-sg13g2", 300))
    assert floorplan(design, FloorplanOptions(platform=platform), log=Log()).n_taps == 0
