"""Launch passes: one arrival propagation per launching clock and set of path exceptions.

``LaunchPass`` holds the arrays of one pass; ``PassesMixin`` (part of ``Timer``) builds the
passes from the resolved constraints, merges their arrivals, and finds the pass holding an
endpoint's worst path.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tapeout.timing.graph import early_checks, gather_csr

__all__ = ["LaunchPass", "PassesMixin", "gather_csr"]


@dataclass(eq=False)
class LaunchPass:
    """Arrivals of the paths one clock launches (``clock`` -1: unclocked input ports) from
    one group of start points, in one state of the ``-through`` exceptions.

    Sources and arrivals are float64 (n_pins, 2), tags and predecessors int64 (n_pins, 2);
    check results float64 (n_checks, 2) (unclocked passes check output ports only).

    Attributes:
        exceptions: indices of the ``from_exceptions`` that apply to every path of the pass.
        blocked: bool (n_pins, 2) by the arrival's transition: arrivals stop there (register
            clock pins of other start-point groups; pins where a path enters the next state
            of a ``-through`` exception, on the transition it names).
        moved: bool (n_pins, 2) or None: pins and transitions whose paths belong to child
            passes (a ``-through`` pin was passed there): their arrivals here are not checked.
        handoffs: (parent pass index, pins int64 (k,), transitions bool (k, 2)): the pass's
            sources are the parents' arrivals at those pins on those transitions (a path
            that passed a ``-through`` pin set).
        clocked: False for the passes of unclocked input ports.
        generated: (master pass index, pins int64 (k,)) for the pass launching a propagated
            generated clock: its sources at those pins follow the master's latency there.
        io_inputs: for such a pass, (late mask, early mask bool (n_pins, 2), late, early
            float64 (n_pins, 2)): its input-delay sources before the generated clock's source
            latency is added.
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
    source_tag_min: np.ndarray | None = None
    blocked: np.ndarray | None = None
    moved: np.ndarray | None = None
    handoffs: list[tuple[int, np.ndarray, np.ndarray]] = field(default_factory=list)
    clocked: bool = True
    generated: tuple[int, np.ndarray] | None = None
    io_inputs: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None
    moved_sources: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def __post_init__(self) -> None:
        if self.source_tag_min is None:
            self.source_tag_min = self.source_tag

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


class PassesMixin:
    """Pass construction and merging of ``Timer`` (uses its graph, constraints and arrays)."""

    def _build_passes(self) -> None:
        """One arrival pass per launching clock and group of start points, plus passes for
        unclocked input ports; each split further by the states of ``-through`` exceptions.

        With a single pass it uses the Timer's own arrays. Several passes keep their own, so
        that a pin reached from two clock domains (or start-point groups) keeps both arrivals;
        the Timer's arrays then hold the latest (max) / earliest (min) over the clocked passes.
        Unclocked paths (input ports without input delay) are checked at output ports only,
        as in OpenSTA. Slews and arc delays do not depend on the launch and are shared.

        Start points (input ports, register clock pins) named by the same set of ``-from``
        exceptions form a group, per transition at the pin (``-rise_from``/``-fall_from``
        name one: a port's data transition, a register clock pin's clock transition); a pass
        of group ``g`` launches from its input ports and from its register clock pins only
        (the others are blocked), so that every path belongs to exactly one pass and the
        pass's exceptions apply to all its paths.
        """
        graph, resolved = self.graph, self.constraints
        n_pins, n_checks = graph.n_pins, graph.check_clock_pin.size
        tags = self.source_tag
        exceptions = resolved.from_exceptions
        clock_source = np.zeros(n_pins, dtype=bool)
        for pins in resolved.clock_source_pins:
            clock_source[pins] = True
        unclocked = resolved.unclocked_inputs
        given = (tags >= 0).any(axis=1) | (self.source_tag_min >= 0).any(axis=1)
        startpoint = self.launch_pins | (given & ~clock_source)
        startpoint[unclocked] = True
        named_by: dict[tuple[int, int], list[int]] = {}
        for index, exception in enumerate(exceptions):
            pins = exception.from_pins
            if exception.from_registers:
                pins = np.union1d(pins, np.flatnonzero(self.launch_pins))
            valid = pins[startpoint[pins]]
            if valid.size == 0 and pins.size:
                self.log.warn(
                    "STA-0016",
                    f"exception -from names no path start point (input port or register clock "
                    f"pin), e.g. {self.netlist.pin_name(int(pins[0]))}; it applies to no path",
                )
            edges = (0, 1) if exception.start_rf is None else (exception.start_rf,)
            for pin in valid.tolist():
                for edge in edges:
                    named_by.setdefault((pin, edge), []).append(index)
        members: list[tuple[int, ...]] = [()]
        group_ids = {(): 0}
        group = np.zeros((n_pins, 2), dtype=np.int64)  # by the transition at the pin
        for point, indices in named_by.items():
            key = tuple(indices)
            if key not in group_ids:
                group_ids[key] = len(members)
                members.append(key)
            group[point] = group_ids[key]
        by_clock = resolved.input_by_clock
        keys = set()
        for clock, (_, _, clock_tags, clock_tags_min) in by_clock.items():
            given = ((clock_tags >= 0) | (clock_tags_min >= 0)) & ~clock_source[:, None]
            keys.update((clock, int(bits)) for bits in np.unique(group[given]).tolist())
        named_launch = self.launch_pins[:, None] & (group > 0)
        launch_groups: dict[int, set[int]] = {}
        for clock, network in self.clock_networks.items():
            keys.add((clock, 0))
            launch_groups[clock] = {int(g) for g in group[named_launch & network[:, None]]}
            keys.update((clock, g) for g in launch_groups[clock])
        blocking = bool(named_launch.any())

        def applying(clock: int, bits: int) -> tuple[int, ...]:
            return tuple(
                index
                for index, exception in enumerate(exceptions)
                if index in members[bits] or clock in exception.from_clocks or exception.from_all
            )

        generated = np.zeros(n_pins, dtype=bool)
        for pins in self.generated_sources.values():
            generated[pins] = True

        def blocked(clock: int, bits: int) -> np.ndarray | None:
            """Other groups' register clock pins; other clocks' generated-clock sources; the
            Timer's ``blocked_pins`` (latch D pins, internal path-delay endpoints)."""
            mask = self.launch_pins[:, None] & (group != bits) if blocking else None
            if generated.any():
                others = generated.copy()
                others[self.generated_sources.get(clock, [])] = False
                mask = others[:, None] if mask is None else mask | others[:, None]
            if mask is None:
                return None
            both = np.broadcast_to(mask | self.blocked_pins[:, None], (n_pins, 2))
            return np.ascontiguousarray(both)

        self.passes: list[LaunchPass] = []
        # propagated generated clock -> its source latency (late, early; float64 (2,) by edge)
        self.generated_latency: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        # clock -> its first pass (its sources, no start-point group): where a capture
        # clock's own arrival at a shared register clock pin is read
        self.first_pass: dict[int, int] = {}
        ordered = sorted(keys)
        simple = len(ordered) <= 1 and not any(
            exceptions[i].throughs for i in applying(*(ordered[0] if ordered else (-1, 0)))
        )
        if simple:
            clock, bits = ordered[0] if ordered else (-1, 0)
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
                    source_tag_min=self.source_tag_min,
                )
            )
        else:
            first_pass = self.first_pass
            for clock, bits in ordered:
                # The clock's sources, then input ports with its input delays (their own
                # arrivals, not the merged ones: a port may carry delays of several clocks).
                mine = np.zeros((n_pins, 2), dtype=bool)
                if clock in self.clock_networks and (bits == 0 or bits in launch_groups[clock]):
                    mine = (tags >= 0) & (tags // 2 == clock) & clock_source[:, None]
                sources = (
                    np.where(mine, self.source_arrival_max, -np.inf),
                    np.where(mine, self.source_arrival_min, np.inf),
                    np.where(mine, tags, -1),
                )
                tags_min = np.where(mine, self.source_tag_min, -1)
                if clock in by_clock:
                    late, early, clock_tags, clock_tags_min = by_clock[clock]
                    own = (group == bits) & (self.case_value < 0)[:, None] & ~clock_source[:, None]
                    inputs = own & (clock_tags >= 0)
                    inputs_min = own & (clock_tags_min >= 0)
                    sources = (
                        np.where(inputs, late + self.drive_delay_ps[:, :, 0], sources[0]),
                        np.where(inputs_min, early + self.drive_delay_ps[:, :, 1], sources[1]),
                        np.where(inputs, clock_tags, sources[2]),
                    )
                    tags_min = np.where(inputs_min, clock_tags_min, tags_min)
                    mine |= inputs | inputs_min
                else:
                    inputs = inputs_min = np.zeros((n_pins, 2), dtype=bool)
                launch = LaunchPass.empty(clock, sources, n_pins, n_checks, applying(clock, bits))
                launch.source_tag_min = tags_min
                launch.blocked = blocked(clock, bits)
                master = int(resolved.clock_master[clock]) if clock >= 0 else -1
                if (
                    master >= 0
                    and resolved.clock_propagated[clock]
                    and clock in self.generated_sources
                    and master in first_pass
                    and (mine[self.generated_sources[clock]]).any()
                ):
                    launch.generated = (first_pass[master], self.generated_sources[clock])
                    if inputs.any() or inputs_min.any():
                        launch.io_inputs = (
                            inputs,
                            inputs_min,
                            sources[0].copy(),
                            sources[1].copy(),
                        )
                first_pass.setdefault(clock, len(self.passes))
                self._add_through_passes(launch)
        self.n_clocked_passes = len(self.passes)
        self.check_pass = np.zeros((n_checks, 2), dtype=np.int64)
        self.track_unclocked = bool(unclocked.size and self.output_pins.size)
        self.unclocked_arrival_max_ps = np.zeros((0, 2))
        self.unclocked_arrival_min_ps = np.zeros((0, 2))
        if self.track_unclocked:
            for bits in sorted({int(g) for g in group[unclocked].ravel()}):
                rows, rfs = np.nonzero(group[unclocked] == bits)
                mine = (unclocked[rows], rfs)
                sources = (
                    np.full((n_pins, 2), -np.inf),
                    np.full((n_pins, 2), np.inf),
                    np.full((n_pins, 2), -1, dtype=np.int64),
                )
                sources[0][mine] = 0.0
                sources[1][mine] = 0.0
                sources[2][mine] = resolved.unclocked_tag
                launch = LaunchPass.empty(-1, sources, n_pins, 0, applying(-1, bits))
                launch.clocked = False
                launch.blocked = blocked(-1, bits)
                self._add_through_passes(launch)
            launch = self.passes[self.n_clocked_passes]
            self.unclocked_arrival_max_ps = launch.arrival_max
            self.unclocked_arrival_min_ps = launch.arrival_min
        if self.latch_arc.size:  # latches set max and min launch tags of their Q apart
            for launch in self.passes:
                if launch.source_tag_min is launch.source_tag:
                    launch.source_tag_min = launch.source_tag.copy()
        self.output_pass_max = np.zeros((0, 2), dtype=np.int64)
        self.output_set_max = np.zeros((0, 2), dtype=np.int64)
        self.output_set_min = np.zeros((0, 2), dtype=np.int64)
        self.output_pass_min = np.zeros((0, 2), dtype=np.int64)

    def _add_through_passes(self, base: LaunchPass) -> None:
        """Append ``base`` and, for its ``-through`` exceptions, one pass per reachable state.

        A state counts, per ``-through`` exception, the through lists a path has passed in
        order. Where a path of state ``s`` reaches a pin of an exception's next list (with the
        transition the list names, ``-rise_through``/``-fall_through``, or either), it leaves
        ``s`` (the pin and transition are blocked and ``moved`` in ``s``) and becomes a source
        of the pass of the next state. An exception applies to the passes where all its lists
        were passed. Parents come before their children in ``passes``.
        """
        exceptions = self.constraints.from_exceptions
        through = [i for i in base.exceptions if exceptions[i].throughs]
        if not through:
            self.passes.append(base)
            return
        plain = tuple(i for i in base.exceptions if not exceptions[i].throughs)
        lengths = [len(exceptions[i].throughs) for i in through]
        start = (0,) * len(through)
        # state -> next state -> the (pin, transition) pairs where a path moves there
        edges: dict[tuple[int, ...], dict[tuple[int, ...], list[tuple[int, int]]]] = {}
        pending = [start]
        while pending:
            state = pending.pop()
            if state in edges:
                continue
            advanced: dict[tuple[int, int], list[int]] = {}
            for j, index in enumerate(through):
                if state[j] < lengths[j]:
                    rf = exceptions[index].through_rfs[state[j]]
                    for pin in exceptions[index].throughs[state[j]].tolist():
                        for edge in (0, 1) if rf is None else (rf,):
                            advanced.setdefault((pin, edge), list(state))[j] += 1
            children: dict[tuple[int, ...], list[tuple[int, int]]] = {}
            for point, new_state in advanced.items():
                children.setdefault(tuple(new_state), []).append(point)
            edges[state] = children
            pending.extend(children)
        states = sorted(edges, key=lambda s: (sum(s), s))
        first = len(self.passes)
        position = {state: first + k for k, state in enumerate(states)}
        n_pins, n_checks = self.graph.n_pins, base.check_slack.shape[0]
        base_blocked = base.blocked
        for state in states:
            complete = tuple(index for j, index in enumerate(through) if state[j] == lengths[j])
            if state == start:
                launch = base
                launch.exceptions = plain + complete
            else:
                empty = (
                    np.full((n_pins, 2), -np.inf),
                    np.full((n_pins, 2), np.inf),
                    np.full((n_pins, 2), -1, dtype=np.int64),
                )
                launch = LaunchPass.empty(base.clock, empty, n_pins, n_checks, plain + complete)
                launch.source_tag_min = np.full((n_pins, 2), -1, dtype=np.int64)
                launch.clocked = base.clocked
            moved = np.zeros((n_pins, 2), dtype=bool)
            for points in edges[state].values():
                pins, rfs = np.asarray(points, dtype=np.int64).T
                moved[pins, rfs] = True
            if moved.any():
                launch.moved = moved
                launch.blocked = moved if base_blocked is None else moved | base_blocked
            else:
                launch.blocked = base_blocked
            self.passes.append(launch)
        for state in states:
            for child, points in edges[state].items():
                pins, rfs = np.asarray(sorted(points), dtype=np.int64).T
                handed = np.unique(pins)
                which = np.zeros((handed.size, 2), dtype=bool)
                which[np.searchsorted(handed, pins), rfs] = True
                self.passes[position[child]].handoffs.append((position[state], handed, which))

    def _refresh_handoffs(self, launch: LaunchPass) -> None:
        """Sources of a ``-through`` child pass: its parents' arrivals at the handoff pins;
        of a propagated generated clock: its edges plus the master's latency to its pins."""
        if launch.generated is not None:
            self._refresh_generated(launch)
        if not launch.handoffs:
            return
        pins = np.unique(np.concatenate([pins for _, pins, _ in launch.handoffs]))
        launch.source_max[pins] = -np.inf
        launch.source_min[pins] = np.inf
        launch.source_tag[pins] = -1
        launch.source_tag_min[pins] = -1
        for parent_index, pins, which in launch.handoffs:
            parent = self.passes[parent_index]
            later = which & (parent.arrival_max[pins] > launch.source_max[pins])
            launch.source_max[pins] = np.where(
                later, parent.arrival_max[pins], launch.source_max[pins]
            )
            launch.source_tag[pins] = np.where(later, parent.tag_max[pins], launch.source_tag[pins])
            earlier = which & (parent.arrival_min[pins] < launch.source_min[pins])
            launch.source_min[pins] = np.where(
                earlier, parent.arrival_min[pins], launch.source_min[pins]
            )
            launch.source_tag_min[pins] = np.where(
                earlier, parent.tag_min[pins], launch.source_tag_min[pins]
            )

    def _refresh_generated(self, launch: LaunchPass) -> None:
        """A propagated generated clock's source arrivals: its edge times plus the latency of
        its master's arrival at its source pins (through the divider's clock-to-Q arc), as
        OpenSTA's generated-clock insertion delay."""
        master_index, pins = launch.generated
        master = self.passes[master_index]
        edge_time = self.constraints.edge_time_ps
        latest = np.zeros(2)
        earliest = np.zeros(2)
        for edge in range(2):
            own_edge = edge_time[2 * launch.clock + edge]
            for sources, arrivals, tag_array, none, summary in (
                (launch.source_max, master.arrival_max, master.tag_max, -np.inf, latest),
                (launch.source_min, master.arrival_min, master.tag_min, np.inf, earliest),
            ):
                tag = tag_array[pins, edge]
                latency = arrivals[pins, edge] - edge_time[np.maximum(tag, 0)]
                sources[pins, edge] = np.where(tag >= 0, own_edge + latency, none)
                known = latency[tag >= 0]
                if known.size:
                    summary[edge] = known.max() if none < 0 else known.min()
        self.generated_latency[launch.clock] = (latest, earliest)
        if launch.io_inputs is not None:
            # Input delays relative to the generated clock count from its edge as it arrives
            # at its source pin: the master's latency there (OpenSTA's source latency).
            mask, mask_min, late, early = launch.io_inputs
            moved = np.zeros(mask.shape[0], dtype=bool)
            for sources, tags, base, chosen, latency in (
                (launch.source_max, launch.source_tag, late, mask, latest),
                (launch.source_min, launch.source_tag_min, early, mask_min, earliest),
            ):
                rows, rfs = np.nonzero(chosen)
                value = base[rows, rfs] + latency[np.maximum(tags[rows, rfs], 0) % 2]
                moved[rows[value != sources[rows, rfs]]] = True
                sources[rows, rfs] = value
            launch.moved_sources = np.flatnonzero(moved)

    def io_latency_ps(self, tags: np.ndarray, late: bool) -> np.ndarray:
        """The clock latency (ps, float64 like ``tags``) that input or output delays of clock
        edges ``tags`` (int64) count from: the ideal latency (late: the latest) plus a
        propagated generated clock's source latency; 0 for no clock (an output only a path
        delay constrains)."""
        resolved = self.constraints
        tags = np.asarray(tags, dtype=np.int64)
        clocks = tags // 2
        n_clocks = len(resolved.clock_names)
        known = (tags >= 0) & (clocks < n_clocks)
        ideal = resolved.clock_latency_max_ps if late else resolved.clock_latency_min_ps
        latency = np.zeros(tags.shape)
        latency[known] = ideal[clocks[known]]
        for clock, (latest, earliest) in self.generated_latency.items():
            mine = known & (clocks == clock)
            latency[mine] += (latest if late else earliest)[tags[mine] % 2]
        return latency

    def handoff_parent(self, index: int, pin: int, rf: int, late: bool) -> int:
        """The parent pass whose arrival at ``pin`` is pass ``index``'s source there (-1: none)."""
        launch = self.passes[index]
        source = (launch.source_max if late else launch.source_min)[pin, rf]
        for parent_index, pins, which in launch.handoffs:
            at = np.flatnonzero(pins == pin)
            if at.size and which[at[0], rf]:
                parent = self.passes[parent_index]
                if (parent.arrival_max if late else parent.arrival_min)[pin, rf] == source:
                    return parent_index
        return -1

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
        launch = self.passes[self.path_pass(pin, check, rf)]
        if check == "setup":
            return launch.arrival_max, launch.pred_max, launch.tag_max
        return launch.arrival_min, launch.pred_min, launch.tag_min

    def path_pass(self, pin: int, check: str, rf: int) -> int:
        """Index of the launch pass holding the worst path to endpoint ``pin``."""
        late = check == "setup"
        where = np.flatnonzero(self.output_pins == pin)
        index = 0
        if where.size:
            index = int((self.output_pass_max if late else self.output_pass_min)[where[0], rf])
        elif self.n_clocked_passes > 1:
            checks = self.data_check_indices[
                self.data_check_indptr[pin] : self.data_check_indptr[pin + 1]
            ]
            early = early_checks(self.graph.check_kind[checks])
            checks = checks[early] if not late else checks[~early]
            if checks.size:
                slack = np.nan_to_num(self.check_slack_ps[checks, rf], nan=np.inf)
                index = int(self.check_pass[checks[np.argmin(slack)], rf])
        return index
