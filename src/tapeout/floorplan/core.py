"""Die and core sizing, standard-cell rows (cut around macros) and routing tracks."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tapeout.db.macro import Macro
from tapeout.db.names import NameTable
from tapeout.db.netlist import Netlist
from tapeout.db.physical import Orientation, Physical
from tapeout.db.tech import LayerDirection, Site, Technology
from tapeout.errors import ConfigError, DesignError


def snap_up(value: int, grid: int) -> int:
    """Smallest multiple of ``grid`` that is >= ``value``."""
    return -(-value // grid) * grid


def snap_down(value: int, grid: int) -> int:
    """Largest multiple of ``grid`` that is <= ``value``."""
    return (value // grid) * grid


@dataclass(frozen=True)
class ChipArea:
    """Die and core boxes, int64 DBU ``(x0, y0, x1, y1)`` each, and the cell area (DBU²)."""

    die: tuple[int, int, int, int]
    core: tuple[int, int, int, int]
    cell_area: int


def master_sizes(netlist: Netlist, macros: dict[str, Macro]) -> tuple[np.ndarray, np.ndarray]:
    """int64 (n_masters,) widths and heights of the netlist's masters from LEF (DBU).

    DesignError naming the first masters LEF does not know.
    """
    missing = [name for name in netlist.masters if name not in macros]
    if missing:
        raise DesignError(
            f"{len(missing)} cell type(s) have no LEF macro: {', '.join(missing[:5])}",
            hint="read the platform's cell LEF, or check the netlist's library",
        )
    width = np.array([macros[name].width for name in netlist.masters], dtype=np.int64)
    height = np.array([macros[name].height for name in netlist.masters], dtype=np.int64)
    return width, height


def size_chip(
    cell_area: int,
    site: Site,
    *,
    dbu_per_micron: int,
    manufacturing_grid: int,
    utilization: float,
    aspect_ratio: float,
    margin_um: float,
    die_area_um: tuple[float, float, float, float] | None,
    core_area_um: tuple[float, float, float, float] | None,
    min_core_width: int = 0,
) -> ChipArea:
    """Die and core from an explicit rectangle or from cell area / utilization and aspect ratio.

    The core's lower-left corner and size are whole sites in x and whole rows in y (relative to
    the die origin), so rows start on the site grid; the die is on the manufacturing grid.

    Args:
        cell_area: total instance area, DBU².
        site: the core site (its width and height are the site and row pitch).
        margin_um: core margin used when a rectangle is not given.
        min_core_width: the narrowest core (DBU) sized from utilization may be (rows narrower
            leave no room for the widest cell beside the taps); the rows shrink to match.
    """
    grid = max(manufacturing_grid, 1)
    sw, sh = site.width, site.height

    def dbu(value_um: float) -> int:
        return snap_up(round(value_um * dbu_per_micron), grid)

    margin = dbu(margin_um)
    if core_area_um is not None:
        x0, y0, x1, y1 = (round(v * dbu_per_micron) for v in core_area_um)
        if die_area_um is not None:
            die = tuple(round(v * dbu_per_micron) for v in die_area_um)
        else:
            die = (x0 - margin, y0 - margin, x1 + margin, y1 + margin)
        die = (snap_down(die[0], grid), snap_down(die[1], grid),
               snap_up(die[2], grid), snap_up(die[3], grid))  # fmt: skip
        cx0 = die[0] + snap_up(x0 - die[0], sw)
        cy0 = die[1] + snap_up(y0 - die[1], sh)
        cx1 = cx0 + snap_down(x1 - cx0, sw)
        cy1 = cy0 + snap_down(y1 - cy0, sh)
        if not (die[0] <= x0 and die[1] <= y0 and x1 <= die[2] and y1 <= die[3]):
            raise ConfigError(f"core area {core_area_um} is not inside the die area {die_area_um}")
    elif die_area_um is not None:
        die = tuple(round(v * dbu_per_micron) for v in die_area_um)
        die = (snap_down(die[0], grid), snap_down(die[1], grid),
               snap_up(die[2], grid), snap_up(die[3], grid))  # fmt: skip
        cx0 = die[0] + snap_up(margin, sw)
        cy0 = die[1] + snap_up(margin, sh)
        cx1 = cx0 + snap_down(die[2] - margin - cx0, sw)
        cy1 = cy0 + snap_down(die[3] - margin - cy0, sh)
    else:
        core_area = cell_area / utilization
        width = math.sqrt(core_area / aspect_ratio)
        n_sites = max(1, math.ceil(width / sw), math.ceil(min_core_width / sw))
        n_rows = max(1, math.ceil(core_area / (n_sites * sw) / sh))
        cx0, cy0 = snap_up(margin, sw), snap_up(margin, sh)
        cx1, cy1 = cx0 + n_sites * sw, cy0 + n_rows * sh
        die = (0, 0, snap_up(cx1 + cx0, grid), snap_up(cy1 + cy0, grid))
    if cx1 - cx0 < sw or cy1 - cy0 < sh:
        raise ConfigError(
            f"the core is smaller than one site ({sw} x {sh} DBU)",
            hint="enlarge the die or core area, or lower the core margin",
        )
    return ChipArea(
        die=(int(die[0]), int(die[1]), int(die[2]), int(die[3])),
        core=(int(cx0), int(cy0), int(cx1), int(cy1)),
        cell_area=int(cell_area),
    )


def make_rows(
    physical: Physical,
    site: Site,
    core: tuple[int, int, int, int],
    blocked: np.ndarray,
) -> None:
    """Fill ``physical``'s rows: one per site height, alternately N and FS, cut by ``blocked``.

    Args:
        site: the core site.
        core: ``(x0, y0, x1, y1)`` DBU, whole sites and rows.
        blocked: int64 (k, 4) boxes (macro + halo) rows must avoid; cut edges snap outward to
            the site grid.
    """
    sw, sh = site.width, site.height
    x0, y0, x1, y1 = core
    n_rows = (y1 - y0) // sh
    row_x: list[int] = []
    row_y: list[int] = []
    row_orient: list[int] = []
    row_sites: list[int] = []
    for row in range(n_rows):
        bottom, top = y0 + row * sh, y0 + (row + 1) * sh
        intervals = [(x0, x1)]
        for bx0, by0, bx1, by1 in blocked.tolist():
            if by1 <= bottom or by0 >= top:
                continue
            cut0 = x0 + snap_down(bx0 - x0, sw)
            cut1 = x0 + snap_up(bx1 - x0, sw)
            intervals = [
                piece
                for lo, hi in intervals
                for piece in ((lo, min(hi, cut0)), (max(lo, cut1), hi))
                if piece[1] - piece[0] >= sw
            ]
        orient = Orientation.N if row % 2 == 0 else Orientation.FS
        for lo, hi in intervals:
            row_x.append(lo)
            row_y.append(bottom)
            row_orient.append(int(orient))
            row_sites.append((hi - lo) // sw)
    n = len(row_x)
    physical.sites = NameTable([site.name])
    physical.row_names = NameTable(f"ROW_{index}" for index in range(n))
    physical.row_site = np.zeros(n, np.int32)
    physical.row_x = np.asarray(row_x, np.int64)
    physical.row_y = np.asarray(row_y, np.int64)
    physical.row_orient = np.asarray(row_orient, np.int8)
    physical.row_num_x = np.asarray(row_sites, np.int64)
    physical.row_num_y = np.ones(n, np.int64)
    physical.row_step_x = np.full(n, sw, np.int64)
    physical.row_step_y = np.zeros(n, np.int64)


def make_tracks(physical: Physical, tech: Technology, die: tuple[int, int, int, int]) -> None:
    """Routing tracks of every routing layer with a pitch, in both directions, over the die.

    Like OpenROAD's ``make_tracks``: X tracks (vertical lines) at ``offset_x + k * pitch_x`` and
    Y tracks at ``offset_y + k * pitch_y`` from the die origin; the preferred direction first.
    """
    layers: list[int] = []
    directions: list[int] = []
    starts: list[int] = []
    counts: list[int] = []
    steps: list[int] = []
    for layer in tech.routing_layers():
        entries = []
        for direction, pitch, offset, lo, hi in (
            (0, layer.pitch_x, layer.offset_x, die[0], die[2]),
            (1, layer.pitch_y, layer.offset_y, die[1], die[3]),
        ):
            if not pitch or pitch <= 0:
                continue
            start = lo + (offset if offset is not None else pitch // 2)
            if start > hi:
                continue
            entries.append((direction, start, (hi - start) // pitch + 1, pitch))
        if layer.direction is LayerDirection.HORIZONTAL:
            entries.sort(key=lambda entry: -entry[0])
        for direction, start, count, pitch in entries:
            layers.append(physical.layers.add(layer.name))
            directions.append(direction)
            starts.append(start)
            counts.append(count)
            steps.append(pitch)
    physical.track_layer = np.asarray(layers, np.int32)
    physical.track_direction = np.asarray(directions, np.int8)
    physical.track_start = np.asarray(starts, np.int64)
    physical.track_count = np.asarray(counts, np.int64)
    physical.track_step = np.asarray(steps, np.int64)


def track_positions(physical: Physical, layer: str, direction: int) -> np.ndarray:
    """int64 (k,) coordinates of ``layer``'s tracks in ``direction`` (0 = X, 1 = Y)."""
    index = physical.layers.get(layer)
    chosen = np.flatnonzero(
        (physical.track_layer == index) & (physical.track_direction == direction)
    )
    if chosen.shape[0] == 0:
        return np.zeros(0, np.int64)
    parts = [
        physical.track_start[i] + physical.track_step[i] * np.arange(physical.track_count[i])
        for i in chosen
    ]
    return np.unique(np.concatenate(parts)).astype(np.int64)
