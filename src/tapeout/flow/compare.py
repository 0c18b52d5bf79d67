"""``tapeout compare``: a run's metrics beside a reference flow's bounds (``rules-base.json``).

A rules file maps a metric name to ``{"value": v, "compare": op}`` with op one of ``== != < <=
> >=`` and an optional ``"level": "warning"``; a rule holds when ``ours op value``. Outcomes:
``pass``, ``FAIL`` (an error-level rule does not hold), ``warn`` (a warning-level rule does not
hold) and ``n/a`` (the run has no such metric yet, e.g. routing before the router exists).
"""

from __future__ import annotations

import json
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tapeout.errors import InputFileError, ParseError
from tapeout.fileio import read_text
from tapeout.flow.metrics import collect_metrics

OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


@dataclass(frozen=True)
class Rule:
    """One bound of the reference flow."""

    metric: str
    value: float | int | str
    compare: str
    level: str  # "error" or "warning"


@dataclass(frozen=True)
class RuleResult:
    """A rule beside our value: ``outcome`` is "pass", "FAIL", "warn" or "n/a"."""

    rule: Rule
    ours: float | int | str | bool | None
    outcome: str


def read_rules(path: Path) -> list[Rule]:
    """Rules from a ``rules-base.json`` file; ParseError with the line for malformed entries."""
    text = read_text(path, what="rules file")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ParseError(
            f"malformed JSON: {error.msg}", file=path, line=error.lineno, column=error.colno
        ) from None
    if not isinstance(data, dict):
        raise ParseError("a rules file is a JSON object of metric -> rule", file=path, line=1)
    rules = []
    for metric, entry in data.items():

        def problem(message: str, metric: str = metric) -> ParseError:
            match = re.search(rf'"{re.escape(metric)}"\s*:', text)
            line = text.count("\n", 0, match.start()) + 1 if match else None
            return ParseError(f"rule {metric}: {message}", file=path, line=line)

        if not isinstance(entry, dict) or "value" not in entry or "compare" not in entry:
            raise problem('expected {"value": ..., "compare": "<="}')
        if entry["compare"] not in OPERATORS:
            raise problem(f"unknown compare {entry['compare']!r}; use one of {' '.join(OPERATORS)}")
        value = entry["value"]
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise problem("value must be a number or a string")
        level = entry.get("level", "error")
        if level not in {"error", "warning"}:
            raise problem(f"level must be 'error' or 'warning', got {level!r}")
        rules.append(Rule(metric, value, entry["compare"], level))
    return rules


def check_rules(
    metrics: dict[str, float | int | str | bool], rules: list[Rule]
) -> list[RuleResult]:
    """Each rule beside our metric of the same name."""
    results = []
    for rule in rules:
        ours = metrics.get(rule.metric)
        if ours is None:
            results.append(RuleResult(rule, None, "n/a"))
            continue
        holds = _holds(ours, rule)
        outcome = "pass" if holds else ("warn" if rule.level == "warning" else "FAIL")
        results.append(RuleResult(rule, ours, outcome))
    return results


def _holds(ours: float | int | str | bool, rule: Rule) -> bool:
    compare = OPERATORS[rule.compare]
    if isinstance(rule.value, str) or isinstance(ours, str):
        if rule.compare in {"==", "!="}:
            return bool(compare(str(ours), str(rule.value)))
        return False  # an ordering between text values has no meaning
    return bool(compare(float(ours), float(rule.value)))


def compare_run(run_dir: Path, rules_path: Path) -> list[RuleResult]:
    """The rules of ``rules_path`` checked against all metrics of ``run_dir``."""
    metrics = collect_metrics(run_dir)
    if not metrics:
        raise InputFileError(
            "no metrics in this directory",
            file=run_dir,
            hint="give the run directory `tapeout run` printed, e.g. runs/<design>",
        )
    return check_rules(metrics, read_rules(rules_path))
