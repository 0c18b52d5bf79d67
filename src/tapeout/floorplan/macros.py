"""Hard macros at user-given positions: FIXED, inside the core, not overlapping each other.

Each placed macro reports its halo box (rows, rails and low straps stay out of it), the highest
routing layer it uses (straps on that layer or below are cut around it) and its power/ground
pin shapes in chip coordinates (straps above them drop via stacks onto them).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tapeout.db.macro import Macro
from tapeout.db.netlist import Netlist
from tapeout.db.physical import ROTATED, Orientation, Physical, PlacementStatus, orient_points
from tapeout.db.tech import LayerType, Technology
from tapeout.errors import ConfigError
from tapeout.floorplan.core import snap_down
from tapeout.floorplan.options import MacroPlacement

Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class PlacedMacro:
    """A fixed hard macro as the power grid sees it (DBU, chip coordinates).

    ``power_pins``: ``(is_ground, layer, rect)`` of each rectangle of its supply pins.
    ``top_layer``: highest routing layer of its pins and obstructions (None: none).
    """

    instance: str
    box: Box
    halo: Box
    top_layer: str | None
    power_pins: tuple[tuple[bool, str, Box], ...]


def _chip_rects(rects: np.ndarray, macro: Macro, orient: int, x: int, y: int) -> list[Box]:
    """Macro-frame rectangles int64 (k, 4) placed at (x, y) with ``orient``."""
    if rects.shape[0] == 0:
        return []
    k = rects.shape[0]
    shifted = rects + np.array([macro.origin_x, macro.origin_y] * 2, np.int64)
    orients = np.full(k, orient, np.int8)
    width = np.full(k, macro.width, np.int64)
    height = np.full(k, macro.height, np.int64)
    ax, ay = orient_points(shifted[:, 0], shifted[:, 1], orients, width, height)
    bx, by = orient_points(shifted[:, 2], shifted[:, 3], orients, width, height)
    boxes = np.stack(
        [np.minimum(ax, bx) + x, np.minimum(ay, by) + y, np.maximum(ax, bx) + x,
         np.maximum(ay, by) + y], axis=1,
    )  # fmt: skip
    return [tuple(int(v) for v in row) for row in boxes.tolist()]  # type: ignore[misc]


def place_macros(
    netlist: Netlist,
    physical: Physical,
    macros: dict[str, Macro],
    placements: tuple[MacroPlacement, ...],
    tech: Technology,
    *,
    core: Box,
    halo: int,
    grid: int,
    ground_pins: tuple[str, ...],
    power_pins: tuple[str, ...],
) -> list[PlacedMacro]:
    """Fix each placed macro and describe it for rows and the power grid.

    Positions snap down to the manufacturing ``grid``. ConfigError for an unknown instance, a
    macro outside the core, or two macros overlapping.
    """
    placed: list[PlacedMacro] = []
    for placement in placements:
        inst = netlist.inst_names.get(placement.instance)
        if inst < 0:
            raise ConfigError(f"macro placement names unknown instance {placement.instance!r}")
        master = macros[netlist.masters[int(netlist.inst_master[inst])]]
        orient = Orientation[placement.orientation]
        rotated = bool(ROTATED[orient])
        width, height = (master.height, master.width) if rotated else (master.width, master.height)
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
        for other in placed:
            o = other.box
            if box[0] < o[2] and o[0] < box[2] and box[1] < o[3] and o[1] < box[3]:
                raise ConfigError(f"macros {other.instance} and {placement.instance} overlap")
        physical.inst_x[inst], physical.inst_y[inst] = x, y
        physical.inst_orient[inst] = int(orient)
        physical.inst_status[inst] = int(PlacementStatus.FIXED)
        used = [int(i) for i in master.obstructions.rect_layer.tolist()]
        pins: list[tuple[bool, str, Box]] = []
        for pin in master.pins.values():
            layers = pin.rect_layers()
            used.extend(int(i) for i in layers.tolist())
            is_ground = pin.use == "GROUND" or pin.name in ground_pins
            is_power = pin.use == "POWER" or pin.name in power_pins
            if not (is_ground or is_power):
                continue
            for layer_id, rect in zip(
                layers.tolist(), _chip_rects(pin.rects(), master, int(orient), x, y), strict=True
            ):
                layer = tech.layers[layer_id]
                if layer.type is LayerType.ROUTING:
                    pins.append((is_ground, layer.name, rect))
        routing = [i for i in used if tech.layers[i].type is LayerType.ROUTING]
        placed.append(
            PlacedMacro(
                instance=placement.instance,
                box=box,
                halo=(x - halo, y - halo, box[2] + halo, box[3] + halo),
                top_layer=tech.layers[max(routing)].name if routing else None,
                power_pins=tuple(pins),
            )
        )
    return placed


def halo_boxes(placed: list[PlacedMacro]) -> np.ndarray:
    """int64 (k, 4) halo boxes of the placed macros."""
    return np.array([m.halo for m in placed], np.int64).reshape(-1, 4)
