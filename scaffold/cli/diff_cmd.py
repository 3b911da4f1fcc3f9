"""`scaffold diff [RUN_A [RUN_B]]`: A vs B on the same cases, as a compact block per comparison.

`diff RUN` (default `last`) compares the baseline (the first variant) with each other variant
in every scaffold × model slice; when the run has one variant, the first scaffold with each
other scaffold (then models). `--a X --b Y` name the pair: two variants, two scaffolds (a
scaffold-vs-scaffold diff of the same variant) or two models; the other two names are held
equal. `diff RUN_A RUN_B` compares the same groups across two runs, or A's `--a` with B's
`--b`. `--tag T` compares on the cases tagged T only; `--by tag` gives one block per tag
(DESIGN 9); then each `--json` comparison carries its `"tag"`. A comparison where a tool
failed on either side shows the recovery rate a → b. `--json` prints DESIGN 2.1's diff
shape plus `prompt_diff`; `--format md` Markdown.
Exit 2 with one line for a bad run reference or a name the run does not have.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from scaffold.cli.errors import print_usage_error

if TYPE_CHECKING:
    from rich.text import Text

    from scaffold.compare.comparison import Comparison
    from scaffold.compare.selection import StoredRun
    from scaffold.report.data import ComparedPair

MAX_FLIPS_SHOWN = 20
"""Flipped cases listed per direction on the terminal; the rest are counted."""
LABEL_WIDTH = 13
VALUES_WIDTH = 22


def main(args: argparse.Namespace) -> int:
    from scaffold.compare.selection import SelectionError, load_run
    from scaffold.report.data import ComparedPair

    refs = list(args.runs) or ["last"]
    if len(refs) > 2:
        return print_usage_error("diff", f"give one run or two (RUN_A RUN_B), got {len(refs)}")
    try:
        runs = [load_run(ref) for ref in refs]
        blocks = [
            (tag, [ComparedPair.of(comparison) for comparison in comparisons])
            for tag, comparisons in _comparisons_by_tag(args, runs)
        ]
    except SelectionError as error:
        return print_usage_error("diff", str(error))
    from scaffold.compare.sequential_view import savings_line, sequential_savings

    savings = sequential_savings(runs[0].manifest) if len(runs) == 1 else None
    if args.json:
        shapes = [
            {**pair.to_json(), **({"tag": tag} if tag is not None else {}), **({"sequential": savings} if savings else {})}
            for tag, pairs in blocks
            for pair in pairs
        ]
        single = len(shapes) == 1 and args.by is None
        print(json.dumps(shapes[0] if single else shapes, indent=2, ensure_ascii=False))
    elif args.format == "md":
        from scaffold.report.md import comparisons_markdown

        for tag, pairs in blocks:
            if tag is not None:
                print(f"## tag {tag}\n")
            print(comparisons_markdown(pairs), end="")
    else:
        if savings:
            print(savings_line(savings))
        for index, (tag, pairs) in enumerate(blocks):
            if index:
                print()
            print_pairs(pairs, tag)
    return 0


def _comparisons_by_tag(args: argparse.Namespace, runs: "list[StoredRun]") -> "list[tuple[str | None, list[Comparison]]]":
    """The comparisons, as one block (tag None), or one block per tag with `--by tag`, or
    over the cases of `--tag T` only. Raises SelectionError."""
    from scaffold.compare.selection import SelectionError, comparisons_across, comparisons_within
    from scaffold.compare.slices import tags_in_order

    narrowing = {"a": args.a, "b": args.b, "model": args.model, "scaffold": args.scaffold}

    def compared(sides: "list[StoredRun]") -> "list[Comparison]":
        if len(sides) == 1:
            return comparisons_within(sides[0], **narrowing)
        return comparisons_across(sides[0], sides[1], **narrowing)

    if args.tag is None and args.by is None:
        return [(None, compared(runs))]
    known = tags_in_order({case: tags for run in runs for case, tags in run.case_tags.items()})
    if args.tag is not None:
        if args.tag not in known:
            from scaffold.spec.errors import did_you_mean

            listing = f"; tags: {', '.join(known)}" if known else "; its cases have no tags"
            raise SelectionError(f"--tag {args.tag}: no case of the run has this tag{did_you_mean(args.tag, known)}{listing}")
        known = [args.tag]
    if not known:
        raise SelectionError("--by tag: the run's cases have no tags")
    blocks = []
    for tag in known:
        sides = [run.tagged(tag) for run in runs]
        if any(side.results for side in sides):
            blocks.append((tag, compared(sides)))
    return blocks


def print_pairs(pairs: "list[ComparedPair]", tag: str | None = None) -> None:
    """Each comparison as a block: numbers, prompt diff, flipped cases, verdict; under a
    `tag T` heading when the comparisons are of one tag's cases."""
    from rich.console import Console

    console = Console(highlight=False, soft_wrap=True)
    if tag is not None:
        console.print(f"tag {tag}", style="bold underline", markup=False)
    for index, pair in enumerate(pairs):
        if index:
            console.print()
        for line in comparison_block(pair):
            console.print(line)


def _tone(comparison: "Comparison") -> str:
    """Green for a significant gain, red for a significant loss, yellow for noise."""
    if not comparison.significant or not comparison.delta:
        return "yellow"
    return "green" if comparison.delta > 0 else "red"


def _token_tone(interval: tuple[float, float] | None) -> str:
    if interval is None or interval[0] <= 0 <= interval[1]:
        return ""
    return "green" if interval[1] < 0 else "red"


def _row(label: str, values: str, *rest: "str | tuple[str, str]") -> "Text":
    from rich.text import Text

    return Text.assemble("  ", (label.ljust(LABEL_WIDTH), "bold"), values.ljust(VALUES_WIDTH), *rest)


def _mark(score: float) -> tuple[str, str]:
    """✓ / ✗ for a case passed / failed; with repeats, its pass rate."""
    if score in (0.0, 1.0):
        return ("✓", "green") if score else ("✗", "red")
    return (f"{score * 100:.0f}%", "yellow")


def comparison_block(pair: "ComparedPair") -> "list[Text]":
    """The lines of one comparison (rich Text; outputs are never read as markup)."""
    from rich.text import Text

    from scaffold import text_format as text

    c = pair.comparison
    a, b = c.a_stats, c.b_stats
    p_value = f"p={text.format_p(c.p_value)}" + (
        f" (Holm {text.format_p(c.p_value_holm)})" if c.p_value_holm is not None else ""
    ) + (" anytime-valid" if c.sequential else "")
    lines = [
        Text(f"diff · {text.pair_title(c)} · {c.paired_n} paired cases", style="bold"),
        _row(
            "pass rate", f"{text.percent(a.pass_rate)} → {text.percent(b.pass_rate)}",
            (text.points(c.delta), _tone(c)), f"  {text.points_interval(c.ci95)}  {p_value}   ",
            (f"fixed {len(c.b_only)}", "green" if c.b_only else ""), " · ",
            (f"broke {len(c.a_only)}", "red" if c.a_only else ""),
        ),
        _row(
            "tokens/cell", f"{text.number(a.tokens_mean)} → {text.number(b.tokens_mean)}",
            (text.relative(c.tokens_delta_pct), _token_tone(c.tokens_ci95_pct)),
            f"  {text.relative_interval(c.tokens_ci95_pct)}",
        ),
        _row(
            "tokens/pass", f"{text.number(a.tokens_per_pass)} → {text.number(b.tokens_per_pass)}",
            f"cost {text.cost(a.cost_usd)} → {text.cost(b.cost_usd)}   ",
            f"p50 {text.seconds(a.latency_p50)} → {text.seconds(b.latency_p50)}",
        ),
    ]
    if c.agentic:
        lines.append(_row(
            "turns/cell", f"{text.number(a.turns_per_cell, 2)} → {text.number(b.turns_per_cell, 2)}",
            f"tool calls/cell {text.number(a.tool_calls_per_cell, 2)} → {text.number(b.tool_calls_per_cell, 2)}",
        ))
    if c.has_recovery:
        lines.append(_row("recovery", f"{text.percent(a.recovery_rate)} → {text.percent(b.recovery_rate)}"))
    lines += _prompt_diff_lines(pair)
    lines += _flip_lines(pair)
    lines.append(Text.assemble("  ", ("verdict: ", "bold"), (c.verdict, _tone(c))))
    return lines


def _prompt_diff_lines(pair: "ComparedPair") -> "list[Text]":
    from rich.text import Text

    if not pair.prompt_diff:
        return [Text("  prompt: the same on both sides", style="dim")] if pair.comparison.paired_n else []
    styles = (("+++", "bold"), ("---", "bold"), ("@@", "cyan"), ("+", "green"), ("-", "red"))
    lines = [Text("  prompt diff", style="bold")]
    for line in pair.prompt_diff.splitlines():
        style = next((style for prefix, style in styles if line.startswith(prefix)), "")
        lines.append(Text("    " + line, style=style))
    return lines


def _flip_lines(pair: "ComparedPair") -> "list[Text]":
    from rich.text import Text

    from scaffold.text_format import snippet

    if not pair.flips:
        return []
    lines = [Text("  flipped cases", style="bold")]
    width = max(len(flip.case_id) for flip in pair.flips)
    for better in ("b", "a"):
        flips = [flip for flip in pair.flips if flip.better == better]
        for flip in flips[:MAX_FLIPS_SHOWN]:
            a_output = flip.example_a.output if flip.example_a else None
            b_output = flip.example_b.output if flip.example_b else None
            lines.append(Text.assemble(
                "    ", ("✓" if better == "b" else "✗", "green" if better == "b" else "red"),
                f" {flip.case_id.ljust(width)}  a ", _mark(flip.score_a), f" {snippet(a_output)}  b ",
                _mark(flip.score_b), f" {snippet(b_output)}",
            ))
        if len(flips) > MAX_FLIPS_SHOWN:
            lines.append(Text(f"    … and {len(flips) - MAX_FLIPS_SHOWN} more", style="dim"))
    return lines
