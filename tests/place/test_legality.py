"""The vectorized legality checker finds each kind of fault on a placed random problem."""

from __future__ import annotations

import numpy as np
import pytest

from tapeout.place import PlaceOptions, place_problem
from tests.place.conftest import random_problem
from tests.place.legality import legality_errors


@pytest.fixture(scope="module")
def placed():  # type: ignore[no-untyped-def]
    problem = random_problem(150, seed=3, n_tall=3)
    fixed_x, fixed_y = problem.cell_x.copy(), problem.cell_y.copy()
    place_problem(problem, PlaceOptions(detailed_passes=1))
    assert legality_errors(problem, fixed_x, fixed_y) == []
    return problem, fixed_x, fixed_y


def _errors_after(placed, change) -> list[str]:  # type: ignore[no-untyped-def]
    problem, fixed_x, fixed_y = placed
    x, y = problem.cell_x.copy(), problem.cell_y.copy()
    try:
        change(problem)
        return legality_errors(problem, fixed_x, fixed_y, limit=100)
    finally:
        problem.cell_x[:], problem.cell_y[:] = x, y


def test_off_site_and_off_row(placed) -> None:  # type: ignore[no-untyped-def]
    def change(problem) -> None:  # type: ignore[no-untyped-def]
        problem.cell_x[5] += 0.5
        problem.cell_y[7] += 1.0

    errors = _errors_after(placed, change)
    assert "cell 5 at x=" in " ".join(errors) and "off the site grid" in " ".join(errors)
    assert any(e.startswith("cell 7 at y=") and "not on a row" in e for e in errors)


def test_outside_rows_and_tall_cell_on_top_row(placed) -> None:  # type: ignore[no-untyped-def]
    def change(problem) -> None:  # type: ignore[no-untyped-def]
        problem.cell_x[10] = -3.0
        problem.cell_y[0] = problem.row_y.max()  # a double-height cell: one row left above

    errors = _errors_after(placed, change)
    assert any(e.startswith("cell 10 ") and "sticks out" in e for e in errors)
    assert any(e.startswith("cell 0 ") and "does not fit" in e for e in errors)


def test_overlap_and_fixed_moved(placed) -> None:  # type: ignore[no-untyped-def]
    problem = placed[0]
    movable = problem.movable()
    first, second = int(movable[20]), int(movable[40])
    fixed = int(np.flatnonzero(problem.cell_fixed)[0])

    def change(problem) -> None:  # type: ignore[no-untyped-def]
        problem.cell_x[second] = problem.cell_x[first]
        problem.cell_y[second] = problem.cell_y[first]
        problem.cell_x[fixed] += 1.0

    errors = _errors_after(placed, change)
    assert f"fixed cell {fixed} moved" in errors
    overlaps = [e for e in errors if "overlap" in e]
    assert overlaps and all(str(second) in e or str(first) in e for e in overlaps[:1])


def test_limit(placed) -> None:  # type: ignore[no-untyped-def]
    def change(problem) -> None:  # type: ignore[no-untyped-def]
        problem.cell_x[problem.movable()] += 0.25

    problem, fixed_x, fixed_y = placed
    x = problem.cell_x.copy()
    change(problem)
    try:
        assert len(legality_errors(problem, fixed_x, fixed_y, limit=4)) == 4
    finally:
        problem.cell_x[:] = x
