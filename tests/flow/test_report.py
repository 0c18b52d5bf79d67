"""The HTML report and its pictures: self-contained, sections only where there is data."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import numpy as np
import pytest

from tapeout import cli
from tapeout.errors import InputFileError
from tapeout.flow.config import load_config
from tapeout.flow.render import density_heat_map_svg, histogram_svg, render_layout_png
from tapeout.flow.report import (
    DENSITY_NAME,
    SLACK_NAME,
    write_density_map,
    write_endpoint_slacks,
    write_report,
)
from tapeout.flow.run import run_flow
from tapeout.flow.steps import Metrics, Step, StepContext
from tapeout.log import Log
from tests.conftest import shared_path
from tests.flow.fake_steps import FAKE_STEPS


def write_tiny_gds(path: Path) -> None:
    import klayout.db as kdb

    layout = kdb.Layout()
    layout.dbu = 0.001
    top = layout.create_cell("TOP")
    top.shapes(layout.layer(68, 20)).insert(kdb.Box(0, 0, 10000, 5000))
    top.shapes(layout.layer(69, 20)).insert(kdb.Box(2000, 1000, 3000, 9000))
    layout.write(str(path))


def run_layout(context: StepContext) -> Metrics:
    write_tiny_gds(context.output("gds"))
    density = np.array([[0.1, 0.5, 0.9], [0.2, 0.4, 1.2]])
    write_density_map(context.directory, density, bin_width_um=5.0, bin_height_um=2.72)
    slack = np.linspace(-120.0, 800.0, 200)
    write_endpoint_slacks(context.directory, slack, clock_period_ps=1000.0)
    context.log.warn("TEST-0003", "a warning <for> the report")
    return {"finish__design__instance__area": 50.0}


LAYOUT = Step(name="finish", run=run_layout, inputs=("b",), outputs=(("gds", "{design}.gds"),))


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    (tmp_path / "design.v").write_text("module top(); endmodule\n")
    path = tmp_path / "design.toml"
    path.write_text('[design]\ntop = "top"\nsources = ["design.v"]\n')
    return path


def png_in(text: str) -> bytes:
    match = re.search(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', text)
    assert match, "no embedded PNG"
    return base64.b64decode(match.group(1))


def test_report_with_all_sections(config_path: Path) -> None:
    result = run_flow(load_config(config_path), steps=(*FAKE_STEPS, LAYOUT))
    report = write_report(result.run_dir)
    assert report == result.run_dir / "report.html"
    text = report.read_text()
    for heading in ("Steps", "Metrics", "Layout", "Placement density", "Endpoint slack"):
        assert f"<h2>{heading}</h2>" in text
    assert "finish__design__instance__area" in text
    assert "beta__route__wirelength" in text
    assert "a warning &lt;for&gt; the report" in text
    assert png_in(text).startswith(b"\x89PNG\r\n\x1a\n")
    negative = int(np.count_nonzero(np.linspace(-120.0, 800.0, 200) < 0))
    assert f"200 endpoints, worst -120.0 ps, {negative} negative" in text
    assert "peak 1.20" in text
    assert text.count("<svg") == 2
    # Self-contained: nothing is fetched from elsewhere.
    assert not re.search(r'(src|href)="(?!data:)', text)
    assert "<link" not in text and "<script" not in text


def test_report_skips_sections_without_data(config_path: Path) -> None:
    result = run_flow(load_config(config_path), steps=FAKE_STEPS)
    text = write_report(result.run_dir, result.run_dir.parent / "elsewhere.html").read_text()
    assert "<h2>Steps</h2>" in text and "<h2>Metrics</h2>" in text
    for heading in ("Layout", "Placement density", "Endpoint slack", "Warnings and errors"):
        assert f"<h2>{heading}</h2>" not in text
    assert "01_alpha" in text and "02_beta" in text


def test_report_marks_stale_steps(config_path: Path) -> None:
    result = run_flow(load_config(config_path), steps=FAKE_STEPS)
    alpha_output = result.run_dir / "01_alpha" / "top.a"
    alpha_output.write_text("changed by hand")
    text = write_report(result.run_dir).read_text()
    assert text.count("outputs changed after the run") == 1  # alpha
    assert text.count("stale: its inputs changed") == 1  # beta, made from alpha's old output


def test_report_of_empty_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="no finished step"):
        write_report(tmp_path)
    with pytest.raises(InputFileError, match="run directory not found"):
        write_report(tmp_path / "absent")


def test_report_command_prints_path(config_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = run_flow(load_config(config_path), steps=FAKE_STEPS)
    assert cli.main(["report", str(result.run_dir)]) == 0
    assert capsys.readouterr().out.strip() == str(result.run_dir / "report.html")
    assert cli.main(["report", str(config_path.parent)]) == 1
    assert "no finished step" in capsys.readouterr().err


def test_render_layout_png_draws_shapes(tmp_path: Path) -> None:
    gds = tmp_path / "tiny.gds"
    write_tiny_gds(gds)
    png = render_layout_png(gds, width_px=120, height_px=80)
    assert png.startswith(b"\x89PNG")
    import klayout.lay as klay

    pixels = klay.PixelBuffer.from_png_data(png)
    assert (pixels.width(), pixels.height()) == (120, 80)
    colours = {pixels.pixel(x, y) & 0xFFFFFF for x in range(0, 120, 3) for y in range(0, 80, 3)}
    assert 0xFFFFFF in colours  # background
    assert len(colours) > 1  # and something drawn on it


def test_render_layout_of_garbage_is_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.gds"
    bad.write_bytes(b"\x00\x06\x00\x02garbage")
    with pytest.raises(InputFileError):
        render_layout_png(bad)


def test_heat_map_colours_follow_values() -> None:
    svg = density_heat_map_svg(np.array([[0.0, 1.0]]), cell_px=10)
    assert svg.count("<rect") == 2 + 20  # two bins and the legend
    assert 'fill="#440154"' in svg  # low end of the ramp
    assert 'fill="#fde725"' in svg  # high end
    with pytest.raises(ValueError):
        density_heat_map_svg(np.zeros((0, 3)))


def test_histogram_counts() -> None:
    svg = histogram_svg(np.array([-1.0, -1.0, 2.0, np.nan]), bins=3, unit="ps")
    titles = re.findall(r"<title>([^<]*)</title>", svg)
    assert [title.rsplit(": ", 1)[1] for title in titles] == ["2", "0", "1"]
    assert svg.count('fill="#d62728"') == 1  # the bar entirely below zero
    with pytest.raises(ValueError):
        histogram_svg(np.array([np.nan]))


TWO_CELL_DEF = """\
VERSION 5.8 ;
DESIGN top ;
UNITS DISTANCE MICRONS 1000 ;
DIEAREA ( 0 0 ) ( 20000 10000 ) ;
COMPONENTS 2 ;
- u1 sky130_fd_sc_hd__inv_1 + PLACED ( 2000 2720 ) N ;
- u2 sky130_fd_sc_hd__nand2_1 + PLACED ( 6000 2720 ) N ;
END COMPONENTS
END DESIGN
"""


def run_def(context: StepContext) -> Metrics:
    context.output("def").write_text(TWO_CELL_DEF)
    (context.directory / DENSITY_NAME).write_text('{"density": "not a grid"}')
    (context.directory / SLACK_NAME).write_text("{broken")
    return {}


def test_report_draws_def_with_platform_lefs(
    config_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TAPEOUT_PDK_ROOT", str(shared_path("pdks/sky130hd").parent))
    place = Step(name="place", run=run_def, inputs=("b",), outputs=(("def", "{design}.def"),))
    result = run_flow(load_config(config_path), steps=(*FAKE_STEPS, place))
    log = Log()
    text = write_report(result.run_dir, log=log).read_text()
    assert "03_place/top.def" in text
    assert png_in(text).startswith(b"\x89PNG")
    # Malformed data files are skipped with a warning, not a crash.
    assert "<h2>Placement density</h2>" not in text and "<h2>Endpoint slack</h2>" not in text
    assert {"REPORT-0004", "REPORT-0003"} <= set(log.ids())
