"""Options of the placer: one frozen dataclass with defaults and validation."""

from __future__ import annotations

from dataclasses import dataclass

from tapeout.errors import ConfigError


@dataclass(frozen=True, kw_only=True)
class PlaceOptions:
    """Knobs of global placement, legalization and detailed placement.

    Attributes:
        target_density: wanted cell density per bin (0, 1]; raised to the design's utilization
            plus a small margin when lower.
        stop_overflow: global placement stops when the density overflow falls to this.
        max_iterations: most Nesterov iterations.
        bins_per_side: bin grid size (power of two); 0 picks one from the cell count.
        seed: seed of the random initial spread and of the fillers.
        initial_placement: "quadratic" (bound-to-bound solve) or "center" (random around centre).
        fillers: add filler cells so free space is spread evenly.
        detailed_passes: passes of detailed placement (0 skips it).
        log_every: a progress line every this many iterations.
        backend: "numba" (CPU) or "torch" (GPU when present, else CPU torch).
        routability: after global placement, grow the cells in congested bins (RUDY) and
            re-spread, ``inflation_rounds`` times; report the final congestion.
        inflation_rounds: most congestion-driven inflation rounds.
        congestion_threshold: a bin is congested when its RUDY exceeds this times the mean
            (no routing capacity is known for Bookshelf designs, so the measure is relative).
        max_net_degree: nets with more pins are left out of global placement's wirelength.
        initial_density_weight: first density weight relative to the wirelength gradient.
        density_weight_growth: most growth of the density weight per iteration.
        hpwl_step_reference: the HPWL rise per iteration (as a share of HPWL) at which the
            density weight stops growing (ePlace's reference step; 1 means always grow).
        threads: numba threads for the kernels (1 is fastest on a busy shared machine).
        timing_driven: weight nets by setup criticality during global placement (needs a
            timer: ``place_problem(..., timing=make_net_weighting(...))``).
        timing_overflows: overflows at which the design is timed and nets re-weighted.
        timing_weight_gain: at each update a net of criticality c (1 at WNS, 0 outside the worst
            10% of nets) grows its weight by 1 + gain c.
        timing_max_weight: most weight of a net, relative to its base weight.
    """

    target_density: float = 0.9
    stop_overflow: float = 0.15
    max_iterations: int = 2000
    bins_per_side: int = 0
    seed: int = 1
    initial_placement: str = "quadratic"
    fillers: bool = True
    detailed_passes: int = 6
    log_every: int = 50
    backend: str = "numba"
    routability: bool = False
    inflation_rounds: int = 2
    congestion_threshold: float = 1.5
    max_net_degree: int = 1000
    threads: int = 1
    initial_density_weight: float = 1e-2
    density_weight_growth: float = 1.02
    hpwl_step_reference: float = 1.0
    timing_driven: bool = False
    timing_overflows: tuple[float, ...] = (0.7, 0.5, 0.35, 0.25)
    timing_weight_gain: float = 2.0
    timing_max_weight: float = 16.0

    def validate(self) -> None:
        """Raise ``ConfigError`` naming the first bad value."""
        if not 0.0 < self.target_density <= 1.0:
            raise ConfigError(f"target_density must be in (0, 1], got {self.target_density}")
        if not 0.0 < self.stop_overflow < 1.0:
            raise ConfigError(f"stop_overflow must be in (0, 1), got {self.stop_overflow}")
        if self.max_iterations < 1:
            raise ConfigError(f"max_iterations must be >= 1, got {self.max_iterations}")
        if self.bins_per_side < 0 or (
            self.bins_per_side and self.bins_per_side & (self.bins_per_side - 1)
        ):
            raise ConfigError(f"bins_per_side must be 0 or a power of two: {self.bins_per_side}")
        if self.initial_placement not in ("quadratic", "center"):
            raise ConfigError(
                f"initial_placement must be 'quadratic' or 'center': {self.initial_placement!r}"
            )
        if self.backend not in ("numba", "torch"):
            raise ConfigError(f"backend must be 'numba' or 'torch': {self.backend!r}")
        if self.detailed_passes < 0 or self.log_every < 1 or self.inflation_rounds < 0:
            raise ConfigError("detailed_passes, inflation_rounds must be >= 0, log_every >= 1")
        if self.threads < 1:
            raise ConfigError(f"threads must be >= 1, got {self.threads}")
        if self.congestion_threshold <= 0:
            raise ConfigError(f"congestion_threshold must be > 0, got {self.congestion_threshold}")
        if self.max_net_degree < 2:
            raise ConfigError(f"max_net_degree must be >= 2, got {self.max_net_degree}")
        if not all(0.0 < value < 1.0 for value in self.timing_overflows):
            raise ConfigError(f"timing_overflows must be in (0, 1): {self.timing_overflows}")
        if self.timing_weight_gain < 0 or self.timing_max_weight < 1:
            raise ConfigError("timing_weight_gain must be >= 0 and timing_max_weight >= 1")
