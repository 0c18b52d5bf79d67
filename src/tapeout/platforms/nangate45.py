"""Nangate 45 nm Open Cell Library on FreePDK45: the facts of pdks/nangate45/PLATFORM.md."""

from __future__ import annotations

from pathlib import Path

from tapeout.platforms.base import LayerRC, Platform, PowerGridRecipe
from tapeout.platforms.resolve import require_file

NAME = "nangate45"

# OpenROAD-flow-scripts' nangate45 grid: metal1 follow-pin rails 0.17 µm, metal4 straps 0.48 µm
# pitch 56 offset 2, metal7 straps 1.4 µm pitch 40 offset 2. ORFS has no core ring here; ours is
# on metal7/metal8 with the metal7 strap width, 1.4 µm spacing and 2 µm core offset, inside a
# 10 µm core margin (2 + 2 × 1.4 + 1.4 = 6.2 µm needed).
POWER_GRID = PowerGridRecipe(
    rail_layer="metal1",
    rail_width_um=0.17,
    strap_layers=("metal4", "metal7"),
    strap_width_um=(0.48, 1.4),
    strap_pitch_um=(56.0, 40.0),
    strap_offset_um=(2.0, 2.0),
    ring_layers=("metal7", "metal8"),
    ring_width_um=1.4,
    ring_spacing_um=1.4,
    ring_offset_um=2.0,
    core_margin_um=10.0,
)

_FF_TO_PF = 1e-3
# PLATFORM.md prints R in kΩ/µm and C in fF/µm for this library; stored as pF/µm.
LAYER_RC = tuple(
    LayerRC(layer, res, cap_ff * _FF_TO_PF)
    for layer, res, cap_ff in (
        ("metal1", 5.4286e-3, 7.41819e-2),
        ("metal2", 3.57167e-3, 8.33611e-2),
        ("metal3", 3.57147e-3, 1.03981e-1),
        ("metal4", 1.50001e-3, 1.1915e-1),
        ("metal5", 1.5e-3, 1.09256e-1),
        ("metal6", 1.5e-3, 1.14168e-1),
        ("metal7", 1.87501e-4, 1.17491e-1),
        ("metal8", 1.87501e-4, 9.45346e-2),
        ("metal9", 3.74996e-5, 1.06091e-1),
        ("metal10", 3.75e-5, 7.37095e-1),
    )
)

# ORFS nangate45 tapcell.tcl: `tapcell -distance 120 -tapcell_master TAPCELL_X1`.
TAP_PITCH_UM = 120.0


def make_platform(directory: Path, *, source: str = "pdk_root") -> Platform:
    """The nangate45 Platform with its files under ``directory`` (``<root>/nangate45``)."""

    def file(relative: str) -> Path:
        return require_file(directory, relative, platform=NAME)

    return Platform(
        name=NAME,
        root=directory,
        tech_lef=file("lef/NangateOpenCellLibrary.tech.lef"),
        cell_lefs=(file("lef/NangateOpenCellLibrary.macro.mod.lef"),),
        liberty=(
            file("lib/NangateOpenCellLibrary_typ.lib.gz"),
            file("lib/NangateOpenCellLibrary_fast.lib.gz"),
            file("lib/NangateOpenCellLibrary_slow.lib.gz"),
        ),
        gds=(file("gds/NangateOpenCellLibrary.gds"),),
        site="FreePDK45_38x28_10R_NP_162NW_34O",
        supply_voltage=1.1,
        power_nets=("VDD",),
        ground_nets=("VSS",),
        signal_layers=tuple(f"metal{index}" for index in range(2, 11)),
        io_layer_horizontal="metal5",
        io_layer_vertical="metal6",
        tie_high=("LOGIC1_X1", "Z"),
        tie_low=("LOGIC0_X1", "Z"),
        min_buffer=("BUF_X1", "A", "Z"),
        tap_cell="TAPCELL_X1",
        tap_pitch_um=TAP_PITCH_UM,
        fill_cells=tuple(f"FILLCELL_X{width}" for width in (1, 2, 4, 8, 16, 32)),
        dont_use=("TAPCELL_X1", "FILLCELL_X1", "AOI211_X1", "OAI211_X1"),
        layer_rc=LAYER_RC,
        via_res_kohm={},  # PLATFORM.md gives no via resistance for this library
        power_grid=POWER_GRID,
        klayout_layer_map=None,  # no KLayout files ship with this library
        klayout_tech=None,
        source=source,
    )
