"""Starting and resuming a run, the same way whoever asks: `scaffold run`, the TUI, `scaffold.run()`.

A session is a run made ready: the experiment loaded and narrowed by the selection (for a
resume, the selection the run was started with), the models checked by the preflight, and
the run folder to append to when resuming. Every rule about what may start lives here, so
the CLI, the TUI and the API cannot drift apart (the TUI's resume once skipped the preflight).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from scaffold.engine.plan import narrow
from scaffold.engine.preflight import unavailable_models
from scaffold.spec.errors import Position, Problem, SpecError
from scaffold.spec.resolved import ResolvedExperiment
from scaffold.store.run_manifest import RunManifest, RunSelection

if TYPE_CHECKING:
    from scaffold.engine.runner import Run
    from scaffold.providers.base import Provider
    from scaffold.spec.resolved import Model

RESUME_FLAG = "--resume"


@dataclass(frozen=True)
class RunSession:
    """A run ready to start: `start()` makes the `Run` whose events do the work."""

    experiment: ResolvedExperiment
    """The experiment, narrowed by `selection`."""
    selection: RunSelection
    """What the run records in run.json's `options`, so a resume repeats it."""
    use_cache: bool = True
    resume_dir: Path | None = None
    """The run folder whose missing cells this run adds; None for a new run."""
    resumed: RunManifest | None = None
    """The manifest of the run being resumed, as it was before this session."""

    def start(self, provider_for_model: "Callable[[Model], Provider] | None" = None) -> "Run":
        """The run (nothing is sent until its `events()` are iterated); `provider_for_model`
        picks each model's provider (default: in-process; engine/workers.py `route` for workers)."""
        from scaffold.engine.runner import Run, RunOptions

        options = RunOptions(
            use_cache=self.use_cache, resume=self.resume_dir, selection=self.selection.model_dump(mode="json")
        )
        if provider_for_model is None:
            return Run(self.experiment, options)
        return Run(self.experiment, options, provider_for_model=provider_for_model)

    @property
    def pending_cells(self) -> int:
        """Cells this session will run at most: every planned cell, less those a resumed run
        recorded as finished when it last stopped cleanly."""
        from scaffold.engine.plan import count_cells

        done = self.resumed.cells.total if self.resumed is not None and self.resumed.cells is not None else 0
        return max(0, count_cells(self.experiment) - done)


def preflight(experiment: ResolvedExperiment) -> None:
    """Raise SpecError when the experiment cannot start here (a `local/...` model that cannot run)."""
    problems = unavailable_models(experiment)
    if problems:
        raise SpecError(problems)


def new_session(
    experiment: str | Path | ResolvedExperiment,
    selection: RunSelection | None = None,
    *,
    root: Path | None = None,
    use_cache: bool = True,
) -> RunSession:
    """A new run of `experiment` (a name in experiments/, a path, or one already loaded),
    narrowed by `selection`; raises SpecError for bad input or a model that cannot run."""
    selection = selection or RunSelection()
    loaded = _load(experiment, root)
    narrowed = with_batch(narrow(loaded, **selection.narrowing()), selection.batch)
    if narrowed.shard is not None:  # `auto/N` is recorded as the shard it resolved to, for a resume
        selection = selection.model_copy(update={"shard": str(narrowed.shard)})
    preflight(narrowed)
    return RunSession(narrowed, selection, use_cache)


def resume_session(
    run_ref: str | Path,
    *,
    root: Path | None = None,
    experiment: str | Path | None = None,
    concurrency: int | None = None,
    use_cache: bool = True,
) -> RunSession:
    """The missing cells of the run `run_ref` names (`last`, a run id or a folder), with the
    selection it was started with; `concurrency` may change. `experiment` (default: the one
    the run names) must be the run's. Raises SpecError."""
    from scaffold.spec.library import find_root
    from scaffold.store.run_dir import RunFolder, RunNotFound, resolve_run

    library = root or find_root(Path.cwd())
    where = Position(RESUME_FLAG)
    try:
        folder = RunFolder(resolve_run(library, str(run_ref)))
        manifest = folder.read_manifest()
    except RunNotFound as error:
        raise SpecError([Problem(where, str(error))]) from None
    except (OSError, ValueError) as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise SpecError([Problem(where, f"run '{run_ref}': cannot read its run.json ({first})")]) from None
    loaded = _load(experiment if experiment is not None else manifest.experiment, library)
    if loaded.name != manifest.experiment:
        message = f"run {manifest.run_id} is a run of experiment '{manifest.experiment}', not '{loaded.name}'"
        raise SpecError([Problem(where, message)])
    selection = manifest.options.model_copy(update={"concurrency": concurrency or manifest.options.concurrency})
    narrowed = with_batch(narrow(loaded, **selection.narrowing()), selection.batch)
    if manifest.resolved.sequential is not None:  # `--until-decided` given when the run started
        from scaffold.spec.experiment import Sequential

        sequential = Sequential.model_validate(manifest.resolved.sequential)
        narrowed = dataclasses.replace(narrowed, sequential=sequential)
    preflight(narrowed)
    return RunSession(narrowed, selection, use_cache, folder.path, manifest)


def with_batch(experiment: ResolvedExperiment, batch: bool) -> ResolvedExperiment:
    """`--batch`: every model that supports batch mode uses it (the others stay live)."""
    if not batch:
        return experiment
    models = tuple(
        dataclasses.replace(model, batch=True) if model.supports_batch else model for model in experiment.models
    )
    return dataclasses.replace(experiment, models=models)


def _load(experiment: str | Path | ResolvedExperiment, root: Path | None) -> ResolvedExperiment:
    if isinstance(experiment, ResolvedExperiment):
        return experiment
    from scaffold.spec.library import load_experiment

    return load_experiment(experiment, root)
