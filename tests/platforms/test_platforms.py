"""Platform lookup: files resolve under a PDK root, clear errors otherwise, dont-use globs, RC."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tapeout.errors import PlatformError
from tapeout.platforms import PDK_ROOT_ENV, get_platform, list_platforms
from tapeout.platforms import resolve as resolve_module
from tests.conftest import shared_path


def test_list_platforms() -> None:
    assert list_platforms() == ("ihp-sg13g2", "nangate45", "sky130hd")


@pytest.mark.parametrize("name", ["sky130hd", "nangate45", "ihp-sg13g2"])
def test_platform_files_resolve_under_shared(name: str) -> None:
    root = shared_path("pdks")
    platform = get_platform(name, pdk_root=root)
    assert platform.name == name
    assert platform.root == (root / name).resolve()
    assert platform.source == "pdk_root"
    for path in platform.files():
        assert path.is_file(), path
        assert path.is_absolute()
        assert path.is_relative_to(platform.root)
    assert platform.liberty and platform.cell_lefs and platform.gds
    # Every named cell exists in the cell LEF.
    lef_text = "\n".join(path.read_text() for path in platform.cell_lefs)
    cells = [platform.tie_high[0], platform.tie_low[0], platform.min_buffer[0]]
    cells += list(platform.fill_cells)
    if platform.tap_cell is not None:
        cells.append(platform.tap_cell)
    for cell in cells:
        assert f"MACRO {cell}\n" in lef_text, cell
    # The site is defined in a LEF (ihp's is in the cell LEF); signal layers in the tech LEF.
    tech_text = platform.tech_lef.read_text()
    assert re.search(rf"^SITE\s+{re.escape(platform.site)}\s*$", tech_text + lef_text, re.M)
    for layer in platform.signal_layers:
        assert f"LAYER {layer}\n" in tech_text, layer
    for rc in platform.layer_rc:
        assert rc.res_kohm_per_um > 0 and 0 < rc.cap_pf_per_um < 1e-3
    assert platform.power_grid is not None
    grid = platform.power_grid
    assert len(grid.strap_layers) == len(grid.strap_width_um) == len(grid.strap_pitch_um)
    # The ring fits in the core margin.
    needed = grid.ring_offset_um + 2 * grid.ring_width_um + grid.ring_spacing_um
    assert needed <= grid.core_margin_um


def test_environment_root(monkeypatch: pytest.MonkeyPatch) -> None:
    root = shared_path("pdks")
    monkeypatch.setenv(PDK_ROOT_ENV, str(root))
    assert get_platform("sky130hd").root == (root / "sky130hd").resolve()


def test_sky130hd_facts() -> None:
    platform = get_platform("sky130hd", pdk_root=shared_path("pdks"))
    assert platform.site == "unithd"
    assert platform.power_nets == ("VPWR", "VPB")
    assert platform.ground_nets == ("VGND", "VNB")
    assert platform.tap_cell == "sky130_fd_sc_hd__tapvpwrvgnd_1"
    assert platform.tap_pitch_um == 14.0
    assert platform.tie_high == ("sky130_fd_sc_hd__conb_1", "HI")
    assert platform.layer_rc_for("met3").res_kohm_per_um == pytest.approx(1.66281e-4)
    assert platform.via_res_kohm["mcon"] == pytest.approx(9.249e-3)
    assert platform.power_grid is not None
    assert platform.power_grid.strap_pitch_um == (27.14, 27.2)
    assert platform.klayout_tech is not None and platform.klayout_tech.suffix == ".lyt"


def test_nangate45_capacitance_converted_to_pf() -> None:
    platform = get_platform("nangate45", pdk_root=shared_path("pdks"))
    assert platform.layer_rc_for("metal2").cap_pf_per_um == pytest.approx(8.33611e-5)
    assert platform.layer_rc_for("metal10").cap_pf_per_um == pytest.approx(7.37095e-4)


def test_dont_use_globs() -> None:
    sky = get_platform("sky130hd", pdk_root=shared_path("pdks"))
    assert sky.is_dont_use("sky130_fd_sc_hd__lpflow_bleeder_1")
    assert sky.is_dont_use("sky130_fd_sc_hd__probe_p_8")
    assert not sky.is_dont_use("sky130_fd_sc_hd__buf_4")
    assert not sky.is_dont_use("sky130_fd_sc_hd__probe_p_80")
    nangate = get_platform("nangate45", pdk_root=shared_path("pdks"))
    assert nangate.is_dont_use("AOI211_X1")
    assert not nangate.is_dont_use("AOI211_X2")
    assert not nangate.is_dont_use("aoi211_x1")  # case-sensitive, like cell names


def test_unknown_layer_rc() -> None:
    platform = get_platform("sky130hd", pdk_root=shared_path("pdks"))
    with pytest.raises(PlatformError, match=r"met9.*known layers: li1, met1"):
        platform.layer_rc_for("met9")


def test_unknown_platform_lists_known() -> None:
    with pytest.raises(PlatformError, match=r"gf180.*ihp-sg13g2, nangate45, sky130hd"):
        get_platform("gf180")


def test_missing_root(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(PlatformError) as caught:
        get_platform("sky130hd", pdk_root=missing)
    assert str(missing) in str(caught.value)
    assert PDK_ROOT_ENV in str(caught.value)


def test_missing_environment_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PDK_ROOT_ENV, str(tmp_path / "gone"))
    with pytest.raises(PlatformError, match=PDK_ROOT_ENV):
        get_platform("sky130hd")


def test_root_without_platform(tmp_path: Path) -> None:
    with pytest.raises(PlatformError, match="no sky130hd/ inside") as caught:
        get_platform("sky130hd", pdk_root=tmp_path)
    assert PDK_ROOT_ENV in str(caught.value)


def test_no_root_at_all(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(PDK_ROOT_ENV, raising=False)
    monkeypatch.setattr(resolve_module, "development_pdk_root", lambda: tmp_path / "absent")
    with pytest.raises(PlatformError, match=f"no PDK root found.*{PDK_ROOT_ENV}"):
        get_platform("nangate45")


def test_missing_file(tmp_path: Path) -> None:
    source = shared_path("pdks/nangate45")
    copy = tmp_path / "nangate45"
    shutil.copytree(source / "lef", copy / "lef")  # no lib/ or gds/
    with pytest.raises(PlatformError) as caught:
        get_platform("nangate45", pdk_root=tmp_path)
    assert "lib/NangateOpenCellLibrary_typ.lib.gz" in str(caught.value)
    assert caught.value.file is not None and caught.value.file.endswith(".lib.gz")
