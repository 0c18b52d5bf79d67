"""What a flow must know about a PDK beyond its files: the Platform description."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path

from tapeout.errors import PlatformError


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
    cdl: Path | None = None  # transistor netlists for LVS, where the PDK ships them
    source: str = "pdk_root"  # where the files came from (a future "builtin" source)

    def is_dont_use(self, cell_name: str) -> bool:
        """True when ``cell_name`` matches one of the ``dont_use`` glob patterns (fnmatch)."""
        return any(fnmatch.fnmatchcase(cell_name, pattern) for pattern in self.dont_use)

    def layer_rc_for(self, layer: str) -> LayerRC:
        """Unit wire R/C of routing ``layer``; PlatformError naming the known layers if absent.

        (``layer_rc`` is the tuple field of all layers, so the lookup has its own name.)
        """
        for entry in self.layer_rc:
            if entry.layer == layer:
                return entry
        known = ", ".join(entry.layer for entry in self.layer_rc)
        raise PlatformError(
            f"platform {self.name!r} has no wire RC for layer {layer!r}",
            hint=f"known layers: {known}",
        )

    def files(self) -> tuple[Path, ...]:
        """Every file path the platform names (for existence checks and manifests)."""
        paths: list[Path] = [self.tech_lef, *self.cell_lefs, *self.liberty, *self.gds]
        for optional in (self.klayout_layer_map, self.klayout_tech, self.cdl):
            if optional is not None:
                paths.append(optional)
        return tuple(paths)
