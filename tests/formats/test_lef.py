"""LEF reader and writer: hand-written fixtures, every PDK LEF, round trips, KLayout agreement."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from tapeout.db.compare import differences
from tapeout.db.macro import Macro
from tapeout.db.netlist import PortDirection
from tapeout.db.tech import LayerDirection, LayerType, Technology
from tapeout.errors import InputFileError, ParseError
from tapeout.formats.lef import LefResult, read_lef, read_lef_text, write_lef
from tapeout.log import Log
from tests.conftest import DATA, shared_path

TINY_TECH = DATA / "lef" / "tiny_tech.lef"
TINY_CELLS = DATA / "lef" / "tiny_cells.lef"

PDK_LEFS = {
    "sky130hd": ("sky130hd/lef/sky130_fd_sc_hd.tlef", "sky130hd/lef/sky130_fd_sc_hd_merged.lef"),
    "nangate45": (
        "nangate45/lef/NangateOpenCellLibrary.tech.lef",
        "nangate45/lef/NangateOpenCellLibrary.macro.mod.lef",
    ),
    "ihp-sg13g2": ("ihp-sg13g2/lef/sg13g2_tech.lef", "ihp-sg13g2/lef/sg13g2_stdcell.lef"),
}


def pdk_paths(pdk: str) -> list[Path]:
    return [shared_path(f"pdks/{relative}") for relative in PDK_LEFS[pdk]]


def tiny() -> LefResult:
    return read_lef([TINY_TECH, TINY_CELLS])


# -- hand-written fixture --------------------------------------------------------------------


def test_tiny_tech_values_in_dbu() -> None:
    tech = tiny().tech
    assert tech.dbu_per_micron == 2000
    assert tech.manufacturing_grid == 10
    assert [layer.name for layer in tech.layers] == ["nwell", "m1", "v1", "m2", "OVERLAP"]
    m1 = tech.layer("m1")
    assert m1.type is LayerType.ROUTING
    assert m1.direction is LayerDirection.HORIZONTAL
    assert (m1.pitch_x, m1.pitch_y, m1.offset_x, m1.offset_y) == (280, 280, 140, 0)
    assert (m1.width, m1.min_width, m1.max_width, m1.spacing) == (140, 130, 24000, 130)
    assert m1.min_area == 46000  # 0.0115 um2 * 2000**2
    assert (m1.thickness, m1.height) == (260, 740)
    assert m1.resistance_ohm_per_square == 0.38
    assert m1.capacitance_pf_per_um2 == 7.7161e-05
    assert m1.edge_capacitance_pf_per_um == 2.7365e-05
    np.testing.assert_array_equal(m1.spacing_table_length, [0, 600])
    np.testing.assert_array_equal(m1.spacing_table_width, [0, 200])
    np.testing.assert_array_equal(m1.spacing_table, [[130, 130], [130, 200]])
    assert m1.spacing_table.dtype == np.int64
    eol = m1.end_of_line_spacing[0]
    assert (eol.spacing, eol.eol_width, eol.within) == (160, 180, 50)
    m2 = tech.layer("m2")
    assert m2.direction is LayerDirection.VERTICAL  # lower-case keywords are accepted
    assert (m2.pitch_x, m2.pitch_y) == (380, 280)
    v1 = tech.layer("v1")
    assert v1.type is LayerType.CUT
    assert v1.resistance_ohm_per_cut == 5.0
    assert v1.enclosure("BELOW") == (0, 70)
    assert v1.enclosure("ABOVE") == (20, 60)
    assert [(c.spacing, c.cuts, c.within) for c in v1.adjacent_cut_spacing] == [(200, 3, 220)]
    assert tech.layer("nwell").properties == {"LEF58_TYPE": '"TYPE NWELL ;"'}
    assert tech.layer("OVERLAP").type is LayerType.OVERLAP


def test_tiny_vias_rules_sites() -> None:
    tech = tiny().tech
    via = tech.vias["v1_0"]
    assert via.default and via.resistance_ohm == 5.0
    # corners given in either order come out normalized
    np.testing.assert_array_equal(via.rects[1], [-140, -70, 140, 70])
    assert [tech.layers[i].name for i in via.rect_layer] == ["v1", "m1", "m2"]
    rule = tech.via_rules["v1_gen"]
    assert rule.default
    cut = rule.cut()
    assert cut is not None and tech.layers[cut.layer].name == "v1"
    assert cut.cut_rect == (-70, -70, 70, 70) and cut.cut_spacing == (300, 300)
    assert rule.layers[0].enclosure == (70, 0)
    assert rule.layers[1].width_range == (140, 24000)
    assert "m1_m2_turn" not in tech.via_rules  # non-GENERATE rules are skipped
    site = tech.sites["core"]
    assert (site.class_name, site.symmetry, site.width, site.height) == ("CORE", "Y", 400, 2800)


def test_tiny_macros() -> None:
    result = tiny()
    tech = result.tech
    assert list(result.macros) == ["INV_X1", "TIEHI"]
    inv = result.macros["INV_X1"]
    assert (inv.width, inv.height, inv.site, inv.symmetry) == (800, 2800, "core", "X Y")
    assert inv.class_name == "CORE" and inv.foreign_name == "INV_X1"
    assert list(inv.pins) == ["A", "ZN", "VDD", "VSS"]
    zn = inv.pins["ZN"]
    assert zn.direction is PortDirection.OUTPUT and zn.tristate
    np.testing.assert_array_equal(zn.ports[0].rects, [[460, 300, 640, 2500]])
    assert zn.ports[0].rects.dtype == np.int64
    assert zn.ports[0].polygons[0].shape == (6, 2)
    assert zn.ports[0].polygon_layer.tolist() == [tech.layer_index("m1")]
    vdd = inv.pins["VDD"]
    assert (vdd.use, vdd.shape_class, len(vdd.ports)) == ("POWER", "ABUTMENT", 2)
    assert vdd.rect_layers().tolist() == [tech.layer_index("m1"), tech.layer_index("m2")]
    assert [p.name for p in inv.power_pins()] == ["VDD", "VSS"]
    assert inv.obstructions.rect_layer.tolist() == [1, 0]
    assert inv.properties == {"kind": '"inverter"'}
    tie = result.macros["TIEHI"]
    assert tie.class_name == "CORE TIEHIGH" and tie.origin_x == 200
    assert tie.pins["Z"].use == "SIGNAL"  # USE absent: SIGNAL


def test_tiny_skipped_statements_warn_and_continue() -> None:
    log = Log()
    result = read_lef([TINY_TECH, TINY_CELLS], log=log)
    warnings = [text for level, msg_id, text in log.messages if msg_id == "LEF-0002"]
    assert any("tiny_tech.lef:11:" in text and "PROPERTYDEFINITIONS" in text for text in warnings)
    assert any("NONDEFAULTRULE" in text for text in warnings)
    assert any("BEGINEXT" in text for text in warnings)
    assert any("ANTENNAGATEAREA" in text and "tiny_cells.lef:13:" in text for text in warnings)
    assert len(result.macros) == 2


def test_unknown_statement_warns_with_id_and_parse_continues() -> None:
    log = Log()
    text = TINY_CELLS.read_text().replace(
        "MACRO TIEHI", "FROBNICATE 1 2 3 ;\nMACRO TIEHI\n  WIBBLE x ;"
    )
    tech = tiny().tech
    result = read_lef_text(text, Path("cells.lef"), log=log, tech=tech)
    assert list(result.macros) == ["INV_X1", "TIEHI"]
    warnings = [text for level, msg_id, text in log.messages if level == "WARN"]
    assert any(w.startswith("cells.lef:") and "FROBNICATE" in w for w in warnings)
    assert any("MACRO WIBBLE" in w for w in warnings)
    assert "LEF-0002" in log.ids()


def test_unknown_block_and_stray_end_warn() -> None:
    log = Log()
    text = (
        "MAXVIASTACK 4 RANGE m1 m2 ;\nWIDGET w\n  SIZE 1 ;\nEND w\nSITE s\n  SIZE 1 BY 2 ;\nEND s\n"
    )
    result = read_lef_text(text, Path("odd.lef"), log=log, tech=tiny().tech)
    assert "s" in result.tech.sites
    assert log.ids().count("LEF-0008") == 1
    assert any("odd.lef:4: END w outside any block" in text for _, _, text in log.messages)


def test_cell_lef_uses_earlier_tech_units() -> None:
    tech = read_lef(TINY_TECH).tech
    cells = read_lef(TINY_CELLS, tech=tech)
    assert cells.tech is tech
    assert cells.macros["INV_X1"].width == 800  # 0.4 um at 2000 DBU/um
    assert differences(cells.macros, tiny().macros) == []


def test_empty_tech_argument_takes_the_files_units() -> None:
    tech = Technology()
    result = read_lef(TINY_TECH, tech=tech)
    assert result.tech is tech and tech.dbu_per_micron == 2000


def test_cell_units_conflict_warns_and_keeps_tech_units() -> None:
    log = Log()
    text = "UNITS\n DATABASE MICRONS 1000 ;\nEND UNITS\n" + TINY_CELLS.read_text()
    result = read_lef_text(text, Path("c.lef"), log=log, tech=read_lef(TINY_TECH).tech)
    assert "LEF-0003" in log.ids()
    assert result.macros["INV_X1"].width == 800


def test_tiny_round_trip(tmp_path: Path) -> None:
    first = tiny()
    write_lef(tmp_path / "out.lef", first.tech, first.macros)
    second = read_lef(tmp_path / "out.lef")
    assert differences(first, second) == []


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("LAYER m9\n  TYPE ROUTING ;\n", "has no END", 1),
        ("LAYER m9\n  TYPE ROUTING ;\n  WIDTH 0.1x ;\nEND m9\n", "expected a number", 3),
        ("LAYER m9\n  TYPE ROUTING ;\nEND m8\n", "does not close LAYER m9", 3),
        ("LAYER m9\n  TYPE ROUTING ;\n  WIDTH 0.1\nEND m9\n", "expected ';'", 4),
        ("LAYER m9\n  DIRECTION SIDEWAYS ;\nEND m9\n", "unknown DIRECTION", 2),
        ("VIA v DEFAULT\n  LAYER nope ;\nEND v\n", "unknown layer 'nope'", 2),
        ("UNITS\n  DATABASE MICRONS -5 ;\nEND UNITS\n", "must be positive", 2),
        ("PROPERTYDEFINITIONS\n  LAYER x STRING ;\n", "has no END", 1),
    ],
)
def test_tech_errors_name_file_and_line(text: str, message: str, line: int) -> None:
    with pytest.raises(ParseError) as caught:
        read_lef_text(text, Path("bad.lef"))
    error = caught.value
    assert message in error.message
    assert error.file == "bad.lef" and error.line == line
    assert error.column is not None


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("LAYER m2 ;", "LAYER m7 ;", "unknown layer 'm7'"),
        ("RECT 0.1 1.3 0.2 1.5 ;", "RECT 0.1 1.3 0.2 1.5x ;", "expected a number in RECT"),
        ("RECT 0.1 1.3 0.2 1.5 ;", "RECT 0.1 1.3 0.2 nan ;", "expected a number in RECT"),
        ("  END VDD\n", "", "does not close PIN VDD"),
        ("DIRECTION INPUT ;", "DIRECTION SIDEWAYS ;", "unknown pin DIRECTION"),
        ("SIZE 0.4 BY 1.4 ;", "SIZE 0.4 1.4 ;", "expected BY"),
    ],
)
def test_macro_errors_name_file_and_line(old: str, new: str, message: str) -> None:
    text = TINY_CELLS.read_text()
    assert old in text
    broken = text.replace(old, new, 1)
    with pytest.raises(ParseError) as caught:
        read_lef_text(broken, Path("cells.lef"), tech=read_lef(TINY_TECH).tech)
    error = caught.value
    assert message in error.message
    assert error.file == "cells.lef" and error.line is not None and error.line > 1


def test_truncated_file_reports_end_of_file() -> None:
    text = TINY_CELLS.read_text()
    cut = text[: text.index("END VDD")]
    with pytest.raises(ParseError) as caught:
        read_lef_text(cut, Path("cells.lef"), tech=read_lef(TINY_TECH).tech)
    assert "PIN VDD has no END: the file ends first" in caught.value.message
    assert caught.value.line == cut[: cut.index("PIN VDD")].count("\n") + 1
    with pytest.raises(ParseError) as caught:
        read_lef_text("VERSION 5.8", Path("cut.lef"))
    assert "end of file" in caught.value.message and caught.value.line == 1


def test_macro_without_tech_layers_is_an_error() -> None:
    with pytest.raises(ParseError) as caught:
        read_lef(TINY_CELLS)
    assert "unknown layer 'm1'" in caught.value.message
    assert caught.value.hint is not None and "technology LEF" in caught.value.hint


def test_missing_file_is_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputFileError):
        read_lef(tmp_path / "nope.lef")


# -- real PDK files --------------------------------------------------------------------------


@pytest.mark.parametrize("pdk", sorted(PDK_LEFS))
def test_pdk_reads_and_round_trips(pdk: str, tmp_path: Path) -> None:
    paths = pdk_paths(pdk)
    first = read_lef(paths)
    assert len(first.macros) > 80
    assert first.tech.routing_layers()
    assert first.tech.sites
    write_lef(tmp_path / "all.lef", first.tech, first.macros)
    second = read_lef(tmp_path / "all.lef")
    assert differences(first, second) == []
    # tech alone round-trips too
    tech_only = read_lef(paths[0])
    write_lef(tmp_path / "tech.lef", tech_only.tech, {})
    assert differences(tech_only, read_lef(tmp_path / "tech.lef")) == []


def test_sky130_known_values() -> None:
    result = read_lef(pdk_paths("sky130hd"))
    tech = result.tech
    assert tech.dbu_per_micron == 1000 and tech.manufacturing_grid == 5
    assert [layer.name for layer in tech.routing_layers()] == [
        "li1",
        "met1",
        "met2",
        "met3",
        "met4",
        "met5",
    ]
    li1 = tech.layer("li1")
    assert (li1.pitch_x, li1.pitch_y, li1.offset_x, li1.offset_y) == (460, 340, 230, 170)
    met1 = tech.layer("met1")
    assert met1.width == 140 and met1.min_area == 83000
    np.testing.assert_array_equal(met1.spacing_table, [[140], [280]])
    assert tech.layer("mcon").enclosure("ABOVE") == (30, 60)
    assert tech.sites["unithd"].width == 460 and tech.sites["unithd"].height == 2720
    inv = result.macros["sky130_fd_sc_hd__inv_1"]
    assert (inv.width, inv.height, inv.site) == (1380, 2720, "unithd")
    assert inv.pins["Y"].direction is PortDirection.OUTPUT
    assert inv.pins["VGND"].use == "GROUND"


# -- agreement with KLayout's LEF reader -----------------------------------------------------


def _klayout_view(paths: list[Path], dbu_per_micron: int) -> dict[str, dict]:
    """Per cell: outline box and {(layer, pin or "OBS"): sorted boxes} as KLayout reads them."""
    db = pytest.importorskip("klayout.db")
    layout = db.Layout()
    options = db.LoadLayoutOptions()
    config = options.lefdef_config
    config.lef_files = [str(path) for path in paths[:-1]]
    config.pin_property_name = "PIN"
    config.dbu = 1.0 / dbu_per_micron
    options.lefdef_config = config
    layout.read(str(paths[-1]), options)
    assert abs(layout.dbu - 1.0 / dbu_per_micron) < 1e-12
    infos = {index: layout.get_info(index).name for index in layout.layer_indexes()}
    view: dict[str, dict] = {}
    for cell in layout.each_cell():
        shapes: dict[tuple[str, str], list[tuple]] = defaultdict(list)
        outline = None
        for index, name in infos.items():
            purpose = name.rsplit(".", 1)[-1] if "." in name else name
            layer = name.rsplit(".", 1)[0]
            if purpose == "LABEL":
                continue
            for shape in cell.shapes(index).each():
                if name == "OUTLINE":
                    box = shape.box
                    outline = (box.left, box.bottom, box.right, box.top)
                    continue
                owner = shape.property("PIN") if purpose == "PIN" else "OBS"
                if shape.is_box():
                    box = shape.box
                    shapes[(layer, owner)].append((box.left, box.bottom, box.right, box.top))
                else:
                    points = sorted((p.x, p.y) for p in shape.polygon.each_point_hull())
                    shapes[(layer, owner)].append(tuple(points))
        view[cell.name] = {
            "outline": outline,
            "shapes": {k: sorted(v, key=repr) for k, v in shapes.items()},
        }
    return view


def _our_view(macro: Macro, layer_names: list[str]) -> dict:
    shapes: dict[tuple[str, str], list[tuple]] = defaultdict(list)
    owners = [(pin.name, port) for pin in macro.pins.values() for port in pin.ports]
    owners.append(("OBS", macro.obstructions))
    for owner, geometry in owners:
        for rect, layer in zip(geometry.rects.tolist(), geometry.rect_layer.tolist(), strict=True):
            shapes[(layer_names[layer], owner)].append(tuple(rect))
        for polygon, layer in zip(geometry.polygons, geometry.polygon_layer.tolist(), strict=True):
            points = sorted(tuple(point) for point in polygon.tolist())
            shapes[(layer_names[layer], owner)].append(tuple(points))
    # KLayout puts the outline at -ORIGIN and leaves the shapes in LEF coordinates.
    outline = (
        -macro.origin_x,
        -macro.origin_y,
        macro.width - macro.origin_x,
        macro.height - macro.origin_y,
    )
    return {"outline": outline, "shapes": {k: sorted(v, key=repr) for k, v in shapes.items()}}


def _compare_with_klayout(paths: list[Path]) -> None:
    ours = read_lef(paths)
    layer_names = [layer.name for layer in ours.tech.layers]
    theirs = _klayout_view(paths, ours.tech.dbu_per_micron)
    assert sorted(theirs) == sorted(ours.macros)
    mismatched = [
        name for name, macro in ours.macros.items() if _our_view(macro, layer_names) != theirs[name]
    ]
    assert mismatched == []


@pytest.mark.parametrize("pdk", sorted(PDK_LEFS))
def test_pdk_cells_match_klayout(pdk: str) -> None:
    _compare_with_klayout(pdk_paths(pdk))


def test_tiny_cells_match_klayout() -> None:
    _compare_with_klayout([TINY_TECH, TINY_CELLS])


def test_written_lef_matches_klayout(tmp_path: Path) -> None:
    result = read_lef(pdk_paths("nangate45"))
    write_lef(tmp_path / "tech.lef", result.tech, {})
    write_lef(tmp_path / "cells.lef", result.tech, result.macros)
    _compare_with_klayout([tmp_path / "tech.lef", tmp_path / "cells.lef"])
