"""Routability estimate of a placement: a RUDY wire-density map and its congestion figures."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tapeout.place._kernels.rudy import rudy_map
from tapeout.place.problem import PlacementProblem


@dataclass(frozen=True)
class Congestion:
    """RUDY over the core: per-bin wire length over the mean, its max and the share above 2x."""

    rudy: np.ndarray  # float64 (n_x, n_y) wire length per bin
    peak_over_mean: float
    share_over_twice_mean: float


def congestion(problem: PlacementProblem, bins_per_side: int = 64) -> Congestion:
    """The RUDY map of the current placement on a ``bins_per_side`` square grid over the core."""
    x_low, y_low, x_high, y_high = problem.core()
    bin_size = ((x_high - x_low) / bins_per_side, (y_high - y_low) / bins_per_side)
    pin_x = problem.cell_x[problem.pin_cell] + problem.cell_width[problem.pin_cell] / 2
    pin_y = problem.cell_y[problem.pin_cell] + problem.cell_height[problem.pin_cell] / 2
    rudy = rudy_map(
        pin_x + problem.pin_offset_x,
        pin_y + problem.pin_offset_y,
        problem.net_pin_indptr,
        problem.net_weight,
        (x_low, y_low),
        bin_size,
        (bins_per_side, bins_per_side),
        min(bin_size),
    )
    mean = float(rudy.mean())
    if mean <= 0:
        return Congestion(rudy, 0.0, 0.0)
    return Congestion(
        rudy=rudy,
        peak_over_mean=float(rudy.max() / mean),
        share_over_twice_mean=float(np.mean(rudy > 2 * mean)),
    )
