"""Adapter between the design database (Netlist + Physical + LEF macros) and a PlacementProblem.

Cells are the instances, then the IO ports (fixed, zero size, not blocking). Instances placed
``FIXED``/``COVER`` are fixed and block rows; the others move. Pin offsets come from the centre
of each macro pin's first port shapes, turned by the instance's orientation (``cell_orient``;
a fixed instance's size too; a movable one placed rotated starts unrotated). Rows keep their
orientation (``row_orient``); ``apply_to_physical`` writes each cell's final orientation.

DEF placement blockages (``BLOCKAGES - PLACEMENT``) follow the DEF 5.8 meaning, as OpenROAD
does: a hard one keeps every cell out (global placement sees blocked area, legalization has no
row space there); ``+ SOFT`` only keeps global placement out (legalization and detailed
placement may use it); ``+ PARTIAL d`` lets global placement fill at most d % of the area,
modelled as thin blocked strips covering (100 - d) % of it. Layer (routing) blockages do not
concern placement. A component's ``+ HALO`` is a hard blockage around it (``+ HALO SOFT``: a
soft one), its widths turned with the instance's orientation.
"""

from __future__ import annotations

import numpy as np

from tapeout.db.macro import Macro
from tapeout.db.netlist import Netlist
from tapeout.db.physical import (
    ROTATED,
    BlockageFlag,
    Orientation,
    Physical,
    PlacementStatus,
    orient_points,
    oriented_size,
)
from tapeout.db.tech import Technology
from tapeout.errors import DesignError
from tapeout.place.problem import PlacementProblem, orient_offsets

_MAX_STRIPS = 512  # most strips of one partial blockage
_STRIPS_PER_ROW = 4  # strips per row height: bins (at least a row high) average them well


def _pin_centre(macro: Macro, term: str) -> tuple[float, float]:
    """Centre of the pin's shapes relative to the macro centre (0, 0 when unknown)."""
    pin = macro.pins.get(term)
    if pin is None or not pin.ports or pin.ports[0].rects.shape[0] == 0:
        return 0.0, 0.0
    rects = pin.ports[0].rects.astype(np.float64)
    return (
        float((rects[:, 0] + rects[:, 2]).mean() / 2 - macro.width / 2),
        float((rects[:, 1] + rects[:, 3]).mean() / 2 - macro.height / 2),
    )


def problem_from_design(
    netlist: Netlist, physical: Physical, macros: dict[str, Macro], tech: Technology
) -> PlacementProblem:
    """A ``PlacementProblem`` of a floorplanned design (coordinates: DBU as float64)."""
    n_insts = netlist.n_insts
    n_ports = netlist.n_ports
    if physical.row_x.shape[0] == 0:
        raise DesignError("the design has no ROWS: floorplan it first")
    master_macro: list[Macro] = []
    for name in netlist.masters:
        macro = macros.get(name)
        if macro is None:
            raise DesignError(f"no LEF macro for cell type {name}", hint="pass its LEF with --lef")
        master_macro.append(macro)
    master_width = np.array([m.width for m in master_macro], dtype=np.float64)
    master_height = np.array([m.height for m in master_macro], dtype=np.float64)
    status = physical.inst_status
    fixed = (status == PlacementStatus.FIXED) | (status == PlacementStatus.COVER)
    inst_orient = physical.inst_orient.astype(np.int8)
    inst_orient[~fixed & ROTATED[inst_orient.astype(np.int64)]] = Orientation.N
    width, height = oriented_size(
        master_width[netlist.inst_master], master_height[netlist.inst_master], inst_orient
    )
    cell_fixed = np.concatenate([fixed, np.ones(n_ports, dtype=bool)])
    cell_blocks = np.concatenate([fixed, np.zeros(n_ports, dtype=bool)])
    cell_x = np.concatenate([physical.inst_x, physical.port_x]).astype(np.float64)
    cell_y = np.concatenate([physical.inst_y, physical.port_y]).astype(np.float64)
    # Pins net by net, leaving out constant nets (tie cells connect them locally).
    offsets: dict[tuple[int, int], tuple[float, float]] = {}
    pin_cell: list[int] = []
    pin_dx: list[float] = []
    pin_dy: list[float] = []
    indptr = [0]
    for net in range(netlist.n_nets):
        if netlist.constant_value(net) is not None:
            indptr.append(len(pin_cell))
            continue
        for pin in netlist.net_pins(net):
            inst = int(netlist.pin_inst[pin])
            if inst < 0:
                pin_cell.append(n_insts + int(netlist.pin_term[pin]))
                pin_dx.append(0.0)
                pin_dy.append(0.0)
                continue
            master = int(netlist.inst_master[inst])
            term = int(netlist.pin_term[pin])
            key = (master, term)
            if key not in offsets:
                offsets[key] = _pin_centre(master_macro[master], netlist.terms[term])
            dx, dy = offsets[key]
            pin_cell.append(inst)
            pin_dx.append(dx)
            pin_dy.append(dy)
        indptr.append(len(pin_cell))
    cell_orient = np.concatenate([inst_orient, np.zeros(n_ports, dtype=np.int8)])
    pin_cell_array = np.asarray(pin_cell, dtype=np.int32)
    offset_x, offset_y = orient_offsets(
        np.asarray(pin_dx, dtype=np.float64),
        np.asarray(pin_dy, dtype=np.float64),
        cell_orient[pin_cell_array],
    )
    site_height = np.zeros(physical.row_x.shape[0])
    for row in range(site_height.size):
        site = tech.sites.get(physical.sites[int(physical.row_site[row])])
        site_height[row] = site.height if site is not None else np.median(height[~fixed])
    problem = PlacementProblem(
        cell_width=np.concatenate([width, np.zeros(n_ports)]),
        cell_height=np.concatenate([height, np.zeros(n_ports)]),
        cell_x=cell_x,
        cell_y=cell_y,
        cell_fixed=cell_fixed,
        cell_blocks=cell_blocks,
        pin_cell=pin_cell_array,
        pin_offset_x=offset_x,
        pin_offset_y=offset_y,
        net_pin_indptr=np.asarray(indptr, dtype=np.int64),
        net_weight=np.ones(len(indptr) - 1),
        row_x=physical.row_x.astype(np.float64),
        row_y=physical.row_y.astype(np.float64),
        row_height=site_height,
        row_site_width=physical.row_step_x.astype(np.float64),
        row_num_sites=physical.row_num_x.astype(np.int64),
        cell_orient=cell_orient,
        row_orient=physical.row_orient.astype(np.int8),
    )
    hard, soft = placement_blockages(
        physical, float(np.median(site_height)) if site_height.size else 1.0
    )
    halo_hard, halo_soft = halo_boxes(
        physical, master_width[netlist.inst_master], master_height[netlist.inst_master]
    )
    problem.blockage = np.concatenate([hard, halo_hard])
    problem.global_blockage = np.concatenate([soft, halo_soft])
    problem.check_shapes()
    return problem


def placement_blockages(physical: Physical, row_height: float) -> tuple[np.ndarray, np.ndarray]:
    """The DEF placement blockages as (hard, global-only) float64 (k, 4) rectangles (DBU).

    Hard blockages keep every stage out; soft ones and partial ones (as strips of blocked area,
    about ``row_height / 4`` apart) only global placement. See the module docstring.
    """
    hard: list[np.ndarray] = []
    soft: list[np.ndarray] = []
    indptr = physical.blockage_rect_indptr
    for blockage in np.flatnonzero(physical.blockage_layer < 0):
        rects = physical.blockage_rects[indptr[blockage] : indptr[blockage + 1]].astype(np.float64)
        rects = rects[(rects[:, 2] > rects[:, 0]) & (rects[:, 3] > rects[:, 1])]
        density = float(physical.blockage_density[blockage])
        if not np.isnan(density):
            blocked = 1.0 - min(max(density, 0.0), 100.0) / 100.0
            if blocked > 0:
                soft.extend(_strips(rect, blocked, row_height / _STRIPS_PER_ROW) for rect in rects)
        elif int(physical.blockage_flags[blockage]) & BlockageFlag.SOFT:
            soft.append(rects)
        else:
            hard.append(rects)

    def stack(parts: list[np.ndarray]) -> np.ndarray:
        return np.concatenate(parts) if parts else np.zeros((0, 4), dtype=np.float64)

    return stack(hard), stack(soft)


def halo_boxes(
    physical: Physical, width: np.ndarray, height: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Keep-out rectangles of the instances' DEF halos as (hard, soft) float64 (k, 4) (DBU).

    ``width``, ``height``: float64 (n_insts,) master sizes. A halo's left/bottom/right/top
    widths belong to the master's edges and turn with the instance's orientation. Each halo is
    the ring around its instance (up to four rectangles), so the instance's own area, blocked
    already, is not counted twice in global placement's density.
    """
    inst = physical.halo_inst.astype(np.int64)
    if inst.size == 0:
        empty = np.zeros((0, 4), dtype=np.float64)
        return empty, empty
    size = physical.halo_size.astype(np.float64)
    orient = physical.inst_orient[inst]
    w, h = width[inst], height[inst]
    # The halo box in the master's frame, both corners mapped into the placed frame.
    x0, y0 = orient_points(-size[:, 0], -size[:, 1], orient, w, h)
    x1, y1 = orient_points(w + size[:, 2], h + size[:, 3], orient, w, h)
    x = physical.inst_x[inst].astype(np.float64)
    y = physical.inst_y[inst].astype(np.float64)
    low_x, low_y = x + np.minimum(x0, x1), y + np.minimum(y0, y1)
    high_x, high_y = x + np.maximum(x0, x1), y + np.maximum(y0, y1)
    width_placed, height_placed = oriented_size(w, h, orient)
    top_y = y + height_placed
    right_x = x + width_placed
    ring = np.concatenate(
        [
            np.stack([low_x, low_y, high_x, y], axis=1),  # below
            np.stack([low_x, top_y, high_x, high_y], axis=1),  # above
            np.stack([low_x, y, x, top_y], axis=1),  # left
            np.stack([right_x, y, high_x, top_y], axis=1),  # right
        ]
    )
    soft = np.tile(physical.halo_soft.astype(bool), 4)
    keep = (ring[:, 2] > ring[:, 0]) & (ring[:, 3] > ring[:, 1])
    return ring[keep & ~soft], ring[keep & soft]


def _strips(rect: np.ndarray, blocked: float, pitch: float) -> np.ndarray:
    """Vertical strips covering the share ``blocked`` of ``rect`` (x0 y0 x1 y1): (n, 4)."""
    x0, y0, x1, y1 = (float(v) for v in rect)
    if blocked >= 1.0:
        return rect.reshape(1, 4)
    count = int(min(_MAX_STRIPS, max(1, round((x1 - x0) / max(pitch, 1e-30)))))
    step = (x1 - x0) / count
    left = x0 + step * np.arange(count) + step * (1.0 - blocked) / 2
    return np.stack([left, np.full(count, y0), left + step * blocked, np.full(count, y1)], axis=1)


def apply_to_physical(problem: PlacementProblem, physical: Physical, n_insts: int) -> None:
    """Write the movable instances' positions (DBU, rounded) and orientations back.

    Orientations are the problem's (``cell_orient``: after ``place_problem``, the row's, or
    its mirror about the y axis, FN / S, where detailed placement flipped the cell).
    """
    movable = np.flatnonzero(~problem.cell_fixed[:n_insts])
    physical.inst_x[movable] = np.rint(problem.cell_x[movable]).astype(np.int64)
    physical.inst_y[movable] = np.rint(problem.cell_y[movable]).astype(np.int64)
    physical.inst_orient[movable] = problem.cell_orient[movable]
    physical.inst_status[movable] = PlacementStatus.PLACED
