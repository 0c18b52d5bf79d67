"""DEF reader and writer: contents of a hand-written fixture, round trips, klayout, errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tapeout.db.compare import differences
from tapeout.db.names import NameTable
from tapeout.db.netlist import PortDirection
from tapeout.db.physical import (
    Orientation,
    Physical,
    PlacementStatus,
    SignalUse,
    place_on_rows,
)
from tapeout.db.synthetic import make_netlist
from tapeout.db.wires import RouteStatus, Routing, Wires, WireShape
from tapeout.errors import DesignError, ParseError
from tapeout.formats.def_ import DefResult, read_def, via_layers_from_tech, write_def
from tapeout.log import Log
from tests.conftest import DATA, shared_path

SMALL = DATA / "def" / "small.def"


def _round_trip(result: DefResult, tmp_path: Path, name: str = "out.def") -> DefResult:
    out = tmp_path / name
    write_def(
        out, result.netlist, result.physical, result.wires, vias=result.vias, design=result.design
    )
    return read_def(out)


def test_small_fixture_contents() -> None:
    log = Log()
    result = read_def(SMALL, log=log)
    netlist, physical, wires = result.netlist, result.physical, result.wires
    assert result.design == netlist.top == "small_top"
    assert result.version == "5.8" and physical.dbu_per_micron == 1000
    assert physical.die_area.tolist() == [[0, 0], [20000, 10880]]
    # Skipped sections and options are reported, not fatal.
    assert {"DEF-0001", "DEF-0010"} <= set(log.ids())
    # Rows, tracks (one entry per layer), gcell grid.
    assert physical.row_names.names == ["ROW_0", "ROW_1", "ROW_2"]
    assert physical.row_orient.tolist() == [Orientation.N, Orientation.FS, Orientation.N]
    assert physical.row_num_x.tolist() == [30, 30, 30]
    assert physical.row_step_x.tolist() == [460, 460, 0]
    assert [physical.layers[i] for i in physical.track_layer] == ["li1", "met1", "met1", "met2"]
    assert physical.track_direction.tolist() == [0, 1, 0, 0]
    assert physical.gcell_count.tolist() == [3, 2]
    # Components with statuses, orientations and an escaped hierarchical name.
    assert netlist.inst_names.names == ["u1", "u2", r"\top/sub\[3\]/u3", "u4", "u5"]
    assert [netlist.masters[m] for m in netlist.inst_master][:2] == [
        "sky130_fd_sc_hd__inv_1",
        "sky130_fd_sc_hd__nand2_1",
    ]
    assert physical.inst_x.tolist() == [1840, 3220, 5060, 6900, 0]
    assert physical.inst_orient.tolist() == [0, Orientation.FS, Orientation.FN, 0, 0]
    assert physical.inst_status.tolist() == [
        PlacementStatus.PLACED,
        PlacementStatus.FIXED,
        PlacementStatus.PLACED,
        PlacementStatus.PLACED,
        PlacementStatus.UNPLACED,
    ]
    # Pins: nets, directions, uses, shapes relative to the origin.
    assert netlist.port_names.names == ["clk", "in[0]", "out", "VPWR", "spare"]
    assert netlist.port_direction.tolist() == [
        PortDirection.INPUT,
        PortDirection.INPUT,
        PortDirection.OUTPUT,
        PortDirection.INOUT,
        PortDirection.INPUT,
    ]
    assert physical.port_use.tolist() == [SignalUse.CLOCK, 0, 0, SignalUse.POWER, 0]
    assert physical.port_special.tolist() == [False, False, False, True, False]
    layers, rects = physical.port_shapes(2)
    assert [physical.layers[i] for i in layers] == ["met3", "met2"]
    assert rects.tolist() == [[-400, -150, 400, 150], [-70, -70, 70, 70]]
    assert (physical.port_x[2], physical.port_y[2], physical.port_orient[2]) == (19600, 4080, 3)
    # Nets: NETS order, then the power net named only by a pin.
    assert netlist.net_names.names == ["clk", "a", "n1", "n2", "y", "VPWR"]
    pins_of_y = netlist.net_pins(netlist.net_names.index("y"))
    assert sorted(netlist.pin_name(int(p)) for p in pins_of_y) == sorted(
        ["out", r"\top/sub\[3\]/u3/X", "u5/A"]
    )
    assert netlist.pin_inst[netlist.net_pins(5)].tolist() == [-1]  # VPWR: the port only
    assert wires.net_use.tolist() == [SignalUse.CLOCK, 0, 0, 0, 0, SignalUse.POWER]
    # Regular wiring: '*' repeats, extensions, the layer after a DEF via, patches.
    regular = wires.regular
    net_a = netlist.net_names.index("a")
    segs = np.flatnonzero(regular.seg_net == net_a)
    assert regular.seg_x0[segs].tolist() == [400, 1900, 1900, 3300]
    assert regular.seg_y1[segs].tolist() == [4080, 2900, 2900, 6000]
    assert [wires.layers[i] for i in regular.seg_layer[segs]] == ["met2", "met1", "met1", "li1"]
    assert regular.seg_ext1[segs].tolist() == [-1, 0, 70, -1]
    assert regular.seg_status[segs].tolist() == [0, 0, 0, RouteStatus.FIXED]
    assert [wires.via_names[i] for i in regular.via_name] == ["via1_fixed", "M1M2_PR"]
    assert regular.rect.tolist() == [[3200, 2850, 3400, 2950]]
    assert regular.wirelength() == 1500 + 1180 + 1400 + 400 + 1400
    # Special nets: connections, widths, shapes, via arrays, rectangles.
    assert wires.special_net_names.names == ["VPWR", "VGND"]
    assert wires.special_net_use.tolist() == [SignalUse.POWER, SignalUse.GROUND]
    assert wires.special_conn_inst.tolist() == [-1, -2, 0, -1]
    special = wires.special
    assert special.seg_width.tolist() == [480, 1600, 480]
    assert special.seg_shape.tolist() == [WireShape.FOLLOWPIN, WireShape.STRIPE, 5]
    assert special.seg_x1[2] == 15180 and special.seg_y1[2] == 2720
    assert (special.via_num_x[0], special.via_step_x[0]) == (2, 500)
    assert special.rect.tolist() == [[0, 0, 20000, 1600]]
    assert (special.rect_status[0], special.rect_shape[0]) == (RouteStatus.FIXED, WireShape.RING)
    # Vias and blockages.
    assert list(result.vias) == ["via2_gen", "via1_fixed"]
    assert result.vias["via2_gen"].layers == ("met2", "via2", "met3")
    assert result.vias["via2_gen"].rowcol == (1, 2)
    assert result.vias["via1_fixed"].rects[1] == (-76, -76, 76, 76)
    assert physical.blockage_layer[2] == -1
    assert physical.blockage_component.tolist() == [1, -1, -1]
    assert physical.blockage_rect_indptr.tolist() == [0, 1, 3, 4]
    assert physical.blockage_spacing.tolist() == [0, 300, 0]
    assert np.isnan(physical.blockage_density[0]) and physical.blockage_density[2] == 40.5


def test_small_round_trip(tmp_path: Path) -> None:
    first = read_def(SMALL)
    second = _round_trip(first, tmp_path)
    assert differences(first, second) == []
    third = _round_trip(second, tmp_path, "again.def")
    assert (tmp_path / "out.def").read_text() == (tmp_path / "again.def").read_text()
    assert differences(second, third) == []


def _generated(n_insts: int) -> tuple:
    """A placed synthetic netlist with some routed nets and power stripes."""
    netlist = make_netlist(n_insts, seed=3)
    widths = np.array([1380, 1380, 1380, 2300, 1380, 7360], dtype=np.int64)
    physical = place_on_rows(netlist, widths)
    physical.track_layer = np.array([0, 1], np.int32)
    physical.track_direction = np.array([0, 1], np.int8)
    physical.track_start = np.array([230, 170], np.int64)
    physical.track_count = np.array([100, 200], np.int64)
    physical.track_step = np.array([460, 340], np.int64)
    rng = np.random.default_rng(1)
    wires = Wires.for_nets(netlist.n_nets)
    wires.net_use[0] = SignalUse.CLOCK
    wires.layers = NameTable(["met1", "met2", "met4"])
    wires.via_names = NameTable(["M1M2_PR"])
    n_segs = 500
    net = np.sort(rng.integers(0, netlist.n_nets, n_segs)).astype(np.int32)
    x0 = rng.integers(0, 10**5, n_segs)
    y0 = rng.integers(0, 10**5, n_segs)
    horizontal = rng.random(n_segs) < 0.5
    length = rng.integers(0, 5000, n_segs)
    wires.regular = Routing(
        seg_net=net,
        seg_layer=np.where(horizontal, 0, 1).astype(np.int32),
        seg_x0=x0,
        seg_y0=y0,
        seg_x1=np.where(horizontal, x0 + length, x0),
        seg_y1=np.where(horizontal, y0, y0 + length),
        seg_width=np.zeros(n_segs, np.int64),
        seg_ext0=np.full(n_segs, -1, np.int64),
        seg_ext1=rng.choice([-1, 0, 70], n_segs),
        seg_status=rng.choice([0, 1], n_segs).astype(np.int8),
        seg_shape=np.zeros(n_segs, np.int8),
        via_net=net[:50],
        via_name=np.zeros(50, np.int32),
        via_layer=np.zeros(50, np.int32),
        via_x=x0[:50],
        via_y=y0[:50],
        via_orient=np.zeros(50, np.int8),
        via_width=np.zeros(50, np.int64),
        via_status=np.zeros(50, np.int8),
        via_shape=np.zeros(50, np.int8),
        via_num_x=np.ones(50, np.int64),
        via_num_y=np.ones(50, np.int64),
        via_step_x=np.zeros(50, np.int64),
        via_step_y=np.zeros(50, np.int64),
    )
    wires.special_net_names = NameTable(["VPWR", "VGND"])
    wires.special_net_use = np.array([SignalUse.POWER, SignalUse.GROUND], np.int8)
    wires.special_terms = NameTable(["VPWR", "VGND"])
    wires.special_conn_net = np.array([0, 1], np.int32)
    wires.special_conn_inst = np.array([-1, -1], np.int32)
    wires.special_conn_term = np.array([0, 1], np.int32)
    n_rows = physical.n_rows
    wires.special = Routing(
        seg_net=(np.arange(n_rows) % 2).astype(np.int32),
        seg_layer=np.zeros(n_rows, np.int32),
        seg_x0=np.zeros(n_rows, np.int64),
        seg_y0=physical.row_y,
        seg_x1=np.full(n_rows, int(physical.die_area[1, 0]), np.int64),
        seg_y1=physical.row_y,
        seg_width=np.full(n_rows, 480, np.int64),
        seg_ext0=np.full(n_rows, -1, np.int64),
        seg_ext1=np.full(n_rows, -1, np.int64),
        seg_status=np.zeros(n_rows, np.int8),
        seg_shape=np.full(n_rows, WireShape.FOLLOWPIN, np.int8),
    )
    return netlist, physical, wires


def test_generated_round_trip(tmp_path: Path) -> None:
    netlist, physical, wires = _generated(10_000)
    write_def(tmp_path / "gen.def", netlist, physical, wires)
    first = read_def(tmp_path / "gen.def")
    # The reader gives back what was written (pins are regrouped by net, so compare by name).
    assert first.netlist.inst_names.names == netlist.inst_names.names
    assert np.array_equal(first.physical.inst_x, physical.inst_x)
    assert np.array_equal(first.physical.inst_orient, physical.inst_orient)
    assert first.netlist.n_pins == netlist.n_pins
    assert first.wires.regular.wirelength() == wires.regular.wirelength()
    assert first.wires.regular.n_vias == 50
    assert first.wires.special.n_segs == physical.n_rows
    second = _round_trip(first, tmp_path)
    assert differences(first, second) == []


def test_net_pins_survive(tmp_path: Path) -> None:
    netlist, physical, _ = _generated(500)
    write_def(tmp_path / "n.def", netlist, physical)
    back = read_def(tmp_path / "n.def").netlist
    for net in range(0, netlist.n_nets, 37):
        name = netlist.net_names[net]
        ours = sorted(netlist.pin_name(int(p)) for p in netlist.net_pins(net))
        theirs = sorted(back.pin_name(int(p)) for p in back.net_pins(back.net_names.index(name)))
        assert ours == theirs


def test_klayout_reads_our_def(tmp_path: Path) -> None:
    klayout = pytest.importorskip("klayout.db")
    tlef = shared_path("pdks/sky130hd/lef/sky130_fd_sc_hd.tlef")
    lef = shared_path("pdks/sky130hd/lef/sky130_fd_sc_hd_merged.lef")
    netlist, physical, wires = _generated(300)
    out = tmp_path / "k.def"
    write_def(out, netlist, physical, wires)
    options = klayout.LoadLayoutOptions()
    options.lefdef_config.lef_files = [str(tlef), str(lef)]
    options.lefdef_config.macro_resolution_mode = 1  # LEF geometry, not ghost cells
    options.lefdef_config.produce_cell_outlines = True
    options.lefdef_config.cell_outline_layer = "OUTLINE"
    layout = klayout.Layout()
    layout.read(str(out), options)
    top = layout.top_cell()
    assert top.name == netlist.top
    outline = next(i for i in layout.layer_indexes() if layout.get_info(i).name == "OUTLINE")
    corners = {}
    for inst in top.each_inst():
        if inst.cell.name.startswith("sky130_fd_sc_hd__"):
            box = inst.cell.bbox_per_layer(outline).transformed(inst.trans)
            corners.setdefault(inst.cell.name, []).append((box.left, box.bottom))
    masters = netlist.masters.names
    expected: dict[str, list[tuple[int, int]]] = {}
    for i in range(netlist.n_insts):
        expected.setdefault(masters[netlist.inst_master[i]], []).append(
            (int(physical.inst_x[i]), int(physical.inst_y[i]))
        )
    assert sum(map(len, corners.values())) == netlist.n_insts
    assert {k: sorted(v) for k, v in corners.items()} == {k: sorted(v) for k, v in expected.items()}


def test_klayout_reads_fixture(tmp_path: Path) -> None:
    klayout = pytest.importorskip("klayout.db")
    tlef = shared_path("pdks/sky130hd/lef/sky130_fd_sc_hd.tlef")
    lef = shared_path("pdks/sky130hd/lef/sky130_fd_sc_hd_merged.lef")
    result = read_def(SMALL)
    out = tmp_path / "small.def"
    write_def(out, result.netlist, result.physical, result.wires, vias=result.vias)
    options = klayout.LoadLayoutOptions()
    options.lefdef_config.lef_files = [str(tlef), str(lef)]
    layout = klayout.Layout()
    layout.read(str(out), options)
    names = {inst.cell.name for inst in layout.top_cell().each_inst()}
    assert {"sky130_fd_sc_hd__inv_1", "sky130_fd_sc_hd__dfxtp_1", "VIA_via2_gen"} <= names
    assert layout.top_cell().dbbox().width() == pytest.approx(20.0)


def test_divider_and_busbit_characters(tmp_path: Path) -> None:
    text = SMALL.read_text().replace('BUSBITCHARS "[]"', 'BUSBITCHARS "<>"')
    text = text.replace("in[0]", "in<0>").replace('DIVIDERCHAR "/"', 'DIVIDERCHAR "|"')
    text = text.replace("u4", "blk|u4")
    path = tmp_path / "chars.def"
    path.write_text(text)
    netlist = read_def(path).netlist
    assert "in[0]" in netlist.port_names and "blk/u4" in netlist.inst_names
    assert r"\top/sub\[3\]/u3" in netlist.inst_names  # escaped characters are kept


def test_units_conversion(tmp_path: Path) -> None:
    text = SMALL.read_text().replace("MICRONS 1000", "MICRONS 2000")
    path = tmp_path / "units.def"
    path.write_text(text)
    result = read_def(path, dbu_per_micron=1000)
    assert result.def_dbu_per_micron == 2000 and result.physical.dbu_per_micron == 1000
    assert result.physical.inst_x.tolist()[:2] == [920, 1610]
    assert result.wires.special.seg_width.tolist() == [240, 800, 240]
    bad = tmp_path / "odd.def"
    bad.write_text(text.replace("( 1840 2720 )", "( 1841 2720 )"))
    with pytest.raises(ParseError, match="grid"):
        read_def(bad, dbu_per_micron=1000)


def test_via_layers_from_caller() -> None:
    result = read_def(SMALL, via_layers={"M1M2_PR": ("met1", "met2")})
    assert result.wires.regular.n_segs == 5  # the M1M2_PR in the fixture ends its path


@pytest.mark.parametrize(
    ("old", "new", "message", "line"),
    [
        ("+ PLACED ( 1840 2720 ) N", "+ PLACED ( 1840 2720 ) Q", "orientation", 38),
        ("( 3220 5440 ) FS", "( 3220 x5440 ) FS", "coordinate", 39),
        ("- n2 ( u2 Y ) ( u4 D )", "- n2 ( u2 Y ) ( u9 D )", "unknown component", 90),
        ("END NETS", "END NET", "no END NETS", 80),
        ("- u5 sky130_fd_sc_hd__inv_1", "- u1 sky130_fd_sc_hd__inv_1", "twice", 44),
        ("ROW ROW_2 unithd 1380 8160 N DO 30 BY 1 ;", "ROW ROW_2 unithd 1380 ;", "early", 16),
        ("UNITS DISTANCE MICRONS 1000", "UNITS DISTANCE MICRONS -5", "positive", 6),
    ],
)
def test_errors_have_locations(tmp_path: Path, old: str, new: str, message: str, line: int) -> None:
    text = SMALL.read_text()
    assert old in text
    path = tmp_path / "bad.def"
    path.write_text(text.replace(old, new))
    with pytest.raises(ParseError, match=message) as info:
        read_def(path)
    assert info.value.file == str(path)
    assert info.value.line == line


def test_truncated_file_is_an_error(tmp_path: Path) -> None:
    text = SMALL.read_text()
    path = tmp_path / "cut.def"
    path.write_text(text[: text.index("END DESIGN")])
    with pytest.raises(ParseError, match="END DESIGN"):
        read_def(path)


def test_writer_refuses_misaligned_physical_data(tmp_path: Path) -> None:
    netlist = make_netlist(20, n_inputs=2, n_outputs=2)
    with pytest.raises(DesignError, match="20"):
        write_def(tmp_path / "x.def", netlist, Physical())
    assert not (tmp_path / "x.def").exists()
    write_def(tmp_path / "y.def", netlist, Physical.for_netlist(netlist))
    back = read_def(tmp_path / "y.def")
    assert back.netlist.n_insts == 20
    assert (back.physical.inst_status == PlacementStatus.UNPLACED).all()


def test_via_layers_from_the_tech_lef(tmp_path: Path) -> None:
    from tapeout.formats.lef import read_lef

    tech = read_lef(shared_path("pdks/sky130hd/lef/sky130_fd_sc_hd.tlef"), log=Log()).tech
    layers = via_layers_from_tech(tech)
    assert layers["M1M2_PR"] == ("met1", "met2")
    assert layers["L1M1_PR"] == ("li1", "met1")
    # A wire that goes on after a LEF via continues on the via's other layer.
    path = tmp_path / "via.def"
    path.write_text(
        SMALL.read_text().replace("( 3300 * 70 ) M1M2_PR", "( 3300 * 70 ) M1M2_PR ( * 3500 )")
    )
    wires = read_def(path, via_layers=layers).wires
    segs = np.flatnonzero(wires.regular.seg_y1 == 3500)
    assert len(segs) == 1
    assert wires.layers[wires.regular.seg_layer[segs[0]]] == "met2"


def test_bulk_paths_agree_with_the_statement_parser(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tapeout.formats import def_bulk

    netlist, physical, wires = _generated(2000)
    physical.inst_status[::7] = PlacementStatus.UNPLACED  # mixed forms: regex path
    path = tmp_path / "bulk.def"
    write_def(path, netlist, physical, wires)
    fast = read_def(path)
    # The same file with odd spacing (tabs, no blank before ';' in COMPONENTS).
    text = path.read_text()
    spaced = tmp_path / "spaced.def"
    spaced.write_text(text.replace(" ( ", "\t(  ").replace(" N ;", " N;"))
    assert differences(fast, read_def(spaced)) == []
    monkeypatch.setattr(def_bulk, "_components_by_tokens", lambda *args: False)
    monkeypatch.setattr(def_bulk, "_components_by_regex", lambda *args: False)
    monkeypatch.setattr(def_bulk, "_nets_by_pattern", lambda *args: None)
    slow = read_def(path)
    assert differences(fast, slow) == []
