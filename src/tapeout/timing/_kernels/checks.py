"""Timing checks at endpoints: setup/recovery against the max arrival, hold/removal against
the min arrival, and output delays at output ports."""

from __future__ import annotations

import numpy as np
from numba import njit

from tapeout.timing._kernels.lookup import lookup_table


@njit(cache=True)
def evaluate_checks(
    checks,
    check_clock_pin,
    check_data_pin,
    check_kind,
    check_clock_rf,
    check_table,
    check_shift_setup_ps,
    check_shift_hold_ps,
    nx,
    ny,
    xo,
    yo,
    vo,
    axes,
    values,
    edge_time_ps,
    setup_relation_ps,
    hold_relation_ps,
    gated_hold_relation_ps,
    uncertainty_setup_ps,
    uncertainty_hold_ps,
    arrival_max,
    arrival_min,
    slew_max,
    slew_min,
    tag_max,
    tag_min,
    clock_arrival_max,
    clock_arrival_min,
    clock_tag_max,
    clock_tag_min,
    check_override,
    override_arrival_max,
    override_arrival_min,
    override_tag_max,
    override_tag_min,
    check_required_ps,
    check_slack_ps,
    check_margin_ps,
    check_derate,
    check_fixed_margin,
) -> None:
    """Required time, slack and library margin of each check and data transition.

    Args:
        checks: int64 (k,) the checks to evaluate (all of them for a full analysis).
        check_kind: int8 (n,) 0 setup, 1 hold, 2 recovery, 3 removal, 4 clock gating setup,
            5 clock gating hold (its capture edge from ``gated_hold_relation_ps``).
        check_shift_setup_ps, check_shift_hold_ps: float64 (n, 2) multicycle shifts by data
            transition.
        arrival_*, tag_*: the data side (paths of one launch clock); clock_arrival_*,
            clock_tag_*: arrivals at clock pins (every clock); check_override: int64 (n,) a
            check's row in override_* ((k, 2): the arrival of the one capture clock it is made
            against, where several clocks reach its clock pin), -1 to read clock_*.
        check_required_ps, check_slack_ps, check_margin_ps: float64 (n, 2) outputs (NaN where
            the data pin has no arrival, the clock no tag, or the check no table for that data
            edge while it has one for the other).
        check_derate: float64 (n, 2) ``set_timing_derate -cell_check`` factors of each check's
            setup-like (late, column 0) and hold-like (early, column 1) library margin.
        check_fixed_margin: float64 (n, 2) (late, early) margin of a check without a library
            table (``set_clock_gating_check`` on gating checks; 0 elsewhere).
    """
    for i in range(checks.shape[0]):
        c = checks[i]
        cp = check_clock_pin[c]
        dp = check_data_pin[c]
        clock_rf = check_clock_rf[c]
        kind = check_kind[c]
        late = kind == 0 or kind == 2 or kind == 4
        for rf in range(2):
            check_required_ps[c, rf] = np.nan
            check_slack_ps[c, rf] = np.nan
            check_margin_ps[c, rf] = np.nan
            table = check_table[c, rf]
            if table < 0 and check_table[c, 1 - rf] >= 0:
                # Liberty constrains only the other data edge (a recovery_rising group with
                # just rise_constraint checks the release alone), as OpenSTA reads it; a
                # group with no table at all checks both edges with a zero margin.
                continue
            if late:
                o = check_override[c]
                capture = override_tag_min[o, clock_rf] if o >= 0 else clock_tag_min[cp, clock_rf]
                launch = tag_max[dp, rf]
                arrival = arrival_max[dp, rf]
                clock_arrival = (
                    override_arrival_min[o, clock_rf] if o >= 0 else clock_arrival_min[cp, clock_rf]
                )
                if capture < 0 or launch < 0 or arrival == -np.inf or clock_arrival == np.inf:
                    continue
                margin = check_fixed_margin[c, 0]
                if table >= 0:
                    margin = (
                        lookup_table(
                            table,
                            slew_min[cp, clock_rf],
                            slew_max[dp, rf],
                            nx,
                            ny,
                            xo,
                            yo,
                            vo,
                            axes,
                            values,
                        )
                        * check_derate[c, 0]
                    )
                required = (
                    edge_time_ps[launch]
                    + setup_relation_ps[launch, capture]
                    + check_shift_setup_ps[c, rf]
                    + clock_arrival
                    - edge_time_ps[capture]
                    - margin
                    - uncertainty_setup_ps[launch // 2, capture // 2]
                )
                check_required_ps[c, rf] = required
                check_slack_ps[c, rf] = required - arrival
                check_margin_ps[c, rf] = margin
            else:
                o = check_override[c]
                capture = override_tag_max[o, clock_rf] if o >= 0 else clock_tag_max[cp, clock_rf]
                launch = tag_min[dp, rf]
                arrival = arrival_min[dp, rf]
                clock_arrival = (
                    override_arrival_max[o, clock_rf] if o >= 0 else clock_arrival_max[cp, clock_rf]
                )
                if capture < 0 or launch < 0 or arrival == np.inf or clock_arrival == -np.inf:
                    continue
                margin = check_fixed_margin[c, 1]
                if table >= 0:
                    margin = (
                        lookup_table(
                            table,
                            slew_max[cp, clock_rf],
                            slew_min[dp, rf],
                            nx,
                            ny,
                            xo,
                            yo,
                            vo,
                            axes,
                            values,
                        )
                        * check_derate[c, 1]
                    )
                relation = (
                    gated_hold_relation_ps[launch, capture]
                    if kind == 5
                    else hold_relation_ps[launch, capture]
                )
                required = (
                    edge_time_ps[launch]
                    + relation
                    + check_shift_hold_ps[c, rf]
                    + clock_arrival
                    - edge_time_ps[capture]
                    + margin
                    + uncertainty_hold_ps[launch // 2, capture // 2]
                )
                check_required_ps[c, rf] = required
                check_slack_ps[c, rf] = arrival - required
                check_margin_ps[c, rf] = margin
