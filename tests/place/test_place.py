"""Legalization, detailed placement and the whole placer on small problems and ibm01."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from tapeout.errors import ConfigError, DesignError
from tapeout.formats.bookshelf import read_bookshelf
from tapeout.log import Log
from tapeout.place import (
    PlaceOptions,
    detailed_place,
    global_place,
    legalize,
    place_problem,
    problem_from_bookshelf,
)
from tests.conftest import shared_path
from tests.place.conftest import random_problem
from tests.place.legality import legality_errors


def _fixed(problem):  # type: ignore[no-untyped-def]
    return problem.cell_x.copy(), problem.cell_y.copy()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_legalize_random_positions(seed: int) -> None:
    problem = random_problem(200, seed=seed, n_tall=4)
    fixed_x, fixed_y = _fixed(problem)
    rng = np.random.default_rng(seed)
    movable = problem.movable()
    x_low, y_low, x_high, y_high = problem.core()
    problem.cell_x[movable] = rng.uniform(x_low, x_high, movable.size)
    problem.cell_y[movable] = rng.uniform(y_low, y_high, movable.size)
    result = legalize(problem)
    assert legality_errors(problem, fixed_x, fixed_y) == []
    assert result.max_displacement > 0
    assert result.total_displacement >= result.max_displacement


def test_legalize_keeps_a_legal_placement() -> None:
    problem = random_problem(100, seed=5, n_fixed_blocks=0)
    fixed_x, fixed_y = _fixed(problem)
    place_problem(problem, PlaceOptions(detailed_passes=0))
    before = (problem.cell_x.copy(), problem.cell_y.copy())
    result = legalize(problem)
    assert result.total_displacement == 0
    np.testing.assert_array_equal(problem.cell_x, before[0])
    assert legality_errors(problem, fixed_x, fixed_y) == []


def test_legalize_reports_a_full_design() -> None:
    problem = random_problem(100, seed=6, n_fixed_blocks=0)
    problem.row_num_sites[:] = 3
    with pytest.raises(DesignError, match=r"no row space|no room"):
        legalize(problem)


def test_detailed_placement_only_improves_and_stays_legal() -> None:
    problem = random_problem(300, seed=7)
    fixed_x, fixed_y = _fixed(problem)
    global_place(problem, PlaceOptions())
    legalize(problem)
    before = problem.hpwl()
    result = detailed_place(problem, passes=3)
    assert result.hpwl_after == pytest.approx(problem.hpwl())
    assert result.hpwl_after < before
    assert legality_errors(problem, fixed_x, fixed_y) == []


@pytest.mark.parametrize(("window", "gaps"), [(2, 0), (4, 5)])
def test_detailed_placement_window_and_gaps_stay_legal(window: int, gaps: int) -> None:
    problem = random_problem(300, seed=9)
    fixed_x, fixed_y = _fixed(problem)
    global_place(problem, PlaceOptions())
    legalize(problem)
    before = problem.hpwl()
    result = detailed_place(problem, passes=2, window=window, gaps=gaps)
    assert result.hpwl_after == pytest.approx(problem.hpwl())
    assert result.hpwl_after < before
    assert legality_errors(problem, fixed_x, fixed_y) == []


def test_place_problem_is_legal_deterministic_and_logs_progress(
    caplog: pytest.LogCaptureFixture,
) -> None:
    results = []
    orientations = []
    for _ in range(2):
        problem = random_problem(400, seed=8, alternate_rows=True)
        fixed_x, fixed_y = _fixed(problem)
        log = Log()
        with caplog.at_level(logging.INFO, logger="tapeout"):
            report = place_problem(problem, PlaceOptions(log_every=10), log=log)
        assert legality_errors(problem, fixed_x, fixed_y) == []
        assert "PLACE-0002" in log.ids()
        assert report.hpwl == pytest.approx(problem.hpwl())
        results.append(problem.cell_x.copy())
        orientations.append(problem.cell_orient.copy())
    np.testing.assert_array_equal(results[0], results[1])
    np.testing.assert_array_equal(orientations[0], orientations[1])
    assert "[INFO PLACE-0002] iter 10 HPWL" in caplog.text


def test_global_placement_spreads_and_beats_random() -> None:
    problem = random_problem(400, seed=9)
    result = global_place(problem, PlaceOptions())
    assert result.overflow < 0.3
    placed = problem.hpwl()
    rng = np.random.default_rng(0)
    movable = problem.movable()
    x_low, y_low, x_high, y_high = problem.core()
    problem.cell_x[movable] = rng.uniform(x_low, x_high - 6, movable.size)
    problem.cell_y[movable] = rng.uniform(y_low, y_high - 10, movable.size)
    assert placed < 0.5 * problem.hpwl()


def test_dreamplace_simple_with_double_height_cells() -> None:
    design = read_bookshelf(shared_path("benchmarks/bookshelf/dreamplace_simple/simple.aux.gz"))
    problem = problem_from_bookshelf(design)
    fixed_x, fixed_y = _fixed(problem)
    place_problem(problem, PlaceOptions())
    assert legality_errors(problem, fixed_x, fixed_y) == []


def test_options_validate() -> None:
    with pytest.raises(ConfigError, match="target_density"):
        PlaceOptions(target_density=1.5).validate()
    with pytest.raises(ConfigError, match="power of two"):
        PlaceOptions(bins_per_side=100).validate()
    with pytest.raises(ConfigError, match="backend"):
        PlaceOptions(backend="cuda").validate()


@pytest.mark.slow
def test_ibm01_is_legal_and_good() -> None:
    design = read_bookshelf(shared_path("benchmarks/bookshelf/ibm01/ibm01.aux.gz"))
    problem = problem_from_bookshelf(design)
    fixed_x, fixed_y = _fixed(problem)
    report = place_problem(problem, PlaceOptions())
    assert legality_errors(problem, fixed_x, fixed_y) == []
    # coloquinte 0.4.1 (effort 3) reaches 1.07e7 on this design (bench/results/place.md).
    assert report.hpwl < 0.97 * 1.0716e7


def test_routability_inflates_and_reports_rudy() -> None:
    problem = random_problem(300, seed=11, utilization=0.5)
    fixed_x, fixed_y = _fixed(problem)
    log = Log()
    report = place_problem(problem, PlaceOptions(routability=True), log=log)
    assert legality_errors(problem, fixed_x, fixed_y) == []
    assert "PLACE-0031" in log.ids()
    metrics = report.metrics()
    assert metrics["place__congestion__rudy_peak_over_mean"] >= 1.0
    assert 0.0 <= metrics["place__congestion__rudy_share_over_twice_mean"] <= 1.0
    assert report.congestion is not None and report.congestion.rudy.sum() > 0
