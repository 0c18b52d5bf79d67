"""IO pins: on tracks, legal size, spread around the die, constraints honoured."""

from __future__ import annotations

import numpy as np
import pytest

from tapeout.errors import DesignError
from tapeout.floorplan import FloorplanOptions, floorplan
from tapeout.floorplan.core import track_positions
from tapeout.floorplan.io_pins import pin_size
from tapeout.formats.pin_constraints import PinConstraint
from tapeout.log import Log
from tests.floorplan.conftest import design_for, platform_and_lef, synthetic_netlist


def _pins(platform_name: str, constraints: tuple[PinConstraint, ...] = (), **options: object):  # type: ignore[no-untyped-def]
    platform, _ = platform_and_lef(platform_name)
    design = design_for(platform_name, synthetic_netlist(platform_name, 400, n_ports=30))
    log = Log()
    floorplan(
        design,
        FloorplanOptions(platform=platform, pin_constraints=constraints, add_power_grid=False,
                         add_taps=False, **options),  # type: ignore[arg-type]
        log=log,
    )  # fmt: skip
    assert design.physical is not None
    return platform, design, design.physical, log


def _sides(physical) -> list[str]:  # type: ignore[no-untyped-def]
    x0, y0, x1, y1 = physical.die_bbox().tolist()
    sides = []
    for x, y in zip(physical.port_x.tolist(), physical.port_y.tolist(), strict=True):
        sides.append(
            "left" if x == x0 else "right" if x == x1 else "bottom" if y == y0 else "top"
            if y == y1 else "?"
        )  # fmt: skip
    return sides


def test_pins_on_tracks_with_legal_size(platform_name: str) -> None:
    platform, design, physical, _ = _pins(platform_name)
    tech = design.tech
    assert tech is not None
    sides = _sides(physical)
    assert "?" not in sides
    assert {"left", "right", "top", "bottom"} <= set(sides)
    for side, layer_id, rect, x, y in zip(
        sides, physical.shape_layer, physical.shape_rect, physical.port_x, physical.port_y,
        strict=True,
    ):  # fmt: skip
        layer = physical.layers[int(layer_id)]
        horizontal = side in ("left", "right")
        assert layer == (platform.io_layer_horizontal if horizontal else platform.io_layer_vertical)
        width, length = pin_size(tech, layer)
        w, h = rect[2] - rect[0], rect[3] - rect[1]
        assert (w, h) == ((length, width) if horizontal else (width, length))
        rule = tech.layer(layer)
        assert min(w, h) >= (rule.min_width or rule.width or 0)
        assert w * h >= (rule.min_area or 0)
        if horizontal:
            assert y in track_positions(physical, layer, 1)
        else:
            assert x in track_positions(physical, layer, 0)
    key = np.array(sides) + "@" + physical.port_x.astype(str) + "," + physical.port_y.astype(str)
    assert np.unique(key).shape[0] == design.netlist.n_ports


def test_even_spread() -> None:
    _, _, physical, _ = _pins("sky130hd")
    sides = np.array(_sides(physical))
    counts = [int((sides == s).sum()) for s in ("left", "right", "top", "bottom")]
    assert max(counts) - min(counts) <= 3
    left = np.sort(physical.port_y[sides == "left"])
    gaps = np.diff(left)
    assert gaps.max() <= 2 * gaps.min() + 1000


def test_constraints_pin_sides_and_positions() -> None:
    constraints = (
        PinConstraint("clk", "left", 20.0),
        PinConstraint("in[*]", "top"),
        PinConstraint("out[1?]", "bottom"),
        PinConstraint("nothing*", "right"),
    )
    _, design, physical, log = _pins("sky130hd", constraints)
    netlist = design.netlist
    sides = _sides(physical)
    clk = netlist.port_names.index("clk")
    assert sides[clk] == "left"
    assert abs(int(physical.port_y[clk]) - 20_000) <= 680
    for port, name in enumerate(netlist.port_names):
        if name.startswith("in["):
            assert sides[port] == "top", name
        if name.startswith("out[1") and len(name) == 7:
            assert sides[port] == "bottom", name
    assert "FLOORPLAN-0002" in log.ids()  # 'nothing*' matched no port


def test_too_many_ports_for_the_edges() -> None:
    with pytest.raises(DesignError, match="pin slots"):
        _pins("sky130hd", (PinConstraint("*", "left"),), die_area_um=(0, 0, 40, 40))
