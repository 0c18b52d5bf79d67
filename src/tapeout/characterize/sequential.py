"""Characterizing flip-flops, latches and clock gates: clock-to-Q tables, asynchronous
clear/preset arcs (the slower of the clock low and high), setup and hold, recovery and removal
of the asynchronous pins and minimum pulse widths, all in one ngspice process per cell.

This module builds the cell's deck (the clock-to-Q, clear/preset, hidden-power and leakage
runs, and one bisection per constraint entry from ``bisection``) and reads it back into
tables. The constraints' criteria (a 10 % rise of the clock-to-Q or D-to-Q delay) and their
stimuli are in ``bisection``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tapeout.characterize import bisection, stimuli
from tapeout.characterize.bisection import (
    FAST_NS,
    constraint_bisection,
    inactive_levels,
    pulse_bisection,
    pulse_checks,
    pulse_floor_ns,
    pulse_label,
)
from tapeout.characterize.cells import Family, Sensitization
from tapeout.characterize.measure import (
    PIN_CAP_SLEW_NS,
    ArcTables,
    CellResult,
    Grid,
    _ArcRuns,
    _leakage_runs,
    _Plan,
    _toggle_run,
    edge_window_s,
    hidden_run,
    max_step_s,
    new_deck,
    pin_cap_load_pf,
    read_combinational,
)
from tapeout.characterize.spice import SpiceResult, run_netlist
from tapeout.characterize.stimuli import SUPPLY_V, Deck, ramp_time_s
from tapeout.db.liberty import TimingArc

CONSTRAINT_SLEWS_NS = np.array([0.01, 0.5, 1.5])
PREP_S = 1.5e-9  # the preparing clock pulse ends before this


@dataclass(eq=False)
class ConstraintTables:
    """Setup or hold of ``pin`` against ``related_pin``: ns, float64 ``(3, 3)`` indexed by
    (related pin slew, constrained pin slew); rise = data rising."""

    pin: str
    related_pin: str
    timing_type: str  # setup_/hold_ rising or falling, recovery_rising, removal_rising
    rise_constraint: np.ndarray | None
    fall_constraint: np.ndarray | None  # None for recovery/removal (only the release edge)
    slews_ns: np.ndarray

    def timing_arc(self, template: str, make_table) -> TimingArc:
        """The Liberty ``timing`` group (``make_table(template, values, index_1, index_2)``)."""
        arc = TimingArc(related_pin=self.related_pin, timing_type=self.timing_type)
        if self.rise_constraint is not None:
            arc.rise_constraint = make_table(
                template, self.rise_constraint, self.slews_ns, self.slews_ns
            )
        if self.fall_constraint is not None:
            arc.fall_constraint = make_table(
                template, self.fall_constraint, self.slews_ns, self.slews_ns
            )
        return arc


@dataclass(eq=False)
class PulseWidthTables:
    """Minimum pulse widths of ``pin`` (ns, float64 ``(n_slews,)`` over the pin's own slew):
    the high pulse (``rise_constraint``, as Liberty names it) and the low one
    (``fall_constraint``); None where the pin has no such check, NaN where a bisection printed
    nothing."""

    pin: str
    rise_constraint: np.ndarray | None
    fall_constraint: np.ndarray | None
    slews_ns: np.ndarray
    timing_type: str = "min_pulse_width"

    def timing_arc(self, template: str, make_table) -> TimingArc:
        """The Liberty ``timing`` group (``make_table(template, values, index_1)``); a side
        with an unmeasured entry is left out (no check rather than a guessed one)."""
        arc = TimingArc(related_pin=self.pin, timing_type=self.timing_type)
        for side in ("rise_constraint", "fall_constraint"):
            widths = getattr(self, side)
            if widths is not None and np.isfinite(widths).all():
                setattr(arc, side, make_table(template, widths, self.slews_ns))
        return arc


def gated_clock_arc(family: Family) -> Sensitization:
    """A clock gate's clock-to-gated-clock arc: the enable held high (the latch passes 1)."""
    return Sensitization(
        family.clock, next(iter(family.outputs)), {family.data: True}, "positive_unate"
    )


def _clock_waveforms(
    family: Family, clock_slew_ns: float, window: float, *, first_value: bool
) -> tuple[dict[str, str], float, float]:
    """Stimulus: a preparing clock pulse capturing ``not first_value``, then D = first_value,
    the measured clock edge at T1, D inverted, the measured edge at T1 + 2·window. Returns the
    waveforms and T1, T2 (starts of the two measured clock ramps)."""
    fast = ramp_time_s(FAST_NS)
    ramp = ramp_time_s(clock_slew_ns)
    t1 = PREP_S + 0.5e-9
    t2 = t1 + 2 * window
    clock_edges = [(0.2e-9, fast, True), (0.9e-9, fast, False)]
    clock_edges += [(t1, ramp, True), (t1 + window, ramp, False), (t2, ramp, True)]
    # D changes while the clock is low (a latch is opaque then, a flop samples later).
    data_edges = [(PREP_S, fast, first_value), (t1 + 1.5 * window, fast, not first_value)]
    waveforms = stimuli.pwl_levels(inactive_levels(family))
    waveforms[family.clock] = stimuli.pwl_points(clock_edges, initial=False)
    waveforms[family.data] = stimuli.pwl_points(data_edges, initial=not first_value)
    return waveforms, t1, t2


def _clock_arc_runs(deck: Deck, family: Family, grid: Grid, output: str) -> np.ndarray:
    """Clock-to-output runs over the grid; measures ``c{r|f}{k}`` delay, ``s{r|f}{k}``
    transition, ``q{r|f}{k}`` supply charge (r: output rising edge)."""
    runs = np.zeros((grid.slews_ns.size, grid.loads_pf[output].size), dtype=np.int64)
    for i, slew in enumerate(grid.slews_ns):
        for j, load in enumerate(grid.loads_pf[output]):
            window = edge_window_s(float(slew), float(load))
            k = deck.runs
            runs[i, j] = k
            waveforms, t1, t2 = _clock_waveforms(family, float(slew), window, first_value=True)
            measures = []
            for tag, start, rising in (("r", t1, True), ("f", t2, False)):
                td = f"td={start - 0.05e-9:.6e}"
                measures.append(
                    f"c{tag}{k} trig v(k0_{family.clock.lower()}) val={SUPPLY_V / 2:g} {td} rise=1 "
                    f"targ v(k0_{output.lower()}) val={SUPPLY_V / 2:g} {td} "
                    f"{'rise' if rising else 'fall'}=1"
                )
                low, high = 0.2 * SUPPLY_V, 0.8 * SUPPLY_V
                first, second = (low, high) if rising else (high, low)
                edge = "rise" if rising else "fall"
                measures.append(
                    f"s{tag}{k} trig v(k0_{output.lower()}) val={first:g} {td} {edge}=1 "
                    f"targ v(k0_{output.lower()}) val={second:g} {td} {edge}=1"
                )
                measures.append(stimuli.charge_measure(f"q{tag}{k}", "vdd0", start, start + window))
            loads = {pin: float(grid.loads_pf[pin][0]) for pin in family.outputs}
            loads[output] = float(load)
            deck.add_run(waveforms, loads, t2 + window, measures, max_step_s=max_step_s(slew))
    return runs


def _async_runs(
    deck: Deck, family: Family, grid: Grid, output: str, pin: str, *, clock_high: bool
) -> np.ndarray:
    """Clear (preset) pin falling → output falling (rising): ``a{k}`` delay, ``b{k}``
    transition, ``e{k}`` supply charge. The clock (enable) low after the pulse that made Q
    the opposite value, or ``clock_high`` from that capture on: then the second stage is open
    and its input still drives the old value against the forcing (dfstp's preset takes ~70 ps
    longer that way, as in the official library's tables)."""
    clearing = pin == family.clear
    runs = np.zeros((grid.slews_ns.size, grid.loads_pf[output].size), dtype=np.int64)
    fast = ramp_time_s(FAST_NS)
    for i, slew in enumerate(grid.slews_ns):
        ramp = ramp_time_s(float(slew))
        for j, load in enumerate(grid.loads_pf[output]):
            window = edge_window_s(float(slew), float(load))
            k = deck.runs
            runs[i, j] = k
            # Q must have settled at the prepared value under the load before the edge.
            start = PREP_S + 0.5e-9 + 3e-9 * float(load)
            waveforms = stimuli.pwl_levels(inactive_levels(family))
            capture = [(0.2e-9, fast, True)] + ([] if clock_high else [(0.9e-9, fast, False)])
            waveforms[family.clock] = stimuli.pwl_points(capture, initial=False)
            waveforms[family.data] = stimuli.pwl_points([], initial=clearing)
            waveforms[pin] = stimuli.pwl_points(
                [(start, ramp, False), (start + window, fast, True)], initial=True
            )
            edge = "fall" if clearing else "rise"
            first, second = (0.8, 0.2) if clearing else (0.2, 0.8)
            measures = [
                f"a{k} trig v(k0_{pin.lower()}) val={SUPPLY_V / 2:g} fall=1 "
                f"targ v(k0_{output.lower()}) val={SUPPLY_V / 2:g} td={start:.6e} {edge}=1",
                f"b{k} trig v(k0_{output.lower()}) val={first * SUPPLY_V:g} td={start:.6e} "
                f"{edge}=1 targ v(k0_{output.lower()}) val={second * SUPPLY_V:g} "
                f"td={start:.6e} {edge}=1",
                stimuli.charge_measure(f"e{k}", "vdd0", start, start + window),
            ]
            loads = {name: float(grid.loads_pf[name][0]) for name in family.outputs}
            loads[output] = float(load)
            deck.add_run(
                waveforms, loads, start + 2 * window, measures, max_step_s=max_step_s(slew)
            )
    return runs


def sequential_deck(
    name: str, family: Family, grid: Grid, *, subckt: str, models: Path, ports: list[str]
) -> tuple[Deck, dict]:
    """The deck of a flip-flop or latch and the plan to read it back."""
    deck = new_deck(name, family, subckt=subckt, models=models, ports=ports)
    output = next(iter(family.outputs))
    gate = family.kind == "clock_gate"
    plan: dict = {"clock": None if gate else _clock_arc_runs(deck, family, grid, output)}
    for pin in (family.clear, family.preset):
        if pin:
            plan[pin] = [
                _async_runs(deck, family, grid, output, pin, clock_high=high)
                for high in (False, True)
            ]
    combinational = _Plan()
    if family.kind in ("latch", "clock_gate"):
        # D to Q through the open latch; a clock gate's clock to its output, the enable high
        arc = (
            gated_clock_arc(family)
            if gate
            else Sensitization(family.data, output, {family.clock: True}, "positive_unate")
        )
        runs = np.zeros((grid.slews_ns.size, grid.loads_pf[output].size), dtype=np.int64)
        for i, slew in enumerate(grid.slews_ns):
            for j, load in enumerate(grid.loads_pf[output]):
                runs[i, j] = deck.runs
                combinational.loads_pf[deck.runs] = float(load)
                _toggle_run(
                    deck, family, grid, _with_statics(arc, family), output, float(slew), float(load)
                )
        vector = _with_statics(arc, family)
        combinational.arcs.append(_ArcRuns(arc, vector, runs, vector, runs))
    # Pin capacitances: each input toggled once, the output at the pin-capacitance load.
    for pin in family.inputs:
        others = {other: other != family.data for other in family.inputs if other != pin}
        if family.kind in ("latch", "clock_gate") and pin == family.data:
            others[family.clock] = False  # the latch open
        combinational.pin_caps[pin] = [deck.runs]
        sense = "negative_unate" if pin in (family.clear, family.preset) else "positive_unate"
        _toggle_run(
            deck,
            family,
            grid,
            Sensitization(pin, output, others, sense),
            output,
            PIN_CAP_SLEW_NS,
            pin_cap_load_pf(grid, output),
            pin_cap=True,
        )
    combinational.hidden = _hidden_runs(deck, family, grid)
    _leakage_runs(deck, combinational, family)
    plan["combinational"] = combinational
    sampling = "falling" if family.kind == "latch" else "rising"
    constraints = []
    for hold in (False, True):
        for data_rising in (True, False):
            for i, clock_slew in enumerate(CONSTRAINT_SLEWS_NS):
                for j, data_slew in enumerate(CONSTRAINT_SLEWS_NS):
                    # "x" keeps these apart from the clock arcs' "sr<k>"/"sf<k>" measures.
                    label = f"x{'h' if hold else 's'}{'r' if data_rising else 'f'}{i}{j}"
                    constraint_bisection(
                        deck,
                        family,
                        output,
                        label,
                        hold=hold,
                        data_rising=data_rising,
                        clock_slew_ns=float(clock_slew),
                        data_slew_ns=float(data_slew),
                    )
        constraints.append(f"{'hold' if hold else 'setup'}_{sampling}")
    plan["constraints"] = constraints
    plan["releases"] = []
    for pin in (family.clear, family.preset) if family.kind == "flop" else ():
        if not pin:
            continue
        for removal in (False, True):
            tag = "m" if removal else "c"  # xm: removal, xc: recovery
            for i, clock_slew in enumerate(CONSTRAINT_SLEWS_NS):
                for j, release_slew in enumerate(CONSTRAINT_SLEWS_NS):
                    constraint_bisection(
                        deck,
                        family,
                        output,
                        f"x{tag}{pin.lower()}{i}{j}",
                        hold=removal,
                        data_rising=True,
                        clock_slew_ns=float(clock_slew),
                        data_slew_ns=float(release_slew),
                        release=pin,
                    )
            plan["releases"].append((pin, "removal_rising" if removal else "recovery_rising"))
    plan["pulses"] = pulse_checks(family)
    for pin, high, edges in plan["pulses"]:
        for q_rising in edges:
            for i, slew in enumerate(CONSTRAINT_SLEWS_NS):
                pulse_bisection(
                    deck,
                    family,
                    output,
                    pulse_label(pin, high, q_rising, i),
                    pin=pin,
                    high=high,
                    q_rising=q_rising,
                    slew_ns=float(slew),
                )
    return deck, plan


def _hidden_runs(deck: Deck, family: Family, grid: Grid) -> dict[str, np.ndarray]:
    """Input-pin energy runs (``measure.hidden_run``) of a flip-flop or latch, each pin toggled
    with no output changing, after a clock (enable) pulse that makes Q equal D: the clock with
    D held low and high; D with the first stage closed (a flop's clock high, as the official
    library measures it: its D energy is that of the input stage alone; a latch's enable low);
    clear (preset) with D at the level it forces. Run ids per pin, int64 ``(vectors, slews)``."""
    fast = ramp_time_s(FAST_NS)
    pulse = ((0.2e-9, fast, True), (0.9e-9, fast, False))  # Q takes D
    statics = inactive_levels(family)
    clock_pulse = {family.clock: stimuli.pwl_points(list(pulse), initial=False)}
    # D toggles with the first stage closed: a flop's clock stays high after its rise.
    closed = pulse if family.kind == "latch" else pulse[:1]
    clock_closed = {family.clock: stimuli.pwl_points(list(closed), initial=False)}
    setups: dict[str, list[tuple[dict[str, str], bool, tuple]]] = {
        family.clock: [
            (stimuli.pwl_levels({**statics, family.data: value}), False, pulse)
            # a clock gate's output follows its clock while enabled: only the enable low
            for value in ((False,) if family.kind == "clock_gate" else (False, True))
        ],
        family.data: [({**stimuli.pwl_levels(statics), **clock_closed}, False, ())],
    }
    for pin, forced in ((family.clear, False), (family.preset, True)):
        if pin:
            levels = {other: True for other in statics if other != pin}
            levels[family.data] = forced
            setups[pin] = [({**stimuli.pwl_levels(levels), **clock_pulse}, True, ())]
    start = PREP_S + 0.5e-9
    return {
        pin: np.array(
            [
                [
                    hidden_run(
                        deck,
                        family,
                        grid,
                        pin,
                        waveforms,
                        float(slew),
                        start_s=start,
                        initial=initial,
                        before=before,
                    )
                    for slew in grid.slews_ns
                ]
                for waveforms, initial, before in vectors
            ],
            dtype=np.int64,
        )
        for pin, vectors in setups.items()
    }


def _with_statics(arc: Sensitization, family: Family) -> Sensitization:
    others = dict(arc.others)
    others.update(inactive_levels(family))
    return Sensitization(arc.pin, arc.output, others, arc.sense)


def read_sequential(
    name: str, family: Family, grid: Grid, plan: dict, result: SpiceResult
) -> CellResult:
    """The tables of a flip-flop or latch from its deck's measures."""
    values = result.measures
    cell = read_combinational(name, family, grid, plan["combinational"], result)
    output = next(iter(family.outputs))

    def table(prefix: str, runs: np.ndarray) -> np.ndarray:
        return np.array(
            [[values.get(f"{prefix}{k}", np.nan) for k in row] for row in runs], dtype=np.float64
        )

    runs = plan["clock"] if plan["clock"] is not None else np.zeros((grid.slews_ns.size, 0))
    loads = grid.loads_pf[output][None, :] * np.ones((runs.shape[0], 1))
    half_cv2 = 0.5 * loads * SUPPLY_V**2
    if plan["clock"] is not None:
        cell.arcs.insert(
            0,
            ArcTables(
                pin=family.clock,
                output=output,
                sense="non_unate",
                cell_rise=table("cr", runs) * 1e9,
                cell_fall=table("cf", runs) * 1e9,
                rise_transition=table("sr", runs) * 1e9,
                fall_transition=table("sf", runs) * 1e9,
                rise_energy_pj=-table("qr", runs) * SUPPLY_V * 1e12 - half_cv2,
                fall_energy_pj=-table("qf", runs) * SUPPLY_V * 1e12 - half_cv2,
                timing_type="rising_edge",
            ),
        )
    for pin, timing_type in ((family.clear, "clear"), (family.preset, "preset")):
        if not pin:
            continue
        # The clock state whose forcing is slower (worst_edges, as for combinational side
        # inputs); one that measured nothing never wins.
        runs = max(plan[pin], key=lambda state: _median_or_inf(table("a", state)))
        delay = table("a", runs) * 1e9
        transition = table("b", runs) * 1e9
        energy = -table("e", runs) * SUPPLY_V * 1e12 - half_cv2
        clearing = timing_type == "clear"
        cell.arcs.append(
            ArcTables(
                pin=pin,
                output=output,
                sense="positive_unate" if clearing else "negative_unate",
                cell_rise=None if clearing else delay,
                cell_fall=delay if clearing else None,
                rise_transition=None if clearing else transition,
                fall_transition=transition if clearing else None,
                rise_energy_pj=None if clearing else energy,
                fall_energy_pj=energy if clearing else None,
                timing_type=timing_type,
            )
        )
    for timing_type in plan["constraints"]:
        tag = "h" if timing_type.startswith("hold") else "s"
        tables = {}
        for edge in ("r", "f"):
            count = CONSTRAINT_SLEWS_NS.size
            tables[edge] = np.array(
                [
                    [values.get(f"x{tag}{edge}{i}{j}", np.nan) * 1e9 for j in range(count)]
                    for i in range(count)
                ]
            )
        cell.constraints.append(
            ConstraintTables(
                family.data,
                family.clock,
                timing_type,
                tables["r"],
                tables["f"],
                CONSTRAINT_SLEWS_NS,
            )
        )
    count = CONSTRAINT_SLEWS_NS.size
    for pin, timing_type in plan.get("releases", ()):
        tag = "m" if timing_type.startswith("removal") else "c"
        table_ns = np.array(
            [
                [values.get(f"x{tag}{pin.lower()}{i}{j}", np.nan) * 1e9 for j in range(count)]
                for i in range(count)
            ]
        )
        cell.constraints.append(
            ConstraintTables(pin, family.clock, timing_type, table_ns, None, CONSTRAINT_SLEWS_NS)
        )
    widths: dict[str, dict[bool, np.ndarray]] = {}
    for pin, high, edges in plan.get("pulses", ()):
        widths.setdefault(pin, {})[high] = _pulse_widths(values, pin, high, edges)
    for pin, sides in widths.items():
        cell.constraints.append(
            PulseWidthTables(pin, sides.get(True), sides.get(False), CONSTRAINT_SLEWS_NS)
        )
    return cell


def _median_or_inf(values: np.ndarray) -> float:
    """Median of the finite entries; -inf when there are none."""
    finite = values[np.isfinite(values)]
    return float(np.median(finite)) if finite.size else -np.inf


def _pulse_widths(
    values: dict[str, float], pin: str, high: bool, edges: tuple[bool, ...]
) -> np.ndarray:
    """One min_pulse_width row (ns per slew): the worse Q edge; a bisection that passed at
    every width tried reads as the floor (its resolution lies within a picosecond of it).
    NaN where a bisection printed nothing."""
    resolution_ns = 2 * bisection.PULSE_SPAN_S * 1e9 / 2**bisection.BISECTIONS
    row = []
    for i, slew in enumerate(CONSTRAINT_SLEWS_NS):
        floor = pulse_floor_ns(float(slew))
        found = [values.get(pulse_label(pin, high, q, i), np.nan) * 1e9 for q in edges]
        width = float(np.max(found))  # NaN if any is missing
        row.append(floor if width - floor < resolution_ns else width)
    return np.array(row)


def characterize_sequential(
    name: str, family: Family, grid: Grid, *, subckt: str, models: Path, ports: list[str]
) -> CellResult:
    """Simulate and read back one flip-flop or latch."""
    deck, plan = sequential_deck(name, family, grid, subckt=subckt, models=models, ports=ports)
    return read_sequential(name, family, grid, plan, run_netlist(deck.text()))
