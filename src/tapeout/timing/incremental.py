"""The Timer: full analysis and incremental updates after cell resizes or new parasitics.

A Timer owns the timing graph and every propagated array. ``resize``/``set_parasitics`` record
what changed; ``update`` re-times only the affected fan-out cone (arrivals, slews) and the fan-in
cone of pins whose arc delays or endpoint requirements moved (required times).
"""

from __future__ import annotations

import numpy as np

from tapeout.db.constraints import Constraints
from tapeout.db.liberty import LibertyLibrary
from tapeout.db.netlist import Netlist
from tapeout.db.parasitics import Parasitics
from tapeout.errors import DesignError
from tapeout.log import Log
from tapeout.timing._kernels.lookup import lookup_table
from tapeout.timing._kernels.propagate import (
    propagate_backward,
    propagate_backward_incremental,
    propagate_forward,
    propagate_forward_incremental,
)
from tapeout.timing.constraints import ResolvedConstraints, resolve_constraints
from tapeout.timing.dcalc import WireModel
from tapeout.timing.endpoints import EndpointsMixin
from tapeout.timing.graph import (
    ARC_CELL,
    TimingGraph,
    build_timing_graph,
    early_checks,
)
from tapeout.timing.latches import LatchesMixin
from tapeout.timing.options import TimingOptions
from tapeout.timing.passes import LaunchPass, PassesMixin, gather_csr
from tapeout.timing.sources import SourcesMixin

__all__ = ["LaunchPass", "Timer", "gather_csr"]


class Timer(SourcesMixin, PassesMixin, EndpointsMixin, LatchesMixin):
    """Static timing of one netlist; see the module docstring.

    State arrays (times ps; ``[:, 0]`` rise, ``[:, 1]`` fall): ``arrival_max_ps``,
    ``arrival_min_ps``, ``slew_max_ps``, ``slew_min_ps``, ``required_max_ps``,
    ``required_min_ps`` float64 (n_pins, 2); ``tag_max``/``tag_min`` int64 (n_pins, 2) launch
    clock edge; ``pred_max``/``pred_min`` int64 (n_pins, 2) ``arc * 2 + input transition`` of
    the worst incoming arc (-1 at a source). Checks: ``check_required_ps``, ``check_slack_ps``
    float64 (n_checks, 2). Output ports: ``output_slack_max_ps``/``output_slack_min_ps``.
    """

    def __init__(
        self,
        netlist: Netlist,
        libraries: list[LibertyLibrary],
        constraints: Constraints,
        *,
        parasitics: Parasitics | None = None,
        pin_xy_um: tuple[np.ndarray, np.ndarray] | None = None,
        options: TimingOptions | None = None,
        log: Log | None = None,
    ) -> None:
        self.options = options or TimingOptions()
        self.options.validate()
        self.log = log or Log()
        self.netlist = netlist
        self.libraries = libraries
        self.graph: TimingGraph = build_timing_graph(netlist, libraries, log=self.log)
        self.constraints: ResolvedConstraints = resolve_constraints(
            constraints, netlist, graph=self.graph, log=self.log
        )
        self.parasitics = parasitics
        self.pin_xy_um = pin_xy_um
        graph = self.graph
        n_pins, n_arcs = graph.n_pins, graph.n_arcs
        self.pin_position = np.empty(n_pins, dtype=np.int64)
        self.pin_position[graph.order] = np.arange(graph.order.size)
        order_inst = np.argsort(graph.arc_inst, kind="stable")
        counts = np.bincount(graph.arc_inst[graph.arc_inst >= 0], minlength=netlist.n_insts)
        self.inst_arc_indptr = np.zeros(netlist.n_insts + 1, dtype=np.int64)
        np.cumsum(counts, out=self.inst_arc_indptr[1:])
        self.inst_arcs = order_inst[graph.arc_inst[order_inst] >= 0].astype(np.int64)
        self.inst_master = netlist.inst_master.astype(np.int64).copy()
        self.masters = list(netlist.masters)
        self.wires: WireModel = self._build_wires()
        self._set_sources()
        self.arrival_max_ps = np.full((n_pins, 2), -np.inf)
        self.arrival_min_ps = np.full((n_pins, 2), np.inf)
        self.slew_max_ps = np.zeros((n_pins, 2))
        self.slew_min_ps = np.zeros((n_pins, 2))
        self.tag_max = np.full((n_pins, 2), -1, dtype=np.int64)
        self.tag_min = np.full((n_pins, 2), -1, dtype=np.int64)
        self.pred_max = np.full((n_pins, 2), -1, dtype=np.int64)
        self.pred_min = np.full((n_pins, 2), -1, dtype=np.int64)
        self.arc_delay_max_ps = np.full((n_arcs, 2, 2), np.nan)
        self.arc_delay_min_ps = np.full((n_arcs, 2, 2), np.nan)
        self.use_dmp = self._wire_mode() == "spef"
        self.dmp_state = np.zeros((n_pins if self.use_dmp else 0, 2, 2, 6))
        library = libraries[0] if libraries else None
        self.thresholds = np.array(
            [
                (library.output_threshold_pct_rise if library else 50.0) / 100.0,
                (library.slew_lower_threshold_pct_rise if library else 20.0) / 100.0,
                (library.slew_upper_threshold_pct_rise if library else 80.0) / 100.0,
            ]
        )
        self.required_max_ps = np.full((n_pins, 2), np.inf)
        self.required_min_ps = np.full((n_pins, 2), -np.inf)
        n_checks = graph.check_clock_pin.size
        self.check_required_ps = np.full((n_checks, 2), np.nan)
        self.check_slack_ps = np.full((n_checks, 2), np.nan)
        self.check_margin_ps = np.full((n_checks, 2), np.nan)
        order = np.argsort(graph.check_data_pin, kind="stable")
        self.data_check_indptr = np.zeros(n_pins + 1, dtype=np.int64)
        np.cumsum(
            np.bincount(graph.check_data_pin, minlength=n_pins), out=self.data_check_indptr[1:]
        )
        self.data_check_indices = order.astype(np.int64)
        order = np.argsort(graph.check_clock_pin, kind="stable")
        self.clock_check_indptr = np.zeros(n_pins + 1, dtype=np.int64)
        np.cumsum(
            np.bincount(graph.check_clock_pin, minlength=n_pins), out=self.clock_check_indptr[1:]
        )
        self.clock_check_indices = order.astype(np.int64)
        self.endpoint_required_max = np.full((n_pins, 2), np.inf)
        self.endpoint_required_min = np.full((n_pins, 2), -np.inf)
        # Output ports with output delays or path delays, and instance pins a path delay ends
        # at where no check does ("internal path endpoints", checked as outputs are).
        ends = (self.constraints.output_tag >= 0) | self.constraints.path_delay_outputs
        ends[graph.check_data_pin] &= netlist.pin_inst[graph.check_data_pin] < 0
        self.output_pins = np.flatnonzero(ends)
        # where each output's arrival is read: the port, or for an inout port driven inside
        # the design the driving cell's pin (graph.port_feed)
        self.output_feed = self.output_pins
        if graph.port_feed.size:
            fed = graph.port_feed[self.output_pins]
            self.output_feed = np.where(fed >= 0, fed, self.output_pins)
        self.output_required_max_ps = np.zeros((0, 2))
        self.output_required_min_ps = np.zeros((0, 2))
        self.output_report_required_max_ps = np.zeros((0, 2))
        self.output_report_required_min_ps = np.zeros((0, 2))
        self.output_slack_max_ps = np.zeros((0, 2))
        self.output_slack_min_ps = np.zeros((0, 2))
        self._find_latches()
        # Pins arrivals stop at in every pass: latch D pins (latches.py passes D->Q), and
        # internal path-delay endpoints on cell outputs: as in OpenSTA (checked against
        # Debian sta), no path continues past a driver pin a max or min delay ends at, in
        # either analysis; one ending at a cell input does not stop the cell's paths.
        self.blocked_pins = self.latch_d_pin.copy()
        internal = self.output_pins[netlist.pin_inst[self.output_pins] >= 0]
        self.blocked_pins[internal[graph.pin_is_driver[internal]]] = True
        # the same by transition, the forward kernels' layout (LaunchPass.blocked)
        self.blocked_pins_rf = np.repeat(self.blocked_pins[:, None], 2, axis=1)
        self._build_passes()
        self._dirty_pins: set[int] = set()
        self._full_needed = True

    # ------------------------------------------------------------------ kernels
    def _propagate_from(self, seeds: np.ndarray, launch: LaunchPass) -> tuple:
        """Re-time ``launch``'s arrivals forward from ``seeds`` (int64 pins): the kernel's
        (reached pins, re-timed pins), int64 each."""
        graph = self.graph
        return propagate_forward_incremental(
            seeds,
            self.pin_position,
            graph.order,
            graph.pin_out_indptr,
            graph.pin_out_arcs,
            graph.arc_to,
            *self._forward_arguments(launch),
        )

    def _forward_arguments(self, launch: LaunchPass) -> tuple:
        """(graph tuple, state tuple) for the forward kernels (layout in _kernels/propagate)."""
        graph, wires = self.graph, self.wires
        blocked = self.blocked_pins_rf if launch.blocked is None else launch.blocked
        assert blocked.shape == (graph.n_pins, 2)  # the kernels read it unchecked
        graph_arrays = (
            graph.pin_in_indptr,
            graph.pin_in_arcs,
            graph.arc_from,
            graph.arc_kind,
            graph.arc_delay_table,
            graph.arc_slew_table,
            self.arc_ideal,
            wires.wire_delay_ps,
            wires.wire_slew_ps,
            wires.load_cap_ff,
            wires.pi_near_ff,
            wires.pi_resistance_ohm,
            wires.pi_far_ff,
            self.use_dmp,
            self.thresholds,
            *graph.tables.arrays(),
            launch.source_max,
            launch.source_min,
            self.source_slews,
            launch.source_tag,
            launch.source_tag_min,
            blocked,
            self.arc_ideal_slew_ps,
            self.arc_mode,
        )
        state = (
            launch.arrival_max,
            launch.arrival_min,
            self.slew_max_ps,
            self.slew_min_ps,
            launch.tag_max,
            launch.tag_min,
            launch.pred_max,
            launch.pred_min,
            self.arc_delay_max_ps,
            self.arc_delay_min_ps,
            self.dmp_state,
        )
        return graph_arrays, state

    def _backward_arguments(self) -> tuple:
        graph = self.graph
        return (
            graph.pin_out_indptr,
            graph.pin_out_arcs,
            graph.arc_to,
            self.arc_delay_max_ps,
            self.arc_delay_min_ps,
            self.endpoint_required_max,
            self.endpoint_required_min,
            self.required_max_ps,
            self.required_min_ps,
        )

    # ------------------------------------------------------------------ public
    def update_full(self) -> None:
        """Time everything from scratch."""
        graph = self.graph
        for launch in self.passes:
            self._refresh_handoffs(launch)
            propagate_forward(graph.order, *self._forward_arguments(launch))
        self._combine_passes()
        self._settle_latches(np.zeros(graph.n_pins, dtype=bool))
        self._evaluate_endpoints()
        self.required_max_ps.fill(np.inf)
        self.required_min_ps.fill(-np.inf)
        propagate_backward(graph.order[::-1].copy(), *self._backward_arguments())
        self._dirty_pins.clear()
        self._full_needed = False

    def update(self) -> int:
        """Bring timing up to date after changes; returns the number of pins recomputed."""
        if self._full_needed:
            self.update_full()
            return self.graph.n_pins
        if not self._dirty_pins:
            return 0
        graph = self.graph
        seeds = np.fromiter(self._dirty_pins, dtype=np.int64)
        self._dirty_pins.clear()
        visited = np.zeros(graph.n_pins, dtype=bool)
        visited[seeds] = True
        retimed = visited.copy()
        for launch in self.passes:
            # The first pass re-times every pin whose slews or arc delays moved; the others
            # start from all pins visited so far (their arrivals use those delays; a
            # ``-through`` child's handoff pins are among them when its parents moved there).
            self._refresh_handoffs(launch)
            visited[launch.moved_sources] = True
            reached, reached_retimed = self._propagate_from(np.flatnonzero(visited), launch)
            visited[reached] = True
            retimed[reached_retimed] = True
        self._combine_passes()
        self._settle_latches(visited)
        visited_pins = np.flatnonzero(visited)
        changed_endpoints = self._evaluate_endpoints(visited_pins)
        # Required times move where arc delays moved (arcs into re-timed pins: their drivers
        # and the re-timed pins) or endpoint requirements moved; moved arrivals alone do not
        # move them.
        retimed_pins = np.flatnonzero(retimed)
        in_arcs = gather_csr(graph.pin_in_indptr, graph.pin_in_arcs, retimed_pins)
        back = retimed
        back[graph.arc_from[in_arcs]] = True
        back[changed_endpoints] = True
        back_seeds = np.flatnonzero(back)
        propagate_backward_incremental(
            back_seeds,
            self.pin_position,
            graph.order,
            graph.pin_in_indptr,
            graph.pin_in_arcs,
            graph.arc_from,
            *self._backward_arguments(),
        )
        return int(visited_pins.size)

    def resize(self, inst: int, master: str) -> None:
        """Replace instance ``inst``'s cell by ``master`` (same pins; e.g. nand2_1 -> nand2_4)."""
        graph = self.graph
        cell = graph.templates.get(master)
        if cell is None:
            raise DesignError(f"resize: no Liberty cell {master}")
        netlist = self.netlist
        # The k-th arc of a (from, to) pair maps to the k-th template of that pair (cells may
        # have several arcs between two pins, one per ``when`` condition).
        by_key: dict[tuple[str, str], list] = {}
        for template in cell.arcs:
            by_key.setdefault((template.from_pin, template.to_pin), []).append(template)
        used: dict[tuple[str, str], int] = {}
        arcs = self.inst_arcs[self.inst_arc_indptr[inst] : self.inst_arc_indptr[inst + 1]]
        for a in arcs:
            key = (
                netlist.terms[int(netlist.pin_term[graph.arc_from[a]])],
                netlist.terms[int(netlist.pin_term[graph.arc_to[a]])],
            )
            count = used.get(key, 0)
            used[key] = count + 1
            templates = by_key.get(key, [])
            if count >= len(templates):
                raise DesignError(
                    f"resize of {netlist.inst_names[inst]} to {master}: no arc {key[0]}->{key[1]}"
                )
            graph.arc_delay_table[a] = -1 if self.arc_cut[a] else templates[count].delay_tables
            graph.arc_slew_table[a] = templates[count].slew_tables
        checks = np.flatnonzero(graph.check_inst == inst)
        for c in checks:
            data = netlist.terms[int(netlist.pin_term[graph.check_data_pin[c]])]
            match = [
                t
                for t in cell.checks
                if t.data_pin == data
                and t.kind == graph.check_kind[c]
                and t.clock_rf == graph.check_clock_rf[c]
            ]
            if match:
                graph.check_table[c] = match[0].tables
        # New input capacitances change the loads of the nets driving this instance.
        inst_pins = self._inst_pins(inst)
        pin_net = netlist.pin_net
        for pin in inst_pins:
            name = netlist.terms[int(netlist.pin_term[pin])]
            new_cap = np.asarray(cell.pin_cap_ff.get(name, (0.0, 0.0)))
            delta = new_cap - graph.pin_cap_ff[pin]
            graph.pin_cap_ff[pin] = new_cap
            if graph.pin_is_driver[pin]:
                self._dirty_pins.add(int(pin))
            if delta.any():
                # an input's capacitance, or a tri-state output's own, loads the net
                net_pins = netlist.net_pins(int(pin_net[pin]))
                drivers = net_pins[graph.pin_is_driver[net_pins]]
                self.wires.load_cap_ff[drivers] += delta
                self.wires.pi_far_ff[drivers] += delta
                self._dirty_pins.update(int(d) for d in drivers)
        self.inst_master[inst] = self._master_id(master)
        if self.constraints.object_derates.lib_cells:
            # derates named by library cell follow the instance's new cell
            self._set_derates()
            self._dirty_pins.update(int(pin) for pin in self._inst_pins(inst))

    def _inst_pins(self, inst: int) -> np.ndarray:
        if not hasattr(self, "_inst_pin_csr"):
            self._inst_pin_csr = self.netlist.inst_pin_csr()
        indptr, indices = self._inst_pin_csr
        return indices[indptr[inst] : indptr[inst + 1]]

    def _master_id(self, master: str) -> int:
        if master not in self.masters:
            self.masters.append(master)
        return self.masters.index(master)

    def set_parasitics(self, parasitics: Parasitics | None) -> None:
        """Use new parasitics (re-derives loads and wire delays; re-times changed drivers)."""
        old = self.wires
        self.parasitics = parasitics
        self.wires = self._build_wires()
        changed = (
            ~np.isclose(old.load_cap_ff, self.wires.load_cap_ff).all(axis=1)
            | ~np.isclose(old.pi_far_ff, self.wires.pi_far_ff).all(axis=1)
            | ~np.isclose(old.pi_resistance_ohm, self.wires.pi_resistance_ohm).all(axis=1)
        )
        changed_arcs = ~np.isclose(old.wire_delay_ps, self.wires.wire_delay_ps).all(axis=1)
        self._dirty_pins.update(int(p) for p in np.flatnonzero(changed))
        self._dirty_pins.update(int(p) for p in self.graph.arc_to[changed_arcs])

    def set_net_wire(self, net: int, *, wire_cap_ff: float, wire_delay_ps: float = 0.0) -> None:
        """Give ``net`` a lumped wire capacitance and a delay to every load (e.g. an estimate)."""
        graph, netlist = self.graph, self.netlist
        pins = netlist.net_pins(net)
        drivers = pins[graph.pin_is_driver[pins]]
        delta = wire_cap_ff - self.wires.wire_cap_ff[drivers]
        self.wires.wire_cap_ff[drivers] = wire_cap_ff
        self.wires.load_cap_ff[drivers] += delta[:, None]
        for driver in drivers:
            start, end = graph.pin_out_indptr[driver], graph.pin_out_indptr[driver + 1]
            arcs = graph.pin_out_arcs[start:end]
            arcs = arcs[graph.arc_kind[arcs] != ARC_CELL]
            self.wires.wire_delay_ps[arcs] = wire_delay_ps
            self._dirty_pins.update(int(p) for p in graph.arc_to[arcs])
        self._dirty_pins.update(int(d) for d in drivers)

    # ------------------------------------------------------------------ queries
    def endpoint_slacks(self, check: str = "setup") -> tuple[np.ndarray, np.ndarray]:
        """Endpoints and their worst slack (ps) for ``check`` "setup" or "hold".

        Returns (pins int64 (k,), slack_ps float64 (k,)), endpoints without a timed path left out.
        """
        graph = self.graph
        late = check == "setup"
        mask = early_checks(graph.check_kind)
        if late:
            mask = ~mask
        slack = np.fmin(self.check_slack_ps[mask, 0], self.check_slack_ps[mask, 1])
        pins = graph.check_data_pin[mask]
        outputs = self.output_slack_max_ps if late else self.output_slack_min_ps
        out_slack = np.fmin(outputs[:, 0], outputs[:, 1]) if outputs.size else np.zeros(0)
        pins = np.concatenate([pins, self.output_pins])
        slack = np.concatenate([slack, out_slack])
        valid = ~np.isnan(slack)
        pins, slack = pins[valid], slack[valid]
        if pins.size == 0:
            return pins, slack
        order = np.lexsort((slack, pins))
        pins, slack = pins[order], slack[order]
        first = np.concatenate([[True], pins[1:] != pins[:-1]])
        return pins[first], slack[first]

    def worst_slack(self, check: str = "setup") -> float:
        """Worst endpoint slack in ps (inf when nothing is timed)."""
        _, slack = self.endpoint_slacks(check)
        return float(slack.min()) if slack.size else float("inf")

    def total_negative_slack(self, check: str = "setup") -> float:
        """Sum of negative endpoint slacks in ps (0 or less)."""
        _, slack = self.endpoint_slacks(check)
        return float(np.minimum(slack, 0.0).sum())

    def lookup(self, table: int, x: float, y: float) -> float:
        """A table value (for reports and tests)."""
        return float(lookup_table(table, x, y, *self.graph.tables.arrays()))

    def report_checks(self, n_paths: int = 1, n_endpoints: int = 10) -> str:
        """Text report: worst endpoints per check, ``n_paths`` worst setup paths, WNS/TNS."""
        from tapeout.timing.report import build_report, format_report  # report imports Timer

        self.update()
        return format_report(build_report(self, n_paths=n_paths, n_endpoints=n_endpoints))
