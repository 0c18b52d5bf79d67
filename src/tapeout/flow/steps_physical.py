"""The physical steps' work: place (DEF in, placed DEF out), sta (placement wire estimates), gds.

``tapeout.flow.steps`` declares the steps (inputs, outputs, options); this module holds what
they run and the small array helpers they need (bin density, placement legality, wire RC).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from tapeout.db.design import Design
from tapeout.db.library import Library
from tapeout.db.macro import Macro
from tapeout.db.netlist import Netlist
from tapeout.db.physical import Physical
from tapeout.errors import ConfigError, DesignError
from tapeout.fileio import write_text
from tapeout.log import Log
from tapeout.platforms import Platform

if TYPE_CHECKING:
    from tapeout.flow.steps import Metrics, StepContext
    from tapeout.formats.def_ import DefResult


@dataclass(frozen=True)
class _PlacedDesign:
    """A DEF read with the platform's LEFs: the design and what writing it back needs."""

    design: Design
    macros: dict[str, Macro]
    result: DefResult  # vias and the DESIGN name, for writing the DEF back


def _read_placed(path: Path, platform: Platform, log: Log) -> _PlacedDesign:
    from tapeout.formats.def_ import read_def
    from tapeout.formats.lef import read_lef

    lef = read_lef([platform.tech_lef, *platform.cell_lefs], log=log)
    result = read_def(path, log=log, dbu_per_micron=lef.tech.dbu_per_micron)
    design = Design(
        result.design or path.stem,
        lef.tech,
        Library(macros=lef.macros),
        result.netlist,
        physical=result.physical,
        wires=result.wires,
    )
    return _PlacedDesign(design, lef.macros, result)


def _instance_sizes(netlist: Netlist, macros: dict[str, Macro]) -> tuple[np.ndarray, np.ndarray]:
    """Width and height (DBU) of every instance: int64 (n_insts,) each (0 for unknown masters)."""
    master_width = np.array([macros[m].width if m in macros else 0 for m in netlist.masters])
    master_height = np.array([macros[m].height if m in macros else 0 for m in netlist.masters])
    master = netlist.inst_master.astype(np.int64)
    return (
        master_width.astype(np.int64)[master] if master.size else np.zeros(0, np.int64),
        master_height.astype(np.int64)[master] if master.size else np.zeros(0, np.int64),
    )


def bin_density(
    cell_x: np.ndarray,
    cell_y: np.ndarray,
    cell_width: np.ndarray,
    cell_height: np.ndarray,
    region: tuple[int, int, int, int],
    n_bins: int,
) -> np.ndarray:
    """Share of each bin's area covered by cells: float64 (n_bins rows, n_bins columns), row 0
    at the bottom. Cells are int64 (n_cells,) lower-left corners and sizes in DBU; ``region`` is
    ``x_low, y_low, x_high, y_high`` (DBU). Overlapping cells add up (a bin can exceed 1)."""
    x_low, y_low, x_high, y_high = region
    bin_width = (x_high - x_low) / n_bins
    bin_height = (y_high - y_low) / n_bins
    density = np.zeros((n_bins, n_bins))

    def spans(low: np.ndarray, size: np.ndarray, origin: int, step: float) -> list:
        """Per bin offset k: (bin index, overlap length) of each cell with its k-th bin."""
        start = np.clip(((low - origin) // step).astype(np.int64), 0, n_bins - 1)
        stop = np.clip(((low + size - origin) // step).astype(np.int64), 0, n_bins - 1)
        result = []
        for offset in range(int((stop - start).max(initial=0)) + 1):
            index = np.minimum(start + offset, n_bins - 1)
            bin_low = origin + index * step
            overlap = np.minimum(low + size, bin_low + step) - np.maximum(low, bin_low)
            overlap = np.where(start + offset <= stop, np.maximum(overlap, 0.0), 0.0)
            result.append((index, overlap))
        return result

    x = cell_x.astype(np.float64)
    y = cell_y.astype(np.float64)
    for column, overlap_x in spans(x, cell_width.astype(np.float64), x_low, bin_width):
        for row, overlap_y in spans(y, cell_height.astype(np.float64), y_low, bin_height):
            np.add.at(density, (row, column), overlap_x * overlap_y)
    return density / (bin_width * bin_height)


def placement_violations(
    physical: Physical, cell_width: np.ndarray, cell_height: np.ndarray, movable: np.ndarray
) -> int:
    """Movable instances that are off the rows' sites or overlap another instance in their row.

    ``cell_width``/``cell_height`` int64 (n_insts,) DBU; ``movable`` bool (n_insts,).
    """
    row_of_y = {int(y): row for row, y in enumerate(physical.row_y)}
    bad = np.zeros(physical.inst_x.size, dtype=bool)
    row = np.array([row_of_y.get(int(y), -1) for y in physical.inst_y], dtype=np.int64)
    bad |= movable & (row < 0)
    on_row = movable & (row >= 0)
    index = row[on_row]
    offset = physical.inst_x[on_row] - physical.row_x[index]
    step = physical.row_step_x[index]
    bad[on_row] |= (offset % step != 0) | (offset < 0)
    bad[on_row] |= offset + cell_width[on_row] > physical.row_num_x[index] * step
    # Overlaps: every instance (fixed ones too) against its neighbour on the same row, by x.
    placed = row >= 0
    order = np.lexsort((physical.inst_x[placed], row[placed]))
    cells = np.flatnonzero(placed)[order]
    same_row = row[cells[1:]] == row[cells[:-1]]
    overlap = same_row & (
        physical.inst_x[cells[:-1]] + cell_width[cells[:-1]] > physical.inst_x[cells[1:]]
    )
    bad[cells[1:][overlap]] |= movable[cells[1:][overlap]]
    bad[cells[:-1][overlap]] |= movable[cells[:-1][overlap]]
    return int(np.count_nonzero(bad))


def _row_region(physical: Physical, sites: dict) -> tuple[int, int, int, int]:
    """Bounding box (DBU) of the rows: the core, as a DEF holds no core area of its own."""
    heights = np.array(
        [
            sites[name].height if name in sites else 0
            for name in (physical.sites[int(site)] for site in physical.row_site)
        ],
        dtype=np.int64,
    )
    return (
        int(physical.row_x.min()),
        int(physical.row_y.min()),
        int((physical.row_x + physical.row_num_x * physical.row_step_x).max()),
        int((physical.row_y + np.maximum(heights, physical.row_step_y)).max()),
    )


def run_place(context: StepContext) -> Metrics:
    """Place the floorplanned DEF's standard cells (global, legal, detailed) to a placed DEF."""
    from tapeout.flow.report import write_density_map
    from tapeout.formats.def_ import write_def
    from tapeout.place import PlaceOptions, place_problem
    from tapeout.place.from_design import apply_to_physical, problem_from_design

    platform = context.platform()
    settings = context.config.place
    options = PlaceOptions(
        target_density=settings.density,
        seed=1,
        threads=context.jobs,
        timing_driven=settings.timing_driven,
    )
    try:
        options.validate()
    except ConfigError as error:
        raise ConfigError(f"[place] {error.message}", file=context.config.path) from None
    placed = _read_placed(context.inputs["def"], platform, context.log)
    design = placed.design
    netlist, physical = design.netlist, design.physical
    assert physical is not None and design.tech is not None
    problem = problem_from_design(netlist, physical, placed.macros, design.tech)
    weighting = None
    if options.timing_driven:
        from tapeout.place.timing_driven import make_net_weighting
        from tapeout.timing import TimingOptions

        _read_timing_inputs(design, platform, context.inputs["sdc"], context.log)
        res_ohm, cap_ff = wire_rc_per_um(platform)
        weighting = make_net_weighting(
            design,
            problem,
            options,
            timing_options=TimingOptions(res_ohm_per_um=res_ohm, cap_ff_per_um=cap_ff),
            log=context.log,
        )
    report = place_problem(problem, options, log=context.log, timing=weighting)
    apply_to_physical(problem, physical, netlist.n_insts)
    result = placed.result
    write_def(
        context.output("def"), netlist, physical, design.wires,
        vias=result.vias, design=result.design,
    )  # fmt: skip
    dbu = float(physical.dbu_per_micron)
    width, height = _instance_sizes(netlist, placed.macros)
    movable = ~problem.cell_fixed[: netlist.n_insts]
    area_um2 = float((width * height).sum()) / dbu**2
    x_low, y_low, x_high, y_high = _row_region(physical, design.tech.sites)
    core_um2 = (x_high - x_low) * (y_high - y_low) / dbu**2
    n_bins = int(np.clip(round(np.sqrt(netlist.n_insts / 4)), 4, 64))
    density = bin_density(
        physical.inst_x, physical.inst_y, width, height, (x_low, y_low, x_high, y_high), n_bins
    )
    write_density_map(
        context.directory,
        density,
        bin_width_um=round((x_high - x_low) / n_bins / dbu, 4),
        bin_height_um=round((y_high - y_low) / n_bins / dbu, 4),
    )
    legalize = report.legalize_result
    n_movable = int(np.count_nonzero(movable))
    return {
        "globalplace__hpwl_um": report.global_result.hpwl / dbu,
        "globalplace__overflow": report.global_result.overflow,
        "globalplace__iterations": report.global_result.iterations,
        "detailedplace__design__instance__displacement__total": legalize.total_displacement / dbu,
        "detailedplace__design__instance__displacement__max": legalize.max_displacement / dbu,
        "detailedplace__design__instance__displacement__mean": (
            legalize.total_displacement / dbu / max(n_movable, 1)
        ),
        "detailedplace__route__wirelength__estimated": report.hpwl / dbu,
        "detailedplace__design__violations": placement_violations(physical, width, height, movable),
        "detailedplace__design__instance__count__movable": n_movable,
        "detailedplace__design__density__peak": float(density.max(initial=0.0)),
        "placeopt__design__instance__area": area_um2,
        "placeopt__design__instance__count__stdcell": netlist.n_insts,
        "placeopt__design__instance__utilization": area_um2 / core_um2 if core_um2 else 0.0,
        "place__target_density": options.target_density,
        **(report.timing.metrics() if report.timing is not None else {}),
    }


def _read_timing_inputs(design: Design, platform: Platform, sdc: Path, log: Log) -> None:
    """Give ``design`` the platform's first Liberty library and the SDC's constraints."""
    from tapeout.formats.liberty import read_liberty
    from tapeout.formats.sdc import read_sdc

    libraries = [read_liberty(platform.liberty[0], log=log)]
    design.library = Library(macros=design.library.macros, liberty=libraries)
    design.constraints = read_sdc(
        sdc,
        netlist=design.netlist,
        library_time_unit_s=libraries[0].time_unit_s,
        cap_unit_f=libraries[0].capacitive_load_unit_f,
        log=log,
    )


STA_REPORT_PATHS = 3  # worst setup paths in the text report


def wire_rc_per_um(platform: Platform) -> tuple[float, float]:
    """Unit wire (Ω/µm, fF/µm) for placement estimates: the mean of the two lowest signal
    layers (ORFS times placed sky130hd on met2's RC; short nets use the lowest layers)."""
    layers = [entry for entry in platform.layer_rc if entry.layer in platform.signal_layers[:2]]
    if not layers:
        return 0.8, 0.2  # TimingOptions' defaults, for a platform without RC data
    res_ohm = 1000.0 * float(np.mean([entry.res_kohm_per_um for entry in layers]))
    cap_ff = 1000.0 * float(np.mean([entry.cap_pf_per_um for entry in layers]))
    return res_ohm, cap_ff


def run_sta(context: StepContext) -> Metrics:
    """Time the placed design (half-perimeter wires with the platform's unit RC) against the
    synthesis step's SDC; write the report_checks text, endpoint slacks and metrics."""
    from tapeout.flow.report import write_endpoint_slacks
    from tapeout.formats.liberty import read_liberty
    from tapeout.formats.sdc import read_sdc
    from tapeout.timing import TimingOptions, analyze, format_report

    platform = context.platform()
    placed = _read_placed(context.inputs["def"], platform, context.log)
    design = placed.design
    libraries = [read_liberty(platform.liberty[0], log=context.log)]
    design.library = Library(macros=placed.macros, liberty=libraries)
    design.constraints = read_sdc(
        context.inputs["sdc"],
        netlist=design.netlist,
        library_time_unit_s=libraries[0].time_unit_s,
        cap_unit_f=libraries[0].capacitive_load_unit_f,
        log=context.log,
    )
    res_ohm, cap_ff = wire_rc_per_um(platform)
    options = TimingOptions(
        wires="placement",
        res_ohm_per_um=res_ohm,
        cap_ff_per_um=cap_ff,
        report_paths=STA_REPORT_PATHS,
        report_endpoints=10,
    )
    report = analyze(design, options=options, log=context.log)
    write_text(context.output("timing_report"), format_report(report))
    write_endpoint_slacks(
        context.directory, report.endpoint_slack_ps, clock_period_ps=report.clock_period_ps
    )
    return {
        **report.metrics(),
        "timing__setup__endpoints__count": int(np.isfinite(report.endpoint_slack_ps).sum()),
        "timing__wire__res_ohm_per_um": round(res_ohm, 4),
        "timing__wire__cap_ff_per_um": round(cap_ff, 5),
    }


def layer_map(platform: Platform) -> Path | None:
    """The LEF/DEF → GDS layer mapping KLayout needs: the layer map file, else the .lyt."""
    return platform.klayout_layer_map or platform.klayout_tech


def run_gds(context: StepContext) -> Metrics:
    """Merge the placed DEF with the platform's cell layouts into ``<design>.gds``."""
    from tapeout.formats.gds import merge_gds

    platform = context.platform()
    if not platform.gds:
        raise DesignError(
            f"platform {platform.name} names no cell GDS files",
            hint="the gds step needs the standard cells' layouts",
        )
    report = merge_gds(
        context.output("gds"),
        def_path=context.inputs["def"],
        lef_paths=[platform.tech_lef, *platform.cell_lefs],
        cell_gds=list(platform.gds),
        layer_map=layer_map(platform),
        log=context.log,
    )
    x_low, y_low, x_high, y_high = report.bbox_dbu
    # finish__gds__*: not ORFS's finish__design__* (those count a routed, filled design).
    return {
        "finish__gds__die__area_um2": round(
            (x_high - x_low) * (y_high - y_low) * report.dbu_um**2, 4
        ),
        "finish__gds__instances__count": report.instance_count,
        "finish__gds__cells__count": len(report.cell_names),
        "finish__gds__layers__count": len(report.layers),
        "finish__gds__size_mb": round(context.output("gds").stat().st_size / 2**20, 3),
    }
