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


def test_a_handful_of_flops_is_placed(tmp_path: Path) -> None:
    # Sized for 5 cells, the core was 29 sites wide: the odd rows' taps (half a tap pitch in)
    # left pieces of 15 and 13 sites, a flip-flop needs 16, and legalization failed.
    (tmp_path / "few.v").write_text(
        "module few(input clk, input [1:0] d, output reg [1:0] q);\n"
        "  reg [1:0] r;\n  always @(posedge clk) begin r <= d; q <= r ^ 2'b01; end\n"
        "endmodule\n"
    )
    config = tmp_path / "few.toml"
    config.write_text(
        '[design]\ntop = "few"\nsources = ["few.v"]\npdk_root = "builtin"\nclock_period_ns = 2\n'
    )
    result = run_flow(load_config(config), to_step="place")
    assert [outcome.status for outcome in result.outcomes] == ["ran", "ran", "ran"]
    log = (tmp_path / "runs" / "few" / "02_floorplan" / "step.log").read_text()
    assert "FLOORPLAN-0004" in log
    placed = json.loads((tmp_path / "runs" / "few" / "03_place" / "metrics.json").read_text())
    assert placed["detailedplace__design__violations"] == 0
