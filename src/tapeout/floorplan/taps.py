"""Tap cells: FIXED instances at the platform's tap pitch in every row, staggered row to row.

Like OpenROAD's ``tapcell``: even rows start with a tap at the row's start, odd rows half a
pitch later, so every point of the core is within about half a pitch of a tap in its own row.
"""

from __future__ import annotations

import numpy as np

from tapeout.db.netlist import Netlist
from tapeout.db.physical import Physical, PlacementStatus


def add_instances(
    netlist: Netlist,
    physical: Physical,
    names: list[str],
    master: str,
    x: np.ndarray,
    y: np.ndarray,
    orient: np.ndarray,
    status: PlacementStatus,
) -> np.ndarray:
    """Append instances of ``master`` without connections; returns their int64 indices.

    Args:
        names: new instance names (must not exist).
        x, y: int64 (k,) lower-left corners (DBU); orient: int8 (k,) ``Orientation``.
    """
    first = netlist.n_insts
    master_id = netlist.masters.add(master)
    for name in names:
        if name in netlist.inst_names:
            raise ValueError(f"instance {name!r} exists")
        netlist.inst_names.add(name)
    k = len(names)
    netlist.inst_master = np.concatenate([netlist.inst_master, np.full(k, master_id, np.int32)])
    physical.inst_x = np.concatenate([physical.inst_x, x.astype(np.int64)])
    physical.inst_y = np.concatenate([physical.inst_y, y.astype(np.int64)])
    physical.inst_orient = np.concatenate([physical.inst_orient, orient.astype(np.int8)])
    physical.inst_status = np.concatenate([physical.inst_status, np.full(k, int(status), np.int8)])
    return np.arange(first, first + k, dtype=np.int64)


def place_taps(
    netlist: Netlist,
    physical: Physical,
    *,
    tap_master: str,
    tap_width: int,
    pitch: int,
    row_height: int,
    core_y0: int,
) -> int:
    """Insert tap instances ``TAP_<n>`` in every row; returns how many.

    Args:
        tap_width: width of the tap cell (DBU).
        pitch: distance between taps in one row (DBU), snapped down to the site grid.
        row_height: row pitch; rows with an odd index from ``core_y0`` are staggered by half
            a pitch.
    """
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    orients: list[np.ndarray] = []
    for row in range(physical.n_rows):
        step = int(physical.row_step_x[row])
        start, end = (
            int(physical.row_x[row]),
            int(physical.row_x[row] + physical.row_num_x[row] * step),
        )
        row_pitch = max(step, (pitch // step) * step)
        parity = ((int(physical.row_y[row]) - core_y0) // row_height) % 2
        offset = ((row_pitch // 2) // step) * step if parity else 0
        positions = np.arange(start + offset, end - tap_width + 1, row_pitch, dtype=np.int64)
        if positions.shape[0] == 0 and end - start >= tap_width:
            positions = np.array([start], np.int64)  # a short row still gets a tap
        xs.append(positions)
        ys.append(np.full(positions.shape[0], physical.row_y[row], np.int64))
        orients.append(np.full(positions.shape[0], physical.row_orient[row], np.int8))
    if not xs:
        return 0
    x = np.concatenate(xs)
    prefix = "TAP_"
    while any(name.startswith(prefix) for name in netlist.inst_names):
        prefix = "_" + prefix
    names = [f"{prefix}{index}" for index in range(x.shape[0])]
    add_instances(
        netlist, physical, names, tap_master, x, np.concatenate(ys), np.concatenate(orients),
        PlacementStatus.FIXED,
    )  # fmt: skip
    return len(names)
