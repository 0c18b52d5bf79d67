"""Design rule checks: max slew, max capacitance and max fanout limits, as OpenSTA's
``report_check_types -max_slew -max_capacitance -max_fanout`` (``CheckSlewLimits``, …).

A pin's limit is the tightest of the design's (``set_max_transition`` /
``set_max_capacitance`` / ``set_max_fanout`` on the design), a top-level port's own SDC limit,
for slews a clock's (``-clock_path`` on its network, ``-data_path`` on the paths it launches,
``-rise``/``-fall``), and for a cell pin its Liberty attribute (``max_transition``,
``max_capacitance``, ``max_fanout``), else for an output the library default
(``default_max_transition``, …).
Pins in an ideal clock network, constant pins (tie cells, ``set_case_analysis``) and, for
capacitance and fanout, pins that do not drive (inputs, input ports) are not checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tapeout.db.liberty import LibertyLibrary, LibertyPin
from tapeout.db.netlist import PortDirection
from tapeout.timing.graph import liberty_pin, library_cells
from tapeout.timing.incremental import Timer

KINDS = ("max_slew", "max_capacitance", "max_fanout")
_CONSTANT_FUNCTIONS = {"0", "1", "1'b0", "1'b1", "1'B0", "1'B1"}


@dataclass(frozen=True)
class LimitRow:
    """One checked pin: its value and limit (ps, fF or fanout load), slack = limit - value,
    and for slews the transition it was worst on (0 rise, 1 fall; -1 otherwise)."""

    pin: int
    name: str
    value: float
    limit: float
    slack: float
    rf: int = -1


@dataclass(eq=False)
class LimitCheck:
    """One kind of design rule over the design.

    Attributes:
        kind: "max_slew", "max_capacitance" or "max_fanout"; unit: "ps", "fF" or "".
        checked: pins that have a limit.
        violations: pins whose slack is negative.
        worst: the pin with the least slack (None when no pin has a limit).
        violators: the violating pins, worst first (at most the number asked for).
    """

    kind: str
    unit: str
    checked: int = 0
    violations: int = 0
    worst: LimitRow | None = None
    violators: list[LimitRow] = field(default_factory=list)

    @property
    def slack_ratio(self) -> float:
        """Slack over limit at the worst pin (OpenSTA's ``*_check_slack_limit``); 0 without one."""
        if self.worst is None or self.worst.limit == 0:
            return 0.0
        return self.worst.slack / self.worst.limit


@dataclass(eq=False)
class DesignRules:
    """The three design rule checks of one analysis."""

    max_slew: LimitCheck
    max_capacitance: LimitCheck
    max_fanout: LimitCheck

    def checks(self) -> tuple[LimitCheck, LimitCheck, LimitCheck]:
        return self.max_slew, self.max_capacitance, self.max_fanout

    def metrics(self, head: str = "") -> dict[str, float | int]:
        """ORFS's ``report_erc_metrics`` keys: violation counts, and for slew and capacitance
        slack ÷ limit at the worst pin, for fanout the worst pin's limit (0 without a limit)."""
        fanout = self.max_fanout.worst
        return {
            f"{head}timing__drv__max_slew_limit": round(self.max_slew.slack_ratio, 6),
            f"{head}timing__drv__max_slew": self.max_slew.violations,
            f"{head}timing__drv__max_cap_limit": round(self.max_capacitance.slack_ratio, 6),
            f"{head}timing__drv__max_cap": self.max_capacitance.violations,
            f"{head}timing__drv__max_fanout_limit": fanout.limit if fanout is not None else 0.0,
            f"{head}timing__drv__max_fanout": self.max_fanout.violations,
        }


@dataclass(frozen=True)
class _PinRule:
    """What a cell's Liberty pin says about design rules (ps, fF, fanout load)."""

    max_transition_ps: float
    max_capacitance_ff: float
    max_fanout: float
    fanout_load: float
    is_output: bool
    constant: bool


def _attribute(pin: LibertyPin, library: LibertyLibrary, name: str) -> float:
    text = pin.attributes.get(name)
    if text is None:
        text = library.attributes.get(f"default_{name}") if name == "fanout_load" else None
    try:
        return float(text) if text is not None else np.nan
    except ValueError:
        return np.nan


def _pin_rule(pin: LibertyPin, library: LibertyLibrary) -> _PinRule:
    is_output = pin.direction in ("output", "inout")
    time_ps = library.time_unit_s / 1e-12
    cap_ff = library.capacitive_load_unit_f / 1e-15
    transition = pin.max_transition
    if transition is None and is_output:
        transition = library.default_max_transition
    capacitance = pin.max_capacitance
    if capacitance is None and is_output:
        capacitance = library.default_max_capacitance
    fanout = _attribute(pin, library, "max_fanout")
    if np.isnan(fanout) and is_output:
        default = library.attributes.get("default_max_fanout")
        fanout = float(default) if default is not None else np.nan
    fanout_load = _attribute(pin, library, "fanout_load")
    if np.isnan(fanout_load) and library.default_fanout_load is not None:
        fanout_load = library.default_fanout_load
    return _PinRule(
        max_transition_ps=transition * time_ps if transition is not None else np.nan,
        max_capacitance_ff=capacitance * cap_ff if capacitance is not None else np.nan,
        max_fanout=fanout,
        fanout_load=0.0 if np.isnan(fanout_load) else fanout_load,
        is_output=is_output,
        constant=is_output and pin.function.strip() in _CONSTANT_FUNCTIONS,
    )


def _cell_pin_rules(timer: Timer) -> np.ndarray:
    """float64 (n_pins, 6): per pin its Liberty limits (slew ps, cap fF, fanout; NaN where
    none), fanout load, is-output and is-constant flags. Top-level ports: NaN limits, fanout
    load 0 (a port load does not count), output flag from the port's direction."""
    netlist = timer.netlist
    rules = np.full((netlist.n_pins, 6), np.nan)
    rules[:, 3:] = 0.0
    cells = library_cells(timer.libraries)
    on_inst = netlist.pin_inst >= 0
    pins = np.flatnonzero(on_inst)
    masters = timer.inst_master[netlist.pin_inst[pins]]
    terms = netlist.pin_term[pins].astype(np.int64)
    keys = masters * max(len(netlist.terms), 1) + terms
    unique, inverse = np.unique(keys, return_inverse=True)
    table = np.zeros((unique.size, 6))
    for row, key in enumerate(unique.tolist()):
        master, term = divmod(key, max(len(netlist.terms), 1))
        found = cells.get(timer.masters[master])
        pin = liberty_pin(found, netlist.terms[term]) if found is not None else None
        if found is None or pin is None:
            # Not a library pin (a black box): no limit, one unit of fanout as a load.
            table[row] = (np.nan, np.nan, np.nan, 1.0, 0.0, 0.0)
            continue
        rule = _pin_rule(pin, found[1])
        table[row] = (
            rule.max_transition_ps,
            rule.max_capacitance_ff,
            rule.max_fanout,
            rule.fanout_load,
            float(rule.is_output),
            float(rule.constant),
        )
    rules[pins] = table[inverse]
    ports = np.flatnonzero(~on_inst)
    direction = netlist.port_direction[netlist.pin_term[ports]]
    rules[ports, 4] = (direction == PortDirection.OUTPUT) | (direction == PortDirection.INOUT)
    return rules


def _limits(timer: Timer, row: int, cell_limits: np.ndarray) -> np.ndarray:
    """float64 (n_pins,) the tightest of the SDC limit (design; a port's own) and, on cell
    pins, the Liberty limit ``cell_limits``; NaN where none applies."""
    on_inst = timer.netlist.pin_inst >= 0
    own = np.where(on_inst, cell_limits, np.nan)
    sdc = timer.constraints.design_rule_limits
    return np.fmin(sdc[row], own) if sdc.shape[1] else own


def _apply_clock_slew_limits(timer: Timer, limits: np.ndarray) -> None:
    """``set_max_transition`` on clocks into ``limits`` float64 (n_pins, 2) (by transition):
    a ``-clock_path`` limit on the pins of the clock's network, a ``-data_path`` one on the
    pins its launched paths reach (its launch passes' arrivals, off every clock network);
    the tightest limit applies, as in OpenSTA 2.0."""
    domains: dict[int, np.ndarray] = {}
    for clock, limit in timer.constraints.clock_slew_limits:
        pins = np.zeros(timer.graph.n_pins, dtype=bool)
        network = timer.clock_networks.get(clock)
        if limit.clock_path and network is not None:
            pins |= network
        if limit.data_path:
            if clock not in domains:
                reached = np.zeros(timer.graph.n_pins, dtype=bool)
                for launch in timer.passes[: timer.n_clocked_passes]:
                    if launch.clock == clock:
                        reached |= np.isfinite(launch.arrival_max).any(axis=1)
                domains[clock] = reached & ~timer.clock_network
            pins |= domains[clock]
        for edge, applies in enumerate((limit.rise, limit.fall)):
            if applies:
                limits[pins, edge] = np.fmin(limits[pins, edge], limit.limit_ps)


def _rows(
    timer: Timer, values: np.ndarray, limits: np.ndarray, rf: np.ndarray | None, n_rows: int
) -> tuple[int, int, LimitRow | None, list[LimitRow]]:
    netlist = timer.netlist
    slack_of = limits - values  # NaN where no limit
    n_checked = int(np.isfinite(limits).sum())
    violating = np.flatnonzero(slack_of < 0)
    violating = violating[np.lexsort((violating, slack_of[violating]))]

    def row(pin: int) -> LimitRow:
        return LimitRow(
            pin=pin,
            name=netlist.pin_name(pin),
            value=float(values[pin]),
            limit=float(limits[pin]),
            slack=float(slack_of[pin]),
            rf=int(rf[pin]) if rf is not None else -1,
        )

    worst = row(int(np.nanargmin(slack_of))) if n_checked else None
    return (
        n_checked,
        int(violating.size),
        worst,
        [row(int(pin)) for pin in violating[:n_rows]],
    )


def check_design_rules(timer: Timer, *, n_rows: int = 10) -> DesignRules:
    """Max slew, capacitance and fanout checks of ``timer``'s current results (call
    ``timer.update()`` first). ``n_rows``: violators kept per check, worst first."""
    netlist = timer.netlist
    graph = timer.graph
    rules = _cell_pin_rules(timer)
    skip = np.zeros(netlist.n_pins, dtype=bool)
    for k, network in timer.clock_networks.items():
        if not timer.constraints.clock_propagated[k]:
            skip |= network
    skip |= timer.case_value >= 0
    skip |= rules[:, 5] > 0
    slew_limits = np.repeat(_limits(timer, 0, rules[:, 0])[:, None], 2, axis=1)
    _apply_clock_slew_limits(timer, slew_limits)
    slew_limits[skip] = np.nan
    slews = timer.slew_max_ps
    # the transition with the least slack; one without a limit never wins
    rf = np.argmin(np.nan_to_num(slew_limits - slews, nan=np.inf), axis=1)
    rows = np.arange(netlist.n_pins)
    slew = slews[rows, rf]
    slew_limit = slew_limits[rows, rf]

    drives = rules[:, 4] > 0
    cap_limit = _limits(timer, 1, rules[:, 1])
    cap_limit[skip | ~drives] = np.nan
    # A net's load, as its driver sees it, for every pin on the net (an output port too).
    net_load = np.zeros(netlist.n_nets)
    drivers = np.flatnonzero(graph.pin_is_driver)
    np.maximum.at(net_load, netlist.pin_net[drivers], timer.wires.load_cap_ff[drivers].max(axis=1))
    cap = net_load[netlist.pin_net]

    fanout_limit = _limits(timer, 2, rules[:, 2])
    fanout_limit[skip | ~drives] = np.nan
    loads = graph.pin_is_load & (netlist.pin_inst >= 0)
    net_fanout = np.bincount(
        netlist.pin_net[loads], weights=rules[loads, 3], minlength=netlist.n_nets
    )
    fanout = net_fanout[netlist.pin_net]

    results = []
    for kind, unit, values, limits, worst_rf in (
        ("max_slew", "ps", slew, slew_limit, rf),
        ("max_capacitance", "fF", cap, cap_limit, None),
        ("max_fanout", "", fanout, fanout_limit, None),
    ):
        checked, violations, worst, violators = _rows(timer, values, limits, worst_rf, n_rows)
        results.append(LimitCheck(kind, unit, checked, violations, worst, violators))
    return DesignRules(*results)


def format_design_rules(rules: DesignRules, digits: int = 4) -> str:
    """A ``report_check_types``-like text: per check its violators (or the worst pin) with
    limit, value and slack, then the counts."""
    parts = []
    for check in rules.checks():
        scale = 1000.0 if check.unit == "ps" else 1.0
        unit = {"ps": " (ns)", "fF": " (fF)", "": ""}[check.unit]
        lines = [check.kind + unit, ""]
        lines.append(f"{'Pin':<40}{'Limit':>10}{'Value':>10}{'Slack':>10}")
        lines.append("-" * 70)
        rows = check.violators or ([check.worst] if check.worst is not None else [])
        for row in rows:
            state = " (VIOLATED)" if row.slack < 0 else " (MET)"
            rise_fall = " ^v"[row.rf + 1] if row.rf >= 0 else ""
            lines.append(
                f"{(row.name + ' ' + rise_fall).rstrip():<40}{row.limit / scale:>10.{digits}f}"
                f"{row.value / scale:>10.{digits}f}{row.slack / scale:>10.{digits}f}{state}"
            )
        if not rows:
            lines.append("(no pin has a limit)")
        shown = len(check.violators)
        more = f" ({shown} shown)" if shown < check.violations else ""
        lines.append(
            f"{check.kind} violations: {check.violations}{more} of {check.checked} pins checked"
        )
        parts.append("\n".join(lines) + "\n")
    return "\n".join(parts)
