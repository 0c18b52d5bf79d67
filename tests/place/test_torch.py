"""The torch path gives the numba path's gradients and placements (run on the CPU here)."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

from tapeout.place import PlaceOptions, place_problem
from tests.place.conftest import random_problem
from tests.place.legality import legality_errors

torch = pytest.importorskip("torch")
gp_module = importlib.import_module("tapeout.place.global_place")


def test_torch_evaluator_matches_numba(monkeypatch: pytest.MonkeyPatch) -> None:
    from tapeout.place._kernels.torch_ops import TorchEvaluator
    from tapeout.place.evaluate import NumbaEvaluator

    captured = {}
    original = gp_module.make_evaluator

    def capture(inputs, backend):  # type: ignore[no-untyped-def]
        captured["inputs"] = inputs
        return original(inputs, backend)

    problem = random_problem(300, seed=3)
    monkeypatch.setattr(gp_module, "make_evaluator", capture)
    gp_module.global_place(problem, PlaceOptions(max_iterations=30))
    inputs = captured["inputs"]
    rng = np.random.default_rng(0)
    n_all = inputs.charge_width.size
    position = np.stack([rng.uniform(5, 50, n_all), rng.uniform(5, 100, n_all)])
    numba_result = NumbaEvaluator(inputs).evaluate(position, 7.0)
    torch_result = TorchEvaluator(inputs, torch.device("cpu")).evaluate(position, 7.0)
    np.testing.assert_allclose(torch_result[0], numba_result[0], rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(torch_result[1], numba_result[1], rtol=1e-7, atol=1e-7)
    assert torch_result[2] == pytest.approx(numba_result[2], rel=1e-9)
    assert torch_result[3] == pytest.approx(numba_result[3], rel=1e-12)


def test_torch_backend_places_legally_like_numba() -> None:
    results = {}
    for backend in ("numba", "torch"):
        problem = random_problem(300, seed=4)
        fixed_x, fixed_y = problem.cell_x.copy(), problem.cell_y.copy()
        report = place_problem(problem, PlaceOptions(backend=backend))
        assert legality_errors(problem, fixed_x, fixed_y) == []
        results[backend] = report.hpwl
    assert results["torch"] == pytest.approx(results["numba"], rel=0.02)
