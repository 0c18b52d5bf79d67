"""``tapeout report``: one self-contained HTML file describing a run directory.

Sections (each skipped when the run has no data for it): the steps with runtime and peak memory,
every step's metrics, a layout picture of the last step that wrote a GDS/OASIS (or DEF) file, a
placement density heat map and an endpoint slack histogram. Images are base64 PNG or inline SVG;
the CSS is inline; the file references nothing outside itself.

Steps hand the report their arrays through two small JSON files in their step directory, written
with ``write_density_map`` and ``write_endpoint_slacks``::

    density.json  {"bin_width_um": w, "bin_height_um": h, "density": [[row 0 (bottom)], ...]}
    slack.json    {"endpoint_slack_ps": [...], "clock_period_ps": p or null}
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from tapeout import __version__
from tapeout.errors import InputFileError, TapeoutError
from tapeout.fileio import ensure_not_input, write_text
from tapeout.flow.manifest import file_sha256
from tapeout.flow.metrics import StepRecord, step_records
from tapeout.flow.render import density_heat_map_svg, histogram_svg, render_layout_png
from tapeout.log import Log
from tapeout.platforms import get_platform

REPORT_NAME = "report.html"
DENSITY_NAME = "density.json"
SLACK_NAME = "slack.json"
LAYOUT_SUFFIXES = (".gds", ".gds.gz", ".oas", ".def", ".def.gz")

_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1000px; color: #222; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ccc; padding-bottom: .2em; }
table { border-collapse: collapse; margin: .5em 0 1.5em; }
th, td { padding: .25em .8em; border-bottom: 1px solid #eee; text-align: left; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #f4f4f4; }
.stale { color: #b35900; } .note { color: #666; font-size: .9em; }
.warn { color: #b35900; } .error { color: #c00; }
img.layout { max-width: 100%; border: 1px solid #ccc; }
code { background: #f4f4f4; padding: 0 .2em; }
"""


def write_density_map(
    directory: Path, density: np.ndarray, *, bin_width_um: float, bin_height_um: float
) -> None:
    """Write ``density.json`` for the report: ``density`` float64 (rows, columns), row 0 bottom."""
    data = {
        "bin_width_um": bin_width_um,
        "bin_height_um": bin_height_um,
        "density": np.round(np.asarray(density, dtype=np.float64), 4).tolist(),
    }
    write_text(directory / DENSITY_NAME, json.dumps(data) + "\n")


def write_endpoint_slacks(
    directory: Path, slack_ps: np.ndarray, *, clock_period_ps: float | None = None
) -> None:
    """Write ``slack.json`` for the report: ``slack_ps`` float64 (n_endpoints,)."""
    values = np.asarray(slack_ps, dtype=np.float64)
    data = {
        "endpoint_slack_ps": np.round(values[np.isfinite(values)], 3).tolist(),
        "clock_period_ps": clock_period_ps,
    }
    write_text(directory / SLACK_NAME, json.dumps(data) + "\n")


def write_report(run_dir: Path, output: Path | None = None, *, log: Log | None = None) -> Path:
    """Write the HTML report of ``run_dir`` to ``output`` (default ``run_dir/report.html``).

    Raises InputFileError when ``run_dir`` holds no finished step.
    """
    log = log or Log()
    run_dir = run_dir.absolute()
    if not run_dir.is_dir():
        raise InputFileError("run directory not found", file=run_dir)
    records = step_records(run_dir)
    if not records:
        raise InputFileError(
            "no finished step in this directory",
            file=run_dir,
            hint="give the directory `tapeout run` printed, e.g. runs/<design>",
        )
    info = _run_info(run_dir)
    sections = [
        _header(run_dir, info),
        _steps_section(records),
        _metrics_section(records),
        _layout_section(records, info, log),
        _density_section(records, log),
        _slack_section(records, log),
        _messages_section(records),
    ]
    title = html.escape(f"tapeout report: {info.get('design', run_dir.name)}")
    text = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{title}</title><style>{_CSS}</style></head><body>\n"
        + "\n".join(section for section in sections if section)
        + "\n</body></html>\n"
    )
    output = (output or run_dir / REPORT_NAME).absolute()
    ensure_not_input(output, _files_read(run_dir, records))
    write_text(output, text)
    return output


def _files_read(run_dir: Path, records: list[StepRecord]) -> list[Path]:
    """The run directory's files a report is made from (it must never be written over them)."""
    files = [run_dir, run_dir / "run.json"]
    for record in records:
        files.append(record.directory)
        files.extend(path for path in record.directory.iterdir() if path.is_file())
    return files


def _run_info(run_dir: Path) -> dict[str, Any]:
    try:
        data = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _header(run_dir: Path, info: dict[str, Any]) -> str:
    rows = [
        ("design", info.get("design", run_dir.name)),
        ("top module", info.get("top", "")),
        ("platform", info.get("platform", "")),
        ("configuration", info.get("config", "")),
        ("run directory", str(run_dir)),
        (
            "report made",
            f"{datetime.now(UTC).isoformat(timespec='seconds')} by tapeout {__version__}",
        ),
    ]
    body = "".join(
        f"<tr><th>{html.escape(name)}</th><td>{html.escape(str(value))}</td></tr>"
        for name, value in rows
        if value
    )
    return f"<h1>{html.escape(str(info.get('design', run_dir.name)))}</h1><table>{body}</table>"


def _step_states(records: list[StepRecord]) -> dict[str, str]:
    """Per step: "current", "outputs changed after the run" or "stale: its inputs changed".

    Re-hashes every step output and compares with the step's own manifest and with the input
    hashes recorded by later steps.
    """
    actual: dict[str, str | None] = {}
    for record in records:
        for name in record.manifest.outputs:
            path = record.directory / name
            label = f"{record.directory.name}/{name}"
            actual[label] = file_sha256(path) if path.is_file() else None
    states = {}
    for record in records:
        state = "current"
        for name, digest in record.manifest.outputs.items():
            if actual[f"{record.directory.name}/{name}"] != digest:
                state = "outputs changed after the run"
        for label, digest in record.manifest.inputs.items():
            from_step = re.match(r"^\d\d_[a-z0-9_]+/", label) is not None
            if (label in actual or from_step) and actual.get(label) != digest:
                state = "stale: its inputs changed"
        states[record.name] = state
    return states


def _number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return html.escape(str(value))


def _steps_section(records: list[StepRecord]) -> str:
    states = _step_states(records)
    rows = []
    for record in records:
        metrics = record.metrics
        state = html.escape(states[record.name])
        if state != "current":
            state = f'<span class="stale">{state}</span>'
        rows.append(
            f"<tr><td>{record.directory.name}</td><td>{state}</td>"
            f"<td>{html.escape(record.manifest.finished_utc)}</td>"
            + "".join(
                f'<td class="number">{_number(metrics.get(f"{record.name}__{key}", ""))}</td>'
                for key in ("runtime__total_s", "cpu__total_s", "mem__peak_mb")
            )
            + "</tr>"
        )
    return (
        "<h2>Steps</h2><table><tr><th>step</th><th>state</th><th>finished (UTC)</th>"
        "<th>runtime s</th><th>CPU s</th><th>peak memory MiB</th></tr>" + "".join(rows) + "</table>"
    )


def _metrics_section(records: list[StepRecord]) -> str:
    rows = []
    for record in records:
        for name in sorted(record.metrics):
            rows.append(
                f"<tr><td>{html.escape(record.name)}</td><td><code>{html.escape(name)}</code></td>"
                f'<td class="number">{_number(record.metrics[name])}</td></tr>'
            )
    if not rows:
        return ""
    return (
        '<h2>Metrics</h2><p class="note">Names as in OpenROAD-flow-scripts; runtime in seconds, '
        "memory in MiB.</p><table><tr><th>step</th><th>metric</th><th>value</th></tr>"
        + "".join(rows)
        + "</table>"
    )


def _last_file(
    records: list[StepRecord], suffixes: tuple[str, ...]
) -> tuple[StepRecord, Path] | None:
    for record in reversed(records):
        for name in sorted(record.manifest.outputs):
            if name.endswith(suffixes):
                return record, record.directory / name
    return None


def _layout_section(records: list[StepRecord], info: dict[str, Any], log: Log) -> str:
    found = _last_file(records, (".gds", ".gds.gz", ".oas"))
    lef_files: tuple[Path, ...] = ()
    layer_properties: Path | None = None
    platform_name = info.get("platform") if isinstance(info.get("platform"), str) else None
    if found is None:
        found = _last_file(records, (".def", ".def.gz"))
        if found is None:
            return ""
    if platform_name:
        try:
            pdk_root = info.get("pdk_root")
            root = Path(pdk_root) if isinstance(pdk_root, str) and pdk_root else None
            platform = get_platform(platform_name, pdk_root=root)
            lef_files = (platform.tech_lef, *platform.cell_lefs)
            properties = platform.extra.get("klayout_layer_properties")
            layer_properties = Path(properties) if properties else None
        except TapeoutError as error:
            log.warn("REPORT-0001", f"layout colours/LEFs unavailable: {error}")
    record, path = found
    is_def = path.name.endswith((".def", ".def.gz"))
    if is_def and not lef_files:
        return (
            f'<h2>Layout</h2><p class="note">{html.escape(path.name)}: no LEF files to draw it.</p>'
        )
    try:
        png = render_layout(path, lef_files if is_def else (), layer_properties)
    except TapeoutError as error:
        log.warn("REPORT-0002", f"cannot draw {path}: {error}")
        problem = html.escape(f"cannot draw {path.name}: {error}")
        return f'<h2>Layout</h2><p class="note">{problem}</p>'
    encoded = base64.b64encode(png).decode("ascii")
    return (
        f'<h2>Layout</h2><p class="note">{html.escape(record.directory.name)}/'
        f"{html.escape(path.name)}</p>"
        f'<img class="layout" alt="layout" src="data:image/png;base64,{encoded}">'
    )


def render_layout(path: Path, lef_files: tuple[Path, ...], layer_properties: Path | None) -> bytes:
    """PNG bytes of the layout ``path`` (see ``tapeout.flow.render.render_layout_png``)."""
    return render_layout_png(path, lef_files=lef_files, layer_properties=layer_properties)


def _load_json(path: Path, log: Log) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        log.warn("REPORT-0003", f"skipping unreadable {path}: {error}")
        return None
    return data if isinstance(data, dict) else None


def _latest_json(
    records: list[StepRecord], name: str, log: Log
) -> Iterator[tuple[StepRecord, Path, dict[str, Any]]]:
    """The readable JSON files ``name`` of the steps, latest step first."""
    for record in reversed(records):
        path = record.directory / name
        if path.is_file():
            data = _load_json(path, log)
            if data is not None:
                yield record, path, data


def _density_section(records: list[StepRecord], log: Log) -> str:
    for record, path, data in _latest_json(records, DENSITY_NAME, log):
        try:
            grid = np.asarray(data["density"], dtype=np.float64)
            svg = density_heat_map_svg(grid)
        except (KeyError, ValueError, TypeError) as error:
            log.warn("REPORT-0004", f"skipping malformed {path}: {error}")
            continue
        bins = f"{data.get('bin_width_um', '?')} × {data.get('bin_height_um', '?')} µm bins"
        return (
            f'<h2>Placement density</h2><p class="note">{html.escape(record.directory.name)}, '
            f"{html.escape(bins)}, peak {float(grid.max()):.2f}</p>{svg}"
        )
    return ""


def _slack_section(records: list[StepRecord], log: Log) -> str:
    for record, path, data in _latest_json(records, SLACK_NAME, log):
        try:
            slack = np.asarray(data["endpoint_slack_ps"], dtype=np.float64)
            svg = histogram_svg(slack, unit="ps", title="endpoint slack")
        except (KeyError, ValueError, TypeError) as error:
            log.warn("REPORT-0005", f"skipping malformed {path}: {error}")
            continue
        failing = int(np.count_nonzero(slack < 0))
        return (
            f'<h2>Endpoint slack</h2><p class="note">{html.escape(record.directory.name)}: '
            f"{slack.size} endpoints, worst {slack.min():.1f} ps, {failing} negative</p>{svg}"
        )
    return ""


def _messages_section(records: list[StepRecord], limit: int = 50) -> str:
    rows: list[str] = []
    for record in records:
        try:
            lines = (record.directory / "step.log").read_text(encoding="utf-8").splitlines()
        except OSError:
            continue
        for line in lines:
            match = re.match(r"^\[(WARN|ERROR) ([A-Z]+-\d{4})\] (.*)$", line)
            if match and len(rows) < limit:
                level = "warn" if match.group(1) == "WARN" else "error"
                rows.append(
                    f'<tr><td>{html.escape(record.name)}</td><td class="{level}">'
                    f"{match.group(1)} {match.group(2)}</td>"
                    f"<td>{html.escape(match.group(3))}</td></tr>"
                )
    if not rows:
        return ""
    return (
        f'<h2>Warnings and errors</h2><p class="note">first {limit} from the steps\' logs</p>'
        "<table><tr><th>step</th><th>id</th><th>message</th></tr>" + "".join(rows) + "</table>"
    )
