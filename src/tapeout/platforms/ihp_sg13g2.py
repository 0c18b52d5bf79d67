"""IHP SG13G2 130 nm BiCMOS open PDK: the facts of pdks/ihp-sg13g2/PLATFORM.md."""

from __future__ import annotations

from pathlib import Path

from tapeout.platforms.base import LayerRC, Platform, PowerGridRecipe
from tapeout.platforms.resolve import require_file

NAME = "ihp-sg13g2"
_PREFIX = "sg13g2_"

# From PLATFORM.md: Metal1 rails 0.44 µm; TopMetal1/TopMetal2 straps 2.2 µm pitch 75.6 offset
# 13.6; ring on TopMetal1/TopMetal2 5 µm wide, 2 µm spacing, 4.5 µm from the core; margin 17.5 µm.
POWER_GRID = PowerGridRecipe(
    rail_layer="Metal1",
    rail_width_um=0.44,
    strap_layers=("TopMetal1", "TopMetal2"),
    strap_width_um=(2.2, 2.2),
    strap_pitch_um=(75.6, 75.6),
    strap_offset_um=(13.6, 13.6),
    ring_layers=("TopMetal1", "TopMetal2"),
    ring_width_um=5.0,
    ring_spacing_um=2.0,
    ring_offset_um=4.5,
    core_margin_um=17.5,
)

LAYER_RC = (
    LayerRC("Metal1", 8.54576e-3, 1e-10),
    LayerRC("Metal2", 4.4e-4, 1.69121e-4),
    LayerRC("Metal3", 4.4e-4, 1.82832e-4),
    LayerRC("Metal4", 4.39998e-4, 1.66454e-4),
    LayerRC("Metal5", 4.40004e-4, 8.57431e-5),
)

VIA_RES_KOHM = {
    "Via1": 2.0e-3,
    "Via2": 2.0e-3,
    "Via3": 2.0e-3,
    "Via4": 2.0e-3,
    "TopVia1": 0.4e-3,
    "TopVia2": 0.22e-3,
}

# Track grid (pitch, offset) in µm per layer and direction, as PLATFORM.md lists it.
TRACKS_UM = {
    **{f"Metal{index}": "x 0.48 0.0 y 0.42 0.0" for index in range(1, 6)},
    "TopMetal1": "x 3.28 1.64 y 3.28 1.64",
    "TopMetal2": "x 4.0 2.0 y 4.0 2.0",
}


def make_platform(directory: Path, *, source: str = "pdk_root") -> Platform:
    """The ihp-sg13g2 Platform with its files under ``directory`` (``<root>/ihp-sg13g2``)."""

    def file(relative: str) -> Path:
        return require_file(directory, relative, platform=NAME)

    extra = {f"tracks_um.{layer}": text for layer, text in TRACKS_UM.items()}
    extra["klayout_layer_properties"] = str(file("klayout/sg13g2.lyp"))
    # Average wire parasitics a reference flow uses for estimates (kΩ/µm, pF/µm).
    extra["wire_rc.signal"] = "2.07259e-3 1.73072e-4"
    extra["wire_rc.clock"] = "2.48603e-3 1.44812e-4"
    return Platform(
        name=NAME,
        root=directory,
        tech_lef=file("lef/sg13g2_tech.lef"),
        cell_lefs=(file("lef/sg13g2_stdcell.lef"),),
        liberty=(
            file("lib/sg13g2_stdcell_typ_1p20V_25C.lib.gz"),
            file("lib/sg13g2_stdcell_slow_1p08V_125C.lib.gz"),
            file("lib/sg13g2_stdcell_fast_1p32V_m40C.lib.gz"),
        ),
        gds=(file("gds/sg13g2_stdcell.gds"),),
        site="CoreSite",
        supply_voltage=1.2,
        power_nets=("VDD",),
        ground_nets=("VSS",),
        signal_layers=("Metal2", "Metal3", "Metal4", "Metal5"),
        io_layer_horizontal="Metal3",
        io_layer_vertical="Metal2",
        tie_high=(f"{_PREFIX}tiehi", "L_HI"),
        tie_low=(f"{_PREFIX}tielo", "L_LO"),
        min_buffer=(f"{_PREFIX}buf_1", "A", "X"),
        tap_cell=None,  # no tap or endcap cells needed
        tap_pitch_um=None,
        fill_cells=tuple(f"{_PREFIX}{cell}" for cell in ("fill_1", "fill_2", "decap_4", "decap_8")),
        dont_use=tuple(f"{_PREFIX}{cell}" for cell in ("lgcp_1", "sighold", "slgcp_1", "dfrbp_2")),
        layer_rc=LAYER_RC,
        via_res_kohm=dict(VIA_RES_KOHM),
        power_grid=POWER_GRID,
        klayout_layer_map=file("klayout/sg13g2.map"),
        klayout_tech=file("klayout/sg13g2.lyt"),
        extra=extra,
        cdl=file("cdl/sg13g2_stdcell.cdl"),
        source=source,
    )
