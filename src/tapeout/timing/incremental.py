"""The Timer: full analysis and incremental updates after cell resizes or new parasitics.

A Timer owns the timing graph and every propagated array. ``resize``/``set_parasitics`` record
what changed; ``update`` re-times only the affected fan-out cone (arrivals, slews) and the fan-in
cone of pins whose arc delays or endpoint requirements moved (required times).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tapeout.db.constraints import Constraints
from tapeout.db.liberty import LibertyLibrary
from tapeout.db.netlist import Netlist
from tapeout.db.parasitics import Parasitics
from tapeout.errors import DesignError
from tapeout.log import Log
from tapeout.timing._kernels.checks import evaluate_checks
from tapeout.timing._kernels.lookup import lookup_table
from tapeout.timing._kernels.propagate import (
    propagate_backward,
    propagate_backward_incremental,
    propagate_forward,
    propagate_forward_incremental,
)
from tapeout.timing.constraints import ResolvedConstraints, resolve_constraints
from tapeout.timing.dcalc import WireModel, estimated_wires, ideal_wires, spef_wires
from tapeout.timing.graph import (
    ARC_CELL,
    CHECK_HOLD,
    CHECK_REMOVAL,
    TimingGraph,
    build_timing_graph,
)
from tapeout.timing.options import TimingOptions


@dataclass(eq=False)
class LaunchPass:
    """Arrivals of the paths one clock launches (``clock`` -1: unclocked input ports).

    Sources and arrivals are float64 (n_pins, 2), tags and predecessors int64 (n_pins, 2);
    check results float64 (n_checks, 2) (unclocked passes check output ports only).
    """

    clock: int
    source_max: np.ndarray
    source_min: np.ndarray
    source_tag: np.ndarray
    arrival_max: np.ndarray
    arrival_min: np.ndarray
    tag_max: np.ndarray
    tag_min: np.ndarray
    pred_max: np.ndarray
    pred_min: np.ndarray
    check_required: np.ndarray
    check_slack: np.ndarray
    check_margin: np.ndarray
    exceptions: tuple[int, ...] = ()

    @classmethod
    def empty(
        cls, clock: int, sources: tuple, n_pins: int, n_checks: int, exceptions: tuple = ()
    ) -> LaunchPass:
        """A pass with fresh arrival and check arrays."""
        return cls(
            clock,
            *sources,
            np.full((n_pins, 2), -np.inf),
            np.full((n_pins, 2), np.inf),
            np.full((n_pins, 2), -1, dtype=np.int64),
            np.full((n_pins, 2), -1, dtype=np.int64),
            np.full((n_pins, 2), -1, dtype=np.int64),
            np.full((n_pins, 2), -1, dtype=np.int64),
            np.full((n_checks, 2), np.nan),
            np.full((n_checks, 2), np.nan),
            np.full((n_checks, 2), np.nan),
            exceptions,
        )


def gather_csr(indptr: np.ndarray, indices: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Concatenated CSR rows ``rows`` of (``indptr``, ``indices``)."""
    starts = indptr[rows]
    lengths = indptr[rows + 1] - starts
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=indices.dtype)
    offsets = np.repeat(starts - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
    return indices[offsets + np.arange(total)]


class Timer:
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
            constraints, netlist, log=self.log
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
        self.output_pins = np.flatnonzero(self.constraints.output_tag >= 0)
        self.output_required_max_ps = np.zeros((0, 2))
        self.output_required_min_ps = np.zeros((0, 2))
        self.output_report_required_max_ps = np.zeros((0, 2))
        self.output_report_required_min_ps = np.zeros((0, 2))
        self.output_slack_max_ps = np.zeros((0, 2))
        self.output_slack_min_ps = np.zeros((0, 2))
        self._build_passes()
        self._dirty_pins: set[int] = set()
        self._full_needed = True

    # ------------------------------------------------------------------ setup
    def _build_passes(self) -> None:
        """One arrival pass per launching clock, plus one for unclocked input ports.

        With a single launching clock the pass uses the Timer's own arrays. Several clocks get
        a pass each, so that a pin reached from two clock domains keeps both arrivals; the
        Timer's arrays then hold the latest (max) / earliest (min) over the clocked passes.
        Unclocked paths (input ports without input delay) are checked at output ports only,
        as in OpenSTA. Slews and arc delays do not depend on the launch and are shared.
        """
        graph, resolved = self.graph, self.constraints
        n_pins, n_checks = graph.n_pins, graph.check_clock_pin.size
        n_clock_tags = 2 * len(resolved.clock_names)
        tags = self.source_tag
        # ``-from <input port>`` exceptions: the ports they name launch passes of their own
        # (one per clock and set of exceptions naming the port); ``-from <clock>`` exceptions
        # apply to every pass of that clock.
        exceptions = resolved.from_exceptions
        named_by: dict[int, list[int]] = {}
        for index, exception in enumerate(exceptions):
            for pin in exception.from_pins.tolist():
                named_by.setdefault(pin, []).append(index)
        members: list[tuple[int, ...]] = [()]
        group_ids = {(): 0}
        group = np.zeros(n_pins, dtype=np.int64)
        for pin, indices in named_by.items():
            key = tuple(indices)
            if key not in group_ids:
                group_ids[key] = len(members)
                members.append(key)
            group[pin] = group_ids[key]
        keys = sorted(
            {
                (int(t) // 2, int(g))
                for t, g in zip(tags.ravel(), np.repeat(group, 2), strict=True)
                if 0 <= t < n_clock_tags
            }
        )

        def applying(clock: int, bits: int) -> tuple[int, ...]:
            return tuple(
                index
                for index, exception in enumerate(exceptions)
                if index in members[bits] or clock in exception.from_clocks or exception.from_all
            )

        self.passes: list[LaunchPass] = []
        if len(keys) <= 1:
            clock, bits = keys[0] if keys else (-1, 0)
            self.passes.append(
                LaunchPass(
                    clock,
                    self.source_arrival_max,
                    self.source_arrival_min,
                    self.source_tag,
                    self.arrival_max_ps,
                    self.arrival_min_ps,
                    self.tag_max,
                    self.tag_min,
                    self.pred_max,
                    self.pred_min,
                    self.check_required_ps,
                    self.check_slack_ps,
                    self.check_margin_ps,
                    applying(clock, bits),
                )
            )
        else:
            for clock, bits in keys:
                mine = (
                    (tags >= 0)
                    & (tags // 2 == clock)
                    & (tags < n_clock_tags)
                    & (group == bits)[:, None]
                )
                sources = (
                    np.where(mine, self.source_arrival_max, -np.inf),
                    np.where(mine, self.source_arrival_min, np.inf),
                    np.where(mine, tags, -1),
                )
                self.passes.append(
                    LaunchPass.empty(clock, sources, n_pins, n_checks, applying(clock, bits))
                )
        self.n_clocked_passes = len(self.passes)
        self.check_pass = np.zeros((n_checks, 2), dtype=np.int64)
        unclocked = resolved.unclocked_inputs
        self.track_unclocked = bool(unclocked.size and self.output_pins.size)
        self.unclocked_arrival_max_ps = np.zeros((0, 2))
        self.unclocked_arrival_min_ps = np.zeros((0, 2))
        if self.track_unclocked:
            for bits in sorted({int(g) for g in group[unclocked]}):
                mine = unclocked[group[unclocked] == bits]
                sources = (
                    np.full((n_pins, 2), -np.inf),
                    np.full((n_pins, 2), np.inf),
                    np.full((n_pins, 2), -1, dtype=np.int64),
                )
                sources[0][mine] = 0.0
                sources[1][mine] = 0.0
                sources[2][mine] = resolved.unclocked_tag
                launch = LaunchPass.empty(-1, sources, n_pins, 0, applying(-1, bits))
                self.passes.append(launch)
            launch = self.passes[self.n_clocked_passes]
            self.unclocked_arrival_max_ps = launch.arrival_max
            self.unclocked_arrival_min_ps = launch.arrival_min
        self.output_pass_max = np.zeros((0, 2), dtype=np.int64)
        self.output_pass_min = np.zeros((0, 2), dtype=np.int64)

    def _combine_passes(self) -> None:
        """The Timer's arrival arrays: latest / earliest over the clocked passes."""
        if self.n_clocked_passes <= 1:
            return
        clocked = self.passes[: self.n_clocked_passes]
        for arrivals, tags, preds, target, better in (
            ("arrival_max", "tag_max", "pred_max", "max", np.argmax),
            ("arrival_min", "tag_min", "pred_min", "min", np.argmin),
        ):
            stack = np.stack([getattr(launch, arrivals) for launch in clocked])
            pick = better(stack, axis=0)
            rows = np.arange(stack.shape[1])[:, None]
            columns = np.arange(2)[None, :]
            getattr(self, f"arrival_{target}_ps")[...] = stack[pick, rows, columns]
            tag_stack = np.stack([getattr(launch, tags) for launch in clocked])
            getattr(self, f"tag_{target}")[...] = tag_stack[pick, rows, columns]
            pred_stack = np.stack([getattr(launch, preds) for launch in clocked])
            getattr(self, f"pred_{target}")[...] = pred_stack[pick, rows, columns]

    def _wire_mode(self) -> str:
        mode = self.options.wires
        if mode == "auto":
            mode = "spef" if self.parasitics is not None else "ideal"
        return mode

    def _build_wires(self) -> WireModel:
        mode = self._wire_mode()
        loads = self.constraints.pin_load_ff
        if mode == "spef":
            if self.parasitics is None:
                raise DesignError("timing wires 'spef' need parasitics (read a SPEF file)")
            return spef_wires(self.graph, loads, self.parasitics, log=self.log)
        if mode == "placement":
            if self.pin_xy_um is None:
                raise DesignError("timing wires 'placement' need pin locations")
            return estimated_wires(
                self.graph,
                loads,
                self.pin_xy_um[0],
                self.pin_xy_um[1],
                cap_ff_per_um=self.options.cap_ff_per_um,
                res_ohm_per_um=self.options.res_ohm_per_um,
            )
        return ideal_wires(self.graph, loads)

    def _set_sources(self) -> None:
        graph, resolved = self.graph, self.constraints
        n_pins = graph.n_pins
        self.source_arrival_max = resolved.input_arrival_max.copy()
        self.source_arrival_min = resolved.input_arrival_min.copy()
        self.source_tag = resolved.input_tag.copy()
        self.source_slew_ps = resolved.input_slew_ps.copy()
        self.arc_ideal = np.zeros(graph.n_arcs, dtype=bool)
        self.arc_cut = np.zeros(graph.n_arcs, dtype=bool)
        self.clock_network = np.zeros(n_pins, dtype=bool)
        for k, pins in enumerate(resolved.clock_source_pins):
            if pins.size == 0:
                continue
            for edge in range(2):
                tag = 2 * k + edge
                self.source_arrival_max[pins, edge] = (
                    resolved.edge_time_ps[tag] + resolved.clock_latency_max_ps[k]
                )
                self.source_arrival_min[pins, edge] = (
                    resolved.edge_time_ps[tag] + resolved.clock_latency_min_ps[k]
                )
                self.source_tag[pins, edge] = tag
            if k < resolved.clock_generated.size and resolved.clock_generated[k]:
                self._cut_generated_source(k, pins)
            network = self._clock_network(pins)
            self.clock_network |= network
            if not resolved.clock_propagated[k]:
                self.source_slew_ps[pins] = resolved.clock_slew_ps[k]
                ideal = network[graph.arc_from] & (graph.arc_timing_type == 0)
                self.arc_ideal |= ideal
        self._apply_driving_cells()

    def _cut_generated_source(self, clock: int, pins: np.ndarray) -> None:
        """A generated clock's source pins carry that clock only: the cell arcs into them
        (a divider register's CK->Q) are cut, so no master-clock arrival leaks past them."""
        graph = self.graph
        arcs = gather_csr(graph.pin_in_indptr, graph.pin_in_arcs, pins)
        wires = arcs[graph.arc_kind[arcs] == 0]
        if wires.size:
            self.log.warn(
                "STA-0017",
                f"generated clock {self.constraints.clock_names[clock]} is defined on a cell "
                "input pin; the master clock's arrival there is not cut",
            )
        cut = arcs[graph.arc_kind[arcs] != 0]
        self.arc_cut[cut] = True
        graph.arc_delay_table[cut] = -1

    def _clock_network(self, sources: np.ndarray) -> np.ndarray:
        """Pins reached from ``sources`` through wires and combinational cell arcs."""
        graph = self.graph
        reached = np.zeros(graph.n_pins, dtype=bool)
        reached[sources] = True
        frontier = sources
        while frontier.size:
            arcs = gather_csr(graph.pin_out_indptr, graph.pin_out_arcs, frontier)
            arcs = arcs[graph.arc_timing_type[arcs] == 0]
            targets = np.unique(graph.arc_to[arcs])
            frontier = targets[~reached[targets]]
            reached[frontier] = True
        return reached

    def _apply_driving_cells(self) -> None:
        """Add ``set_driving_cell`` delays and slews to input port sources."""
        graph = self.graph
        for pin, (
            cell_name,
            out_pin,
            from_pin,
            transition,
        ) in self.constraints.driving_cells.items():
            cell = graph.templates.get(cell_name)
            if cell is None:
                self.log.warn("STA-0030", f"driving cell {cell_name} not in the libraries")
                continue
            arcs = [
                arc
                for arc in cell.arcs
                if (not out_pin or arc.to_pin == out_pin)
                and (not from_pin or arc.from_pin == from_pin)
            ]
            if not arcs:
                continue
            in_slew = transition or 0.0
            for rf in range(2):
                load = self.wires.load_cap_ff[pin, rf]
                delays, slews = [], []
                for arc in arcs:
                    for in_rf in range(2):
                        table = arc.delay_tables[in_rf][rf]
                        if table < 0:
                            continue
                        delays.append(graph.tables.lookup(table, in_slew, load))
                        slew_table = arc.slew_tables[in_rf][rf]
                        if slew_table >= 0:
                            slews.append(graph.tables.lookup(slew_table, in_slew, load))
                if delays:
                    self.source_arrival_max[pin, rf] += max(delays)
                    self.source_arrival_min[pin, rf] += min(delays)
                if slews:
                    self.source_slew_ps[pin, rf] = max(slews)

    # ------------------------------------------------------------------ kernels
    def _forward_arguments(self, launch: LaunchPass) -> tuple:
        """(graph tuple, state tuple) for the forward kernels (layout in _kernels/propagate)."""
        graph, wires = self.graph, self.wires
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
            self.source_slew_ps,
            launch.source_tag,
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

    def _evaluate_endpoints(self, visited: np.ndarray | None = None) -> np.ndarray:
        """Checks and output delays -> endpoint required times; returns the pins whose
        endpoint required time changed.

        ``visited``: int64 pins re-timed by an incremental update; only checks on them (as
        data or clock pin) are evaluated again. None evaluates everything.
        """
        graph, resolved = self.graph, self.constraints
        if visited is None:
            checks = np.arange(graph.check_clock_pin.size, dtype=np.int64)
            data_pins = np.unique(graph.check_data_pin)
        else:
            # sorted unique sets through bitmaps (``visited`` may be most of the pins)
            touched = np.zeros(graph.n_pins, dtype=bool)
            touched[graph.check_data_pin] = True
            touched[graph.check_clock_pin] = True
            visited = visited[touched[visited]]
            by_data = gather_csr(self.data_check_indptr, self.data_check_indices, visited)
            by_clock = gather_csr(self.clock_check_indptr, self.clock_check_indices, visited)
            selected = np.zeros(graph.check_clock_pin.size, dtype=bool)
            selected[by_data] = True
            selected[by_clock] = True
            is_data = np.zeros(graph.n_pins, dtype=bool)
            is_data[graph.check_data_pin[selected]] = True
            data_pins = np.flatnonzero(is_data)
            # every check on those data pins takes part in their required time
            checks = np.flatnonzero(is_data[graph.check_data_pin])
        period = resolved.clock_period_ps
        shift_setup = np.zeros(graph.check_clock_pin.size)
        shift_hold = np.zeros(graph.check_clock_pin.size)
        data = graph.check_data_pin[checks]
        capture_period = np.zeros(checks.size)
        capture_tag = self.tag_min[graph.check_clock_pin[checks], graph.check_clock_rf[checks]]
        capture_clock = np.where(capture_tag >= 0, capture_tag // 2, -1)
        if checks.size and period.size:
            capture_period = period[np.minimum(np.maximum(capture_tag, 0) // 2, period.size - 1)]
        late_check = (graph.check_kind[checks] != CHECK_HOLD) & (
            graph.check_kind[checks] != CHECK_REMOVAL
        )
        for launch in self.passes[: self.n_clocked_passes]:
            multiplier, hold_multiplier, false_setup, false_hold = self._pass_exceptions(
                launch, data, capture_clock
            )
            shift_setup[checks] = (multiplier - 1) * capture_period
            shift_hold[checks] = (multiplier - 1 - hold_multiplier) * capture_period
            evaluate_checks(
                checks,
                graph.check_clock_pin,
                graph.check_data_pin,
                graph.check_kind,
                graph.check_clock_rf,
                graph.check_table,
                shift_setup,
                shift_hold,
                *graph.tables.arrays(),
                resolved.edge_time_ps,
                resolved.setup_relation_ps,
                resolved.hold_relation_ps,
                resolved.uncertainty_setup_ps,
                resolved.uncertainty_hold_ps,
                launch.arrival_max,
                launch.arrival_min,
                self.slew_max_ps,
                self.slew_min_ps,
                launch.tag_max,
                launch.tag_min,
                self.arrival_max_ps,
                self.arrival_min_ps,
                self.tag_max,
                self.tag_min,
                launch.check_required,
                launch.check_slack,
                launch.check_margin,
            )
            false = checks[(false_setup & late_check) | (false_hold & ~late_check)]
            launch.check_required[false] = np.nan
            launch.check_slack[false] = np.nan
        if self.n_clocked_passes > 1:
            clocked = self.passes[: self.n_clocked_passes]
            slack = np.stack([launch.check_slack[checks] for launch in clocked])
            pick = np.argmin(np.nan_to_num(slack, nan=np.inf), axis=0)
            rows = np.arange(checks.size)[:, None]
            columns = np.arange(2)[None, :]
            self.check_pass[checks] = pick
            for name in ("check_required", "check_slack", "check_margin"):
                stack = np.stack([getattr(launch, name)[checks] for launch in clocked])
                getattr(self, f"{name}_ps")[checks] = stack[pick, rows, columns]
        false = checks[resolved.false_endpoints[graph.check_data_pin[checks]]]
        self.check_slack_ps[false] = np.nan
        self.check_required_ps[false] = np.nan
        pins = np.union1d(data_pins, self.output_pins)
        new_max = np.full((pins.size, 2), np.inf)
        new_min = np.full((pins.size, 2), -np.inf)
        late = (graph.check_kind[checks] != CHECK_HOLD) & (
            graph.check_kind[checks] != CHECK_REMOVAL
        )
        rows = np.searchsorted(pins, graph.check_data_pin[checks])
        for rf in range(2):
            required = self.check_required_ps[checks, rf]
            valid = ~np.isnan(required)
            np.minimum.at(new_max[:, rf], rows[valid & late], required[valid & late])
            np.maximum.at(new_min[:, rf], rows[valid & ~late], required[valid & ~late])
        self._evaluate_outputs()
        out_rows = np.searchsorted(pins, self.output_pins)
        new_max[out_rows] = np.fmin(new_max[out_rows], self.output_required_max_ps)
        new_min[out_rows] = np.fmax(new_min[out_rows], self.output_required_min_ps)
        old_max = self.endpoint_required_max[pins]
        old_min = self.endpoint_required_min[pins]
        changed = pins[
            ~np.isclose(new_max, old_max, atol=1e-6, rtol=0).all(axis=1)
            | ~np.isclose(new_min, old_min, atol=1e-6, rtol=0).all(axis=1)
        ]
        self.endpoint_required_max[pins] = new_max
        self.endpoint_required_min[pins] = new_min
        return changed

    def _pass_exceptions(
        self, launch: LaunchPass, pins: np.ndarray, capture_clock: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(setup multiplier, hold multiplier, false for setup, false for hold) at endpoint
        ``pins`` (int64 (k,)) captured by ``capture_clock`` (int64 (k,), -1 none) for the paths
        of ``launch``: the ``-to`` pin exceptions, overridden by the pass's exceptions."""
        resolved = self.constraints
        multiplier = resolved.multicycle_setup[pins].copy()
        hold_multiplier = resolved.multicycle_hold[pins].copy()
        false_setup = resolved.false_endpoints[pins].copy()
        false_hold = false_setup.copy()
        for index in launch.exceptions:
            exception = resolved.from_exceptions[index]
            hit = (
                np.ones(pins.size, dtype=bool)
                if exception.targets is None
                else exception.targets[pins]
            )
            if exception.to_clocks is not None:
                hit &= np.isin(capture_clock, list(exception.to_clocks))
            if exception.multicycle_setup is not None:
                multiplier[hit] = exception.multicycle_setup
            if exception.multicycle_hold is not None:
                hold_multiplier[hit] = exception.multicycle_hold
            false_setup |= hit & exception.false_setup
            false_hold |= hit & exception.false_hold
        return multiplier, hold_multiplier, false_setup, false_hold

    def _output_required(
        self, tag_max: np.ndarray, tag_min: np.ndarray, launch: LaunchPass
    ) -> tuple[np.ndarray, np.ndarray]:
        """Required times (ps, (n_outputs, 2)) at output ports for launches ``tag_*`` of the
        pass ``launch``."""
        resolved = self.constraints
        pins = self.output_pins
        multiplier, hold_multiplier, false_setup, false_hold = self._pass_exceptions(
            launch, pins, resolved.output_tag[pins] // 2
        )
        capture = resolved.output_tag[pins]
        clock = capture // 2
        period = resolved.clock_period_ps[clock]
        required_max = np.full((pins.size, 2), np.nan)
        required_min = np.full((pins.size, 2), np.nan)
        for rf in range(2):
            launch = tag_max[pins, rf]
            ok = launch >= 0
            edge = resolved.edge_time_ps[np.maximum(launch, 0)]
            relation = resolved.setup_relation_ps[np.maximum(launch, 0), capture]
            shift = (multiplier - 1) * period
            required_max[:, rf] = np.where(
                ok,
                edge
                + relation
                + shift
                + resolved.clock_latency_min_ps[clock]
                - resolved.output_delay_max_ps[pins, rf]
                - resolved.uncertainty_setup_ps[clock],
                np.nan,
            )
            launch = tag_min[pins, rf]
            ok = launch >= 0
            edge = resolved.edge_time_ps[np.maximum(launch, 0)]
            relation = resolved.hold_relation_ps[np.maximum(launch, 0), capture]
            shift = (multiplier - 1 - hold_multiplier) * period
            required_min[:, rf] = np.where(
                ok,
                edge
                + relation
                + shift
                + resolved.clock_latency_max_ps[clock]
                - resolved.output_delay_min_ps[pins, rf]
                + resolved.uncertainty_hold_ps[clock],
                np.nan,
            )
        required_max[false_setup] = np.nan
        required_min[false_hold] = np.nan
        return required_max, required_min

    def _evaluate_outputs(self) -> None:
        """Output-port required times and slacks: the worst over every launch pass.

        ``output_pass_max``/``output_pass_min`` (int64 (n_outputs, 2)) name the pass (index
        into ``passes``) holding the worst path of each output and transition.
        """
        pins = self.output_pins
        slack_max_all, slack_min_all, required_max_all, required_min_all = [], [], [], []
        for launch in self.passes:
            required_max, required_min = self._output_required(
                launch.tag_max, launch.tag_min, launch
            )
            required_max_all.append(required_max)
            required_min_all.append(required_min)
            slack_max_all.append(required_max - launch.arrival_max[pins])
            slack_min_all.append(launch.arrival_min[pins] - required_min)
        rows = np.arange(pins.size)[:, None]
        columns = np.arange(2)[None, :]
        results = []
        for slacks, requireds in (
            (slack_max_all, required_max_all),
            (slack_min_all, required_min_all),
        ):
            stack = np.stack(slacks)
            pick = np.argmin(np.nan_to_num(stack, nan=np.inf), axis=0)
            results.append(
                (pick, stack[pick, rows, columns], np.stack(requireds)[pick, rows, columns])
            )
        (self.output_pass_max, self.output_slack_max_ps, self.output_required_max_ps) = results[0]
        (self.output_pass_min, self.output_slack_min_ps, self.output_required_min_ps) = results[1]
        self.output_report_required_max_ps = self.output_required_max_ps
        self.output_report_required_min_ps = self.output_required_min_ps

    def path_arrays(self, pin: int, check: str, rf: int) -> tuple[np.ndarray, ...]:
        """(arrival, pred, tag) arrays of the launch pass holding the worst path to endpoint
        ``pin`` for ``check`` ("setup"/"hold") and data transition ``rf``."""
        late = check == "setup"
        where = np.flatnonzero(self.output_pins == pin)
        index = 0
        if where.size:
            index = int((self.output_pass_max if late else self.output_pass_min)[where[0], rf])
        elif self.n_clocked_passes > 1:
            checks = self.data_check_indices[
                self.data_check_indptr[pin] : self.data_check_indptr[pin + 1]
            ]
            early = (self.graph.check_kind[checks] == CHECK_HOLD) | (
                self.graph.check_kind[checks] == CHECK_REMOVAL
            )
            checks = checks[early] if not late else checks[~early]
            if checks.size:
                slack = np.nan_to_num(self.check_slack_ps[checks, rf], nan=np.inf)
                index = int(self.check_pass[checks[np.argmin(slack)], rf])
        launch = self.passes[index]
        if late:
            return launch.arrival_max, launch.pred_max, launch.tag_max
        return launch.arrival_min, launch.pred_min, launch.tag_min

    # ------------------------------------------------------------------ public
    def update_full(self) -> None:
        """Time everything from scratch."""
        graph = self.graph
        for launch in self.passes:
            propagate_forward(graph.order, *self._forward_arguments(launch))
        self._combine_passes()
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
            # start from all pins visited so far (their arrivals use those delays).
            reached, reached_retimed = propagate_forward_incremental(
                np.flatnonzero(visited),
                self.pin_position,
                graph.order,
                graph.pin_out_indptr,
                graph.pin_out_arcs,
                graph.arc_to,
                *self._forward_arguments(launch),
            )
            visited[reached] = True
            retimed[reached_retimed] = True
        visited_pins = np.flatnonzero(visited)
        self._combine_passes()
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
            if not graph.pin_is_driver[pin]:
                delta = new_cap - graph.pin_cap_ff[pin]
                graph.pin_cap_ff[pin] = new_cap
                net_pins = netlist.net_pins(int(pin_net[pin]))
                drivers = net_pins[graph.pin_is_driver[net_pins]]
                self.wires.load_cap_ff[drivers] += delta
                self.wires.pi_far_ff[drivers] += delta
                self._dirty_pins.update(int(d) for d in drivers)
            else:
                graph.pin_cap_ff[pin] = new_cap
                self._dirty_pins.add(int(pin))
        self.inst_master[inst] = self._master_id(master)

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
        kinds = graph.check_kind
        mask = (
            (kinds != CHECK_HOLD) & (kinds != CHECK_REMOVAL)
            if late
            else ((kinds == CHECK_HOLD) | (kinds == CHECK_REMOVAL))
        )
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
