"""The setup/hold, recovery/removal and minimum-pulse-width bisections of sequential cells,
as ngspice control-language blocks appended to a cell's deck (``sequential.sequential_deck``).

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
it): the enable's setup and hold against the rising clock use the flip-flop criterion on the
gated clock's rising delay where the pulse must pass, and where it must not, that the gated
clock never reaches 50 % after the clock edge. Minimum pulse widths: the narrowest pulse after
which Q reaches its new value within 1.1 × the nominal delay and keeps it. Each bisection
runs inside ngspice's control language (``repeat``/``if``), 11 halvings of a 3.5 ns interval
(1.7 ps resolution).
"""

from __future__ import annotations

from tapeout.characterize import stimuli
from tapeout.characterize.cells import Family
from tapeout.characterize.measure import max_step_s
from tapeout.characterize.stimuli import SUPPLY_V, Deck, ramp_time_s

FAST_NS = 0.01  # slew of the set-up edges that only prepare a state
DEGRADE = 1.1
BISECTIONS = 11
BISECTION_STEP_S = 5.037e-12  # largest time step of bisection runs (Q's level is what counts)
PULSE_SPAN_S = 1e-9  # minimum pulse widths are searched from the full ramp to this beyond it
CONSTRAINT_LOAD_PF = 0.0005  # output load of the constraint and pulse-width runs


def inactive_levels(family: Family) -> dict[str, bool]:
    """Static levels of asynchronous pins (inactive: high, they are active low)."""
    return {pin: True for pin in (family.clear, family.preset) if pin}


def constraint_bisection(
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
    statics = stimuli.pwl_levels(inactive_levels(family))
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


def pulse_bisection(
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
    statics = stimuli.pwl_levels(inactive_levels(family))
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


def pulse_label(pin: str, high: bool, q_rising: bool, index: int) -> str:
    """The control-language name a pulse-width bisection prints its width under."""
    return f"xw{pin.lower()}{'h' if high else 'l'}{'r' if q_rising else 'f'}{index}"


def pulse_checks(family: Family) -> list[tuple[str, bool, tuple[bool, ...]]]:
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
