"""The Markdown report, written to be pasted into a PR comment: a summary table, each
comparison's numbers and verdict, the flipped cases, the prompt diff folded away, gates."""

from __future__ import annotations

import re

from scaffold.engine.summary import GroupSummary
from scaffold import text_format as text
from scaffold.report.data import ComparedPair, RunReport
from scaffold.registry import registers

MAX_LISTED_FLIPS = 20
"""Flipped case ids listed per direction; more are counted, not named."""


def _cell(value: str) -> str:
    """Text safe inside a table cell."""
    return value.replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list[str]], right: range = range(0)) -> list[str]:
    """A Markdown table; the columns in `right` (numbers) align right."""
    align = ["---:" if index in right else "---" for index in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(_cell(value) for value in row) + " |" for row in rows]
    return lines


def _fenced(body: str, language: str = "") -> list[str]:
    """A code block whose fence is longer than any run of backticks in `body`."""
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}{language}", body, fence]


def summary_table(groups: list[GroupSummary]) -> list[str]:
    """One row per group: pass rate with its interval, errors, tokens, cost, latency."""
    agentic = any((group.turns_per_cell or 0) > 1 or group.tool_calls_per_cell for group in groups)
    header = ["variant", "scaffold", "model", "n", "pass rate", "95% CI", "errors",
              "tokens/cell", "tokens/pass", "cost", "p50"]
    header += ["turns/cell", "tools/cell"] if agentic else []
    rows = []
    for group in groups:
        row = [
            f"`{group.variant}`", group.scaffold, group.model, str(group.n), text.percent(group.pass_rate),
            text.wilson(group.ci95), str(group.errors), text.number(group.mean_tokens_per_cell),
            text.number(group.tokens_per_pass), text.cost(group.cost_usd), text.seconds(group.latency_p50),
        ]
        if agentic:
            row += [text.number(group.turns_per_cell, 2), text.number(group.tool_calls_per_cell, 2)]
        rows.append(row)
    return _table(header, rows, right=range(3, len(header)))


def _flip_ids(case_ids: list[str]) -> str:
    shown = ", ".join(f"`{case_id}`" for case_id in case_ids[:MAX_LISTED_FLIPS])
    more = f" and {len(case_ids) - MAX_LISTED_FLIPS} more" if len(case_ids) > MAX_LISTED_FLIPS else ""
    return f" ({shown}{more})" if case_ids else ""


def comparison_markdown(pair: ComparedPair, heading: str = "####") -> str:
    """One comparison: its numbers as a table, the flipped case ids, the verdict, the prompt diff."""
    c = pair.comparison
    p_value = f"p={text.format_p(c.p_value)}"
    if c.p_value_holm is not None:
        p_value += f" (Holm {text.format_p(c.p_value_holm)})"
    pass_change = f"{text.points(c.delta)} {text.points_interval(c.ci95)}, {p_value}"
    rows = text.comparison_rows(c, f"**{pass_change}**" if c.significant else pass_change)
    a_label, b_label, _ = text.pair_labels(c)
    lines = [f"{heading} {_cell(text.pair_title(c))}", "", f"{c.paired_n} paired cases", ""]
    lines += _table(["", f"a: {a_label}", f"b: {b_label}", "change"], rows, right=range(1, 3))
    lines += [
        "",
        f"Flipped: fixed {len(c.b_only)}{_flip_ids(c.b_only)} · broke {len(c.a_only)}{_flip_ids(c.a_only)}",
        "",
        f"> **Verdict:** {c.verdict}",
    ]
    if pair.prompt_diff:
        lines += ["", "<details><summary>Prompt diff</summary>", "", *_fenced(pair.prompt_diff, "diff"), "", "</details>"]
    return "\n".join(lines)


def comparisons_markdown(pairs: list[ComparedPair]) -> str:
    """Several comparisons, as `scaffold diff --format md` prints them."""
    return "\n\n".join(comparison_markdown(pair, heading="###") for pair in pairs) + "\n"


@registers("report", "md")
def render(report: RunReport) -> str:
    """The whole report."""
    run, summary = report.run, report.summary
    git = run.manifest.get("git") or {}
    commit = git.get("commit")
    git_text = f" · git `{commit[:7]}`{' (dirty)' if git.get('dirty') else ''}" if commit else ""
    lines = [
        f"## scaffold · {run.experiment} · run `{run.run_id}`",
        "",
        f"**{run.manifest.get('status', 'unknown')}** · {summary.total} cells: {summary.passed} passed, "
        f"{summary.failed} failed, {summary.errors} errors{git_text}",
        "",
        *summary_table(summary.groups),
    ]
    if report.comparisons:
        lines += ["", "### Comparisons"]
        lines += ["\n" + comparison_markdown(pair) for pair in report.comparisons]
    if report.gates:
        lines += ["", "### Gates", ""]
        lines += _table(
            ["", "gate", "detail"],
            [["✅" if gate.ok else "❌", f"`{gate.gate}`", gate.detail] for gate in report.gates],
        )
    return "\n".join(lines) + "\n"
