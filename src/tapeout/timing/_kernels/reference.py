"""Slow, obvious versions of the timing kernels, for tests (lumped loads, no π models)."""

from __future__ import annotations

import numpy as np


def lookup_reference(
    table: int,
    x: float,
    y: float,
    table_nx: np.ndarray,
    table_ny: np.ndarray,
    table_x_offset: np.ndarray,
    table_y_offset: np.ndarray,
    table_value_offset: np.ndarray,
    axes: np.ndarray,
    values: np.ndarray,
) -> float:
    """Bilinear interpolation with linear extrapolation from the two outermost breakpoints."""
    nx, ny = int(table_nx[table]), int(table_ny[table])
    grid = values[table_value_offset[table] : table_value_offset[table] + nx * ny].reshape(nx, ny)
    x_axis = axes[table_x_offset[table] : table_x_offset[table] + nx]
    y_axis = axes[table_y_offset[table] : table_y_offset[table] + ny]

    def weights(axis: np.ndarray, value: float) -> tuple[int, float]:
        if axis.size == 1:
            return 0, 0.0
        index = int(np.clip(np.searchsorted(axis, value, side="right") - 1, 0, axis.size - 2))
        span = axis[index + 1] - axis[index]
        return index, 0.0 if span == 0 else (value - axis[index]) / span

    i, fx = weights(x_axis, x)
    j, fy = weights(y_axis, y)
    i1 = min(i + 1, nx - 1)
    j1 = min(j + 1, ny - 1)
    return float(
        (1 - fx) * (1 - fy) * grid[i, j]
        + fx * (1 - fy) * grid[i1, j]
        + (1 - fx) * fy * grid[i, j1]
        + fx * fy * grid[i1, j1]
    )


def propagate_reference(
    order: np.ndarray,
    arc_from: np.ndarray,
    arc_to: np.ndarray,
    arc_kind: np.ndarray,
    arc_delay_table: np.ndarray,
    arc_slew_table: np.ndarray,
    load_cap_ff: np.ndarray,
    tables: tuple[np.ndarray, ...],
    source_arrival_max: np.ndarray,
    source_slew_ps: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Late arrival and worst slew (ps, (n_pins, 2)) of every pin, arc by arc in pin order.

    Wires have zero delay and keep the slew; cell arcs use their tables at the pin's load.
    """
    n_pins = source_arrival_max.shape[0]
    arrival = source_arrival_max.copy()
    slew = np.full((n_pins, 2), -np.inf)
    incoming: list[list[int]] = [[] for _ in range(n_pins)]
    for a in range(arc_from.size):
        incoming[int(arc_to[a])].append(a)
    for p in order:
        for a in incoming[p]:
            f = int(arc_from[a])
            for in_rf in range(2):
                for rf in range(2):
                    if arc_kind[a] == 0:
                        if in_rf != rf:
                            continue
                        delay, out_slew = 0.0, slew[f, in_rf]
                    else:
                        table = int(arc_delay_table[a, in_rf, rf])
                        if table < 0:
                            continue
                        delay = lookup_reference(table, slew[f, in_rf], load_cap_ff[p, rf], *tables)
                        slew_table = int(arc_slew_table[a, in_rf, rf])
                        out_slew = (
                            lookup_reference(
                                slew_table, slew[f, in_rf], load_cap_ff[p, rf], *tables
                            )
                            if slew_table >= 0
                            else 0.0
                        )
                    slew[p, rf] = max(slew[p, rf], out_slew)
                    arrival[p, rf] = max(arrival[p, rf], arrival[f, in_rf] + delay)
        for rf in range(2):
            if slew[p, rf] == -np.inf:
                slew[p, rf] = source_slew_ps[p, rf]
    return arrival, slew
