"""The production synth step on the example design (needs the sky130hd PDK from ../shared)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tapeout.errors import ConfigError
from tapeout.flow.config import load_config
from tapeout.flow.manifest import file_sha256, read_manifest
from tapeout.flow.run import run_flow
from tests.conftest import REPO, shared_path

EXAMPLE = REPO / "examples" / "counter" / "counter.toml"


@pytest.fixture
def pdk_environment(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    root = shared_path("pdks/sky130hd").parent
    monkeypatch.setenv("TAPEOUT_PDK_ROOT", str(root))
    return {**os.environ, "TAPEOUT_PDK_ROOT": str(root)}


def test_synth_step_writes_netlist_sdc_and_metrics(pdk_environment, tmp_path: Path) -> None:
    config = load_config(EXAMPLE)
    result = run_flow(config, run_dir=tmp_path / "run", to_step="synth")
    step = tmp_path / "run" / "01_synth"
    assert [outcome.status for outcome in result.outcomes] == ["ran"]
    assert "module counter" in (step / "counter.v").read_text()
    assert (
        "create_clock -name core_clock -period 4 [get_ports {clk}]"
        in (step / "counter.sdc").read_text()
    )
    metrics = json.loads((step / "metrics.json").read_text())
    assert metrics["synth__design__instance__area__stdcell"] > 100
    assert metrics["synth__design__instance__count__sequential"] == 14  # 12 + at_limit + parity
    assert metrics["synth__runtime__total_s"] > 0
    assert metrics["constraints__clocks__count"] == 1
    assert metrics["synth__mem__peak_mb"] > 10
    manifest = read_manifest(step)
    assert manifest is not None
    assert manifest.inputs["counter.v"] == file_sha256(EXAMPLE.parent / "counter.v")
    assert any(label.endswith(".lib.gz") for label in manifest.inputs)
    assert manifest.options["top"] == "counter"
    assert "SYN-0001" in (step / "step.log").read_text()
    assert ".tmp-" not in (step / "step.log").read_text()

    again = run_flow(config, run_dir=tmp_path / "run", resume=True, to_step="synth")
    assert [outcome.status for outcome in again.outcomes] == ["skipped"]


def test_killed_synthesis_resumes_to_same_netlist(pdk_environment, tmp_path: Path) -> None:
    reference = tmp_path / "reference"
    run_flow(load_config(EXAMPLE), run_dir=reference, to_step="synth")

    run_dir = tmp_path / "killed"
    command = [sys.executable, "-m", "tapeout", "run", str(EXAMPLE), "--run-dir", str(run_dir)]
    command += ["--to", "synth"]  # the later steps are tested in test_physical_steps
    process = subprocess.Popen(
        command,
        cwd=tmp_path,
        env=pdk_environment,
        start_new_session=True,  # so the kill reaches Yosys too
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not list(run_dir.glob("01_synth.tmp-*")) and process.poll() is None:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    if process.returncode == 0:
        pytest.skip("synthesis finished before it could be killed")
    assert not (run_dir / "01_synth" / "manifest.json").exists()

    resumed = subprocess.run(
        [*command, "--resume"], cwd=tmp_path, env=pdk_environment, capture_output=True, text=True
    )
    assert resumed.returncode == 0, resumed.stderr
    assert not list(run_dir.glob("*.tmp-*"))
    for name in ("counter.v", "counter.sdc"):
        assert file_sha256(run_dir / "01_synth" / name) == file_sha256(
            reference / "01_synth" / name
        )


ADDER = (
    "module adder(input [3:0] a, input [3:0] b, output [4:0] s);\n  assign s = a + b;\nendmodule\n"
)


def test_clock_period_on_a_missing_port_is_a_config_error(tmp_path: Path) -> None:
    # clock_period_ns puts its clock on clock_port (default clk): on no port it timed nothing
    # and every slack metric read 0.
    (tmp_path / "adder.v").write_text(ADDER)
    config = tmp_path / "adder.toml"
    config.write_text(
        '[design]\ntop = "adder"\nsources = ["adder.v"]\npdk_root = "builtin"\n'
        "clock_period_ns = 2\n"
    )
    with pytest.raises(ConfigError) as caught:
        run_flow(load_config(config), to_step="synth")
    assert caught.value.file == str(config)
    assert "'clk' is not an input of adder (its inputs: a[0]" in caught.value.message
    assert caught.value.hint is not None and "clock_port" in caught.value.hint


def test_design_without_clock_warns_that_nothing_is_timed(tmp_path: Path) -> None:
    (tmp_path / "adder.v").write_text(ADDER)
    config = tmp_path / "adder.toml"
    config.write_text('[design]\ntop = "adder"\nsources = ["adder.v"]\npdk_root = "builtin"\n')
    run_flow(load_config(config), to_step="sta")
    log = (tmp_path / "runs" / "adder" / "04_sta" / "step.log").read_text()
    assert "[WARN STA-0040] nothing is timed: the constraints define no clock" in log
