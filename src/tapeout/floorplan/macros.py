"""Hard macros at user-given positions: FIXED, inside the core, not overlapping each other."""

from __future__ import annotations

import numpy as np

from tapeout.db.macro import Macro
from tapeout.db.netlist import Netlist
from tapeout.db.physical import ROTATED, Orientation, Physical, PlacementStatus
from tapeout.errors import ConfigError
from tapeout.floorplan.core import snap_down
from tapeout.floorplan.options import MacroPlacement


def place_macros(
    netlist: Netlist,
    physical: Physical,
    macros: dict[str, Macro],
    placements: tuple[MacroPlacement, ...],
    *,
    core: tuple[int, int, int, int],
    halo: int,
    grid: int,
) -> np.ndarray:
    """Fix each placed macro; returns int64 (k, 4) boxes grown by ``halo`` (DBU).

    Positions snap down to the manufacturing ``grid``. ConfigError for an unknown instance, a
    macro outside the core, or two macros overlapping.
    """
    boxes: list[tuple[int, int, int, int]] = []
    for placement in placements:
        inst = netlist.inst_names.get(placement.instance)
        if inst < 0:
            raise ConfigError(f"macro placement names unknown instance {placement.instance!r}")
        master = macros[netlist.masters[int(netlist.inst_master[inst])]]
        orient = Orientation[placement.orientation]
        width, height = (
            (master.height, master.width) if ROTATED[orient] else (master.width, master.height)
        )
        x = snap_down(round(placement.x_um * physical.dbu_per_micron), grid)
        y = snap_down(round(placement.y_um * physical.dbu_per_micron), grid)
        box = (x, y, x + width, y + height)
        if not (
            core[0] <= box[0] and core[1] <= box[1] and box[2] <= core[2] and box[3] <= core[3]
        ):
            raise ConfigError(
                f"macro {placement.instance} at ({placement.x_um}, {placement.y_um}) µm "
                f"({width / physical.dbu_per_micron:g} x {height / physical.dbu_per_micron:g} µm) "
                "is not inside the core",
                hint=f"core is {tuple(v / physical.dbu_per_micron for v in core)} µm",
            )
        for other, placed in zip(placements, boxes, strict=False):
            if (
                box[0] < placed[2]
                and placed[0] < box[2]
                and box[1] < placed[3]
                and placed[1] < box[3]
            ):
                raise ConfigError(f"macros {other.instance} and {placement.instance} overlap")
        boxes.append(box)
        physical.inst_x[inst], physical.inst_y[inst] = x, y
        physical.inst_orient[inst] = int(orient)
        physical.inst_status[inst] = int(PlacementStatus.FIXED)
    if not boxes:
        return np.zeros((0, 4), np.int64)
    grown = np.asarray(boxes, np.int64) + np.array([-halo, -halo, halo, halo], np.int64)
    return grown
