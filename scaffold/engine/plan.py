"""Which cells a run has: the experiment narrowed by the command line, then crossed out."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from typing import Iterator, Sequence

from scaffold.cells import CellKey
from scaffold.engine.shards import in_shard, parse_shard, refuse_sequential
from scaffold.spec.errors import Position, Problem, SpecError, did_you_mean
from scaffold.spec.resolved import Case, Model, ResolvedExperiment, Scaffold, Variant


@dataclass(frozen=True, slots=True)
class CellPlan:
    """One cell to run, with everything it needs."""

    key: CellKey
    variant: Variant
    scaffold: Scaffold
    model: Model
    case: Case


def narrow(
    experiment: ResolvedExperiment,
    *,
    models: Sequence[str] = (),
    variants: Sequence[str] = (),
    limit: int | None = None,
    repeats: int | None = None,
    concurrency: int | None = None,
    tag: str | None = None,
    shard: str | None = None,
) -> ResolvedExperiment:
    """Apply `run`'s flags: `--model` replaces the models (an id of the experiment's keeps its
    settings; anything else is a litellm model string), `--variant` keeps only those variants
    (in the experiment's order), `--tag` keeps the cases tagged so, `--limit` keeps the first
    N cases (of those), `--shard I/N` (or `auto/N`, engine/shards.py) then keeps that shard's
    cells of what is left."""
    problems: list[Problem] = []
    where = Position("command line")
    chosen_models = experiment.models
    if models:
        known = {model.name: model for model in experiment.models}
        chosen_models = tuple(known.get(name) or Model(name=name, model=name) for name in models)
    chosen_variants = experiment.variants
    if variants:
        refs = [variant.ref for variant in experiment.variants]
        for ref in variants:
            if ref not in refs:
                problems.append(Problem(where, f"--variant {ref}: not in the experiment{did_you_mean(ref, refs)}"))
        chosen_variants = tuple(variant for variant in experiment.variants if variant.ref in variants)
    cases = experiment.cases
    if tag is not None:
        cases = tuple(case for case in cases if tag in case.tags)
        if not cases:
            known = list(dict.fromkeys(t for case in experiment.cases for t in case.tags))
            listing = f"; tags: {', '.join(known)}" if known else "; the cases have no tags"
            problems.append(Problem(where, f"--tag {tag}: no case has this tag{did_you_mean(tag, known)}{listing}"))
    if limit is not None and limit < 1:
        problems.append(Problem(where, "--limit must be at least 1"))
    if repeats is not None and repeats < 1:
        problems.append(Problem(where, "--repeats must be at least 1"))
    if concurrency is not None and concurrency < 1:
        problems.append(Problem(where, "--concurrency must be at least 1"))
    chosen_shard = None
    if shard is not None:
        try:
            chosen_shard = parse_shard(shard, os.environ)
        except SpecError as error:
            problems.extend(error.problems)
    if problems:
        raise SpecError(problems)
    narrowed = dataclasses.replace(
        experiment,
        models=chosen_models,
        variants=chosen_variants,
        cases=cases[:limit] if limit else cases,
        repeats=repeats or experiment.repeats,
        concurrency=concurrency or experiment.concurrency,
        shard=chosen_shard or experiment.shard,
    )
    refuse_sequential(narrowed)
    return narrowed


def count_cells(experiment: ResolvedExperiment) -> int:
    """The cells of the plan (of its shard, for a sharded run)."""
    if experiment.shard is not None:
        return sum(1 for _ in plan_cells(experiment))
    return (
        len(experiment.variants)
        * len(experiment.scaffolds)
        * len(experiment.models)
        * len(experiment.cases)
        * experiment.repeats
    )


def plan_cells(experiment: ResolvedExperiment) -> Iterator[CellPlan]:
    """Every cell, case by case: each case's variants, scaffolds and models run side by side,
    so a run stopped early still holds paired cells to compare. A sharded run has its shard's only."""
    if experiment.shard is not None:
        shard = experiment.shard
        yield from (plan for plan in _every_cell(experiment) if in_shard(plan.key, shard))
    else:
        yield from _every_cell(experiment)


def _every_cell(experiment: ResolvedExperiment) -> Iterator[CellPlan]:
    for repeat in range(experiment.repeats):
        for case in experiment.cases:
            for variant in experiment.variants:
                for scaffold in experiment.scaffolds:
                    for model in experiment.models:
                        key = CellKey(variant.ref, scaffold.ref, model.name, case.id, repeat)
                        yield CellPlan(key, variant, scaffold, model, case)
