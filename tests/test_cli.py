"""The command line: help with examples, one-line errors for broken configurations, --debug."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tapeout import cli

GOOD = """\
[design]
top = "top"
sources = ["top.v"]
clock_period_ns = 5.0

[floorplan]
utilization = 0.4

[place]
density = 0.6
"""

# Ten broken configurations: (name, text, line, words the message must contain).
BROKEN = [
    ("missing file", GOOD.replace("top.v", "gone.v"), 3, ["design.sources", "gone.v"]),
    ("unknown platform", GOOD + "[synth]\n", 0, []),  # replaced below
    ("typo key", GOOD.replace("utilization", "utilisation"), 7, ["utilisation", "utilization"]),
    ("negative utilization", GOOD.replace("0.4", "-0.4"), 7, ["floorplan.utilization"]),
    ("bad clock", GOOD.replace("5.0", "-5.0"), 4, ["design.clock_period_ns"]),
    ("wrong type", GOOD.replace("0.6", '"dense"'), 10, ["place.density", "number"]),
    ("unknown section", GOOD.replace("[place]", "[placement]"), 9, ["[placement]", "[place]"]),
    ("missing top", GOOD.replace('top = "top"\n', ""), 1, ["top"]),
    ("empty sources", GOOD.replace('["top.v"]', "[]"), 3, ["design.sources"]),
    ("malformed TOML", GOOD.replace("0.4", "0.4 0.5"), 7, ["malformed TOML"]),
]
BROKEN[1] = (
    "unknown platform",
    GOOD.replace("[design]\n", '[design]\nplatform = "sky130hs"\n'),
    2,
    ["design.platform", "sky130hs", "sky130hd"],
)


@pytest.fixture
def design_dir(tmp_path: Path) -> Path:
    (tmp_path / "top.v").write_text("module top(input clk); endmodule\n")
    return tmp_path


@pytest.mark.parametrize(("name", "text", "line", "words"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_config_gives_one_line(
    design_dir: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    text: str,
    line: int,
    words: list[str],
) -> None:
    path = design_dir / "design.toml"
    path.write_text(text)
    status = cli.main(["run", str(path)])
    captured = capsys.readouterr()
    assert status == 1, name
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith(f"error: {path}:{line}:"), lines[0]
    for word in words:
        assert word in lines[0]
    assert "Traceback" not in captured.err
    assert not (design_dir / "runs").exists()


def test_missing_config_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["run", str(tmp_path / "none.toml")]) == 1
    error = capsys.readouterr().err
    assert error.startswith(f"error: {tmp_path / 'none.toml'}: configuration file not found")


def test_debug_shows_traceback(design_dir: Path) -> None:
    path = design_dir / "design.toml"
    path.write_text(GOOD.replace("0.6", "7"))
    command = [sys.executable, "-m", "tapeout", "run", str(path)]
    quiet = subprocess.run(command, capture_output=True, text=True)
    assert quiet.returncode == 1
    assert "Traceback" not in quiet.stderr
    assert "place.density" in quiet.stderr
    loud = subprocess.run([*command, "--debug"], capture_output=True, text=True)
    assert loud.returncode != 0
    assert "Traceback" in loud.stderr and "ConfigError" in loud.stderr


@pytest.mark.parametrize("command", cli.COMMANDS)
def test_help_has_examples(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        cli.main([command, "--help"])
    assert caught.value.code == 0
    text = capsys.readouterr().out
    assert "Examples:" in text
    assert f"tapeout {command} " in text


def test_bad_jobs_value(design_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = design_dir / "design.toml"
    path.write_text(GOOD)
    assert cli.main(["run", str(path), "--jobs", "0"]) == 1
    assert "--jobs must be at least 1" in capsys.readouterr().err


def test_unknown_step(design_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = design_dir / "design.toml"
    path.write_text(GOOD)
    assert cli.main(["run", str(path), "--to", "rout"]) == 1
    assert "unknown step 'rout'; the steps are: synth" in capsys.readouterr().err


def test_missing_pdk_root(design_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = design_dir / "design.toml"
    path.write_text(GOOD)
    status = cli.main(["run", str(path), "--pdk-root", str(design_dir / "no_pdks")])
    error = capsys.readouterr().err.strip().splitlines()
    assert status == 1
    assert len(error) == 1 and "no_pdks" in error[0] and "does not exist" in error[0], error
    assert not (design_dir / "runs").exists()


@pytest.mark.parametrize("text", [None, "library (x) {\n  cell (a) {\n    area : ;\n"])
def test_characterize_update_with_a_bad_library(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str | None
) -> None:
    """A missing or malformed --update Liberty fails at once (before any download or
    simulation), naming the file, and leaves it and the output alone."""
    base, output = tmp_path / "ours.lib", tmp_path / "out.lib"
    if text is not None:
        base.write_text(text)
    args = ["characterize", "--cells", "sky130_fd_sc_hd__inv_1", "--update", str(base)]
    assert cli.main([*args, "-o", str(output)]) == 1
    error = capsys.readouterr().err
    assert str(base) in error and "Traceback" not in error and len(error.splitlines()) == 1
    assert not output.exists()
    assert (base.read_text() if text is not None else None) == text
