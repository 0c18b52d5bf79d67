"""The floorplan stage on all three platforms: DEF that the checker and KLayout accept."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tapeout.db.macro import Macro
from tapeout.db.physical import PlacementStatus, instance_bboxes
from tapeout.errors import ConfigError
from tapeout.floorplan import FloorplanOptions, MacroPlacement, floorplan
from tapeout.floorplan.check import check_floorplan
from tapeout.formats.def_ import read_def, write_def
from tapeout.log import Log
from tests.floorplan.conftest import design_for, platform_and_lef, synthetic_netlist


def _run(platform_name: str, n_insts: int = 600, **options: object):  # type: ignore[no-untyped-def]
    platform, _ = platform_and_lef(platform_name)
    design = design_for(platform_name, synthetic_netlist(platform_name, n_insts))
    log = Log()
    report = floorplan(design, FloorplanOptions(platform=platform, **options), log=log)  # type: ignore[arg-type]
    return platform, design, report, log


def test_floorplan_is_clean_on_every_platform(platform_name: str, tmp_path: Path) -> None:
    platform, design, report, _ = _run(platform_name, utilization=0.5)
    physical, wires, tech = design.physical, design.wires, design.tech
    assert physical is not None and wires is not None and tech is not None
    assert platform.power_grid is not None
    assert 0.4 < report.utilization <= 0.5
    assert report.n_rows == physical.n_rows > 0
    assert report.n_io_pins == design.netlist.n_ports == 81
    assert report.n_power_vias > 0 and report.n_power_shapes > 0
    geometry = check_floorplan(
        design.netlist, physical, wires, report.vias, tech,
        rail_layer=platform.power_grid.rail_layer,
    )  # fmt: skip
    assert geometry.problems() == []
    assert geometry.supply_pieces == {"VDD": 1, "VSS": 1}
    assert geometry.n_cuts > 0
    # Taps: FIXED instances of the platform's tap cell inside rows.
    if platform.tap_cell:
        taps = design.netlist.inst_master == design.netlist.masters.index(platform.tap_cell)
        assert taps.sum() == report.n_taps >= physical.n_rows
        assert np.all(physical.inst_status[taps] == PlacementStatus.FIXED)
    else:
        assert report.n_taps == 0
    # Special net connections of every cell's supply pins.
    conns = {
        (wires.special_net_names[n], wires.special_terms[t])
        for n, t in zip(wires.special_conn_net, wires.special_conn_term, strict=True)
    }
    assert conns == {("VDD", pin) for pin in platform.power_nets} | {
        ("VSS", pin) for pin in platform.ground_nets
    }
    # The DEF round trip keeps everything the checker needs.
    out = tmp_path / "fp.def"
    write_def(out, design.netlist, physical, wires, vias=report.vias)
    back = read_def(out, dbu_per_micron=tech.dbu_per_micron)
    again = check_floorplan(
        back.netlist, back.physical, back.wires, back.vias, tech,
        rail_layer=platform.power_grid.rail_layer,
    )  # fmt: skip
    assert again.problems() == [] and again.n_cuts == geometry.n_cuts


def test_klayout_reads_the_def(platform_name: str, tmp_path: Path) -> None:
    kdb = pytest.importorskip("klayout.db")
    platform, design, report, _ = _run(platform_name, n_insts=200)
    assert design.physical is not None and design.wires is not None
    out = tmp_path / "fp.def"
    write_def(out, design.netlist, design.physical, design.wires, vias=report.vias)
    options = kdb.LoadLayoutOptions()
    options.lefdef_config.lef_files = [str(p) for p in (platform.tech_lef, *platform.cell_lefs)]
    options.lefdef_config.dbu = 1.0 / design.physical.dbu_per_micron
    layout = kdb.Layout()
    layout.read(str(out), options)
    top = layout.top_cell()
    assert top.dbbox().width() == pytest.approx(report.die_width_um, abs=0.01)
    names = {layout.get_info(i).name for i in layout.layer_indexes()}
    assert platform.power_grid is not None
    assert {platform.power_grid.rail_layer, *platform.power_grid.strap_layers} <= names


def test_hard_macro_cuts_rows_and_rails() -> None:
    platform, _lef = platform_and_lef("sky130hd")
    netlist = synthetic_netlist("sky130hd", 800)
    design = design_for("sky130hd", netlist)
    # Turn instance g0 into a 40 x 30 µm block (a made-up LEF macro).
    design.library.macros["test_block"] = Macro("test_block", "BLOCK", width=40_000, height=30_000)
    netlist.inst_master[0] = netlist.masters.add("test_block")
    options = FloorplanOptions(
        platform=platform, utilization=0.3,
        macro_placements=(MacroPlacement("g0", 40.0, 40.0, "N"),), macro_halo_um=4.0,
    )  # fmt: skip
    report = floorplan(design, options, log=Log())
    physical, wires = design.physical, design.wires
    assert physical is not None and wires is not None and design.tech is not None
    assert report.n_macros == 1
    assert physical.inst_status[0] == PlacementStatus.FIXED
    assert (physical.inst_x[0], physical.inst_y[0]) == (40_000, 40_000)
    halo = (36_000, 36_000, 84_000, 74_000)
    x1 = physical.row_x + physical.row_num_x * physical.row_step_x
    y1 = physical.row_y + 2720
    overlap = (
        (physical.row_x < halo[2]) & (x1 > halo[0]) & (physical.row_y < halo[3]) & (y1 > halo[1])
    )
    assert not overlap.any()
    # taps stay out of the macro
    widths = np.array([design.library.macros[m].width for m in netlist.masters], np.int64)
    heights = np.array([design.library.macros[m].height for m in netlist.masters], np.int64)
    boxes = instance_bboxes(
        physical.inst_x, physical.inst_y, physical.inst_orient,
        widths[netlist.inst_master], heights[netlist.inst_master],
    )  # fmt: skip
    fixed = np.flatnonzero(physical.inst_status == PlacementStatus.FIXED)[1:]
    b = boxes[fixed]
    assert not (
        (b[:, 0] < halo[2]) & (b[:, 2] > halo[0]) & (b[:, 1] < halo[3]) & (b[:, 3] > halo[1])
    ).any()
    rails = wires.special.rect[wires.special.rect_layer == wires.layers.index("met1")]
    inside = (
        (rails[:, 0] < 80_000)
        & (rails[:, 2] > 40_000)
        & (rails[:, 1] < 70_000)
        & (rails[:, 3] > 40_000)
    )
    assert not inside.any()
    assert platform.power_grid is not None
    geometry = check_floorplan(
        netlist,
        physical,
        wires,
        report.vias,
        design.tech,
        rail_layer=platform.power_grid.rail_layer,
    )
    assert geometry.problems() == []


def test_bad_macro_placements() -> None:
    platform, _ = platform_and_lef("sky130hd")
    design = design_for("sky130hd", synthetic_netlist("sky130hd", 100))
    with pytest.raises(ConfigError, match="unknown instance"):
        floorplan(
            design,
            FloorplanOptions(platform=platform, macro_placements=(MacroPlacement("nope", 0, 0),)),
            log=Log(),
        )
    with pytest.raises(ConfigError, match="not inside the core"):
        floorplan(
            design,
            FloorplanOptions(platform=platform, macro_placements=(MacroPlacement("g1", 0, 0),)),
            log=Log(),
        )


@pytest.mark.parametrize(
    ("field", "value"),
    [("utilization", 0.0), ("utilization", 1.5), ("aspect_ratio", 0.0), ("core_margin_um", -1.0),
     ("die_area_um", (0.0, 0.0, -1.0, 5.0)), ("macro_halo_um", -2.0)],
)  # fmt: skip
def test_options_validate(field: str, value: object) -> None:
    platform, _ = platform_and_lef("sky130hd")
    with pytest.raises(ConfigError):
        FloorplanOptions(platform=platform, **{field: value}).validate()  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="platform"):
        FloorplanOptions().validate()


def test_without_grid_and_taps() -> None:
    _platform, design, report, _ = _run("sky130hd", add_taps=False, add_power_grid=False)
    assert report.n_taps == 0 and report.n_power_shapes == 0 and report.vias == {}
    assert design.wires is not None and len(design.wires.special_net_names) == 0


def _block(tech, top_pin_layer: str) -> Macro:  # type: ignore[no-untyped-def]
    """A 40 x 30 µm block with VPWR/VGND stripes on ``top_pin_layer`` and met1 obstruction."""
    from tapeout.db.macro import MacroPin, Shapes
    from tapeout.db.netlist import PortDirection

    layer = tech.layer_index(top_pin_layer)

    def pin(name: str, use: str, rect: tuple[int, int, int, int]) -> MacroPin:
        shapes = Shapes(rects=np.array([rect], np.int64), rect_layer=np.array([layer], np.int64))
        return MacroPin(name, PortDirection.INOUT, use=use, ports=[shapes])

    # met3: horizontal stripes (met4 straps cross them); met4: vertical (met5 straps cross)
    vertical = top_pin_layer == "met4"
    power = (2000, 1000, 3000, 29_000) if vertical else (1000, 27_000, 39_000, 28_000)
    ground = (37_000, 1000, 38_000, 29_000) if vertical else (1000, 2000, 39_000, 3000)

    obstruction = Shapes(
        rects=np.array([[0, 0, 40_000, 30_000]], np.int64),
        rect_layer=np.array([tech.layer_index("met1")], np.int64),
    )
    return Macro(
        "test_block", "BLOCK", width=40_000, height=30_000,
        pins={"VPWR": pin("VPWR", "POWER", power), "VGND": pin("VGND", "GROUND", ground)},
        obstructions=obstruction,
    )  # fmt: skip


@pytest.mark.parametrize("pin_layer", ["met3", "met4"])
def test_macro_power_pins_join_the_grid(pin_layer: str) -> None:
    platform, lef = platform_and_lef("sky130hd")
    netlist = synthetic_netlist("sky130hd", 800)
    design = design_for("sky130hd", netlist)
    design.library.macros["test_block"] = _block(lef.tech, pin_layer)
    netlist.inst_master[0] = netlist.masters.add("test_block")
    options = FloorplanOptions(
        platform=platform, utilization=0.3,
        macro_placements=(MacroPlacement("g0", 40.0, 40.0, "FS"),), macro_halo_um=4.0,
    )  # fmt: skip
    log = Log()
    report = floorplan(design, options, log=log)
    wires, physical = design.wires, design.physical
    assert wires is not None and physical is not None and design.tech is not None
    special = wires.special
    block = special.rect_shape == 8  # WireShape.BLOCKWIRE: the macro pins joined to the grid
    pins = special.rect[block & (special.rect_layer == wires.layers.index(pin_layer))]
    # FS flips the block about its horizontal axis: VPWR (top in LEF) ends up at the bottom
    if pin_layer == "met3":
        expected = {
            (41_000, 42_000, 79_000, 43_000): "VDD",
            (41_000, 67_000, 79_000, 68_000): "VSS",
        }
    else:
        expected = {
            (42_000, 41_000, 43_000, 69_000): "VDD",
            (77_000, 41_000, 78_000, 69_000): "VSS",
        }
    found = {
        tuple(rect): wires.special_net_names[int(net)]
        for rect, net in zip(pins.tolist(), special.rect_net[block].tolist(), strict=True)
    }
    assert found == expected
    assert "FLOORPLAN-0014" not in log.ids()
    if pin_layer == "met4":  # met4 straps are cut around the block
        met4 = special.rect[(special.rect_layer == wires.layers.index("met4")) & ~block]
        inside = (
            (met4[:, 0] < 80_000)
            & (met4[:, 2] > 40_000)
            & (met4[:, 1] < 70_000)
            & (met4[:, 3] > 40_000)
        )
        assert not inside.any()
    assert platform.power_grid is not None
    geometry = check_floorplan(
        netlist,
        physical,
        wires,
        report.vias,
        design.tech,
        rail_layer=platform.power_grid.rail_layer,
    )
    assert geometry.problems() == []


def test_tiny_design_with_one_row() -> None:
    platform, _ = platform_and_lef("ihp-sg13g2")
    design = design_for("ihp-sg13g2", synthetic_netlist("ihp-sg13g2", 3, n_ports=2))
    report = floorplan(
        design, FloorplanOptions(platform=platform, core_area_um=(20, 20, 60, 26)), log=Log()
    )
    assert report.n_rows == 1 and report.n_io_pins == 5
    assert design.physical is not None and design.wires is not None and design.tech is not None
    geometry = check_floorplan(
        design.netlist, design.physical, design.wires, report.vias, design.tech, rail_layer="Metal1"
    )
    assert geometry.problems() == []
