"""What the library screen lists: experiments, prompt files and their variants, recent runs.

Everything is read from disk in one call (`load_overview`), off the UI thread; a broken
experiment or run is listed with its problem rather than hidden, so the screen shows what
`scaffold validate` would complain about.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scaffold.cells import GroupKey
from scaffold.render import RenderError, render_messages
from scaffold.spec.errors import SpecError
from scaffold.spec.library import EXPERIMENTS_DIR, load_experiment, load_variant
from scaffold.spec.resolved import ResolvedExperiment
from scaffold.spec.resolver import Resolver
from scaffold.store.run_dir import MANIFEST, list_run_dirs

RECENT_RUNS = 20
"""How many runs the library screen lists (newest first)."""


@dataclass(frozen=True)
class ExperimentEntry:
    """One experiment file, loaded (or the first problem that kept it from loading)."""

    name: str
    """Its name below experiments/ without `.yaml` (what `scaffold run NAME` takes)."""
    description: str = ""
    variants: tuple[str, ...] = ()
    scaffolds: tuple[str, ...] = ()
    models: tuple[str, ...] = ()
    cases: int = 0
    problem: str | None = None
    """The first problem found, with file:line, and how many more there are; None when it loads."""
    sample_vars: dict[str, Any] | None = None
    """The first case's vars: what the prompt view renders a variant with."""
    sample_case: str | None = None


@dataclass(frozen=True)
class PromptFileEntry:
    """One prompt file and the variants it declares."""

    name: str
    description: str
    variants: tuple[str, ...]


@dataclass(frozen=True)
class RunEntry:
    """One stored run as its manifest describes it."""

    run_id: str
    path: Path
    experiment: str
    status: str
    cells: dict[str, int] | None
    """total / passed / failed / errors, written when the run ended (None for a run killed mid-way)."""
    best: tuple[str, float] | None
    """The group with the highest pass rate: (`variant · scaffold · model`, rate)."""
    groups: tuple[GroupKey, ...] = ()
    """Every (variant, scaffold, model) the run planned, baseline first."""


@dataclass(frozen=True)
class LibraryOverview:
    """Everything the library screen shows."""

    root: Path
    experiments: tuple[ExperimentEntry, ...]
    prompt_files: tuple[PromptFileEntry, ...]
    runs: tuple[RunEntry, ...]


def load_overview(root: Path) -> LibraryOverview:
    """Read the library at `root`: every experiment, every prompt file, the recent runs."""
    return LibraryOverview(root, tuple(_experiments(root)), tuple(_prompt_files(root)), tuple(list_runs(root)))


def _experiments(root: Path) -> list[ExperimentEntry]:
    folder = root / EXPERIMENTS_DIR
    if not folder.is_dir():
        return []
    entries = []
    for path in sorted(folder.rglob("*.yaml")):
        name = path.relative_to(folder).with_suffix("").as_posix()
        try:
            entries.append(_experiment_entry(name, load_experiment(path, root)))
        except SpecError as error:
            more = len(error.problems) - 1
            entries.append(ExperimentEntry(name, problem=str(error.problems[0]) + (f" (+{more} more)" if more else "")))
    return entries


def _experiment_entry(name: str, experiment: ResolvedExperiment) -> ExperimentEntry:
    first = experiment.cases[0] if experiment.cases else None
    return ExperimentEntry(
        name=name,
        description=" ".join(experiment.description.split()),
        variants=tuple(variant.ref for variant in experiment.variants),
        scaffolds=tuple(scaffold.ref for scaffold in experiment.scaffolds),
        models=tuple(model.name for model in experiment.models),
        cases=len(experiment.cases),
        sample_vars=dict(first.vars) if first else None,
        sample_case=first.id if first else None,
    )


def _prompt_files(root: Path) -> list[PromptFileEntry]:
    resolver = Resolver(root)
    entries = []
    for name in resolver.prompt_file_names():
        source = resolver.source(name)
        entries.append(PromptFileEntry(name, " ".join(source.description.split()), source.declared_variants))
    return entries


def list_runs(root: Path, limit: int = RECENT_RUNS) -> list[RunEntry]:
    """The `limit` newest runs, newest first; a run whose run.json cannot be read is left out."""
    entries = []
    for path in reversed(list_run_dirs(root)[-limit:]):
        try:
            manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        entries.append(run_entry(path, manifest))
    return entries


def run_entry(path: Path, manifest: dict[str, Any]) -> RunEntry:
    """A run's listing from its manifest."""
    best = None
    for group in manifest.get("groups") or ():
        rate = group.get("pass_rate")
        if rate is not None and (best is None or rate > best[1]):
            best = (f"{group['variant']} · {group['scaffold']} · {group['model']}", rate)
    resolved = manifest.get("resolved", {})
    planned = tuple(
        GroupKey(variant["ref"], scaffold["ref"], model["name"])
        for variant in resolved.get("variants", ())
        for scaffold in resolved.get("scaffolds", ())
        for model in resolved.get("models", ())
    )
    return RunEntry(
        run_id=manifest.get("run_id", path.name),
        path=path,
        experiment=manifest.get("experiment", "?"),
        status=manifest.get("status", "?"),
        cells=manifest.get("cells"),
        best=best,
        groups=planned,
    )


@dataclass(frozen=True)
class SampleRender:
    """A variant rendered for the prompt view."""

    variant: str
    case_id: str | None
    """The case whose vars were used; None when no experiment of the library uses this file."""
    experiment: str | None = None
    """The experiment that case comes from."""
    messages: tuple[dict[str, str], ...] = ()
    templates: tuple[dict[str, str], ...] = ()
    """The unrendered messages, shown when there is no case to render with or rendering failed."""
    problem: str | None = None


def render_sample(root: Path, ref: str, experiments: tuple[ExperimentEntry, ...]) -> SampleRender:
    """`ref` (`FILE:VARIANT`) rendered with the first case of the first experiment that runs a
    variant of the same file; its templates alone when none does."""
    try:
        variant = load_variant(ref, root)
    except SpecError as error:
        return SampleRender(ref, None, problem="\n".join(str(problem) for problem in error.problems))
    templates = tuple({"role": message.role, "content": message.template} for message in variant.messages)
    prefix = f"{variant.file}:"
    users = [e for e in experiments if e.sample_vars is not None and any(v.startswith(prefix) for v in e.variants)]
    if not users:
        problem = "no experiment runs this prompt file: no case to render with"
        return SampleRender(ref, None, templates=templates, problem=problem)
    chosen = next((e for e in users if ref in e.variants), users[0])
    try:
        messages = render_messages(variant, chosen.sample_vars or {}, root)
    except RenderError as error:
        return SampleRender(ref, chosen.sample_case, chosen.name, templates=templates, problem=str(error))
    return SampleRender(ref, chosen.sample_case, chosen.name, messages=tuple(messages))
