"""``tapeout compare``: a run's metrics beside a reference flow's rules; exit 1 when one fails."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.table import Table

from tapeout.flow.compare import RuleResult, compare_run

SUMMARY = "compare a run's metrics with a reference flow's bounds (rules-base.json)"
EXAMPLES = """\
  tapeout compare runs/gcd ../shared/designs/gcd/sky130hd/rules-base.json
  tapeout compare runs/gcd rules.json --strict          metrics we lack count as failures

Each rule is {"value": v, "compare": "<="} (ours <= v holds). Outcomes: pass; FAIL; warn (a
rule marked "level": "warning" does not hold); n/a (no such metric in the run yet).
Exit status: 0 when no error-level rule fails, 1 when one does (or with --strict, when a rule
is n/a), 1 for unreadable input too (one line on stderr).
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``tapeout compare``."""
    parser.add_argument("run_dir", type=Path, metavar="RUN_DIR", help="a run directory")
    parser.add_argument("rules", type=Path, metavar="RULES_JSON", help="rules-base.json")
    parser.add_argument(
        "--strict", action="store_true", help="rules whose metric the run lacks count as failures"
    )


def execute(args: argparse.Namespace) -> int:
    """Print the comparison table; 1 when a rule fails."""
    results = compare_run(args.run_dir, args.rules)
    Console(width=120).print(comparison_table(results))
    counts = {outcome: 0 for outcome in ("pass", "FAIL", "warn", "n/a")}
    for result in results:
        counts[result.outcome] += 1
    print(
        f"{counts['pass']} pass, {counts['FAIL']} fail, {counts['warn']} warn, "
        f"{counts['n/a']} not measured"
    )
    failed = counts["FAIL"] > 0 or (args.strict and counts["n/a"] > 0)
    return 1 if failed else 0


def comparison_table(results: list[RuleResult]) -> Table:
    """metric | ours | rule | outcome."""
    table = Table(title="metrics against the reference flow's rules")
    table.add_column("metric")
    table.add_column("ours", justify="right")
    table.add_column("rule", justify="right")
    table.add_column("result")
    styles = {"pass": "green", "FAIL": "bold red", "warn": "yellow", "n/a": "dim"}
    for result in results:
        ours = "" if result.ours is None else _format(result.ours)
        rule = f"{result.rule.compare} {_format(result.rule.value)}"
        if result.rule.level == "warning":
            rule += " (warning)"
        style = styles[result.outcome]
        table.add_row(result.rule.metric, ours, rule, f"[{style}]{result.outcome}[/{style}]")
    return table


def _format(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    text = str(value)
    return text if len(text) <= 16 else text[:13] + "..."
