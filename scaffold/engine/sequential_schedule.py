"""`run --until-decided` (DESIGN 11): cases in a seeded random order, every arm of a case
scheduled together, and no new cell once every comparison is decided.

The runner asks `order()` for its cells and calls `observe()` with each finished cell. A
case counts for a slice once all its cells there have finished; finished cases feed the
anytime-valid tests (stats/sequential.py) in the seeded order, so `diff` recomputes the
same numbers from the stored cells. When every comparison is decided or futile, `order()`
yields nothing more: the cells in flight finish and are recorded, and the run completes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterator, Sequence

from scaffold.cells import CellResult, GroupKey
from scaffold.engine.plan import CellPlan, count_cells
from scaffold.spec.resolved import Case, ResolvedExperiment
from scaffold.stats.sequential import Decision, SequentialComparison, decide

if TYPE_CHECKING:  # `diff` replays a stored run's schedule without the experiment's models
    from scaffold.spec.experiment import Sequential

def seeded_case_order(case_ids: Sequence[str], seed: int) -> list[str]:
    """The order a sequential run takes its cases in: a shuffle seeded by `seed` alone, so a
    resume and a later `diff` find the same order."""
    order = list(case_ids)
    random.Random(seed).shuffle(order)
    return order


def comparison_axis(variants: int, scaffolds: int, models: int) -> int | None:
    """Which of (variant, scaffold, model) a run compares, as `diff RUN` does: variants when
    there are several, else scaffolds, else models; None when there is one group."""
    for axis, count in enumerate((variants, scaffolds, models)):
        if count > 1:
            return axis
    return None


@dataclass
class ComparisonState:
    """One baseline-vs-arm comparison within one slice."""

    slice_names: tuple[str, ...]
    """The two names held equal (e.g. scaffold and model when variants are compared)."""
    a: str
    b: str
    test: SequentialComparison
    decision: Decision = "undecided"
    p_value: float = 1.0
    """Holm-adjusted across every comparison of the run."""

    def to_json(self) -> dict[str, Any]:
        low, high = self.test.interval
        return {
            "a": self.a,
            "b": self.b,
            "slice": list(self.slice_names),
            "decision": self.decision,
            "p_value": round(self.p_value, 6),
            "delta": None if self.test.delta is None else round(self.test.delta, 4),
            "interval": [round(low, 4), round(high, 4)],
            "paired_n": self.test.cases,
        }


@dataclass
class _SliceProgress:
    """The cells of each case finished so far in one slice, and the next case to feed."""

    finished: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    """case id -> arm -> the scores of its graded samples."""
    cell_counts: dict[str, int] = field(default_factory=dict)
    next_position: int = 0


class SequentialSchedule:
    """The cell order and the stopping rule of one sequential run."""

    def __init__(self, experiment: ResolvedExperiment, settings: Sequential):
        self.experiment = experiment
        self.settings = settings
        self.case_order = seeded_case_order([case.id for case in experiment.cases], settings.seed)
        self._cases: dict[str, Case] = {case.id: case for case in experiment.cases}
        names = (
            [variant.ref for variant in experiment.variants],
            [scaffold.ref for scaffold in experiment.scaffolds],
            [model.name for model in experiment.models],
        )
        self._axis = comparison_axis(*(len(values) for values in names))
        self._arms: list[str] = names[self._axis] if self._axis is not None else []
        self._cells_per_case = len(self._arms) * experiment.repeats
        self._slices: dict[tuple[str, ...], _SliceProgress] = {}
        self.comparisons: list[ComparisonState] = []
        if self._axis is not None:
            others = [values for index, values in enumerate(names) if index != self._axis]
            for first in others[0]:
                for second in others[1]:
                    self._slices[(first, second)] = _SliceProgress()
                    for arm in self._arms[1:]:
                        test = SequentialComparison(alpha=settings.alpha)
                        self.comparisons.append(ComparisonState((first, second), self._arms[0], arm, test))
        self.cells_planned = count_cells(experiment)
        self.cells_run = 0
        self.tokens_run = 0
        self._cases_seen: set[str] = set()

    @property
    def decided(self) -> bool:
        """Whether every comparison is decided or futile (never, without a comparison)."""
        return bool(self.comparisons) and all(c.decision != "undecided" for c in self.comparisons)

    def order(self) -> Iterator[CellPlan]:
        """Every cell, case by case in the seeded order; no new case once everything is decided."""
        from scaffold.cells import CellKey

        experiment = self.experiment
        for case_id in self.case_order:
            if self.decided:  # checked between cases only: a case once started runs every arm
                return
            case = self._cases[case_id]
            for repeat in range(experiment.repeats):
                for variant in experiment.variants:
                    for scaffold in experiment.scaffolds:
                        for model in experiment.models:
                            key = CellKey(variant.ref, scaffold.ref, model.name, case.id, repeat)
                            yield CellPlan(key, variant, scaffold, model, case)

    def observe(self, result: CellResult) -> None:
        """Count one finished cell (new or, on resume, already on disk)."""
        self.cells_run += 1
        self.tokens_run += result.usage().total
        self._cases_seen.add(result.key.case_id)
        if self._axis is None:
            return
        group: GroupKey = result.key.group
        arm = group[self._axis]
        slice_names = tuple(name for index, name in enumerate(group) if index != self._axis)
        progress = self._slices.get(slice_names)
        if progress is None or arm not in self._arms:
            return
        case_id = result.key.case_id
        scores = progress.finished.setdefault(case_id, {})
        if result.status != "error":
            scores.setdefault(arm, []).append(1.0 if result.status == "passed" else 0.0)
        progress.cell_counts[case_id] = progress.cell_counts.get(case_id, 0) + 1
        if self._feed(slice_names, progress):
            self._update_decisions()

    def _feed(self, slice_names: tuple[str, ...], progress: _SliceProgress) -> bool:
        """Feed the slice's complete cases to its tests in the seeded order; True if any was fed."""
        fed = False
        while progress.next_position < len(self.case_order):
            case_id = self.case_order[progress.next_position]
            if progress.cell_counts.get(case_id, 0) < self._cells_per_case:
                break
            scores = progress.finished.pop(case_id, {})
            progress.cell_counts.pop(case_id, None)
            progress.next_position += 1
            fed = True
            baseline = scores.get(self._arms[0])
            for comparison in self.comparisons:
                other = scores.get(comparison.b)
                if comparison.slice_names == slice_names and baseline and other:
                    comparison.test.add(sum(baseline) / len(baseline), sum(other) / len(other))
        return fed

    def _update_decisions(self) -> None:
        settings = self.settings
        outcomes = decide(
            [comparison.test for comparison in self.comparisons], settings.alpha, settings.min_effect, settings.min_cases
        )
        for comparison, (decision, p_value) in zip(self.comparisons, outcomes):
            comparison.decision, comparison.p_value = decision, p_value

    def report(self) -> dict[str, Any]:
        """The `sequential` block of `run --json` and run.json (DESIGN 11)."""
        cells_saved = max(0, self.cells_planned - self.cells_run)
        tokens_per_cell = self.tokens_run / self.cells_run if self.cells_run else None
        return {
            "stopped_early": self.decided and cells_saved > 0,
            "cases_run": len(self._cases_seen),
            "cases_planned": len(self.case_order),
            "cells_run": self.cells_run,
            "cells_planned": self.cells_planned,
            "cells_saved": cells_saved,
            "tokens_saved_estimate": None if tokens_per_cell is None else round(tokens_per_cell * cells_saved),
            "settings": self.settings.model_dump(mode="json"),
            "decisions": [comparison.to_json() for comparison in self.comparisons],
        }


def schedule_for(experiment: ResolvedExperiment) -> SequentialSchedule | None:
    """The sequential schedule of an experiment with `sequential:` set, else None."""
    return SequentialSchedule(experiment, experiment.sequential) if experiment.sequential is not None else None
