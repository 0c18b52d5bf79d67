"""Level-sensitive latches: time borrowing through the transparent D->Q arc, as in OpenSTA.

A latch (a cell with a combinational D->Q arc, a clock-to-Q arc from its enable pin, and a
setup check on D against the enable's closing edge) passes data through D->Q only while it is
open. ``LatchesMixin`` (part of ``Timer``) keeps D->Q out of the propagation kernels (the D
pins are blocked) and instead, after each forward sweep, makes Q a source: a D arrival after
the opening edge continues from Q (borrowing time from the next stage, at most up to the
closing edge less the setup time), launched by the opening edge. The D setup check then
requires the data at the opening edge, or at its arrival while it borrows, or at the closing
edge less setup when it borrows more than it may (OpenSTA's "time borrowed" required time).
"""

from __future__ import annotations

import numpy as np

from tapeout.timing._kernels.lookup import lookup_table
from tapeout.timing.graph import ARC_CELL, CHECK_SETUP
from tapeout.timing.passes import LaunchPass

MAX_LATCH_ITERATIONS = 16


class LatchesMixin:
    """Latch discovery, borrowed Q sources and latch D setup checks of ``Timer``."""

    def _find_latches(self) -> None:
        """Latch D->Q arcs: ``latch_arc``, ``latch_d``, ``latch_q``, ``latch_gate``,
        ``latch_open_rf`` (the enable transition that opens it), ``latch_check`` (the D setup
        check against the closing edge), all int64 (n_latches,); ``latch_d_pin`` bool
        (n_pins,)."""
        graph = self.graph
        n_pins = graph.n_pins
        setup = np.flatnonzero(graph.check_kind == CHECK_SETUP)
        check_of = {
            (int(graph.check_data_pin[c]), int(graph.check_clock_pin[c])): int(c) for c in setup
        }
        is_data = np.zeros(n_pins, dtype=bool)
        is_data[graph.check_data_pin[setup]] = True
        cell = graph.arc_kind == ARC_CELL
        enable_of: dict[int, tuple[int, int]] = {}
        for a in np.flatnonzero(
            cell & ((graph.arc_timing_type == 1) | (graph.arc_timing_type == 2))
        ):
            enable_of[int(graph.arc_to[a])] = (
                int(graph.arc_from[a]),
                0 if graph.arc_timing_type[a] == 1 else 1,
            )
        rows = []
        for a in np.flatnonzero(cell & (graph.arc_timing_type == 0) & is_data[graph.arc_from]):
            d, q = int(graph.arc_from[a]), int(graph.arc_to[a])
            if q not in enable_of:
                continue
            gate, open_rf = enable_of[q]
            check = check_of.get((d, gate))
            if check is not None:
                rows.append((int(a), d, q, gate, open_rf, check))
        table = np.asarray(rows, dtype=np.int64).reshape(-1, 6)
        (
            self.latch_arc,
            self.latch_d,
            self.latch_q,
            self.latch_gate,
            self.latch_open_rf,
            self.latch_check,
        ) = (table[:, k].copy() for k in range(6))
        self.latch_d_pin = np.zeros(n_pins, dtype=bool)
        self.latch_d_pin[self.latch_d] = True

    def _latch_windows(
        self, latches: np.ndarray, launch_tag: np.ndarray, data_rf: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """For latches (int64 (k,)) and data launched at ``launch_tag`` (int64 (k,), >= 0)
        with transition ``data_rf``: (opening time, latest allowed D arrival = closing edge
        less setup and uncertainty, frame shift from the launch to the opening edge's tag,
        opening tag), ps / int64, in the launch's frame."""
        graph, resolved = self.graph, self.constraints
        gate = self.latch_gate[latches]
        open_rf = self.latch_open_rf[latches]
        checks = self.latch_check[latches]
        close_rf = graph.check_clock_rf[checks].astype(np.int64)
        open_tag = self.tag_max[gate, open_rf]
        close_tag = self.tag_min[gate, close_rf]
        valid = (open_tag >= 0) & (close_tag >= 0)
        open_tag = np.maximum(open_tag, 0)
        close_tag = np.maximum(close_tag, 0)
        edge = resolved.edge_time_ps
        period = resolved.clock_period_ps[close_tag // 2]
        width = np.mod(edge[close_tag] - edge[open_tag], period)
        width = np.where(width <= 0.0, period, width)
        close_edge = edge[launch_tag] + resolved.setup_relation_ps[launch_tag, close_tag]
        close_latency = self.arrival_min_ps[gate, close_rf] - edge[close_tag]
        open_latency = self.arrival_max_ps[gate, open_rf] - edge[open_tag]
        open_edge = close_edge - width
        margin = np.zeros(latches.size)
        arrays = graph.tables.arrays()
        for i, c in enumerate(checks.tolist()):
            table = graph.check_table[c, data_rf[i]]
            if table >= 0:
                margin[i] = lookup_table(
                    table,
                    self.slew_min_ps[gate[i], close_rf[i]],
                    self.slew_max_ps[self.latch_d[latches[i]], data_rf[i]],
                    *arrays,
                )
        own = resolved.uncertainty_setup_ps[-1]  # the closing clock's own uncertainty
        latest = close_edge + close_latency - margin - own[close_tag // 2]
        opening = np.where(valid, open_edge + open_latency, np.nan)
        # set_max_time_borrow: D may pass the opening edge by at most that much
        latest = np.fmin(latest, opening + self._max_borrow_ps(latches, open_tag // 2))
        return opening, np.where(valid, latest, np.nan), open_edge - edge[open_tag], open_tag

    def _max_borrow_ps(self, latches: np.ndarray, clocks: np.ndarray) -> np.ndarray:
        """``set_max_time_borrow`` of latches (int64 (k,)) opened by ``clocks`` (int64 (k,)):
        the most specific that names one (its D or enable pin, its instance, its enable's
        clock; OpenSTA takes no design-wide limit), NaN where none does."""
        limits = self.constraints.max_time_borrow_ps
        result = np.full(latches.size, np.nan)
        if not limits:
            return result
        netlist = self.netlist
        names = self.constraints.clock_names
        for i, latch in enumerate(latches.tolist()):
            d, gate = int(self.latch_d[latch]), int(self.latch_gate[latch])
            for ref in (
                ("pin", netlist.pin_name(d)),
                ("pin", netlist.pin_name(gate)),
                ("cell", netlist.inst_names[int(netlist.pin_inst[d])]),
                ("clock", names[int(clocks[i])] if 0 <= clocks[i] < len(names) else ""),
            ):
                if ref in limits:
                    result[i] = limits[ref]
                    break
        return result

    def _latch_sources(self, launch: LaunchPass) -> np.ndarray:
        """Set the borrowed Q sources of ``launch`` from its D arrivals; the Q pins whose
        sources changed (int64)."""
        n = self.latch_arc.size
        new_max = np.full((n, 2), -np.inf)
        new_min = np.full((n, 2), np.inf)
        new_tag = np.full((n, 2), -1, dtype=np.int64)
        new_tag_min = np.full((n, 2), -1, dtype=np.int64)
        latches = np.arange(n)
        for in_rf in range(2):
            for late in (True, False):
                arrivals = launch.arrival_max if late else launch.arrival_min
                tags = launch.tag_max if late else launch.tag_min
                arrival = arrivals[self.latch_d, in_rf]
                tag = tags[self.latch_d, in_rf]
                live = (tag >= 0) & np.isfinite(arrival)
                if not live.any():
                    continue
                rows = latches[live]
                opening, latest, shift, open_tag = self._latch_windows(
                    rows, tag[live], np.full(rows.size, in_rf)
                )
                data = arrival[live]
                borrowing = data > opening
                passed = np.minimum(data, latest) if late else data
                delays = self.arc_delay_max_ps if late else self.arc_delay_min_ps
                for rf in range(2):
                    delay = delays[self.latch_arc[rows], in_rf, rf]
                    value = passed + delay - shift
                    ok = borrowing & ~np.isnan(delay) & ~np.isnan(value)
                    if late:
                        better = ok & (value > new_max[rows, rf])
                        new_max[rows[better], rf] = value[better]
                        new_tag[rows[better], rf] = open_tag[better]
                    else:
                        better = ok & (value < new_min[rows, rf])
                        new_min[rows[better], rf] = value[better]
                        new_tag_min[rows[better], rf] = open_tag[better]
        q = self.latch_q
        changed = (
            ~np.isclose(launch.source_max[q], new_max, atol=1e-9, rtol=0)
            & ~(np.isinf(launch.source_max[q]) & np.isinf(new_max))
        ).any(axis=1) | (
            ~np.isclose(launch.source_min[q], new_min, atol=1e-9, rtol=0)
            & ~(np.isinf(launch.source_min[q]) & np.isinf(new_min))
        ).any(axis=1)
        launch.source_max[q] = new_max
        launch.source_min[q] = new_min
        launch.source_tag[q] = new_tag
        launch.source_tag_min[q] = new_tag_min
        return np.unique(q[changed])

    def _settle_latches(self, visited: np.ndarray) -> None:
        """Borrow through open latches until no Q source moves; marks re-timed pins in
        ``visited`` (bool (n_pins,))."""
        if not self.latch_arc.size:
            return
        for _ in range(MAX_LATCH_ITERATIONS):
            self._combine_passes()
            moved = False
            for launch in self.passes:
                seeds = self._latch_sources(launch)
                if seeds.size:
                    moved = True
                    visited[seeds] = True
                    reached, _ = self._propagate_from(seeds, launch)
                    visited[reached] = True
            if not moved:
                break
        else:
            self.log.warn("STA-0019", "latch time borrowing did not settle (a latch loop?)")
        self._combine_passes()

    def _latch_check_required(self, launch: LaunchPass, checks: np.ndarray) -> None:
        """OpenSTA's latch D setup requirement for the checks of ``checks`` that are latch
        checks: the opening edge, the arrival while borrowing, at most the closing edge less
        setup (the kernel's closing-edge requirement)."""
        if not self.latch_arc.size:
            return
        position = np.full(self.graph.check_clock_pin.size, -1, dtype=np.int64)
        position[self.latch_check] = np.arange(self.latch_check.size)
        latches = position[checks]
        rows = checks[latches >= 0]
        latches = latches[latches >= 0]
        for rf in range(2):
            d = self.latch_d[latches]
            tag = launch.tag_max[d, rf]
            required = launch.check_required[rows, rf]
            live = (tag >= 0) & ~np.isnan(required)
            if not live.any():
                continue
            opening, latest, _, _ = self._latch_windows(
                latches[live], tag[live], np.full(int(live.sum()), rf)
            )
            arrival = launch.arrival_max[d[live], rf]
            late = np.fmin(required[live], latest)  # a borrow limit can come first
            new = np.where(arrival <= opening, opening, np.minimum(arrival, late))
            launch.check_required[rows[live], rf] = new
            launch.check_slack[rows[live], rf] = new - arrival
