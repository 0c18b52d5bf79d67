"""SkyWater SKY130 high-density cells (sky130_fd_sc_hd): the facts of pdks/sky130hd/PLATFORM.md."""

from __future__ import annotations

from pathlib import Path

from tapeout.platforms.base import LayerRC, Platform, PowerGridRecipe
from tapeout.platforms.resolve import require_file

NAME = "sky130hd"
_PREFIX = "sky130_fd_sc_hd__"

# Numbers OpenROAD-flow-scripts uses for sky130hd (platforms/sky130hd/pdn.tcl); PLATFORM.md does
# not give a grid: met1 follow-pin rails 0.48 µm; met4 straps 1.6 µm, pitch 27.14, offset 13.57;
# met5 straps 1.6 µm, pitch 27.2, offset 13.6. ORFS adds no core ring for sky130hd; ours is on
# met4/met5 with the strap width, met5's minimum spacing (1.6 µm) and a 2 µm core offset, and the
# core margin leaves room for it (2 + 2 × 1.6 + 1.6 = 6.8 µm, rounded up to 10 µm).
POWER_GRID = PowerGridRecipe(
    rail_layer="met1",
    rail_width_um=0.48,
    strap_layers=("met4", "met5"),
    strap_width_um=(1.6, 1.6),
    strap_pitch_um=(27.14, 27.2),
    strap_offset_um=(13.57, 13.6),
    ring_layers=("met4", "met5"),
    ring_width_um=1.6,
    ring_spacing_um=1.6,
    ring_offset_um=2.0,
    core_margin_um=10.0,
)

# Wire R (kΩ/µm) and C (pF/µm) from PLATFORM.md.
LAYER_RC = (
    LayerRC("li1", 7.176e-2, 1.499e-4),
    LayerRC("met1", 1.20565e-3, 1.72375e-4),
    LayerRC("met2", 1.22132e-3, 1.36233e-4),
    LayerRC("met3", 1.66281e-4, 2.14962e-4),
    LayerRC("met4", 1.68093e-4, 1.48128e-4),
    LayerRC("met5", 1.83558e-5, 1.54087e-4),
)

VIA_RES_KOHM = {
    "mcon": 9.249e-3,
    "via": 4.5e-3,
    "via2": 3.369e-3,
    "via3": 0.3766e-3,
    "via4": 0.0058e-3,
}

# Well taps: the sky130 latch-up rule allows at most ~15 µm from any point to a tap; ORFS's
# sky130hd tapcell.tcl places sky130_fd_sc_hd__tapvpwrvgnd_1 with `tapcell -distance 14`
# (µm between taps in a row, rows staggered), which we copy.
TAP_PITCH_UM = 14.0


def make_platform(directory: Path, *, source: str = "pdk_root") -> Platform:
    """The sky130hd Platform with its files under ``directory`` (``<root>/sky130hd``)."""

    def file(relative: str) -> Path:
        return require_file(directory, relative, platform=NAME)

    return Platform(
        name=NAME,
        root=directory,
        tech_lef=file("lef/sky130_fd_sc_hd.tlef"),
        cell_lefs=(file("lef/sky130_fd_sc_hd_merged.lef"),),
        liberty=(file("lib/sky130_fd_sc_hd__tt_025C_1v80.lib.gz"),),
        gds=(file("gds/sky130_fd_sc_hd.gds"),),
        site="unithd",
        supply_voltage=1.8,
        power_nets=("VPWR", "VPB"),
        ground_nets=("VGND", "VNB"),
        signal_layers=("met1", "met2", "met3", "met4", "met5"),
        io_layer_horizontal="met3",
        io_layer_vertical="met2",
        tie_high=(f"{_PREFIX}conb_1", "HI"),
        tie_low=(f"{_PREFIX}conb_1", "LO"),
        min_buffer=(f"{_PREFIX}buf_4", "A", "X"),
        tap_cell=f"{_PREFIX}tapvpwrvgnd_1",
        tap_pitch_um=TAP_PITCH_UM,
        fill_cells=tuple(f"{_PREFIX}fill_{width}" for width in (1, 2, 4, 8)),
        dont_use=(f"{_PREFIX}probe_p_8", f"{_PREFIX}probec_p_8", f"{_PREFIX}lpflow_*"),
        layer_rc=LAYER_RC,
        via_res_kohm=dict(VIA_RES_KOHM),
        power_grid=POWER_GRID,
        # The .lyt carries the LEF/DEF -> GDS layer map (met1 -> 68/20, ...); no separate .map.
        klayout_layer_map=None,
        klayout_tech=file("klayout/sky130hd.lyt"),
        extra={"klayout_layer_properties": str(file("klayout/sky130hd.lyp"))},
        cdl=file("cdl/sky130hd.cdl"),
        source=source,
    )
