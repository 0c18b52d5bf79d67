"""Floorplan: die and core, rows and tracks, IO pins, tap cells, hard macros and the power grid.

``floorplan(design, options, log=log)`` fills ``design.physical`` and ``design.wires`` (power
and ground special nets) and returns a ``FloorplanReport`` whose ``vias`` the DEF needs.
``check_floorplan`` (``tapeout.floorplan.check``) verifies the result geometrically.
"""

from __future__ import annotations

import numpy as np

from tapeout.db.design import Design
from tapeout.db.macro import Macro
from tapeout.db.netlist import Netlist
from tapeout.db.physical import Physical
from tapeout.db.tech import Site
from tapeout.db.wires import Wires
from tapeout.errors import DesignError, PlatformError
from tapeout.floorplan.core import make_rows, make_tracks, master_sizes, size_chip
from tapeout.floorplan.io_pins import place_io_pins
from tapeout.floorplan.macros import halo_boxes, place_macros
from tapeout.floorplan.options import FloorplanOptions, FloorplanReport, MacroPlacement
from tapeout.floorplan.power_grid import build_power_grid
from tapeout.floorplan.taps import place_taps
from tapeout.log import Log

__all__ = ["FloorplanOptions", "FloorplanReport", "MacroPlacement", "floorplan"]


def _bottom_is_ground(
    macros: dict[str, Macro], names: list[str], ground_pins: tuple[str, ...]
) -> bool:
    """Whether the cells' ground pin is at the bottom of an N-oriented cell (it is in all
    three PDKs; read from the first of ``names`` that has a ground pin)."""
    for name in names:
        macro = macros.get(name)
        if macro is None:
            continue
        for pin in macro.power_pins():
            if pin.name in ground_pins or pin.use == "GROUND":
                rects = pin.rects()
                if rects.shape[0]:
                    centre = (rects[:, 1].min() + rects[:, 3].max()) / 2
                    return bool(centre < macro.height / 2)
    return True


def _min_core_width(
    netlist: Netlist,
    macros: dict[str, Macro],
    width: np.ndarray,
    height: np.ndarray,
    site: Site,
    options: FloorplanOptions,
    dbu: int,
) -> int:
    """The narrowest core (DBU) whose rows hold the widest standard cell beside the taps.

    Odd rows carry a tap half a tap pitch from their start (``taps.place_taps``): a core
    sized for a handful of cells left those rows two pieces each narrower than a flip-flop,
    and legalization found no room for it. 0 when no taps are placed.
    """
    platform = options.platform
    assert platform is not None
    if not (options.add_taps and platform.tap_cell and platform.tap_pitch_um):
        return 0
    tap = macros.get(platform.tap_cell)
    if tap is None or not netlist.n_insts:
        return 0
    rows = height[netlist.inst_master] <= site.height
    if not rows.any():
        return 0
    widest = int(width[netlist.inst_master][rows].max())
    pitch = max(site.width, (round(platform.tap_pitch_um * dbu) // site.width) * site.width)
    offset = ((pitch // 2) // site.width) * site.width
    return offset + int(tap.width) + widest


def floorplan(design: Design, options: FloorplanOptions, *, log: Log) -> FloorplanReport:
    """Size die and core, make rows and tracks, place IO pins, macros and taps, build the grid.

    Reads ``design.tech`` and ``design.library.macros`` (LEF) and ``design.netlist``; replaces
    ``design.physical`` and the special nets of ``design.wires``; adds tap instances to the
    netlist. Raises ConfigError for bad options and DesignError for a netlist that does not fit
    the library.
    """
    options.validate()
    platform = options.platform
    assert platform is not None
    tech = design.tech
    if tech is None:
        raise DesignError("floorplan needs the technology: read the tech LEF first")
    macros = design.library.macros
    site = tech.sites.get(platform.site)
    if site is None:
        raise PlatformError(f"the tech LEF has no site {platform.site!r}")
    netlist = design.netlist
    grid = max(tech.manufacturing_grid or 1, 1)
    dbu = tech.dbu_per_micron
    width, height = master_sizes(netlist, macros)
    cell_area = int((width * height)[netlist.inst_master].sum()) if netlist.n_insts else 0
    recipe = platform.power_grid
    margin_um = options.core_margin_um
    if margin_um is None:
        margin_um = recipe.core_margin_um if recipe is not None else 10.0
    min_core_width = _min_core_width(netlist, macros, width, height, site, options, dbu)
    area = size_chip(
        cell_area,
        site,
        dbu_per_micron=dbu,
        manufacturing_grid=grid,
        utilization=options.utilization,
        aspect_ratio=options.aspect_ratio,
        margin_um=margin_um,
        die_area_um=options.die_area_um,
        core_area_um=options.core_area_um,
        min_core_width=min_core_width,
    )
    if (
        min_core_width
        and options.die_area_um is None
        and options.core_area_um is None
        and area.core[2] - area.core[0] <= min_core_width
        and cell_area
    ):
        log.info(
            "FLOORPLAN-0004",
            f"core widened to {(area.core[2] - area.core[0]) / dbu:g} um so that the widest "
            "cell fits beside the staggered taps in every row",
        )
    physical = Physical.for_netlist(netlist, dbu_per_micron=dbu)
    physical.die_area = np.array([area.die[:2], area.die[2:]], dtype=np.int64)
    physical.core_area = np.array(area.core, dtype=np.int64)
    placed_macros = place_macros(
        netlist, physical, macros, options.macro_placements, tech,
        core=area.core, halo=round(options.macro_halo_um * dbu), grid=grid,
        ground_pins=platform.ground_nets, power_pins=platform.power_nets,
    )  # fmt: skip
    blocked = halo_boxes(placed_macros)
    make_rows(physical, site, area.core, blocked)
    make_tracks(physical, tech, area.die)
    n_pins = place_io_pins(
        netlist, physical, tech,
        horizontal_layer=platform.io_layer_horizontal,
        vertical_layer=platform.io_layer_vertical,
        constraints=options.pin_constraints,
        log=log,
    )  # fmt: skip
    n_taps = 0
    if options.add_taps and platform.tap_cell is not None and platform.tap_pitch_um:
        tap = macros.get(platform.tap_cell)
        if tap is None:
            raise PlatformError(f"tap cell {platform.tap_cell} is not in the cell LEF")
        n_taps = place_taps(
            netlist, physical,
            tap_master=tap.name, tap_width=tap.width, pitch=round(platform.tap_pitch_um * dbu),
            row_height=site.height, core_y0=area.core[1],
        )  # fmt: skip
    wires = design.wires if design.wires is not None else Wires.for_nets(netlist.n_nets)
    report = FloorplanReport()
    if options.add_power_grid and recipe is not None:
        names = [platform.tap_cell] if platform.tap_cell else []
        names += [platform.min_buffer[0], *netlist.masters.names]
        grid_result = build_power_grid(
            wires, physical, tech, recipe,
            core=area.core,
            row_height=site.height,
            bottom_is_ground=_bottom_is_ground(macros, names, platform.ground_nets),
            net_names=(options.power_net, options.ground_net),
            power_pins=platform.power_nets,
            ground_pins=platform.ground_nets,
            macros=placed_macros,
            log=log,
        )  # fmt: skip
        report.vias = grid_result.vias
        report.n_power_shapes = grid_result.n_rects
        report.n_power_vias = grid_result.n_vias
    design.physical = physical
    design.wires = wires
    die_w, die_h = area.die[2] - area.die[0], area.die[3] - area.die[1]
    core_area = (area.core[2] - area.core[0]) * (area.core[3] - area.core[1])
    report.die_width_um = die_w / dbu
    report.die_height_um = die_h / dbu
    report.die_area_um2 = die_w * die_h / dbu**2
    report.core_area_um2 = core_area / dbu**2
    report.cell_area_um2 = cell_area / dbu**2
    report.utilization = cell_area / core_area if core_area else 0.0
    report.n_rows = physical.n_rows
    report.n_sites = int(physical.row_num_x.sum())
    report.n_tracks = int(physical.track_count.sum())
    report.n_io_pins = n_pins
    report.n_taps = n_taps
    report.n_macros = len(options.macro_placements)
    log.info(
        "FLOORPLAN-0001",
        f"die {report.die_width_um:g} x {report.die_height_um:g} µm, core utilization "
        f"{report.utilization:.3f}, {report.n_rows} rows, {n_pins} IO pins, {n_taps} taps, "
        f"{report.n_power_shapes} grid shapes, {report.n_power_vias} grid vias",
    )
    return report
