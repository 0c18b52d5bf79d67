"""``tapeout sta`` end to end on gcd_sky130hd, and the analyze() entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tapeout.cli import main
from tapeout.db.design import Design
from tapeout.db.library import Library
from tapeout.errors import ConfigError, DesignError
from tapeout.timing import TimingOptions, analyze
from tests.conftest import shared_path
from tests.timing.conftest import CASE, LIBERTY, GcdCase


def test_sta_command_text_and_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder = shared_path(CASE)
    arguments = [
        "-q",
        "sta",
        "--netlist",
        str(folder / "gcd_sky130hd.v"),
        "--top",
        "gcd",
        "--liberty",
        str(shared_path(LIBERTY)),
        "--sdc",
        str(folder / "gcd_sky130hd.sdc"),
        "--spef",
        str(folder / "gcd_sky130hd.spef"),
    ]
    assert main(arguments) == 0
    text = capsys.readouterr().out
    assert "Startpoint: _414_ (rising edge-triggered flip-flop clocked by clk)" in text
    assert "worst slack max 0.06" in text
    slack_file = tmp_path / "slack.json"
    assert main([*arguments, "--json", "--slack-file", str(slack_file)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["metrics"]["timing__setup__ws"] == pytest.approx(0.0648, abs=0.005)
    assert data["setup_endpoints"][0]["endpoint"] == "_418_/D"
    slacks = json.loads(slack_file.read_text())
    assert slacks["clock_period_ps"] == 5000.0 and len(slacks["endpoint_slack_ps"]) > 40


def test_sta_command_takes_the_platforms_liberty(capsys: pytest.CaptureFixture[str]) -> None:
    # Without --liberty: the platform's (here the built-in one), as place and synth do.
    from tapeout.platforms.builtin import LIBERTY as BUILTIN_LIBERTY

    folder = shared_path(CASE)
    common = [
        "-q",
        "sta",
        "--netlist",
        str(folder / "gcd_sky130hd.v"),
        "--sdc",
        str(folder / "gcd_sky130hd.sdc"),
        "--json",
    ]
    assert main([*common, "--pdk-root", "builtin"]) == 0
    by_platform = json.loads(capsys.readouterr().out)
    assert main([*common, "--liberty", str(BUILTIN_LIBERTY)]) == 0
    assert json.loads(capsys.readouterr().out) == by_platform


def test_sta_command_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code = main(
        ["sta", "--netlist", str(tmp_path / "nope.v"), "--liberty", "x.lib", "--sdc", "x.sdc"]
    )
    assert code == 1
    assert "error:" in capsys.readouterr().err


def test_analyze_design_metrics(gcd: GcdCase) -> None:
    design = Design(
        name="gcd",
        library=Library(liberty=[gcd.library]),
        netlist=gcd.netlist,
        constraints=gcd.constraints,
    )
    report = analyze(design, options=TimingOptions(report_paths=2))
    metrics = report.metrics("finish")
    assert metrics["finish__timing__setup__ws"] == pytest.approx(0.7522, abs=0.005)
    assert metrics["finish__timing__hold__ws"] == pytest.approx(0.4337, abs=0.005)
    assert metrics["finish__timing__setup__tns"] == 0.0
    assert len(report.paths) == 2 and report.paths[0].slack_ps <= report.paths[1].slack_ps
    assert report.setup_endpoints[0].name == "resp_msg[15]"


def test_analyze_needs_liberty_and_constraints(gcd: GcdCase) -> None:
    with pytest.raises(DesignError):
        analyze(Design(name="gcd", netlist=gcd.netlist, constraints=gcd.constraints))
    with pytest.raises(DesignError):
        analyze(Design(name="gcd", library=Library(liberty=[gcd.library]), netlist=gcd.netlist))


def test_options_validate() -> None:
    with pytest.raises(ConfigError):
        TimingOptions(wires="magic").validate()
    with pytest.raises(ConfigError):
        TimingOptions(cap_ff_per_um=-1.0).validate()
