"""Characterizing flip-flops, latches and clock gates: clock-to-Q tables, asynchronous
clear/preset arcs (the slower of the clock low and high), setup and hold, recovery and removal
of the asynchronous pins and minimum pulse widths by bisection, all in one ngspice process per
cell.

Flip-flops (rising edge): the criterion of the sky130hd library, a 10 % rise of clock-to-Q
delay: a setup (hold) time passes when Q reaches 50 % of its new (old) value no later than
1.1 × the nominal clock-to-Q delay after the clock's 50 % point and holds it to the end.
Recovery and removal are the same tests with the (active-low) clear or preset pin released
instead of D changing, D held at the value the clock would capture: recovery passes when the
clock still captures it (as setup), removal when Q keeps the cleared (preset) value (as hold).
The pin is asserted only while the clock is low, after the flop held D: a clock edge during
the assertion would precharge the master's floating feedback nodes and move the race 80 ps.
Latches (active-high enable), the same criterion on the delay through the open latch: a setup
passes when Q reaches D's new value no later than 1.1 × the nominal D-to-Q delay after D's
50 % point and keeps it after the enable falls; a hold passes when the value latched is the
old one. Integrated clock gates (the enable latched while the clock is low, then ANDed with
it): the clock-to-gated-clock arc is combinational (the enable held high), and the enable's
setup and hold against the rising clock use the flip-flop criterion on the gated clock's
rising delay where the pulse must pass, and where it must not, that the gated clock never
reaches 50 % after the clock edge. The bisection runs inside ngspice's control language
(``repeat``/``if``), 11 halvings of a 3.5 ns interval (1.7 ps resolution).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tapeout.characterize import stimuli
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
FAST_NS = 0.01  # slew of the set-up edges that only prepare a state
DEGRADE = 1.1
BISECTIONS = 11
PREP_S = 1.5e-9  # the preparing clock pulse ends before this
BISECTION_STEP_S = 5.037e-12  # largest time step of bisection runs (Q's level is what counts)
PULSE_SPAN_S = 1e-9  # minimum pulse widths are searched from the full ramp to this beyond it
CONSTRAINT_LOAD_PF = 0.0005  # output load of the constraint and pulse-width runs


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


def _inactive(family: Family) -> dict[str, bool]:
    """Static levels of asynchronous pins (inactive: high, they are active low)."""
    return {pin: True for pin in (family.clear, family.preset) if pin}


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
    waveforms = stimuli.pwl_levels(_inactive(family))
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
            waveforms = stimuli.pwl_levels(_inactive(family))
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


def _bisection(
    deck: Deck,
    family: Family,
    output: str,
    name: str,
    *,
    hold: bool,
    data_rising: bool,
    clock_slew_ns: float,
    data_slew_ns: float,
    release: str = "",
) -> None:
    """A control-language block that bisects the setup (hold) time and prints ``name``.

    The data pin crosses 50 % at ``offset`` before (setup) or after (hold) the clock's
    sampling edge crosses 50 %. Flip-flops sample on the rising clock, latches on the falling
    enable. With ``release`` (a flop's clear or preset pin), that pin rises out of its active
    low level instead, D steady: recovery (``hold`` False) or removal (``hold`` True).
    """
    latch = family.kind == "latch"
    gate = family.kind == "clock_gate"
    fast = ramp_time_s(FAST_NS)
    clock_ramp = ramp_time_s(clock_slew_ns)
    data_ramp = ramp_time_s(data_slew_ns)
    edge_s = 4e-9  # the sampling clock edge starts here
    clock_mid = edge_s + clock_ramp / 2
    stop = edge_s + clock_ramp + 3e-9
    clock = f"k0_{family.clock.lower()}"
    q = f"k0_{output.lower()}"
    statics = stimuli.pwl_levels(_inactive(family))
    if release:
        _release_bisection(
            deck,
            family,
            name,
            release,
            hold=hold,
            clock=clock,
            q=q,
            statics=statics,
            edge_s=edge_s,
            stop=stop,
            clock_ramp=clock_ramp,
            release_ramp=data_ramp,
            max_step=max_step_s(min(clock_slew_ns, data_slew_ns)),
        )
        return
    # Value captured: the new data value for setup, the old one for hold.
    new_value = data_rising
    expected = (not new_value) if hold else new_value
    # Q before the sampling edge must differ from the expected value, so a late capture shows.
    prior = not expected
    if latch:
        # enable high from the start (Q follows D = prior), data changes, enable falls at edge_s.
        clock_points = stimuli.pwl_points([(edge_s, clock_ramp, False)], initial=True)
        if hold:
            deck.control.append(f"let nominal_{name} = 0")  # unused: the deadline is fixed
        else:
            # Nominal D-to-Q delay through the open latch, D changing long before the enable
            # falls: a setup passes while that delay grows by no more than 10 %.
            _nominal_run(
                deck,
                family,
                name,
                {
                    **statics,
                    family.clock: clock_points,
                    family.data: stimuli.pwl_points(
                        [(0.2e-9, data_ramp, new_value)], initial=prior
                    ),
                },
                trigger=f"k0_{family.data.lower()}",
                trigger_rising=new_value,
                q=q,
                q_rising=expected,
                edge_s=0.2e-9,
                stop=stop,
                max_step=max_step_s(min(clock_slew_ns, data_slew_ns)),
            )
    else:
        clock_points = stimuli.pwl_points(
            [(0.2e-9, fast, True), (1.0e-9, fast, False), (edge_s, clock_ramp, True)],
            initial=False,
        )
        pre = _data_points(new_value, 1.5e-9, hold=hold)  # data settled 2 ns before the edge
        if gate:
            # The reference is the gated clock's rise with the enable high long before.
            pre = _data_points(True, 1.5e-9, hold=False)
        _nominal_run(
            deck,
            family,
            name,
            {**statics, family.clock: clock_points, family.data: pre},
            trigger=clock,
            q=q,
            q_rising=expected or gate,
            edge_s=edge_s,
            stop=stop,
            max_step=max_step_s(min(clock_slew_ns, data_slew_ns)),
        )
    if latch and hold:
        deadline = f"{stop - 0.1e-9:.6e}"  # the value latched, long after the enable fell
    elif latch:
        # 1.1 x the nominal D-to-Q delay after the swept D ramp's 50 % point
        deadline = f"start_{name} + {data_ramp / 2:.6e} + {DEGRADE} * nominal_{name} + 1e-12"
    else:
        deadline = None
    before, after = (SUPPLY_V if prior else 0.0), (SUPPLY_V if new_value else 0.0)
    if hold:
        # Data holds the captured value, then changes (to the new value) after the edge.
        before, after = (SUPPLY_V if expected else 0.0), (SUPPLY_V if not expected else 0.0)
        prep_value = 0.0 if expected else SUPPLY_V
        points = (
            f"0 {prep_value:g} 1.1e-9 {prep_value:g} {1.1e-9 + fast:.6e} {before:g} "
            f"$&start_{name} {before:g} $&end_{name} {after:g}"
        )
    else:
        points = f"0 {before:g} $&start_{name} {before:g} $&end_{name} {after:g}"
    waveforms = {pin: statics.get(pin, "") for pin in deck.inputs}
    waveforms[family.data] = points
    waveforms[family.clock] = clock_points
    _bisection_loop(
        deck,
        name,
        waveforms,
        hold=hold,
        expected=expected,
        q=q,
        stop=stop,
        clock_mid=clock_mid,
        ramp=data_ramp,
        deadline=deadline,
        # A clock gate that must block the pulse: no glitch may reach 50 % after the edge.
        peak_from=edge_s if gate and not expected else None,
    )


def _nominal_run(
    deck: Deck,
    family: Family,
    name: str,
    waveforms: dict[str, str],
    *,
    trigger: str,
    q: str,
    q_rising: bool,
    edge_s: float,
    stop: float,
    max_step: float,
    trigger_rising: bool = True,
) -> None:
    """A run measuring ``nominal_<name>``: the delay from node ``trigger`` (the clock, or an
    asynchronous pin falling) switching at ``edge_s`` to node ``q`` rising (falling) far from
    any constraint, the reference of the 10 % criterion."""
    td = f"td={edge_s - 1e-11:.6e}"
    deck.control.append(f"let nominal_{name} = 0")
    deck.add_run(
        waveforms,
        {output: CONSTRAINT_LOAD_PF for output in family.outputs},
        stop,
        [
            f"nominal_{name} trig v({trigger}) val={SUPPLY_V / 2:g} {td} "
            f"{'rise' if trigger_rising else 'fall'}=1 "
            f"targ v({q}) val={SUPPLY_V / 2:g} {td} {'rise' if q_rising else 'fall'}=1"
        ],
        max_step_s=max_step,
    )


def _bisection_loop(
    deck: Deck,
    name: str,
    waveforms: dict[str, str],
    *,
    hold: bool,
    expected: bool,
    q: str,
    stop: float,
    clock_mid: float,
    ramp: float,
    deadline: str | None = None,
    bounds: tuple[float, float] = (2e-9, -1.5e-9),
    peak_from: float | None = None,
) -> None:
    """The ``repeat`` loop of a bisection: each try sets every input's PWL (``$&start_<name>``
    and ``$&end_<name>`` mark the swept ramp, ``offset`` before the clock's 50 % point, after
    it with ``hold``) and keeps the offset as passing when Q is ``expected`` at the deadline
    and at the end. ``deadline`` is a control-language expression evaluated in each try, so
    it may use ``start_<name>`` (default: the clock's 50 % point plus 1.1 ×
    ``nominal_<name>``). The search starts from ``bounds``, an offset taken to pass and one
    taken to fail (neither is tried itself). With ``peak_from`` (s), a try expecting Q low
    also needs Q's maximum from then to the end below 50 %."""
    lines = deck.control
    # By default 2 ns passes for setup (data long before) and for hold (data long after).
    lines.append(f"let pass_{name} = {bounds[0]:.6e}")
    lines.append(f"let fail_{name} = {bounds[1]:.6e}")
    if deadline is None:
        deadline = f"{clock_mid:.6e} + {DEGRADE} * nominal_{name} + 1e-12"
    lines.append(f"repeat {BISECTIONS}")
    lines.append(f"  let offset_{name} = (pass_{name} + fail_{name}) / 2")
    sign = "+" if hold else "-"
    lines.append(f"  let start_{name} = {clock_mid:.6e} {sign} offset_{name} - {ramp / 2:.6e}")
    lines.append(f"  let end_{name} = start_{name} + {ramp:.6e}")
    lines.append(f"  let deadline_{name} = {deadline}")
    for pin in deck.inputs:
        lines.append(f"  alter @v0_{pin.lower()}[pwl] = [ {waveforms[pin]} ]")
    for pin in deck.outputs:
        lines.append(f"  alter c0_{pin.lower()} {CONSTRAINT_LOAD_PF * 1e-12:.6e}")
    lines.append(f"  tran 1e-12 {stop:.6e} 0 {BISECTION_STEP_S:.3e}")
    lines.append(f"  meas tran atdeadline_{name} find v({q}) at=$&deadline_{name}")
    lines.append(f"  meas tran atend_{name} find v({q}) at={stop - 1e-11:.6e}")
    good = "gt" if expected else "lt"
    half = f"{SUPPLY_V / 2:g}"
    condition = f"(atdeadline_{name} {good} {half}) and (atend_{name} {good} {half})"
    if peak_from is not None:
        lines.append(
            f"  meas tran peak_{name} max v({q}) from={peak_from:.6e} to={stop - 1e-11:.6e}"
        )
        condition += f" and (peak_{name} lt {half})"
    lines.append(f"  if {condition}")
    lines.append(f"    let pass_{name} = offset_{name}")
    lines.append("  else")
    lines.append(f"    let fail_{name} = offset_{name}")
    lines.append("  end")
    lines.append("  destroy all")
    lines.append("end")
    lines.append(f"let {name} = pass_{name}")
    lines.append(f"print {name}")


def _release_bisection(
    deck: Deck,
    family: Family,
    name: str,
    pin: str,
    *,
    hold: bool,
    clock: str,
    q: str,
    statics: dict[str, str],
    edge_s: float,
    stop: float,
    clock_ramp: float,
    release_ramp: float,
    max_step: float,
) -> None:
    """Recovery (``hold`` False) or removal (``hold`` True) of a flop's active-low clear or
    preset ``pin``: inactive at the start (the operating point has the master holding D, the
    value the clock would capture), asserted at 0.2 ns with the clock low (Q at its
    cleared/preset value), released ``offset`` before (after) the sampling clock edge.

    The clock stays low until that edge. Had it risen while the pin was asserted, the master's
    clocked feedback (for dfrtp: M0 through the clock NMOS to the M1 NMOS and the reset NMOS)
    would leave its stack nodes floating high, and at the sampling edge they would share that
    charge with the master node the reset is pulling up: the reset wins the race ~80 ps sooner
    (dfrtp_1's removal 0.20 instead of 0.28 ns at the fastest slews; official 0.30). Here those
    nodes start at ground, as after a reset asserted in normal operation.
    """
    fast = ramp_time_s(FAST_NS)
    clock_mid = edge_s + clock_ramp / 2
    forced = pin != family.clear  # Q while the pin is active: 1 for preset, 0 for clear
    captured = not forced
    expected = forced if hold else captured
    clock_points = stimuli.pwl_points([(edge_s, clock_ramp, True)], initial=False)
    data_points = stimuli.pwl_points([], initial=captured)
    # Nominal clock-to-Q delay of the capture, the pin released 2.5 ns before the edge.
    waveforms = {**statics, family.clock: clock_points, family.data: data_points}
    assertion = (0.2e-9, fast, False)  # with the clock low
    waveforms[pin] = stimuli.pwl_points([assertion, (1.5e-9, fast, True)], initial=True)
    _nominal_run(
        deck,
        family,
        name,
        waveforms,
        trigger=clock,
        q=q,
        q_rising=captured,
        edge_s=edge_s,
        stop=stop,
        max_step=max_step,
    )
    waveforms = {other: statics.get(other, "") for other in deck.inputs}
    waveforms[family.clock] = clock_points
    waveforms[family.data] = data_points
    asserted = stimuli.pwl_points([assertion], initial=True)
    waveforms[pin] = f"{asserted} $&start_{name} 0 $&end_{name} {SUPPLY_V:g}"
    _bisection_loop(
        deck,
        name,
        waveforms,
        hold=hold,
        expected=expected,
        q=q,
        stop=stop,
        clock_mid=clock_mid,
        ramp=release_ramp,
    )


def pulse_floor_ns(slew_ns: float) -> float:
    """The narrowest pulse (ns, 50 % to 50 %) whose two edges of ``slew_ns`` (20-80 %) both
    reach the rail: the full ramp time. No narrower width is searched or reported (the official
    library's slow-slew entries are exactly this floor)."""
    return ramp_time_s(slew_ns) * 1e9


def _pulse_bisection(
    deck: Deck,
    family: Family,
    output: str,
    name: str,
    *,
    pin: str,
    high: bool,
    q_rising: bool,
    slew_ns: float,
) -> None:
    """A control-language block that bisects the minimum width of a pulse on ``pin`` (both
    edges of ``slew_ns``) and prints ``name`` (s, 50 % to 50 %).

    The clock (a latch's enable) high: Q holds the opposite of D, the pulse's rising edge
    captures D (Q rising with ``q_rising``) and the swept falling edge closes the second stage.
    A flop's clock low: the clock is high while D changes, the swept falling edge opens the
    first stage and the rising edge at a fixed time captures D. A clear (preset) pin low: Q at
    the opposite value, the clock low (the second stage holding), the pulse forces Q. A width
    passes when Q reaches its new value no later than 1.1 × the nominal delay (a long pulse)
    after the pulse's capturing or forcing edge and keeps it to the end, the criterion of
    setup and hold; widths from ``pulse_floor_ns`` to ``PULSE_SPAN_S`` more are searched.
    """
    fast = ramp_time_s(FAST_NS)
    ramp = ramp_time_s(slew_ns)
    volts = f"{SUPPLY_V:g}"
    edge_s = 2e-9 + ramp + PULSE_SPAN_S  # the pulse's fixed edge starts here
    mid = edge_s + ramp / 2
    stop = edge_s + 2 * ramp + PULSE_SPAN_S + 3e-9
    statics = stimuli.pwl_levels(_inactive(family))
    node = f"k0_{pin.lower()}"
    forcing = pin in (family.clear, family.preset)
    prep = [(0.2e-9, fast, True), (0.9e-9, fast, False)]  # Q takes D's first value
    if forcing:
        expected = pin == family.preset
        data = stimuli.pwl_points([], initial=not expected)
        clock = stimuli.pwl_points(prep, initial=False)
        nominal = {pin: stimuli.pwl_points([(edge_s, ramp, False)], initial=True)}
        swept = f"0 {volts} {edge_s:.6e} {volts} {edge_s + ramp:.6e} 0 "
        swept += f"$&start_{name} 0 $&end_{name} {volts}"
        sweeps = {pin: swept}
    else:
        expected = q_rising
        data = stimuli.pwl_points([(1.5e-9, fast, expected)], initial=not expected)
        nominal = {family.clock: stimuli.pwl_points([*prep, (edge_s, ramp, True)], initial=False)}
        if high:
            swept = nominal[family.clock] + f" $&start_{name} {volts} $&end_{name} 0"
        else:  # high from the first capture on; low between the swept edge and edge_s
            swept = f"0 0 {prep[0][0]:.6e} 0 {prep[0][0] + fast:.6e} {volts} "
            swept += f"$&start_{name} {volts} $&end_{name} 0 {edge_s:.6e} 0 "
            swept += f"{edge_s + ramp:.6e} {volts}"
        sweeps = {family.clock: swept}
    base = {**statics, family.clock: clock if forcing else "", family.data: data}
    _nominal_run(
        deck,
        family,
        name,
        {**base, **nominal},
        trigger=node,
        q=f"k0_{output.lower()}",
        q_rising=expected,
        edge_s=edge_s,
        stop=stop,
        max_step=max_step_s(slew_ns),
        trigger_rising=not forcing,
    )
    waveforms = {other: base.get(other, "") for other in deck.inputs}
    waveforms.update(sweeps)
    _bisection_loop(
        deck,
        name,
        waveforms,
        hold=high or forcing,
        expected=expected,
        q=f"k0_{output.lower()}",
        stop=stop,
        clock_mid=mid,
        ramp=ramp,
        bounds=(ramp + PULSE_SPAN_S, ramp),
    )


def _pulse_label(pin: str, high: bool, q_rising: bool, index: int) -> str:
    return f"xw{pin.lower()}{'h' if high else 'l'}{'r' if q_rising else 'f'}{index}"


def _pulse_checks(family: Family) -> list[tuple[str, bool, tuple[bool, ...]]]:
    """(pin, high pulse, Q edges tried) of every min_pulse_width check: a flop's clock high
    and low, a latch's enable high (both Q edges, the worse counts), a clear or preset low.
    A clock gate has none here (its clock's low pulse, which lets the latch follow the
    enable, would need its own criterion)."""
    if family.kind == "clock_gate":
        return []
    checks = [(family.clock, True, (True, False))]
    if family.kind == "flop":
        checks.append((family.clock, False, (True, False)))
    for pin in (family.clear, family.preset):
        if pin:
            checks.append((pin, False, (pin == family.preset,)))
    return checks


def _data_points(new_value: bool, prep_s: float, *, hold: bool) -> str:
    """Data waveform of the nominal run: from the opposite value to the captured one at
    ``prep_s``, well before the sampling edge."""
    captured = (not new_value) if hold else new_value
    return stimuli.pwl_points([(prep_s, ramp_time_s(FAST_NS), captured)], initial=not captured)


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
                    _bisection(
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
                    _bisection(
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
    plan["pulses"] = _pulse_checks(family)
    for pin, high, edges in plan["pulses"]:
        for q_rising in edges:
            for i, slew in enumerate(CONSTRAINT_SLEWS_NS):
                _pulse_bisection(
                    deck,
                    family,
                    output,
                    _pulse_label(pin, high, q_rising, i),
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
    statics = _inactive(family)
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
    others.update(_inactive(family))
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
    resolution_ns = 2 * PULSE_SPAN_S * 1e9 / 2**BISECTIONS
    row = []
    for i, slew in enumerate(CONSTRAINT_SLEWS_NS):
        floor = pulse_floor_ns(float(slew))
        found = [values.get(_pulse_label(pin, high, q, i), np.nan) * 1e9 for q in edges]
        width = float(np.max(found))  # NaN if any is missing
        row.append(floor if width - floor < resolution_ns else width)
    return np.array(row)


def characterize_sequential(
    name: str, family: Family, grid: Grid, *, subckt: str, models: Path, ports: list[str]
) -> CellResult:
    """Simulate and read back one flip-flop or latch."""
    deck, plan = sequential_deck(name, family, grid, subckt=subckt, models=models, ports=ports)
    return read_sequential(name, family, grid, plan, run_netlist(deck.text()))
