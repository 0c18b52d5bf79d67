"""The geometry checker on hand-made and broken grids: it must find what is wrong."""

from __future__ import annotations

import numpy as np

from tapeout.db.names import NameTable
from tapeout.db.physical import Physical
from tapeout.db.wires import Routing, Wires
from tapeout.floorplan import FloorplanOptions, floorplan
from tapeout.floorplan.check import check_floorplan, special_shapes, supply_pieces
from tapeout.formats.def_common import DefVia
from tapeout.log import Log
from tests.floorplan.conftest import design_for, platform_and_lef, synthetic_netlist

M1M2 = DefVia(
    "m1m2",
    rect_layers=["met1", "via", "met2"],
    rects=[(-130, -130, 280, 280), (0, 0, 150, 150), (-130, -130, 280, 280)],
)


def _wires(
    rects: list[tuple[int, str, tuple[int, int, int, int]]], vias: list[tuple[int, int, int]]
) -> Wires:
    """Special wiring: rects (net, layer, box) and m1m2 vias (net, x, y); nets VDD=0, VSS=1."""
    layers = NameTable(["met1", "met2", "met3"])
    n, k = len(rects), len(vias)
    routing = Routing(
        rect_net=np.array([r[0] for r in rects], np.int32),
        rect_layer=np.array([layers.index(r[1]) for r in rects], np.int32),
        rect=np.array([r[2] for r in rects], np.int64).reshape(-1, 4),
        rect_status=np.zeros(n, np.int8),
        rect_shape=np.zeros(n, np.int8),
        via_net=np.array([v[0] for v in vias], np.int32),
        via_name=np.zeros(k, np.int32),
        via_layer=np.zeros(k, np.int32),
        via_x=np.array([v[1] for v in vias], np.int64),
        via_y=np.array([v[2] for v in vias], np.int64),
        via_orient=np.zeros(k, np.int8),
        via_width=np.zeros(k, np.int64),
        via_status=np.zeros(k, np.int8),
        via_shape=np.zeros(k, np.int8),
        via_num_x=np.ones(k, np.int64),
        via_num_y=np.ones(k, np.int64),
        via_step_x=np.zeros(k, np.int64),
        via_step_y=np.zeros(k, np.int64),
    )
    return Wires(
        layers=layers,
        via_names=NameTable(["m1m2"]),
        special_net_names=NameTable(["VDD", "VSS"]),
        special_net_use=np.array([2, 3], np.int8),
        special=routing,
    )


def _check(wires: Wires, physical: Physical | None = None):  # type: ignore[no-untyped-def]
    _, lef = platform_and_lef("sky130hd")
    physical = physical if physical is not None else Physical()
    return check_floorplan(
        synthetic_netlist("sky130hd", 1), physical, wires, {"m1m2": M1M2}, lef.tech, rail_layer=None
    )


# A met1 rail and a met2 strap crossing at (5000, 1000), joined by one via.
RAIL = (0, "met1", (0, 760, 10_000, 1240))
STRAP = (0, "met2", (4800, 0, 5200, 8000))


def test_two_wires_and_a_via_are_one_piece() -> None:
    report = _check(_wires([RAIL, STRAP], [(0, 4925, 925)]))
    assert report.supply_pieces == {"VDD": 1}
    assert report.problems() == []


def test_removed_via_splits_the_net() -> None:
    report = _check(_wires([RAIL, STRAP], []))
    assert report.supply_pieces == {"VDD": 2}
    assert "VDD: 2 separate pieces" in report.problems()


def test_via_off_the_wire_is_dangling_and_unenclosed() -> None:
    report = _check(_wires([RAIL, STRAP], [(0, 4925, 3000)]))  # above the rail: no met1 below
    assert report.supply_pieces == {"VDD": 2}
    assert report.dangling_cuts == {"VDD": 0}  # its own met1 pad is there...
    report = _check(_wires([RAIL, STRAP], [(0, 4925, 1050)]))  # ...but shifted: poor enclosure
    assert report.supply_pieces == {"VDD": 1}
    assert report.enclosure_errors.get("via", 0) == 0  # the via's own pads enclose it
    thin = (0, "met1", (0, 900, 10_000, 1100))  # 200 wide rail
    bare = DefVia("m1m2", rect_layers=["via"], rects=[(0, 0, 150, 150)])
    _, lef = platform_and_lef("sky130hd")
    report = check_floorplan(
        synthetic_netlist("sky130hd", 1), Physical(), _wires([thin, STRAP], [(0, 4925, 925)]),
        {"m1m2": bare}, lef.tech, rail_layer=None,
    )  # fmt: skip
    assert report.enclosure_errors["via"] == 1


def test_width_spacing_area_and_shorts() -> None:
    narrow = (0, "met2", (7000, 0, 7100, 8000))  # 100 < met2 width 140
    close = (1, "met2", (5300, 0, 5700, 8000))  # 100 from the strap (spacing 140)
    tiny = (1, "met3", (0, 0, 200, 300))  # 0.06 µm² < 0.24 µm², and 200 < 300 wide
    report = _check(_wires([RAIL, STRAP, narrow, close, tiny], [(0, 4925, 925)]))
    assert report.width_errors["met2"] >= 1
    assert report.spacing_errors["met2"] >= 1
    assert report.area_errors["met3"] == 1
    assert report.width_errors["met3"] >= 1
    assert report.shorts.get("met2", 0) == 0
    short = (1, "met1", (9000, 0, 9400, 8000))  # VSS on the VDD rail
    report = _check(_wires([RAIL, STRAP, short], [(0, 4925, 925)]))
    assert report.shorts["met1"] == 1
    assert any("shorts" in line for line in report.problems())


def test_supply_pieces_counts_merged_polygons() -> None:
    _, lef = platform_and_lef("sky130hd")
    rects = np.array([[0, 0, 100, 100], [100, 0, 200, 100], [500, 500, 600, 600]], np.int64)
    assert supply_pieces({"met1": rects}, lef.tech) == (2, 0)


def _real_grid():  # type: ignore[no-untyped-def]
    platform, lef = platform_and_lef("sky130hd")
    design = design_for("sky130hd", synthetic_netlist("sky130hd", 500))
    report = floorplan(design, FloorplanOptions(platform=platform), log=Log())
    assert design.physical is not None and design.wires is not None
    return design, report, lef.tech


def _recheck(design, report, tech):  # type: ignore[no-untyped-def]
    return check_floorplan(
        design.netlist, design.physical, design.wires, report.vias, tech, rail_layer="met1"
    )


def test_real_grid_with_a_rail_cut_off() -> None:
    design, report, tech = _real_grid()
    assert _recheck(design, report, tech).problems() == []
    special = design.wires.special
    met1 = design.wires.layers.index("met1")
    rails = np.flatnonzero(special.rect_layer == met1)
    rail = rails[3]
    y = (special.rect[rail, 1] + special.rect[rail, 3]) // 2
    net = special.rect_net[rail]
    # drop every via of that rail (via origins lie on the rail)
    on_rail = (
        (special.via_layer == met1) & (np.abs(special.via_y - y) < 400) & (special.via_net == net)
    )
    assert on_rail.sum() >= 2
    keep = ~on_rail
    columns = ("net", "name", "layer", "x", "y", "orient", "width", "status", "shape", "num_x",
               "num_y", "step_x", "step_y")  # fmt: skip
    for name in (f"via_{column}" for column in columns):
        setattr(special, name, getattr(special, name)[keep])
    broken = _recheck(design, report, tech)
    net_name = design.wires.special_net_names[int(net)]
    assert broken.supply_pieces[net_name] > 1
    # the vias' pads stay behind on met2/met3, unconnected: more than two pieces
    assert any(f"{net_name}:" in line for line in broken.problems())


def test_real_grid_missing_rail_and_bad_pins() -> None:
    design, report, tech = _real_grid()
    special = design.wires.special
    met1 = design.wires.layers.index("met1")
    rail = np.flatnonzero(special.rect_layer == met1)[5]
    special.rect[rail] = (0, 0, 0, 0)
    physical = design.physical
    physical.port_y[physical.port_x == 0] += 10  # left pins off their tracks
    first, second = np.flatnonzero(physical.port_x == physical.die_bbox()[2])[:2]
    physical.port_y[second] = physical.port_y[first]  # two right pins on top of each other
    broken = _recheck(design, report, tech)
    assert broken.rows_without_rails == 2  # the rows above and below the missing rail
    assert broken.pins_off_track == int((physical.port_x == 0).sum())
    assert broken.pin_overlaps == 1


def test_special_shapes_reads_paths_with_flush_ends() -> None:
    wires = _wires([], [])
    wires.special = Routing(
        seg_net=np.array([0], np.int32), seg_layer=np.array([0], np.int32),
        seg_x0=np.array([0], np.int64), seg_y0=np.array([1000], np.int64),
        seg_x1=np.array([5000], np.int64), seg_y1=np.array([1000], np.int64),
        seg_width=np.array([480], np.int64), seg_ext0=np.array([-1], np.int64),
        seg_ext1=np.array([-1], np.int64), seg_status=np.zeros(1, np.int8),
        seg_shape=np.zeros(1, np.int8),
    )  # fmt: skip
    _, lef = platform_and_lef("sky130hd")
    shapes = special_shapes(wires, {}, lef.tech)
    assert shapes["VDD"]["met1"].tolist() == [[0, 760, 5000, 1240]]


def test_wide_metal_spacing_from_the_table() -> None:
    from tapeout.floorplan.check import GeometryReport, _check_rules

    _, lef = platform_and_lef("nangate45")  # metal4: 280 apart, 540 next to metal over 540 wide
    narrow_gap = np.array([[0, 0, 1200, 20_000], [1500, 0, 1800, 20_000]], np.int64)  # 300 gap
    report = GeometryReport()
    _check_rules({"metal4": narrow_gap}, lef.tech, report)
    assert report.spacing_errors["metal4"] == 1
    thin_pair = np.array([[0, 0, 300, 20_000], [600, 0, 900, 20_000]], np.int64)  # both thin
    report = GeometryReport()
    _check_rules({"metal4": thin_pair}, lef.tech, report)
    assert report.spacing_errors["metal4"] == 0
