"""Die/core sizing, rows and tracks."""

from __future__ import annotations

import numpy as np
import pytest

from tapeout.db.physical import Orientation, Physical
from tapeout.db.tech import Site
from tapeout.errors import ConfigError, DesignError
from tapeout.floorplan.core import make_rows, make_tracks, master_sizes, size_chip, track_positions
from tests.floorplan.conftest import platform_and_lef, synthetic_netlist

SITE = Site("unithd", "CORE", "Y", 460, 2720)


def _size(**kwargs: object) -> object:
    arguments: dict[str, object] = dict(
        dbu_per_micron=1000, manufacturing_grid=5, utilization=0.5, aspect_ratio=1.0,
        margin_um=10.0, die_area_um=None, core_area_um=None,
    )  # fmt: skip
    arguments.update(kwargs)
    return size_chip(4_000_000_000, SITE, **arguments)  # type: ignore[arg-type]


def test_core_from_utilization_is_whole_sites_and_rows() -> None:
    area = _size()
    x0, y0, x1, y1 = area.core
    assert (x1 - x0) % 460 == 0 and (y1 - y0) % 2720 == 0
    assert x0 % 460 == 0 and y0 % 2720 == 0
    core_area = (x1 - x0) * (y1 - y0)
    assert 4_000_000_000 / 0.5 <= core_area <= 4_000_000_000 / 0.5 * 1.1
    assert 0.9 < (y1 - y0) / (x1 - x0) < 1.1
    die = area.die
    assert die[0] == 0 and die[1] == 0
    assert x0 >= 10_000 and die[2] - x1 >= 10_000 and die[3] - y1 >= 10_000
    assert all(v % 5 == 0 for v in die)


def test_aspect_ratio_makes_a_tall_core() -> None:
    x0, y0, x1, y1 = _size(aspect_ratio=2.0).core
    assert 1.8 < (y1 - y0) / (x1 - x0) < 2.2


def test_explicit_die_area() -> None:
    area = _size(die_area_um=(0, 0, 200, 150), margin_um=5.0)
    assert area.die == (0, 0, 200_000, 150_000)
    x0, y0, x1, y1 = area.core
    assert x0 >= 5000 and y0 >= 5000 and x1 <= 195_000 and y1 <= 145_000
    assert (x1 - x0) % 460 == 0 and (y1 - y0) % 2720 == 0


def test_explicit_core_area_snaps_inwards() -> None:
    area = _size(core_area_um=(12.0, 12.0, 112.0, 62.0))
    x0, y0, x1, y1 = area.core
    assert x0 >= 12_000 and y0 >= 12_000 and x1 <= 112_000 and y1 <= 62_000
    assert area.die == (2000, 2000, 122_000, 72_000)


def test_core_bigger_than_die_is_an_error() -> None:
    with pytest.raises(ConfigError):
        _size(core_area_um=(0, 0, 300, 300), die_area_um=(0, 0, 100, 100))
    with pytest.raises(ConfigError, match="smaller than one site"):
        _size(die_area_um=(0, 0, 10, 10), margin_um=4.0)


def test_rows_alternate_and_are_cut_around_blockages() -> None:
    physical = Physical()
    core = (4600, 5440, 4600 + 100 * 460, 5440 + 10 * 2720)
    blocked = np.array([[20_000, 10_000, 30_000, 16_000]], np.int64)
    make_rows(physical, SITE, core, blocked)
    ys = physical.row_y
    assert set(np.unique(ys).tolist()) == {5440 + k * 2720 for k in range(10)}
    for y, orient in zip(ys.tolist(), physical.row_orient.tolist(), strict=True):
        expected = Orientation.N if ((y - 5440) // 2720) % 2 == 0 else Orientation.FS
        assert orient == expected
    x1 = physical.row_x + physical.row_num_x * 460
    top = ys + 2720
    overlapping = (ys < 16_000) & (top > 10_000)
    # rows overlapping the blockage are split in two, each clear of it
    assert overlapping.sum() == 2 * 3
    assert np.all((x1[overlapping] <= 20_000) | (physical.row_x[overlapping] >= 30_000))
    assert np.all((physical.row_x - 4600) % 460 == 0)


def test_tracks_follow_the_lef() -> None:
    _platform, lef = platform_and_lef("sky130hd")
    physical = Physical()
    die = (0, 0, 100_000, 80_000)
    make_tracks(physical, lef.tech, die)
    met2_x = track_positions(physical, "met2", 0)
    assert met2_x[0] == 230 and np.all(np.diff(met2_x) == 460) and met2_x[-1] <= 100_000
    met3_y = track_positions(physical, "met3", 1)
    assert met3_y[0] == 340 and np.all(np.diff(met3_y) == 680) and met3_y[-1] <= 80_000
    assert len(set(physical.layers.names)) == len(lef.tech.routing_layers())


def test_unknown_master_is_a_design_error() -> None:
    _, lef = platform_and_lef("sky130hd")
    netlist = synthetic_netlist("nangate45", 10)
    with pytest.raises(DesignError, match="no LEF macro"):
        master_sizes(netlist, lef.macros)
