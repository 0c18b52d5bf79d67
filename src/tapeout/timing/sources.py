"""Timing sources: wire models, clock sources and networks, generated-clock cuts, driving cells.

``SourcesMixin`` (part of ``Timer``) sets the source arrivals, tags and slews of every pin
before propagation, and marks the ideal clock network.
"""

from __future__ import annotations

import fnmatch

import numpy as np

from tapeout.errors import DesignError
from tapeout.timing.case import case_cuts
from tapeout.timing.dcalc import WireModel, estimated_wires, ideal_wires, spef_wires
from tapeout.timing.gating import gating_checks
from tapeout.timing.graph import (
    ARC_WIRE,
    CHECK_GATING_HOLD,
    CHECK_GATING_SETUP,
    TimingGraph,
    combinational_reach,
    gather_csr,
)


class SourcesMixin:
    """Source and wire setup of ``Timer``."""

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
        # the earliest arrival's tag; the same array where no port has delays on both edges
        same = resolved.input_tag_min is resolved.input_tag
        self.source_tag_min = self.source_tag if same else resolved.input_tag_min.copy()
        # [pin, transition, late / early] for the kernel; the two names are views into it.
        self.source_slews = np.stack([resolved.input_slew_ps, resolved.input_slew_min_ps], -1)
        self.source_slew_ps = self.source_slews[:, :, 0]
        self.source_slew_min_ps = self.source_slews[:, :, 1]
        self.arc_ideal = np.zeros(graph.n_arcs, dtype=bool)
        self.arc_ideal_slew_ps = np.zeros(graph.n_arcs)
        self.arc_cut = np.zeros(graph.n_arcs, dtype=bool)
        self.clock_network = np.zeros(n_pins, dtype=bool)
        ideal_sources = np.zeros(n_pins, dtype=bool)
        self.clock_networks: dict[int, np.ndarray] = {}
        self.generated_sources: dict[int, np.ndarray] = {}
        self.arc_mode = np.zeros((0, 6))  # empty: no derate, no sense left off
        self._apply_case_analysis()
        self._apply_disabled_timing()
        sequential = (graph.arc_kind != 0) & (graph.arc_timing_type != 0)
        clock_pins = np.zeros(n_pins, dtype=bool)
        clock_pins[graph.arc_from[sequential]] = True
        clock_pins[graph.check_clock_pin] = True
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
                self.source_tag_min[pins, edge] = tag
            if k < resolved.clock_generated.size and resolved.clock_generated[k]:
                self._generated_source(k, pins)
            network = self._clock_network(pins, clock_pins)
            self.clock_networks[k] = network
            self.clock_network |= network
            if not resolved.clock_propagated[k]:
                ideal_sources[pins] = True
                self.source_slew_ps[pins] = resolved.clock_slew_ps[k]
                self.source_slew_min_ps[pins] = resolved.clock_slew_ps[k]
                ideal = network[graph.arc_from] & network[graph.arc_to]
                ideal &= graph.arc_timing_type == 0
                self.arc_ideal |= ideal
                self.arc_ideal_slew_ps[ideal] = resolved.clock_slew_ps[k]
        self._quiet_inout_inputs()
        self._cut_data_into_clock_networks()
        self._split_shared_clock_checks(clock_pins)
        # checks against one of several clocks read that clock's arrival (endpoints.py)
        self.override_checks = np.flatnonzero(self.check_capture_clock >= 0)
        self.check_override = np.full(self.check_capture_clock.size, -1, dtype=np.int64)
        self.check_override[self.override_checks] = np.arange(self.override_checks.size)
        # Register clock pins: clock-network pins that launch data through sequential arcs
        # (the start points that ``-from <instance or pin>`` exceptions name).
        self.launch_pins = np.zeros(n_pins, dtype=bool)
        self.launch_pins[graph.arc_from[sequential]] = True
        self.launch_pins &= self.clock_network
        self._apply_driving_cells(skip=ideal_sources)
        self._set_derates()
        self._set_gating_margins()

    def _quiet_inout_inputs(self) -> None:
        """The input side of an inout port driven inside the design (graph.port_feed) brings
        its arrivals to the net's loads but not its slew: as in OpenSTA, a net with several
        drivers gets its load slews from the driving cell. Its wire arcs become ideal with a
        NaN slew, which never wins the kernel's slew comparisons."""
        graph = self.graph
        if graph.port_feed.size == 0:
            return
        arcs = gather_csr(
            graph.pin_out_indptr, graph.pin_out_arcs, np.flatnonzero(graph.port_feed >= 0)
        )
        arcs = arcs[graph.arc_kind[arcs] == ARC_WIRE]
        self.arc_ideal[arcs] = True
        self.arc_ideal_slew_ps[arcs] = np.nan

    def _apply_case_analysis(self) -> None:
        """``set_case_analysis``: cut the arcs no transition travels (``timing/case.py``);
        ``case_value`` int8 (n_pins,) holds each pin's constant (-1 where it toggles)."""
        graph = self.graph
        self.case_value = np.full(graph.n_pins, -1, dtype=np.int8)
        if not self.constraints.case_values and not self.constraints.case_edges:
            return
        self.case_value, cut, sense_off = case_cuts(
            graph, self.libraries, self.constraints.case_values
        )
        # rising/falling: the other transition leaves the pin through no arc.
        for pin, edge in self.constraints.case_edges.items():
            arcs = graph.pin_out_arcs[graph.pin_out_indptr[pin] : graph.pin_out_indptr[pin + 1]]
            sense_off[arcs, 1 - edge, :] = True
            self.source_arrival_max[pin, 1 - edge] = -np.inf
            self.source_arrival_min[pin, 1 - edge] = np.inf
        cut &= graph.arc_kind != 0  # wires into a constant pin carry nothing either way
        self.arc_cut |= cut
        graph.arc_delay_table[cut] = -1
        if sense_off.any():
            self._full_arc_mode()[:, 2:] = sense_off.reshape(graph.n_arcs, 4)
        constant = self.case_value >= 0
        self.source_arrival_max[constant] = -np.inf
        self.source_arrival_min[constant] = np.inf
        self.source_tag[constant] = -1
        self.source_tag_min[constant] = -1
        self.log.info(
            "STA-0046",
            f"set_case_analysis: {int(constant.sum())} constant pins, {int(cut.sum())} cell "
            "arcs switched off",
        )

    def _full_arc_mode(self) -> np.ndarray:
        """``arc_mode`` (see ``_kernels/propagate``) with a row per arc: made on first use
        (delays unscaled, no sense off), as it stays empty when no constraint needs it."""
        if self.arc_mode.shape[0] == 0:
            self.arc_mode = np.zeros((self.graph.n_arcs, 6))
            self.arc_mode[:, :2] = 1.0
        return self.arc_mode

    def _apply_disabled_timing(self) -> None:
        """``set_disable_timing``: the cell arcs (and timing checks, whose arcs run from the
        clock pin to the data pin) of the named instances, library cells' instances or pins
        switched off, limited to ``-from``/``-to`` pins when given, as in OpenSTA."""
        commands = self.constraints.disabled_timing
        if not commands:
            return
        graph = self.graph
        netlist = graph.netlist
        terms = netlist.terms
        pin_term = netlist.pin_term.astype(np.int64)
        on_inst = netlist.pin_inst >= 0
        arc_from_term = np.where(on_inst[graph.arc_from], pin_term[graph.arc_from], -1)
        arc_to_term = np.where(on_inst[graph.arc_to], pin_term[graph.arc_to], -1)
        cell_arcs = graph.arc_kind != 0
        cut = np.zeros(graph.n_arcs, dtype=bool)
        dropped = np.zeros(graph.check_clock_pin.size, dtype=bool)
        for command, named_pins in commands:
            insts = np.zeros(netlist.n_insts, dtype=bool)
            pins = np.zeros(graph.n_pins, dtype=bool)
            pins[named_pins] = True
            for kind, name in command.objects:
                if kind == "cell" and name in netlist.inst_names:
                    insts[netlist.inst_names.index(name)] = True
                elif kind == "lib_cell":
                    pattern = name.rsplit("/", 1)[-1]
                    for master_id, master in enumerate(self.masters):
                        if fnmatch.fnmatchcase(master, pattern):
                            insts |= self.inst_master == master_id
            arcs = cell_arcs & (insts[np.maximum(graph.arc_inst, 0)] & (graph.arc_inst >= 0))
            checks = insts[graph.check_inst]
            for term_name, arc_terms, check_pins in (
                (command.from_pin, arc_from_term, graph.check_clock_pin),
                (command.to_pin, arc_to_term, graph.check_data_pin),
            ):
                if term_name:
                    term = terms.get(term_name)
                    arcs &= arc_terms == term
                    checks &= pin_term[check_pins] == term
            arcs |= cell_arcs & (pins[graph.arc_from] | pins[graph.arc_to])
            checks |= pins[graph.check_clock_pin] | pins[graph.check_data_pin]
            cut |= arcs
            dropped |= checks
        self.arc_cut |= cut
        graph.arc_delay_table[cut] = -1
        if dropped.any():
            for name in _CHECK_ARRAYS:
                setattr(graph, name, getattr(graph, name)[~dropped])
        self.log.info(
            "STA-0049",
            f"set_disable_timing: {int(cut.sum())} timing arcs and {int(dropped.sum())} checks "
            "switched off",
        )

    def _set_gating_margins(self) -> None:
        """``check_fixed_margin_ps`` float64 (n_checks, 2): the (setup, hold) margin of each
        check without a library table: ``set_clock_gating_check`` on the inferred gating
        checks, the most specific that sets the field winning (the enable pin, its instance,
        the gating pin's clock, the design; the last command on one level), as OpenSTA."""
        graph = self.graph
        self.check_fixed_margin_ps = np.zeros((graph.check_clock_pin.size, 2))
        commands = self.constraints.clock_gating_checks
        gating = np.flatnonzero(
            (graph.check_kind == CHECK_GATING_SETUP) | (graph.check_kind == CHECK_GATING_HOLD)
        )
        if not commands or gating.size == 0:
            return
        netlist = graph.netlist
        names = self.constraints.clock_names
        for c in gating.tolist():
            setup = graph.check_kind[c] == CHECK_GATING_SETUP
            clock = int(self.check_capture_clock[c])
            pin = int(graph.check_clock_pin[c])
            clocks = {
                names[k]
                for k, network in self.clock_networks.items()
                if (clock < 0 or k == clock) and network[pin]
            }
            levels = (
                {("pin", netlist.pin_name(int(graph.check_data_pin[c])))},
                {("cell", netlist.inst_names[int(graph.check_inst[c])])},
                {("clock", name) for name in clocks},
            )
            margin = None
            for level in (*levels, None):
                for command in commands:
                    value = command.setup_ps if setup else command.hold_ps
                    on_level = (
                        not command.objects
                        if level is None
                        else any(ref in level for ref in command.objects)
                    )
                    if value is not None and on_level:
                        margin = value
                if margin is not None:
                    break
            self.check_fixed_margin_ps[c, 0 if setup else 1] = margin or 0.0

    def _set_derates(self) -> None:
        """``set_timing_derate``: each arc's late and early delay factors in ``arc_mode``, by
        its kind (cell or net) and path (on a clock network or data); ``check_derate`` float64
        (n_checks, 2) (late, early) of each check's library setup/hold margin."""
        graph = self.graph
        factors = self.constraints.derate_factors
        named = self.constraints.object_derates
        self.check_derate = np.repeat(factors[2, 0][None, :], graph.check_clock_pin.size, 0)
        if named:
            # library margins: an instance's own -cell_check derate over its library cell's
            check_inst = graph.check_inst.astype(np.int64)
            for master, table in named.lib_cells.items():
                mine = self.inst_master[np.maximum(check_inst, 0)] == graph.netlist.masters.get(
                    master
                )
                _override(self.check_derate, np.flatnonzero(mine & (check_inst >= 0)), table[2, 0])
            for index, table in named.instances.items():
                _override(self.check_derate, np.flatnonzero(check_inst == index), table[2, 0])
        if (factors[:2] == 1.0).all() and not named:
            return
        kind = np.where(graph.arc_kind == 0, 1, 0)
        path = (self.clock_network[graph.arc_from] & self.clock_network[graph.arc_to]).astype(
            np.int64
        )
        arc_factors = factors[kind, path, :]  # (n_arcs, 2): late, early
        if named:
            # The most specific level that sets a factor wins: a library cell's over the
            # design's, an instance's over its library cell's; a net's over the design's.
            netlist = graph.netlist
            cell_arcs = graph.arc_kind != 0
            inst = np.where(cell_arcs, graph.arc_inst, -1)
            for master, table in named.lib_cells.items():
                master_id = netlist.masters.get(master)
                arcs = np.flatnonzero(
                    cell_arcs & (self.inst_master[np.maximum(inst, 0)] == master_id)
                )
                _override(arc_factors, arcs, table[0, path[arcs], :])
            if named.instances:
                by_inst = np.argsort(inst, kind="stable")
                for index, table in named.instances.items():
                    lo, hi = np.searchsorted(inst[by_inst], [index, index + 1])
                    arcs = by_inst[lo:hi]
                    _override(arc_factors, arcs, table[0, path[arcs], :])
            if named.nets:
                wire_net = np.where(cell_arcs, -1, netlist.pin_net[graph.arc_from])
                for index, table in named.nets.items():
                    arcs = np.flatnonzero(wire_net == index)
                    _override(arc_factors, arcs, table[1, path[arcs], :])
        self._full_arc_mode()[:, :2] = arc_factors

    def _cut_data_into_clock_networks(self) -> None:
        """Cut the cell arcs from data into a clock network (a clock gate's enable into its
        output, a clock mux's select): only the clock travels on the network, as in OpenSTA.

        Otherwise a gating signal's arrival (a latch opened by the clock's falling edge, then
        the gate's delay into a thousand register clock pins) reached the registers as their
        clock. An enable of an AND/OR-type gate gets clock gating setup and hold checks
        instead (``timing/gating.py``); other such inputs (a clock mux's select) are not
        timed (STA-0041).
        """
        graph = self.graph
        network = self.clock_network
        cut = (
            network[graph.arc_to]
            & ~network[graph.arc_from]
            & (graph.arc_kind != 0)
            & (graph.arc_timing_type == 0)
        )
        looped = graph.loop_cut_arcs
        looped = looped[network[looped[:, 1]] & ~network[looped[:, 0]]]
        if not cut.any() and not looped.size:
            return
        self.arc_cut |= cut
        graph.arc_delay_table[cut] = -1
        arcs = np.flatnonzero(cut)
        candidates = np.concatenate(
            [np.stack([graph.arc_from[arcs], graph.arc_to[arcs], graph.arc_inst[arcs]], 1), looped]
        ).astype(np.int64)
        clock_pins, enable_pins, kinds, clock_rf = gating_checks(
            graph, self.libraries, candidates, network
        )
        if enable_pins.size:
            _append_checks(
                graph,
                check_clock_pin=clock_pins,
                check_data_pin=enable_pins,
                check_kind=kinds,
                check_clock_rf=clock_rf,
                check_table=np.full((kinds.size, 2), -1),
                check_inst=graph.netlist.pin_inst[enable_pins],
            )
            self.log.info(
                "STA-0047",
                f"{np.unique(enable_pins).size} clock gate enables get clock gating checks",
            )
        inputs = np.setdiff1d(np.unique(graph.arc_from[arcs]), enable_pins)
        if inputs.size:
            self.log.warn(
                "STA-0041",
                f"{inputs.size} data inputs of clock-network cells (clock muxes, gates of no "
                f"AND/OR type: {_some_pins(graph, inputs)}) are not timed",
            )

    def _split_shared_clock_checks(self, clock_pins: np.ndarray) -> None:
        """A check whose clock pin several clocks reach (a clock mux with a free select) is
        made once per clock, as OpenSTA checks each: ``check_capture_clock`` int64 (n_checks,)
        names the capture clock of each copy (-1: whichever reaches the pin, one clock).
        The endpoints read that clock's arrival at the pin from its first launch pass."""
        graph = self.graph
        self.check_capture_clock = np.full(graph.check_clock_pin.size, -1, dtype=np.int64)
        if len(self.clock_networks) < 2:
            return
        clocks = sorted(self.clock_networks)
        reach = np.stack([self.clock_networks[k] for k in clocks])  # (n_clocks, n_pins)
        shared = clock_pins & (reach.sum(axis=0) > 1)
        checks = np.flatnonzero(shared[graph.check_clock_pin])
        if checks.size == 0:
            return
        copies: list[int] = []
        capture: list[int] = []
        for c in checks.tolist():
            reaching = [k for row, k in enumerate(clocks) if reach[row, graph.check_clock_pin[c]]]
            self.check_capture_clock[c] = reaching[0]
            for k in reaching[1:]:
                copies.append(c)
                capture.append(k)
        index = np.asarray(copies, dtype=np.int64)
        _append_checks(graph, **{name: getattr(graph, name)[index] for name in _CHECK_ARRAYS})
        self.check_capture_clock = np.concatenate(
            [self.check_capture_clock, np.asarray(capture, dtype=np.int64)]
        )
        pins = np.unique(graph.check_clock_pin[checks])
        self.log.info(
            "STA-0048",
            f"{pins.size} register clock pins are reached by more than one clock "
            f"({_some_pins(graph, pins)}): their checks are made against each clock",
        )

    def _generated_source(self, clock: int, pins: np.ndarray) -> None:
        """A generated clock's source pins carry that clock only.

        On a cell output (a divider register's Q) the cell arcs keep their delays and slews
        (a data path from the pin sees its real slew, and a propagated generated clock its
        master's latency), but the master clock's arrival stops there: the Timer blocks the
        pins in every other clock's passes. On a cell input pin the wire into it is kept
        (with a warning).
        """
        graph = self.graph
        arcs = gather_csr(graph.pin_in_indptr, graph.pin_in_arcs, pins)
        wires = arcs[graph.arc_kind[arcs] == 0]
        if wires.size:
            self.log.warn(
                "STA-0017",
                f"generated clock {self.constraints.clock_names[clock]} is defined on a cell "
                "input pin; the master clock's arrival there is not cut",
            )
        cells = np.unique(graph.arc_to[arcs[graph.arc_kind[arcs] != 0]])
        if cells.size:
            self.generated_sources[clock] = cells

    def _clock_network(self, sources: np.ndarray, clock_pins: np.ndarray) -> np.ndarray:
        """Pins on combinational paths (wires, combinational cell arcs) from ``sources`` to
        register clock pins (``clock_pins`` bool (n_pins,)), and the sources; a clock that
        also reaches data pins is data there (with real delays), as in OpenSTA."""
        graph = self.graph
        forward = combinational_reach(graph, sources)
        reached = np.zeros(graph.n_pins, dtype=bool)
        frontier = np.flatnonzero(forward & clock_pins)
        reached[frontier] = True
        while frontier.size:
            arcs = gather_csr(graph.pin_in_indptr, graph.pin_in_arcs, frontier)
            arcs = arcs[graph.arc_timing_type[arcs] == 0]
            origins = np.unique(graph.arc_from[arcs])
            frontier = origins[forward[origins] & ~reached[origins]]
            reached[frontier] = True
        reached[sources] = True
        return reached

    def _apply_driving_cells(self, *, skip: np.ndarray) -> None:
        """Add ``set_driving_cell`` delays and slews to input port sources: the driving cell's
        delay into the port's load less its delay into no load, and its slew at that load.

        Not on the sources of ideal clocks (``skip``, bool (n_pins,)): an ideal clock reaches
        its registers at its edge plus its ideal latency, with its ideal slew, as in OpenSTA.
        ``set_driving_cell [all_inputs]`` takes in the clock port too, and the driving cell's
        delay into the unbuffered clock net (ns on a large design) was added to every launch
        and capture.
        """
        graph = self.graph
        # [pin, rf] -> (late, early) delay added to the input arrivals (for per-clock passes).
        self.drive_delay_ps = np.zeros((graph.n_pins, 2, 2))
        for pin, (
            cell_name,
            out_pin,
            from_pin,
            transition,
        ) in self.constraints.driving_cells.items():
            if skip[pin]:
                continue
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
                delays: list[float] = []
                slews: list[float] = []
                for arc in arcs:
                    for in_rf in range(2):
                        table = arc.delay_tables[in_rf][rf]
                        if table < 0:
                            continue
                        # Only the delay the port's load adds: the input delay already
                        # holds the driver's own (zero-load) delay, as in OpenSTA/PrimeTime.
                        delays.append(
                            graph.tables.lookup(table, in_slew, load)
                            - graph.tables.lookup(table, in_slew, 0.0)
                        )
                        slew_table = arc.slew_tables[in_rf][rf]
                        if slew_table >= 0:
                            slews.append(graph.tables.lookup(slew_table, in_slew, load))
                if delays:
                    self.source_arrival_max[pin, rf] += max(delays)
                    self.source_arrival_min[pin, rf] += min(delays)
                    self.drive_delay_ps[pin, rf] = (max(delays), min(delays))
                if slews:
                    self.source_slew_ps[pin, rf] = max(slews)
                    self.source_slew_min_ps[pin, rf] = min(slews)


_CHECK_ARRAYS = (
    "check_clock_pin",
    "check_data_pin",
    "check_kind",
    "check_clock_rf",
    "check_table",
    "check_inst",
)


def _append_checks(graph: TimingGraph, **rows: np.ndarray) -> None:
    """Append checks to ``graph``'s check arrays (one keyword per array, same length)."""
    for name in _CHECK_ARRAYS:
        array = getattr(graph, name)
        setattr(graph, name, np.concatenate([array, np.asarray(rows[name]).astype(array.dtype)]))


def _some_pins(graph: TimingGraph, pins: np.ndarray) -> str:
    """The first three of ``pins`` by name, "..." when there are more."""
    shown = ", ".join(graph.netlist.pin_name(int(pin)) for pin in pins[:3])
    return shown + (" ..." if pins.size > 3 else "")


def _override(factors: np.ndarray, arcs: np.ndarray, values: np.ndarray) -> None:
    """Set ``factors[arcs]`` (float64 (k, 2)) to ``values`` where those are not NaN."""
    keep = np.isnan(values)
    factors[arcs] = np.where(keep, factors[arcs], values)
