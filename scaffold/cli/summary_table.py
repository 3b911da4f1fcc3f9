"""The per-group summary as a table on stdout (the JSON shape is compare/run_result.py's `RunResult`)."""

from __future__ import annotations

from typing import Any

from scaffold.engine.summary import GroupSummary, RunSummary
from scaffold.text_format import cost, number, percent, seconds, wilson


def print_summary(summary: RunSummary, title: str) -> None:
    """Print one row per group: pass rate with its Wilson interval, tokens, cost, latency.
    A column that is the same for every group (one model, one scaffold) moves to the title."""
    import sys

    from rich.console import Console
    from rich.table import Table

    groups = summary.groups
    varying = [axis for axis in ("variant", "scaffold", "model") if len({getattr(g, axis) for g in groups}) > 1]
    constant = [getattr(groups[0], axis) for axis in ("scaffold", "model") if axis not in varying] if groups else []
    agentic = any((group.turns_per_cell or 0) > 1 or group.tool_calls_per_cell for group in groups)
    faulty = any(group.tool_errors for group in groups)
    table = Table(title=" · ".join([title, *constant]), title_justify="left")
    for axis in varying or ["variant"]:
        table.add_column(axis)
    for column in ("n", "pass rate", "95% CI", "errors", "tokens/cell", "tokens/pass", "cost", "p50"):
        table.add_column(column, justify="right")
    if agentic:
        table.add_column("turns/cell", justify="right")
        table.add_column("tools/cell", justify="right")
    if faulty:
        table.add_column("tool errors", justify="right")
        table.add_column("recovery", justify="right")
    for group in groups:
        names = [getattr(group, axis) for axis in varying or ["variant"]]
        recovery = [str(group.tool_errors), percent(group.recovery_rate)] if faulty else []
        table.add_row(*names, *_numbers(group, agentic), *recovery)
    Console(highlight=False, width=None if sys.stdout.isatty() else 200).print(table)


def _numbers(group: GroupSummary, agentic: bool) -> list[str]:
    row = [
        str(group.n),
        percent(group.pass_rate),
        wilson(group.ci95),
        str(group.errors),
        number(group.mean_tokens_per_cell),
        number(group.tokens_per_pass),
        cost(group.cost_usd),
        seconds(group.latency_p50),
    ]
    if agentic:
        row += [number(group.turns_per_cell, 2), number(group.tool_calls_per_cell, 2)]
    return row


def print_sequential(sequential: dict[str, Any]) -> None:
    """Under the table of a `--until-decided` run: where it stopped, what that saved, and each
    comparison's decision with its always-valid p and interval."""
    from scaffold.text_format import format_p, points, points_interval

    cases = f"{sequential['cases_run']} of {sequential['cases_planned']} cases"
    if sequential["stopped_early"]:
        saved = sequential["tokens_saved_estimate"]
        tokens = "" if saved is None else f", ~{saved:,} tokens"
        print(f"sequential: stopped early at {cases}, every comparison decided; saved {sequential['cells_saved']:,} cells{tokens}")
    else:
        print(f"sequential: ran {cases}; not every comparison was decided before the last case")
    for decision in sequential["decisions"]:
        interval = tuple(decision["interval"]) if decision.get("interval") else None
        where = " · ".join(decision.get("slice") or [])
        print(
            f"  {decision['a']} → {decision['b']} ({where}): {decision['decision']}, "
            f"{points(decision.get('delta'))} {points_interval(interval)} p={format_p(decision['p_value'])} (anytime-valid)"
        )
