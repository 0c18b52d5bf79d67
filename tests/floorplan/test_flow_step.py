"""The floorplan step of ``tapeout run`` on the counter example (synth, then floorplan)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tapeout.flow.config import load_config
from tapeout.flow.run import run_flow
from tapeout.formats.def_ import read_def
from tests.conftest import REPO, shared_path

EXAMPLE = REPO / "examples" / "counter" / "counter.toml"


def test_floorplan_step_writes_def_and_metrics(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TAPEOUT_PDK_ROOT", str(shared_path("pdks/sky130hd").parent))
    config = load_config(EXAMPLE)
    result = run_flow(config, run_dir=tmp_path / "run", to_step="floorplan")
    assert [outcome.status for outcome in result.outcomes] == ["ran", "ran"]
    step = tmp_path / "run" / "02_floorplan"
    metrics = json.loads((step / "metrics.json").read_text())
    assert metrics["floorplan__power__grid__problems"] == 0
    assert metrics["floorplan__design__io__count"] > 0
    assert metrics["floorplan__design__instance__utilization"] <= config.floorplan.utilization
    design = read_def(step / "counter.def")
    assert design.physical.n_rows == metrics["floorplan__design__rows__count"]
    assert set(design.wires.special_net_names) == {"VDD", "VSS"}
    again = run_flow(config, run_dir=tmp_path / "run", resume=True, to_step="floorplan")
    assert [outcome.status for outcome in again.outcomes] == ["skipped", "skipped"]
