"""IO pins: one rectangle per port on the die edge, on a routing track of the side's IO layer.

Left/right pins use the platform's horizontal IO layer and sit on its Y tracks; top/bottom pins
use the vertical IO layer on its X tracks. A pin is the layer's width wide and long enough for
the layer's minimum area. Constrained ports go first (fixed positions, then sides); the others
are spread evenly over the free slots around the die, counter-clockwise from the lower left.
"""

from __future__ import annotations

import fnmatch
import re

import numpy as np

from tapeout.db.netlist import Netlist
from tapeout.db.physical import Orientation, Physical, PlacementStatus, SignalUse
from tapeout.db.tech import Technology
from tapeout.errors import ConfigError, DesignError
from tapeout.floorplan.core import snap_up, track_positions
from tapeout.formats.pin_constraints import SIDES, PinConstraint
from tapeout.log import Log


def pin_size(tech: Technology, layer_name: str) -> tuple[int, int]:
    """(width, length) DBU of an IO pin on ``layer_name``: min width, length for min area."""
    layer = tech.layer(layer_name)
    grid = max(tech.manufacturing_grid or 1, 1)
    width = layer.min_width or layer.width or (layer.pitch_x or 2 * grid) // 2
    width = snap_up(width, 2 * grid)
    length = 2 * width
    if layer.min_area:
        length = max(length, -(-layer.min_area // width))
    return width, snap_up(length, grid)


def place_io_pins(
    netlist: Netlist,
    physical: Physical,
    tech: Technology,
    *,
    horizontal_layer: str,
    vertical_layer: str,
    constraints: tuple[PinConstraint, ...],
    log: Log,
) -> int:
    """Place every port of ``netlist`` on the die edge; returns the number placed.

    Fills ``physical.port_*`` and the pin shapes. DesignError when there are more ports than
    track slots on the edges.
    """
    die = physical.die_bbox()
    x0, y0, x1, y1 = (int(v) for v in die)
    sizes = {
        "left": pin_size(tech, horizontal_layer),
        "right": pin_size(tech, horizontal_layer),
        "bottom": pin_size(tech, vertical_layer),
        "top": pin_size(tech, vertical_layer),
    }
    layer_of = {"left": horizontal_layer, "right": horizontal_layer,
                "bottom": vertical_layer, "top": vertical_layer}  # fmt: skip
    # Keep pins away from the corners: the pins of the adjacent edge reach this far inwards.
    keep = {
        side: max(sizes[o][1] for o in SIDES) + 2 * max(sizes[o][0] for o in SIDES)
        for side in SIDES
    }
    slots: dict[str, np.ndarray] = {}
    for side in SIDES:
        if side in ("left", "right"):
            positions = track_positions(physical, horizontal_layer, 1)
            lo, hi = y0 + keep[side], y1 - keep[side]
        else:
            positions = track_positions(physical, vertical_layer, 0)
            lo, hi = x0 + keep[side], x1 - keep[side]
        slots[side] = positions[(positions >= lo) & (positions <= hi)]
        if side in ("top", "left"):  # counter-clockwise order around the die
            slots[side] = slots[side][::-1]
    used = {side: np.zeros(slots[side].shape[0], dtype=bool) for side in SIDES}
    n_ports = netlist.n_ports
    port_side = np.full(n_ports, -1, np.int64)
    port_slot = np.full(n_ports, -1, np.int64)

    matched: list[tuple[int, PinConstraint]] = []
    # Globs know * and ? only: brackets are bus bits (data[3]), not character classes.
    patterns = [
        re.compile(fnmatch.translate(c.pattern.replace("[", "\x00").replace("]", "\x01"))
                   .replace("\x00", "\\[").replace("\x01", "\\]"))
        for c in constraints
    ]  # fmt: skip
    for port, name in enumerate(netlist.port_names):
        for constraint, pattern in zip(constraints, patterns, strict=True):
            if pattern.match(name):
                matched.append((port, constraint))
                break
    for constraint in constraints:
        if not any(c is constraint for _, c in matched):
            log.warn("FLOORPLAN-0002", f"pin constraint {constraint.pattern!r} matches no port")

    def take(port: int, side: str, slot: int) -> None:
        used[side][slot] = True
        port_side[port] = SIDES.index(side)
        port_slot[port] = slot

    dbu = physical.dbu_per_micron
    for port, constraint in matched:  # fixed positions first
        if constraint.position_um is None:
            continue
        side = constraint.side
        free = np.flatnonzero(~used[side])
        if free.shape[0] == 0:
            raise DesignError(
                f"no free pin slot left on the {side} edge for {netlist.port_names[port]}"
            )
        base = y0 if side in ("left", "right") else x0
        target = base + round(constraint.position_um * dbu)
        slot = int(free[np.argmin(np.abs(slots[side][free] - target))])
        if abs(int(slots[side][slot]) - target) > 2 * dbu:
            log.warn(
                "FLOORPLAN-0003",
                f"port {netlist.port_names[port]} moved from {constraint.position_um} µm to "
                f"{(int(slots[side][slot]) - base) / dbu:g} µm on the {side} edge "
                "(nearest free track)",
            )
        take(port, side, slot)
    for side in SIDES:  # then side-only constraints, spread evenly on their side
        ports = [p for p, c in matched if c.position_um is None and c.side == side]
        if not ports:
            continue
        free = np.flatnonzero(~used[side])
        if len(ports) > free.shape[0]:
            raise DesignError(
                f"{len(ports)} ports constrained to the {side} edge but it has "
                f"{free.shape[0]} free pin slots",
                hint="spread them over more sides or enlarge the die",
            )
        for port, pick in zip(ports, _even(free.shape[0], len(ports)), strict=True):
            take(port, side, int(free[pick]))
    rest = np.flatnonzero(port_side < 0)
    if rest.shape[0]:
        ring_side = np.concatenate([np.full(slots[s].shape[0], i) for i, s in enumerate(SIDES)])
        ring_slot = np.concatenate([np.arange(slots[s].shape[0]) for s in SIDES])
        ring_free = ~np.concatenate([used[s] for s in SIDES])
        # Distance of each slot along the die's edge, counter-clockwise from the lower left.
        width, height = x1 - x0, y1 - y0
        along = np.concatenate([
            slots["bottom"] - x0,
            width + slots["right"] - y0,
            width + height + (x1 - slots["top"]),
            2 * width + height + (y1 - slots["left"]),
        ])  # fmt: skip
        free = np.flatnonzero(ring_free)
        if rest.shape[0] > free.shape[0]:
            raise DesignError(
                f"{rest.shape[0]} ports but only {free.shape[0]} free pin slots on the die edges",
                hint="lower the utilization or give a larger die area",
            )
        picks = free[_spread(along[free], rest.shape[0], 2 * (width + height))]
        port_side[rest] = ring_side[picks]
        port_slot[rest] = ring_slot[picks]

    _write_pins(physical, port_side, port_slot, slots, sizes, layer_of, (x0, y0, x1, y1))
    if n_ports and np.unique(port_side * (1 << 40) + port_slot).shape[0] != n_ports:
        raise ConfigError("two ports were given the same pin slot")  # cannot happen: guarded
    return n_ports


def _spread(positions: np.ndarray, n_take: int, total: int) -> np.ndarray:
    """int64 (n_take,) distinct indices into increasing ``positions``, nearest to evenly spaced
    targets over ``[0, total)`` (greedy, in order, leaving room for the rest)."""
    targets = (np.arange(n_take) + 0.5) * total / n_take
    nearest = np.searchsorted(positions, targets)
    n = positions.shape[0]
    chosen = np.zeros(n_take, np.int64)
    low = 0
    for i, (target, k) in enumerate(zip(targets.tolist(), nearest.tolist(), strict=True)):
        if k > 0 and (k == n or target - positions[k - 1] < positions[k] - target):
            k -= 1
        k = min(max(k, low), n - (n_take - i))
        chosen[i] = k
        low = k + 1
    return chosen


def _even(n_free: int, n_take: int) -> np.ndarray:
    """int64 (n_take,) distinct indices into ``n_free`` items, evenly spread."""
    return ((np.arange(n_take) + 0.5) * n_free / max(n_take, 1)).astype(np.int64)


def _write_pins(
    physical: Physical,
    port_side: np.ndarray,
    port_slot: np.ndarray,
    slots: dict[str, np.ndarray],
    sizes: dict[str, tuple[int, int]],
    layer_of: dict[str, str],
    die: tuple[int, int, int, int],
) -> None:
    x0, y0, x1, y1 = die
    n = port_side.shape[0]
    port_x = np.zeros(n, np.int64)
    port_y = np.zeros(n, np.int64)
    rects = np.zeros((n, 4), np.int64)
    layers = np.zeros(n, np.int32)
    for index, side in enumerate(SIDES):
        mine = np.flatnonzero(port_side == index)
        if mine.shape[0] == 0:
            continue
        position = slots[side][port_slot[mine]]
        half, length = sizes[side][0] // 2, sizes[side][1]
        layers[mine] = physical.layers.add(layer_of[side])
        if side == "bottom":
            port_x[mine], port_y[mine] = position, y0
            rects[mine] = (-half, 0, half, length)
        elif side == "top":
            port_x[mine], port_y[mine] = position, y1
            rects[mine] = (-half, -length, half, 0)
        elif side == "left":
            port_x[mine], port_y[mine] = x0, position
            rects[mine] = (0, -half, length, half)
        else:
            port_x[mine], port_y[mine] = x1, position
            rects[mine] = (-length, -half, 0, half)
    physical.port_x = port_x
    physical.port_y = port_y
    physical.port_orient = np.full(n, int(Orientation.N), np.int8)
    physical.port_status = np.full(n, int(PlacementStatus.PLACED), np.int8)
    physical.port_use = np.full(n, int(SignalUse.SIGNAL), np.int8)
    physical.port_special = np.zeros(n, np.bool_)
    physical.port_shape_indptr = np.arange(n + 1, dtype=np.int64)
    physical.shape_layer = layers
    physical.shape_rect = rects
