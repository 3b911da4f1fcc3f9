"""Pass rate against tokens per cell for every group of a run, the Pareto front marked: the
cheapest group on the front that is not worse is the one to ship."""

from __future__ import annotations

import asyncio
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.widgets import Footer, Static

from scaffold.tui.pareto import ChartPoint, chart_points
from scaffold.tui.screens.base import ScaffoldScreen
from scaffold.text_format import number, percent
from scaffold.tui.widgets.scatter import FRONT_STYLE, OTHER_STYLE, ScatterPlot
from scaffold.tui.widgets.title_bar import TitleBar

FRONT_NOTE = (
    "green, joined by dots: the Pareto front — no other group passes as often with fewer tokens. "
    "Groups with the same numbers share a letter."
)


def legend(points: list[ChartPoint]) -> Text:
    """One line per group: its letter, name, pass rate, tokens per cell, and whether it is on the front."""
    text = Text()
    width = max((len(point.label) for point in points), default=0)
    for point in points:
        text.append(f" {point.marker} ", style=FRONT_STYLE if point.on_front else OTHER_STYLE)
        numbers = f"{percent(point.pass_rate):>6}  {number(point.tokens_per_cell):>9} t/cell"
        text.append(f"{point.label:<{width}}  {numbers}")
        text.append("  ★ front\n" if point.on_front else "\n", style=FRONT_STYLE)
    text.append(FRONT_NOTE, style="dim")
    return text


class ChartScreen(ScaffoldScreen):
    """The scatter of one run."""

    def __init__(self, run_dir: Path):
        super().__init__()
        self.run_dir = run_dir
        self.points: list[ChartPoint] = []

    def compose(self) -> ComposeResult:
        yield TitleBar(f"chart · {self.run_dir.name}", "pass rate ↑ against tokens per cell →")
        yield ScatterPlot(id="scatter")
        yield Static("", id="chart-legend")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(exclusive=True)
    async def load(self) -> None:
        run = await asyncio.to_thread(self.scaffold_app.runs.get, self.run_dir)
        self.points = chart_points(run.groups)
        self.query_one(TitleBar).set(f"chart · {run.experiment} · run {run.run_id}")
        self.query_one(ScatterPlot).set_points(self.points)
        self.query_one("#chart-legend", Static).update(legend(self.points))
