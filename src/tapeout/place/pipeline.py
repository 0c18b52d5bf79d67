"""The whole placement of a ``PlacementProblem``: global, legalization, detailed; one report."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from tapeout.errors import ConfigError
from tapeout.log import Log
from tapeout.place.detailed import DetailedResult, detailed_place
from tapeout.place.global_place import GlobalPlaceResult, global_place
from tapeout.place.legalize import LegalizeResult, legalize
from tapeout.place.options import PlaceOptions
from tapeout.place.problem import PlacementProblem
from tapeout.place.routability import Congestion, congestion

if TYPE_CHECKING:  # the timer (and tapeout.timing) loads only for timing-driven runs
    from tapeout.place.timing_driven import NetWeighting, TimingDrivenResult


@dataclass(frozen=True)
class PlaceReport:
    """Metrics of a placement run (lengths in the problem's unit, times in seconds)."""

    global_result: GlobalPlaceResult
    legalize_result: LegalizeResult
    detailed_result: DetailedResult
    hpwl: float
    seconds: float
    congestion: Congestion | None = None
    timing: TimingDrivenResult | None = None

    def metrics(self) -> dict[str, float]:
        """Flat metrics with OpenROAD-flow-scripts style names where one exists."""
        return {
            "globalplace__hpwl": self.global_result.hpwl,
            "globalplace__overflow": self.global_result.overflow,
            "globalplace__iterations": float(self.global_result.iterations),
            "detailedplace__design__instance__displacement__total": (
                self.legalize_result.total_displacement
            ),
            "detailedplace__design__instance__displacement__max": (
                self.legalize_result.max_displacement
            ),
            "detailedplace__hpwl": self.hpwl,
            "place__runtime__seconds": self.seconds,
            **(
                {
                    "place__congestion__rudy_peak_over_mean": self.congestion.peak_over_mean,
                    "place__congestion__rudy_share_over_twice_mean": (
                        self.congestion.share_over_twice_mean
                    ),
                }
                if self.congestion is not None
                else {}
            ),
            **(self.timing.metrics() if self.timing is not None else {}),
        }


def place_problem(
    problem: PlacementProblem,
    options: PlaceOptions | None = None,
    *,
    log: Log | None = None,
    timing: NetWeighting | None = None,
) -> PlaceReport:
    """Place the movable cells of ``problem`` legally (updates ``cell_x``, ``cell_y``).

    Global placement also avoids ``problem.global_blockage`` (soft and partial blockages);
    legalization and detailed placement only ``problem.blockage``. With
    ``options.timing_driven``, ``timing`` (``timing_driven.make_net_weighting``) re-weights
    nets during global placement; detailed placement keeps those weights, and the reported
    HPWL and ``problem.net_weight`` afterwards are the base (unweighted) ones.
    """
    options = options or PlaceOptions()
    options.validate()
    log = log or Log()
    if options.timing_driven and timing is None:
        raise ConfigError(
            "timing-driven placement needs a timer (Liberty and SDC)",
            hint="pass timing=make_net_weighting(design, problem, options)",
        )
    if not options.timing_driven:
        timing = None
    start = time.perf_counter()
    problem.check_shapes()
    hard_blockage = problem.blockage
    if problem.global_blockage.shape[0]:
        problem.blockage = np.concatenate([hard_blockage.reshape(-1, 4), problem.global_blockage])
    try:
        global_result = global_place(
            problem, options, log=log, progress=timing.progress if timing is not None else None
        )
    finally:
        problem.blockage = hard_blockage
    if timing is not None:
        global_result = dataclasses.replace(
            global_result, hpwl=_base_hpwl(problem, timing.base_weight)
        )
    legalize_result = legalize(problem, log=log)
    detailed_result = detailed_place(
        problem, passes=options.detailed_passes, max_net_degree=options.max_net_degree, log=log
    )
    timing_result = None
    if timing is not None:
        timing.restore_weights()
        timing_result = timing.result()
        log.info(
            "PLACE-0041",
            f"timing-driven placement: {len(timing_result.updates)} updates; placed setup "
            f"WNS {timing_result.worst_slack_ps:.1f} ps, TNS "
            f"{timing_result.total_negative_slack_ps:.1f} ps",
        )
    estimate = None
    if options.routability:
        estimate = congestion(problem)
        log.info(
            "PLACE-0030",
            f"RUDY congestion: peak {estimate.peak_over_mean:.2f}x the mean, "
            f"{100 * estimate.share_over_twice_mean:.1f}% of bins above 2x",
        )
    return PlaceReport(
        global_result=global_result,
        legalize_result=legalize_result,
        detailed_result=detailed_result,
        hpwl=detailed_result.hpwl_after if timing is None else problem.hpwl(),
        seconds=time.perf_counter() - start,
        congestion=estimate,
        timing=timing_result,
    )


def _base_hpwl(problem: PlacementProblem, base_weight: np.ndarray) -> float:
    """HPWL of ``problem`` with ``base_weight`` (float64 (n_nets,)) instead of its weights."""
    weight = problem.net_weight
    problem.net_weight = base_weight
    try:
        return problem.hpwl()
    finally:
        problem.net_weight = weight
