"""Launch passes: one arrival propagation per launching clock and set of path exceptions.

``LaunchPass`` holds the arrays of one pass; ``PassesMixin`` (part of ``Timer``) builds the
passes from the resolved constraints, merges their arrivals, and finds the pass holding an
endpoint's worst path.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tapeout.timing.graph import CHECK_HOLD, CHECK_REMOVAL


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


class PassesMixin:
    """Pass construction and merging of ``Timer`` (uses its graph, constraints and arrays)."""

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
