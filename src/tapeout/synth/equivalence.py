"""Formal equivalence of a mapped netlist against its RTL, with Yosys's equiv_* passes.

Gold: the RTL, elaborated, flattened, memories as flops. Gate: the written netlist over cell
models that ``read_liberty`` builds from the Liberty ``function``/``ff``/``latch`` groups. Signals
with the same name are matched (``equiv_make``); each match is proved by a bounded SAT check
(``equiv_simple -seq``) or by induction over the matched state (``equiv_induct``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tapeout.errors import TapeoutError
from tapeout.log import Log
from tapeout.synth.runner import run_worker
from tapeout.synth.script import (
    ScriptPlan,
    equivalence_gate_commands,
    equivalence_gold_commands,
    equivalence_prove_commands,
    equivalence_stash_commands,
)

_STATUS = re.compile(r"Of those cells (\d+) are proven and (\d+) are unproven")
_FOUND = re.compile(r"Found (\d+) \$equiv cells in")
_UNPROVEN = re.compile(r"Unproven \$equiv \S+: (\S+) (\S+)")


@dataclass(frozen=True)
class EquivalenceResult:
    """``matched`` signal bits compared, ``unproven`` of them not shown equal (names listed)."""

    matched: int
    unproven: int
    unproven_names: tuple[str, ...]
    inconclusive: str | None = None  # why no verdict was possible (cells without a model)

    @property
    def equivalent(self) -> bool:
        return self.inconclusive is None and self.matched > 0 and self.unproven == 0


def check_equivalence(
    plan: ScriptPlan,
    netlist: Path,
    work_directory: Path,
    *,
    log: Log,
    rtlil: Path | None = None,
    sequence_depth: int = 4,
) -> EquivalenceResult:
    """Prove ``netlist`` equivalent to the RTL of ``plan`` (``rtlil``: slang's elaboration)."""
    steps: list[dict[str, Any]] = []
    for side, commands in (
        ("gold", equivalence_gold_commands(plan, rtlil)),
        ("gate", equivalence_gate_commands(plan, netlist)),
    ):
        steps += [
            {"kind": "commands", "commands": commands},
            {"kind": "expose_tristates", "top": plan.top},
            {"kind": "commands", "commands": equivalence_stash_commands(plan.top, side)},
        ]
    steps.append({"kind": "commands", "commands": equivalence_prove_commands(sequence_depth)})
    try:
        result = run_worker(steps, work_directory, name="equivalence")
    except TapeoutError as error:
        if "No SAT model available" not in error.message:
            raise
        # A library cell without a Liberty function (a clock gate instantiated in the RTL).
        reason = error.message.removeprefix("Yosys: ")
        log.warn("SYN-0043", f"equivalence check inconclusive: {reason}")
        return EquivalenceResult(matched=0, unproven=0, unproven_names=(), inconclusive=reason)
    found = _FOUND.findall(result.log_text)
    status = _STATUS.findall(result.log_text)
    matched = int(found[-1]) if found else 0
    unproven = int(status[-1][1]) if status else (0 if matched == 0 else matched)
    names = tuple(match[0].removesuffix("_gold") for match in _UNPROVEN.findall(result.log_text))
    outcome = EquivalenceResult(matched=matched, unproven=unproven, unproven_names=names)
    if outcome.equivalent:
        log.info("SYN-0040", f"equivalence check passed: {matched} matched signals proven equal")
    elif matched == 0:
        log.warn("SYN-0041", "equivalence check inconclusive: no signals matched by name")
    else:
        shown = ", ".join(names[:5]) + (" ..." if len(names) > 5 else "")
        log.warn(
            "SYN-0042",
            f"equivalence check failed: {unproven} of {matched} signals unproven ({shown})",
        )
    return outcome
