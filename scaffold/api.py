"""The one-call Python API (DESIGN 8): run an experiment, compare its groups, read a stored run.

    import scaffold
    result = scaffold.run("quickstart", models=["local/smollm2"], limit=5)
    print(result.status, [(g.variant, g.pass_rate) for g in result.groups])
    for comparison in scaffold.diff(result):
        print(comparison.verdict)

`run` and `run_async` go through the same session as `scaffold run` (narrowing, the local
model preflight, the run folder, gates), so a script and the CLI record the same run. litellm
loads only when a request is sent. Bad input raises `SpecError`; a run reference that names
no run, or names a group the run does not have, raises `SelectionError`.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from scaffold.compare.comparison import Comparison
    from scaffold.compare.run_result import RunResult
    from scaffold.compare.selection import StoredRun
    from scaffold.spec.resolved import ResolvedExperiment
    from scaffold.store.run_dir import RunRecord

async def run_async(
    experiment: "str | Path | ResolvedExperiment",
    *,
    models: Sequence[str] | None = None,
    variants: Sequence[str] | None = None,
    limit: int | None = None,
    repeats: int | None = None,
    concurrency: int | None = None,
    batch: bool = False,
    cache: bool = True,
    root: str | Path | None = None,
    workers: int | None = None,
) -> "RunResult":
    """Run `experiment` (a name in the library's experiments/, a path, or a loaded experiment)
    to the end and return its result; the keywords are `scaffold run`'s flags. `root` is the
    library folder (default: the one around the current folder, or around a path given).
    `workers`: processes that send the calls (0: this one; None: one per core above 200 cells).
    Raises SpecError (with `.problems`) for bad input, before anything is sent."""
    from scaffold.compare.run_result import run_result
    from scaffold.engine.events import RunFinished
    from scaffold.engine.session import new_session
    from scaffold.engine.workers import WorkerPool, route, workers_for
    from scaffold.store.run_manifest import RunSelection

    selection = RunSelection(
        models=_names(models), variants=_names(variants), limit=limit, repeats=repeats, concurrency=concurrency,
        batch=batch,
    )
    session = new_session(experiment, selection, root=Path(root) if root is not None else None, use_cache=cache)
    count = workers_for(session.experiment, session.pending_cells, workers)
    pool = WorkerPool(count) if count > 0 else None
    finished: RunFinished | None = None
    try:
        async for event in session.start(route(pool) if pool is not None else None).events():
            if isinstance(event, RunFinished):
                finished = event
    finally:
        if pool is not None:
            await pool.aclose()
    assert finished is not None, "a run's last event is RunFinished"
    return run_result(session.experiment, finished)


def run(
    experiment: "str | Path | ResolvedExperiment",
    *,
    models: Sequence[str] | None = None,
    variants: Sequence[str] | None = None,
    limit: int | None = None,
    repeats: int | None = None,
    concurrency: int | None = None,
    batch: bool = False,
    cache: bool = True,
    root: str | Path | None = None,
    workers: int | None = None,
) -> "RunResult":
    """`run_async` for code without an event loop (a script, a thread): it runs its own loop.
    Called where a loop is already running (a notebook, async code) it raises RuntimeError:
    `await scaffold.run_async(...)` there instead."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        raise RuntimeError(
            "scaffold.run() cannot start its own event loop inside a running one; "
            "use `await scaffold.run_async(...)` with the same arguments"
        )
    return asyncio.run(run_async(
        experiment, models=models, variants=variants, limit=limit, repeats=repeats,
        concurrency=concurrency, batch=batch, cache=cache, root=root, workers=workers,
    ))


def diff(
    run: "RunResult | str | Path",
    other: "RunResult | str | Path | None" = None,
    *,
    a: str | None = None,
    b: str | None = None,
    model: str | None = None,
    scaffold: str | None = None,
    root: str | Path | None = None,
) -> "list[Comparison]":
    """`scaffold diff` as values: with one run, its baseline against each other variant (or
    `a` against `b`: two variants, scaffolds or models) in every slice; with `other`, the same
    groups across the two runs. Each Comparison has `.verdict` and the numbers of
    `scaffold diff --json` (`.to_json()`). Raises SelectionError for a run or a name that
    picks nothing."""
    from scaffold.compare.selection import comparisons_across, comparisons_within

    narrowing = {"a": a, "b": b, "model": model, "scaffold": scaffold}
    first = _stored(run, root)
    if other is None:
        return comparisons_within(first, **narrowing)
    return comparisons_across(first, _stored(other, root), **narrowing)


def read_run(run: "RunResult | str | Path", *, root: str | Path | None = None) -> "RunRecord":
    """A stored run: `.manifest` (run.json, typed) and `.cells()` (its CellResults, read
    lazily). `run` is a RunResult, a run id, a run folder or `"last"`; raises SelectionError."""
    from scaffold.compare.selection import read_record

    reference, library = _reference(run, root)
    return read_record(reference, library)


def _stored(run: "RunResult | str | Path", root: str | Path | None) -> "StoredRun":
    from scaffold.compare.selection import load_run

    reference, library = _reference(run, root)
    return load_run(reference, library)


def _reference(run: "RunResult | str | Path", root: str | Path | None) -> tuple[str, Path | None]:
    """(reference, library root): a RunResult and a folder name themselves; an id or `last`
    is looked up in `root` (default: the library around the current folder)."""
    from scaffold.compare.run_result import RunResult

    if isinstance(run, RunResult):
        return str(run.run_dir), run.run_dir
    if isinstance(run, Path):
        return str(run), Path(root) if root is not None else run
    return run, Path(root) if root is not None else None


def _names(names: Sequence[str] | None) -> list[str]:
    """A list of names; one name given as a string is that name, not its characters."""
    if names is None:
        return []
    return [names] if isinstance(names, str) else list(names)
