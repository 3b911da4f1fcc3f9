"""A against B on the cases both graded: the DESIGN 2.1 numbers coloured (green better, red
worse, yellow not significant), the prompt text diff, and the cases that flipped."""

from __future__ import annotations

import asyncio
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Footer, Static

from scaffold.compare.comparison import Comparison
from scaffold.tui.run_view import (
    FlippedCase,
    GroupKey,
    RunView,
    flipped_cases,
    prompt_diff,
)
from scaffold.tui.screens.base import ScaffoldScreen
from scaffold.text_format import cost, number, one_line, percent, seconds
from scaffold.tui.widgets.tables import Cell, fill_table
from scaffold.tui.widgets.title_bar import TitleBar
from scaffold.tui.widgets.verdict import (
    BETTER,
    WORSE,
    pass_rate_style,
    signed,
    tokens_style,
)

FLIP_COLUMNS = [("mark", ""), ("case", "case"), ("b", "B's output"), ("a", "A's output")]
DIFF_STYLES = {"-": "red", "+": "green", "@": "dim"}
"""Unified diff lines by their first character: removed, added, hunk header."""


def _p(p: float | None) -> str:
    if p is None:
        return "n/a"
    return f"{p:.2g}" if p < 0.001 else f"{p:.3f}"


def _bounds(pair: tuple[float, float] | None, scale: float, digits: int = 1) -> str:
    if pair is None:
        return ""
    return f"[{signed(pair[0] * scale, '', digits)}, {signed(pair[1] * scale, '', digits)}]"


def diff_numbers(c: Comparison) -> Text:
    """The four lines of the sketch in DESIGN 5, coloured."""
    p = c.p_value_holm if c.p_value_holm is not None else c.p_value
    a, b = c.a_stats, c.b_stats
    text = Text()
    text.append(f"pass rate   {percent(a.pass_rate):>7} → {percent(b.pass_rate):<7}  ")
    delta = signed(None if c.delta is None else c.delta * 100, " pts")
    p_name = "p(Holm)" if c.p_value_holm is not None else "p"  # adjusted with the baseline's other comparisons
    text.append(f"{delta} {_bounds(c.ci95, 100)}  {p_name}={_p(p)}", style=pass_rate_style(c))
    text.append(f"   fixed {len(c.b_only)} · broke {len(c.a_only)}\n")
    text.append(f"tokens/cell {number(a.tokens_mean):>7} → {number(b.tokens_mean):<7}  ")
    text.append(f"{signed(c.tokens_delta_pct, '%')} {_bounds(c.tokens_ci95_pct, 1)}", style=tokens_style(c))
    text.append("\n")
    text.append(
        f"tokens/pass {number(a.tokens_per_pass):>7} → {number(b.tokens_per_pass):<7}  "
        f"cost {cost(a.cost_usd)} → {cost(b.cost_usd)}   p50 {seconds(a.latency_p50)} → {seconds(b.latency_p50)}\n"
    )
    text.append("verdict: ", style="bold")
    text.append(c.verdict, style=pass_rate_style(c))
    text.append("\n")
    text.append("green: B better · red: B worse · yellow: not significant (p ≥ 0.05 or interval spans 0)", style="dim")
    return text


def diff_text(lines: list[str]) -> Text:
    """A unified diff coloured: removed red, added green, hunks dim."""
    if not lines:
        return Text("the two prompts are the same", style="dim")
    text = Text()
    for line in lines:
        text.append(line + "\n", style=DIFF_STYLES.get(line[:1], ""))
    return text


class DiffScreen(ScaffoldScreen):
    """Group A against group B of one run."""

    BINDINGS = [
        Binding("tab", "app.focus_next", "next pane"),
    ]

    def __init__(self, run_dir: Path, a: GroupKey, b: GroupKey):
        super().__init__()
        self.run_dir = run_dir
        self.a = a
        self.b = b
        self.run: RunView | None = None
        self.comparison: Comparison | None = None
        self.flips: list[FlippedCase] = []

    def compose(self) -> ComposeResult:
        yield TitleBar(f"diff · {self.a[0]} → {self.b[0]}", "comparing…")
        yield Static("", id="diff-numbers")
        with Horizontal(id="diff-panes"):
            with VerticalScroll(id="prompt-diff") as scroll:
                scroll.border_title = "prompt diff (A → B)"
                yield Static("", id="prompt-diff-text")
            flips: DataTable[str] = DataTable(id="flips", cursor_type="row", zebra_stripes=True)
            flips.border_title = "flipped cases · enter: both transcripts"
            flips.border_subtitle = "✓ fixed by B · ✗ broken by B"
            yield flips
        yield Footer()

    def on_mount(self) -> None:
        fill_table(self.query_one("#flips", DataTable), FLIP_COLUMNS, [])
        self.load()

    @work(exclusive=True)
    async def load(self) -> None:
        """Pair the two groups off the UI thread (the bootstrap takes a moment on big runs)."""

        def work_out() -> tuple[RunView, Comparison, list[FlippedCase], list[str]]:
            run = self.scaffold_app.runs.get(self.run_dir)
            comparison = run.compare(self.a, self.b)
            flips = flipped_cases(run, comparison, self.a, self.b)
            first = next(iter(run.case_order(comparison.paired.case_ids)), None)
            lines = prompt_diff(run.cell(self.a, first), run.cell(self.b, first)) if first else []
            return run, comparison, flips, lines

        self.run, self.comparison, self.flips, lines = await asyncio.to_thread(work_out)
        self.show(lines)

    def show(self, prompt_lines: list[str]) -> None:
        """Fill the numbers, the prompt diff and the flipped cases."""
        c, a, b = self.comparison, self.a, self.b
        assert c is not None
        where = " · ".join(part for part, other in zip(b[1:], a[1:], strict=True) if part == other)
        sides = "" if a[1:] == b[1:] else f" ({a[1]} · {a[2]} → {b[1]} · {b[2]})"
        self.query_one(TitleBar).set(f"diff · {a[0]} → {b[0]}{sides} · {where}", f"{c.paired_n} paired cases")
        self.query_one("#diff-numbers", Static).update(diff_numbers(c))
        self.query_one("#prompt-diff-text", Static).update(diff_text(prompt_lines))
        table = self.query_one("#flips", DataTable)
        rows: list[tuple[str, list[Cell]]] = []
        for flip in self.flips:
            mark = Text("✓", style=BETTER) if flip.fixed else Text("✗", style=WORSE)
            rows.append((flip.case_id, [mark, flip.case_id, one_line(flip.output_b, 40), one_line(flip.output_a, 40)]))
        fill_table(table, FLIP_COLUMNS, rows)
        if not self.flips:
            table.border_subtitle = "no case flipped: A and B pass the same cases"
        table.focus()

    @on(DataTable.RowSelected, "#flips")
    def _selected(self, event: DataTable.RowSelected) -> None:
        self.open_case(str(event.row_key.value))

    def open_case(self, case_id: str) -> None:
        """Both transcripts of `case_id` side by side."""
        if self.run is not None:
            self.scaffold_app.open_case(self.run, self.a, self.b, case_id)
