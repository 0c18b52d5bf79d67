"""The placer's input as flat arrays: cells, pins, nets (CSR) and rows; adapters from designs.

Kernels only see these arrays. Coordinates are float64 in the design's own unit (DBU for DEF,
the file's unit for Bookshelf); positions are lower-left corners, pin offsets are from the cell
centre. Pins are stored net by net: the pins of net ``n`` are ``net_pin_indptr[n]:[n+1]``.

Pin offsets follow each cell's orientation (``cell_orient``, DEF codes of
``tapeout.db.physical.Orientation``): ``pin_offset_x/y`` are always the offsets of the cell as
oriented now, and ``set_orientations`` turns them when a cell's orientation changes (exactly:
orientations only swap and negate offsets). Legalization gives each movable cell its row's
mirror about the x axis (N rows: N/FN, FS rows: FS/S); detailed placement may mirror a cell
about its vertical axis.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tapeout.db.physical import ROTATED, Orientation, oriented_size
from tapeout.errors import DesignError

# Orientation code -> 2x2 matrix taking a pin offset from the centre of the master (as drawn, N)
# to the offset in that orientation (see ``tapeout.db.physical.orient_points``).
ORIENT_MATRIX = np.zeros((8, 2, 2), dtype=np.int64)
ORIENT_MATRIX[Orientation.N] = [[1, 0], [0, 1]]
ORIENT_MATRIX[Orientation.S] = [[-1, 0], [0, -1]]
ORIENT_MATRIX[Orientation.E] = [[0, 1], [-1, 0]]
ORIENT_MATRIX[Orientation.W] = [[0, -1], [1, 0]]
ORIENT_MATRIX[Orientation.FN] = [[-1, 0], [0, 1]]
ORIENT_MATRIX[Orientation.FS] = [[1, 0], [0, -1]]
ORIENT_MATRIX[Orientation.FE] = [[0, -1], [-1, 0]]
ORIENT_MATRIX[Orientation.FW] = [[0, 1], [1, 0]]
# Unrotated orientations by (mirrored about the y axis) + 2 * (mirrored about the x axis).
_BY_MIRRORS = np.array(
    [Orientation.N, Orientation.FN, Orientation.FS, Orientation.S], dtype=np.int8
)
# Bookshelf .pl orientation names (``tapeout.formats.bookshelf.ORIENTATIONS``, in that order).
BOOKSHELF_ORIENTATIONS = ("N", "S", "W", "E", "FN", "FS", "FW", "FE")
_FROM_BOOKSHELF = np.array([Orientation[name] for name in BOOKSHELF_ORIENTATIONS], dtype=np.int8)
_TO_BOOKSHELF = np.argsort(_FROM_BOOKSHELF).astype(np.int8)


def orient_offsets(
    offset_x: np.ndarray, offset_y: np.ndarray, orient: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Master-frame offsets from the cell centre turned into ``orient`` (int8, same shape)."""
    m = ORIENT_MATRIX[orient.astype(np.int64)]
    return (
        m[..., 0, 0] * offset_x + m[..., 0, 1] * offset_y,
        m[..., 1, 0] * offset_x + m[..., 1, 1] * offset_y,
    )


def mirrors(orient: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(mirrored about the y axis, about the x axis) bool arrays of unrotated orientations."""
    m = ORIENT_MATRIX[orient.astype(np.int64)]
    return m[..., 0, 0] < 0, m[..., 1, 1] < 0


def orientation_of_mirrors(mirror_x: np.ndarray, mirror_y: np.ndarray) -> np.ndarray:
    """int8 orientation N/FN/FS/S of the mirror flags (about the y axis, about the x axis)."""
    return _BY_MIRRORS[mirror_x.astype(np.int64) + 2 * mirror_y.astype(np.int64)]


def bookshelf_orientations(problem: PlacementProblem) -> np.ndarray:
    """int8 (n_cells,) the cells' orientations as Bookshelf codes (``ORIENTATIONS`` indices)."""
    return _TO_BOOKSHELF[problem.cell_orient.astype(np.int64)]


def _floats() -> np.ndarray:
    return np.zeros(0, dtype=np.float64)


@dataclass(eq=False)
class PlacementProblem:
    """Everything the placer needs, as struct-of-arrays.

    Attributes:
        cell_width, cell_height: float64 (n_cells,) sizes.
        cell_x, cell_y: float64 (n_cells,) lower-left corners (inputs for fixed cells, the
            result for movable ones).
        cell_fixed: bool (n_cells,) never moved (terminals, macros, pre-placed cells).
        cell_blocks: bool (n_cells,) fixed cells that occupy row space (others, like IO pins
            and ``terminal_NI`` nodes, may be overlapped).
        cell_orient: int8 (n_cells,) ``Orientation`` of each cell (default all N).
        pin_cell: int32 (n_pins,) cell of each pin.
        pin_offset_x, pin_offset_y: float64 (n_pins,) pin position minus cell centre, for the
            cell in its orientation ``cell_orient`` (change it through ``set_orientations``).
        net_pin_indptr: int64 (n_nets+1,) CSR: pins of net ``n`` are ``indptr[n]:indptr[n+1]``.
        net_weight: float64 (n_nets,).
        row_x, row_y: float64 (n_rows,) lower-left corner of each row.
        row_height, row_site_width: float64 (n_rows,).
        row_num_sites: int64 (n_rows,).
        row_orient: int8 (n_rows,) ``Orientation`` of each row's sites (default all N); a
            cell in the row is mirrored about the x axis as the row is (FS rows).
        blockage: float64 (n_blockages, 4) placement blockages x_low, y_low, x_high, y_high.
        global_blockage: float64 (k, 4) areas only global placement avoids (soft blockages,
            the blocked share of partial ones); ``place_problem`` adds them to ``blockage``
            for global placement, legalization and detailed placement may use them.
    """

    cell_width: np.ndarray = field(default_factory=_floats)
    cell_height: np.ndarray = field(default_factory=_floats)
    cell_x: np.ndarray = field(default_factory=_floats)
    cell_y: np.ndarray = field(default_factory=_floats)
    cell_fixed: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    cell_blocks: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    pin_cell: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    pin_offset_x: np.ndarray = field(default_factory=_floats)
    pin_offset_y: np.ndarray = field(default_factory=_floats)
    net_pin_indptr: np.ndarray = field(default_factory=lambda: np.zeros(1, dtype=np.int64))
    net_weight: np.ndarray = field(default_factory=_floats)
    row_x: np.ndarray = field(default_factory=_floats)
    row_y: np.ndarray = field(default_factory=_floats)
    row_height: np.ndarray = field(default_factory=_floats)
    row_site_width: np.ndarray = field(default_factory=_floats)
    row_num_sites: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    blockage: np.ndarray = field(default_factory=lambda: np.zeros((0, 4), dtype=np.float64))
    global_blockage: np.ndarray = field(default_factory=lambda: np.zeros((0, 4), dtype=np.float64))
    cell_orient: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int8))
    row_orient: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int8))

    def __post_init__(self) -> None:
        if self.cell_orient.size == 0 and self.n_cells:
            self.cell_orient = np.zeros(self.n_cells, dtype=np.int8)
        if self.row_orient.size == 0 and self.n_rows:
            self.row_orient = np.zeros(self.n_rows, dtype=np.int8)

    @property
    def n_cells(self) -> int:
        return int(self.cell_width.shape[0])

    @property
    def n_nets(self) -> int:
        return int(self.net_pin_indptr.shape[0] - 1)

    @property
    def n_pins(self) -> int:
        return int(self.pin_cell.shape[0])

    @property
    def n_rows(self) -> int:
        return int(self.row_y.shape[0])

    def core(self) -> tuple[float, float, float, float]:
        """(x_low, y_low, x_high, y_high) bounding box of the rows."""
        if self.n_rows == 0:
            raise DesignError("the design has no rows to place cells in")
        right = self.row_x + self.row_num_sites * self.row_site_width
        return (
            float(self.row_x.min()),
            float(self.row_y.min()),
            float(right.max()),
            float((self.row_y + self.row_height).max()),
        )

    def movable(self) -> np.ndarray:
        """int64 indices of the movable cells."""
        return np.flatnonzero(~self.cell_fixed)

    def cell_pins(self) -> tuple[np.ndarray, np.ndarray]:
        """Cell -> pin CSR: (indptr int64 (n_cells+1,), pins int64 (n_pins,))."""
        order = np.argsort(self.pin_cell, kind="stable").astype(np.int64)
        counts = np.bincount(self.pin_cell, minlength=self.n_cells)
        indptr = np.zeros(self.n_cells + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
        return indptr, order

    def pin_net(self) -> np.ndarray:
        """int32 (n_pins,) net of each pin."""
        return np.repeat(
            np.arange(self.n_nets, dtype=np.int32), np.diff(self.net_pin_indptr)
        ).astype(np.int32)

    def set_orientations(self, cells: np.ndarray, orient: np.ndarray) -> None:
        """Give ``cells`` (int64 (k,)) the orientations ``orient`` (int8 (k,)); their pin offsets
        turn with them (a linear pass over the pins, nothing when no orientation changes)."""
        cells = np.asarray(cells, dtype=np.int64)
        orient = np.asarray(orient, dtype=np.int8)
        changed = orient != self.cell_orient[cells]
        if not np.any(changed):
            return
        new = self.cell_orient.copy()
        new[cells[changed]] = orient[changed]
        pins = np.flatnonzero(new[self.pin_cell] != self.cell_orient[self.pin_cell])
        cell = self.pin_cell[pins]
        # Back to the master frame (the inverse is the transpose), then into the new one.
        old = ORIENT_MATRIX[self.cell_orient[cell].astype(np.int64)]
        master_x = old[:, 0, 0] * self.pin_offset_x[pins] + old[:, 1, 0] * self.pin_offset_y[pins]
        master_y = old[:, 0, 1] * self.pin_offset_x[pins] + old[:, 1, 1] * self.pin_offset_y[pins]
        self.pin_offset_x[pins], self.pin_offset_y[pins] = orient_offsets(
            master_x, master_y, new[cell]
        )
        self.cell_orient = new

    def master_pin_offsets(self) -> tuple[np.ndarray, np.ndarray]:
        """float64 (n_pins,) x and y pin offsets from the centre of each master as drawn (N)."""
        m = ORIENT_MATRIX[self.cell_orient[self.pin_cell].astype(np.int64)]
        return (
            m[:, 0, 0] * self.pin_offset_x + m[:, 1, 0] * self.pin_offset_y,
            m[:, 0, 1] * self.pin_offset_x + m[:, 1, 1] * self.pin_offset_y,
        )

    def cell_rows(self, cells: np.ndarray) -> np.ndarray:
        """int64 (k,) the row whose y is each cell's y (nearest row below it if none is)."""
        by_y = np.argsort(self.row_y, kind="stable")
        where = np.searchsorted(self.row_y[by_y], self.cell_y[cells] + 1e-9, side="right") - 1
        return by_y[np.clip(where, 0, by_y.size - 1)]

    def orient_to_rows(self, cells: np.ndarray) -> None:
        """Mirror ``cells`` (int64 (k,), placed on rows) about the x axis as their (bottom)
        row is, keeping whether each is mirrored about the y axis (rotated ones become N)."""
        cells = np.asarray(cells, dtype=np.int64)
        if cells.size == 0 or self.n_rows == 0:
            return
        mirror_x, _ = mirrors(self.cell_orient[cells])
        _, row_mirror_y = mirrors(self.row_orient[self.cell_rows(cells)])
        self.set_orientations(cells, orientation_of_mirrors(mirror_x, row_mirror_y))

    def hpwl(self, cell_x: np.ndarray | None = None, cell_y: np.ndarray | None = None) -> float:
        """Weighted half-perimeter wirelength with cells at ``cell_x, cell_y`` (default: own)."""
        from tapeout.place._kernels.wirelength import hpwl

        x = self.cell_x if cell_x is None else cell_x
        y = self.cell_y if cell_y is None else cell_y
        pin_x = x[self.pin_cell] + 0.5 * self.cell_width[self.pin_cell] + self.pin_offset_x
        pin_y = y[self.pin_cell] + 0.5 * self.cell_height[self.pin_cell] + self.pin_offset_y
        return hpwl(pin_x, pin_y, self.net_pin_indptr, self.net_weight)

    def utilization(self) -> float:
        """Movable cell area over free row area (rows minus blocking fixed cells)."""
        movable = ~self.cell_fixed
        cell_area = float(np.sum(self.cell_width[movable] * self.cell_height[movable]))
        row_area = float(np.sum(self.row_num_sites * self.row_site_width * self.row_height))
        blocked = 0.0
        if np.any(self.cell_blocks):
            x_low, y_low, x_high, y_high = self.core()
            b = self.cell_blocks
            width = np.clip(self.cell_x[b] + self.cell_width[b], x_low, x_high) - np.clip(
                self.cell_x[b], x_low, x_high
            )
            height = np.clip(self.cell_y[b] + self.cell_height[b], y_low, y_high) - np.clip(
                self.cell_y[b], y_low, y_high
            )
            blocked = float(np.sum(width * height))
        return cell_area / max(row_area - blocked, 1e-30)

    def check_shapes(self) -> None:
        """Raise ``DesignError`` when arrays disagree in length or the CSR is malformed."""
        n = self.n_cells
        if self.row_orient.shape != (self.n_rows,):
            raise DesignError(f"placement problem: row_orient has shape {self.row_orient.shape}")
        for name in ("cell_height", "cell_x", "cell_y", "cell_fixed", "cell_blocks", "cell_orient"):
            if getattr(self, name).shape != (n,):
                raise DesignError(
                    f"placement problem: {name} has shape {getattr(self, name).shape}"
                )
        if self.net_pin_indptr[0] != 0 or self.net_pin_indptr[-1] != self.n_pins:
            raise DesignError("placement problem: net_pin_indptr does not cover the pins")
        if np.any(np.diff(self.net_pin_indptr) < 0):
            raise DesignError("placement problem: net_pin_indptr is not increasing")
        if self.n_pins and (self.pin_cell.min() < 0 or self.pin_cell.max() >= n):
            raise DesignError("placement problem: a pin names a cell that does not exist")


def problem_from_bookshelf(design: object) -> PlacementProblem:
    """A ``PlacementProblem`` of a ``tapeout.formats.bookshelf.BookshelfDesign``.

    Terminals and ``/FIXED`` nodes are fixed; ``terminal_NI`` and ``/FIXED_NI`` nodes do not
    block rows. Orientations come from the .pl file (rows: ``Siteorient`` when it names one,
    else N); write them back with ``bookshelf_orientations``. Pins keep the design's (net by
    net) order, so results map back one to one.
    """
    fixed = np.asarray(design.node_is_fixed(), dtype=bool)  # type: ignore[attr-defined]
    # .nets offsets are for the node as drawn (N); the .pl orientation turns them (and the
    # size, for a rotated fixed node; a rotated movable one is placed unrotated).
    orient = _FROM_BOOKSHELF[np.asarray(design.node_orient, dtype=np.int64)]  # type: ignore[attr-defined]
    orient[~fixed & ROTATED[orient.astype(np.int64)]] = Orientation.N
    width, height = oriented_size(
        np.asarray(design.node_width, dtype=np.float64),  # type: ignore[attr-defined]
        np.asarray(design.node_height, dtype=np.float64),  # type: ignore[attr-defined]
        orient,
    )
    pin_node = np.asarray(design.pin_node, dtype=np.int64)  # type: ignore[attr-defined]
    offset_x, offset_y = orient_offsets(
        np.asarray(design.pin_offset_x, dtype=np.float64),  # type: ignore[attr-defined]
        np.asarray(design.pin_offset_y, dtype=np.float64),  # type: ignore[attr-defined]
        orient[pin_node],
    )
    row_orient = np.array(
        [
            Orientation[name] if name in Orientation.__members__ else Orientation.N
            for name in design.row_site_orient  # type: ignore[attr-defined]
        ],
        dtype=np.int8,
    )
    not_blocking = np.asarray(design.node_is_terminal_ni, dtype=bool) | (  # type: ignore[attr-defined]
        np.asarray(design.node_fixed) == 2  # type: ignore[attr-defined]
    )
    problem = PlacementProblem(
        cell_width=np.asarray(width, dtype=np.float64),
        cell_height=np.asarray(height, dtype=np.float64),
        cell_x=np.asarray(design.node_x, dtype=np.float64).copy(),  # type: ignore[attr-defined]
        cell_y=np.asarray(design.node_y, dtype=np.float64).copy(),  # type: ignore[attr-defined]
        cell_fixed=fixed.copy(),
        cell_blocks=fixed & ~not_blocking,
        pin_cell=np.asarray(design.pin_node, dtype=np.int32).copy(),  # type: ignore[attr-defined]
        pin_offset_x=offset_x,
        pin_offset_y=offset_y,
        net_pin_indptr=np.asarray(design.net_pin_indptr, dtype=np.int64).copy(),  # type: ignore[attr-defined]
        net_weight=np.asarray(design.net_weight, dtype=np.float64).copy(),  # type: ignore[attr-defined]
        row_x=np.asarray(design.row_x, dtype=np.float64).copy(),  # type: ignore[attr-defined]
        row_y=np.asarray(design.row_y, dtype=np.float64).copy(),  # type: ignore[attr-defined]
        row_height=np.asarray(design.row_height, dtype=np.float64).copy(),  # type: ignore[attr-defined]
        row_site_width=np.asarray(design.row_site_spacing, dtype=np.float64).copy(),  # type: ignore[attr-defined]
        row_num_sites=np.asarray(design.row_num_sites, dtype=np.int64).copy(),  # type: ignore[attr-defined]
        cell_orient=orient,
        row_orient=row_orient if row_orient.size else np.zeros(0, dtype=np.int8),
    )
    problem.check_shapes()
    return problem
