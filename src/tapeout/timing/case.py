"""``set_case_analysis``: constants propagated through the netlist, and the arcs they switch off.

A pin held at 0 or 1 passes its value along its nets; a cell output whose Liberty function is
the same for every value of its free inputs becomes constant too. Arcs then stop where no
transition can travel, as in OpenSTA: from a constant pin, into a constant pin, and from an
input the output no longer depends on (a multiplexer's unselected data input, a NAND's input
beside a 0). A register whose clock is constant launches nothing; a check whose data is
constant has no arrival and is not timed.
"""

from __future__ import annotations

import re
from collections import deque

import numpy as np

from tapeout.db.liberty import LibertyLibrary
from tapeout.db.logic import evaluate
from tapeout.db.names import NameTable
from tapeout.db.netlist import Netlist
from tapeout.errors import ParseError
from tapeout.timing.graph import ARC_CELL, LibraryCell, TimingGraph, liberty_pin, library_cells

# A cell with more free inputs than this is not evaluated (2**k rows); standard cells have <= 6.
MAX_FREE_INPUTS = 10
_NAME = re.compile(r"[A-Za-z_][\w\[\]]*")


def case_cuts(
    graph: TimingGraph, libraries: list[LibertyLibrary], case_values: dict[int, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Constant pins and the arcs they switch off.

    Args:
        case_values: pin -> 0 or 1 (``set_case_analysis``).

    Returns:
        value: int8 (n_pins,) the constant of each pin, -1 where it toggles; cut: bool
        (n_arcs,) arcs no transition travels; sense_off: bool (n_arcs, 2, 2) the (input
        transition, output transition) pairs that cannot happen any more (the unate sense of
        an XOR beside a constant).
    """
    netlist = graph.netlist
    value = np.full(graph.n_pins, -1, dtype=np.int8)
    cells = library_cells(libraries)
    inst_indptr, inst_pins = netlist.inst_pin_csr()
    terms = netlist.terms
    queue: deque[int] = deque()
    for pin, held in case_values.items():
        value[pin] = held
        queue.append(pin)
    touched: set[int] = set()
    while queue:
        pin = queue.popleft()
        arcs = graph.pin_out_arcs[graph.pin_out_indptr[pin] : graph.pin_out_indptr[pin + 1]]
        for arc in arcs.tolist():
            target = int(graph.arc_to[arc])
            if graph.arc_kind[arc] != ARC_CELL:
                if value[target] < 0:
                    value[target] = value[pin]
                    queue.append(target)
                continue
            inst = int(netlist.pin_inst[target])
            touched.add(inst)
            pins = inst_pins[inst_indptr[inst] : inst_indptr[inst + 1]]
            cell = cells.get(netlist.masters[int(netlist.inst_master[inst])])
            if cell is None:
                continue
            for output in pins.tolist():
                if value[output] >= 0:
                    continue
                function = _function(cell, terms[int(netlist.pin_term[output])])
                if not function:
                    continue
                constant = _constant(function, _pin_values(pins, value, terms, netlist))
                if constant is not None:
                    value[output] = constant
                    queue.append(output)
    cut = np.zeros(graph.n_arcs, dtype=bool)
    constant_pin = value >= 0
    cut |= constant_pin[graph.arc_from] | constant_pin[graph.arc_to]
    sense_off = np.zeros((graph.n_arcs, 2, 2), dtype=bool)
    by_inst = np.argsort(graph.arc_inst, kind="stable")
    starts = np.searchsorted(graph.arc_inst[by_inst], np.arange(netlist.n_insts + 1))
    for inst in sorted(touched):
        cell = cells.get(netlist.masters[int(netlist.inst_master[inst])])
        if cell is None:
            continue
        pins = inst_pins[inst_indptr[inst] : inst_indptr[inst + 1]]
        values = _pin_values(pins, value, terms, netlist)
        for arc in by_inst[starts[inst] : starts[inst + 1]].tolist():
            if cut[arc]:
                continue
            source = terms[int(netlist.pin_term[graph.arc_from[arc]])]
            function = _function(cell, terms[int(netlist.pin_term[graph.arc_to[arc]])])
            if not function:
                continue
            positive, negative = _senses(function, values, source)
            if not positive:
                sense_off[arc, 0, 0] = sense_off[arc, 1, 1] = True
            if not negative:
                sense_off[arc, 0, 1] = sense_off[arc, 1, 0] = True
            cut[arc] = not (positive or negative)
    return value, cut, sense_off


def _function(cell: LibraryCell, pin_name: str) -> str:
    """The Boolean function of output ``pin_name`` ("" for an input or a pin without one)."""
    pin = liberty_pin(cell, pin_name)
    return pin.function if pin is not None and pin.direction in ("output", "inout") else ""


def _pin_values(
    pins: np.ndarray, value: np.ndarray, terms: NameTable, netlist: Netlist
) -> dict[str, int]:
    """Terminal name -> constant (0/1) or -1 for the pins of one instance."""
    return {terms[int(netlist.pin_term[pin])]: int(value[pin]) for pin in pins.tolist()}


def _table(function: str, values: dict[str, int], free: list[str]) -> np.ndarray | None:
    """The function over every combination of the ``free`` inputs (the others at their
    constants); None when it cannot be evaluated (a state variable, too many inputs)."""
    if len(free) > MAX_FREE_INPUTS:
        return None
    rows = np.arange(2 ** len(free))
    arrays = {name: np.asarray(value == 1) for name, value in values.items() if value >= 0}
    for bit, name in enumerate(free):
        arrays[name] = ((rows >> bit) & 1).astype(bool)
    try:
        return evaluate(function, arrays)
    except ParseError:
        return None


def _free_inputs(function: str, values: dict[str, int]) -> list[str]:
    names = set(_NAME.findall(function))
    return sorted(name for name, value in values.items() if value < 0 and name in names)


def _constant(function: str, values: dict[str, int]) -> int | None:
    """0 or 1 when ``function`` is the same whatever its free inputs, else None."""
    names = set(_NAME.findall(function))
    if not any(value >= 0 and name in names for name, value in values.items()):
        return None
    table = _table(function, values, _free_inputs(function, values))
    if table is None or table.size == 0:
        return None
    if table.all():
        return 1
    if not table.any():
        return 0
    return None


def _senses(function: str, values: dict[str, int], source: str) -> tuple[bool, bool]:
    """Whether ``function`` can follow input ``source`` (positive sense: rises as it rises)
    and whether it can oppose it (negative sense), for some value of the other free inputs;
    both True when it cannot tell. An XOR beside a constant keeps one sense."""
    free = [name for name in _free_inputs(function, values) if name != source]
    low = _table(function, {**values, source: 0}, free)
    high = _table(function, {**values, source: 1}, free)
    if low is None or high is None:
        return True, True
    return bool((high & ~low).any()), bool((low & ~high).any())
