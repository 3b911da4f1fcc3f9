"""`scaffold show RUN [--case ID] [--failed]`: each cell's transcript and check results.

Cells come in the order they finished; `--case` keeps one case (every group and repeat of
it), `--failed` only failed and errored cells. Exit 2 for a bad run or an unknown case.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from scaffold.cli.errors import print_usage_error

if TYPE_CHECKING:
    from rich.text import Text

    from scaffold.cells import CellResult

STATUS_STYLES = {"passed": "green", "failed": "red", "error": "magenta"}


def main(args: argparse.Namespace) -> int:
    from rich.console import Console

    from scaffold.compare.selection import SelectionError, load_run
    from scaffold.spec.errors import did_you_mean

    try:
        run = load_run(args.run)
    except SelectionError as error:
        return print_usage_error("show", str(error))
    cells = list(run.results)
    if args.case is not None:
        case_ids = list(dict.fromkeys(result.key.case_id for result in cells))
        if args.case not in case_ids:
            return print_usage_error("show", f"--case {args.case}: no such case in run {run.run_id}{did_you_mean(args.case, case_ids)}")
        cells = [result for result in cells if result.key.case_id == args.case]
    if args.failed:
        cells = [result for result in cells if result.status != "passed"]
    console = Console(highlight=False, soft_wrap=True)
    if not cells:
        console.print(f"no {'failed or errored ' if args.failed else ''}cells to show in run {run.run_id}")
        return 0
    for index, result in enumerate(cells):
        if index:
            console.print()
        for line in cell_lines(result):
            console.print(line)
    return 0


def _heading(result: "CellResult") -> "Text":
    from rich.text import Text

    from scaffold.text_format import seconds

    key = result.key
    facts = [f"{result.usage().total} tokens", seconds(result.latency_s)]
    if result.score is not None:
        facts.insert(0, f"score {result.score:.2f}")
    if result.turns > 1 or result.tool_calls:
        facts.append(f"{result.turns} turns, {sum(result.tool_calls.values())} tool calls")
    return Text.assemble(
        (f"── {key.case_id} #{key.repeat}", "bold"),
        f" · {key.variant} · {key.scaffold} · {key.model} · ",
        (result.status, f"bold {STATUS_STYLES.get(result.status, '')}"),
        " · " + " · ".join(facts),
    )


def _message_lines(message: dict[str, Any]) -> list["Text"]:
    from rich.text import Text

    role = str(message.get("role", "?"))
    content = message.get("content")
    if isinstance(content, list):
        content = "\n".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    label = (f"{role:<10}", "bold cyan" if role == "assistant" else "bold")
    lines = []
    text_lines = str(content).splitlines() if content else []
    for number, line in enumerate(text_lines):
        lines.append(Text.assemble("  ", label if number == 0 else " " * 10, " ", line))
    for call in message.get("tool_calls") or ():
        function = call.get("function", {})
        call_text = f"→ {function.get('name', '?')}({function.get('arguments', '')})"
        lines.append(Text.assemble("  ", label if not lines else " " * 10, " ", (call_text, "yellow")))
    return lines or [Text.assemble("  ", label, " ", ("(empty)", "dim"))]


def cell_lines(result: "CellResult") -> list["Text"]:
    """One cell as lines: heading, transcript, output, checks, error (never read as markup)."""
    from rich.text import Text

    lines = [_heading(result)]
    for message in result.transcript:
        lines += _message_lines(message)
    if result.output is not None:
        lines.append(Text.assemble("  ", ("output    ", "bold"), " ", result.output.strip() or '""'))
    for check in result.checks:
        mark = ("✓", "green") if check.passed else ("✗", "red")
        weight = "" if check.weight == 1 else f" (weight {check.weight:g})"
        reason = f": {check.reason}" if check.reason else ""
        lines.append(Text.assemble("    ", mark, f" {check.name}{weight}{reason}"))
    if result.error:
        lines.append(Text.assemble("  ", ("error     ", "bold magenta"), f" {result.error_type or 'error'}: {result.error}"))
    return lines
