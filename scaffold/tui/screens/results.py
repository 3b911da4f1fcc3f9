"""A run's groups as a sortable table; mark two rows and diff them.

`space` marks a row (A first, then B), `d` opens the diff of the two marks — or, with fewer
marks, of the baseline against the row under the cursor. `s` cycles the sort column; a click
on a column header sorts by it. `t` groups the rows by case tag (each group once per tag,
its numbers over that tag's cases) and back.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Callable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static

from scaffold.engine.summary import GroupSummary
from scaffold.tui.run_view import GroupKey, RunView, group_label
from scaffold.tui.screens.base import ScaffoldScreen
from scaffold.text_format import cost, number, percent, seconds, wilson
from scaffold.tui.widgets.tables import Cell, fill_table
from scaffold.tui.widgets.title_bar import TitleBar
from scaffold.tui.widgets.verdict import short_verdict

SortKey = Callable[[GroupSummary], Any]
_LOW = float("-inf")
_HIGH = float("inf")

COLUMNS: list[tuple[str, str]] = [
    ("mark", ""), ("variant", "variant"), ("scaffold", "scaffold"), ("model", "model"), ("n", "n"),
    ("pass", "pass rate"), ("ci", "95% CI"), ("versus", "vs baseline"), ("errors", "errors"),
    ("tokens", "tokens/cell"), ("per_pass", "tokens/pass"), ("cost", "cost"), ("p50", "p50 latency"),
    ("turns", "turns/cell"),
]

SORTS: dict[str, tuple[str, SortKey, bool]] = {
    "variant": ("variant", lambda g: g.variant, False),
    "scaffold": ("scaffold", lambda g: g.scaffold, False),
    "model": ("model", lambda g: g.model, False),
    "n": ("n", lambda g: float(g.n), True),
    "pass": ("pass rate", lambda g: _LOW if g.pass_rate is None else g.pass_rate, True),
    "ci": ("95% CI", lambda g: _LOW if g.ci95 is None else g.ci95[0], True),
    "tokens": ("tokens/cell", lambda g: _HIGH if g.mean_tokens_per_cell is None else g.mean_tokens_per_cell, False),
    "per_pass": ("tokens/pass", lambda g: _HIGH if g.tokens_per_pass is None else g.tokens_per_pass, False),
    "cost": ("cost", lambda g: _HIGH if g.cost_usd is None else g.cost_usd, False),
    "p50": ("p50 latency", lambda g: _HIGH if g.latency_p50 is None else g.latency_p50, False),
    "turns": ("turns/cell", lambda g: _HIGH if g.turns_per_cell is None else g.turns_per_cell, False),
    "errors": ("errors", lambda g: float(g.errors), False),
}
"""column key -> (name, value, best first descending?); each sort puts the best group on top."""
SORT_CYCLE = [None, "pass", "tokens", "per_pass", "cost", "p50", "turns"]
MARK_HINTS = ["space marks A", "space marks B (or d: A against the cursor row)", "d: diff A → B"]
"""What to press next, by how many rows are marked."""


def _row_key(key: GroupKey) -> str:
    return "\t".join(key)


def group_row(group: GroupSummary, mark: str, versus: Cell) -> list[Cell]:
    """The table cells of one group."""
    return [
        mark, group.variant, group.scaffold, group.model, str(group.n), percent(group.pass_rate),
        wilson(group.ci95), versus, str(group.errors), number(group.mean_tokens_per_cell),
        number(group.tokens_per_pass), cost(group.cost_usd), seconds(group.latency_p50),
        number(group.turns_per_cell, 2),
    ]


class ResultsScreen(ScaffoldScreen):
    """The groups of one run."""

    BINDINGS = [
        Binding("space", "mark", "mark A/B"),
        Binding("d", "diff", "diff"),
        Binding("s", "sort", "sort"),
        Binding("c", "chart", "chart"),
        Binding("t", "by_tag", "by tag"),
    ]

    def __init__(self, run_dir: Path):
        super().__init__()
        self.run_dir = run_dir
        self.run: RunView | None = None
        self.marked: list[GroupKey] = []
        self.sort_column: str | None = None
        self.reverse = False
        self.versus: dict[GroupKey, Cell] = {}
        """Each group against its baseline, once computed (`baseline` on the baselines)."""
        self.by_tag = False
        """Rows per (tag, group) instead of per group."""

    def compose(self) -> ComposeResult:
        yield TitleBar(f"results · {self.run_dir.name}", "loading…")
        table: DataTable[str] = DataTable(id="groups", cursor_type="row", zebra_stripes=True)
        table.border_title = "groups · space: mark A then B · d: diff · s: sort"
        yield table
        yield Static("", id="results-hint", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        fill_table(self.query_one("#groups", DataTable), COLUMNS, [])
        self.load()

    @work(exclusive=True)
    async def load(self) -> None:
        """Read the run off the UI thread (10,000 cells take a moment), then fill the table."""
        self.run = await asyncio.to_thread(self.scaffold_app.runs.get, self.run_dir)
        run = self.run
        self.query_one(TitleBar).set(
            f"results · {run.experiment} · run {run.run_id} · {run.status}", f"{run.cell_count:,} cells"
        )
        self.fill()
        self.query_one("#groups", DataTable).focus()
        family = await asyncio.to_thread(run.baseline_comparisons)
        self.versus = {key: short_verdict(comparison) for key, comparison in family.items()}
        self.versus.update({comparison.a.group: Text("baseline", style="dim") for comparison in family.values()})
        self.fill()

    def sorted_groups(self) -> list[GroupSummary]:
        """The groups in the chosen order (the experiment's order when unsorted)."""
        groups = list(self.run.groups) if self.run else []
        if self.sort_column in SORTS:
            _, value, descending = SORTS[self.sort_column]
            groups.sort(key=value, reverse=descending != self.reverse)
        return groups

    def fill(self) -> None:
        """(Re)draw every row, keeping the cursor on the same group."""
        table = self.query_one("#groups", DataTable)
        current = self.cursor_group()
        rows = []
        if self.by_tag and self.run is not None:
            for tag, group in self.run.tag_groups():
                rows.append((f"{tag}\t{_row_key(group.key)}", [tag, *group_row(group, "", "—")]))
            fill_table(table, [("tag", "tag"), *COLUMNS], rows)
            self._hint()
            return
        for group in self.sorted_groups():
            key = group.key
            mark = "A" if self.marked[:1] == [key] else "B" if self.marked[1:2] == [key] else ""
            rows.append((_row_key(key), group_row(group, mark, self.versus.get(key, "—"))))
        fill_table(table, COLUMNS, rows)
        if current is not None:
            table.move_cursor(row=table.get_row_index(_row_key(current)))
        self._hint()

    def _hint(self) -> None:
        if self.by_tag:
            tags = len({tag for tag, _ in self.run.tag_groups()}) if self.run else 0
            message = f"grouped by tag ({tags} tags) · t: back to groups" if tags else "the run's cases have no tags · t: back"
            self.query_one("#results-hint", Static).update(message)
            return
        order = "experiment order" if self.sort_column is None else (
            SORTS[self.sort_column][0] + (" (reversed)" if self.reverse else "")
        )
        marks = " · ".join(f"{name}: {group_label(key)}" for name, key in zip("AB", self.marked, strict=False))
        todo = MARK_HINTS[len(self.marked)]
        self.query_one("#results-hint", Static).update(f"sorted by {order} · {marks + ' · ' if marks else ''}{todo}")

    def cursor_group(self) -> GroupKey | None:
        table = self.query_one("#groups", DataTable)
        if table.row_count == 0:
            return None
        row_key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        variant, scaffold, model = str(row_key).split("\t")[-3:]  # by tag, the tag comes first
        return GroupKey(variant, scaffold, model)

    def action_mark(self) -> None:
        """Mark (or unmark) the row under the cursor; a third mark replaces B."""
        key = self.cursor_group()
        if key is None:
            return
        if key in self.marked:
            self.marked.remove(key)
        elif len(self.marked) < 2:
            self.marked.append(key)
        else:
            self.marked[1] = key
        self.fill()

    def diff_pair(self) -> tuple[GroupKey, GroupKey] | None:
        """Two marks; else the mark (or the baseline) against the cursor row."""
        if len(self.marked) == 2:
            return self.marked[0], self.marked[1]
        cursor = self.cursor_group()
        if cursor is None or self.run is None:
            return None
        a = self.marked[0] if self.marked else self.run.baseline_for(cursor)
        return (a, cursor) if a is not None and a != cursor else None

    def action_diff(self) -> None:
        pair = self.diff_pair()
        if pair is None:
            self.notify("mark two rows with space (A, then B), then press d", severity="warning")
            return
        self.scaffold_app.open_diff(self.run_dir, *pair)

    def action_sort(self) -> None:
        """Next sort column: pass rate, tokens/cell, tokens/pass, cost, latency, turns, none."""
        position = SORT_CYCLE.index(self.sort_column) if self.sort_column in SORT_CYCLE else 0
        self.sort_column, self.reverse = SORT_CYCLE[(position + 1) % len(SORT_CYCLE)], False
        self.fill()

    @on(DataTable.HeaderSelected)
    def _sort_by_header(self, event: DataTable.HeaderSelected) -> None:
        column = str(event.column_key.value)
        if column not in SORTS:
            return
        self.reverse = not self.reverse if column == self.sort_column else False
        self.sort_column = column
        self.fill()

    def action_by_tag(self) -> None:
        """Group the rows by case tag, or back to one row per group."""
        self.by_tag = not self.by_tag
        self.fill()

    def action_chart(self) -> None:
        self.scaffold_app.open_chart(self.run_dir)
