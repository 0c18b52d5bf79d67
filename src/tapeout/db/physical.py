"""Physical data of a design: die, rows, tracks, placement of instances and IO pins, blockages.

All coordinates are int64 database units (DBU). Instance and port arrays are aligned with the
``Netlist``'s instances and ports (index ``i`` here is instance/port ``i`` there).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import numpy as np

from tapeout.db.names import NameTable
from tapeout.db.netlist import Netlist


class Orientation(enum.IntEnum):
    """DEF/LEF orientation: rotation counter-clockwise (N, W, S, E), F = mirrored about Y first."""

    N = 0
    S = 1
    E = 2
    W = 3
    FN = 4
    FS = 5
    FE = 6
    FW = 7


class PlacementStatus(enum.IntEnum):
    """Placement status of an instance or IO pin (DEF ``+ PLACED`` and friends)."""

    UNPLACED = 0
    PLACED = 1
    FIXED = 2
    COVER = 3
    FIRM = 4


class SignalUse(enum.IntEnum):
    """Use of a net or IO pin (DEF ``+ USE``)."""

    SIGNAL = 0
    CLOCK = 1
    POWER = 2
    GROUND = 3
    ANALOG = 4
    SCAN = 5
    RESET = 6
    TIEOFF = 7


class BlockageFlag(enum.IntFlag):
    """Options of a DEF blockage."""

    NONE = 0
    SLOTS = 1
    FILLS = 2
    PUSHDOWN = 4
    EXCEPTPGNET = 8
    SOFT = 16


#: Orientations whose width and height are swapped relative to the master (90/270 degrees).
ROTATED = np.array([False, False, True, True, False, False, True, True])


def _empty(dtype: type) -> np.ndarray:
    return np.zeros(0, dtype=dtype)


def _rects() -> np.ndarray:
    return np.zeros((0, 4), dtype=np.int64)


@dataclass(eq=False)
class Physical:
    """Floorplan and placement.

    Attributes:
        dbu_per_micron: database units per micron.
        die_area: int64 (k, 2) die outline points; two points are the lower-left and upper-right
            corners of a rectangle, more are a rectilinear polygon.
        core_area: int64 (4,) ``x0 y0 x1 y1`` of the core, or None when not known.
        layers: layer names referred to by tracks, pin shapes and blockages.
        sites: site names referred to by rows.
        row_names: row names (row = index).
        row_site: int32 (n_rows,) index into ``sites``.
        row_x, row_y: int64 (n_rows,) row origin.
        row_orient: int8 (n_rows,) ``Orientation`` of the sites.
        row_num_x, row_num_y: int64 (n_rows,) number of sites in x and y (``DO x BY y``).
        row_step_x, row_step_y: int64 (n_rows,) site pitch in x and y.
        track_layer: int32 (n_tracks,) index into ``layers``.
        track_direction: int8 (n_tracks,) 0 = ``X`` (vertical tracks at x positions),
            1 = ``Y`` (horizontal tracks at y positions).
        track_start, track_count, track_step: int64 (n_tracks,) first coordinate, number, pitch.
        gcell_direction: int8 (n_gcell,) 0 = X, 1 = Y; gcell_start/count/step int64 like tracks.
        inst_x, inst_y: int64 (n_insts,) lower-left corner of each placed instance's box.
        inst_orient: int8 (n_insts,) ``Orientation``.
        inst_status: int8 (n_insts,) ``PlacementStatus``.
        port_x, port_y: int64 (n_ports,) IO pin origin.
        port_orient: int8 (n_ports,) ``Orientation`` of the pin shapes.
        port_status: int8 (n_ports,) ``PlacementStatus``.
        port_use: int8 (n_ports,) ``SignalUse``.
        port_special: bool (n_ports,) DEF ``+ SPECIAL`` pin (power/ground).
        port_shape_indptr: int64 (n_ports+1,) CSR of port -> shapes.
        shape_layer: int32 (n_shapes,) index into ``layers``.
        shape_rect: int64 (n_shapes, 4) ``x0 y0 x1 y1`` relative to the pin origin, before
            orientation.
        blockage_layer: int32 (n_blockages,) index into ``layers``; -1 for a placement blockage.
        blockage_flags: int8 (n_blockages,) ``BlockageFlag`` bits.
        blockage_component: int32 (n_blockages,) instance the blockage belongs to, or -1.
        blockage_spacing: int64 (n_blockages,) minimum spacing (DBU) or 0 when not given.
        blockage_density: float64 (n_blockages,) ``+ PARTIAL`` maximum density (percent), NaN
            when not partial.
        blockage_rect_indptr: int64 (n_blockages+1,) CSR of blockage -> rectangles.
        blockage_rects: int64 (n_rects, 4) absolute ``x0 y0 x1 y1``.
        halo_inst: int32 (n_halos,) instances with a DEF ``+ HALO`` (a keep-out around them).
        halo_size: int64 (n_halos, 4) ``left bottom right top`` halo widths (DBU), in the
            master's own frame (they turn with the instance's orientation).
        halo_soft: bool (n_halos,) ``+ HALO SOFT``: only initial placement keeps out.
    """

    dbu_per_micron: int = 1000
    die_area: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), dtype=np.int64))
    core_area: np.ndarray | None = None
    layers: NameTable = field(default_factory=NameTable)
    sites: NameTable = field(default_factory=NameTable)
    row_names: NameTable = field(default_factory=NameTable)
    row_site: np.ndarray = field(default_factory=lambda: _empty(np.int32))
    row_x: np.ndarray = field(default_factory=lambda: _empty(np.int64))
    row_y: np.ndarray = field(default_factory=lambda: _empty(np.int64))
    row_orient: np.ndarray = field(default_factory=lambda: _empty(np.int8))
    row_num_x: np.ndarray = field(default_factory=lambda: _empty(np.int64))
    row_num_y: np.ndarray = field(default_factory=lambda: _empty(np.int64))
    row_step_x: np.ndarray = field(default_factory=lambda: _empty(np.int64))
    row_step_y: np.ndarray = field(default_factory=lambda: _empty(np.int64))
    track_layer: np.ndarray = field(default_factory=lambda: _empty(np.int32))
    track_direction: np.ndarray = field(default_factory=lambda: _empty(np.int8))
    track_start: np.ndarray = field(default_factory=lambda: _empty(np.int64))
    track_count: np.ndarray = field(default_factory=lambda: _empty(np.int64))
    track_step: np.ndarray = field(default_factory=lambda: _empty(np.int64))
    gcell_direction: np.ndarray = field(default_factory=lambda: _empty(np.int8))
    gcell_start: np.ndarray = field(default_factory=lambda: _empty(np.int64))
    gcell_count: np.ndarray = field(default_factory=lambda: _empty(np.int64))
    gcell_step: np.ndarray = field(default_factory=lambda: _empty(np.int64))
    inst_x: np.ndarray = field(default_factory=lambda: _empty(np.int64))
    inst_y: np.ndarray = field(default_factory=lambda: _empty(np.int64))
    inst_orient: np.ndarray = field(default_factory=lambda: _empty(np.int8))
    inst_status: np.ndarray = field(default_factory=lambda: _empty(np.int8))
    port_x: np.ndarray = field(default_factory=lambda: _empty(np.int64))
    port_y: np.ndarray = field(default_factory=lambda: _empty(np.int64))
    port_orient: np.ndarray = field(default_factory=lambda: _empty(np.int8))
    port_status: np.ndarray = field(default_factory=lambda: _empty(np.int8))
    port_use: np.ndarray = field(default_factory=lambda: _empty(np.int8))
    port_special: np.ndarray = field(default_factory=lambda: _empty(np.bool_))
    port_shape_indptr: np.ndarray = field(default_factory=lambda: np.zeros(1, dtype=np.int64))
    shape_layer: np.ndarray = field(default_factory=lambda: _empty(np.int32))
    shape_rect: np.ndarray = field(default_factory=_rects)
    blockage_layer: np.ndarray = field(default_factory=lambda: _empty(np.int32))
    blockage_flags: np.ndarray = field(default_factory=lambda: _empty(np.int8))
    blockage_component: np.ndarray = field(default_factory=lambda: _empty(np.int32))
    blockage_spacing: np.ndarray = field(default_factory=lambda: _empty(np.int64))
    blockage_density: np.ndarray = field(default_factory=lambda: _empty(np.float64))
    blockage_rect_indptr: np.ndarray = field(default_factory=lambda: np.zeros(1, dtype=np.int64))
    blockage_rects: np.ndarray = field(default_factory=_rects)
    halo_inst: np.ndarray = field(default_factory=lambda: _empty(np.int32))
    halo_size: np.ndarray = field(default_factory=_rects)
    halo_soft: np.ndarray = field(default_factory=lambda: _empty(np.bool_))

    @classmethod
    def for_netlist(cls, netlist: Netlist, *, dbu_per_micron: int = 1000) -> Physical:
        """Empty physical data sized for ``netlist``: everything unplaced at (0, 0), N."""
        n_insts, n_ports = netlist.n_insts, netlist.n_ports
        return cls(
            dbu_per_micron=dbu_per_micron,
            inst_x=np.zeros(n_insts, np.int64),
            inst_y=np.zeros(n_insts, np.int64),
            inst_orient=np.zeros(n_insts, np.int8),
            inst_status=np.zeros(n_insts, np.int8),
            port_x=np.zeros(n_ports, np.int64),
            port_y=np.zeros(n_ports, np.int64),
            port_orient=np.zeros(n_ports, np.int8),
            port_status=np.zeros(n_ports, np.int8),
            port_use=np.zeros(n_ports, np.int8),
            port_special=np.zeros(n_ports, np.bool_),
            port_shape_indptr=np.zeros(n_ports + 1, np.int64),
        )

    @property
    def n_rows(self) -> int:
        return len(self.row_names)

    @property
    def n_blockages(self) -> int:
        return int(self.blockage_layer.shape[0])

    def die_bbox(self) -> np.ndarray:
        """int64 (4,) ``x0 y0 x1 y1`` bounding box of the die outline (zeros if unknown)."""
        if self.die_area.shape[0] == 0:
            return np.zeros(4, dtype=np.int64)
        return np.concatenate([self.die_area.min(axis=0), self.die_area.max(axis=0)])

    def rows_bbox(self, site_height: int) -> np.ndarray:
        """int64 (4,) bounding box of all rows (zeros if none).

        Args:
            site_height: height of the rows' site in DBU (DEF rows do not carry it).
        """
        if self.n_rows == 0:
            return np.zeros(4, dtype=np.int64)
        x1 = self.row_x + self.row_num_x * self.row_step_x
        y1 = self.row_y + (self.row_num_y - 1) * self.row_step_y + site_height
        return np.array([self.row_x.min(), self.row_y.min(), x1.max(), y1.max()], dtype=np.int64)

    def port_shapes(self, port: int) -> tuple[np.ndarray, np.ndarray]:
        """Layers int32 (k,) and relative rectangles int64 (k, 4) of ``port``'s shapes."""
        lo, hi = self.port_shape_indptr[port], self.port_shape_indptr[port + 1]
        return self.shape_layer[lo:hi], self.shape_rect[lo:hi]


def oriented_size(
    width: np.ndarray, height: np.ndarray, orient: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Width and height after orientation: swapped for E, W, FE, FW.

    Args:
        width, height: int64 (n,) master size in DBU.
        orient: int8 (n,) ``Orientation``.
    """
    rotated = ROTATED[orient.astype(np.int64)]
    return np.where(rotated, height, width), np.where(rotated, width, height)


def instance_bboxes(
    inst_x: np.ndarray,
    inst_y: np.ndarray,
    inst_orient: np.ndarray,
    width: np.ndarray,
    height: np.ndarray,
) -> np.ndarray:
    """Bounding boxes int64 (n, 4) ``x0 y0 x1 y1`` of placed instances.

    DEF places the lower-left corner of the oriented box at ``(inst_x, inst_y)``.

    Args:
        inst_x, inst_y: int64 (n,) placement location (DBU).
        inst_orient: int8 (n,) ``Orientation``.
        width, height: int64 (n,) master size (DBU) of each instance, e.g.
            ``macro_width[netlist.inst_master]``.
    """
    w, h = oriented_size(width, height, inst_orient)
    return np.stack([inst_x, inst_y, inst_x + w, inst_y + h], axis=1).astype(np.int64)


def orient_points(
    x: np.ndarray, y: np.ndarray, orient: np.ndarray, width: np.ndarray, height: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Points in master coordinates mapped into the oriented box whose lower-left is (0, 0).

    Args:
        x, y: int64 (n,) points inside a master of size ``width`` x ``height`` (DBU).
        orient: int8 (n,) ``Orientation`` per point.
        width, height: int64 (n,) master size.
    """
    o = orient.astype(np.int64)
    # N=R0, S=R180, E=R270, W=R90, FN=MY, FS=MX, FE=MY then R90, FW=MX then R90.
    table_x = [x, width - x, y, height - y, width - x, x, height - y, y]
    table_y = [y, height - y, width - x, x, y, height - y, width - x, x]
    return np.choose(o, table_x), np.choose(o, table_y)


def place_on_rows(
    netlist: Netlist,
    master_width: np.ndarray,
    *,
    site_width: int = 460,
    row_height: int = 2720,
    site: str = "unithd",
    utilization: float = 0.7,
    dbu_per_micron: int = 1000,
) -> Physical:
    """A synthetic legal placement: instances in netlist order, left to right, row by row.

    For benchmarks and scale tests (not a placer). Rows alternate N / FS like a standard-cell
    core; ports sit on the die's left edge.

    Args:
        netlist: the netlist to place.
        master_width: int64 (n_masters,) width of each master in DBU (a multiple of the site).
        site_width, row_height: site size in DBU.
        utilization: fraction of the row area the cells fill.
    """
    width = np.asarray(master_width, dtype=np.int64)[netlist.inst_master]
    sites = -(-width // site_width)
    total = int(sites.sum())
    n_rows = max(1, int(np.sqrt(total / utilization * site_width / row_height)))
    # Cut the instance sequence into rows of about equal width, then spread each row's free
    # sites evenly between its cells (so neighbours in the netlist stay close).
    start = np.cumsum(sites) - sites
    row = np.minimum((start * n_rows) // max(total, 1), n_rows - 1)
    row_sites = np.bincount(row, weights=sites, minlength=n_rows).astype(np.int64)
    row_count = np.bincount(row, minlength=n_rows)
    sites_per_row = int(-(-row_sites.max(initial=1) // utilization))
    rank = np.arange(netlist.n_insts) - (np.cumsum(row_count) - row_count)[row]
    local = start - (np.cumsum(row_sites) - row_sites)[row]
    free = sites_per_row - row_sites[row]
    column = local + (free * rank) // np.maximum(row_count[row], 1)
    physical = Physical.for_netlist(netlist, dbu_per_micron=dbu_per_micron)
    physical.inst_x = column * site_width
    physical.inst_y = row * row_height
    physical.inst_orient = np.where(row % 2 == 0, Orientation.N, Orientation.FS).astype(np.int8)
    physical.inst_status = np.full(netlist.n_insts, PlacementStatus.PLACED, dtype=np.int8)
    physical.sites = NameTable([site])
    physical.row_names = NameTable(f"ROW_{r}" for r in range(n_rows))
    physical.row_site = np.zeros(n_rows, np.int32)
    physical.row_x = np.zeros(n_rows, np.int64)
    physical.row_y = np.arange(n_rows, dtype=np.int64) * row_height
    physical.row_orient = np.where(np.arange(n_rows) % 2 == 0, 0, 5).astype(np.int8)
    physical.row_num_x = np.full(n_rows, sites_per_row, np.int64)
    physical.row_num_y = np.ones(n_rows, np.int64)
    physical.row_step_x = np.full(n_rows, site_width, np.int64)
    physical.row_step_y = np.zeros(n_rows, np.int64)
    die_x, die_y = sites_per_row * site_width, n_rows * row_height
    physical.die_area = np.array([[0, 0], [die_x, die_y]], dtype=np.int64)
    n_ports = netlist.n_ports
    physical.layers = NameTable(["met2", "met3"])
    physical.port_y = (
        np.linspace(0, die_y, n_ports + 2)[1:-1].astype(np.int64)
        if n_ports
        else (np.zeros(0, np.int64))
    )
    physical.port_status = np.full(n_ports, PlacementStatus.PLACED, np.int8)
    physical.port_shape_indptr = np.arange(n_ports + 1, dtype=np.int64)
    physical.shape_layer = np.ones(n_ports, np.int32)
    physical.shape_rect = np.tile(np.array([-150, -150, 150, 150], np.int64), (n_ports, 1))
    return physical
