"""The timing graph: pins as nodes, wire and cell arcs as flat arrays, timing checks, levels.

Nodes are the netlist's pins. A *wire arc* goes from a net's driver pin to each of its load
pins; a *cell arc* from an input pin of an instance to an output pin (a Liberty ``timing``
group: combinational, clock-to-Q, three-state; preset/clear arcs are not timed, as in OpenSTA by
default). Checks (setup, hold, recovery, removal) are kept apart from arcs: they end paths.
Each arc carries the ids of its delay and slew tables for every (input transition, output
transition) pair, -1 where the pair does not exist (a positive-unate arc has no rise->fall
entry).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tapeout.db.liberty import LibertyCell, LibertyLibrary, LibertyPin, TimingArc
from tapeout.db.netlist import Netlist, PortDirection
from tapeout.errors import DesignError
from tapeout.log import Log
from tapeout.timing._kernels.levelize import levelize
from tapeout.timing.delay import TableStore, TableStoreBuilder

RISE = 0
FALL = 1
ARC_WIRE = 0
ARC_CELL = 1
CHECK_SETUP = 0
CHECK_HOLD = 1
CHECK_RECOVERY = 2
CHECK_REMOVAL = 3
CHECK_GATING_SETUP = 4  # inferred clock gating checks (timing/gating.py): no Liberty table
CHECK_GATING_HOLD = 5
CHECK_NAMES = ("setup", "hold", "recovery", "removal", "clock gating setup", "clock gating hold")


def early_checks(kinds: np.ndarray) -> np.ndarray:
    """bool mask of the hold-like (early, min-path) check kinds: hold, removal, gating hold."""
    return (kinds == CHECK_HOLD) | (kinds == CHECK_REMOVAL) | (kinds == CHECK_GATING_HOLD)


_CHECK_TYPES = {
    "setup_rising": (CHECK_SETUP, RISE),
    "setup_falling": (CHECK_SETUP, FALL),
    "hold_rising": (CHECK_HOLD, RISE),
    "hold_falling": (CHECK_HOLD, FALL),
    "recovery_rising": (CHECK_RECOVERY, RISE),
    "recovery_falling": (CHECK_RECOVERY, FALL),
    "removal_rising": (CHECK_REMOVAL, RISE),
    "removal_falling": (CHECK_REMOVAL, FALL),
}
# Not timed. Like OpenSTA (``sta_preset_clr_arcs_enabled`` false by default) and PrimeTime,
# paths do not run through preset/clear arcs: an asynchronous set/reset pin is checked by
# recovery/removal, and its propagation to Q is not a data path.
_IGNORED_TYPES = frozenset(
    {
        "preset",
        "clear",
        "min_pulse_width",
        "minimum_period",
        "skew_rising",
        "skew_falling",
        "non_seq_setup_rising",
        "non_seq_setup_falling",
        "non_seq_hold_rising",
        "non_seq_hold_falling",
        "nochange_high_high",
        "nochange_high_low",
        "nochange_low_high",
        "nochange_low_low",
        "max_clock_tree_path",
        "min_clock_tree_path",
    }
)


@dataclass(frozen=True)
class ArcTemplate:
    """A Liberty timing arc of one cell: pin names and table ids per (in, out) transition.

    ``delay_tables``/``slew_tables``: ((rise->rise, rise->fall), (fall->rise, fall->fall)).
    """

    from_pin: str
    to_pin: str
    timing_type: str
    delay_tables: tuple[tuple[int, int], tuple[int, int]]
    slew_tables: tuple[tuple[int, int], tuple[int, int]]


@dataclass(frozen=True)
class CheckTemplate:
    """A setup/hold/recovery/removal arc: clock pin, data pin, kind, clock edge, tables by data
    transition (rise, fall)."""

    clock_pin: str
    data_pin: str
    kind: int
    clock_rf: int
    tables: tuple[int, int]


@dataclass(frozen=True)
class CellTemplates:
    """Everything the graph needs from one Liberty cell."""

    name: str
    arcs: tuple[ArcTemplate, ...]
    checks: tuple[CheckTemplate, ...]
    pin_cap_ff: dict[str, tuple[float, float]]
    outputs: frozenset[str]
    inputs: frozenset[str]
    clock_pins: frozenset[str]


def _pair(entries: dict[tuple[int, int], int]) -> tuple[tuple[int, int], tuple[int, int]]:
    return (
        (entries.get((RISE, RISE), -1), entries.get((RISE, FALL), -1)),
        (entries.get((FALL, RISE), -1), entries.get((FALL, FALL), -1)),
    )


def _arc_template(
    pin_name: str, related: str, arc: TimingArc, library: LibertyLibrary, tables: TableStoreBuilder
) -> ArcTemplate:
    rise_delay = tables.add(arc.cell_rise, library)
    fall_delay = tables.add(arc.cell_fall, library)
    rise_slew = tables.add(arc.rise_transition, library)
    fall_slew = tables.add(arc.fall_transition, library)
    kind = arc.timing_type or "combinational"
    if kind in ("rising_edge", "falling_edge"):
        in_rfs = [RISE] if kind == "rising_edge" else [FALL]
        pairs = [(i, o) for i in in_rfs for o in (RISE, FALL)]
    elif kind in _TRISTATE_TYPES:
        # The enable's edge that turns the output on (off) leads to either level (from
        # either): cell_rise times Z->1 (0->Z for a disable arc), cell_fall Z->0 (1->Z); the
        # sense names the edge, as OpenSTA reads it.
        sense = arc.timing_sense or "non_unate"
        in_rfs = {"positive_unate": [RISE], "negative_unate": [FALL]}.get(sense, [RISE, FALL])
        pairs = [(i, o) for i in in_rfs for o in (RISE, FALL)]
    else:
        sense = arc.timing_sense or "non_unate"
        if sense == "positive_unate":
            pairs = [(RISE, RISE), (FALL, FALL)]
        elif sense == "negative_unate":
            pairs = [(RISE, FALL), (FALL, RISE)]
        else:
            pairs = [(i, o) for i in (RISE, FALL) for o in (RISE, FALL)]
    delay: dict[tuple[int, int], int] = {}
    slew: dict[tuple[int, int], int] = {}
    for in_rf, out_rf in pairs:
        delay_table = rise_delay if out_rf == RISE else fall_delay
        slew_table = rise_slew if out_rf == RISE else fall_slew
        if delay_table < 0:
            continue
        delay[(in_rf, out_rf)] = delay_table
        slew[(in_rf, out_rf)] = slew_table
    return ArcTemplate(related, pin_name, kind, _pair(delay), _pair(slew))


def cell_templates(
    cell: LibertyCell, library: LibertyLibrary, tables: TableStoreBuilder
) -> CellTemplates:
    """Arc and check templates, pin capacitances (fF, rise/fall) and pin roles of ``cell``."""
    cap_ff = library.capacitive_load_unit_f * 1e15
    arcs: list[ArcTemplate] = []
    checks: list[CheckTemplate] = []
    pin_caps: dict[str, tuple[float, float]] = {}
    outputs: set[str] = set()
    inputs: set[str] = set()
    clocks: set[str] = set()
    for pin_name, pin in library.cell_pins(cell).items():
        base = pin.capacitance or 0.0
        rise = pin.rise_capacitance if pin.rise_capacitance is not None else base
        fall = pin.fall_capacitance if pin.fall_capacitance is not None else base
        pin_caps[pin_name] = (rise * cap_ff, fall * cap_ff)
        if pin.direction in ("output", "inout"):
            outputs.add(pin_name)
        if pin.direction in ("input", "inout"):
            inputs.add(pin_name)
        if pin.clock:
            clocks.add(pin_name)
        for arc in pin.timing:
            kind = arc.timing_type or "combinational"
            if kind in _IGNORED_TYPES:
                continue
            for related in arc.related_pins:
                if kind in _CHECK_TYPES:
                    check_kind, clock_rf = _CHECK_TYPES[kind]
                    rise_table = tables.add(arc.rise_constraint, library)
                    fall_table = tables.add(arc.fall_constraint, library)
                    checks.append(
                        CheckTemplate(
                            related, pin_name, check_kind, clock_rf, (rise_table, fall_table)
                        )
                    )
                else:
                    arcs.append(_arc_template(pin_name, related, arc, library, tables))
    return CellTemplates(
        cell.name,
        tuple(arcs),
        tuple(checks),
        pin_caps,
        frozenset(outputs),
        frozenset(inputs),
        frozenset(clocks),
    )


@dataclass(eq=False)
class TimingGraph:
    """Pins, arcs and checks of a netlist as arrays.

    Attributes:
        netlist: the netlist the graph was built from (pin indices are its pins).
        tables: every Liberty table used by an arc or check (``TableStore``).
        pin_cap_ff: float64 (n_pins, 2) input capacitance for a rising / falling transition.
        pin_is_driver: bool (n_pins,) drives its net (cell output, input port).
        pin_is_load: bool (n_pins,) loads its net (cell input, output port).
        arc_from, arc_to: int64 (n_arcs,) pins of each arc.
        arc_kind: int8 (n_arcs,) ``ARC_WIRE`` or ``ARC_CELL``.
        arc_inst: int32 (n_arcs,) instance of a cell arc, -1 for a wire arc.
        arc_delay_table, arc_slew_table: int64 (n_arcs, 2, 2) table ids by (in rf, out rf).
        arc_timing_type: int8 (n_arcs,) 0 combinational, 1 rising_edge, 2 falling_edge, 3 other.
        pin_in_indptr, pin_in_arcs: int64 CSR pin -> incoming arcs.
        pin_out_indptr, pin_out_arcs: int64 CSR pin -> outgoing arcs.
        pin_level: int64 (n_pins,) depth in the arc DAG; order: int64 (n_pins,) pins by level.
        check_clock_pin, check_data_pin: int64 (n_checks,) pins of each check.
        check_kind: int8 (n_checks,) ``CHECK_SETUP`` ... ; check_clock_rf: int8 (n_checks,).
        check_table: int64 (n_checks, 2) constraint table by data transition.
        check_inst: int32 (n_checks,) instance of each check.
        templates: master name -> CellTemplates (every cell of the libraries, for resizing).
        disabled_arcs: number of arcs disabled to break combinational loops.
        loop_cut_arcs: int64 (disabled_arcs, 3) (from pin, to pin, instance) of those arcs (a
            clock gate's enable arc cut in a loop still gets its gating check).
        port_feed: int64 (n_pins,) for an inout port driven by a cell on its net, that cell's
            pin (its output checks read that pin's arrival), else -1; empty when no port is.
    """

    netlist: Netlist
    tables: TableStore
    pin_cap_ff: np.ndarray
    pin_is_driver: np.ndarray
    pin_is_load: np.ndarray
    arc_from: np.ndarray
    arc_to: np.ndarray
    arc_kind: np.ndarray
    arc_inst: np.ndarray
    arc_delay_table: np.ndarray
    arc_slew_table: np.ndarray
    arc_timing_type: np.ndarray
    pin_in_indptr: np.ndarray
    pin_in_arcs: np.ndarray
    pin_out_indptr: np.ndarray
    pin_out_arcs: np.ndarray
    pin_level: np.ndarray
    order: np.ndarray
    check_clock_pin: np.ndarray
    check_data_pin: np.ndarray
    check_kind: np.ndarray
    check_clock_rf: np.ndarray
    check_table: np.ndarray
    check_inst: np.ndarray
    templates: dict[str, CellTemplates] = field(default_factory=dict)
    disabled_arcs: int = 0
    loop_cut_arcs: np.ndarray = field(default_factory=lambda: np.zeros((0, 3), dtype=np.int64))
    port_feed: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @property
    def n_pins(self) -> int:
        return int(self.pin_cap_ff.shape[0])

    @property
    def n_arcs(self) -> int:
        return int(self.arc_from.shape[0])

    def arcs_of_instance(self, inst: int) -> np.ndarray:
        """Cell arc indices of instance ``inst``: int64 (k,)."""
        return np.flatnonzero(self.arc_inst == inst)


# A tri-state output's enable and disable arcs are timed as combinational arcs (OpenSTA too).
_TRISTATE_TYPES = ("three_state_enable", "three_state_disable")
_TIMING_TYPE_CODES = {
    "combinational": 0,
    "three_state_enable": 0,
    "three_state_disable": 0,
    "rising_edge": 1,
    "falling_edge": 2,
}


def _csr(keys: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(keys, kind="stable").astype(np.int64)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(keys, minlength=n), out=indptr[1:])
    return indptr, order


def build_timing_graph(
    netlist: Netlist, libraries: list[LibertyLibrary], *, log: Log | None = None
) -> TimingGraph:
    """The timing graph of ``netlist`` with cells from ``libraries`` (first library wins).

    Instances whose master no library has (tap cells, black boxes) get no arcs and a warning.
    """
    log = log or Log()
    tables = TableStoreBuilder()
    templates: dict[str, CellTemplates] = {}
    for library in reversed(libraries):
        for name, cell in library.cells.items():
            templates[name] = cell_templates(cell, library, tables)
    n_pins = netlist.n_pins
    n_terms = len(netlist.terms)
    pin_inst = netlist.pin_inst.astype(np.int64)
    pin_term = netlist.pin_term.astype(np.int64)
    is_inst_pin = pin_inst >= 0
    pin_cap = np.zeros((n_pins, 2), dtype=np.float64)
    is_driver = np.zeros(n_pins, dtype=bool)
    is_load = np.zeros(n_pins, dtype=bool)
    ports = ~is_inst_pin
    port_dir = np.full(n_pins, -1, dtype=np.int64)
    port_dir[ports] = netlist.port_direction[pin_term[ports]]
    is_driver |= ports & ((port_dir == PortDirection.INPUT) | (port_dir == PortDirection.INOUT))
    is_load |= ports & ((port_dir == PortDirection.OUTPUT) | (port_dir == PortDirection.INOUT))

    # (instance, term) -> pin lookup through a sorted key.
    key = np.where(is_inst_pin, pin_inst * n_terms + pin_term, -1)
    key_order = np.argsort(key, kind="stable")
    sorted_keys = key[key_order]

    def pins_of(insts: np.ndarray, term: int) -> np.ndarray:
        wanted = insts * n_terms + term
        position = np.searchsorted(sorted_keys, wanted)
        position = np.minimum(position, sorted_keys.size - 1)
        found = sorted_keys[position] == wanted
        return np.where(found, key_order[position], -1).astype(np.int64)

    inst_master = netlist.inst_master.astype(np.int64)
    arc_parts: list[tuple[np.ndarray, ...]] = []
    check_parts: list[tuple[np.ndarray, ...]] = []
    missing: list[str] = []
    for master_id, master in enumerate(netlist.masters):
        insts = np.flatnonzero(inst_master == master_id)
        if insts.size == 0:
            continue
        cell = templates.get(master)
        if cell is None:
            missing.append(master)
            continue
        for pin_name, caps in cell.pin_cap_ff.items():
            term = netlist.terms.get(pin_name)
            if term < 0:
                continue
            pins = pins_of(insts, term)
            pins = pins[pins >= 0]
            pin_cap[pins] = caps
            if pin_name in cell.outputs:
                is_driver[pins] = True
            if pin_name in cell.inputs:
                is_load[pins] = True
        for arc in cell.arcs:
            from_term, to_term = netlist.terms.get(arc.from_pin), netlist.terms.get(arc.to_pin)
            if from_term < 0 or to_term < 0:
                continue
            froms, tos = pins_of(insts, from_term), pins_of(insts, to_term)
            ok = (froms >= 0) & (tos >= 0)
            count = int(ok.sum())
            arc_parts.append(
                (
                    froms[ok],
                    tos[ok],
                    insts[ok],
                    np.broadcast_to(np.asarray(arc.delay_tables), (count, 2, 2)),
                    np.broadcast_to(np.asarray(arc.slew_tables), (count, 2, 2)),
                    np.full(count, _TIMING_TYPE_CODES.get(arc.timing_type, 3), np.int8),
                )
            )
        for check in cell.checks:
            clock_term = netlist.terms.get(check.clock_pin)
            data_term = netlist.terms.get(check.data_pin)
            if clock_term < 0 or data_term < 0:
                continue
            clocks, datas = pins_of(insts, clock_term), pins_of(insts, data_term)
            ok = (clocks >= 0) & (datas >= 0)
            count = int(ok.sum())
            check_parts.append(
                (
                    clocks[ok],
                    datas[ok],
                    insts[ok],
                    np.full(count, check.kind, np.int8),
                    np.full(count, check.clock_rf, np.int8),
                    np.broadcast_to(np.asarray(check.tables), (count, 2)),
                )
            )
    for master in missing:
        log.warn("STA-0001", f"no Liberty cell {master}: its instances have no timing arcs")

    # Wire arcs: each driver of a net to each load of the net.
    pin_net = netlist.pin_net.astype(np.int64)
    drivers = np.flatnonzero(is_driver)
    loads = np.flatnonzero(is_load & ~is_driver)
    n_nets = netlist.n_nets
    driver_count = np.bincount(pin_net[drivers], minlength=n_nets)
    single = driver_count[pin_net[loads]] == 1
    net_driver = np.full(n_nets, -1, dtype=np.int64)
    net_driver[pin_net[drivers]] = drivers
    wire_from = [net_driver[pin_net[loads[single]]]]
    wire_to = [loads[single]]
    multi_nets = np.flatnonzero(driver_count > 1)
    # An inout port driven inside the design (a tri-state on a pad) is two points, as in
    # OpenSTA: its input side starts paths (input delays) and drives the net's loads; its
    # output side ends the paths of the cells driving it (output delays). One pin holds the
    # input side; the output checks read the arrival of the driving cell pin (port_feed).
    port_feed = np.full(0, -1, dtype=np.int64)
    inout = ports & (port_dir == PortDirection.INOUT)
    shared = 0
    for net in multi_nets:
        pins = netlist.net_pins(int(net))
        net_drivers = pins[is_driver[pins]]
        net_loads = pins[is_load[pins]]
        fed = net_loads[inout[net_loads]]
        cells = net_drivers[~ports[net_drivers]]
        if fed.size and cells.size:
            if port_feed.size == 0:
                port_feed = np.full(n_pins, -1, dtype=np.int64)
            port_feed[fed] = cells[0]
            net_loads = net_loads[~inout[net_loads]]
            if cells.size > 1:
                log.warn(
                    "STA-0004",
                    f"inout port {netlist.pin_name(int(fed[0]))} has {cells.size} driving cells; "
                    f"its output delay is checked on {netlist.pin_name(int(cells[0]))}'s paths",
                )
        else:
            shared += 1
        for driver in net_drivers:
            others = net_loads[net_loads != driver]
            wire_from.append(np.full(others.size, driver, dtype=np.int64))
            wire_to.append(others.astype(np.int64))
    if shared:
        log.warn("STA-0002", f"{shared} nets have several drivers; all are timed")
    wire_from_all = np.concatenate(wire_from)
    wire_to_all = np.concatenate(wire_to)
    n_wire = wire_from_all.size

    def join(index: int, dtype: type, shape: tuple[int, ...]) -> np.ndarray:
        parts = [part[index] for part in arc_parts]
        return np.concatenate(parts).astype(dtype) if parts else np.zeros((0, *shape), dtype)

    arc_from = np.concatenate([wire_from_all, join(0, np.int64, ())])
    arc_to = np.concatenate([wire_to_all, join(1, np.int64, ())])
    arc_inst = np.concatenate([np.full(n_wire, -1, np.int32), join(2, np.int32, ())])
    arc_kind = np.concatenate(
        [np.full(n_wire, ARC_WIRE, np.int8), np.full(arc_from.size - n_wire, ARC_CELL, np.int8)]
    )
    wire_tables = np.full((n_wire, 2, 2), -1, dtype=np.int64)
    arc_delay_table = np.concatenate([wire_tables, join(3, np.int64, (2, 2))])
    arc_slew_table = np.concatenate([wire_tables, join(4, np.int64, (2, 2))])
    arc_timing_type = np.concatenate([np.zeros(n_wire, np.int8), join(5, np.int8, ())])

    def join_checks(index: int, dtype: type, shape: tuple[int, ...]) -> np.ndarray:
        parts = [part[index] for part in check_parts]
        return np.concatenate(parts).astype(dtype) if parts else np.zeros((0, *shape), dtype)

    n_arcs = arc_from.size
    enabled = np.ones(n_arcs, dtype=bool)
    level, order, n_left = levelize(n_pins, arc_from, arc_to, enabled)
    disabled = 0
    loop_cut_arcs = np.zeros((0, 3), dtype=np.int64)
    while n_left:
        cut = _loop_cuts(n_pins, arc_from, arc_to, arc_kind, arc_timing_type, enabled)
        enabled[cut] = False
        disabled += cut.size
        level, order, n_left = levelize(n_pins, arc_from, arc_to, enabled)
    if disabled:
        cut_arcs = np.flatnonzero(~enabled)
        shown = ", ".join(
            f"{netlist.pin_name(int(arc_from[a]))} -> {netlist.pin_name(int(arc_to[a]))}"
            for a in cut_arcs[:3]
        )
        log.warn(
            "STA-0003",
            f"timing loops: disabled {disabled} arcs ({shown}{' ...' if disabled > 3 else ''})",
        )
        cells = cut_arcs[(arc_kind[cut_arcs] != ARC_WIRE) & (arc_timing_type[cut_arcs] == 0)]
        loop_cut_arcs = np.stack([arc_from[cells], arc_to[cells], arc_inst[cells]], axis=1)
        keep = enabled
        arc_from, arc_to, arc_inst, arc_kind = (
            arc_from[keep],
            arc_to[keep],
            arc_inst[keep],
            arc_kind[keep],
        )
        arc_delay_table, arc_slew_table = arc_delay_table[keep], arc_slew_table[keep]
        arc_timing_type = arc_timing_type[keep]
    in_indptr, in_arcs = _csr(arc_to, n_pins)
    out_indptr, out_arcs = _csr(arc_from, n_pins)
    if n_pins and not np.isfinite(pin_cap).all():
        raise DesignError("non-finite pin capacitance in the Liberty library")
    return TimingGraph(
        netlist=netlist,
        tables=tables.build(),
        pin_cap_ff=pin_cap,
        pin_is_driver=is_driver,
        pin_is_load=is_load,
        arc_from=arc_from,
        arc_to=arc_to,
        arc_kind=arc_kind,
        arc_inst=arc_inst,
        arc_delay_table=np.ascontiguousarray(arc_delay_table),
        arc_slew_table=np.ascontiguousarray(arc_slew_table),
        arc_timing_type=arc_timing_type,
        pin_in_indptr=in_indptr,
        pin_in_arcs=in_arcs,
        pin_out_indptr=out_indptr,
        pin_out_arcs=out_arcs,
        pin_level=level,
        order=order,
        check_clock_pin=join_checks(0, np.int64, ()),
        check_data_pin=join_checks(1, np.int64, ()),
        check_kind=join_checks(3, np.int8, ()),
        check_clock_rf=join_checks(4, np.int8, ()),
        check_table=np.ascontiguousarray(join_checks(5, np.int64, (2,))),
        check_inst=join_checks(2, np.int32, ()),
        templates=templates,
        disabled_arcs=disabled,
        loop_cut_arcs=loop_cut_arcs.astype(np.int64),
        port_feed=port_feed,
    )


def _loop_cuts(
    n_pins: int,
    arc_from: np.ndarray,
    arc_to: np.ndarray,
    arc_kind: np.ndarray,
    arc_timing_type: np.ndarray,
    enabled: np.ndarray,
) -> np.ndarray:
    """One enabled arc to disable in each timing loop (strongly connected component): the
    combinational cell arc nearest a register clock pin, else the nearest wire, else a
    sequential arc. Returns the arc indices, int64.

    Loops through registers are mostly clock gating: a gate's enable comes from registers the
    gated clock drives. The arc nearest the clock pins is then the gate's enable input into
    the gated clock, which timing ignores anyway (data does not travel on a clock network); a
    register's clock-to-output arc is cut last, as that would stop the register launching.
    Only arcs on a loop are candidates: everything downstream of one stays timed.
    """
    import scipy.sparse as sparse
    from scipy.sparse.csgraph import connected_components, dijkstra

    arcs = np.flatnonzero(enabled)
    froms, tos = arc_from[arcs], arc_to[arcs]
    matrix = sparse.csr_matrix((np.ones(arcs.size), (froms, tos)), shape=(n_pins, n_pins))
    _, component = connected_components(matrix, directed=True, connection="strong")
    size = np.bincount(component, minlength=n_pins)
    looped = (component[froms] == component[tos]) & ((size[component[froms]] > 1) | (froms == tos))
    # Arcs-to-go from each pin to a register clock pin, over wires and combinational arcs.
    passes = (arc_kind[arcs] == ARC_WIRE) | (arc_timing_type[arcs] == 0)
    clock_pins = np.unique(froms[(arc_kind[arcs] == ARC_CELL) & (arc_timing_type[arcs] != 0)])
    distance = np.full(n_pins, np.inf)
    if clock_pins.size:
        backward = sparse.csr_matrix(
            (np.ones(int(passes.sum())), (tos[passes], froms[passes])), shape=(n_pins, n_pins)
        )
        distance = dijkstra(backward, directed=True, indices=clock_pins, min_only=True)
    candidates = arcs[looped]
    rank = np.where(
        arc_kind[candidates] == ARC_WIRE, 1, np.where(arc_timing_type[candidates] == 0, 0, 2)
    )
    near = distance[arc_to[candidates]]
    near = np.where(np.isfinite(near), near, float(n_pins))
    order = np.lexsort((candidates, near, rank, component[arc_from[candidates]]))
    ordered = candidates[order]
    groups = component[arc_from[ordered]]
    first = np.ones(ordered.size, dtype=bool)
    first[1:] = groups[1:] != groups[:-1]
    return ordered[first].astype(np.int64)


LibraryCell = tuple[LibertyCell, LibertyLibrary]


def library_cells(libraries: list[LibertyLibrary]) -> dict[str, LibraryCell]:
    """Cell name -> (cell, its library), the first library that has it winning (as in the
    timing graph)."""
    cells: dict[str, LibraryCell] = {}
    for library in libraries:
        for name, cell in library.cells.items():
            cells.setdefault(name, (cell, library))
    return cells


def liberty_pin(entry: LibraryCell, name: str) -> LibertyPin | None:
    """The Liberty pin of a cell by its bit-level name (a plain pin, else a bus bit)."""
    cell, library = entry
    return cell.pins.get(name) or library.cell_pins(cell).get(name)


def gather_csr(indptr: np.ndarray, indices: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Concatenated CSR rows ``rows`` of (``indptr``, ``indices``)."""
    starts = indptr[rows]
    lengths = indptr[rows + 1] - starts
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=indices.dtype)
    offsets = np.repeat(starts - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
    return indices[offsets + np.arange(total)]


def combinational_reach(graph: TimingGraph, sources: np.ndarray) -> np.ndarray:
    """bool (n_pins,): pins reached from ``sources`` (int64) through wires and combinational
    cell arcs (a clock network)."""
    reached = np.zeros(graph.n_pins, dtype=bool)
    reached[sources] = True
    frontier = sources
    while frontier.size:
        arcs = gather_csr(graph.pin_out_indptr, graph.pin_out_arcs, frontier)
        switched_off = (graph.arc_kind[arcs] == ARC_CELL) & (
            graph.arc_delay_table[arcs].reshape(-1, 4) < 0
        ).all(axis=1)  # no delay table left (set_case_analysis): no transition passes
        arcs = arcs[(graph.arc_timing_type[arcs] == 0) & ~switched_off]
        targets = np.unique(graph.arc_to[arcs])
        frontier = targets[~reached[targets]]
        reached[frontier] = True
    return reached
