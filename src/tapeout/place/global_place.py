"""Global placement (ePlace / DREAMPlace family): WA wirelength + electrostatic density, Nesterov.

Minimizes ``WA(x, y) + lambda * N(x, y)`` over movable cell and filler centres, with Nesterov's
accelerated gradient and a Lipschitz step-size prediction with backtracking (ePlace), a diagonal
preconditioner, a ``gamma`` schedule driven by the overflow, and a density weight ``lambda`` that
grows while wirelength allows. Stops when the overflow reaches ``options.stop_overflow``.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numba
import numpy as np

from tapeout.log import Log
from tapeout.place._kernels.density import spread_area
from tapeout.place._kernels.rudy import rudy_map
from tapeout.place.evaluate import ObjectiveInputs, make_evaluator
from tapeout.place.initial import initial_centres
from tapeout.place.options import PlaceOptions
from tapeout.place.problem import PlacementProblem

_NEAR_OVERFLOW = 0.2
_STRETCH_Y = math.sqrt(2.0)  # charges are at least this many bins high (ePlace)
_GAMMA_SCALE = 2.0  # gamma = this * (bin width + height) * 10^(k overflow + b); DREAMPlace's
# 4 smooths too much here (legal HPWL 0.4-0.8% worse on the bench designs)
_NEAR_HPWL_GROWTH = 1.1
_INFLATION_ITERATIONS = 150  # Nesterov iterations after each inflation round
_MAX_INFLATION = 2.5  # most area growth of one cell (RePlAce)
_INFLATION_EXPONENT = 1.0  # inflation = congestion ratio ** this (RePlAce uses 2.33 with
# an absolute routing capacity; our ratio is relative to the mean, so grow gently)
_INFLATION_STEP = 1.5  # most growth of one cell in one round
_INFLATION_LAMBDA = 0.1  # density weight scale at a round's start, so wirelength recovers
_SORT_MIN_CELLS = 100_000  # below this the bin maps fit in the caches

#: ``progress(centre_x, centre_y, overflow) -> bool`` called each iteration with the movable
#: cells' centres (float64 (n_movable,), ``movable()`` order, true coordinates); True when it
#: changed ``problem.net_weight`` in place (timing-driven weights), so the objective is rebuilt.
Progress = Callable[[np.ndarray, np.ndarray, float], bool]


@dataclass(frozen=True)
class GlobalPlaceResult:
    """Metrics of one global placement run (HPWL in the problem's unit)."""

    iterations: int
    hpwl: float
    overflow: float
    n_fillers: int
    seconds: float


@dataclass(eq=False)
class _Grid:
    origin: tuple[float, float]
    bin_size: tuple[float, float]
    shape: tuple[int, int]
    fixed_charge: np.ndarray  # area per bin that is not free (row gaps, fixed cells), * target
    capacity: np.ndarray  # target * free area per bin
    free_area: float


def _bin_count(n_movable: int, options: PlaceOptions) -> int:
    if options.bins_per_side:
        return options.bins_per_side
    side = max(math.sqrt(max(n_movable, 1)), 16.0)
    return int(min(1024, 2 ** round(math.log2(side))))


def _make_grid(problem: PlacementProblem, n_bins: int, target: float) -> _Grid:
    """Bins: ``n_bins`` columns; rows of bins a whole number of row pitches high, so rows and
    the gaps between them (when the rows do not abut) fall the same way in every bin row."""
    x_low, y_low, x_high, y_high = problem.core()
    row_ys = np.unique(problem.row_y)
    pitch = float(np.min(np.diff(row_ys))) if row_ys.size > 1 else float(problem.row_height.max())
    pitches_per_bin = max(1, round((y_high - y_low) / n_bins / pitch))
    n_y = max(1, math.ceil((y_high - y_low) / (pitches_per_bin * pitch) - 1e-9))
    shape = (n_bins, n_y)
    bin_size = ((x_high - x_low) / n_bins, pitches_per_bin * pitch)
    origin = (x_low, y_low)
    row_width = problem.row_num_sites * problem.row_site_width
    ones = np.ones(problem.n_rows)
    row_area = spread_area(
        problem.row_x + row_width / 2,
        problem.row_y + problem.row_height / 2,
        row_width,
        problem.row_height,
        ones,
        origin,
        bin_size,
        shape,
    )
    bin_area = bin_size[0] * bin_size[1]
    row_area = np.minimum(row_area, bin_area)
    blocked = np.zeros(shape)
    block = np.flatnonzero(problem.cell_blocks)
    if block.size:
        blocked += spread_area(
            problem.cell_x[block] + problem.cell_width[block] / 2,
            problem.cell_y[block] + problem.cell_height[block] / 2,
            problem.cell_width[block],
            problem.cell_height[block],
            np.ones(block.size),
            origin,
            bin_size,
            shape,
        )
    if problem.blockage.shape[0]:
        b = problem.blockage
        blocked += spread_area(
            (b[:, 0] + b[:, 2]) / 2,
            (b[:, 1] + b[:, 3]) / 2,
            b[:, 2] - b[:, 0],
            b[:, 3] - b[:, 1],
            np.ones(b.shape[0]),
            origin,
            bin_size,
            shape,
        )
    free = np.clip(row_area - blocked, 0.0, None)
    return _Grid(
        origin=origin,
        bin_size=bin_size,
        shape=shape,
        fixed_charge=(bin_area - free) * target,
        capacity=free * target,
        free_area=float(free.sum()),
    )


def global_place(
    problem: PlacementProblem,
    options: PlaceOptions,
    *,
    log: Log | None = None,
    progress: Progress | None = None,
) -> GlobalPlaceResult:
    """Spread the movable cells of ``problem`` (updates ``cell_x``, ``cell_y`` in place)."""
    threads_before = numba.get_num_threads()
    numba.set_num_threads(max(1, min(options.threads, numba.config.NUMBA_NUM_THREADS)))
    try:
        return _global_place(problem, options, log or Log(), progress)
    finally:
        numba.set_num_threads(threads_before)


def _row_compression(problem: PlacementProblem) -> float:
    """Height over pitch when rows are evenly spaced with empty gaps between them, else 1.

    Global placement then runs with y squeezed by this factor (the gaps removed), where the
    density model sees abutting rows; y wirelength is scaled back so it stays true.
    """
    row_ys = np.unique(problem.row_y)
    if row_ys.size < 2:
        return 1.0
    pitch = np.diff(row_ys)
    height = float(problem.row_height.max())
    if np.ptp(pitch) > 1e-9 * pitch.max() or np.ptp(problem.row_height) > 0:
        return 1.0
    if pitch[0] <= height * (1 + 1e-9):
        return 1.0
    return height / float(pitch[0])


def _global_place(
    problem: PlacementProblem, options: PlaceOptions, log: Log, progress: Progress | None
) -> GlobalPlaceResult:
    squeeze = _row_compression(problem)
    if squeeze == 1.0:
        return _global_place_flat(problem, options, log, 1.0, progress)
    y_origin = float(problem.row_y.min())
    virtual = copy.copy(problem)
    virtual.cell_y = y_origin + (problem.cell_y - y_origin) * squeeze
    virtual.row_y = y_origin + (problem.row_y - y_origin) * squeeze
    virtual.cell_height = problem.cell_height.copy()
    virtual.cell_height[problem.cell_blocks] *= squeeze
    if problem.blockage.shape[0]:
        virtual.blockage = problem.blockage.copy()
        virtual.blockage[:, [1, 3]] = y_origin + (problem.blockage[:, [1, 3]] - y_origin) * squeeze
    result = _global_place_flat(virtual, options, log, squeeze, progress)
    movable = problem.movable()
    problem.cell_x[movable] = virtual.cell_x[movable]
    centre = virtual.cell_y[movable] + problem.cell_height[movable] / 2
    problem.cell_y[movable] = (
        y_origin + (centre - y_origin) / squeeze - problem.cell_height[movable] / 2
    )
    return dataclasses.replace(result, hpwl=problem.hpwl())


def _global_place_flat(
    problem: PlacementProblem,
    options: PlaceOptions,
    log: Log,
    squeeze: float,
    progress: Progress | None = None,
) -> GlobalPlaceResult:
    start_time = time.perf_counter()
    movable = problem.movable()
    n_movable = movable.size
    if n_movable == 0:
        return GlobalPlaceResult(0, problem.hpwl(), 0.0, 0, 0.0)
    rng = np.random.default_rng(options.seed)
    x_low, y_low, x_high, y_high = problem.core()
    n_bins = _bin_count(n_movable, options)
    start = initial_centres(problem, options, rng)
    # Large problems: cells (and fillers) in position order, in strips of bins, so spreading
    # and gathering walk the bin maps nearly in memory order (2-3x faster once the maps
    # outgrow the caches); ``unsort`` gives the progress hook movable() order back.
    sort = n_movable >= _SORT_MIN_CELLS
    unsort = None
    if sort:
        order = _strip_order(start[0], start[1], x_low, x_high, n_bins)
        movable = movable[order]
        start = start[:, order]
        unsort = np.argsort(order)
    width = problem.cell_width[movable]
    height = problem.cell_height[movable]
    movable_area = float(np.sum(width * height))
    utilization = problem.utilization()
    target = max(options.target_density, min(1.0, utilization + 0.01))
    if target > options.target_density:
        log.warn(
            "PLACE-0003",
            f"target density {options.target_density:.2f} is below the utilization "
            f"{utilization:.3f}; using {target:.3f}",
        )
    grid = _make_grid(problem, n_bins, target)
    bin_w, bin_h = grid.bin_size

    # Fillers take the free area the cells leave under the target density.
    n_fillers = 0
    filler_width = filler_height = 0.0
    if options.fillers:
        sorted_width = np.sort(width)
        trimmed = sorted_width[int(0.05 * n_movable) : max(int(0.95 * n_movable), 1)]
        filler_width = float(trimmed.mean()) if trimmed.size else float(width.mean())
        filler_height = float(np.median(height))
        filler_area = target * grid.free_area - movable_area
        if filler_area > 0:
            n_fillers = int(filler_area // (filler_width * filler_height))
    all_width = np.concatenate([width, np.full(n_fillers, filler_width)])
    all_height = np.concatenate([height, np.full(n_fillers, filler_height)])
    stretched_width = np.maximum(all_width, math.sqrt(2.0) * bin_w)
    stretched_height = np.maximum(all_height, _STRETCH_Y * bin_h)
    charge_scale = all_width * all_height / (stretched_width * stretched_height)
    area = all_width * all_height
    low_x = x_low + all_width / 2
    high_x = x_high - all_width / 2
    low_y = y_low + all_height / 2
    high_y = y_high - all_height / 2

    # Wirelength data.
    cell_pin_indptr, cell_pin_indices = problem.cell_pins()
    degree = np.diff(problem.net_pin_indptr)
    net_active = (degree >= 2) & (degree <= options.max_net_degree)
    pin_counts = np.diff(cell_pin_indptr)[movable].astype(np.float64)
    pin_counts_all = np.concatenate([pin_counts, np.zeros(n_fillers)])
    fill_x = rng.uniform(x_low, x_high, n_fillers)
    fill_y = rng.uniform(y_low, y_high, n_fillers)
    if sort:
        order = _strip_order(fill_x, fill_y, x_low, x_high, n_bins)
        fill_x, fill_y = fill_x[order], fill_y[order]
    position = np.stack([np.concatenate([start[0], fill_x]), np.concatenate([start[1], fill_y])])

    def project(p: np.ndarray) -> np.ndarray:
        np.clip(p[0], low_x, high_x, out=p[0])
        np.clip(p[1], low_y, high_y, out=p[1])
        return p

    project(position)

    state = {"gamma": 1.0, "lambda": 0.0}

    inputs = ObjectiveInputs(
        pin_cell=problem.pin_cell.astype(np.int64),
        pin_offset_x=problem.pin_offset_x,
        pin_offset_y=problem.pin_offset_y,
        net_pin_indptr=problem.net_pin_indptr,
        net_weight=problem.net_weight,
        net_active=net_active,
        cell_pin_indptr=cell_pin_indptr,
        cell_pin_indices=cell_pin_indices,
        centre_x=problem.cell_x + problem.cell_width / 2,
        centre_y=problem.cell_y + problem.cell_height / 2,
        movable=movable,
        charge_width=stretched_width,
        charge_height=stretched_height,
        charge_scale=charge_scale,
        width=width,
        height=height,
        origin=grid.origin,
        bin_size=grid.bin_size,
        shape=grid.shape,
        fixed_charge=grid.fixed_charge,
        capacity=grid.capacity,
        movable_area=movable_area,
        squeeze=squeeze,
    )
    holder = {"evaluator": make_evaluator(inputs, options.backend)}

    def evaluate(p: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, float]:
        return holder["evaluator"].evaluate(p, state["gamma"])

    base_gamma = _GAMMA_SCALE * (bin_w + bin_h)

    def set_gamma(over: float) -> None:
        state["gamma"] = base_gamma * 10.0 ** ((20.0 / 9.0) * over - 11.0 / 9.0)

    def total_gradient(wire: np.ndarray, density: np.ndarray) -> np.ndarray:
        precondition = np.maximum(pin_counts_all + state["lambda"] * area / (bin_w * bin_h), 1.0)
        return (wire + state["lambda"] * density / (bin_w * bin_h)) / precondition

    set_gamma(1.0)
    wire, dens, over, current_hpwl = evaluate(position)
    set_gamma(over)
    dens_norm = float(np.abs(dens).sum())
    state["lambda"] = (
        options.initial_density_weight * float(np.abs(wire).sum()) / dens_norm * (bin_w * bin_h)
        if dens_norm > 0
        else 1.0
    )
    gradient = total_gradient(wire, dens)
    # A first step size from a small probe move (ePlace's Lipschitz estimate).
    probe = project(position - 0.01 * bin_w * gradient / max(np.abs(gradient).max(), 1e-30))
    wire_p, dens_p, _, _ = evaluate(probe)
    gradient_p = total_gradient(wire_p, dens_p)
    step = _lipschitz_step(position, probe, gradient, gradient_p, bin_w)

    u = position.copy()
    v = position.copy()
    v_gradient = gradient
    a = 1.0
    previous_hpwl = current_hpwl
    hpwl_reference = 0.0
    growth = options.density_weight_growth
    iteration = 0
    best_overflow, best_iteration = 1.0, 0
    near_hpwl = math.inf
    rounds = options.inflation_rounds if options.routability else 0
    round_start = 0
    budget = options.max_iterations
    for round_index in range(rounds + 1):
        if round_index > 0:
            if not _inflate(inputs, holder, u, area, n_movable, options, log, round_index):
                break
            # Restart the momentum from the current placement with the inflated charges.
            v = u.copy()
            wire, dens, over, current_hpwl = evaluate(v)
            v_gradient = total_gradient(wire, dens)
            a = 1.0
            state["lambda"] *= _INFLATION_LAMBDA
            round_start = iteration
            budget = iteration + _INFLATION_ITERATIONS
            best_overflow, best_iteration = 1.0, iteration
            near_hpwl = math.inf
        first = iteration + 1
        for iteration in range(first, budget + 1):
            for _ in range(3):  # backtracking on the predicted step
                u_next = project(v - step * v_gradient)
                a_next = (1.0 + math.sqrt(4.0 * a * a + 1.0)) / 2.0
                v_next = project(u_next + (a - 1.0) / a_next * (u_next - u))
                wire, dens, over, current_hpwl = evaluate(v_next)
                v_next_gradient = total_gradient(wire, dens)
                next_step = _lipschitz_step(v, v_next, v_gradient, v_next_gradient, bin_w)
                if next_step > 0.95 * step:
                    break
                step = next_step
            u, v, v_gradient, a, step = u_next, v_next, v_next_gradient, a_next, next_step
            # Density weight: grows fast while wirelength barely moves, slower when it rises.
            delta = current_hpwl - previous_hpwl
            if delta < 0:
                mu = growth
            else:
                # ePlace's reference HPWL step, taken relative to the design's own HPWL.
                hpwl_reference = max(hpwl_reference, options.hpwl_step_reference * current_hpwl)
                mu = max(0.95, growth ** max(1.0 - delta / max(hpwl_reference, 1e-30), -1.0))
            state["lambda"] *= mu
            previous_hpwl = current_hpwl
            set_gamma(over)
            if progress is not None and progress(
                u[0, :n_movable] if unsort is None else u[0, :n_movable][unsort],
                y_low
                + ((u[1, :n_movable] if unsort is None else u[1, :n_movable][unsort]) - y_low)
                / squeeze,
                over,
            ):
                # New net weights: rebuild the objective; weighted HPWL jumps, so restart the
                # HPWL-based schedules from here.
                holder["evaluator"] = make_evaluator(inputs, options.backend)
                wire, dens, over, current_hpwl = evaluate(v)
                v_gradient = total_gradient(wire, dens)
                previous_hpwl = current_hpwl
                near_hpwl = math.inf
            if iteration % options.log_every == 0:
                log.info(
                    "PLACE-0002",
                    f"iter {iteration} HPWL {current_hpwl:.6g} overflow {over:.4f} "
                    f"lambda {state['lambda']:.3g} gamma {state['gamma']:.3g} step {step:.3g}",
                )
            settled = iteration - round_start > (20 if round_index == 0 else 60)
            if over <= options.stop_overflow and settled:
                break
            # Dense designs can stall above the wanted overflow, and the last few percent of
            # overflow then cost far more wirelength than legalization would: stop once the
            # overflow no longer improves, or once HPWL grew by a tenth after it got near.
            if over < _NEAR_OVERFLOW and settled:
                near_hpwl = min(near_hpwl, current_hpwl)
                if current_hpwl > _NEAR_HPWL_GROWTH * near_hpwl:
                    log.info("PLACE-0006", f"HPWL rising at overflow {over:.4f}; stopping")
                    break
            if over < best_overflow - 0.002:
                best_overflow, best_iteration = over, iteration
            elif over < 0.3 and iteration - best_iteration > 60:
                log.info("PLACE-0005", f"overflow stalled at {over:.4f}; stopping")
                break
    problem.cell_x[movable] = u[0, :n_movable] - width / 2
    problem.cell_y[movable] = u[1, :n_movable] - height / 2
    _, _, _, final_hpwl = holder["evaluator"].evaluate(u, state["gamma"])
    seconds = time.perf_counter() - start_time
    log.info(
        "PLACE-0004",
        f"global placement: {iteration} iterations, HPWL {final_hpwl:.6g}, overflow {over:.4f}, "
        f"{n_fillers} fillers, {seconds:.2f} s",
    )
    return GlobalPlaceResult(iteration, final_hpwl, over, n_fillers, seconds)


def _inflate(
    inputs: ObjectiveInputs,
    holder: dict,  # type: ignore[type-arg]
    position: np.ndarray,
    area: np.ndarray,
    n_movable: int,
    options: PlaceOptions,
    log: Log,
    round_index: int,
) -> bool:
    """Grow the charge of cells in congested bins (RUDY above ``congestion_threshold`` x mean).

    Fillers of the same total area are switched off so the total charge stays. Updates
    ``inputs``, ``area`` and the evaluator in ``holder``; False when nothing is congested.
    """
    centre_x = inputs.centre_x.copy()
    centre_y = inputs.centre_y.copy()
    centre_x[inputs.movable] = position[0, :n_movable]
    centre_y[inputs.movable] = position[1, :n_movable]
    rudy = rudy_map(
        centre_x[inputs.pin_cell] + inputs.pin_offset_x,
        centre_y[inputs.pin_cell] + inputs.pin_offset_y,
        inputs.net_pin_indptr,
        inputs.net_weight * inputs.net_active,
        inputs.origin,
        inputs.bin_size,
        inputs.shape,
        min(inputs.bin_size),
    )
    # The mean over bins the cells occupy: empty regions would make every cell look congested.
    occupied = spread_area(
        position[0, :n_movable], position[1, :n_movable], inputs.width, inputs.height,
        np.ones(n_movable), inputs.origin, inputs.bin_size, inputs.shape,
    ) > 0.25 * np.maximum(inputs.capacity, 1e-30)  # fmt: skip
    mean = float(rudy[occupied].mean()) if np.any(occupied) else 0.0
    if mean <= 0:
        return False
    ratio = rudy / (options.congestion_threshold * mean)
    i = np.clip(
        ((position[0, :n_movable] - inputs.origin[0]) // inputs.bin_size[0]).astype(int),
        0,
        inputs.shape[0] - 1,
    )
    j = np.clip(
        ((position[1, :n_movable] - inputs.origin[1]) // inputs.bin_size[1]).astype(int),
        0,
        inputs.shape[1] - 1,
    )
    growth = np.minimum(np.maximum(ratio[i, j], 1.0) ** _INFLATION_EXPONENT, _INFLATION_STEP)
    inflation = holder.setdefault("inflation", np.ones(n_movable))
    new_inflation = np.minimum(inflation * growth, _MAX_INFLATION)
    grown = int(np.count_nonzero(new_inflation > inflation * (1 + 1e-9)))
    if grown == 0:
        log.info("PLACE-0031", f"inflation round {round_index}: no congested bins; done")
        return False
    real_area = inputs.width * inputs.height
    added = float(np.sum(real_area * (new_inflation - inflation)))
    inflation[:] = new_inflation
    bin_w = inputs.bin_size[0]
    width = inputs.width * inflation
    inputs.charge_width[:n_movable] = np.maximum(width, math.sqrt(2.0) * bin_w)
    inputs.charge_scale[:n_movable] = (
        width * inputs.height / (inputs.charge_width[:n_movable] * inputs.charge_height[:n_movable])
    )
    area[:n_movable] = real_area * inflation
    # Switch off fillers worth the added area.
    fillers = n_movable + np.flatnonzero(inputs.charge_scale[n_movable:] > 0)
    removed = 0
    if fillers.size:
        filler_area = float(area[fillers[0]])
        removed = min(fillers.size, int(added // max(filler_area, 1e-30)))
        inputs.charge_scale[fillers[:removed]] = 0.0
        area[fillers[:removed]] = 0.0
    holder["evaluator"] = make_evaluator(inputs, options.backend)
    log.info(
        "PLACE-0031",
        f"inflation round {round_index}: RUDY peak {float(rudy.max()) / mean:.2f}x the mean; "
        f"{grown} cells grown (area +{added:.4g}), {removed} fillers off",
    )
    return True


def _strip_order(
    x: np.ndarray, y: np.ndarray, x_low: float, x_high: float, n_bins: int
) -> np.ndarray:
    """int64 order of points by vertical strips 8 bins wide (left to right), then y."""
    strip_width = max((x_high - x_low) * 8.0 / n_bins, 1e-30)
    strip = np.floor((x - x_low) / strip_width).astype(np.int64)
    return np.lexsort((y, strip))


def _lipschitz_step(
    before: np.ndarray,
    after: np.ndarray,
    gradient_before: np.ndarray,
    gradient_after: np.ndarray,
    bin_width: float,
) -> float:
    # Plain sums, not BLAS: a threaded BLAS call is slow on a busy shared machine.
    difference = after - before
    moved = math.sqrt(float(np.sum(difference * difference)))
    difference = gradient_after - gradient_before
    changed = math.sqrt(float(np.sum(difference * difference)))
    if changed <= 1e-30 or moved <= 1e-30:
        return bin_width
    return moved / changed
