"""The power grid reaches the GDS through ``merge_gds`` (DEF special nets -> GDS layers)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tapeout.floorplan import FloorplanOptions, floorplan
from tapeout.formats.def_ import write_def
from tapeout.formats.gds import merge_gds
from tapeout.log import Log
from tests.floorplan.conftest import design_for, platform_and_lef, synthetic_netlist


def test_grid_in_gds(tmp_path: Path) -> None:
    kdb = pytest.importorskip("klayout.db")
    platform, _ = platform_and_lef("sky130hd")
    design = design_for("sky130hd", synthetic_netlist("sky130hd", 300))
    report = floorplan(design, FloorplanOptions(platform=platform), log=Log())
    assert design.physical is not None and design.wires is not None
    def_path = tmp_path / "fp.def"
    write_def(def_path, design.netlist, design.physical, design.wires, vias=report.vias)
    gds = tmp_path / "fp.gds"
    merge_gds(
        gds, def_path=def_path, lef_paths=[platform.tech_lef, *platform.cell_lefs],
        cell_gds=list(platform.gds), layer_map=platform.klayout_tech, log=Log(),
    )  # fmt: skip
    layout = kdb.Layout()
    layout.read(str(gds))
    met1 = layout.find_layer(68, 20)  # sky130 met1 drawing
    met4 = layout.find_layer(71, 20)
    top = layout.top_cell()
    rails = top.shapes(met1).size()
    met1_rects = design.wires.special.rect_layer == design.wires.layers.index("met1")
    assert rails == int(met1_rects.sum()) > 0
    assert top.shapes(met4).size() > 0
