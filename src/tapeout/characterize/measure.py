"""Characterizing combinational cells: NLDM delay/transition/energy tables, pin capacitance and
leakage from one ngspice run per cell.

Conventions (those of the sky130hd library we compare with): delay from 50 % of the input to
50 % of the output; transitions 20–80 % (no derating); input slews are 20–80 % times of linear
ramps; times in ns, capacitances in pF, energies in pJ, leakage in nW. Internal energy of an
output transition is the energy drawn from the supply minus half the load's C·V² (so a falling
output, which draws almost nothing, reads about −½·C·V²); the Liberty writer then takes the
related pin's own energy out of it (``liberty_build._input_edge_energy``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tapeout.characterize import stimuli
from tapeout.characterize.cells import (
    Family,
    Sensitization,
    all_sensitizations,
    hidden_vectors,
    sensitizations,
)
from tapeout.characterize.spice import SpiceResult
from tapeout.characterize.stimuli import SUPPLY_V, Deck, ramp_time_s

# The sky130hd grids: input slew (ns), the same for every cell; loads scale with the drive.
DEFAULT_SLEWS_NS = np.array([0.01, 0.0230506, 0.0531329, 0.122474, 0.282311, 0.650743, 1.5])
MIN_LOAD_PF = 0.0005
# Pin capacitance: the charge into the pin while a linear input ramp crosses 10-90 % of the
# swing, divided by that voltage step (PIN_CAP_WINDOW, fractions of the supply), at a typical
# operating point: a grid slew (PIN_CAP_SLEW_NS) and the output driving a load in proportion
# to its strength (PIN_CAP_LOAD_FRACTION of its largest table load), so the output moves
# during the window as it does in use (Miller charge); averaged over the side-input vectors
# that pass the pin to an output (pin_cap_vectors, at most PIN_CAP_VECTORS). Over the whole
# swing, a falling input's charge equals a rising one's (charge is a function of the node
# voltages) while the official library's fall capacitance is ~9 % below its rise capacitance.
# Chosen on every combinational pin of the library against the official values (sweeps of
# slew, load and window): 86.1 % of rise/fall values within 5 %, 95th percentile 6.2 %; a
# fraction of 0.02 / 0.06 gave 84.5 / 82.7 %, the grid's third load 84.5 % (the strong
# inverters' fall 11-14 % high: their third load is light for their drive), the first vector
# alone instead of the mean 83.9 %. See bench/results/characterize.md.
PIN_CAP_SLEW_NS = 0.282311
PIN_CAP_LOAD_FRACTION = 0.035
PIN_CAP_WINDOW = (0.1, 0.9)
PIN_CAP_VECTORS = 16
START_S = 0.2e-9  # first input edge; the circuit starts from its DC operating point


@dataclass(eq=False)
class Grid:
    """Table axes: ``slews_ns`` float64 ``(n1,)``; ``loads_pf`` per output pin, ``(n2,)``."""

    slews_ns: np.ndarray
    loads_pf: dict[str, np.ndarray]


def geometric_loads(max_load_pf: float, count: int = 7) -> np.ndarray:
    """``count`` loads from MIN_LOAD_PF to ``max_load_pf`` (pF), evenly spaced in log."""
    return np.geomspace(MIN_LOAD_PF, max_load_pf, count)


@dataclass(eq=False)
class ArcTables:
    """One arc ``pin`` → ``output``; tables float64 ``(n_slews, n_loads)``: delays and
    transitions in ns, internal energies in pJ (NaN where ngspice could not measure; None where
    the arc has no such edge, like the falling-only arc of an asynchronous clear).
    ``timing_type``: "combinational", "rising_edge", "clear", "preset", "three_state_enable",
    "three_state_disable" (a 0-d table: a scalar, as the disable arc's zero transitions)."""

    pin: str
    output: str
    sense: str
    cell_rise: np.ndarray | None
    cell_fall: np.ndarray | None
    rise_transition: np.ndarray | None
    fall_transition: np.ndarray | None
    rise_energy_pj: np.ndarray | None
    fall_energy_pj: np.ndarray | None
    timing_type: str = "combinational"


@dataclass(eq=False)
class CellResult:
    """Everything measured for one cell."""

    name: str
    family: Family
    grid: Grid
    arcs: list[ArcTables] = field(default_factory=list)
    pin_rise_cap_pf: dict[str, float] = field(default_factory=dict)
    pin_fall_cap_pf: dict[str, float] = field(default_factory=dict)
    # Input pin -> (rise, fall) internal energy (pJ) per grid slew, float64 (n_slews,), with
    # no output changing; averaged over the vectors measured.
    pin_energy_pj: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    leakage_nw: list[tuple[str, float]] = field(default_factory=list)  # (when, value)
    constraints: list = field(default_factory=list)  # sequential.ConstraintTables
    clock_arcs: list = field(default_factory=list)  # sequential.ClockArc
    # A tri-state output's own capacitance (pF) seen while it is high-impedance.
    output_cap_pf: dict[str, float] = field(default_factory=dict)


def edge_window_s(slew_ns: float, load_pf: float = 0.0) -> float:
    """Time (s) from one input edge to the next: the ramp plus time for the output to settle,
    longer for large loads (sky130hd's buf_8 table reaches 5 pF, a 7.7 ns transition)."""
    return ramp_time_s(slew_ns) + 4e-9 + 3e-9 * load_pf


def max_step_s(slew_ns: float) -> float:
    """The simulator's largest time step (s). ngspice's step control alone lets fast output
    edges (~10 ps) pass in a step or two, which spoils 20–80 % transitions; 2 ps steps keep
    them within ~1 % (checked against 1 ps)."""
    del slew_ns
    # Not a round number: with exactly 2 ps, a time point can land a hair before a PWL corner
    # and ngspice aborts with "timestep too small".
    return 2.037e-12


@dataclass
class _ArcRuns:
    """The runs of one Liberty arc: ``rise_runs`` (``fall_runs``), int64 ``(n1, n2)``, are the
    run ids whose output rises (falls) are read, simulated with side inputs ``rise_vector``
    (``fall_vector``); the same runs when one vector is the worst for both edges."""

    arc: Sensitization
    rise_vector: Sensitization
    rise_runs: np.ndarray
    fall_vector: Sensitization
    fall_runs: np.ndarray


@dataclass
class _Plan:
    """Which run holds which measurement, to read results back."""

    arcs: list[_ArcRuns] = field(default_factory=list)
    pin_caps: dict[str, list[int]] = field(default_factory=dict)  # pin -> runs, one per vector
    hidden: dict[str, np.ndarray] = field(default_factory=dict)  # pin -> ids (vectors, slews)
    leakage: list[tuple[str, int]] = field(default_factory=list)
    loads_pf: dict[int, float] = field(default_factory=dict)


def new_deck(name: str, family: Family, *, subckt: str, models: Path, ports: list[str]) -> Deck:
    """An empty deck for cell ``name``."""
    return Deck(name, subckt, models, ports, family.inputs, tuple(family.outputs))


# Where the side-input vectors of an arc are compared (slew index, load index): mid-grid and
# towards the slow, heavy corner.
PROBE_POINTS = ((3, 3), (5, 5))

# Worst side-input vector per (output, pin, sense): (for the output's rise, for its fall).
WorstVectors = dict[tuple[str, str, str], tuple[Sensitization, Sensitization]]


def probe_deck(
    name: str, family: Family, grid: Grid, *, subckt: str, models: Path, ports: list[str]
) -> tuple[Deck, list[tuple[Sensitization, list[int]]]] | None:
    """A deck timing every side-input vector of each arc that has several at PROBE_POINTS, and
    the runs of each vector; None when every arc has one vector."""
    deck = new_deck(name, family, subckt=subckt, models=models, ports=ports)
    probes: list[tuple[Sensitization, list[int]]] = []
    for output in family.outputs:
        vectors = all_sensitizations(family, output)
        counts: dict[tuple[str, str], int] = {}
        for vector in vectors:
            counts[vector.pin, vector.sense] = counts.get((vector.pin, vector.sense), 0) + 1
        for vector in vectors:
            if counts[vector.pin, vector.sense] < 2:
                continue
            ids = []
            for i, j in PROBE_POINTS:
                ids.append(deck.runs)
                slew = float(grid.slews_ns[min(i, grid.slews_ns.size - 1)])
                loads = grid.loads_pf[output]
                _toggle_run(
                    deck, family, grid, vector, output, slew, float(loads[min(j, loads.size - 1)])
                )
            probes.append((vector, ids))
    return (deck, probes) if probes else None


def worst_vectors(
    probes: list[tuple[Sensitization, list[int]]], result: SpiceResult
) -> WorstVectors:
    """Per arc, the side-input vector with the longest output-rise delay and the one with the
    longest output-fall delay (summed over the probe points).

    The sky130hd library declares ``default_arc_mode : worst_edges``: an arc without a ``when``
    condition stands for its slowest sensitization, edge by edge.
    """
    best: dict[tuple[str, str, str], list[tuple[float, Sensitization] | None]] = {}
    for vector, ids in probes:
        input_rise = np.array([result.measures.get(f"da{k}", np.nan) for k in ids])
        input_fall = np.array([result.measures.get(f"db{k}", np.nan) for k in ids])
        rise, fall = (
            (input_rise, input_fall)
            if vector.sense == "positive_unate"
            else (input_fall, input_rise)
        )
        slot = best.setdefault((vector.output, vector.pin, vector.sense), [None, None])
        for edge, delays in enumerate((rise, fall)):
            if np.isnan(delays).any():
                continue
            total = float(delays.sum())
            current = slot[edge]
            if current is None or total > current[0]:
                slot[edge] = (total, vector)
    chosen: WorstVectors = {}
    for key, (rise_choice, fall_choice) in best.items():
        if rise_choice is not None and fall_choice is not None:
            chosen[key] = (rise_choice[1], fall_choice[1])
    return chosen


def combinational_deck(
    name: str,
    family: Family,
    grid: Grid,
    *,
    subckt: str,
    models: Path,
    ports: list[str],
    worst: WorstVectors | None = None,
) -> tuple[Deck, _Plan]:
    """The deck measuring every arc on the grid, pin capacitances and leakage of a cell.

    ``worst`` (from ``worst_vectors``) names per arc the side inputs to use for the output's
    rise and for its fall; without it (or for an arc it lacks), the first vector in binary
    order serves both.
    """
    deck = new_deck(name, family, subckt=subckt, models=models, ports=ports)
    plan = _Plan()
    for output in family.outputs:
        for arc in sensitizations(family, output):
            rise_vector, fall_vector = (worst or {}).get((output, arc.pin, arc.sense), (arc, arc))
            rise_runs = _table_runs(deck, plan, family, grid, rise_vector, output)
            fall_runs = (
                rise_runs
                if fall_vector == rise_vector
                else _table_runs(deck, plan, family, grid, fall_vector, output)
            )
            plan.arcs.append(_ArcRuns(arc, rise_vector, rise_runs, fall_vector, fall_runs))
    for vector, output in pin_cap_vectors(family):
        plan.pin_caps.setdefault(vector.pin, []).append(deck.runs)
        _toggle_run(
            deck,
            family,
            grid,
            vector,
            output,
            PIN_CAP_SLEW_NS,
            pin_cap_load_pf(grid, output),
            pin_cap=True,
        )
    for pin, vectors in hidden_vectors(family).items():
        plan.hidden[pin] = np.array(
            [
                [
                    hidden_run(deck, family, grid, pin, stimuli.pwl_levels(levels), float(slew))
                    for slew in grid.slews_ns
                ]
                for levels in spread(vectors, HIDDEN_VECTORS)
            ],
            dtype=np.int64,
        )
    _leakage_runs(deck, plan, family)
    return deck, plan


# Internal energy of an input pin whose toggle changes no output (Liberty's input-pin
# ``internal_power``, e.g. a flip-flop's clock when D equals Q): the supply's energy over each
# edge, averaged over up to this many side-input vectors (first, last and between).
HIDDEN_VECTORS = 3


def spread(items: list, count: int) -> list:
    """Up to ``count`` of ``items``: the first, the last and evenly between, in order."""
    if len(items) <= count:
        return list(items)
    return [items[round(i * (len(items) - 1) / (count - 1))] for i in range(count)]


def hidden_run(
    deck: Deck,
    family: Family,
    grid: Grid,
    pin: str,
    waveforms: dict[str, str],
    slew_ns: float,
    *,
    start_s: float = START_S,
    initial: bool = False,
    before: tuple[tuple[float, float, bool], ...] = (),
) -> int:
    """One run: ``pin`` leaves ``initial`` at ``start_s`` and returns one window later (after
    the edges ``before``, which prepare a state), the other inputs as ``waveforms``, outputs
    at their smallest loads; supply charge over each edge (``ha<k>`` the pin's rise, ``hb<k>``
    its fall). Returns the run id ``k``."""
    k = deck.runs
    ramp = ramp_time_s(slew_ns)
    window = edge_window_s(slew_ns)
    edges = [*before, (start_s, ramp, not initial), (start_s + window, ramp, initial)]
    waveforms = dict(waveforms)
    waveforms[pin] = stimuli.pwl_points(edges, initial=initial)
    loads = {output: float(grid.loads_pf[output][0]) for output in family.outputs}
    spans = {"a": start_s, "b": start_s + window}  # a: the first edge, b: the second
    if initial:  # the pin falls first
        spans = {"a": start_s + window, "b": start_s}
    measures = [
        stimuli.charge_measure(f"h{tag}{k}", "vdd0", begin, begin + window)
        for tag, begin in spans.items()
    ]
    deck.add_run(waveforms, loads, start_s + 2 * window, measures, max_step_s=max_step_s(slew_ns))
    return k


def _table_runs(
    deck: Deck, plan: _Plan, family: Family, grid: Grid, vector: Sensitization, output: str
) -> np.ndarray:
    """Runs over the whole grid for one side-input vector; their ids, int64 ``(n1, n2)``."""
    runs = np.zeros((grid.slews_ns.size, grid.loads_pf[output].size), dtype=np.int64)
    for i, slew in enumerate(grid.slews_ns):
        for j, load in enumerate(grid.loads_pf[output]):
            runs[i, j] = deck.runs
            plan.loads_pf[deck.runs] = float(load)
            _toggle_run(deck, family, grid, vector, output, float(slew), float(load))
    return runs


def pin_cap_load_pf(grid: Grid, output: str) -> float:
    """The load on ``output`` while an input's capacitance is measured (pF): a fixed fraction
    of its largest table load, which scales with the output's drive."""
    return float(PIN_CAP_LOAD_FRACTION * np.max(grid.loads_pf[output]))


def pin_cap_vectors(family: Family) -> list[tuple[Sensitization, str]]:
    """Per input pin (in turn), the side-input vectors whose capacitances are averaged, each
    with the output it sensitizes (the first one, in output order): every distinct vector, up
    to PIN_CAP_VECTORS spread over them in binary order.

    The charge into a pin depends on the state of the cell around it: xor3_1's C sees 2.9 fF
    with A = B and 4.0 fF with A != B (its pass gates conduct to different nodes); the official
    3.6 fF lies between. The first vector alone would make the value an accident of pin order.
    """
    per_pin: dict[str, dict[tuple[tuple[str, bool], ...], tuple[Sensitization, str]]] = {}
    for output in family.outputs:
        for arc in all_sensitizations(family, output):
            key = tuple(sorted(arc.others.items()))
            per_pin.setdefault(arc.pin, {}).setdefault(key, (arc, output))
    return [
        entry
        for vectors in per_pin.values()
        for entry in spread(list(vectors.values()), PIN_CAP_VECTORS)
    ]


def _toggle_run(
    deck: Deck,
    family: Family,
    grid: Grid,
    arc: Sensitization,
    output: str,
    slew_ns: float,
    load_pf: float,
    *,
    pin_cap: bool = False,
) -> None:
    """One run: ``arc.pin`` rises at START_S and falls one window later; delay, transition and
    supply charge measured at both edges, with ``pin_cap`` also the input's charge over
    PIN_CAP_WINDOW of its ramp (names ``<kind><edge><run>`` with kind d/t/q/i and edge a (input
    rise) or b (input fall))."""
    k = deck.runs
    ramp = ramp_time_s(slew_ns)
    window = edge_window_s(slew_ns, load_pf)
    first, second = START_S, START_S + window
    stop = second + window
    waveforms = stimuli.pwl_levels(arc.others)
    waveforms[arc.pin] = stimuli.pwl_points(
        [(first, ramp, True), (second, ramp, False)], initial=False
    )
    loads = {pin: float(grid.loads_pf[pin][0]) for pin in family.outputs}
    loads[output] = load_pf
    rising_out_first = arc.sense == "positive_unate"
    measures = []
    for tag, input_rising, output_rising, start, end in (
        ("a", True, rising_out_first, first, second),
        ("b", False, not rising_out_first, second, stop),
    ):
        measures.append(
            stimuli.delay_measure(f"d{tag}{k}", 0, arc.pin, input_rising, output, output_rising)
        )
        measures.append(stimuli.transition_measure(f"t{tag}{k}", 0, output, output_rising))
        measures.append(stimuli.charge_measure(f"q{tag}{k}", "vdd0", start, end))
        if pin_cap:
            low, high = PIN_CAP_WINDOW
            begin, finish = start + low * ramp, start + high * ramp
            source = f"v0_{arc.pin.lower()}"
            measures.append(stimuli.charge_measure(f"i{tag}{k}", source, begin, finish))
    deck.add_run(waveforms, loads, stop, measures, max_step_s=max_step_s(slew_ns))


def _mean_of_finite(values: np.ndarray) -> np.ndarray:
    """Column means of ``values`` over finite entries; NaN for a column with none."""
    finite = np.isfinite(values)
    count = finite.sum(axis=0)
    total = np.where(finite, values, 0.0).sum(axis=0)
    return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def _leakage_runs(deck: Deck, plan: _Plan, family: Family) -> None:
    count = len(family.inputs)
    loads = {pin: 0.0 for pin in family.outputs}
    for row in range(2**count):
        values = {pin: bool(row >> (count - 1 - j) & 1) for j, pin in enumerate(family.inputs)}
        k = deck.runs
        when = "&".join(pin if high else f"!{pin}" for pin, high in values.items())
        plan.leakage.append((when, k))
        waveforms = stimuli.pwl_levels(values)
        deck.add_run(waveforms, loads, 2e-9, [f"l{k} find i(vdd0) at=1.9e-9"], max_step_s=1e-10)


def read_combinational(
    name: str, family: Family, grid: Grid, plan: _Plan, result: SpiceResult
) -> CellResult:
    """Tables of a cell from the measures of its deck."""
    values = result.measures
    cell = CellResult(name, family, grid)

    def get(key: str) -> float:
        return values.get(key, float("nan"))

    def tables_of(runs: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
        """Delays/transitions (s) at the input's rise (a) and fall (b), and energies (pJ)."""
        tables = {key: np.full(runs.shape, np.nan) for key in ("da", "ta", "qa", "db", "tb", "qb")}
        loads = np.zeros(runs.shape)
        for (i, j), k in np.ndenumerate(runs):
            for key in tables:
                tables[key][i, j] = get(f"{key}{k}")
            loads[i, j] = plan.loads_pf[int(k)]
        half_cv2_pj = 0.5 * loads * SUPPLY_V**2
        energy_a = -tables["qa"] * SUPPLY_V * 1e12 - half_cv2_pj
        energy_b = -tables["qb"] * SUPPLY_V * 1e12 - half_cv2_pj
        return tables, energy_a, energy_b

    for entry in plan.arcs:
        arc = entry.arc
        rise_tables, rise_energy_a, rise_energy_b = tables_of(entry.rise_runs)
        fall_tables, fall_energy_a, fall_energy_b = tables_of(entry.fall_runs)
        if arc.sense == "positive_unate":  # input rise -> output rise
            rise = (rise_tables["da"], rise_tables["ta"], rise_energy_a)
            fall = (fall_tables["db"], fall_tables["tb"], fall_energy_b)
        else:
            rise = (rise_tables["db"], rise_tables["tb"], rise_energy_b)
            fall = (fall_tables["da"], fall_tables["ta"], fall_energy_a)
        cell.arcs.append(
            ArcTables(
                pin=arc.pin,
                output=arc.output,
                sense=arc.sense,
                cell_rise=rise[0] * 1e9,
                cell_fall=fall[0] * 1e9,
                rise_transition=rise[1] * 1e9,
                fall_transition=fall[1] * 1e9,
                rise_energy_pj=rise[2],
                fall_energy_pj=fall[2],
            )
        )
    step_v = SUPPLY_V * (PIN_CAP_WINDOW[1] - PIN_CAP_WINDOW[0])
    for pin, cap_runs in plan.pin_caps.items():
        charges = np.abs([[get(f"ia{k}"), get(f"ib{k}")] for k in cap_runs])
        rise, fall = _mean_of_finite(charges) / step_v * 1e12
        cell.pin_rise_cap_pf[pin] = float(rise)
        cell.pin_fall_cap_pf[pin] = float(fall)
    for pin, runs in plan.hidden.items():
        energies = [
            np.array([[-get(f"{key}{k}") * SUPPLY_V * 1e12 for k in row] for row in runs])
            for key in ("ha", "hb")  # the pin's rise, its fall
        ]
        cell.pin_energy_pj[pin] = (_mean_of_finite(energies[0]), _mean_of_finite(energies[1]))
    for when, k in plan.leakage:
        cell.leakage_nw.append((when, -get(f"l{k}") * SUPPLY_V * 1e9))
    return cell
