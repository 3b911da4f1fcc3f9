"""The first screen: the library's experiments, its prompt files and their variants, and the
recent runs with their status and best pass rate."""

from __future__ import annotations

import asyncio

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.events import DescendantFocus
from textual.widgets import DataTable, Footer, Static, Tree

from scaffold.tui.overview import (
    ExperimentEntry,
    LibraryOverview,
    RunEntry,
    list_runs,
    load_overview,
)
from scaffold.tui.screens.base import ScaffoldScreen
from scaffold.text_format import one_line, percent
from scaffold.tui.widgets.tables import fill_table
from scaffold.tui.widgets.title_bar import TitleBar

EXPERIMENT_COLUMNS = [("name", "experiment"), ("variants", "variants"), ("models", "models"), ("cases", "cases"),
                      ("description", "description")]
RUN_COLUMNS = [("run", "run"), ("status", "status"), ("cells", "cells"), ("best", "best pass rate")]


def _run_cells(run: RunEntry) -> str:
    cells = run.cells
    if cells is None:
        return "—"
    return f"{cells.total} ({cells.passed}✓ {cells.failed}✗ {cells.errors}!)"


class LibraryScreen(ScaffoldScreen):
    """Experiments, prompt files, recent runs."""

    BINDINGS = [
        Binding("c", "chart", "chart of run"),
        Binding("u", "resume", "resume run"),
        Binding("tab", "app.focus_next", "next pane"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.overview: LibraryOverview | None = None

    def compose(self) -> ComposeResult:
        app = self.scaffold_app
        yield TitleBar(f"scaffold · {app.root.name if app.root else 'no library'}", "loading…")
        with Horizontal(id="library-panes"):
            with Vertical(id="library-left"):
                experiments: DataTable[str] = DataTable(id="experiments", cursor_type="row", zebra_stripes=True)
                experiments.border_title = "experiments · enter: run"
                yield experiments
                runs: DataTable[str] = DataTable(id="runs", cursor_type="row", zebra_stripes=True)
                runs.border_title = "recent runs · enter: results · c: chart · u: resume"
                yield runs
            prompts: Tree[str] = Tree("prompts", id="prompts")
            prompts.border_title = "prompt files · enter: rendered messages"
            prompts.show_root = False
            yield prompts
        yield Static("", id="detail", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        fill_table(self.query_one("#experiments", DataTable), EXPERIMENT_COLUMNS, [])
        fill_table(self.query_one("#runs", DataTable), RUN_COLUMNS, [])
        if self.scaffold_app.root is None:
            self.query_one(TitleBar).set(info="")
            self.query_one("#detail", Static).update(self.scaffold_app.library_problem or "no library here")
            return
        self.load()

    def on_screen_resume(self) -> None:
        if self.overview is not None:
            self.reload_runs()

    @work(exclusive=True, group="library")
    async def load(self) -> None:
        """Read the whole library off the UI thread, then fill the panes."""
        root = self.scaffold_app.root
        assert root is not None
        overview = await asyncio.to_thread(load_overview, root)
        self.overview = self.scaffold_app.overview = overview
        self._fill_experiments(overview.experiments)
        self._fill_prompts(overview)
        self._fill_runs(overview.runs)
        self.query_one("#experiments", DataTable).focus()

    @work(exclusive=True, group="library")
    async def reload_runs(self) -> None:
        """A run may have started or ended while another screen was on top."""
        root = self.scaffold_app.root
        if root is None or self.overview is None:
            return
        runs = tuple(await asyncio.to_thread(list_runs, root))
        overview = LibraryOverview(root, self.overview.experiments, self.overview.prompt_files, runs)
        self.overview = self.scaffold_app.overview = overview
        self._fill_runs(runs)

    def _fill_experiments(self, experiments: tuple[ExperimentEntry, ...]) -> None:
        rows = []
        for entry in experiments:
            if entry.problem:
                rows.append((entry.name, [entry.name, "—", "—", "—", "✗ does not load (see below)"]))
            else:
                models, description = ", ".join(entry.models), one_line(entry.description, 60)
                rows.append((entry.name, [entry.name, str(len(entry.variants)), models, str(entry.cases), description]))
        fill_table(self.query_one("#experiments", DataTable), EXPERIMENT_COLUMNS, rows)

    def _fill_prompts(self, overview: LibraryOverview) -> None:
        tree = self.query_one("#prompts", Tree)
        tree.clear()
        for prompt_file in overview.prompt_files:
            node = tree.root.add(prompt_file.name, data="", expand=True)
            for variant in prompt_file.variants:
                node.add_leaf(variant, data=f"{prompt_file.name}:{variant}")
        tree.cursor_line = 0

    def _fill_runs(self, runs: tuple[RunEntry, ...]) -> None:
        rows = []
        for run in runs:
            best = f"{percent(run.best[1])} {run.best[0]}" if run.best else "—"
            rows.append((str(run.path), [run.run_id, run.status, _run_cells(run), best]))
        fill_table(self.query_one("#runs", DataTable), RUN_COLUMNS, rows)
        overview = self.overview
        if overview is not None:
            counts = f"{len(overview.experiments)} experiments · {len(overview.prompt_files)} prompt files"
            self.query_one(TitleBar).set(info=f"{counts} · {len(runs)} runs")

    # -- what the cursor is on --------------------------------------------------------------

    def _experiment(self, name: str) -> ExperimentEntry | None:
        return next((e for e in self.overview.experiments if e.name == name), None) if self.overview else None

    def _run(self, key: str) -> RunEntry | None:
        return next((r for r in self.overview.runs if str(r.path) == key), None) if self.overview else None

    @on(DataTable.RowHighlighted)
    @on(DescendantFocus)
    def _show_detail(self) -> None:
        """Below the panes: more about the row under the cursor of the focused table."""
        table = self.focused
        if not isinstance(table, DataTable) or table.row_count == 0:
            return
        key = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        detail = self.query_one("#detail", Static)
        entry = self._experiment(key) if table.id == "experiments" else None
        run = self._run(key) if table.id == "runs" else None
        if entry is not None:
            runs = f"variants: {', '.join(entry.variants)} · scaffolds: {', '.join(entry.scaffolds)}"
            detail.update(entry.problem or f"{entry.name}: {entry.description}\n{runs}")
        elif run is not None:
            best = f" · best: {run.best[0]} {percent(run.best[1])}" if run.best else ""
            detail.update(f"run {run.run_id} of {run.experiment}: {run.status}{best}")

    @on(DataTable.RowSelected, "#experiments")
    def _run_experiment(self, event: DataTable.RowSelected) -> None:
        entry = self._experiment(str(event.row_key.value))
        if entry is not None and entry.problem is None:
            self.scaffold_app.open_run_setup(entry.name)
        elif entry is not None:
            self.notify("fix this experiment first (scaffold validate lists every problem)", severity="warning")

    @on(DataTable.RowSelected, "#runs")
    def _open_run(self, event: DataTable.RowSelected) -> None:
        run = self._run(str(event.row_key.value))
        if run is not None:
            self.scaffold_app.open_results(run.path)

    @on(Tree.NodeSelected, "#prompts")
    def _open_variant(self, event: Tree.NodeSelected[str]) -> None:
        if event.node.data:
            self.scaffold_app.open_messages(event.node.data)

    def _cursor_run(self) -> RunEntry | None:
        table = self.query_one("#runs", DataTable)
        if table.row_count == 0:
            self.notify("no runs yet: open an experiment and run it", severity="warning")
            return None
        return self._run(str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value))

    def action_chart(self) -> None:
        """The chart of the run under the runs table's cursor."""
        run = self._cursor_run()
        if run is not None:
            self.scaffold_app.open_chart(run.path)

    def action_resume(self) -> None:
        """Run the missing cells of the run under the runs table's cursor."""
        run = self._cursor_run()
        if run is not None:
            self.scaffold_app.resume_run(run.path)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The library is the first screen: there is nothing to go back to."""
        return action != "back"
