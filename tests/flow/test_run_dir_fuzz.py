"""Damaged run directories: report, compare and --resume give a result or one TapeoutError."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest

from tapeout.cli import main
from tapeout.errors import TapeoutError
from tapeout.flow.compare import compare_run
from tapeout.flow.config import load_config
from tapeout.flow.report import write_density_map, write_endpoint_slacks, write_report
from tapeout.flow.run import run_flow
from tests.flow.fake_steps import FAKE_STEPS
from tests.fuzzing import mutate

# JSON values of the wrong shape for any field of run.json, manifest.json or metrics.json.
WRONG_VALUES = [None, 5, -1e308, "text", [], [1, "a"], {}, {"a": [None]}, True, "é\x00"]
RULES = {
    "beta__route__wirelength": {"value": 40, "compare": "<="},
    "alpha__design__characters": {"value": 1, "compare": ">="},
}


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    (tmp_path / "design.v").write_text("module top(input a, output b); assign b = a; endmodule\n")
    config = tmp_path / "design.toml"
    config.write_text('[design]\ntop = "top"\nsources = ["design.v"]\nplatform = "sky130hd"\n')
    result = run_flow(load_config(config), steps=FAKE_STEPS)
    beta = result.run_dir / "02_beta"
    write_density_map(beta, np.full((3, 4), 0.5), bin_width_um=2.0, bin_height_um=2.0)
    write_endpoint_slacks(beta, np.array([-5.0, 10.0, 20.0]), clock_period_ps=100.0)
    (tmp_path / "rules.json").write_text(json.dumps(RULES))
    return result.run_dir


def json_files(run_dir: Path) -> list[Path]:
    return sorted(path for path in run_dir.rglob("*.json") if path.is_file())


def damage(path: Path, rng: random.Random) -> None:
    text = path.read_text()
    if rng.random() < 0.5:
        path.write_text(mutate(text, rng), encoding="utf-8", errors="surrogateescape")
        return
    data = json.loads(text)
    if isinstance(data, dict) and data:
        key = rng.choice(sorted(data))
        data[key] = rng.choice(WRONG_VALUES)
    else:
        data = rng.choice(WRONG_VALUES)
    path.write_text(json.dumps(data))


def test_damaged_json_files(run_dir: Path) -> None:
    rng = random.Random(5)
    originals = {path: path.read_text() for path in json_files(run_dir)}
    rules = run_dir.parents[1] / "rules.json"
    output = run_dir.parents[1] / "report.html"
    for _ in range(120):
        for path, text in originals.items():
            path.write_text(text)
        damage(rng.choice(sorted(originals)), rng)
        try:
            assert write_report(run_dir, output) == output
        except TapeoutError as error:
            assert error.file is not None, error
        try:
            outcomes = {result.outcome for result in compare_run(run_dir, rules)}
            assert outcomes <= {"pass", "FAIL", "warn", "n/a"}
        except TapeoutError as error:
            assert error.file is not None, error


def test_damaged_run_dir_through_the_cli(run_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rng = random.Random(6)
    originals = {path: path.read_text() for path in json_files(run_dir)}
    config = run_dir.parents[1] / "design.toml"
    for _ in range(15):
        for path, text in originals.items():
            path.write_text(text)
        damage(rng.choice(sorted(originals)), rng)
        for argv in (
            ["report", str(run_dir), "-o", str(run_dir.parents[1] / "r.html")],
            ["compare", str(run_dir), str(run_dir.parents[1] / "rules.json")],
        ):
            status = main(argv)
            err = capsys.readouterr().err
            assert status in (0, 1), (argv, err)
            assert "internal error" not in err and "Traceback" not in err, err
    # --resume over a damaged run: redoes what it must, never crashes
    assert main(["-q", "run", str(config), "--resume", "--pdk-root", "/nonexistent"]) == 1
    assert "internal error" not in capsys.readouterr().err


@pytest.mark.parametrize("name", ["run.json", "01_alpha/manifest.json", "02_beta/metrics.json"])
def test_every_field_of_the_wrong_type(run_dir: Path, name: str) -> None:
    path = run_dir / name
    original = json.loads(path.read_text())
    output = run_dir.parents[1] / "report.html"
    for key in sorted(original):
        for value in WRONG_VALUES:
            path.write_text(json.dumps({**original, key: value}))
            try:
                write_report(run_dir, output)
            except TapeoutError as error:
                assert error.file is not None, error
