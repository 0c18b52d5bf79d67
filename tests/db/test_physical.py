"""Physical database helpers: orientation geometry, bounding boxes, synthetic row placement."""

from __future__ import annotations

import numpy as np

from tapeout.db.physical import (
    Orientation,
    Physical,
    PlacementStatus,
    instance_bboxes,
    orient_points,
    oriented_size,
    place_on_rows,
)
from tapeout.db.synthetic import make_netlist
from tapeout.db.wires import Routing


def test_oriented_size_swaps_for_rotations() -> None:
    orient = np.array([o.value for o in Orientation], dtype=np.int8)
    width, height = np.full(8, 10, np.int64), np.full(8, 3, np.int64)
    w, h = oriented_size(width, height, orient)
    assert w.tolist() == [10, 10, 3, 3, 10, 10, 3, 3]
    assert h.tolist() == [3, 3, 10, 10, 3, 3, 10, 10]


def test_instance_bboxes_have_lower_left_at_location() -> None:
    boxes = instance_bboxes(
        np.array([100, 200]),
        np.array([0, 50]),
        np.array([Orientation.N, Orientation.E], np.int8),
        np.array([40, 40]),
        np.array([10, 10]),
    )
    assert boxes.tolist() == [[100, 0, 140, 10], [200, 50, 210, 90]]
    assert boxes.dtype == np.int64


def test_orient_points_match_klayout_transformations() -> None:
    # A pin at (1, 1) in a 10 x 4 master, under every orientation; expected values are what
    # KLayout's DEF reader makes of each orientation (r0 r180 r270 r90 m90 m0 m135 m45).
    orient = np.arange(8, dtype=np.int8)
    ones = np.ones(8, np.int64)
    x, y = orient_points(ones, ones, orient, ones * 10, ones * 4)
    w, h = oriented_size(ones * 10, ones * 4, orient)
    assert ((x >= 0) & (x <= w) & (y >= 0) & (y <= h)).all()
    assert list(zip(x.tolist(), y.tolist(), strict=True)) == [
        (1, 1),  # N
        (9, 3),  # S
        (1, 9),  # E
        (3, 1),  # W
        (9, 1),  # FN
        (1, 3),  # FS
        (3, 9),  # FE
        (1, 1),  # FW
    ]


def test_for_netlist_sizes_arrays() -> None:
    netlist = make_netlist(50, n_inputs=3, n_outputs=2)
    physical = Physical.for_netlist(netlist, dbu_per_micron=2000)
    assert physical.dbu_per_micron == 2000
    assert physical.inst_x.shape == (50,) and physical.inst_x.dtype == np.int64
    assert physical.port_shape_indptr.tolist() == [0] * (netlist.n_ports + 1)
    assert (physical.inst_status == PlacementStatus.UNPLACED).all()


def test_place_on_rows_is_legal() -> None:
    netlist = make_netlist(2000, seed=1)
    widths = np.array([1380, 1380, 1380, 2300, 1380, 7360], dtype=np.int64)
    physical = place_on_rows(netlist, widths)
    assert (physical.inst_status == PlacementStatus.PLACED).all()
    assert (physical.inst_x % 460 == 0).all() and (physical.inst_y % 2720 == 0).all()
    boxes = instance_bboxes(
        physical.inst_x,
        physical.inst_y,
        physical.inst_orient,
        widths[netlist.inst_master],
        np.full(netlist.n_insts, 2720, np.int64),
    )
    die = physical.die_bbox()
    assert (boxes[:, 0] >= die[0]).all() and (boxes[:, 2] <= die[2]).all()
    assert (boxes[:, 3] <= die[3]).all()
    # No two cells in a row overlap.
    order = np.lexsort((boxes[:, 0], boxes[:, 1]))
    same_row = boxes[order[1:], 1] == boxes[order[:-1], 1]
    assert (boxes[order[1:], 0][same_row] >= boxes[order[:-1], 2][same_row]).all()
    # Row orientation alternates N / FS and cells follow their row.
    row = physical.inst_y // 2720
    assert (physical.inst_orient == np.where(row % 2 == 0, 0, Orientation.FS)).all()
    assert np.array_equal(physical.rows_bbox(2720), die)


def test_routing_wirelength() -> None:
    routing = Routing(
        seg_net=np.array([0, 0, 2], np.int32),
        seg_x0=np.array([0, 10, 5]),
        seg_y0=np.array([0, 0, 5]),
        seg_x1=np.array([10, 10, 5]),
        seg_y1=np.array([0, 7, 9]),
    )
    assert routing.wirelength() == 21
    assert routing.net_wirelength(3).tolist() == [17, 0, 4]
