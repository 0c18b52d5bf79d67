"""What a flow must know about a PDK beyond its files: the Platform description."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class LayerRC:
    """Unit wire parasitics of one routing layer: kΩ/µm and pF/µm."""

    layer: str
    res_kohm_per_um: float
    cap_pf_per_um: float


@dataclass(frozen=True)
class PowerGridRecipe:
    """The platform's power grid: follow-pin rails, straps and the core ring (µm)."""

    rail_layer: str
    rail_width_um: float
    strap_layers: tuple[str, ...]
    strap_width_um: tuple[float, ...]
    strap_pitch_um: tuple[float, ...]
    strap_offset_um: tuple[float, ...]
    ring_layers: tuple[str, str]
    ring_width_um: float
    ring_spacing_um: float
    ring_offset_um: float
    core_margin_um: float


@dataclass(frozen=True)
class Platform:
    """One PDK + standard-cell library as the flow uses it.

    File paths are absolute, resolved under a PDK root (see ``tapeout.platforms.get_platform``).
    """

    name: str
    root: Path
    tech_lef: Path
    cell_lefs: tuple[Path, ...]
    liberty: tuple[Path, ...]  # first is the default (typical) corner
    gds: tuple[Path, ...]
    site: str
    supply_voltage: float
    power_nets: tuple[str, ...]  # e.g. ("VPWR", "VPB") pins tied to VDD
    ground_nets: tuple[str, ...]
    signal_layers: tuple[str, ...]  # lowest to highest routing layer for signals
    io_layer_horizontal: str  # IO pins on left/right edges
    io_layer_vertical: str  # IO pins on top/bottom edges
    tie_high: tuple[str, str]  # (cell, pin)
    tie_low: tuple[str, str]
    min_buffer: tuple[str, str, str]  # (cell, input pin, output pin)
    tap_cell: str | None
    tap_pitch_um: float | None
    fill_cells: tuple[str, ...]
    dont_use: tuple[str, ...]  # glob patterns
    layer_rc: tuple[LayerRC, ...]
    via_res_kohm: dict[str, float] = field(default_factory=dict)
    power_grid: PowerGridRecipe | None = None
    klayout_layer_map: Path | None = None
    klayout_tech: Path | None = None
    extra: dict[str, str] = field(default_factory=dict)
