"""One case on both sides of a diff: the two transcripts side by side, with each turn's
tokens and each check's result."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Footer

from scaffold.tui.run_view import GroupKey, RunView, group_label
from scaffold.tui.screens.base import ScaffoldScreen
from scaffold.tui.widgets.title_bar import TitleBar
from scaffold.tui.widgets.transcript import TranscriptView


class CaseScreen(ScaffoldScreen):
    """Case `case_id` as group A and group B answered it."""

    BINDINGS = [Binding("tab", "app.focus_next", "other side")]

    def __init__(self, run: RunView, a: GroupKey, b: GroupKey, case_id: str):
        super().__init__()
        self.run = run
        self.a = a
        self.b = b
        self.case_id = case_id

    def compose(self) -> ComposeResult:
        yield TitleBar(f"case {self.case_id} · {self.a[0]} → {self.b[0]}", f"run {self.run.run_id}")
        with Horizontal(id="case-panes"):
            for side, key in (("a", self.a), ("b", self.b)):
                view = TranscriptView(id=f"transcript-{side}")
                view.border_title = f"{side.upper()}: {group_label(key)}"
                yield view
        yield Footer()

    def on_mount(self) -> None:
        for side, key in (("a", self.a), ("b", self.b)):
            view = self.query_one(f"#transcript-{side}", TranscriptView)
            view.show(self.run.cell(key, self.case_id), f"{side.upper()} · {group_label(key)} · case {self.case_id}")
        self.query_one("#transcript-a", TranscriptView).focus()
