"""Asynchronous set/reset flip-flops (sky130 dfrtp, dfstp) against Debian OpenSTA: recovery and
removal at RESET_B/SET_B (Liberty gives only the release edge a table, so only it is checked),
and no data path through the clear/preset arcs (OpenSTA's default). Stored slacks under
tests/data/timing/async/; the built-in Liberty is compared live when ``sta`` is installed."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from tapeout.db.liberty import LibertyLibrary
from tapeout.formats.liberty import read_liberty
from tapeout.platforms.builtin import LIBERTY as BUILTIN_LIBERTY
from tests.timing.debian_sta import endpoint_slacks_from_sta, requires_sta
from tests.timing.references import (
    assert_matches_reference,
    read_reference_case,
    slacks_by_name,
    timer_for,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "timing" / "async"


def test_async_pins_match_opensta(sky130_library: LibertyLibrary, tmp_path: Path) -> None:
    sdc, expected = read_reference_case(DATA / "async.txt")
    netlist, timer = timer_for(sky130_library, DATA / "async.v", "async", sdc, tmp_path)
    assert_matches_reference(lambda check: slacks_by_name(timer, netlist, check), expected, 0.05)
    setup = slacks_by_name(timer, netlist, "setup")
    # the release edge alone: a zero-margin check on the asserting edge would give 800 ps
    assert setup["ra/RESET_B"] > 1000.0 and setup["rc/SET_B"] > 900.0


@requires_sta
def test_stored_async_references_are_debian_sta(tmp_path: Path) -> None:
    sdc, expected = read_reference_case(DATA / "async.txt")
    found = endpoint_slacks_from_sta(tmp_path, DATA / "async.v", "async", sdc)
    for check in ("setup", "hold"):
        assert found[check] == pytest.approx(expected[check], abs=1e-3), check


@requires_sta
def test_builtin_liberty_matches_opensta(tmp_path: Path) -> None:
    """OpenSTA reads our packaged Liberty (min_pulse_width groups included) without a warning
    and times the same design with it as we do."""
    liberty = tmp_path / "builtin.lib"
    liberty.write_text(gzip.decompress(BUILTIN_LIBERTY.read_bytes()).decode())
    sdc, _ = read_reference_case(DATA / "async.txt")
    output: list[str] = []
    found = endpoint_slacks_from_sta(
        tmp_path, DATA / "async.v", "async", sdc, liberty=liberty, output=output
    )
    assert "Warning" not in output[0] and "Error" not in output[0], output[0]
    netlist, timer = timer_for(read_liberty(liberty), DATA / "async.v", "async", sdc, tmp_path)
    assert_matches_reference(lambda check: slacks_by_name(timer, netlist, check), found, 0.05)
