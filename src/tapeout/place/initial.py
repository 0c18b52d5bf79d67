"""Initial cell positions for global placement: a bound-to-bound quadratic solve or a random spot.

The bound-to-bound (B2B) net model of Spindler et al. (Kraftwerk2) connects each pin of a net to
the net's two extreme pins with weight ``2 / ((p - 1) * distance)``; a few re-weighted sparse
conjugate-gradient solves give a wirelength-minimal (but overlapping) start.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from tapeout.place._kernels.solve import conjugate_gradient
from tapeout.place.options import PlaceOptions
from tapeout.place.problem import PlacementProblem

B2B_ROUNDS = 2  # re-weighted solves per axis (the first from uniform weights)


def initial_centres(
    problem: PlacementProblem, options: PlaceOptions, rng: np.random.Generator
) -> np.ndarray:
    """float64 (2, n_movable) start centres of the movable cells, in ``movable()`` order."""
    x_low, y_low, x_high, y_high = problem.core()
    movable = problem.movable()
    n = movable.size
    centre = np.array([(x_low + x_high) / 2, (y_low + y_high) / 2])
    spread = 0.001 * np.array([x_high - x_low, y_high - y_low])
    start = centre[:, None] + spread[:, None] * rng.standard_normal((2, n))
    anchored = problem.n_pins > 0 and bool(np.any(problem.cell_fixed[problem.pin_cell]))
    if options.initial_placement == "center" or not anchored:
        # Without pins on fixed cells the wirelength optimum is a single point: skip the solve.
        return start
    degree = np.diff(problem.net_pin_indptr)
    active = (degree >= 2) & (degree <= options.max_net_degree)
    result = start.copy()
    for axis in range(2):
        size = problem.cell_width if axis == 0 else problem.cell_height
        low = (x_low, y_low)[axis]
        high = (x_high, y_high)[axis]
        position = (problem.cell_x if axis == 0 else problem.cell_y) + size / 2
        offset = problem.pin_offset_x if axis == 0 else problem.pin_offset_y
        values = result[axis]
        for round_index in range(B2B_ROUNDS):
            position[movable] = values
            values = _b2b_solve(
                problem, position, offset, active, movable, values, uniform=round_index == 0
            )
            values = np.clip(values, low + size[movable] / 2, high - size[movable] / 2)
        result[axis] = values
    # Break exact ties so the density gradient can separate stacked cells.
    result += 0.1 * spread[:, None] * rng.standard_normal((2, n))
    return result


def _b2b_solve(
    problem: PlacementProblem,
    position: np.ndarray,
    offset: np.ndarray,
    net_active: np.ndarray,
    movable: np.ndarray,
    guess: np.ndarray,
    *,
    uniform: bool,
) -> np.ndarray:
    """One bound-to-bound linear solve along one axis; returns new movable centres.

    ``uniform`` ignores the pin distances (a first solve from a collapsed start).
    """
    indptr = problem.net_pin_indptr
    pin_net = problem.pin_net()
    pin_position = position[problem.pin_cell] + offset
    keep = net_active[pin_net]
    pins = np.flatnonzero(keep)
    order = pins[np.lexsort((pin_position[pins], pin_net[pins]))]
    nets_of_order = pin_net[order]
    first = np.flatnonzero(np.r_[True, nets_of_order[1:] != nets_of_order[:-1]])
    last = np.r_[first[1:] - 1, order.size - 1]
    net_of_segment = nets_of_order[first]
    low_pin = order[first]
    high_pin = order[last]
    segment_of_pin = np.repeat(np.arange(first.size), np.diff(np.r_[first, order.size]))
    p = degree_of = (indptr[net_of_segment + 1] - indptr[net_of_segment]).astype(np.float64)
    del degree_of
    # Edges: every non-extreme pin to both extremes, plus low to high once.
    seg = segment_of_pin
    middle = (order != low_pin[seg]) & (order != high_pin[seg])
    a = np.concatenate([order[middle], order[middle], low_pin])
    b = np.concatenate([low_pin[seg[middle]], high_pin[seg[middle]], high_pin])
    edge_segment = np.concatenate([seg[middle], seg[middle], np.arange(first.size)])
    if uniform:
        distance = np.full(a.size, 1.0)
    else:
        # A floor near a bin size keeps clumped cells from pulling each other to one point.
        x_low, y_low, x_high, y_high = problem.core()
        floor = 0.02 * max(x_high - x_low, y_high - y_low)
        distance = np.maximum(np.abs(pin_position[a] - pin_position[b]), floor)
    weight = (
        problem.net_weight[net_of_segment[edge_segment]]
        * 2.0
        / ((p[edge_segment] - 1.0) * distance)
    )
    index = np.full(problem.n_cells, -1, dtype=np.int64)
    index[movable] = np.arange(movable.size)
    cell_a = problem.pin_cell[a]
    cell_b = problem.pin_cell[b]
    ia = index[cell_a]
    ib = index[cell_b]
    oa = offset[a]
    ob = offset[b]
    n = movable.size
    both = (ia >= 0) & (ib >= 0) & (cell_a != cell_b)
    only_a = (ia >= 0) & (ib < 0)
    only_b = (ib >= 0) & (ia < 0)
    diagonal_index = np.concatenate([ia[both], ib[both], ia[only_a], ib[only_b]])
    diagonal_weight = np.concatenate([weight[both], weight[both], weight[only_a], weight[only_b]])
    right = np.concatenate(
        [
            weight[both] * (ob[both] - oa[both]),
            weight[both] * (oa[both] - ob[both]),
            weight[only_a] * (position[cell_b[only_a]] + ob[only_a] - oa[only_a]),
            weight[only_b] * (position[cell_a[only_b]] + oa[only_b] - ob[only_b]),
        ]
    )
    diagonal = np.bincount(diagonal_index, weights=diagonal_weight, minlength=n)
    rhs = np.bincount(diagonal_index, weights=right, minlength=n)
    # A weak pull to the current spot keeps floating groups from drifting.
    anchor = 1e-6 * max(float(diagonal.mean()), 1e-12) + np.zeros(n)
    diagonal += anchor
    rhs += anchor * guess
    off = sparse.coo_matrix(
        (
            np.concatenate([-weight[both], -weight[both]]),
            (np.concatenate([ia[both], ib[both]]), np.concatenate([ib[both], ia[both]])),
        ),
        shape=(n, n),
    )
    matrix = (off + sparse.diags(diagonal)).tocsr()
    matrix.sum_duplicates()
    solution, _ = conjugate_gradient(
        matrix.indptr, matrix.indices, matrix.data, rhs, guess, rtol=1e-6, max_iterations=150
    )
    return solution
