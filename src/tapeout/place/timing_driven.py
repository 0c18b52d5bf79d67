"""Timing-driven placement: net weights from static timing during global placement.

The RePlAce / DREAMPlace 4.0 scheme. When global placement's overflow first falls to each of
``PlaceOptions.timing_overflows``, the design is timed at the current (overlapping) positions
with half-perimeter wire estimates (``tapeout.timing``, ``wires="placement"``). A net's slack
is the worst setup slack of its pins; the worst ``CRITICAL_SHARE`` of the nets with negative
slack get a criticality from 1 (at WNS) down to 0 (at the share's edge), as OpenROAD's gpl does.
Criticality is smoothed across updates (momentum), and the net's weight grows
``w *= 1 + gain * c ** exponent``, capped at ``timing_max_weight`` times its base weight.
Weighted nets pull their pins together in the wirelength objective of global placement and in
detailed placement's move costs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tapeout.db.design import Design
from tapeout.errors import DesignError
from tapeout.log import Log
from tapeout.place.options import PlaceOptions
from tapeout.place.problem import PlacementProblem
from tapeout.timing.analysis import make_timer
from tapeout.timing.incremental import Timer
from tapeout.timing.options import TimingOptions

CRITICALITY_MOMENTUM = 0.5  # share of the previous criticality kept at an update (DREAMPlace 4.0)
CRITICALITY_EXPONENT = 1.0  # weight growth follows criticality ** this
CRITICAL_SHARE = 0.1  # at most this share of the timed nets is critical (OpenROAD gpl: 10 %)


@dataclass(frozen=True)
class TimingUpdate:
    """One re-weighting: the overflow it ran at, the timing it saw (ps), the weights it set."""

    overflow: float
    worst_slack_ps: float
    total_negative_slack_ps: float
    critical_nets: int
    max_weight: float


@dataclass(frozen=True)
class TimingDrivenResult:
    """The re-weightings of one placement and the setup timing of the final placement (ps)."""

    updates: tuple[TimingUpdate, ...]
    worst_slack_ps: float
    total_negative_slack_ps: float

    def metrics(self) -> dict[str, float]:
        """Flat metrics (``place__timing__...``), slacks in ns as the flow's timing metrics
        (0 when nothing is timed, as ``TimingReport.metrics``)."""

        def ns(value_ps: float) -> float:
            return round(value_ps / 1000.0, 6) if np.isfinite(value_ps) else 0.0

        return {
            "place__timing__updates": float(len(self.updates)),
            "place__timing__setup__ws": ns(self.worst_slack_ps),
            "place__timing__setup__tns": ns(self.total_negative_slack_ps),
        }


class NetWeighting:
    """Net weights of one ``PlacementProblem`` from a ``Timer`` of the same design.

    The problem's net ``n`` is the netlist's net ``n`` (``problem_from_design`` keeps that
    order); its cells are the instances, then the ports. Call ``progress`` from global placement
    (``global_place(..., progress=weighting.progress)``); it updates ``problem.net_weight`` in
    place. ``base_weight`` keeps the weights it started from.
    """

    def __init__(
        self,
        timer: Timer,
        problem: PlacementProblem,
        *,
        dbu_per_micron: float,
        options: PlaceOptions,
        log: Log | None = None,
    ) -> None:
        netlist = timer.netlist
        if problem.n_nets != netlist.n_nets:
            raise DesignError(
                f"timing-driven placement: the problem has {problem.n_nets} nets, "
                f"the netlist {netlist.n_nets}"
            )
        if problem.n_cells != netlist.n_insts + netlist.n_ports:
            raise DesignError("timing-driven placement: cells are not the instances and ports")
        self.timer = timer
        self.problem = problem
        self.log = log or Log()
        self.micron_per_dbu = 1.0 / float(dbu_per_micron)
        self.gain = options.timing_weight_gain
        self.max_weight = options.timing_max_weight
        self.overflows = tuple(sorted(options.timing_overflows, reverse=True))
        inst = netlist.pin_inst.astype(np.int64)
        #: int64 (n_netlist_pins,) problem cell of each netlist pin
        self.pin_cell = np.where(inst >= 0, inst, netlist.n_insts + netlist.pin_term)
        self.pin_net = netlist.pin_net.astype(np.int64)
        self.base_weight = problem.net_weight.copy()
        self.criticality = np.zeros(problem.n_nets)
        self.updates: list[TimingUpdate] = []
        self._next = 0

    # ------------------------------------------------------------------ timing
    def time_positions(self, centre_x: np.ndarray, centre_y: np.ndarray) -> None:
        """Time the design with cells centred at ``centre_x, centre_y`` (float64 (n_cells,),
        problem units): pins sit at their cell's centre, as in the flow's placement STA."""
        timer = self.timer
        timer.pin_xy_um = (
            centre_x[self.pin_cell] * self.micron_per_dbu,
            centre_y[self.pin_cell] * self.micron_per_dbu,
        )
        timer.set_parasitics(None)  # rebuilds the placement wire estimate, marks moved drivers
        timer.update()

    def time_problem(self) -> tuple[float, float]:
        """Setup (WNS, TNS) in ps at the problem's current positions."""
        problem = self.problem
        self.time_positions(
            problem.cell_x + problem.cell_width / 2, problem.cell_y + problem.cell_height / 2
        )
        return self.timer.worst_slack("setup"), self.timer.total_negative_slack("setup")

    def net_slacks(self) -> np.ndarray:
        """float64 (n_nets,) worst setup slack (ps) of each net's pins; inf where untimed."""
        timer = self.timer
        slack = np.min(timer.required_max_ps - timer.arrival_max_ps, axis=1)
        slack = np.where(np.isfinite(slack), slack, np.inf)
        per_net = np.full(self.problem.n_nets, np.inf)
        np.minimum.at(per_net, self.pin_net, slack)
        return per_net

    # ------------------------------------------------------------------ weights
    def reweight(self, overflow: float) -> TimingUpdate:
        """Grow the weights of nets with negative slack (timing must be current)."""
        slack = self.net_slacks()
        worst = float(slack.min()) if slack.size else float("inf")
        tns = self.timer.total_negative_slack("setup")
        now = np.zeros_like(self.criticality)
        timed = np.sort(slack[np.isfinite(slack)])
        if worst < 0 and timed.size:
            # The worst share of the nets, by slack; criticality 1 at WNS, 0 at the share's
            # edge (or at zero slack), so weights tell the critical nets apart even when most
            # nets fail (an unbuffered netlist).
            edge = min(0.0, float(timed[min(timed.size - 1, int(CRITICAL_SHARE * timed.size))]))
            critical = slack < edge
            if edge > worst:
                now[critical] = (edge - slack[critical]) / (edge - worst)
            else:
                now[slack <= worst] = 1.0
        self.criticality = (
            CRITICALITY_MOMENTUM * self.criticality + (1.0 - CRITICALITY_MOMENTUM) * now
        )
        weight = self.problem.net_weight
        grown = weight * (1.0 + self.gain * self.criticality**CRITICALITY_EXPONENT)
        weight[:] = np.minimum(grown, self.max_weight * self.base_weight)  # in place: shared
        ratio = weight / np.where(self.base_weight > 0, self.base_weight, 1.0)
        update = TimingUpdate(
            overflow=overflow,
            worst_slack_ps=worst,
            total_negative_slack_ps=tns,
            critical_nets=int(np.count_nonzero(now > 0)),
            max_weight=float(ratio.max(initial=1.0)),
        )
        self.updates.append(update)
        self.log.info(
            "PLACE-0040",
            f"timing-driven update at overflow {overflow:.3f}: WNS {worst:.1f} ps, "
            f"TNS {tns:.1f} ps, {update.critical_nets} critical nets, "
            f"max weight {update.max_weight:.2f}",
        )
        return update

    def progress(self, centre_x: np.ndarray, centre_y: np.ndarray, overflow: float) -> bool:
        """Global placement's hook: re-weight once the overflow reaches the next threshold.

        ``centre_x``, ``centre_y``: float64 (n_movable,) centres of the movable cells in
        ``problem.movable()`` order. Returns True when the weights changed.
        """
        if self._next >= len(self.overflows) or overflow > self.overflows[self._next]:
            return False
        while self._next < len(self.overflows) and overflow <= self.overflows[self._next]:
            self._next += 1
        problem = self.problem
        movable = problem.movable()
        x = problem.cell_x + problem.cell_width / 2
        y = problem.cell_y + problem.cell_height / 2
        x[movable] = centre_x
        y[movable] = centre_y
        self.time_positions(x, y)
        self.reweight(overflow)
        return True

    def restore_weights(self) -> None:
        """Put the base weights back into ``problem.net_weight``."""
        self.problem.net_weight[:] = self.base_weight

    def result(self) -> TimingDrivenResult:
        """Updates so far and the timing of the problem's current positions."""
        worst, tns = self.time_problem()
        return TimingDrivenResult(tuple(self.updates), worst, tns)


def make_net_weighting(
    design: Design,
    problem: PlacementProblem,
    options: PlaceOptions,
    *,
    timing_options: TimingOptions | None = None,
    log: Log | None = None,
) -> NetWeighting:
    """A ``NetWeighting`` for ``problem`` built by ``problem_from_design`` from ``design``.

    ``design`` needs Liberty libraries (``design.library.liberty``), constraints and a
    ``physical`` (for the DBU). ``timing_options`` sets the unit wire R and C (their ``wires``
    is forced to "placement"). Raises DesignError when Liberty or constraints are missing.
    """
    if design.physical is None:
        raise DesignError("timing-driven placement needs a floorplanned design")
    base = timing_options or TimingOptions()
    timing = TimingOptions(
        wires="placement",
        cap_ff_per_um=base.cap_ff_per_um,
        res_ohm_per_um=base.res_ohm_per_um,
        report_paths=0,
        report_endpoints=0,
    )
    timer = make_timer(design, options=timing, log=log)  # pins move before every analysis
    return NetWeighting(
        timer,
        problem,
        dbu_per_micron=float(design.physical.dbu_per_micron),
        options=options,
        log=log,
    )
