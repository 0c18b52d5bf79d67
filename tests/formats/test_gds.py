"""GDS merge through KLayout: a hand-written sky130hd DEF becomes a GDS with real cell layouts."""

from __future__ import annotations

from pathlib import Path

import pytest

from tapeout.errors import DesignError, InputFileError, ParseError
from tapeout.fileio import output_mode
from tapeout.formats.gds import merge_gds
from tapeout.log import Log
from tapeout.platforms import Platform, get_platform
from tests.conftest import DATA, shared_path

kdb = pytest.importorskip("klayout.db")

SMALL_DEF = DATA / "gds" / "sky130hd_small.def"
DIE_DBU = (0, 0, 20240, 10880)
PLACED = {
    "sky130_fd_sc_hd__tapvpwrvgnd_1",
    "sky130_fd_sc_hd__inv_1",
    "sky130_fd_sc_hd__nand2_1",
    "sky130_fd_sc_hd__dfxtp_1",
    "sky130_fd_sc_hd__buf_4",
    "sky130_fd_sc_hd__conb_1",
}
LI1, MET1, MET2, PR_BOUNDARY = (67, 20), (68, 20), (69, 20), (235, 4)


@pytest.fixture(scope="module")
def sky130hd() -> Platform:
    return get_platform("sky130hd", pdk_root=shared_path("pdks"))


def _merge(platform: Platform, out: Path, def_path: Path = SMALL_DEF, **kwargs: object):  # type: ignore[no-untyped-def]
    return merge_gds(
        out,
        def_path=def_path,
        lef_paths=[platform.tech_lef, *platform.cell_lefs],
        cell_gds=list(platform.gds),
        layer_map=platform.klayout_tech,
        **kwargs,  # type: ignore[arg-type]
    )


def _layer_shapes(layout, cell, layer_datatype: tuple[int, int]) -> int:  # type: ignore[no-untyped-def]
    index = layout.find_layer(*layer_datatype)
    return 0 if index is None else cell.shapes(index).size()


def test_merge_sky130hd_small(sky130hd: Platform, tmp_path: Path) -> None:
    out = tmp_path / "small.gds"
    report = _merge(sky130hd, out, top_name="chip")
    assert out.is_file()
    assert report.top_name == "chip"
    assert report.bbox_dbu == DIE_DBU
    assert report.dbu_um == pytest.approx(0.001)
    assert set(report.cell_names) >= PLACED
    assert report.instance_count == 8  # 7 components + 1 via
    assert not list(tmp_path.glob(".*tmp*"))  # no temporary left behind

    layout = kdb.Layout()
    layout.read(str(out))
    tops = layout.top_cells()
    assert [cell.name for cell in tops] == ["chip"]
    top = tops[0]
    box = top.bbox()
    assert (box.left, box.bottom, box.right, box.top) == DIE_DBU
    children = {layout.cell(index).name for index in top.each_child_cell()}
    assert children >= PLACED
    # Real cell layouts, not LEF abstracts: transistor-level layers and li1/met1 shapes.
    for name in PLACED:
        cell = layout.cell(name)
        assert _layer_shapes(layout, cell, LI1) > 0, name
        assert _layer_shapes(layout, cell, MET1) > 0, name
        assert _layer_shapes(layout, cell, PR_BOUNDARY) == 0, name  # no LEF outline
    flop = layout.cell("sky130_fd_sc_hd__dfxtp_1")
    assert _layer_shapes(layout, flop, (66, 20)) > 0  # poly
    # The DEF's own wiring, pin and die outline are in the top cell on the mapped layers.
    assert _layer_shapes(layout, top, MET2) == 1
    assert _layer_shapes(layout, top, MET1) == 1
    assert _layer_shapes(layout, top, (69, 16)) == 1  # met2.pin
    assert _layer_shapes(layout, top, PR_BOUNDARY) == 1
    # Instances sit where the DEF put them: inv_0 at (3220, 2720), FS row flipped.
    placements = {
        (layout.cell(inst.cell_index).name, inst.trans.disp.x, inst.trans.disp.y)
        for inst in top.each_inst()
    }
    assert ("sky130_fd_sc_hd__inv_1", 3220, 2720) in placements
    # FS at y=5440 with height 2720: mirrored about x, so the origin moves to the row top.
    assert ("sky130_fd_sc_hd__buf_4", 3220, 5440 + 2720) in placements


def test_gzip_output_and_default_top(sky130hd: Platform, tmp_path: Path) -> None:
    out = tmp_path / "nested" / "small.gds.gz"
    report = _merge(sky130hd, out)
    assert report.top_name == "small"  # the DEF's DESIGN name
    assert out.read_bytes()[:2] == b"\x1f\x8b"
    assert out.stat().st_mode & 0o777 == output_mode(tmp_path / "another")  # not mkstemp's 0600
    layout = kdb.Layout()
    layout.read(str(out))
    assert layout.top_cell().name == "small"


def test_missing_cell_layout_is_an_error(sky130hd: Platform, tmp_path: Path) -> None:
    # A library without conb_1 and buf_4: both must be named, and nothing written.
    library = kdb.Layout()
    library.read(str(sky130hd.gds[0]))
    for name in ("sky130_fd_sc_hd__conb_1", "sky130_fd_sc_hd__buf_4"):
        library.delete_cell(library.cell(name).cell_index())
    partial = tmp_path / "partial.gds"
    library.write(str(partial))
    out = tmp_path / "out.gds"
    with pytest.raises(DesignError) as caught:
        merge_gds(
            out,
            def_path=SMALL_DEF,
            lef_paths=[sky130hd.tech_lef, *sky130hd.cell_lefs],
            cell_gds=[partial],
            layer_map=sky130hd.klayout_tech,
        )
    message = str(caught.value)
    assert "2 cells have no GDS layout" in message
    assert "sky130_fd_sc_hd__buf_4" in message and "sky130_fd_sc_hd__conb_1" in message
    assert not out.exists()


def test_bad_inputs(sky130hd: Platform, tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="DEF file not found"):
        _merge(sky130hd, tmp_path / "o.gds", def_path=tmp_path / "absent.def")
    broken = tmp_path / "broken.def"
    broken.write_text(
        "VERSION 5.8 ;\nDESIGN x ;\nUNITS DISTANCE MICRONS 1000 ;\nCOMPONENTS 1 ;\n"
        "- a sky130_fd_sc_hd__inv_1 + PLACED ( 0 0 ) N\nEND COMPONENTS\nEND DESIGN\n"
    )
    with pytest.raises(ParseError) as caught:
        _merge(sky130hd, tmp_path / "o.gds", def_path=broken)
    assert caught.value.file == str(broken.resolve()) and caught.value.line == 6
    assert not (tmp_path / "o.gds").exists()


def test_ihp_layer_map_file(tmp_path: Path) -> None:
    platform = get_platform("ihp-sg13g2", pdk_root=shared_path("pdks"))
    def_path = tmp_path / "ihp.def"
    def_path.write_text(
        "VERSION 5.8 ;\nDESIGN ihp ;\nUNITS DISTANCE MICRONS 1000 ;\n"
        "DIEAREA ( 0 0 ) ( 20000 20000 ) ;\nCOMPONENTS 2 ;\n"
        "- b0 sg13g2_buf_1 + PLACED ( 5000 3780 ) N ;\n"
        "- t0 sg13g2_tiehi + PLACED ( 10000 3780 ) N ;\nEND COMPONENTS\n"
        "NETS 1 ;\n- n ( b0 A ) + ROUTED Metal2 ( 5000 1000 ) ( * 5000 ) ;\nEND NETS\n"
        "END DESIGN\n"
    )
    log = Log()
    report = merge_gds(
        tmp_path / "ihp.gds",
        def_path=def_path,
        lef_paths=[platform.tech_lef, *platform.cell_lefs],
        cell_gds=list(platform.gds),
        layer_map=platform.klayout_layer_map,
        log=log,
    )
    assert {"sg13g2_buf_1", "sg13g2_tiehi"} <= set(report.cell_names)
    assert (10, 0) in report.layers  # Metal2 routing mapped by sg13g2.map
    assert (8, 0) in report.layers  # Metal1 from the real cell layouts
    assert "GDS-0002" not in log.ids()
