"""gcd_sky130hd against OpenSTA 3.1.0: slacks, TNS, 10 worst endpoints per check and the worst
path's per-pin slews and delays within 1 % or 5 ps, with and without SPEF."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pytest

from tapeout.timing import Timer, TimingOptions
from tapeout.timing.report import trace_path
from tests.timing.conftest import GcdCase

_ENDPOINT = re.compile(
    r"^(\S+) \((\S+)\)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+) \((?:MET|VIOLATED)\)$"
)
_PATH_PIN = re.compile(r"^([\s\d.-]+) ([v^]) (\S+) \((\S+)\)$")


@dataclass
class Reference:
    """Numbers of one OpenSTA report (ps)."""

    setup: dict[str, float]
    hold: dict[str, float]
    path: list[tuple[str, str, float, float]]  # pin, rf, slew, delay
    worst: dict[str, float]


def parse_reference(text: str) -> Reference:
    setup: dict[str, float] = {}
    hold: dict[str, float] = {}
    path: list[tuple[str, str, float, float]] = []
    worst: dict[str, float] = {}
    target = setup
    for line in text.splitlines():
        if line.startswith("min_delay/hold"):
            target = hold
        if line.startswith("Startpoint:"):
            target = {}
        match = _ENDPOINT.match(line)
        if match:
            target[match.group(1)] = float(match.group(5)) * 1000
            continue
        match = _PATH_PIN.match(line)
        if match:
            numbers = [float(v) * 1000 for v in match.group(1).split()]
            if len(numbers) >= 3:
                path.append((match.group(3), match.group(2), numbers[-3], numbers[-2]))
            continue
        for key in ("worst slack max", "worst slack min", "tns max", "tns min"):
            if line.startswith(key + " "):
                worst[key] = float(line.split()[-1]) * 1000
    return Reference(setup, hold, path, worst)


def close(ours: float, theirs: float) -> bool:
    return abs(ours - theirs) <= max(5.0, 0.01 * abs(theirs))


def endpoint_slacks(timer: Timer, check: str) -> dict[str, float]:
    pins, slack = timer.endpoint_slacks(check)
    return {timer.netlist.pin_name(int(p)): float(s) for p, s in zip(pins, slack, strict=True)}


@pytest.fixture(scope="module", params=["nospef", "spef"])
def timed(request: pytest.FixtureRequest, gcd: GcdCase) -> tuple[Timer, Reference]:
    with_spef = request.param == "spef"
    timer = Timer(
        gcd.netlist,
        [gcd.library],
        gcd.constraints,
        parasitics=gcd.parasitics if with_spef else None,
        options=TimingOptions(wires="auto"),
    )
    timer.update()
    return timer, parse_reference(gcd.reference_spef if with_spef else gcd.reference_nospef)


def test_reference_parsed(timed: tuple[Timer, Reference]) -> None:
    _, reference = timed
    assert len(reference.setup) == 10 and len(reference.hold) == 10
    assert len(reference.path) > 20
    assert set(reference.worst) == {"worst slack max", "worst slack min", "tns max", "tns min"}


def test_worst_slack_and_tns(timed: tuple[Timer, Reference]) -> None:
    timer, reference = timed
    assert close(timer.worst_slack("setup"), reference.worst["worst slack max"])
    assert close(timer.worst_slack("hold"), reference.worst["worst slack min"])
    assert close(timer.total_negative_slack("setup"), reference.worst["tns max"])
    assert close(timer.total_negative_slack("hold"), reference.worst["tns min"])


@pytest.mark.parametrize("check", ["setup", "hold"])
def test_ten_worst_endpoints(timed: tuple[Timer, Reference], check: str) -> None:
    timer, reference = timed
    expected = reference.setup if check == "setup" else reference.hold
    ours = endpoint_slacks(timer, check)
    for endpoint, slack in expected.items():
        assert close(ours[endpoint], slack), (endpoint, ours[endpoint], slack)
    # the same endpoints lead the list (ties within the tolerance may reorder)
    ranked = sorted(ours, key=ours.__getitem__)[:10]
    cutoff = max(expected.values())
    assert all(ours[name] <= cutoff + 5.0 for name in ranked)


def test_worst_path_pins(timed: tuple[Timer, Reference]) -> None:
    timer, reference = timed
    pins, slack = timer.endpoint_slacks("setup")
    path = trace_path(timer, int(pins[np.argmin(slack)]), "setup")
    ours = {point.name: point for point in path.points}
    compared = 0
    for name, rf, slew, delay in reference.path:
        point = ours.get(name)
        if point is None:  # the output port row: OpenSTA names it by the port
            continue
        assert ("^" if point.rf == 0 else "v") == rf, name
        assert close(point.slew_ps, slew), (name, point.slew_ps, slew)
        assert close(point.delay_ps, delay), (name, point.delay_ps, delay)
        compared += 1
    assert compared >= len(reference.path) - 1
