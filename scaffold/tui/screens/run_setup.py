"""The run form: which models and variants, how many cases, how many repeats — then run.

The same narrowing as `scaffold run -m -v --limit --repeats`, recorded the same way in the
run's manifest so `scaffold run EXPERIMENT --resume RUN` repeats it.
"""

from __future__ import annotations

import asyncio

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Footer, Input, Label, SelectionList, Static

from scaffold.engine.preflight import unavailable_models
from scaffold.spec.errors import Position, Problem, SpecError
from scaffold.spec.resolved import ResolvedExperiment
from scaffold.store.run_manifest import RunSelection
from scaffold.tui.screens.base import ScaffoldScreen
from scaffold.tui.widgets.title_bar import TitleBar


class RunSetupScreen(ScaffoldScreen):
    """Pick models, variants, limit and repeats for one experiment, then start it."""

    BINDINGS = [
        Binding("ctrl+r", "start", "run", priority=True),
        Binding("tab", "app.focus_next", "next field"),
    ]

    def __init__(self, experiment: str):
        super().__init__()
        self.experiment_name = experiment
        self.experiment: ResolvedExperiment | None = None

    def compose(self) -> ComposeResult:
        yield TitleBar(f"run · {self.experiment_name}", "loading…")
        yield Static("", id="setup-description", markup=False)
        with Horizontal(id="setup-panes"):
            models: SelectionList[str] = SelectionList(id="setup-models")
            models.border_title = "models · space: toggle"
            yield models
            variants: SelectionList[str] = SelectionList(id="setup-variants")
            variants.border_title = "variants · space: toggle"
            yield variants
            with Vertical(id="setup-options"):
                yield Label("limit: first N cases", classes="field-label")
                yield Input(placeholder="all", type="integer", id="setup-limit")
                yield Label("repeats: samples per cell", classes="field-label")
                yield Input(type="integer", id="setup-repeats")
                yield Static("", id="setup-plan", markup=False)
                yield Button("Run (ctrl+r)", id="setup-run", variant="primary")
        yield Static("", id="setup-problem", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(exclusive=True)
    async def load(self) -> None:
        """Load the experiment as it is on disk now (it may have changed since the library listed it)."""
        from scaffold.spec.library import load_experiment

        root = self.scaffold_app.root
        try:
            experiment = await asyncio.to_thread(load_experiment, self.experiment_name, root)
        except SpecError as error:
            self.query_one(TitleBar).set(info="does not load")
            self.query_one("#setup-problem", Static).update("\n".join(str(p) for p in error.problems))
            return
        self.experiment = experiment
        self.query_one(TitleBar).set(info=f"{len(experiment.cases)} cases · repeats {experiment.repeats}")
        self.query_one("#setup-description", Static).update(" ".join(experiment.description.split()))
        models = self.query_one("#setup-models", SelectionList)
        models.add_options([(model.name, model.name, True) for model in experiment.models])
        variants = self.query_one("#setup-variants", SelectionList)
        baseline = experiment.variants[0].ref if experiment.variants else ""
        refs = [variant.ref for variant in experiment.variants]
        variants.add_options([(ref + (" (baseline)" if ref == baseline else ""), ref, True) for ref in refs])
        self.query_one("#setup-limit", Input).placeholder = f"all {len(experiment.cases)}"
        self.query_one("#setup-repeats", Input).value = str(experiment.repeats)
        models.highlighted = variants.highlighted = 0
        self._update_plan()
        models.focus()

    def selection(self) -> RunSelection:
        """The form as `run`'s flags: models and variants only when narrowed (as on the CLI), in
        the experiment's order whatever order they were ticked in."""
        assert self.experiment is not None
        ticked_models = set(self.query_one("#setup-models", SelectionList).selected)
        ticked_variants = set(self.query_one("#setup-variants", SelectionList).selected)
        models = [model.name for model in self.experiment.models if model.name in ticked_models]
        variants = [variant.ref for variant in self.experiment.variants if variant.ref in ticked_variants]
        limit_text = self.query_one("#setup-limit", Input).value.strip()
        repeats_text = self.query_one("#setup-repeats", Input).value.strip()
        repeats = int(repeats_text) if repeats_text else None
        return RunSelection(
            models=[] if len(models) == len(self.experiment.models) else models,
            variants=[] if len(variants) == len(self.experiment.variants) else variants,
            limit=int(limit_text) if limit_text else None,
            repeats=None if repeats == self.experiment.repeats else repeats,
        )

    def narrowed(self) -> ResolvedExperiment:
        """The experiment as the form narrows it; raises SpecError for a choice that cannot run."""
        from scaffold.engine.plan import narrow

        assert self.experiment is not None
        selection = self.selection()
        if not self.query_one("#setup-models", SelectionList).selected:
            raise SpecError([_problem("choose at least one model")])
        if not self.query_one("#setup-variants", SelectionList).selected:
            raise SpecError([_problem("choose at least one variant")])
        return narrow(self.experiment, **selection.narrowing())

    @on(SelectionList.SelectedChanged)
    @on(Input.Changed)
    def _update_plan(self) -> None:
        if self.experiment is None:
            return
        from scaffold.engine.plan import count_cells

        problem = self.query_one("#setup-problem", Static)
        try:
            experiment = self.narrowed()
        except (SpecError, ValueError) as error:
            self.query_one("#setup-plan", Static).update("")
            problem.update(_problem_text(error))
            return
        cells = count_cells(experiment)
        self.query_one("#setup-plan", Static).update(
            f"{cells:,} cells = {len(experiment.variants)} variants × {len(experiment.scaffolds)} scaffolds × "
            f"{len(experiment.models)} models × {len(experiment.cases)} cases × {experiment.repeats} repeats"
        )
        problem.update("\n".join(unavailable.message for unavailable in unavailable_models(experiment)))

    @on(Button.Pressed, "#setup-run")
    def action_start(self) -> None:
        """Start the run with the form's choices (refused while the form has a problem)."""
        from scaffold.engine.session import new_session

        if self.experiment is None:
            return
        try:
            self.narrowed()
            session = new_session(self.experiment, self.selection())
        except (SpecError, ValueError) as error:
            self.notify(_problem_text(error), severity="error")
            return
        app = self.scaffold_app
        if app.run_in_progress:
            self.notify("a run is still going: stop it (q on its screen) first", severity="warning")
            return
        app.pop_screen()  # the run screen takes the form's place: back from it is the library
        app.start_run(session)


def _problem(message: str) -> Problem:
    return Problem(Position("run form"), message)


def _problem_text(error: Exception) -> str:
    if isinstance(error, SpecError):
        return "\n".join(problem.message for problem in error.problems)
    return str(error)

