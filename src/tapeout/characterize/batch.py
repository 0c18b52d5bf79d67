"""Characterizing a list of cells: grids, one ngspice deck per cell, parallel processes.

``characterize_library(cells, files)`` returns the LibertyLibrary; each cell's deck runs in its
own ngspice process (models load once per process), ``jobs`` at a time.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

import numpy as np

from tapeout.characterize import sequential, tristate
from tapeout.characterize.cells import (
    SEQUENTIAL_KINDS,
    Family,
    cell_family,
    sensitizations,
    subckt_ports,
)
from tapeout.characterize.fetch import Sky130Files
from tapeout.characterize.liberty_build import build_library
from tapeout.characterize.measure import (
    DEFAULT_SLEWS_NS,
    CellResult,
    Grid,
    _toggle_run,
    combinational_deck,
    geometric_loads,
    new_deck,
    probe_deck,
    read_combinational,
    worst_vectors,
)
from tapeout.characterize.parasitics import (
    capacitor_lines,
    cell_wiring,
    contacted_nets,
    contacted_pieces,
    resistor_lines,
)
from tapeout.characterize.spice import cdl_to_ngspice, run_netlist
from tapeout.db.liberty import LibertyLibrary
from tapeout.errors import ToolError
from tapeout.fileio import read_text
from tapeout.formats.lef import read_lef
from tapeout.formats.spice import find_subckt
from tapeout.log import Log


def reference_grid(
    reference: LibertyLibrary | None, name: str, outputs: Sequence[str]
) -> Grid | None:
    """The slew and load axes the reference library uses for ``name`` (None when it lacks it)."""
    if reference is None or name not in reference.cells:
        return None
    cell = reference.cells[name]
    loads: dict[str, np.ndarray] = {}
    slews = DEFAULT_SLEWS_NS
    for output in outputs:
        pin = cell.pins.get(output)
        tables = [
            arc.cell_rise or arc.cell_fall
            for arc in (pin.timing if pin is not None else [])
            if (arc.cell_rise or arc.cell_fall) is not None
        ]
        if not tables:
            return None
        slews = tables[0].index_1.copy()
        loads[output] = tables[0].index_2.copy()
        if pin is not None and pin.three_state:
            # A tri-state output's timing axes count its own capacitance (sky130hd's ebufn_2:
            # 0.0032537 = 0.0005 + 0.0027537); its power tables give the loads themselves.
            powers = [
                power.rise_power.index_2
                for power in pin.internal_power
                if power.rise_power is not None and power.rise_power.index_2.size
            ]
            loads[output] = powers[0].copy() if powers else loads[output] - (pin.capacitance or 0.0)
    return Grid(slews, loads)


def cell_subckt(
    files: Sky130Files,
    name: str,
    *,
    wiring: bool = True,
    stack_node_resistance: bool = False,
    log: Log | None = None,
) -> tuple[str, list[str]]:
    """The ngspice ``.subckt`` text of a cell (from its CDL) and its port order; with
    ``wiring``, plus a capacitor per signal net for its layout wiring (from the cell GDS, see
    ``parasitics``); ``stack_node_resistance`` as in ``spice.cdl_to_ngspice``. A layout that
    does not match the schematic gets a warning CHAR-0012 and capacitors on the nets that could
    still be paired."""
    path = files.cell_file(name, ".cdl")
    text = read_text(path, what="CDL netlist")
    gds = files.cell_file(name, ".gds")
    layout = None
    if wiring and gds.exists() and cell_family(name).kind != "tie":
        layout = cell_wiring(gds, find_subckt(text, name, file=path))
        if not layout.matched or layout.unpaired:
            (log or Log()).warn(
                "CHAR-0012",
                f"{name}: layout and schematic differ; wiring of nets "
                f"{', '.join(layout.unpaired) or '(none)'} not found",
            )
    nodes, resistors = resistor_lines(layout) if layout is not None else ({}, [])
    subckt = cdl_to_ngspice(
        text,
        name,
        file=path,
        stack_node_resistance=stack_node_resistance,
        contacted_nets=contacted_nets(layout) if layout is not None else (),
        layout_fingers=layout.fingers if layout is not None else (),
        terminal_nodes=nodes,
        shared_contacts=contacted_pieces(layout) if layout is not None else (),
    )
    ports = subckt.split("\n", 1)[0].split()[2:]
    if layout is not None:
        lines = subckt.rstrip("\n").split("\n")
        wiring_lines = capacitor_lines(layout) + resistors
        subckt = "\n".join(lines[:-1] + wiring_lines + lines[-1:]) + "\n"
    return subckt, ports


def characterize_cell(
    name: str,
    files: Sky130Files,
    *,
    reference: LibertyLibrary | None = None,
    stack_node_resistance: bool = False,
    log: Log | None = None,
) -> CellResult:
    """Measure one cell (any kind) and return its tables (``stack_node_resistance``: see
    ``spice.cdl_to_ngspice``)."""
    family = cell_family(name)
    if family.kind == "physical":
        return CellResult(name, family, Grid(DEFAULT_SLEWS_NS, {}))
    subckt, ports = cell_subckt(files, name, stack_node_resistance=stack_node_resistance, log=log)
    if family.kind == "tie":
        return CellResult(name, family, Grid(DEFAULT_SLEWS_NS, {}))
    outputs = list(family.outputs)
    grid = reference_grid(reference, name, outputs)
    if grid is None:
        maxima = estimate_max_loads(name, family, subckt=subckt, models=files.models, ports=ports)
        grid = Grid(DEFAULT_SLEWS_NS, {pin: geometric_loads(maxima[pin]) for pin in outputs})
    if family.kind in SEQUENTIAL_KINDS:
        return sequential.characterize_sequential(
            name, family, grid, subckt=subckt, models=files.models, ports=ports
        )
    if family.kind == "tristate":
        return tristate.characterize_tristate(
            name, family, grid, subckt=subckt, models=files.models, ports=ports
        )
    probe = probe_deck(name, family, grid, subckt=subckt, models=files.models, ports=ports)
    worst = worst_vectors(probe[1], run_netlist(probe[0].text())) if probe else None
    deck, plan = combinational_deck(
        name, family, grid, subckt=subckt, models=files.models, ports=ports, worst=worst
    )
    return read_combinational(name, family, grid, plan, run_netlist(deck.text()))


PROBE_LOADS_PF = np.array([0.02, 0.08])


def estimate_max_loads(
    name: str, family: Family, *, subckt: str, models: Path, ports: list[str]
) -> dict[str, float]:
    """Per output, the load (pF) at which the slower output transition reaches the library's
    maximum (1.5 ns) for the slowest input slew: a line through two probe loads (one ngspice
    run). This is how the sky130hd grids end; used when no reference library gives them."""
    slowest = float(DEFAULT_SLEWS_NS[-1])
    probe = Grid(np.array([slowest]), {pin: PROBE_LOADS_PF for pin in family.outputs})
    deck = new_deck(name, family, subckt=subckt, models=models, ports=ports)
    runs: dict[str, np.ndarray] = {}
    names: tuple[str, str]
    for output in family.outputs:
        if family.kind in ("flop", "latch"):
            runs[output] = sequential._clock_arc_runs(deck, family, probe, output)[0]
            names = ("sr", "sf")
        else:
            if family.kind == "clock_gate":
                arc = sequential.gated_clock_arc(family)  # the enable high
            elif family.kind == "tristate":
                arc = tristate.data_arc(family)  # the output enabled
            else:
                arc = sensitizations(family, output)[0]
            ids = []
            for load in PROBE_LOADS_PF:
                ids.append(deck.runs)
                _toggle_run(deck, family, probe, arc, output, slowest, float(load))
            runs[output] = np.array(ids)
            names = ("ta", "tb")
    result = run_netlist(deck.text())
    maxima = {}
    for output, ids in runs.items():
        transitions = (
            np.array([max(result.measures.get(f"{n}{k}", np.nan) for n in names) for k in ids])
            * 1e9
        )
        slope = (transitions[1] - transitions[0]) / (PROBE_LOADS_PF[1] - PROBE_LOADS_PF[0])
        if not np.isfinite(slope) or slope <= 0:
            raise ToolError(f"{name}: cannot estimate the maximum load of {output}")
        target = 1.5  # ns, the maximum transition
        maxima[output] = float(PROBE_LOADS_PF[0] + (target - transitions[0]) / slope)
    return maxima


def cell_areas(files: Sky130Files, names: Sequence[str]) -> dict[str, float]:
    """Cell areas (µm²) from the merged LEF."""
    lef = read_lef([files.tech_lef, files.merged_lef], log=Log())
    dbu = lef.tech.dbu_per_micron
    areas = {}
    for name in names:
        macro = lef.macros.get(name)
        if macro is not None:
            areas[name] = macro.width * macro.height / dbu**2
    return areas


def characterize_library(
    cells: Sequence[str],
    files: Sky130Files,
    *,
    reference: LibertyLibrary | None = None,
    jobs: int | None = None,
    stack_node_resistance: bool = False,
    log: Log | None = None,
    progress: Callable[[str, float], None] | None = None,
) -> LibertyLibrary:
    """Characterize ``cells`` (``jobs`` ngspice processes at a time; default: CPU count) and
    build the library. A cell whose simulation fails is left out with a warning CHAR-0010."""
    log = log if log is not None else Log()
    for name in cells:
        cell_family(name)  # unknown names fail before any simulation
    workers = max(1, jobs or os.cpu_count() or 1)
    results: list[CellResult] = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        # Flip-flops and latches take longest: start them first.
        ordered = sorted(cells, key=lambda name: cell_family(name).kind not in SEQUENTIAL_KINDS)
        started = {
            pool.submit(_timed, name, files, reference, stack_node_resistance, log): name
            for name in ordered
        }
        for future in as_completed(started):
            name = started[future]
            try:
                result, seconds = future.result()
            except ToolError as error:
                log.warn("CHAR-0010", f"{name}: characterization failed: {error}")
                continue
            results.append(result)
            missing = _missing_entries(result)
            if missing:
                log.warn("CHAR-0011", f"{name}: {missing} table entries not measured (filled)")
            if progress is not None:
                progress(name, seconds)
    return build_library(results, cell_areas(files, [result.name for result in results]))


def _missing_entries(result: CellResult) -> int:
    """NaN entries over a result's delay/transition tables."""
    count = 0
    for arc in result.arcs:
        for table in (arc.cell_rise, arc.cell_fall, arc.rise_transition, arc.fall_transition):
            if table is not None:
                count += int(np.isnan(table).sum())
    for constraint in result.constraints:
        for table in (constraint.rise_constraint, constraint.fall_constraint):
            if table is not None:
                count += int(np.isnan(table).sum())
    return count


def _timed(
    name: str,
    files: Sky130Files,
    reference: LibertyLibrary | None,
    stack_node_resistance: bool,
    log: Log,
) -> tuple[CellResult, float]:
    start = time.perf_counter()
    result = characterize_cell(
        name, files, reference=reference, stack_node_resistance=stack_node_resistance, log=log
    )
    return result, time.perf_counter() - start


def subckt_ports_of(files: Sky130Files, name: str) -> list[str]:
    """Port order of a cell's SPICE netlist (for checks)."""
    return subckt_ports(Path(files.cell_file(name, ".spice")), name)
