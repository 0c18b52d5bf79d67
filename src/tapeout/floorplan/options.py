"""Options of the floorplan stage and its report."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from tapeout.errors import ConfigError
from tapeout.formats.def_common import DefVia
from tapeout.formats.pin_constraints import PinConstraint
from tapeout.platforms.base import Platform

ORIENTATIONS = ("N", "S", "E", "W", "FN", "FS", "FE", "FW")


@dataclass(frozen=True)
class MacroPlacement:
    """A hard macro at a fixed position: lower-left corner (µm) and DEF orientation."""

    instance: str
    x_um: float
    y_um: float
    orientation: str = "N"


@dataclass(frozen=True, kw_only=True)
class FloorplanOptions:
    """How to size the chip and what to put on it.

    Attributes:
        platform: the PDK description (site, IO layers, tap cell, power grid recipe).
        utilization: standard-cell (and macro) area / core area, used when no core or die
            rectangle is given.
        aspect_ratio: core height / core width.
        core_margin_um: space between core and die on every side; None = the platform's power
            grid recipe margin (room for the core ring).
        die_area_um: explicit die ``(x0, y0, x1, y1)`` in µm, or None.
        core_area_um: explicit core ``(x0, y0, x1, y1)`` in µm, or None.
        pin_constraints: ports pinned to sides or positions (first matching glob wins).
        macro_placements: hard macros at fixed positions.
        macro_halo_um: keep-out around each hard macro: rows and rails are cut inside it.
        add_taps: insert the platform's tap cells (when it has one).
        add_power_grid: build rails, straps, ring and vias as special nets.
        power_net, ground_net: names of the supply special nets.
    """

    platform: Platform | None = None
    utilization: float = 0.5
    aspect_ratio: float = 1.0
    core_margin_um: float | None = None
    die_area_um: tuple[float, float, float, float] | None = None
    core_area_um: tuple[float, float, float, float] | None = None
    pin_constraints: tuple[PinConstraint, ...] = ()
    macro_placements: tuple[MacroPlacement, ...] = ()
    macro_halo_um: float = 5.0
    add_taps: bool = True
    add_power_grid: bool = True
    power_net: str = "VDD"
    ground_net: str = "VSS"

    def validate(self) -> None:
        """ConfigError naming the first bad option."""
        if self.platform is None:
            raise ConfigError("floorplan needs a platform", hint="e.g. --platform sky130hd")
        if not (0.0 < self.utilization <= 1.0) or not math.isfinite(self.utilization):
            raise ConfigError(f"utilization must be in (0, 1], got {self.utilization}")
        if not (0.05 <= self.aspect_ratio <= 20.0):
            raise ConfigError(f"aspect_ratio must be in [0.05, 20], got {self.aspect_ratio}")
        if self.core_margin_um is not None and not (0.0 <= self.core_margin_um < 1e6):
            raise ConfigError(f"core_margin_um must be >= 0, got {self.core_margin_um}")
        for name in ("die_area_um", "core_area_um"):
            box = getattr(self, name)
            if box is None:
                continue
            if len(box) != 4 or not all(math.isfinite(v) for v in box):
                raise ConfigError(f"{name} must be four numbers x0 y0 x1 y1")
            if box[2] <= box[0] or box[3] <= box[1]:
                raise ConfigError(f"{name} {tuple(box)} is empty: need x1 > x0 and y1 > y0")
        if self.macro_halo_um < 0:
            raise ConfigError(f"macro_halo_um must be >= 0, got {self.macro_halo_um}")
        for placement in self.macro_placements:
            if placement.orientation not in ORIENTATIONS:
                raise ConfigError(
                    f"macro {placement.instance}: unknown orientation {placement.orientation!r}",
                    hint=f"one of {', '.join(ORIENTATIONS)}",
                )
        if self.power_net == self.ground_net:
            raise ConfigError("power_net and ground_net must differ")


@dataclass(eq=False)
class FloorplanReport:
    """What the floorplan made: sizes, counts, and the DEF via definitions its grid uses.

    Areas are µm²; ``vias`` must be written with the DEF (``write_def(..., vias=report.vias)``).
    """

    die_area_um2: float = 0.0
    core_area_um2: float = 0.0
    die_width_um: float = 0.0
    die_height_um: float = 0.0
    cell_area_um2: float = 0.0
    utilization: float = 0.0
    n_rows: int = 0
    n_sites: int = 0
    n_tracks: int = 0
    n_io_pins: int = 0
    n_taps: int = 0
    n_macros: int = 0
    n_power_shapes: int = 0
    n_power_vias: int = 0
    vias: dict[str, DefVia] = field(default_factory=dict)

    def metrics(self) -> dict[str, float | int]:
        """Metrics with ORFS-like names (``floorplan__design__...``)."""
        return {
            "floorplan__design__die__area": round(self.die_area_um2, 4),
            "floorplan__design__core__area": round(self.core_area_um2, 4),
            "floorplan__design__instance__area__stdcell": round(self.cell_area_um2, 4),
            "floorplan__design__instance__utilization": round(self.utilization, 4),
            "floorplan__design__rows__count": self.n_rows,
            "floorplan__design__sites__count": self.n_sites,
            "floorplan__design__io__count": self.n_io_pins,
            "floorplan__design__instance__count__tap": self.n_taps,
            "floorplan__design__instance__count__macros": self.n_macros,
            "floorplan__power__grid__shapes": self.n_power_shapes,
            "floorplan__power__grid__vias": self.n_power_vias,
        }
