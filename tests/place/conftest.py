"""Small random placement problems for the placement tests."""

from __future__ import annotations

import numpy as np

from tapeout.db.physical import Orientation
from tapeout.place.problem import PlacementProblem


def random_problem(
    n_cells: int = 300,
    *,
    seed: int = 0,
    n_rows: int = 12,
    utilization: float = 0.7,
    n_fixed_blocks: int = 2,
    n_tall: int = 0,
    alternate_rows: bool = False,
) -> PlacementProblem:
    """Rows of height 10 with unit sites, random widths 1..6, random 2..5-pin nets, IO pins on
    the boundary, a few fixed blocking macros, and optionally some double-height cells and
    rows alternating N / FS (``alternate_rows``; else all N)."""
    rng = np.random.default_rng(seed)
    width = rng.integers(1, 7, n_cells).astype(np.float64)
    height = np.full(n_cells, 10.0)
    height[:n_tall] = 20.0
    n_sites = int(np.ceil(np.sum(width * height / 10) / utilization / n_rows)) + 8
    n_io = 8
    block_w = 6.0
    # Fixed: IO pins (not blocking) and macros (blocking) at whole sites and rows.
    io_x = rng.uniform(0, n_sites, n_io)
    io_y = np.where(rng.random(n_io) < 0.5, -1.0, n_rows * 10.0)
    block_x = rng.integers(0, n_sites - block_w, n_fixed_blocks).astype(np.float64)
    block_y = 10.0 * rng.integers(0, n_rows - 2, n_fixed_blocks)
    cell_width = np.concatenate([width, np.ones(n_io), np.full(n_fixed_blocks, block_w)])
    cell_height = np.concatenate([height, np.ones(n_io), np.full(n_fixed_blocks, 20.0)])
    cell_x = np.concatenate([np.zeros(n_cells), io_x, block_x])
    cell_y = np.concatenate([np.zeros(n_cells), io_y, block_y])
    n_total = n_cells + n_io + n_fixed_blocks
    fixed = np.zeros(n_total, dtype=bool)
    fixed[n_cells:] = True
    blocks = np.zeros(n_total, dtype=bool)
    blocks[n_cells + n_io :] = True
    # Nets: chain-like locality plus IO nets.
    pins: list[int] = []
    indptr = [0]
    for net in range(int(n_cells * 1.1)):
        degree = int(rng.integers(2, 6))
        base = int(rng.integers(0, n_cells))
        members = np.unique(np.clip(base + rng.integers(-15, 16, degree), 0, n_cells - 1))
        if net < n_io:
            members = np.append(members, n_cells + net)
        if members.size < 2:
            members = np.append(members, (members[0] + 1) % n_cells)
        pins.extend(int(m) for m in members)
        indptr.append(len(pins))
    pin_cell = np.asarray(pins, dtype=np.int32)
    return PlacementProblem(
        cell_width=cell_width,
        cell_height=cell_height,
        cell_x=cell_x,
        cell_y=cell_y,
        cell_fixed=fixed,
        cell_blocks=blocks,
        pin_cell=pin_cell,
        pin_offset_x=rng.uniform(-0.4, 0.4, pin_cell.size) * cell_width[pin_cell],
        pin_offset_y=rng.uniform(-0.4, 0.4, pin_cell.size) * cell_height[pin_cell],
        net_pin_indptr=np.asarray(indptr, dtype=np.int64),
        net_weight=np.ones(len(indptr) - 1),
        row_x=np.zeros(n_rows),
        row_y=10.0 * np.arange(n_rows),
        row_height=np.full(n_rows, 10.0),
        row_site_width=np.ones(n_rows),
        row_num_sites=np.full(n_rows, n_sites, dtype=np.int64),
        row_orient=(
            np.where(np.arange(n_rows) % 2 == 1, Orientation.FS, Orientation.N).astype(np.int8)
            if alternate_rows
            else np.zeros(n_rows, dtype=np.int8)
        ),
    )
