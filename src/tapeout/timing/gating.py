"""Inferred clock gating checks (OpenSTA's ``GatedClk``): where a data signal (the enable)
meets a clock in an AND- or OR-type cell whose output stays in the clock network, the enable
must settle before the clock pin's leading edge (setup) and may change only after its
trailing edge (hold).

An AND-type gate (the output, or its complement, is ``clock & g(enable, …)``) passes the
clock while the enable is 1: setup against the clock pin's rising edge, hold against its
falling edge; an OR-type gate (``clock | g(…)``) the reverse. A clock entering inverted
(``!clock & …``) swaps the edges. The checks have no Liberty table: their margins come
from ``set_clock_gating_check`` (``timing/sources.py``), else zero.
"""

from __future__ import annotations

from itertools import product

import numpy as np

from tapeout.db.liberty import LibertyLibrary
from tapeout.db.logic import evaluate
from tapeout.errors import ParseError
from tapeout.timing.graph import (
    CHECK_GATING_HOLD,
    CHECK_GATING_SETUP,
    TimingGraph,
    liberty_pin,
    library_cells,
)

RISE, FALL = 0, 1
MAX_INPUTS = 8  # functions with more inputs are not examined (2**n rows)


def gating_sense(function: str, inputs: list[str], clock: str, enable: str) -> int | None:
    """The clock transition a gating check's setup is against (RISE or FALL) when output
    ``function`` of ``inputs`` gates ``clock`` with ``enable``; None when it does not.

    It gates when one clock value forces the output whatever the other inputs (the clock,
    or its complement, is an operand of the function's top AND or OR) and at the other
    value the output depends on ``enable``. Setup is against the edge that leaves the
    forcing value (rising for ``clock & g`` and ``!clock | g``), hold against the other.
    """
    if clock not in inputs or enable not in inputs or len(inputs) > MAX_INPUTS:
        return None
    others = [name for name in inputs if name != clock]
    rows = np.array(list(product((False, True), repeat=len(others))), dtype=bool)
    values = {name: rows[:, k] for k, name in enumerate(others)}
    flipped = {**values, enable: ~values[enable]}
    for forcing in (False, True):
        at = {clock: np.full(len(rows), forcing)}
        away = {clock: np.full(len(rows), not forcing)}
        try:
            forced = evaluate(function, {**values, **at})
            passed = evaluate(function, {**values, **away})
            passed_flipped = evaluate(function, {**flipped, **away})
        except ParseError:
            return None
        if (forced.all() or not forced.any()) and (passed != passed_flipped).any():
            return RISE if not forcing else FALL
    return None


def gating_checks(
    graph: TimingGraph,
    libraries: list[LibertyLibrary],
    arcs: np.ndarray,
    clock_network: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Gating checks of the combinational cell arcs ``arcs`` (int64 (k, 3): from pin, to
    pin, instance) that go from data into a clock network (``clock_network`` bool (n_pins,)).

    Returns (clock pin, enable pin, kind, clock transition) int64 arrays, two checks (setup
    and hold) per gated enable, each enable once per clock pin.
    """
    netlist = graph.netlist
    cells = library_cells(libraries)
    inst_indptr, inst_pins = netlist.inst_pin_csr()
    senses: dict[tuple[str, str, str, str], int | None] = {}
    found: dict[tuple[int, int], int] = {}
    for enable, output, inst in arcs.tolist():
        master = netlist.masters[int(netlist.inst_master[inst])]
        entry = cells.get(master)
        if entry is None:
            continue
        output_name = netlist.terms[int(netlist.pin_term[output])]
        output_pin = liberty_pin(entry, output_name)
        if output_pin is None or not output_pin.function:
            continue
        pins = entry[1].cell_pins(entry[0])
        inputs = [name for name, pin in pins.items() if pin.direction == "input"]
        enable_name = netlist.terms[int(netlist.pin_term[enable])]
        for clock in inst_pins[inst_indptr[inst] : inst_indptr[inst + 1]].tolist():
            if clock == enable or not clock_network[clock] or graph.pin_is_driver[clock]:
                continue
            clock_name = netlist.terms[int(netlist.pin_term[clock])]
            key = (master, output_name, clock_name, enable_name)
            if key not in senses:
                senses[key] = gating_sense(output_pin.function, inputs, clock_name, enable_name)
            sense = senses[key]
            if sense is not None:
                found.setdefault((clock, enable), sense)
    if not found:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, empty
    pairs = sorted(found)
    clock_pins = np.repeat([c for c, _ in pairs], 2).astype(np.int64)
    enable_pins = np.repeat([e for _, e in pairs], 2).astype(np.int64)
    kinds = np.tile([CHECK_GATING_SETUP, CHECK_GATING_HOLD], len(pairs)).astype(np.int64)
    setup_rf = np.repeat([found[pair] for pair in pairs], 2).astype(np.int64)
    clock_rf = np.where(kinds == CHECK_GATING_SETUP, setup_rf, 1 - setup_rf)
    return clock_pins, enable_pins, kinds, clock_rf
