"""Timing-driven placement: net criticality from the timer, re-weighting during global placement,
the pipeline's report, the ``tapeout place --timing-driven`` command and the flow's config key."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from tapeout.cli import main
from tapeout.db.design import Design
from tapeout.db.library import Library
from tapeout.db.macro import Macro
from tapeout.db.tech import Technology
from tapeout.errors import ConfigError
from tapeout.flow.config import parse_config
from tapeout.formats.def_ import read_def
from tapeout.formats.lef import read_lef
from tapeout.formats.liberty import read_liberty
from tapeout.formats.sdc import read_sdc
from tapeout.log import Log
from tapeout.place import PlaceOptions, place_problem
from tapeout.place.from_design import problem_from_design
from tapeout.place.timing_driven import CRITICALITY_MOMENTUM, make_net_weighting
from tapeout.platforms import get_platform
from tests.conftest import DATA, shared_path

TINY_DEF = DATA / "place" / "tiny_sky130.def"
TINY_SDC = DATA / "place" / "tiny_sky130.sdc"


@dataclass
class _Library:
    tech: Technology
    macros: dict[str, Macro]
    liberty: list


@pytest.fixture(scope="module")
def sky130() -> _Library:
    shared_path("pdks/sky130hd")
    platform = get_platform("sky130hd")
    lef = read_lef([platform.tech_lef, *platform.cell_lefs], log=Log())
    return _Library(lef.tech, lef.macros, [read_liberty(platform.liberty[0], log=Log())])


def _tiny_design(library: _Library) -> Design:
    result = read_def(TINY_DEF, log=Log(), dbu_per_micron=library.tech.dbu_per_micron)
    design = Design(
        "tiny",
        library.tech,
        Library(macros=library.macros, liberty=library.liberty),
        result.netlist,
        physical=result.physical,
    )
    design.constraints = read_sdc(
        TINY_SDC,
        netlist=result.netlist,
        library_time_unit_s=library.liberty[0].time_unit_s,
        cap_unit_f=library.liberty[0].capacitive_load_unit_f,
        log=Log(),
    )
    return design


def test_reweight_grows_only_the_worst_nets(sky130: _Library) -> None:
    design = _tiny_design(sky130)
    problem = problem_from_design(design.netlist, design.physical, sky130.macros, sky130.tech)
    options = PlaceOptions(timing_driven=True, timing_weight_gain=2.0, timing_max_weight=16.0)
    weighting = make_net_weighting(design, problem, options)
    rng = np.random.default_rng(3)
    movable = problem.movable()
    problem.cell_x[movable] = rng.uniform(3000, 20000, movable.size)
    problem.cell_y[movable] = rng.uniform(3000, 16000, movable.size)
    worst, tns = weighting.time_problem()
    assert worst < 0 and tns <= worst
    slack = weighting.net_slacks()
    assert slack.min() == pytest.approx(worst)
    update = weighting.reweight(0.5)
    assert update.worst_slack_ps == pytest.approx(worst)
    weight = problem.net_weight
    # The worst net (criticality 1, halved by the momentum) grows by 1 + gain * 0.5.
    worst_nets = slack == slack.min()
    assert weight[worst_nets] == pytest.approx(1 + 2.0 * (1 - CRITICALITY_MOMENTUM))
    # Nets that meet timing, and untimed ones, keep their weight.
    assert np.all(weight[slack >= 0] == 1.0)
    assert np.all(weight >= 1.0) and update.max_weight == pytest.approx(weight.max())
    assert 1 <= update.critical_nets < problem.n_nets
    # Repeated updates stop at the cap.
    for _ in range(20):
        weighting.reweight(0.4)
    assert weight.max() == pytest.approx(16.0)
    weighting.restore_weights()
    assert np.all(problem.net_weight == 1.0)


def test_progress_reweights_once_per_threshold(sky130: _Library) -> None:
    design = _tiny_design(sky130)
    problem = problem_from_design(design.netlist, design.physical, sky130.macros, sky130.tech)
    options = PlaceOptions(timing_driven=True, timing_overflows=(0.7, 0.5, 0.35, 0.25))
    weighting = make_net_weighting(design, problem, options)
    n = problem.movable().size
    x = np.linspace(3000, 20000, n)
    y = np.linspace(3000, 16000, n)
    calls = [weighting.progress(x, y, overflow) for overflow in (0.9, 0.69, 0.6, 0.2, 0.1)]
    assert calls == [False, True, False, True, False]
    assert [round(u.overflow, 2) for u in weighting.updates] == [0.69, 0.2]


def test_timing_driven_placement(sky130: _Library) -> None:
    design = _tiny_design(sky130)
    problem = problem_from_design(design.netlist, design.physical, sky130.macros, sky130.tech)
    options = PlaceOptions(timing_driven=True)
    weighting = make_net_weighting(design, problem, options)
    report = place_problem(problem, options, log=Log(), timing=weighting)
    assert report.timing is not None and len(report.timing.updates) >= 1
    assert all(update.critical_nets >= 1 for update in report.timing.updates)
    # Afterwards the problem has its own weights again and reports unweighted HPWL.
    assert np.all(problem.net_weight == 1.0)
    assert report.hpwl == pytest.approx(problem.hpwl())
    assert report.timing.worst_slack_ps == pytest.approx(weighting.time_problem()[0])
    metrics = report.metrics()
    assert metrics["place__timing__setup__ws"] == pytest.approx(
        report.timing.worst_slack_ps / 1000, abs=1e-6
    )
    assert metrics["place__timing__updates"] == len(report.timing.updates)


def test_timing_driven_needs_a_timer() -> None:
    from tests.place.conftest import random_problem

    with pytest.raises(ConfigError, match="timer"):
        place_problem(random_problem(50), PlaceOptions(timing_driven=True), log=Log())
    with pytest.raises(ConfigError, match="timing_overflows"):
        PlaceOptions(timing_overflows=(0.5, 1.5)).validate()
    with pytest.raises(ConfigError, match="timing_weight_gain"):
        PlaceOptions(timing_weight_gain=-1.0).validate()


def test_place_command_timing_driven(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shared_path("pdks/sky130hd")
    output = tmp_path / "placed.def"
    arguments = ["place", str(TINY_DEF), "--platform", "sky130hd", "-o", str(output)]
    assert main([*arguments, "--timing-driven", "--sdc", str(TINY_SDC), "--report", "json"]) == 0
    metrics = json.loads(capsys.readouterr().out)
    assert metrics["place__timing__updates"] >= 1
    assert metrics["place__timing__setup__ws"] < 0
    assert output.stat().st_size > 0
    # Without --sdc: one clear error line, exit 1.
    assert main([*arguments, "--timing-driven"]) == 1
    assert "--sdc" in capsys.readouterr().err


def test_flow_config_timing_driven_key(tmp_path: Path) -> None:
    source = tmp_path / "top.v"
    source.write_text("module top; endmodule\n")
    head = '[design]\ntop = "top"\nsources = ["top.v"]\n'
    config = parse_config(head + "[place]\ntiming_driven = true\n", tmp_path / "flow.toml")
    assert config.place.timing_driven is True
    assert parse_config(head, tmp_path / "flow.toml").place.timing_driven is False
    with pytest.raises(ConfigError) as error:
        parse_config(head + '[place]\ntiming_driven = "yes"\n', tmp_path / "flow.toml")
    assert error.value.line == 5


def test_flow_place_step_timing_driven(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    from tapeout.flow.config import PlaceConfig, load_config
    from tapeout.flow.manifest import read_manifest
    from tapeout.flow.run import run_flow
    from tests.conftest import REPO

    monkeypatch.setenv("TAPEOUT_PDK_ROOT", str(shared_path("pdks/sky130hd").parent))
    config = load_config(REPO / "examples" / "counter" / "counter.toml")
    config = replace(config, place=PlaceConfig(density=0.6, timing_driven=True))
    run_dir = tmp_path / "run"
    result = run_flow(config, run_dir=run_dir, to_step="place")
    assert [outcome.status for outcome in result.outcomes] == ["ran"] * 3
    metrics = json.loads((run_dir / "03_place" / "metrics.json").read_text())
    assert metrics["place__timing__updates"] >= 0
    assert "place__timing__setup__ws" in metrics
    assert metrics["detailedplace__design__violations"] == 0
    # The SDC and the Liberty library are inputs of the step (a change re-runs it).
    manifest = read_manifest(run_dir / "03_place")
    assert manifest is not None
    assert any(label.endswith("counter.sdc") for label in manifest.inputs)
    assert any(".lib" in label for label in manifest.inputs)


def test_untimed_design_keeps_its_weights(sky130: _Library, tmp_path: Path) -> None:
    design = _tiny_design(sky130)
    sdc = tmp_path / "none.sdc"
    sdc.write_text("# no clocks\n")
    design.constraints = read_sdc(sdc, netlist=design.netlist, log=Log())
    problem = problem_from_design(design.netlist, design.physical, sky130.macros, sky130.tech)
    options = PlaceOptions(timing_driven=True)
    report = place_problem(problem, options, timing=make_net_weighting(design, problem, options))
    assert report.timing is not None
    assert all(update.critical_nets == 0 for update in report.timing.updates)
    assert report.timing.metrics()["place__timing__setup__ws"] == 0.0
