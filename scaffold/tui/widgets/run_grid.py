"""The live grid of a run: a row per variant × scaffold, a column per model, and in each cell
the group's progress bar, done/total, running pass rate and tokens per cell."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

from scaffold.engine.summary import GroupTally
from scaffold.tui.live_run import LiveRun
from scaffold.tui.run_view import GroupKey
from scaffold.text_format import bar

LABEL_COLUMN = "group"


def grid_cell(tally: GroupTally | None, total: int) -> Text:
    """`████████░░ 41/50  62%   88 t` (and `2!` when cells errored): bar green once complete."""
    done = tally.n if tally else 0
    graded = (tally.passed + tally.failed) if tally else 0
    rate = f"{tally.passed * 100 / graded:.0f}%" if tally and graded else "—"
    tokens = f"{tally.usage.total / tally.n:,.0f} t" if tally and tally.n else "— t"
    width = len(str(total))
    text = Text(bar(done, total), style="green" if total and done >= total else "yellow")
    text.append(f" {done:>{width}}/{total} {rate:>5} {tokens:>8}")
    if tally and tally.errors:
        text.append(f" {tally.errors}!", style="bold red")
    return text


def _row_key(variant: str, scaffold: str) -> str:
    return f"{variant}\t{scaffold}"


class RunGrid(DataTable[Text]):
    """Rows variant × scaffold, columns model; redrawn group by group as the run goes."""

    def __init__(self, live: LiveRun, *, id: str | None = None):
        super().__init__(id=id, cursor_type="none", zebra_stripes=True, show_cursor=False)
        self.live = live
        self.drawn_version = -1
        """The live state's version this grid last drew."""

    def on_mount(self) -> None:
        groups = self.live.state.groups
        rows = list(dict.fromkeys((variant, scaffold) for variant, scaffold, _ in groups))
        models = list(dict.fromkeys(model for _, _, model in groups))
        self.add_column("variant × scaffold", key=LABEL_COLUMN)
        for model in models:
            self.add_column(model, key=model)
        variant_width = max((len(variant) for variant, _ in rows), default=0)
        empty = grid_cell(None, self.live.state.cells_per_group)
        for variant, scaffold in rows:
            label = Text(f"{variant:<{variant_width}}  {scaffold}")
            self.add_row(label, *(empty.copy() for _ in models), key=_row_key(variant, scaffold))
        self.redraw(self.live.state.groups)

    def redraw(self, groups: list[GroupKey]) -> None:
        """Draw these groups' cells from the runner's tally."""
        total = self.live.state.cells_per_group
        for group in groups:
            cell = grid_cell(self.live.tally(group), total)
            self.update_cell(_row_key(group.variant, group.scaffold), group.model, cell, update_width=True)

    def redraw_changed(self) -> bool:
        """Draw the groups that changed since the last draw; False when nothing did."""
        state = self.live.state
        if state.version == self.drawn_version:
            return False
        changed = state.changed_since(self.drawn_version)
        self.drawn_version = state.version
        self.redraw(changed)
        return True
