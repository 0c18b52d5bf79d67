"""Stored Debian OpenSTA reference cases (tests/data/timing/<case>/): each ``<name>.txt`` holds
the SDC as ``#   `` comment lines and one ``endpoint setup_ns hold_ns`` line per endpoint."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tapeout.db.liberty import LibertyLibrary
from tapeout.db.netlist import Netlist
from tapeout.formats.sdc import read_sdc
from tapeout.timing import Timer


def read_reference_case(path: Path) -> tuple[str, dict[str, dict[str, float]]]:
    """(SDC text, {"setup"|"hold": endpoint -> slack ps}) of a stored reference file."""
    lines = path.read_text().splitlines()
    sdc = "\n".join(line[4:] for line in lines if line.startswith("#   ")) + "\n"
    expected: dict[str, dict[str, float]] = {"setup": {}, "hold": {}}
    for line in lines:
        if not line.startswith("#"):
            endpoint, setup, hold = line.split()
            expected["setup"][endpoint] = float(setup) * 1000.0
            expected["hold"][endpoint] = float(hold) * 1000.0
    return sdc, expected


def timer_for(
    library: LibertyLibrary, verilog: Path, top: str, sdc: str, folder: Path
) -> tuple[Netlist, Timer]:
    """The netlist of ``verilog`` and a Timer on it with the SDC text ``sdc`` (written under
    ``folder``)."""
    from tapeout.formats.verilog import read_verilog

    netlist = read_verilog(verilog, top=top)
    path = folder / f"{top}.sdc"
    path.write_text(sdc)
    return netlist, Timer(netlist, [library], read_sdc(path, netlist=netlist))


def slacks_by_name(timer: Timer, netlist: Netlist, check: str) -> dict[str, float]:
    """Endpoint name -> slack (ps) of ``check`` ("setup" or "hold") after an update."""
    timer.update()
    pins, slack = timer.endpoint_slacks(check)
    return {netlist.pin_name(int(p)): float(s) for p, s in zip(pins, slack, strict=True)}


def assert_matches_reference(
    slacks_of: Callable[[str], dict[str, float]],
    expected: dict[str, dict[str, float]],
    tolerance_ps: float,
) -> None:
    """Our endpoints and slacks (``slacks_of("setup" | "hold")``: name -> ps) are the
    reference's, each within ``tolerance_ps``."""
    for check in ("setup", "hold"):
        ours = slacks_of(check)
        assert sorted(ours) == sorted(expected[check]), check
        for endpoint, value in expected[check].items():
            assert ours[endpoint] == pytest.approx(value, abs=tolerance_ps), (check, endpoint)


def timer_matching_reference(
    library: LibertyLibrary,
    case: Path,
    verilog: Path,
    top: str,
    folder: Path,
    *,
    sdc: str | None = None,
    tolerance_ps: float = 0.05,
) -> Timer:
    """A Timer on ``verilog`` under the stored ``case``'s SDC (or ``sdc``, an edit of it whose
    results the case also holds), its endpoint slacks checked against the case's."""
    stored_sdc, expected = read_reference_case(case)
    netlist, timer = timer_for(library, verilog, top, sdc or stored_sdc, folder)
    assert_matches_reference(
        lambda check: slacks_by_name(timer, netlist, check), expected, tolerance_ps
    )
    return timer
