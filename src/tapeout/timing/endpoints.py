"""Endpoint evaluation: setup/hold checks and output delays per launch pass, with the
false/multicycle exceptions that apply to each pass, merged into endpoint required times.
"""

from __future__ import annotations

import numpy as np

from tapeout.timing._kernels.checks import evaluate_checks
from tapeout.timing.constraints import PATH_DELAY_TAG
from tapeout.timing.exceptions import EXCEPTION_TYPE_PRIORITY, TO_PINS_PRIORITY
from tapeout.timing.graph import early_checks
from tapeout.timing.passes import LaunchPass, gather_csr


class EndpointsMixin:
    """Check and output-delay evaluation of ``Timer``."""

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
        shift_setup = np.zeros((graph.check_clock_pin.size, 2))
        shift_hold = np.zeros((graph.check_clock_pin.size, 2))
        data = graph.check_data_pin[checks]
        capture_period = np.zeros(checks.size)
        self._check_clock_arrivals()
        capture_tag = self.tag_min[graph.check_clock_pin[checks], graph.check_clock_rf[checks]]
        rows = self.check_override[checks]
        split = rows >= 0
        capture_tag[split] = self.override_tag_min[rows[split], graph.check_clock_rf[checks[split]]]
        if checks.size and period.size:
            capture_period = period[np.minimum(np.maximum(capture_tag, 0) // 2, period.size - 1)]
        late_check = ~early_checks(graph.check_kind[checks])
        for launch in self.passes[: self.n_clocked_passes]:
            multiplier, hold_shift, false_setup, false_hold, max_delay, min_delay = (
                self._pass_exceptions(
                    launch, data, capture_tag, (launch.tag_max[data], launch.tag_min[data])
                )
            )
            shift_setup[checks] = (multiplier - 1) * capture_period[:, None]
            shift_hold[checks] = hold_shift * capture_period[:, None]
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
                resolved.gated_hold_relation_ps,
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
                self.check_override,
                self.override_arrival_max_ps,
                self.override_arrival_min_ps,
                self.override_tag_max,
                self.override_tag_min,
                launch.check_required,
                launch.check_slack,
                launch.check_margin,
                self.check_derate,
                self.check_fixed_margin_ps,
            )
            self._latch_check_required(launch, checks)
            self._path_delay_checks(launch, checks, late_check, max_delay, min_delay)
            late = late_check[:, None]
            false = (false_setup & late) | (false_hold & ~late)
            if launch.moved is not None:  # those paths are checked in -through child passes
                false |= launch.moved[data]
            rows, columns = np.nonzero(false)
            launch.check_required[checks[rows], columns] = np.nan
            launch.check_slack[checks[rows], columns] = np.nan
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
        pins = np.union1d(data_pins, self.output_feed)
        new_max = np.full((pins.size, 2), np.inf)
        new_min = np.full((pins.size, 2), -np.inf)
        late = ~early_checks(graph.check_kind[checks])
        rows = np.searchsorted(pins, graph.check_data_pin[checks])
        for rf in range(2):
            required = self.check_required_ps[checks, rf]
            valid = ~np.isnan(required)
            np.minimum.at(new_max[:, rf], rows[valid & late], required[valid & late])
            np.maximum.at(new_min[:, rf], rows[valid & ~late], required[valid & ~late])
        self._evaluate_outputs()
        out_rows = np.searchsorted(pins, self.output_feed)
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

    def _check_clock_arrivals(self) -> None:
        """The capture clock's arrival at the clock pin of each check made against one of
        several clocks there (``check_capture_clock``), read from that clock's first launch
        pass: ``check_override`` int64 (n_checks,) is the row of a check in
        ``override_arrival_max_ps`` … ``override_tag_min`` ((k, 2) each), -1 for the checks
        that read the merged arrays at their clock pin (the rest)."""
        graph = self.graph
        chosen = self.override_checks
        n = chosen.size
        self.override_arrival_max_ps = np.full((n, 2), -np.inf)
        self.override_arrival_min_ps = np.full((n, 2), np.inf)
        self.override_tag_max = np.full((n, 2), -1, dtype=np.int64)
        self.override_tag_min = np.full((n, 2), -1, dtype=np.int64)
        for clock, index in self.first_pass.items():
            rows = np.flatnonzero(self.check_capture_clock[chosen] == clock)
            if rows.size == 0:
                continue
            launch = self.passes[index]
            at = graph.check_clock_pin[chosen[rows]]
            self.override_arrival_max_ps[rows] = launch.arrival_max[at]
            self.override_arrival_min_ps[rows] = launch.arrival_min[at]
            self.override_tag_max[rows] = launch.tag_max[at]
            self.override_tag_min[rows] = launch.tag_min[at]

    def capture_at(self, check: int, late: bool) -> tuple[np.ndarray, np.ndarray]:
        """(tag int64 (2,), arrival ps float64 (2,)) of the capture clock at ``check``'s clock
        pin: the earliest arrival for a late (setup-like) check, the latest for an early one."""
        row = int(self.check_override[check])
        if row >= 0:
            if late:
                return self.override_tag_min[row], self.override_arrival_min_ps[row]
            return self.override_tag_max[row], self.override_arrival_max_ps[row]
        pin = int(self.graph.check_clock_pin[check])
        if late:
            return self.tag_min[pin], self.arrival_min_ps[pin]
        return self.tag_max[pin], self.arrival_max_ps[pin]

    def _pass_exceptions(
        self,
        launch: LaunchPass,
        pins: np.ndarray,
        capture_tag: np.ndarray,
        launch_tags: tuple[np.ndarray, np.ndarray],
    ) -> tuple[np.ndarray, ...]:
        """(setup multiplier, hold shift in periods, false for setup, false for hold, max
        delay ps, min delay ps (NaN: none)), each (k, 2) by data transition, at endpoint
        ``pins`` (int64 (k,)) captured at ``capture_tag`` (int64 (k,), -1 none) for the paths
        of ``launch``, whose launch tags at the pins are ``launch_tags`` (late, early: int64
        (k, 2)).

        As in OpenSTA, each check takes the highest-priority exception that matches (the
        ``-to`` pin exceptions and the pass's exceptions): a setup check the false paths for
        setup and the setup multicycles; a hold check the false paths for hold and every
        multicycle, whose hold edge moves ``setup - 1 - hold`` periods. An exception naming
        a transition (``-rise_to`` ...) matches only the paths with it.
        """
        resolved = self.constraints
        capture_clock = np.where(capture_tag >= 0, capture_tag // 2, -1)

        def by_rf(values: np.ndarray) -> np.ndarray:
            return np.repeat(values[:, None], 2, axis=1)

        base_false = by_rf(resolved.false_endpoints[pins])
        multiplier = by_rf(resolved.multicycle_setup[pins])
        hold_multiplier = by_rf(resolved.multicycle_hold[pins])
        hold_setup_multiplier = multiplier.copy()
        to_pins = EXCEPTION_TYPE_PRIORITY["multicycle_path"] + TO_PINS_PRIORITY
        base_priority = np.where(
            base_false,
            EXCEPTION_TYPE_PRIORITY["false_path"] + TO_PINS_PRIORITY,
            np.where((multiplier != 1) | (hold_multiplier != 0), to_pins, -1),
        )
        setup_priority = base_priority.copy()
        hold_priority = base_priority.copy()
        false_setup = base_false.copy()
        false_hold = base_false.copy()
        max_delay = np.full((pins.size, 2), np.nan)
        min_delay = np.full((pins.size, 2), np.nan)
        for index in launch.exceptions:
            exception = resolved.from_exceptions[index]
            hit = by_rf(
                np.ones(pins.size, dtype=bool)
                if exception.targets is None
                else exception.targets[pins].copy()
            )
            if exception.to_clocks is not None:
                hit &= np.isin(capture_clock, list(exception.to_clocks))[:, None]
            if exception.capture_rf is not None:
                hit &= (capture_tag % 2 == exception.capture_rf)[:, None]
            if exception.data_rf is not None:
                hit[:, 1 - exception.data_rf] = False
            hit_setup, hit_hold = hit, hit
            if exception.launch_rf is not None:
                late_tags, early_tags = launch_tags
                hit_setup = hit & (late_tags >= 0) & (late_tags % 2 == exception.launch_rf)
                hit_hold = hit & (early_tags >= 0) & (early_tags % 2 == exception.launch_rf)
            multicycle = (
                exception.multicycle_setup is not None or exception.multicycle_hold is not None
            )
            late = exception.max_delay_ps
            early = exception.min_delay_ps
            if exception.false_setup or exception.multicycle_setup is not None or late is not None:
                win = hit_setup & (exception.priority >= setup_priority)
                setup_priority[win] = exception.priority
                false_setup[win] = exception.false_setup
                multiplier[win] = exception.multicycle_setup or 1
                max_delay[win] = np.nan if late is None else late
            if exception.false_hold or multicycle or early is not None:
                win = hit_hold & (exception.priority >= hold_priority)
                hold_priority[win] = exception.priority
                false_hold[win] = exception.false_hold
                hold_setup_multiplier[win] = exception.multicycle_setup or 1
                hold_multiplier[win] = exception.multicycle_hold or 0
                min_delay[win] = np.nan if early is None else early
        hold_shift = hold_setup_multiplier - 1 - hold_multiplier
        return multiplier, hold_shift, false_setup, false_hold, max_delay, min_delay

    def _path_delay_checks(
        self,
        launch: LaunchPass,
        checks: np.ndarray,
        late_check: np.ndarray,
        max_delay: np.ndarray,
        min_delay: np.ndarray,
    ) -> None:
        """``set_max_delay``/``set_min_delay`` at checks (int64 (k,); ``late_check`` bool
        (k,) setup/recovery; delays ps float64 (k, 2) by data transition, NaN none): required
        = launch edge + delay less the setup time / plus the hold time, as OpenSTA (no
        capture clock)."""
        edge_time = self.constraints.edge_time_ps
        data = self.graph.check_data_pin[checks]
        for late, delays in ((True, max_delay), (False, min_delay)):
            tags = launch.tag_max if late else launch.tag_min
            arrivals = launch.arrival_max if late else launch.arrival_min
            for rf in range(2):
                rows = np.flatnonzero(~np.isnan(delays[:, rf]) & (late_check == late))
                if rows.size == 0:
                    continue
                tag = tags[data[rows], rf]
                margin = launch.check_margin[checks[rows], rf]
                valid = (tag >= 0) & ~np.isnan(margin)
                base = edge_time[np.maximum(tag, 0)] + delays[rows, rf]
                required = np.where(valid, base - margin if late else base + margin, np.nan)
                arrival = arrivals[data[rows], rf]
                launch.check_required[checks[rows], rf] = required
                launch.check_slack[checks[rows], rf] = (
                    required - arrival if late else arrival - required
                )

    def _output_required(
        self,
        tag_max: np.ndarray,
        tag_min: np.ndarray,
        launch: LaunchPass,
        output_set: tuple[np.ndarray, np.ndarray, np.ndarray],
    ) -> tuple[np.ndarray, np.ndarray]:
        """Required times (ps, (n_outputs, 2)) at output ports for launches ``tag_*`` of the
        pass ``launch`` against one set of output delays (``ResolvedConstraints.output_sets``;
        NaN at ports it does not constrain)."""
        resolved = self.constraints
        pins = self.output_pins
        set_tags, set_max, set_min = output_set
        constrained = set_tags[pins] >= 0
        capture = np.where(constrained, set_tags[pins], resolved.output_tag[pins])
        feed = self.output_feed
        multiplier, hold_shift, false_setup, false_hold, max_delay, min_delay = (
            self._pass_exceptions(
                launch, pins, np.where(capture >= 0, capture, -1), (tag_max[feed], tag_min[feed])
            )
        )
        if launch.moved is not None:  # those paths are checked in -through child passes
            false_setup = false_setup | launch.moved[feed]
            false_hold = false_hold | launch.moved[feed]
        # a port only a path delay constrains is checked where one applies (no capture clock)
        path_only = (set_tags[pins] == PATH_DELAY_TAG)[:, None]
        unconstrained = ~constrained[:, None]
        false_setup = false_setup | (unconstrained & ~(path_only & ~np.isnan(max_delay)))
        false_hold = false_hold | (unconstrained & ~(path_only & ~np.isnan(min_delay)))
        clock = np.maximum(capture, 0) // 2
        n_clocks = resolved.clock_period_ps.size
        pick = np.minimum(clock, max(n_clocks - 1, 0))

        def by_clock(values: np.ndarray) -> np.ndarray:
            return values[pick] if n_clocks else np.zeros(pins.size)

        def uncertainty(matrix: np.ndarray, launch: np.ndarray) -> np.ndarray:
            if not n_clocks:
                return np.zeros(pins.size)
            return matrix[np.minimum(np.maximum(launch, 0) // 2, n_clocks), pick]

        period = by_clock(resolved.clock_period_ps)
        # the capture clock's latency (setup: its earliest, hold: its latest)
        latency_late = self.io_latency_ps(capture, late=False)
        latency_early = self.io_latency_ps(capture, late=True)
        required_max = np.full((pins.size, 2), np.nan)
        required_min = np.full((pins.size, 2), np.nan)
        for rf in range(2):
            launch = tag_max[feed, rf]
            ok = launch >= 0
            edge = resolved.edge_time_ps[np.maximum(launch, 0)]
            relation = resolved.setup_relation_ps[np.maximum(launch, 0), np.maximum(capture, 0)]
            shift = (multiplier[:, rf] - 1) * period
            required_max[:, rf] = np.where(
                ok,
                np.where(
                    np.isnan(max_delay[:, rf]),
                    edge
                    + relation
                    + shift
                    + latency_late
                    - uncertainty(resolved.uncertainty_setup_ps, launch),
                    edge + max_delay[:, rf],
                )
                - set_max[pins, rf],
                np.nan,
            )
            launch = tag_min[feed, rf]
            ok = launch >= 0
            edge = resolved.edge_time_ps[np.maximum(launch, 0)]
            relation = resolved.hold_relation_ps[np.maximum(launch, 0), np.maximum(capture, 0)]
            shift = hold_shift[:, rf] * period
            required_min[:, rf] = np.where(
                ok,
                np.where(
                    np.isnan(min_delay[:, rf]),
                    edge
                    + relation
                    + shift
                    + latency_early
                    + uncertainty(resolved.uncertainty_hold_ps, launch),
                    edge + min_delay[:, rf],
                )
                - set_min[pins, rf],
                np.nan,
            )
        required_max[false_setup] = np.nan
        required_min[false_hold] = np.nan
        return required_max, required_min

    def _evaluate_outputs(self) -> None:
        """Output-port required times and slacks: the worst over every launch pass.

        ``output_pass_max``/``output_pass_min`` (int64 (n_outputs, 2)) name the pass (index
        into ``passes``) holding the worst path of each output and transition, and
        ``output_set_max``/``output_set_min`` the set of output delays it is checked against
        (index into ``ResolvedConstraints.output_sets``: a port may have several clocks').
        """
        pins, feed = self.output_pins, self.output_feed
        slack_max_all, slack_min_all, required_max_all, required_min_all = [], [], [], []
        sets = self.constraints.output_sets
        for output_set in sets:
            for launch in self.passes:
                required_max, required_min = self._output_required(
                    launch.tag_max, launch.tag_min, launch, output_set
                )
                required_max_all.append(required_max)
                required_min_all.append(required_min)
                slack_max_all.append(required_max - launch.arrival_max[feed])
                slack_min_all.append(launch.arrival_min[feed] - required_min)
        if not sets:
            self.output_pass_max = self.output_set_max = np.zeros((pins.size, 2), np.int64)
            self.output_pass_min = self.output_set_min = np.zeros((pins.size, 2), np.int64)
            empty = np.full((pins.size, 2), np.nan)
            self.output_slack_max_ps = self.output_required_max_ps = empty
            self.output_slack_min_ps = self.output_required_min_ps = empty.copy()
            self.output_report_required_max_ps = self.output_required_max_ps
            self.output_report_required_min_ps = self.output_required_min_ps
            return
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
        n_passes = len(self.passes)
        (pick_max, self.output_slack_max_ps, self.output_required_max_ps) = results[0]
        (pick_min, self.output_slack_min_ps, self.output_required_min_ps) = results[1]
        self.output_set_max, self.output_pass_max = np.divmod(pick_max, n_passes)
        self.output_set_min, self.output_pass_min = np.divmod(pick_min, n_passes)
        self.output_report_required_max_ps = self.output_required_max_ps
        self.output_report_required_min_ps = self.output_required_min_ps
