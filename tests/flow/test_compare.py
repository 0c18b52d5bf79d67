"""Comparing a run's metrics with a reference flow's rules-base.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tapeout import cli
from tapeout.errors import ParseError
from tapeout.flow.compare import Rule, check_rules, read_rules
from tapeout.flow.config import load_config
from tapeout.flow.run import run_flow
from tests.conftest import shared_path
from tests.flow.fake_steps import FAKE_STEPS


def write_rules(path: Path, rules: dict) -> Path:
    path.write_text(json.dumps(rules, indent=4))
    return path


def test_check_rules_outcomes() -> None:
    rules = [
        Rule("area", 100.0, "<=", "error"),
        Rule("area", 10.0, "<=", "error"),
        Rule("slack", -1.5, ">=", "error"),
        Rule("hash", "abc", "==", "warning"),
        Rule("clocks", 2, "==", "error"),
        Rule("wirelength", 14559, "<=", "error"),
    ]
    metrics = {"area": 50.0, "slack": -1.5, "hash": "abd", "clocks": 2}
    outcomes = [result.outcome for result in check_rules(metrics, rules)]
    assert outcomes == ["pass", "FAIL", "pass", "warn", "pass", "n/a"]


def test_read_shared_rules() -> None:
    rules = read_rules(shared_path("designs/gcd/sky130hd/rules-base.json"))
    by_name = {rule.metric: rule for rule in rules}
    area = by_name["synth__design__instance__area__stdcell"]
    assert (area.value, area.compare, area.level) == (2660.0, "<=", "error")
    assert by_name["synth__netlist__hash"].level == "warning"
    assert by_name["finish__timing__setup__ws"].compare == ">="


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('{\n  "a": {"value": 1, "compare": "=<"}\n}', 2, "unknown compare '=<'"),
        ('{\n  "a": {"value": 1},\n  "b": 2\n}', 2, 'expected {"value"'),
        (
            '{\n  "a": {"value": 1, "compare": "<="},\n  "b": {"value": [1], "compare": "<="}\n}',
            3,
            "value must be",
        ),
        ('{\n  "a": {"value": 1, "compare": "<=", "level": "fatal"}\n}', 2, "level"),
        ('{\n  "a": {"value": 1, "compare": "<="},\n}', 3, "malformed JSON"),
        ("[1, 2]", 1, "JSON object"),
    ],
)
def test_bad_rules_name_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = tmp_path / "rules.json"
    path.write_text(text)
    with pytest.raises(ParseError) as caught:
        read_rules(path)
    assert caught.value.line == line
    assert message in str(caught.value)


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    (tmp_path / "design.v").write_text("module top(); endmodule\n")
    config = tmp_path / "design.toml"
    config.write_text('[design]\ntop = "top"\nsources = ["design.v"]\n')
    return run_flow(load_config(config), steps=FAKE_STEPS).run_dir


def test_compare_command_exit_status(
    run_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    holding = write_rules(
        tmp_path / "ok.json",
        {
            "beta__route__wirelength": {"value": 50, "compare": "<="},
            "detailedroute__route__drc_errors": {"value": 0, "compare": "<="},
        },
    )
    assert cli.main(["compare", str(run_dir), str(holding)]) == 0
    out = capsys.readouterr().out
    assert "beta__route__wirelength" in out and "pass" in out and "n/a" in out
    assert "1 pass, 0 fail, 0 warn, 1 not measured" in out
    assert cli.main(["compare", str(run_dir), str(holding), "--strict"]) == 1
    capsys.readouterr()

    failing = write_rules(
        tmp_path / "bad.json",
        {
            "beta__route__wirelength": {"value": 40, "compare": "<="},
            "beta__design__lines": {"value": 0, "compare": "==", "level": "warning"},
        },
    )
    assert cli.main(["compare", str(run_dir), str(failing)]) == 1
    out = capsys.readouterr().out
    assert "FAIL" in out and "warn" in out
    assert "0 pass, 1 fail, 1 warn, 0 not measured" in out


def test_compare_without_metrics(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = write_rules(tmp_path / "rules.json", {"a": {"value": 1, "compare": "<="}})
    assert cli.main(["compare", str(tmp_path), str(rules)]) == 1
    assert "no metrics in this directory" in capsys.readouterr().err
