"""The whole placement of a ``PlacementProblem``: global, legalization, detailed; one report."""

from __future__ import annotations

import time
from dataclasses import dataclass

from tapeout.log import Log
from tapeout.place.detailed import DetailedResult, detailed_place
from tapeout.place.global_place import GlobalPlaceResult, global_place
from tapeout.place.legalize import LegalizeResult, legalize
from tapeout.place.options import PlaceOptions
from tapeout.place.problem import PlacementProblem
from tapeout.place.routability import Congestion, congestion


@dataclass(frozen=True)
class PlaceReport:
    """Metrics of a placement run (lengths in the problem's unit, times in seconds)."""

    global_result: GlobalPlaceResult
    legalize_result: LegalizeResult
    detailed_result: DetailedResult
    hpwl: float
    seconds: float
    congestion: Congestion | None = None

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
        }


def place_problem(
    problem: PlacementProblem, options: PlaceOptions | None = None, *, log: Log | None = None
) -> PlaceReport:
    """Place the movable cells of ``problem`` legally (updates ``cell_x``, ``cell_y``)."""
    options = options or PlaceOptions()
    options.validate()
    log = log or Log()
    start = time.perf_counter()
    problem.check_shapes()
    global_result = global_place(problem, options, log=log)
    legalize_result = legalize(problem, log=log)
    detailed_result = detailed_place(
        problem, passes=options.detailed_passes, max_net_degree=options.max_net_degree, log=log
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
        hpwl=detailed_result.hpwl_after,
        seconds=time.perf_counter() - start,
        congestion=estimate,
    )
