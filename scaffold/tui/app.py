"""The Textual app: opens on the library; every other screen is pushed on top of it.

The app owns what outlives a screen: the library overview (for the command palette), the
run in progress (its consumer is an app worker, so leaving the run screen never stops the
run) and a cache of runs read back from disk.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from textual.app import App
from textual.binding import Binding

from scaffold.tui.commands import ScreenCommands
from scaffold.tui.live_run import LiveRun
from scaffold.tui.overview import LibraryOverview
from scaffold.tui.run_view import GroupKey, RunCache, RunView

if TYPE_CHECKING:
    from scaffold.engine.session import RunSession


class ScaffoldApp(App[int]):
    """`scaffold` / `scaffold tui [EXPERIMENT]`."""

    CSS_PATH = "app.tcss"
    TITLE = "scaffold"
    COMMANDS = App.COMMANDS | {ScreenCommands}
    BINDINGS = [
        Binding("q", "quit", "quit"),
        Binding("question_mark", "toggle_keys", "keys"),
    ]

    def __init__(
        self,
        root: Path | None,
        experiment: str | None = None,
        *,
        library_problem: str | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        """`root`: the library folder (None when there is none; `library_problem` says why).
        `experiment`: open its run form straight away. `clock` times the live run."""
        super().__init__()
        self.root = root
        self.library_problem = library_problem
        self.start_experiment = experiment
        self.clock = clock
        self.overview: LibraryOverview | None = None
        """The last library listing (filled by the library screen)."""
        self.live: LiveRun | None = None
        """The run started from this app, running or finished."""
        self.runs = RunCache()
        self._quit_after_run = False

    def on_mount(self) -> None:
        from scaffold.tui.screens.library import LibraryScreen

        self.push_screen(LibraryScreen())
        if self.start_experiment and self.root is not None:
            self.open_run_setup(self.start_experiment)

    # -- navigation (also what the command palette calls) ------------------------------------

    def open_library(self) -> None:
        """Back to the library, closing every screen above it."""
        from scaffold.tui.screens.library import LibraryScreen

        while len(self.screen_stack) > 1 and not isinstance(self.screen, LibraryScreen):
            self.pop_screen()

    def open_run_setup(self, experiment: str) -> None:
        from scaffold.tui.screens.run_setup import RunSetupScreen

        self.push_screen(RunSetupScreen(experiment))

    def open_messages(self, variant: str) -> None:
        from scaffold.tui.screens.messages import MessagesScreen

        self.push_screen(MessagesScreen(variant))

    def open_live_run(self) -> None:
        from scaffold.tui.screens.run import RunScreen

        if self.live is not None:
            self.push_screen(RunScreen(self.live))

    def open_results(self, run_dir: Path) -> None:
        from scaffold.tui.screens.results import ResultsScreen

        self.push_screen(ResultsScreen(run_dir))

    def open_chart(self, run_dir: Path) -> None:
        from scaffold.tui.screens.chart import ChartScreen

        self.push_screen(ChartScreen(run_dir))

    def open_diff(self, run_dir: Path, a: GroupKey, b: GroupKey) -> None:
        from scaffold.tui.screens.diff import DiffScreen

        self.push_screen(DiffScreen(run_dir, a, b))

    def open_case(self, run: RunView, a: GroupKey, b: GroupKey, case_id: str) -> None:
        from scaffold.tui.screens.case import CaseScreen

        self.push_screen(CaseScreen(run, a, b, case_id))

    # -- runs ---------------------------------------------------------------------------------

    @property
    def run_in_progress(self) -> bool:
        return self.live is not None and self.live.state.running

    def start_run(self, session: RunSession) -> bool:
        """Start the session's run and show its run screen; False when another run is still
        going (one run at a time, as one terminal would)."""
        if self.run_in_progress:
            self.notify("a run is still going: stop it (q on its screen) first", severity="warning")
            return False
        self.live = LiveRun(session.start(), session.experiment, self.clock)
        self.run_worker(self._drive(self.live), name="run", group="run", exit_on_error=False)
        self.open_live_run()
        return True

    def resume_run(self, run_dir: Path) -> None:
        """Run the missing cells of a stopped run, with the choices it was started with (as
        `scaffold run EXPERIMENT --resume RUN`: the same session, preflight included)."""
        from scaffold.engine.session import resume_session
        from scaffold.spec.errors import SpecError

        if self.run_in_progress:
            self.notify("a run is still going: stop it (q on its screen) first", severity="warning")
            return
        try:
            session = resume_session(run_dir, root=self.root)
        except SpecError as error:
            self.notify("\n".join(str(problem) for problem in error.problems), severity="error", timeout=10)
            return
        if session.resumed is not None and session.resumed.status == "complete":
            self.notify("this run is complete: nothing to resume", severity="warning")
            return
        self.start_run(session)

    async def _drive(self, live: LiveRun) -> None:
        try:
            await live.consume()
        except Exception as error:  # a harness bug must not take the app down with the run
            live.state.fail(f"{type(error).__name__}: {error}")
            self.notify(f"the run failed: {error}", severity="error", timeout=10)
        if self._quit_after_run:
            self.exit(0)

    async def action_quit(self) -> None:
        """Quit; with a run going, stop it first (finished cells are kept) and quit when it has
        stopped — a second quit does not wait."""
        if self.run_in_progress and not self._quit_after_run and self.live is not None:
            self._quit_after_run = True
            self.live.stop()
            self.notify("stopping the run; the app closes when cells in flight end (q again: now)")
            return
        self.exit(0)

    def action_toggle_keys(self) -> None:
        """Show or hide the panel that lists every key of the focused screen."""
        from textual.widgets import HelpPanel

        if self.screen.query(HelpPanel):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()
