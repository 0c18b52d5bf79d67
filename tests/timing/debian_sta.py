"""Run Debian OpenSTA (``sta``, 2.0.17) to re-check stored references (tests skip when it
is not installed): endpoint setup and hold slacks, and max-transition violators, of a netlist
with an SDC."""

from __future__ import annotations

import gzip
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import shared_path
from tests.timing.conftest import LIBERTY

requires_sta = pytest.mark.skipif(
    shutil.which("sta") is None, reason="Debian OpenSTA (sta) not installed"
)


def _default_liberty(folder: Path) -> Path:
    """The sky130hd tt Liberty without its default wire-load model (as the stored references),
    written once under ``folder``."""
    liberty = folder / "tt.lib"
    if not liberty.exists():
        text = gzip.decompress(shared_path(LIBERTY).read_bytes()).decode()
        liberty.write_text(
            "\n".join(line for line in text.splitlines() if "default_wire_load :" not in line)
        )
    return liberty


def run_sta(
    folder: Path, verilog: Path, top: str, sdc: str, commands: str, liberty: Path | None = None
) -> subprocess.CompletedProcess:
    """``sta`` on ``verilog`` with ``sdc`` (and ``liberty``, else the default above), then
    ``commands``; its completed process (text output)."""
    liberty = liberty or _default_liberty(folder)
    (folder / "case.sdc").write_text(sdc)
    (folder / "run.tcl").write_text(
        f"read_liberty {liberty}\nread_verilog {verilog}\nlink_design {top}\n"
        f"read_sdc case.sdc\n{commands}"
    )
    return subprocess.run(
        ["sta", "-no_init", "-no_splash", "-exit", "run.tcl"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
    )


def max_transition_violators_from_sta(
    folder: Path, verilog: Path, top: str, sdc: str
) -> dict[str, tuple[float, float, float]]:
    """pin -> (limit, transition, slack) ns of every max-transition violator ``sta`` reports."""
    result = run_sta(
        folder, verilog, top, sdc, "report_check_types -max_transition -all_violators -digits 6\n"
    )
    found: dict[str, tuple[float, float, float]] = {}
    for line in result.stdout.splitlines():
        fields = line.split()
        if fields and fields[-1] == "(VIOLATED)":
            found[fields[0]] = (float(fields[1]), float(fields[2]), float(fields[3]))
    return found


def endpoint_slacks_from_sta(
    folder: Path,
    verilog: Path,
    top: str,
    sdc: str,
    liberty: Path | None = None,
    output: list[str] | None = None,
) -> dict[str, dict[str, float]]:
    """{"setup"|"hold": endpoint -> worst slack ps} from ``sta`` on ``verilog`` with ``sdc``
    (by default the sky130hd tt Liberty without its default wire-load model, as the stored
    references; else ``liberty``, plain text). ``output`` receives what ``sta`` printed."""
    report = "-group_count 1000 -endpoint_count 1 -format end -digits 6"
    result = run_sta(
        folder,
        verilog,
        top,
        sdc,
        f"report_checks -path_delay max {report}\nreport_checks -path_delay min {report}\n",
        liberty,
    )
    if output is not None:
        output.append(result.stdout + result.stderr)
    found: dict[str, dict[str, float]] = {"setup": {}, "hold": {}}
    check = ""
    for line in result.stdout.splitlines():
        if line.startswith(("max_delay/setup", "min_delay/hold")):
            check = "setup" if line.startswith("max") else "hold"
        fields = line.split()
        if check and len(fields) >= 5 and fields[1].startswith("("):
            slack = float(fields[4]) * 1000.0
            found[check][fields[0]] = min(slack, found[check].get(fields[0], slack))
    assert found["setup"] or found["hold"], result.stdout[-2000:] + result.stderr[-2000:]
    return found
