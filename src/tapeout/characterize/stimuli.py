"""Building SPICE decks: many independent copies of one cell in one transient simulation.

Each copy has its own supply source (so its supply current, hence energy and leakage, is
measured alone), its own input sources (piecewise-linear ramps or constants) and its own output
load. Copy ``k``'s nodes are ``k<k>_<pin>`` (lower case); its supply is ``vdd<k>``. The measure
lines name what they measure so that ``measure.py`` can put the numbers back into tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tapeout.characterize.cells import GROUND_PINS, POWER_PINS

SUPPLY_V = 1.8
TEMPERATURE_C = 25.0
SLEW_LOW = 0.2
SLEW_HIGH = 0.8
NO_PULL = "0 0 1e-6 0"  # PWL points of a pull that stays off


def ramp_time_s(slew_ns: float) -> float:
    """Full 0→100 % ramp time (s) of a linear input whose 20–80 % transition is ``slew_ns``."""
    return slew_ns * 1e-9 / (SLEW_HIGH - SLEW_LOW)


@dataclass
class Deck:
    """A SPICE deck for one cell: ONE instance of the cell, simulated again and again.

    Every input pin is driven by a PWL source and every output pin loaded by a capacitor; each
    ``add_run`` appends to the ``.control`` block an ``alter`` of those sources and loads, a
    ``tran``, the measures, and a ``destroy`` of the results. Models load once per deck.
    Nodes are ``k0_<pin>`` (lower case), the supply source is ``vdd0``.

    Each output in ``pulls`` also gets a programmable pull (a tri-state output's reset to a
    rail, its resistive load): a conductance of ``v(k0_<pin>_g)`` siemens to the voltage
    ``v(k0_<pin>_pull)``, both PWL sources set per run (zero conductance unless a run sets
    them); its current flows through source ``v0_<pin>_pull``.
    """

    cell: str
    subckt: str  # the cell's .subckt text (sizes in µm)
    models: Path
    ports: list[str]
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    corner: str = "tt"
    control: list[str] = field(default_factory=list)
    runs: int = 0
    pulls: tuple[str, ...] = ()

    def add_run(
        self,
        waveforms: dict[str, str],
        loads_pf: dict[str, float],
        stop_s: float,
        measures: list[str],
        *,
        max_step_s: float = 2e-11,
        pulls: dict[str, tuple[str, str]] | None = None,
        after: Sequence[str] = (),
    ) -> None:
        """One transient run: ``waveforms`` maps every input pin to a PWL point list (see
        ``pwl_points``), ``loads_pf`` every output pin to its load (pF); ``pulls`` a pull pin
        to the PWL point lists of its voltage (V) and conductance (S) (others: none).
        ``after``: control lines after the measures (a ``let`` and a measure using it)."""
        self.runs += 1
        for pin in self.inputs:
            self.control.append(f"alter @v0_{pin.lower()}[pwl] = [ {waveforms[pin]} ]")
        for pin in self.outputs:
            self.control.append(f"alter c0_{pin.lower()} {loads_pf[pin] * 1e-12:.6e}")
        for pin in self.pulls:
            voltage, conductance = (pulls or {}).get(pin, (NO_PULL, NO_PULL))
            self.control.append(f"alter @v0_{pin.lower()}_pull[pwl] = [ {voltage} ]")
            self.control.append(f"alter @v0_{pin.lower()}_g[pwl] = [ {conductance} ]")
        self.control.append(f"tran 1e-12 {stop_s:.6e} 0 {max_step_s:.3e}")
        self.control.extend(f"meas tran {text}" for text in measures)
        self.control.extend(after)
        self.control.append("destroy all")

    def text(self) -> str:
        """The complete deck."""
        nodes = []
        for port in self.ports:
            if port in POWER_PINS:
                nodes.append("vdd0")
            elif port in GROUND_PINS:
                nodes.append("0")
            else:
                nodes.append(node(0, port))
        lines = [
            f"* tapeout characterization of {self.cell}",
            f'.lib "{self.models}" {self.corner}',
            ".option scale=1e-6",
            self.subckt,
            f".temp {TEMPERATURE_C:g}",
            f"Vdd0 vdd0 0 {SUPPLY_V:g}",
            f"X0 {' '.join(nodes)} {self.cell}",
        ]
        lines += [f"V0_{pin.lower()} {node(0, pin)} 0 PWL(0 0 1e-9 0)" for pin in self.inputs]
        lines += [f"C0_{pin.lower()} {node(0, pin)} 0 1e-15" for pin in self.outputs]
        for pin in self.pulls:
            out, pull, siemens = node(0, pin), node(0, f"{pin}_pull"), node(0, f"{pin}_g")
            lines += [
                f"V0_{pin.lower()}_pull {pull} 0 PWL(0 0 1e-9 0)",
                f"V0_{pin.lower()}_g {siemens} 0 PWL(0 0 1e-9 0)",
                f"B0_{pin.lower()} {out} {pull} I = v({siemens}) * (v({out}) - v({pull}))",
            ]
        lines += [".control", "set noaskquit", *self.control, "quit", ".endc", ".end", ""]
        return "\n".join(lines)


def pwl_points(edges: list[tuple[float, float, bool]], *, initial: bool) -> str:
    """PWL points (``t v t v ...``) starting at ``initial`` (False = 0 V) and ramping at each
    ``(start_s, ramp_s, to_high)``; edges in time order, not overlapping."""
    level = SUPPLY_V if initial else 0.0
    points = [f"0 {level:g}"]
    for start_s, ramp_s, to_high in edges:
        target = SUPPLY_V if to_high else 0.0
        points.append(f"{start_s:.6e} {level:g}")
        points.append(f"{start_s + ramp_s:.6e} {target:g}")
        level = target
    if not edges:
        points.append(f"1e-6 {level:g}")
    return " ".join(points)


def pwl_levels(levels: dict[str, bool]) -> dict[str, str]:
    """Constant waveforms (``pwl_points``) for pins held at ``levels`` (False = 0 V)."""
    return {pin: pwl_points([], initial=high) for pin, high in levels.items()}


def node(k: int, pin: str) -> str:
    """The node of pin ``pin`` of copy ``k``."""
    return f"k{k}_{pin.lower()}"


def crossing(k: int, pin: str, fraction: float, rising: bool, *, count: int = 1) -> str:
    """A measure's ``trig``/``targ`` operand: pin of copy k crossing ``fraction`` of the supply."""
    direction = "rise" if rising else "fall"
    return f"v({node(k, pin)}) val={fraction * SUPPLY_V:.6g} {direction}={count}"


def delay_measure(
    name: str, k: int, input_pin: str, input_rising: bool, output_pin: str, output_rising: bool
) -> str:
    """50 % input to 50 % output delay of copy ``k``."""
    return (
        f"{name} trig {crossing(k, input_pin, 0.5, input_rising)} "
        f"targ {crossing(k, output_pin, 0.5, output_rising)}"
    )


def transition_measure(name: str, k: int, pin: str, rising: bool) -> str:
    """20–80 % (rising) or 80–20 % (falling) transition time of a pin of copy ``k``."""
    first, second = (SLEW_LOW, SLEW_HIGH) if rising else (SLEW_HIGH, SLEW_LOW)
    return f"{name} trig {crossing(k, pin, first, rising)} targ {crossing(k, pin, second, rising)}"


def charge_measure(name: str, source: str, start_s: float, stop_s: float) -> str:
    """Charge (C) through voltage source ``source`` between two times (ngspice sign: negative
    when the source delivers current)."""
    return f"{name} integ i({source}) from={start_s:.6e} to={stop_s:.6e}"
