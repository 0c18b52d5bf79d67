"""Adapter between the design database (Netlist + Physical + LEF macros) and a PlacementProblem.

Cells are the instances, then the IO ports (fixed, zero size, not blocking). Instances placed
``FIXED``/``COVER`` are fixed and block rows; the others move. Pin offsets come from the centre
of each macro pin's first port shapes, mirrored for the instance's orientation.
"""

from __future__ import annotations

import numpy as np

from tapeout.db.macro import Macro
from tapeout.db.netlist import Netlist
from tapeout.db.physical import Orientation, Physical, PlacementStatus
from tapeout.db.tech import Technology
from tapeout.errors import DesignError
from tapeout.place.problem import PlacementProblem

_MIRROR_X = {Orientation.S, Orientation.FN}  # x offsets change sign
_MIRROR_Y = {Orientation.S, Orientation.FS}  # y offsets change sign


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
    width = np.array([m.width for m in master_macro], dtype=np.float64)[netlist.inst_master]
    height = np.array([m.height for m in master_macro], dtype=np.float64)[netlist.inst_master]
    status = physical.inst_status
    fixed = (status == PlacementStatus.FIXED) | (status == PlacementStatus.COVER)
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
            orient = Orientation(int(physical.inst_orient[inst]))
            pin_cell.append(inst)
            pin_dx.append(-dx if orient in _MIRROR_X else dx)
            pin_dy.append(-dy if orient in _MIRROR_Y else dy)
        indptr.append(len(pin_cell))
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
        pin_cell=np.asarray(pin_cell, dtype=np.int32),
        pin_offset_x=np.asarray(pin_dx, dtype=np.float64),
        pin_offset_y=np.asarray(pin_dy, dtype=np.float64),
        net_pin_indptr=np.asarray(indptr, dtype=np.int64),
        net_weight=np.ones(len(indptr) - 1),
        row_x=physical.row_x.astype(np.float64),
        row_y=physical.row_y.astype(np.float64),
        row_height=site_height,
        row_site_width=physical.row_step_x.astype(np.float64),
        row_num_sites=physical.row_num_x.astype(np.int64),
    )
    problem.check_shapes()
    return problem


def apply_to_physical(problem: PlacementProblem, physical: Physical, n_insts: int) -> None:
    """Write the movable instances' positions (DBU, rounded) back; orientation from the row."""
    movable = np.flatnonzero(~problem.cell_fixed[:n_insts])
    x = np.rint(problem.cell_x[movable]).astype(np.int64)
    y = np.rint(problem.cell_y[movable]).astype(np.int64)
    physical.inst_x[movable] = x
    physical.inst_y[movable] = y
    row_of_y = {int(row_y): row for row, row_y in enumerate(physical.row_y)}
    for cell, cell_y in zip(movable, y, strict=True):
        row = row_of_y.get(int(cell_y))
        if row is not None:
            physical.inst_orient[cell] = physical.row_orient[row]
    physical.inst_status[movable] = PlacementStatus.PLACED
