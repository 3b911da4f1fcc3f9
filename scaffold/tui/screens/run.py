"""The live run: the grid filling in, errors as they happen, elapsed time and calls/s.

`q` or Ctrl-C stops the run the way Ctrl-C stops `scaffold run`: no new cell starts, cells
in flight get a short grace, every finished cell stays on disk (a second press cancels the
cells in flight at once). The screen only draws: the app's worker drives the run, so going
back to the library leaves it running.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, RichLog, Static

from scaffold.tui.live_run import LiveRun
from scaffold.tui.screens.base import ScaffoldScreen
from scaffold.text_format import clock
from scaffold.tui.widgets.run_grid import RunGrid
from scaffold.tui.widgets.title_bar import TitleBar

REFRESH_S = 0.1
"""The screen redraws at most ten times a second, however fast cells finish."""


class RunScreen(ScaffoldScreen):
    """One run's live grid."""

    BINDINGS = [
        Binding("q", "stop", "stop"),
        Binding("ctrl+c", "stop", "stop", show=False, priority=True),
        Binding("r", "results", "results"),
        Binding("c", "chart", "chart"),
    ]

    def __init__(self, live: LiveRun):
        super().__init__()
        self.live = live
        self._errors_shown = 0
        self._drawn_status: tuple[str, bool] | None = None

    def compose(self) -> ComposeResult:
        yield TitleBar(f"scaffold · {self.live.experiment.name} · starting…", "")
        grid = RunGrid(self.live, id="run-grid")
        grid.border_title = "variant × scaffold / model: progress · done/total · pass rate · tokens per cell"
        yield grid
        yield Static("", id="run-status", markup=False)
        errors = RichLog(id="run-errors", wrap=True, markup=False, max_lines=1000)
        errors.border_title = "errors"
        yield errors
        yield Footer()

    def on_mount(self) -> None:
        self.set_interval(REFRESH_S, self.refresh_view)
        self.refresh_view()

    def refresh_view(self) -> None:
        """Draw what changed since the last refresh (called on a timer, never per event)."""
        state = self.live.state
        self.query_one(RunGrid).redraw_changed()
        log = self.query_one("#run-errors", RichLog)
        for line in state.error_lines[self._errors_shown :]:
            log.write(line)
        self._errors_shown = len(state.error_lines)
        title = f"scaffold · {self.live.experiment.name} · run {state.run_id}" if state.run_id else None
        self.query_one(TitleBar).set(title, f"{clock(state.elapsed_s())}  {state.calls_per_s():.0f} calls/s")
        self.query_one("#run-status", Static).update(self.status_line())
        if self._drawn_status != (state.status, state.run_dir is not None):
            self._drawn_status = (state.status, state.run_dir is not None)
            self.refresh_bindings()

    def status_line(self) -> str:
        """`running: 41/150 cells · errors: 2 (retried: 5)`, and what to do once it ended."""
        state = self.live.state
        counts = f"{state.done}/{state.pending} cells · errors: {state.errors} (retried: {state.retries})"
        if state.running:
            return f"{state.status}: {counts}"
        if state.failed:
            return f"failed: {state.reason}"
        ended = f"{state.status}: {counts}"
        if state.reason:
            ended += f" · {state.reason}"
        if state.status == "interrupted":
            ended += f" · resume with: scaffold run {self.live.experiment.name} --resume {state.run_id}"
        return ended + " · r: results · c: chart"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        state = self.live.state
        if action == "stop":
            return state.running  # once ended, q falls through to the app: quit
        if action in ("results", "chart"):
            return True if state.run_dir is not None else None
        return True

    def action_stop(self) -> None:
        """Stop scheduling; a second stop cancels the cells in flight."""
        state = self.live.state
        if not state.running:
            return
        again = state.status == "stopping"
        self.live.stop()
        if again:
            self.notify("cancelling cells in flight")
        else:
            self.notify("stopping: no new cells; finished cells are kept (q again: cancel cells in flight)")

    def action_results(self) -> None:
        if self.live.state.run_dir is not None:
            self.scaffold_app.open_results(self.live.state.run_dir)

    def action_chart(self) -> None:
        if self.live.state.run_dir is not None:
            self.scaffold_app.open_chart(self.live.state.run_dir)
