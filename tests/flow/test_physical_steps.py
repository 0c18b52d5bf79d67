"""The place, sta and gds steps: the example counter from RTL to GDS on sky130hd (PDK from
../shared), resume after a [place] change, the report's pictures, and the steps' array helpers."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from tapeout.db.physical import Physical
from tapeout.flow.config import PlaceConfig, load_config
from tapeout.flow.manifest import read_manifest
from tapeout.flow.report import write_report
from tapeout.flow.run import run_flow
from tapeout.flow.steps import STEPS
from tapeout.flow.steps_physical import bin_density, placement_violations
from tests.conftest import REPO, shared_path

EXAMPLE = REPO / "examples" / "counter" / "counter.toml"

STEP_FILES = {
    "01_synth": ("counter.v", "counter.sdc"),
    "02_floorplan": ("counter.def",),
    "03_place": ("counter.def", "density.json"),
    "04_sta": ("counter.timing.rpt", "slack.json"),
    "05_gds": ("counter.gds",),
}


@pytest.fixture(scope="module")
def pdk_root() -> Iterator[Path]:
    root = shared_path("pdks/sky130hd").parent
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TAPEOUT_PDK_ROOT", str(root))
        yield root


@pytest.fixture(scope="module")
def counter_run(pdk_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole flow on the counter, once for the module (about 8 s)."""
    run_dir = tmp_path_factory.mktemp("counter") / "run"
    result = run_flow(load_config(EXAMPLE), run_dir=run_dir)
    assert [outcome.status for outcome in result.outcomes] == ["ran"] * len(STEPS)
    return run_dir


def _metrics(directory: Path) -> dict:
    return json.loads((directory / "metrics.json").read_text())


def test_steps_in_order() -> None:
    assert [step.name for step in STEPS] == ["synth", "floorplan", "place", "sta", "gds"]


def test_every_step_writes_its_files_and_metrics(counter_run: Path) -> None:
    for directory, names in STEP_FILES.items():
        step = counter_run / directory
        manifest = read_manifest(step)
        assert manifest is not None, directory
        for name in names:
            assert (step / name).stat().st_size > 0, f"{directory}/{name}"
            assert name in manifest.outputs
        step_name = directory[3:]
        assert _metrics(step)[f"{step_name}__runtime__total_s"] > 0


def test_place_metrics_and_placed_def(counter_run: Path) -> None:
    metrics = _metrics(counter_run / "03_place")
    floorplan = _metrics(counter_run / "02_floorplan")
    assert metrics["detailedplace__design__violations"] == 0
    assert metrics["place__target_density"] == 0.6
    # 141 logic cells move; the 80 taps stay where the floorplan put them.
    assert metrics["detailedplace__design__instance__count__movable"] == 141
    assert metrics["placeopt__design__instance__count__stdcell"] == 141 + 80
    # The instance area is the logic area plus the taps', in µm².
    assert (
        metrics["placeopt__design__instance__area"]
        > floorplan["floorplan__design__instance__area__stdcell"]
    )
    assert 0.3 < metrics["placeopt__design__instance__utilization"] < 0.6
    # HPWL in µm: a few thousand for 141 cells in a 54 µm core.
    assert 500 < metrics["detailedplace__route__wirelength__estimated"] < 20_000
    assert metrics["detailedplace__design__instance__displacement__total"] > 0
    assert metrics["globalplace__overflow"] < 0.3
    placed = (counter_run / "03_place" / "counter.def").read_text()
    assert placed.count("+ PLACED") >= 141
    assert "counter" in placed.split("DESIGN", 1)[1].split(";", 1)[0]
    density = json.loads((counter_run / "03_place" / "density.json").read_text())
    grid = np.asarray(density["density"])
    assert grid.ndim == 2 and grid.shape[0] >= 4
    assert 0 < grid.max() == pytest.approx(metrics["detailedplace__design__density__peak"], 1e-3)


def test_sta_metrics_report_and_slacks(counter_run: Path) -> None:
    step = counter_run / "04_sta"
    metrics = _metrics(step)
    for name in (
        "timing__setup__ws",
        "timing__setup__tns",
        "timing__hold__ws",
        "timing__hold__tns",
    ):
        assert isinstance(metrics[name], float), name
    assert metrics["timing__setup__tns"] <= 0 <= metrics["timing__setup__ws"] + 10
    assert metrics["timing__setup__endpoints__count"] == 14  # the counter's flip-flops
    # sky130hd's met1/met2 RC, in Ω/µm and fF/µm.
    assert metrics["timing__wire__res_ohm_per_um"] == pytest.approx(1.2135, rel=1e-3)
    assert metrics["timing__wire__cap_ff_per_um"] == pytest.approx(0.1543, rel=1e-3)
    report = (step / "counter.timing.rpt").read_text()
    assert "Startpoint:" in report and "slack" in report
    slack = json.loads((step / "slack.json").read_text())
    assert slack["clock_period_ps"] == pytest.approx(4000.0)
    assert len(slack["endpoint_slack_ps"]) == 14
    assert min(slack["endpoint_slack_ps"]) == pytest.approx(
        metrics["timing__setup__ws"] * 1000, abs=0.01
    )


def test_gds_holds_the_placed_cells(counter_run: Path) -> None:
    metrics = _metrics(counter_run / "05_gds")
    die = _metrics(counter_run / "02_floorplan")["floorplan__design__die__area"]
    assert metrics["finish__gds__die__area_um2"] == pytest.approx(die, rel=1e-3)
    assert metrics["finish__gds__cells__count"] > 5
    assert metrics["finish__gds__instances__count"] >= 221
    assert (counter_run / "05_gds" / "counter.gds").read_bytes()[:4] == b"\x00\x06\x00\x02"


def test_report_shows_layout_density_and_slack(counter_run: Path, tmp_path: Path) -> None:
    html = write_report(counter_run, tmp_path / "report.html").read_text()
    assert "05_gds/counter.gds" in html
    assert 'alt="layout" src="data:image/png;base64,' in html
    assert "<h2>Placement density</h2>" in html
    assert "<h2>Endpoint slack</h2>" in html and "14 endpoints" in html
    assert html.count("<svg") >= 2


def test_place_option_change_reruns_place_sta_and_gds(counter_run: Path, tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    shutil.copytree(counter_run, run_dir)
    config = load_config(EXAMPLE)
    changed = replace(config, place=PlaceConfig(density=0.75))
    result = run_flow(changed, run_dir=run_dir, resume=True)
    assert {outcome.name: outcome.status for outcome in result.outcomes} == {
        "synth": "skipped",
        "floorplan": "skipped",
        "place": "ran",
        "sta": "ran",
        "gds": "ran",
    }
    assert result.outcomes[2].reason.startswith("options changed")
    assert _metrics(run_dir / "03_place")["place__target_density"] == 0.75
    # --from/--to: only sta, from the placed DEF already there.
    again = run_flow(changed, run_dir=run_dir, from_step="sta", to_step="sta")
    assert [outcome.status for outcome in again.outcomes] == ["reused"] * 3 + ["ran"]
    assert not (run_dir / "05_gds").exists()  # steps after --to are dropped once one ran


def test_bin_density_covers_cells_exactly() -> None:
    # Two 10x10 cells in a 40x40 region of 4x4 bins (10 DBU each): one bin-aligned, one
    # straddling four bins.
    density = bin_density(
        np.array([0, 15]), np.array([0, 25]), np.array([10, 10]), np.array([10, 10]),
        (0, 0, 40, 40), 4,
    )  # fmt: skip
    assert density.shape == (4, 4)
    assert density[0, 0] == 1.0
    assert density[2, 1] == density[2, 2] == density[3, 1] == density[3, 2] == 0.25
    assert density.sum() == pytest.approx(2.0)


def test_placement_violations_counts_overlaps_and_off_site_cells() -> None:
    physical = Physical(dbu_per_micron=1000)
    physical.row_x = np.array([0, 0], dtype=np.int64)
    physical.row_y = np.array([0, 100], dtype=np.int64)
    physical.row_step_x = np.array([10, 10], dtype=np.int64)
    physical.row_num_x = np.array([10, 10], dtype=np.int64)
    # legal, overlapping pair (x 20 and 30, width 20), off-site x, off-row y, past the row end
    physical.inst_x = np.array([0, 20, 30, 55, 0, 90], dtype=np.int64)
    physical.inst_y = np.array([0, 100, 100, 0, 50, 0], dtype=np.int64)
    width = np.array([10, 20, 10, 10, 10, 20], dtype=np.int64)
    movable = np.ones(6, dtype=bool)
    assert placement_violations(physical, width, width, movable) == 5
    movable[2] = False  # a fixed cell overlapped still marks the movable one
    assert placement_violations(physical, width, width, movable) == 4
