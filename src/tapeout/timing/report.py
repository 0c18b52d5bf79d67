"""Timing reports: worst paths (``report_checks`` layout), endpoint tables, WNS/TNS, metrics."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from tapeout.db.netlist import PortDirection
from tapeout.timing.drv import DesignRules, check_design_rules, format_design_rules
from tapeout.timing.graph import ARC_CELL, CHECK_GATING_HOLD, CHECK_GATING_SETUP, early_checks
from tapeout.timing.incremental import Timer

RF_SYMBOL = ("^", "v")


@dataclass(frozen=True)
class PathPoint:
    """One pin of a path: transition (0 rise, 1 fall), incremental delay, arrival, slew (ps) and
    the load of a driver pin (fF, NaN on input pins)."""

    pin: int
    name: str
    cell: str
    rf: int
    delay_ps: float
    arrival_ps: float
    slew_ps: float
    load_ff: float


@dataclass(frozen=True)
class TimingPath:
    """A worst path to an endpoint with its check.

    ``kind``: "setup" or "hold" ("max"/"min" path). Times in ps. ``launch_clock``/
    ``capture_clock``: clock names ("" when unclocked); ``launch_edge_ps``/``capture_edge_ps``:
    the clock edge times; ``margin_ps``: library setup/hold time (0 for output delays);
    ``output_delay_ps``: the external delay at an output port (NaN otherwise);
    ``capture_pin``: the check's clock pin ("" at an output port); ``gating_rf``: for a clock
    gating check, the clock pin transition its setup is against (-1 for other checks).
    """

    kind: str
    points: tuple[PathPoint, ...]
    startpoint: str
    endpoint: str
    start_is_register: bool
    end_is_register: bool
    launch_clock: str
    launch_edge_ps: float
    launch_rf: int
    input_delay_ps: float
    launch_latency_ps: float
    capture_clock: str
    capture_edge_ps: float
    capture_rf: int
    clock_latency_ps: float
    margin_ps: float
    output_delay_ps: float
    uncertainty_ps: float
    required_ps: float
    arrival_ps: float
    slack_ps: float
    capture_pin: str = ""
    gating_rf: int = -1
    end_is_internal: bool = False  # an instance pin only a max/min delay ends at


@dataclass(frozen=True)
class EndpointSlack:
    """One row of an endpoint table (times in ps)."""

    pin: int
    name: str
    cell: str
    required_ps: float
    arrival_ps: float
    slack_ps: float


@dataclass(eq=False)
class TimingReport:
    """Results of one analysis.

    Attributes:
        setup_ws_ps, hold_ws_ps: worst slack (inf when nothing is timed).
        setup_tns_ps, hold_tns_ps: total negative slack over endpoints (<= 0).
        setup_endpoints, hold_endpoints: the worst endpoints, worst first.
        paths: worst setup paths (and the worst hold path), worst first.
        endpoint_slack_ps: float64 (n_endpoints,) setup slack of every timed endpoint, for
            histograms (``tapeout.flow.report.write_endpoint_slacks``).
        clock_period_ps: the first clock's period, or None.
        n_pins, n_arcs, n_checks: graph size.
        design_rules: max slew / capacitance / fanout checks (``timing/drv.py``).
    """

    setup_ws_ps: float
    setup_tns_ps: float
    hold_ws_ps: float
    hold_tns_ps: float
    setup_violations: int
    hold_violations: int
    setup_endpoints: list[EndpointSlack] = field(default_factory=list)
    hold_endpoints: list[EndpointSlack] = field(default_factory=list)
    paths: list[TimingPath] = field(default_factory=list)
    endpoint_slack_ps: np.ndarray = field(default_factory=lambda: np.zeros(0))
    clock_period_ps: float | None = None
    n_pins: int = 0
    n_arcs: int = 0
    n_checks: int = 0
    design_rules: DesignRules | None = None

    def metrics(self, prefix: str = "") -> dict[str, float | int]:
        """ORFS-named metrics (times in ns as OpenROAD reports them): ``timing__setup__ws``,
        ``timing__setup__tns``, ``timing__hold__ws``, ``timing__hold__tns``, violation counts,
        and the design rule metrics (``timing__drv__max_slew``, ``…_max_slew_limit``, …).
        ``prefix`` is prepended with a double underscore (``finish`` -> ``finish__timing__...``).
        """
        head = f"{prefix}__" if prefix else ""

        def ns(value: float) -> float:
            return round(value / 1000.0, 6) if np.isfinite(value) else 0.0

        return {
            f"{head}timing__setup__ws": ns(self.setup_ws_ps),
            f"{head}timing__setup__tns": ns(self.setup_tns_ps),
            f"{head}timing__hold__ws": ns(self.hold_ws_ps),
            f"{head}timing__hold__tns": ns(self.hold_tns_ps),
            f"{head}timing__drv__setup_violation_count": self.setup_violations,
            f"{head}timing__drv__hold_violation_count": self.hold_violations,
            **(self.design_rules.metrics(head) if self.design_rules is not None else {}),
        }

    def to_json(self) -> dict:
        """A JSON-ready summary (times in ps)."""

        def finite(value: float) -> float | None:
            return round(float(value), 4) if np.isfinite(value) else None

        return {
            "setup_ws_ps": finite(self.setup_ws_ps),
            "setup_tns_ps": finite(self.setup_tns_ps),
            "hold_ws_ps": finite(self.hold_ws_ps),
            "hold_tns_ps": finite(self.hold_tns_ps),
            "setup_violations": self.setup_violations,
            "hold_violations": self.hold_violations,
            "setup_endpoints": [
                {
                    "endpoint": e.name,
                    "required_ps": finite(e.required_ps),
                    "arrival_ps": finite(e.arrival_ps),
                    "slack_ps": finite(e.slack_ps),
                }
                for e in self.setup_endpoints
            ],
            "hold_endpoints": [
                {
                    "endpoint": e.name,
                    "required_ps": finite(e.required_ps),
                    "arrival_ps": finite(e.arrival_ps),
                    "slack_ps": finite(e.slack_ps),
                }
                for e in self.hold_endpoints
            ],
            "paths": [
                {
                    "kind": p.kind,
                    "startpoint": p.startpoint,
                    "endpoint": p.endpoint,
                    "slack_ps": finite(p.slack_ps),
                    "points": [
                        {
                            "pin": q.name,
                            "rf": RF_SYMBOL[q.rf],
                            "delay_ps": finite(q.delay_ps),
                            "arrival_ps": finite(q.arrival_ps),
                            "slew_ps": finite(q.slew_ps),
                            "load_ff": finite(q.load_ff),
                        }
                        for q in p.points
                    ],
                }
                for p in self.paths
            ],
            "design_rules": {
                check.kind: {
                    "unit": check.unit,
                    "checked": check.checked,
                    "violations": check.violations,
                    "violators": [
                        {
                            "pin": row.name,
                            "value": round(row.value, 4),
                            "limit": round(row.limit, 4),
                            "slack": round(row.slack, 4),
                        }
                        for row in check.violators
                    ],
                }
                for check in (self.design_rules.checks() if self.design_rules else ())
            },
            "metrics": self.metrics(),
        }


def _cell_name(timer: Timer, pin: int) -> str:
    netlist = timer.netlist
    inst = int(netlist.pin_inst[pin])
    if inst < 0:
        direction = netlist.port_direction[int(netlist.pin_term[pin])]
        return {PortDirection.INPUT: "in", PortDirection.INOUT: "inout"}.get(direction, "out")
    return timer.masters[int(timer.inst_master[inst])]


def _arrival_pin(timer: Timer, pin: int) -> int:
    """Where endpoint ``pin``'s arrival is read: the pin, or for an inout port driven inside
    the design, the driving cell's pin (``Timer.output_feed``)."""
    where = np.flatnonzero(timer.output_pins == pin)
    return int(timer.output_feed[where[0]]) if where.size else pin


def _endpoint_rows(timer: Timer, check: str, count: int) -> list[EndpointSlack]:
    pins, slack = timer.endpoint_slacks(check)
    order = np.argsort(slack, kind="stable")[:count]
    rows = []
    late = check == "setup"
    for i in order:
        pin = int(pins[i])
        rf = _worst_rf(timer, pin, check)
        arrival = timer.path_arrays(pin, check, rf)[0]
        at = _arrival_pin(timer, pin)
        rows.append(
            EndpointSlack(
                pin,
                timer.netlist.pin_name(pin),
                _cell_name(timer, pin),
                float(arrival[at, rf] + slack[i] if late else arrival[at, rf] - slack[i]),
                float(arrival[at, rf]),
                float(slack[i]),
            )
        )
    return rows


def _endpoint_checks(timer: Timer, pin: int, check: str) -> np.ndarray:
    graph = timer.graph
    kinds = graph.check_kind
    early = early_checks(kinds)
    wanted = early if check == "hold" else ~early
    return np.flatnonzero((graph.check_data_pin == pin) & wanted)


def _worst_rf(timer: Timer, pin: int, check: str) -> int:
    """Data transition with the worst slack at endpoint ``pin``."""
    checks = _endpoint_checks(timer, pin, check)
    slack = np.full(2, np.inf)
    for c in checks:
        slack = np.fmin(slack, np.nan_to_num(timer.check_slack_ps[c], nan=np.inf))
    where = np.flatnonzero(timer.output_pins == pin)
    if where.size:
        out = timer.output_slack_max_ps if check == "setup" else timer.output_slack_min_ps
        slack = np.fmin(slack, np.nan_to_num(out[where[0]], nan=np.inf))
    return int(np.argmin(slack))


def trace_path(timer: Timer, pin: int, check: str = "setup") -> TimingPath:
    """The worst path to endpoint ``pin`` for ``check`` ("setup" or "hold")."""
    late = check == "setup"
    netlist, graph, resolved = timer.netlist, timer.graph, timer.constraints
    rf = _worst_rf(timer, pin, check)
    index = timer.path_pass(pin, check, rf)
    arrival, pred, tag_array = timer.path_arrays(pin, check, rf)
    slew = timer.slew_max_ps if late else timer.slew_min_ps
    delays = timer.arc_delay_max_ps if late else timer.arc_delay_min_ps
    points: list[PathPoint] = []
    current, current_rf, delay = pin, rf, 0.0
    feed = _arrival_pin(timer, pin)
    if feed != pin:
        # an inout port driven inside: its output side ends the driving cell's path
        current = feed
        points.append(
            PathPoint(
                pin,
                netlist.pin_name(pin),
                _cell_name(timer, pin),
                rf,
                0.0,
                float(arrival[current, rf]),
                float(slew[current, rf]),
                np.nan,
            )
        )
    while True:
        step = int(pred[current, current_rf])
        while step < 0 and timer.passes[index].handoffs:
            # a -through pass starts where its parent's path passed the through pins
            parent = timer.handoff_parent(index, current, current_rf, late)
            if parent < 0:
                break
            index = parent
            launch = timer.passes[index]
            arrival = launch.arrival_max if late else launch.arrival_min
            pred = launch.pred_max if late else launch.pred_min
            tag_array = launch.tag_max if late else launch.tag_min
            step = int(pred[current, current_rf])
        in_rf = current_rf
        if step >= 0:
            arc = step // 2
            in_rf = step % 2
            delay = float(delays[arc, in_rf, current_rf])
        is_driver_output = step >= 0 and graph.arc_kind[step // 2] == ARC_CELL
        load = timer.wires.load_cap_ff[current, current_rf] if is_driver_output else np.nan
        points.append(
            PathPoint(
                current,
                netlist.pin_name(current),
                _cell_name(timer, current),
                current_rf,
                delay if step >= 0 else 0.0,
                float(arrival[current, current_rf]),
                float(slew[current, current_rf]),
                float(load),
            )
        )
        if step < 0 or timer.clock_network[current]:
            break
        current, current_rf = int(graph.arc_from[step // 2]), in_rf
    points.reverse()
    start = points[0]
    # The clock network (ideal) is summarized as in OpenSTA: the path starts at the register
    # clock pin with the clock's arrival there.
    tag = int(tag_array[start.pin, start.rf])
    clocked = 0 <= tag < 2 * len(resolved.clock_names)
    launch_clock = resolved.clock_names[tag // 2] if clocked else ""
    launch_edge = float(resolved.edge_time_ps[tag]) if tag >= 0 else 0.0
    start_is_register = bool(timer.clock_network[start.pin])
    if start_is_register:
        launch_latency = start.arrival_ps - launch_edge
    elif clocked:
        launch_latency = float(timer.io_latency_ps(np.array(tag), late))
    else:
        launch_latency = 0.0
    input_delay = 0.0 if start_is_register else start.arrival_ps - launch_edge - launch_latency
    if start_is_register:
        points[0] = PathPoint(
            start.pin,
            start.name,
            start.cell,
            start.rf,
            0.0,
            start.arrival_ps,
            start.slew_ps,
            start.load_ff,
        )
    checks = _endpoint_checks(timer, pin, check)
    margin, output_delay, capture_tag, clock_arrival = 0.0, np.nan, -1, np.nan
    required = np.nan
    capture_pin, gating_rf = "", -1
    if checks.size:
        best = min(checks, key=lambda c: np.nan_to_num(timer.check_slack_ps[c, rf], nan=np.inf))
        margin = float(timer.check_margin_ps[best, rf])
        clock_pin, clock_rf = int(graph.check_clock_pin[best]), int(graph.check_clock_rf[best])
        capture_pin = netlist.pin_name(clock_pin)
        if graph.check_kind[best] in (CHECK_GATING_SETUP, CHECK_GATING_HOLD):
            gating_rf = clock_rf if graph.check_kind[best] == CHECK_GATING_SETUP else 1 - clock_rf
        capture_tags, clock_arrivals = timer.capture_at(int(best), late)
        capture_tag = int(capture_tags[clock_rf])
        clock_arrival = float(clock_arrivals[clock_rf])
        required = float(timer.check_required_ps[best, rf])
    else:
        where = int(np.flatnonzero(timer.output_pins == pin)[0])
        chosen = int((timer.output_set_max if late else timer.output_set_min)[where, rf])
        set_tags, set_max, set_min = resolved.output_sets[chosen]
        capture_tag = int(set_tags[pin])
        output_delay = float((set_max if late else set_min)[pin, rf])
        required = float(
            (timer.output_report_required_max_ps if late else timer.output_report_required_min_ps)[
                where, rf
            ]
        )
    capture_clock = resolved.clock_names[capture_tag // 2] if capture_tag >= 0 else ""
    clock = max(capture_tag, 0) // 2
    launch_row = tag // 2 if clocked else len(resolved.clock_names)
    uncertainty = float(
        (resolved.uncertainty_setup_ps if late else resolved.uncertainty_hold_ps)[launch_row, clock]
        if resolved.clock_names
        else 0.0
    )
    if checks.size:
        capture_edge = required + (margin + uncertainty if late else -margin - uncertainty)
        latency = clock_arrival - float(resolved.edge_time_ps[capture_tag])
        capture_edge -= latency
    else:
        latency = float(timer.io_latency_ps(np.array(capture_tag), not late))
        capture_edge = (
            required
            + (output_delay + uncertainty if late else output_delay - uncertainty)
            - latency
        )
    end_arrival = points[-1].arrival_ps
    slack = required - end_arrival if late else end_arrival - required
    internal = not checks.size and netlist.pin_inst[pin] >= 0
    return TimingPath(
        kind=check,
        points=tuple(points),
        startpoint=_object_name(timer, start.pin),
        endpoint=netlist.pin_name(pin) if internal else _object_name(timer, pin),
        end_is_internal=bool(internal),
        start_is_register=start_is_register,
        end_is_register=bool(checks.size),
        launch_clock=launch_clock,
        launch_edge_ps=launch_edge,
        launch_rf=tag % 2 if clocked else 0,
        input_delay_ps=input_delay,
        launch_latency_ps=launch_latency,
        capture_clock=capture_clock,
        capture_edge_ps=capture_edge,
        capture_rf=capture_tag % 2 if capture_tag >= 0 else 0,
        clock_latency_ps=latency,
        margin_ps=margin,
        output_delay_ps=output_delay,
        uncertainty_ps=uncertainty,
        required_ps=required,
        arrival_ps=end_arrival,
        slack_ps=slack,
        capture_pin=capture_pin,
        gating_rf=gating_rf,
    )


def _object_name(timer: Timer, pin: int) -> str:
    netlist = timer.netlist
    inst = int(netlist.pin_inst[pin])
    return netlist.pin_name(pin) if inst < 0 else netlist.inst_names[inst]


def build_report(timer: Timer, *, n_paths: int = 1, n_endpoints: int = 10) -> TimingReport:
    """Summarize ``timer``'s current results."""
    setup_pins, setup_slack = timer.endpoint_slacks("setup")
    _, hold_slack = timer.endpoint_slacks("hold")
    paths = [
        trace_path(timer, int(setup_pins[i]), "setup")
        for i in np.argsort(setup_slack, kind="stable")[:n_paths]
    ]
    periods = timer.constraints.clock_period_ps
    return TimingReport(
        setup_ws_ps=float(setup_slack.min()) if setup_slack.size else float("inf"),
        setup_tns_ps=float(np.minimum(setup_slack, 0).sum()),
        hold_ws_ps=float(hold_slack.min()) if hold_slack.size else float("inf"),
        hold_tns_ps=float(np.minimum(hold_slack, 0).sum()),
        setup_violations=int((setup_slack < 0).sum()),
        hold_violations=int((hold_slack < 0).sum()),
        setup_endpoints=_endpoint_rows(timer, "setup", n_endpoints),
        hold_endpoints=_endpoint_rows(timer, "hold", n_endpoints),
        paths=paths,
        endpoint_slack_ps=setup_slack,
        clock_period_ps=float(periods[0]) if periods.size else None,
        n_pins=timer.graph.n_pins,
        n_arcs=timer.graph.n_arcs,
        n_checks=int(timer.graph.check_clock_pin.size),
        design_rules=check_design_rules(timer, n_rows=n_endpoints),
    )


def _ns(value_ps: float, digits: int) -> str:
    return f"{value_ps / 1000.0:.{digits}f}"


def format_endpoints(rows: list[EndpointSlack], title: str, digits: int = 4) -> str:
    """An endpoint table like ``report_checks -format end``."""
    lines = [
        title,
        "",
        f"{'':38}{'Required':>8}{'Actual':>10}",
        f"{'Endpoint':<38}{'Delay':>9}{'Delay':>10}{'Slack':>10}",
        "-" * 66,
    ]
    for row in rows:
        label = f"{row.name} ({'output' if row.cell in ('in', 'out', 'inout') else row.cell})"
        state = "MET" if row.slack_ps >= 0 else "VIOLATED"
        lines.append(
            f"{label:<38}{_ns(row.required_ps, digits):>9}{_ns(row.arrival_ps, digits):>10}"
            f"{_ns(row.slack_ps, digits):>10} ({state})"
        )
    return "\n".join(lines) + "\n"


def format_path(path: TimingPath, digits: int = 4) -> str:
    """One path in ``report_checks -fields {slew cap input_pins}`` layout (times in ns)."""
    width = 10

    def row(cap: str, slew: str, delay: str, time: str, text: str) -> str:
        return f"{cap:>{width - 1}}{slew:>{width}}{delay:>{width}}{time:>{width}} {text}"

    def kind_of(is_register: bool, clock: str, edge_rf: int) -> str:
        if is_register:
            edge = "rising" if edge_rf == 0 else "falling"
            return f"({edge} edge-triggered flip-flop clocked by {clock})"
        return f"(input port clocked by {clock})" if clock else "(input port)"

    if path.gating_rf >= 0:
        edge = "rising" if path.gating_rf == 0 else "falling"
        end_kind = f"({edge} clock gating-check end-point clocked by {path.capture_clock})"
    elif path.end_is_register:
        end_kind = kind_of(True, path.capture_clock, path.capture_rf)
    elif path.end_is_internal:
        end_kind = "(internal path endpoint)"
    else:
        end_kind = (
            f"(output port clocked by {path.capture_clock})"
            if path.capture_clock
            else "(output port)"
        )
    start_kind = kind_of(path.start_is_register, path.launch_clock, path.launch_rf)
    lines = [
        f"Startpoint: {path.startpoint} {start_kind}",
        f"Endpoint: {path.endpoint} {end_kind}",
        # a path only a max/min delay constrains (no capture clock): OpenSTA's default group
        f"Path Group: {path.capture_clock or '**default**'}",
        f"Path Type: {'max' if path.kind == 'setup' else 'min'}",
        "",
        row("Cap", "Slew", "Delay", "Time", "  Description"),
        "-" * 79,
    ]
    zero = _ns(0.0, digits)
    edge_word = "rise" if path.launch_rf == 0 else "fall"
    first = path.points[0]
    latency = path.launch_latency_ps
    if path.launch_clock:
        lines.append(
            row(
                "",
                zero,
                zero,
                _ns(path.launch_edge_ps, digits),
                f"  clock {path.launch_clock} ({edge_word} edge)",
            )
        )
        lines.append(
            row(
                "",
                "",
                _ns(latency, digits),
                _ns(path.launch_edge_ps + latency, digits),
                "  clock network delay (ideal)",
            )
        )
    if not path.start_is_register:
        lines.append(
            row(
                "",
                "",
                _ns(path.input_delay_ps, digits),
                _ns(first.arrival_ps, digits),
                "  input external delay",
            )
        )
    for point in path.points:
        cap = _ns(point.load_ff, digits) if np.isfinite(point.load_ff) else ""
        lines.append(
            row(
                cap,
                _ns(point.slew_ps, digits),
                _ns(point.delay_ps, digits),
                _ns(point.arrival_ps, digits),
                f"{RF_SYMBOL[point.rf]} {point.name} ({point.cell})",
            )
        )
    lines.append(row("", "", "", _ns(path.arrival_ps, digits), "  data arrival time"))
    lines.append("")
    if not path.capture_clock and not path.end_is_register:
        # an output only a set_max_delay/set_min_delay constrains: no capture clock
        word = "max_delay" if path.kind == "setup" else "min_delay"
        lines.append(
            row("", "", _ns(path.required_ps, digits), _ns(path.required_ps, digits), f"  {word}")
        )
        lines.append(row("", "", "", _ns(path.required_ps, digits), "  data required time"))
        return _finish_path(lines, path, row, digits)
    edge_word = "rise" if path.capture_rf == 0 else "fall"
    lines.append(
        row(
            "",
            zero,
            _ns(path.capture_edge_ps, digits),
            _ns(path.capture_edge_ps, digits),
            f"  clock {path.capture_clock} ({edge_word} edge)",
        )
    )
    time = path.capture_edge_ps + path.clock_latency_ps
    lines.append(
        row(
            "",
            "",
            _ns(path.clock_latency_ps, digits),
            _ns(time, digits),
            "  clock network delay (ideal)",
        )
    )
    if path.uncertainty_ps:
        sign = -1 if path.kind == "setup" else 1
        time += sign * path.uncertainty_ps
        lines.append(
            row(
                "",
                "",
                _ns(sign * path.uncertainty_ps, digits),
                _ns(time, digits),
                "  clock uncertainty",
            )
        )
    if path.end_is_register:
        lines.append(
            row(
                "",
                "",
                "",
                _ns(time, digits),
                f"{RF_SYMBOL[path.capture_rf]} {path.capture_pin} ({path.points[-1].cell})",
            )
        )
        sign = -1 if path.kind == "setup" else 1
        word = "setup" if path.kind == "setup" else "hold"
        lines.append(
            row(
                "",
                "",
                _ns(sign * path.margin_ps, digits),
                _ns(path.required_ps, digits),
                f"  {'clock gating' if path.gating_rf >= 0 else 'library'} {word} time",
            )
        )
    else:
        lines.append(
            row(
                "",
                "",
                _ns(-path.output_delay_ps, digits),
                _ns(path.required_ps, digits),
                "  output external delay",
            )
        )
    lines.append(row("", "", "", _ns(path.required_ps, digits), "  data required time"))
    return _finish_path(lines, path, row, digits)


def _finish_path(lines: list[str], path: TimingPath, row: Callable[..., str], digits: int) -> str:
    """The required/arrival/slack summary below a path; the whole text."""
    lines.append("-" * 79)
    if path.kind == "setup":
        lines.append(row("", "", "", _ns(path.required_ps, digits), "  data required time"))
        lines.append(row("", "", "", _ns(-path.arrival_ps, digits), "  data arrival time"))
    else:
        lines.append(row("", "", "", _ns(path.arrival_ps, digits), "  data arrival time"))
        lines.append(row("", "", "", _ns(-path.required_ps, digits), "  data required time"))
    lines.append("-" * 79)
    state = "MET" if path.slack_ps >= 0 else "VIOLATED"
    lines.append(row("", "", "", _ns(path.slack_ps, digits), f"  slack ({state})"))
    return "\n".join(lines) + "\n"


def format_report(report: TimingReport, digits: int = 4) -> str:
    """The whole text report: endpoint tables, worst paths, WNS/TNS."""
    parts = [
        format_endpoints(report.setup_endpoints, "max_delay/setup", digits),
        format_endpoints(report.hold_endpoints, "min_delay/hold", digits),
    ]
    parts.extend(format_path(path, digits) for path in report.paths)
    if report.design_rules is not None:
        parts.append(format_design_rules(report.design_rules, digits))

    def value(ps: float) -> str:
        return _ns(ps, digits) if np.isfinite(ps) else "INF"

    parts.append(
        f"worst slack max {value(report.setup_ws_ps)}\nworst slack min {value(report.hold_ws_ps)}\n"
        f"tns max {value(report.setup_tns_ps)}\ntns min {value(report.hold_tns_ps)}\n"
    )
    return "\n".join(parts)
