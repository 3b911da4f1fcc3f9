"""`diff` on a run made with `--until-decided`: its p-values and intervals are the
anytime-valid ones (stats/sequential.py), recomputed from the stored cells in the run's
seeded case order, because a fixed-n p-value is not valid on a run that stopped when it
looked decided."""

from __future__ import annotations

from typing import Any

from scaffold.compare.comparison import Comparison
from scaffold.store.run_manifest import RunManifest
from scaffold.engine.sequential_schedule import seeded_case_order
from scaffold.stats import holm_adjust
from scaffold.stats.sequential import SequentialComparison


def apply_sequential(manifest: RunManifest, comparisons: list[Comparison]) -> None:
    """Replace each comparison's p-value and interval by the sequential test's, run over its
    paired cases in the seeded order; Holm across the comparisons when there are several."""
    settings = manifest.resolved.sequential
    if settings is None:
        return
    case_ids = list(manifest.resolved.case_ids)
    position = {case_id: index for index, case_id in enumerate(seeded_case_order(case_ids, int(settings.get("seed", 0))))}
    alpha = float(settings.get("alpha", 0.05))
    tests = []
    for comparison in comparisons:
        paired = comparison.paired
        cases = sorted(range(len(paired.case_ids)), key=lambda index: position.get(paired.case_ids[index], len(position)))
        test = SequentialComparison(alpha=alpha)
        for index in cases:
            test.add(paired.a[index].score, paired.b[index].score)
        tests.append(test)
        comparison.sequential = True
        comparison.p_value = test.p_value if test.cases else None
        comparison.ci95 = test.interval if test.cases else None
        comparison.p_value_holm = None
    if len(tests) > 1:
        for comparison, adjusted in zip(comparisons, holm_adjust([test.p_value for test in tests])):
            comparison.p_value_holm = adjusted


SAVINGS_KEYS = ("stopped_early", "cases_run", "cases_planned", "cells_saved", "tokens_saved_estimate")


def sequential_savings(manifest: RunManifest) -> dict[str, Any] | None:
    """Where a `--until-decided` run stopped and what that saved (run.json's `sequential`)."""
    recorded = manifest.sequential
    if recorded is None:
        return None
    return {key: recorded.get(key) for key in SAVINGS_KEYS}


def savings_line(savings: dict[str, Any]) -> str:
    """One line for the diff: `sequential run: stopped early at 48 of 200 cases; saved ...`."""
    cases = f"{savings['cases_run']} of {savings['cases_planned']} cases"
    if not savings["stopped_early"]:
        return f"sequential run: ran {cases}; p-values and intervals are anytime-valid"
    tokens = savings["tokens_saved_estimate"]
    saved = f"saved {savings['cells_saved']:,} cells" + ("" if tokens is None else f", ~{tokens:,} tokens")
    return f"sequential run: stopped early at {cases}; {saved}; p-values and intervals are anytime-valid"
