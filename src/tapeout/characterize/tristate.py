"""Characterizing tri-state cells (ebufn, einvp, einvn): the data arc with the output enabled,
the enable pin's three_state_enable and three_state_disable arcs, the high-impedance output's
own capacitance, pin capacitances, energies and leakage, all in one ngspice process per cell.

Enable (``three_state_enable``): the output starts high-impedance with its load at the opposite
rail (held there by a 10 mS pull that lets go 0.1 ns before the enable edge), then delay from
the enable pin's 50 % to the output's 50 % and its 20-80 % transition, over the slew × load
grid, as for any other arc. One run per grid point: enable (output rises), disable, the data
pin flips with the output floating, the pull resets the load to the other rail, enable
(output falls), disable; the supply energy of each edge is measured on the way.

Disable (``three_state_disable``): how long the cell keeps driving after the enable pin's 50 %.
The output is held at half the supply by a voltage source while the cell drives it (its
saturated on-current), and the cell counts as released once the current it delivers has
fallen to 10 % of that value; the delay runs from the enable's 50 % to that point. It is
relative to each cell's own drive (no pull resistor to choose per drive strength) and
independent of the load, as the official sky130hd tables are to a few ps, so one value per
slew fills the load axis and the transitions are scalar zeros, the form of the official
tables. It is negative where a slow enable edge has turned the driver down to 10 % before its
own 50 % (the official tables have that too: ebufn_2 releases a high output 104 ps before
TE_B's 50 % at 1.5 ns). Against the official tables of all 13 cells: median |error| 5.8 ps,
95th percentile 21 ps, largest 34 ps (einvp_8 released from low at the slowest slew, ours
early). Chosen on ebufn_2, einvp_2, einvn_0 and ebufn_8 among the output held at 10 % or
50 % of the supply from its rail and a 10 % or 50 % current threshold (medians 5-8 ps for
this one, 20-47 ps for the 50 % thresholds); the data sheets' t_PHZ/t_PLZ (a resistor to the
opposite rail, the output released when it has moved 10 % of the supply, or crosses 50 %)
missed by hundreds of ps at slow slews with any resistor, and with one resistor for every
drive scaled wrongly with the drive (ebufn_8 nearly three times too slow where ebufn_2 fits).

Output capacitance (Liberty ``capacitance`` of the tri-state output, which a timer adds to the
net it drives): the output disabled and ramped up and down (0.28 ns, through 100 Ω), the
charge over 10-90 % of each ramp divided by that step, averaged over both data levels, as
input pins are measured. It includes the inner stack node that the output-stage transistor
held on by the data input connects to the output while that transistor conducts (ebufn_2: A
low holds MN0 on, so sndA charges with Z up to ~1.2 V): about 1.6 times the official values,
which match ours over the part of the swing where that transistor is off (2.0-2.4 fF for
ebufn_2, official 2.75 fF).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tapeout.characterize import stimuli
from tapeout.characterize.cells import Family, Sensitization, enable_pin
from tapeout.characterize.measure import (
    PIN_CAP_SLEW_NS,
    PIN_CAP_WINDOW,
    START_S,
    ArcTables,
    CellResult,
    Grid,
    _ArcRuns,
    _leakage_runs,
    _Plan,
    _table_runs,
    _toggle_run,
    edge_window_s,
    hidden_run,
    max_step_s,
    pin_cap_load_pf,
    read_combinational,
)
from tapeout.characterize.spice import SpiceResult, run_netlist
from tapeout.characterize.stimuli import SUPPLY_V, Deck, ramp_time_s

RESET_SIEMENS = 1e-2  # the pull that sets a high-impedance output's starting rail (100 Ω)
RESET_RELEASE_S = 0.1e-9  # the reset lets go this long before the enable edge
RESET_RAMP_S = 20e-12
RESET_S = 0.6e-9  # the second reset, with the data pin flipped
FLIP_NS = 0.01  # slew of the data pin's flip while the output floats
DISABLED_S = 1e-9  # time after a disable edge's ramp (its supply energy is measured over it)
# Disable criterion: the output held at DISABLE_HOLD of the supply (through HOLD_SIEMENS), the
# driver released once the current it delivers there has fallen to DISABLE_FRACTION of its
# value before the edge. See the module docstring.
DISABLE_HOLD = 0.5
DISABLE_FRACTION = 0.1
HOLD_SIEMENS = 1.0
DISABLE_WINDOW_S = 1e-9
OUTPUT_CAP_SIEMENS = 1e-2  # drives a high-impedance output's ramp (100 Ω: RC well under 1 ps)


def data_arc(family: Family) -> Sensitization:
    """The data pin to the output with the output enabled (for einvp the enable is high: the
    first vector in binary order would disable it)."""
    enable, level = enable_pin(family)
    ((output, function),) = family.outputs.items()
    (data,) = [pin for pin in family.inputs if pin != enable]
    sense = "negative_unate" if function.startswith("!") else "positive_unate"
    return Sensitization(data, output, {enable: level}, sense)


def _enable_sense(family: Family, *, disable: bool) -> str:
    """Liberty's sense of an enable arc: an active-high enable (einvp's TE) is positive unate
    for three_state_enable; the disable arc takes the opposite."""
    _, level = enable_pin(family)
    return "positive_unate" if level != disable else "negative_unate"


@dataclass
class TristatePlan:
    """Which run holds which measurement: ``base`` the data arc, its pin's capacitance and
    hidden energy and the leakage (read as a combinational cell's); ``enable`` int64 (n1, n2)
    runs; ``enable_cap`` the enable pin's capacitance run; ``disable`` (rise, fall) int64
    (n1,) runs (the output released from low, from high); ``output_cap`` runs, one per data
    level."""

    base: _Plan
    enable: np.ndarray
    enable_cap: int
    disable: tuple[np.ndarray, np.ndarray]
    output_cap: list[int] = field(default_factory=list)


def _pull(points: list[tuple[float, float]], final: float) -> str:
    """PWL points (time s, value) of a pull source, holding ``final`` to the end."""
    text = " ".join(f"{time:.6e} {value:.6g}" for time, value in points)
    return f"{text} 1e-6 {final:.6g}"


def _reset_conductance(windows: list[tuple[float, float]]) -> str:
    """A conductance of RESET_SIEMENS during each (on, off) window (ramps of RESET_RAMP_S),
    zero elsewhere; a window starting at 0 is on from the start."""
    points: list[tuple[float, float]] = []
    for begin, end in windows:
        if begin <= 0:
            points.append((0.0, RESET_SIEMENS))
        else:
            points += [(begin, 0.0), (begin + RESET_RAMP_S, RESET_SIEMENS)]
        points += [(end - RESET_RAMP_S, RESET_SIEMENS), (end, 0.0)]
    if points[0][0] > 0:
        points.insert(0, (0.0, 0.0))
    return _pull(points, 0.0)


def _enable_run(
    deck: Deck, family: Family, slew_ns: float, load_pf: float, *, pin_cap: bool = False
) -> int:
    """One run: the output enabled from high-impedance to high, disabled, enabled to low and
    disabled (``er/ef`` delays, ``sr/sf`` transitions and ``qr/qf`` supply charge of the
    enable edges, ``xh/xl`` supply charge of the disable edges with the output high/low);
    with ``pin_cap``, the enable pin's charge over PIN_CAP_WINDOW of each of its four edges
    (``c1``..``c4``). Returns the run id."""
    k = deck.runs
    enable, level = enable_pin(family)
    arc = data_arc(family)
    output = arc.output
    high = arc.sense == "positive_unate"  # the data level that drives the output high
    ramp = ramp_time_s(slew_ns)
    settle = edge_window_s(slew_ns, load_pf)
    enable_first = START_S
    disable_first = enable_first + settle
    flip = disable_first + ramp + DISABLED_S
    enable_second = flip + RESET_S
    disable_second = enable_second + settle
    stop = disable_second + ramp + DISABLED_S
    edges = [
        (enable_first, ramp, level),
        (disable_first, ramp, not level),
        (enable_second, ramp, level),
        (disable_second, ramp, not level),
    ]
    waveforms = {
        enable: stimuli.pwl_points(edges, initial=not level),
        arc.pin: stimuli.pwl_points([(flip, ramp_time_s(FLIP_NS), not high)], initial=high),
    }
    # The load starts low (the first enable drives it high), then is reset high.
    voltage = _pull([(0.0, 0.0), (flip, 0.0), (flip + RESET_RAMP_S / 2, SUPPLY_V)], SUPPLY_V)
    conductance = _reset_conductance(
        [
            (0.0, enable_first - RESET_RELEASE_S),
            (flip + RESET_RAMP_S, enable_second - RESET_RELEASE_S),
        ]
    )
    measures = []
    for edge, rising, start, end in (
        ("r", True, enable_first, disable_first),
        ("f", False, enable_second, disable_second),
    ):
        trigger = stimuli.crossing(0, enable, 0.5, level, count=1 if rising else 2)
        target = stimuli.crossing(0, output, 0.5, rising)
        measures.append(f"e{edge}{k} trig {trigger} targ {target}")
        measures.append(stimuli.transition_measure(f"s{edge}{k}", 0, output, rising))
        measures.append(stimuli.charge_measure(f"q{edge}{k}", "vdd0", start, end))
    measures.append(stimuli.charge_measure(f"xh{k}", "vdd0", disable_first, flip))
    measures.append(stimuli.charge_measure(f"xl{k}", "vdd0", disable_second, stop))
    if pin_cap:
        low, high_fraction = PIN_CAP_WINDOW
        source = f"v0_{enable.lower()}"
        for index, (start, _, _) in enumerate(edges, start=1):
            begin, finish = start + low * ramp, start + high_fraction * ramp
            measures.append(stimuli.charge_measure(f"c{index}{k}", source, begin, finish))
    deck.add_run(
        waveforms,
        {output: load_pf},
        stop,
        measures,
        max_step_s=max_step_s(slew_ns),
        pulls={output: (voltage, conductance)},
    )
    return k


def _disable_run(deck: Deck, family: Family, slew_ns: float, *, driven_high: bool) -> int:
    """One run: the output held at DISABLE_HOLD of the supply while the cell drives it high
    (low), then disabled; ``zi`` the current into the holding source before the edge, ``zd``
    the delay from the enable pin's 50 % to that current's falling to DISABLE_FRACTION of it
    (negative when a slow enable edge has weakened the driver that much before its 50 %).
    Returns the run id."""
    k = deck.runs
    enable, level = enable_pin(family)
    arc = data_arc(family)
    output = arc.output
    data_level = driven_high == (arc.sense == "positive_unate")
    ramp = ramp_time_s(slew_ns)
    waveforms = {
        enable: stimuli.pwl_points([(START_S, ramp, not level)], initial=level),
        arc.pin: stimuli.pwl_points([], initial=data_level),
    }
    held = DISABLE_HOLD * SUPPLY_V
    pull = (f"0 {held:g} 1e-6 {held:g}", f"0 {HOLD_SIEMENS:g} 1e-6 {HOLD_SIEMENS:g}")
    current = f"i(v0_{output.lower()}_pull)"
    trigger = stimuli.crossing(0, enable, 0.5, not level)
    deck.add_run(
        waveforms,
        {output: 0.0},
        START_S + ramp + DISABLE_WINDOW_S,
        [f"zi{k} find {current} at={START_S:.6e}"],
        max_step_s=max_step_s(slew_ns),
        pulls={output: pull},
        after=[
            f"let zt{k} = zi{k} * {DISABLE_FRACTION:g}",
            f"meas tran zd{k} trig {trigger} targ {current} val=$&zt{k} cross=1",
        ],
    )
    return k


def _output_cap_run(deck: Deck, family: Family, data_level: bool) -> int:
    """One run: the output disabled and driven through OUTPUT_CAP_SIEMENS by a ramp up and
    down (PIN_CAP_SLEW_NS); ``oa``/``ob`` the charge it takes over PIN_CAP_WINDOW of each."""
    k = deck.runs
    enable, level = enable_pin(family)
    arc = data_arc(family)
    ramp = ramp_time_s(PIN_CAP_SLEW_NS)
    second = START_S + ramp + DISABLED_S
    waveforms = {
        enable: stimuli.pwl_points([], initial=not level),
        arc.pin: stimuli.pwl_points([], initial=data_level),
    }
    voltage = stimuli.pwl_points([(START_S, ramp, True), (second, ramp, False)], initial=False)
    conductance = f"0 {OUTPUT_CAP_SIEMENS:g} 1e-6 {OUTPUT_CAP_SIEMENS:g}"
    low, high = PIN_CAP_WINDOW
    source = f"v0_{arc.output.lower()}_pull"
    measures = [
        stimuli.charge_measure(f"o{tag}{k}", source, start + low * ramp, start + high * ramp)
        for tag, start in (("a", START_S), ("b", second))
    ]
    deck.add_run(
        waveforms,
        {arc.output: 0.0},
        second + ramp + DISABLED_S,
        measures,
        max_step_s=max_step_s(PIN_CAP_SLEW_NS),
        pulls={arc.output: (voltage, conductance)},
    )
    return k


def tristate_deck(
    name: str, family: Family, grid: Grid, *, subckt: str, models: Path, ports: list[str]
) -> tuple[Deck, TristatePlan]:
    """The deck measuring everything of a tri-state cell, and the plan to read it back."""
    arc = data_arc(family)
    enable, level = enable_pin(family)
    output = arc.output
    deck = Deck(name, subckt, models, ports, family.inputs, (output,), pulls=(output,))
    base = _Plan()
    runs = _table_runs(deck, base, family, grid, arc, output)
    base.arcs.append(_ArcRuns(arc, arc, runs, arc, runs))
    # The data pin's capacitance with the output enabled (it passes to the output: Miller
    # charge of an einv's output stage), its energy while disabled (no output change).
    base.pin_caps[arc.pin] = [deck.runs]
    load = pin_cap_load_pf(grid, output)
    _toggle_run(deck, family, grid, arc, output, PIN_CAP_SLEW_NS, load, pin_cap=True)
    disabled = stimuli.pwl_levels({enable: not level})
    base.hidden[arc.pin] = np.array(
        [[hidden_run(deck, family, grid, arc.pin, disabled, float(s)) for s in grid.slews_ns]],
        dtype=np.int64,
    )
    _leakage_runs(deck, base, family)
    loads = grid.loads_pf[output]
    enable_runs = np.array(
        [[_enable_run(deck, family, float(s), float(c)) for c in loads] for s in grid.slews_ns],
        dtype=np.int64,
    )
    enable_cap = _enable_run(deck, family, PIN_CAP_SLEW_NS, load, pin_cap=True)
    released_from = [
        np.array(
            [_disable_run(deck, family, float(s), driven_high=high) for s in grid.slews_ns],
            dtype=np.int64,
        )
        for high in (False, True)  # released from low (Liberty's rise), from high (fall)
    ]
    output_cap = [_output_cap_run(deck, family, value) for value in (False, True)]
    plan = TristatePlan(
        base, enable_runs, enable_cap, (released_from[0], released_from[1]), output_cap
    )
    return deck, plan


def read_tristate(
    name: str, family: Family, grid: Grid, plan: TristatePlan, result: SpiceResult
) -> CellResult:
    """Tables of a tri-state cell from the measures of its deck."""
    cell = read_combinational(name, family, grid, plan.base, result)
    values = result.measures
    enable, _ = enable_pin(family)
    output = data_arc(family).output
    loads = grid.loads_pf[output][None, :] * np.ones((grid.slews_ns.size, 1))
    half_cv2 = 0.5 * loads * SUPPLY_V**2

    def table(prefix: str, runs: np.ndarray) -> np.ndarray:
        return np.array(
            [[values.get(f"{prefix}{k}", np.nan) for k in row] for row in runs], dtype=np.float64
        )

    def energy(prefix: str) -> np.ndarray:
        return -table(prefix, plan.enable) * SUPPLY_V * 1e12  # pJ drawn from the supply

    cell.arcs.append(
        ArcTables(
            pin=enable,
            output=output,
            sense=_enable_sense(family, disable=False),
            cell_rise=table("er", plan.enable) * 1e9,
            cell_fall=table("ef", plan.enable) * 1e9,
            rise_transition=table("sr", plan.enable) * 1e9,
            fall_transition=table("sf", plan.enable) * 1e9,
            rise_energy_pj=energy("qr") - half_cv2,
            fall_energy_pj=energy("qf") - half_cv2,
            timing_type="three_state_enable",
        )
    )
    # Load-independent: one delay per slew, the same across the load axis.
    released = [
        np.array([values.get(f"zd{k}", np.nan) for k in runs]) * 1e9 for runs in plan.disable
    ]
    cell.arcs.append(
        ArcTables(
            pin=enable,
            output=output,
            sense=_enable_sense(family, disable=True),
            cell_rise=released[0][:, None] * np.ones_like(loads),
            cell_fall=released[1][:, None] * np.ones_like(loads),
            rise_transition=np.zeros(()),
            fall_transition=np.zeros(()),
            # the disable edges of the enable runs, the output staying put: no C·V² part
            rise_energy_pj=energy("xl"),
            fall_energy_pj=energy("xh"),
            timing_type="three_state_disable",
        )
    )
    # The enable pin's edges: 1 and 3 enable, 2 and 4 disable; rising where it enables high.
    charges = np.abs([values.get(f"c{index}{plan.enable_cap}", np.nan) for index in (1, 2, 3, 4)])
    step_v = SUPPLY_V * (PIN_CAP_WINDOW[1] - PIN_CAP_WINDOW[0])
    enabling = float(np.mean(charges[[0, 2]]) / step_v * 1e12)
    disabling = float(np.mean(charges[[1, 3]]) / step_v * 1e12)
    _, level = enable_pin(family)
    cell.pin_rise_cap_pf[enable] = enabling if level else disabling
    cell.pin_fall_cap_pf[enable] = disabling if level else enabling
    output_charges = np.abs(
        [[values.get(f"o{tag}{k}", np.nan) for tag in "ab"] for k in plan.output_cap]
    )
    cell.output_cap_pf[output] = float(np.mean(output_charges) / step_v * 1e12)
    return cell


def characterize_tristate(
    name: str, family: Family, grid: Grid, *, subckt: str, models: Path, ports: list[str]
) -> CellResult:
    """Simulate and read back one tri-state cell."""
    deck, plan = tristate_deck(name, family, grid, subckt=subckt, models=models, ports=ports)
    return read_tristate(name, family, grid, plan, run_netlist(deck.text()))
