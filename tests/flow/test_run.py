"""The step runner: run directories, manifests, --resume, --from/--to, atomicity, kills."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tapeout.errors import ConfigError, DesignError, InputFileError, ToolError
from tapeout.flow.config import load_config
from tapeout.flow.manifest import file_sha256, read_manifest
from tapeout.flow.metrics import STEP_DIRECTORY, collect_metrics, step_records
from tapeout.flow.run import run_flow
from tapeout.flow.steps import Step, StepContext
from tapeout.log import Log
from tests.conftest import REPO
from tests.flow.fake_steps import ALPHA, BETA, FAKE_STEPS


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    (tmp_path / "design.v").write_text("module top(input a, output b); assign b = a; endmodule\n")
    path = tmp_path / "design.toml"
    path.write_text('[design]\ntop = "top"\nsources = ["design.v"]\n[place]\ndensity = 0.7\n')
    return path


def statuses(result) -> dict[str, str]:
    return {outcome.name: outcome.status for outcome in result.outcomes}


def output_hashes(run_dir: Path) -> dict[str, str]:
    """sha256 of every design output (not logs, metrics or manifests) under ``run_dir``."""
    return {
        str(path.relative_to(run_dir)): file_sha256(path)
        for path in sorted(run_dir.glob("*/*"))
        if path.suffix in {".a", ".b"} and STEP_DIRECTORY.match(path.parent.name)
    }


def test_run_writes_step_directories(config_path: Path) -> None:
    config = load_config(config_path)
    result = run_flow(config, steps=FAKE_STEPS)
    run_dir = config_path.parent / "runs" / "top"
    assert result.run_dir == run_dir
    assert statuses(result) == {"alpha": "ran", "beta": "ran"}
    assert sorted(p.name for p in run_dir.iterdir()) == [
        ".lock",
        "01_alpha",
        "02_beta",
        "run.json",
    ]
    alpha = run_dir / "01_alpha"
    assert sorted(p.name for p in alpha.iterdir()) == [
        "manifest.json",
        "metrics.json",
        "step.log",
        "top.a",
    ]
    assert "[INFO TEST-0001] alpha wrote" in (alpha / "step.log").read_text()
    metrics = json.loads((alpha / "metrics.json").read_text())
    assert metrics["alpha__design__characters"] > 0
    assert metrics["alpha__runtime__total_s"] >= 0
    assert metrics["alpha__mem__peak_mb"] > 1
    manifest = read_manifest(alpha)
    assert manifest is not None
    assert manifest.inputs == {"design.v": file_sha256(config_path.parent / "design.v")}
    assert manifest.options == {"density": 0.7}
    assert manifest.outputs["top.a"] == file_sha256(alpha / "top.a")
    beta_manifest = read_manifest(run_dir / "02_beta")
    assert beta_manifest is not None
    assert beta_manifest.inputs == {"01_alpha/top.a": file_sha256(alpha / "top.a")}
    merged = collect_metrics(run_dir)
    assert merged["beta__route__wirelength"] == 42.5
    assert [record.name for record in step_records(run_dir)] == ["alpha", "beta"]
    assert json.loads((run_dir / "run.json").read_text())["steps"] == ["01_alpha", "02_beta"]
    # Inputs are never modified.
    assert (config_path.parent / "design.v").read_text().startswith("module top")


def test_resume_skips_up_to_date_steps(config_path: Path) -> None:
    config = load_config(config_path)
    run_flow(config, steps=FAKE_STEPS)
    result = run_flow(config, resume=True, steps=FAKE_STEPS)
    assert statuses(result) == {"alpha": "skipped", "beta": "skipped"}
    assert result.metrics()["beta__route__wirelength"] == 42.5
    # Without --resume everything runs again.
    assert statuses(run_flow(config, steps=FAKE_STEPS)) == {"alpha": "ran", "beta": "ran"}


def test_resume_reruns_after_source_change(config_path: Path) -> None:
    config = load_config(config_path)
    run_flow(config, steps=FAKE_STEPS)
    (config_path.parent / "design.v").write_text("module top(); endmodule\n")
    result = run_flow(config, resume=True, steps=FAKE_STEPS)
    assert statuses(result) == {"alpha": "ran", "beta": "ran"}
    assert result.outcomes[0].reason == "inputs changed: design.v"
    assert result.outcomes[1].reason == "an earlier step ran"


def test_resume_reruns_after_option_change(config_path: Path) -> None:
    run_flow(load_config(config_path), steps=FAKE_STEPS)
    config_path.write_text(config_path.read_text().replace("0.7", "0.8"))
    result = run_flow(load_config(config_path), resume=True, steps=FAKE_STEPS)
    assert statuses(result) == {"alpha": "ran", "beta": "ran"}
    assert result.outcomes[0].reason == "options changed: density"


def test_resume_reruns_only_corrupt_later_step(config_path: Path) -> None:
    config = load_config(config_path)
    run_flow(config, steps=FAKE_STEPS)
    beta_output = config_path.parent / "runs" / "top" / "02_beta" / "top.b"
    expected = beta_output.read_text()
    beta_output.write_text("garbage")
    result = run_flow(config, resume=True, steps=FAKE_STEPS)
    assert statuses(result) == {"alpha": "skipped", "beta": "ran"}
    assert result.outcomes[1].reason == "output top.b corrupt (hash mismatch)"
    assert beta_output.read_text() == expected


def test_resume_reruns_step_without_manifest(config_path: Path) -> None:
    config = load_config(config_path)
    run_flow(config, steps=FAKE_STEPS)
    (config_path.parent / "runs" / "top" / "01_alpha" / "manifest.json").unlink()
    result = run_flow(config, resume=True, steps=FAKE_STEPS)
    assert statuses(result) == {"alpha": "ran", "beta": "ran"}


def test_to_and_from(config_path: Path) -> None:
    config = load_config(config_path)
    run_dir = config_path.parent / "runs" / "top"
    result = run_flow(config, to_step="alpha", steps=FAKE_STEPS)
    assert statuses(result) == {"alpha": "ran"}
    assert not (run_dir / "02_beta").exists()
    result = run_flow(config, from_step="beta", steps=FAKE_STEPS)
    assert statuses(result) == {"alpha": "reused", "beta": "ran"}
    # A changed option does not rerun alpha under --from; it is used as it is, with a warning.
    config_path.write_text(config_path.read_text().replace("0.7", "0.9"))
    log = Log()
    result = run_flow(load_config(config_path), from_step="beta", steps=FAKE_STEPS, log=log)
    assert result.outcomes[0].reason == "used as it is, although options changed: density"
    assert log.ids() == ["FLOW-0001"]
    # Rerunning alpha alone removes beta, which was made from alpha's old outputs.
    run_flow(config, to_step="alpha", steps=FAKE_STEPS)
    assert not (run_dir / "02_beta").exists()


def test_from_needs_complete_earlier_steps(config_path: Path) -> None:
    config = load_config(config_path)
    with pytest.raises(ConfigError, match="needs step alpha complete"):
        run_flow(config, from_step="beta", steps=FAKE_STEPS)


def test_unknown_step_names_the_steps(config_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown step 'gamma'; the steps are: alpha, beta"):
        run_flow(load_config(config_path), to_step="gamma", steps=FAKE_STEPS)
    with pytest.raises(ConfigError, match="comes after"):
        run_flow(load_config(config_path), from_step="beta", to_step="alpha", steps=FAKE_STEPS)


def test_failed_step_keeps_previous_result_and_its_log(config_path: Path) -> None:
    config = load_config(config_path)
    run_flow(config, steps=FAKE_STEPS)
    run_dir = config_path.parent / "runs" / "top"
    before = output_hashes(run_dir)

    def run_broken(context: StepContext) -> dict:
        context.output("b").write_text("half")
        context.log.error("TEST-0002", "the step is broken")
        raise DesignError("broken on purpose")

    broken = Step(name="beta", run=run_broken, inputs=("a",), outputs=(("b", "{design}.b"),))
    with pytest.raises(DesignError) as caught:
        run_flow(config, steps=(ALPHA, broken))
    assert caught.value.hint is not None and "02_beta.failed" in caught.value.hint
    assert "TEST-0002" in (run_dir / "02_beta.failed" / "step.log").read_text()
    assert output_hashes(run_dir) == before
    # The next good run clears the failed directory.
    run_flow(config, resume=True, steps=FAKE_STEPS)
    assert not (run_dir / "02_beta.failed").exists()


def test_failed_step_error_names_files_where_they_now_lie(config_path: Path) -> None:
    # A tool's log named by the error moves with the step's directory to <step>.failed.
    def run_broken(context: StepContext) -> dict:
        tool_log = context.output("b").with_name("tool.log")
        tool_log.write_text("what the tool said")
        raise ToolError("the tool failed", file=tool_log, hint=f"see the tool's log {tool_log}")

    broken = Step(name="beta", run=run_broken, inputs=("a",), outputs=(("b", "{design}.b"),))
    with pytest.raises(ToolError) as caught:
        run_flow(load_config(config_path), steps=(ALPHA, broken))
    moved = config_path.parent / "runs" / "top" / "02_beta.failed" / "tool.log"
    assert caught.value.file == str(moved)
    assert caught.value.hint == f"see the tool's log {moved}"
    assert moved.read_text() == "what the tool said"


def test_step_without_its_output_is_an_error(config_path: Path) -> None:
    lazy = Step(name="alpha", run=lambda context: {}, outputs=(("a", "{design}.a"),))
    with pytest.raises(ToolError, match=r"finished without writing top\.a"):
        run_flow(load_config(config_path), steps=(lazy, BETA))


def test_second_run_on_same_directory_is_refused(config_path: Path) -> None:
    config = load_config(config_path)
    run_dir = config_path.parent / "runs" / "top"
    run_dir.mkdir(parents=True)
    with open(run_dir / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        with pytest.raises(ConfigError, match="another tapeout run is using"):
            run_flow(config, steps=FAKE_STEPS)


def test_killed_step_is_redone_on_resume(config_path: Path, tmp_path: Path) -> None:
    """SIGKILL during beta: nothing looks complete; --resume redoes beta only; same results."""
    reference_dir = tmp_path / "reference"
    run_flow(load_config(config_path), run_dir=reference_dir, steps=FAKE_STEPS)

    run_dir = tmp_path / "killed"
    sleep_file = tmp_path / "sleep"
    sleep_file.write_text("")
    environment = {**os.environ, "TAPEOUT_TEST_SLEEP_FILE": str(sleep_file)}
    command = [sys.executable, "-m", "tests.flow.fake_steps", str(config_path), str(run_dir)]
    process = subprocess.Popen(command, cwd=REPO, env=environment)
    try:
        deadline = time.monotonic() + 60
        while not list(run_dir.glob("02_beta.tmp-*/top.b")):
            assert process.poll() is None, "the run ended before it could be killed"
            assert time.monotonic() < deadline, "beta never started"
            time.sleep(0.05)
        time.sleep(0.2)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert (run_dir / "01_alpha" / "manifest.json").is_file()
    assert not (run_dir / "02_beta").exists()  # the half-written step is not in place
    assert list(run_dir.glob("02_beta.tmp-*"))
    alpha_manifest = (run_dir / "01_alpha" / "manifest.json").read_text()

    sleep_file.unlink()
    resumed = subprocess.run(
        [*command, "--resume"], cwd=REPO, env=environment, capture_output=True, text=True
    )
    assert resumed.returncode == 0, resumed.stderr
    assert not list(run_dir.glob("*.tmp-*"))
    assert (run_dir / "01_alpha" / "manifest.json").read_text() == alpha_manifest  # not rerun
    assert "beta" in (run_dir / "02_beta" / "manifest.json").read_text()
    result = run_flow(load_config(config_path), run_dir=run_dir, resume=True, steps=FAKE_STEPS)
    assert statuses(result) == {"alpha": "skipped", "beta": "skipped"}
    killed_hashes = output_hashes(run_dir)
    assert killed_hashes == output_hashes(reference_dir)
    assert len(killed_hashes) == 2


def test_numpy_metrics_become_plain_json(config_path: Path) -> None:
    import numpy as np

    def run_numpy(context: StepContext) -> dict:
        context.output("a").write_text("x")
        return {"n": np.int64(3), "x": np.float64(0.5), "bad": float("nan")}

    step = Step(name="alpha", run=run_numpy, outputs=(("a", "{design}.a"),))
    result = run_flow(load_config(config_path), steps=(step,))
    metrics = json.loads((result.run_dir / "01_alpha" / "metrics.json").read_text())
    assert (metrics["n"], metrics["x"], metrics["bad"]) == (3, 0.5, "nan")


def test_run_dir_that_cannot_be_made(config_path: Path) -> None:
    blocker = config_path.parent / "file"
    blocker.write_text("")
    with pytest.raises(InputFileError, match="cannot create the run directory"):
        run_flow(load_config(config_path), run_dir=blocker / "run", steps=FAKE_STEPS)
