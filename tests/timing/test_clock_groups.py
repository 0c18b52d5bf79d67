"""Two clocks against Debian OpenSTA: set_clock_groups (no path between groups is timed; they
were all timed, at the closest edges of the two periods), derates, inter-clock uncertainty,
ports with delays of both clocks and case analysis. Stored slacks under
tests/data/timing/clock_groups/."""

from __future__ import annotations

from pathlib import Path

import pytest

from tapeout.db.liberty import LibertyLibrary
from tapeout.timing import Timer
from tests.timing.debian_sta import endpoint_slacks_from_sta, requires_sta
from tests.timing.references import read_reference_case, timer_matching_reference

DATA = Path(__file__).resolve().parents[1] / "data" / "timing" / "clock_groups"
GROUPS = "set_clock_groups -asynchronous -group a -group b"


def _matching(library: LibertyLibrary, case: str, folder: Path, *, sdc: str | None = None) -> Timer:
    return timer_matching_reference(
        library, DATA / f"{case}.txt", DATA / "two_clocks.v", "two_clocks", folder, sdc=sdc
    )


@pytest.mark.parametrize(
    "groups",
    [
        GROUPS,
        "set_clock_groups -physically_exclusive -group a",
        "set_clock_groups -logically_exclusive -group {b}",
    ],
)
def test_clock_groups_match_opensta(
    groups: str, sky130_library: LibertyLibrary, tmp_path: Path
) -> None:
    # One -group stands against every other clock; the relation does not change what is cut.
    sdc, _ = read_reference_case(DATA / "two_clocks.txt")
    assert GROUPS in sdc
    _matching(sky130_library, "two_clocks", tmp_path, sdc=sdc.replace(GROUPS, groups))


def test_timing_derates_match_opensta(sky130_library: LibertyLibrary, tmp_path: Path) -> None:
    # set_timing_derate was read and dropped: every delay and margin underated. (Not on gcd:
    # its clock tree is ideal, yet Debian sta gives derated common clock buffers a clock
    # reconvergence credit there.)
    _matching(sky130_library, "two_clocks_derated", tmp_path)


def test_inter_clock_uncertainty_and_two_clock_ports_match_opensta(
    sky130_library: LibertyLibrary, tmp_path: Path
) -> None:
    # set_clock_uncertainty -from -to was ignored (a warning); an input port with -add_delay
    # delays of two clocks launched its latest arrival under the last delay's clock, and an
    # output port was checked against its last delay only.
    _matching(sky130_library, "two_clocks_related", tmp_path)


def test_case_analysis_matches_opensta(sky130_library: LibertyLibrary, tmp_path: Path) -> None:
    # set_case_analysis was read and dropped: paths through constant pins were timed, an XOR
    # beside a constant kept both senses, and rising/falling pins passed both transitions.
    timer = _matching(sky130_library, "two_clocks_case", tmp_path)
    assert (timer.case_value >= 0).sum() > 3  # the ports and the logic they hold constant


@requires_sta
@pytest.mark.parametrize(
    "case", ["two_clocks", "two_clocks_derated", "two_clocks_related", "two_clocks_case"]
)
def test_stored_clock_group_references_are_debian_sta(case: str, tmp_path: Path) -> None:
    sdc, expected = read_reference_case(DATA / f"{case}.txt")
    found = endpoint_slacks_from_sta(tmp_path, DATA / "two_clocks.v", "two_clocks", sdc)
    for check in ("setup", "hold"):
        assert found[check] == pytest.approx(expected[check], abs=1e-3), check
