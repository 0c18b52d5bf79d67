"""Outputs never replace inputs: run directories over sources, reports over step files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tapeout.cli import main
from tapeout.errors import ConfigError, InputFileError
from tapeout.fileio import ensure_not_input, write_text
from tapeout.flow.config import load_config
from tapeout.flow.report import write_report
from tapeout.flow.run import run_flow
from tests.flow.fake_steps import FAKE_STEPS

SOURCE = "module top(input a, output b); assign b = a; endmodule\n"
CONFIG = '[design]\ntop = "top"\nsources = ["src/design.v"]\n'


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "design.v").write_text(SOURCE)
    path = tmp_path / "design.toml"
    path.write_text(CONFIG)
    return path


def snapshot(directory: Path) -> dict[str, bytes]:
    return {str(path): path.read_bytes() for path in sorted(directory.rglob("*")) if path.is_file()}


@pytest.mark.parametrize("where", ["config folder", "source folder", "source file", "parent"])
def test_run_dir_holding_inputs_is_refused(config_path: Path, where: str) -> None:
    directory = config_path.parent
    run_dir = {
        "config folder": directory,
        "source folder": directory / "src",
        "source file": directory / "src" / "design.v",
        "parent": directory.parent,
    }[where]
    before = snapshot(directory)
    with pytest.raises(ConfigError, match="holds the input") as info:
        run_flow(load_config(config_path), run_dir=run_dir, steps=FAKE_STEPS)
    assert info.value.file == str(config_path)
    assert snapshot(directory) == before


def test_run_dir_with_foreign_files_is_refused(config_path: Path) -> None:
    run_dir = config_path.parent / "elsewhere"
    run_dir.mkdir()
    (run_dir / "notes.tmp-1").write_text("mine")  # a name a run would clean up as a leftover
    (run_dir / "run.json").write_text('{"mine": true}')
    with pytest.raises(ConfigError, match="not empty and holds no earlier run"):
        run_flow(load_config(config_path), run_dir=run_dir, steps=FAKE_STEPS)
    assert (run_dir / "notes.tmp-1").read_text() == "mine"
    assert json.loads((run_dir / "run.json").read_text()) == {"mine": True}


def test_empty_and_earlier_run_dirs_are_accepted(config_path: Path) -> None:
    run_dir = config_path.parent / "empty"
    run_dir.mkdir()
    config = load_config(config_path)
    run_flow(config, run_dir=run_dir, steps=FAKE_STEPS)
    result = run_flow(config, run_dir=run_dir, resume=True, steps=FAKE_STEPS)
    assert {outcome.status for outcome in result.outcomes} == {"skipped"}


def test_cli_run_into_source_folder_is_refused(
    config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(config_path.parent)
    status = main(["run", str(config_path), "--run-dir", str(config_path.parent / "src")])
    err = capsys.readouterr().err.strip()
    assert status == 1 and err.startswith("error: ") and "\n" not in err, err
    assert "holds the input" in err and str(config_path) in err
    assert snapshot(config_path.parent) == before


def test_report_never_replaces_a_step_file(
    config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_flow(load_config(config_path), steps=FAKE_STEPS)
    run_dir = result.run_dir
    before = snapshot(run_dir)
    targets = [
        run_dir / "run.json",
        run_dir / "01_alpha" / "manifest.json",
        run_dir / "02_beta" / "metrics.json",
        run_dir / "02_beta" / "top.b",
        run_dir / "01_alpha" / ".." / "01_alpha" / "step.log",
    ]
    for target in targets:
        with pytest.raises(InputFileError, match="refusing to write over an input"):
            write_report(run_dir, target)
        assert main(["report", str(run_dir), "-o", str(target)]) == 1
        err = capsys.readouterr().err.strip()
        assert err.startswith("error: ") and "\n" not in err
    for directory in (run_dir, run_dir / "01_alpha"):
        assert main(["report", str(run_dir), "-o", str(directory)]) == 1
        assert capsys.readouterr().err.startswith("error: ")
    assert snapshot(run_dir) == before
    assert write_report(run_dir) == run_dir / "report.html"
    assert write_report(run_dir) == run_dir / "report.html"  # its own earlier report: fine


def test_ensure_not_input(tmp_path: Path) -> None:
    source = tmp_path / "a.v"
    source.write_text("x")
    (tmp_path / "link.v").symlink_to(source)
    (tmp_path / "hard.v").hardlink_to(source)
    for output in (
        source,
        tmp_path / "link.v",
        tmp_path / "hard.v",
        tmp_path / "sub" / ".." / "a.v",
    ):
        with pytest.raises(InputFileError) as info:
            ensure_not_input(output, [tmp_path / "other.v", source])
        assert info.value.file == str(output)
    ensure_not_input(tmp_path / "b.v", [source, tmp_path])
    with pytest.raises(InputFileError):
        ensure_not_input(tmp_path, [tmp_path])


def test_write_to_unwritable_places_is_a_located_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("keep")
    for path in (tmp_path, blocker / "below.txt"):
        with pytest.raises(InputFileError, match="cannot write") as info:
            write_text(path, "text")
        assert info.value.file == str(path)
    assert blocker.read_text() == "keep"
