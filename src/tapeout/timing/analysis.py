"""Entry points: time a ``Design`` (``analyze``) or build a ``Timer`` for incremental use."""

from __future__ import annotations

import numpy as np

from tapeout.db.design import Design
from tapeout.errors import DesignError
from tapeout.log import Log
from tapeout.timing.incremental import Timer
from tapeout.timing.options import TimingOptions
from tapeout.timing.report import TimingReport, build_report


def pin_locations_um(design: Design) -> tuple[np.ndarray, np.ndarray] | None:
    """Pin locations (µm) from placement: instance centres (macro size from LEF) and port
    origins; None when the design has no placement. float64 (n_pins,) each."""
    physical = design.physical
    if physical is None or physical.inst_x.size != design.netlist.n_insts:
        return None
    netlist = design.netlist
    half_w = np.zeros(netlist.n_insts)
    half_h = np.zeros(netlist.n_insts)
    for master_id, master in enumerate(netlist.masters):
        macro = design.library.macros.get(master)
        if macro is not None:
            mask = netlist.inst_master == master_id
            half_w[mask] = macro.width / 2
            half_h[mask] = macro.height / 2
    scale = 1.0 / physical.dbu_per_micron
    x = np.zeros(netlist.n_pins)
    y = np.zeros(netlist.n_pins)
    inst = netlist.pin_inst.astype(np.int64)
    on_inst = inst >= 0
    x[on_inst] = (physical.inst_x[inst[on_inst]] + half_w[inst[on_inst]]) * scale
    y[on_inst] = (physical.inst_y[inst[on_inst]] + half_h[inst[on_inst]]) * scale
    if physical.port_x.size == netlist.n_ports:
        ports = netlist.pin_term[~on_inst].astype(np.int64)
        x[~on_inst] = physical.port_x[ports] * scale
        y[~on_inst] = physical.port_y[ports] * scale
    return x, y


def make_timer(
    design: Design, *, options: TimingOptions | None = None, log: Log | None = None
) -> Timer:
    """A Timer over ``design``'s netlist, Liberty libraries, constraints and parasitics.

    Raises DesignError when the design has no Liberty library or no constraints.
    """
    if not design.library.liberty:
        raise DesignError("static timing needs a Liberty library", hint="read a .lib file")
    if design.constraints is None:
        raise DesignError("static timing needs constraints", hint="read an SDC file")
    return Timer(
        design.netlist,
        design.library.liberty,
        design.constraints,
        parasitics=design.parasitics,
        pin_xy_um=pin_locations_um(design),
        options=options,
        log=log,
    )


def analyze(
    design: Design, *, options: TimingOptions | None = None, log: Log | None = None
) -> TimingReport:
    """Full static timing analysis of ``design``: setup/hold WNS, TNS, worst paths.

    Warns (STA-0040) when nothing is timed: no clock, or none reaching a register or a port
    with a delay; the report's worst slacks are then infinite (0 in ``metrics()``).
    """
    options = options or TimingOptions()
    timer = make_timer(design, options=options, log=log)
    timer.update()
    report = build_report(timer, n_paths=options.report_paths, n_endpoints=options.report_endpoints)
    if log is not None and not (np.isfinite(report.setup_ws_ps) or np.isfinite(report.hold_ws_ps)):
        clocks = len(timer.constraints.clock_names)
        reason = (
            "the constraints define no clock"
            if clocks == 0
            else f"no check is constrained by its {clocks} clock(s) (is the clock on a port "
            "of the design? do input/output delays name ports?)"
        )
        log.warn("STA-0040", f"nothing is timed: {reason}; slack metrics read 0")
    return report
