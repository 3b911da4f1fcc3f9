"""`scaffold plan` (DESIGN 11): before spending, how many paired cases a target effect needs,
what those cells cost, and what sequential stopping is expected to save.

The inputs come from a run of the same experiment (a previous one, or a pilot): the share of
discordant cases over the default comparisons (baseline vs each variant in every slice),
and tokens and cost per cell. Without a run the discordance is the conservative guess of
`cases_needed` (A and B passing independently at 50%) and tokens are unknown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scaffold.compare.selection import SelectionError, StoredRun, comparisons_within
from scaffold.engine.plan import count_cells
from scaffold.spec.resolved import ResolvedExperiment
from scaffold.stats import cases_needed
from scaffold.stats.sequential import expected_sequential_cases

POWER = 0.8


@dataclass(frozen=True)
class PlanInputs:
    """What a run tells a plan."""

    run_id: str | None
    """The run the numbers come from (None: no run, defaults)."""
    discordant_rate: float | None
    """(b_only + a_only) / paired cases, pooled over the run's comparisons."""
    tokens_per_cell: float | None
    cost_per_cell: float | None
    """None when a cell had no known price (never a guessed 0)."""


def inputs_from_run(run: StoredRun) -> PlanInputs:
    """Discordance, tokens and cost per cell measured in `run`."""
    discordant = paired = 0
    try:
        comparisons = comparisons_within(run)
    except SelectionError:
        comparisons = []
    for comparison in comparisons:
        discordant += len(comparison.b_only) + len(comparison.a_only)
        paired += comparison.paired_n
    cells = len(run.results)
    tokens = sum(result.usage().total for result in run.results)
    costs = [result.cost_usd() for result in run.results]
    known_cost = None if not cells or any(cost is None for cost in costs) else sum(cost or 0.0 for cost in costs)
    return PlanInputs(
        run_id=run.run_id,
        discordant_rate=discordant / paired if paired else None,
        tokens_per_cell=tokens / cells if cells else None,
        cost_per_cell=known_cost / cells if known_cost is not None and cells else None,
    )


def plan(experiment: ResolvedExperiment, inputs: PlanInputs, effect: float = 0.05, alpha: float = 0.05) -> dict[str, Any]:
    """DESIGN 11's plan: paired cases for `power` 0.8 at `alpha` (Connor's formula, the fixed-n
    McNemar test), the cells, tokens and cost of a run that size, and the median paired cases
    the sequential test needs for the same effect (seeded simulation)."""
    if not 0.0 < effect < 1.0:
        raise ValueError(f"--effect must lie in (0, 1), got {effect}")
    centre = 0.5
    p_a, p_b = centre - effect / 2.0, centre + effect / 2.0
    discordance = inputs.discordant_rate
    if discordance is not None:
        discordance = min(1.0, max(discordance, effect))
    paired_cases = cases_needed(p_a, p_b, discordant_rate=discordance, alpha=alpha, power=POWER) or 0
    cells_per_case = count_cells(experiment) // max(1, len(experiment.cases))
    cells = paired_cases * cells_per_case
    tokens = None if inputs.tokens_per_cell is None else round(inputs.tokens_per_cell * cells)
    cost = None if inputs.cost_per_cell is None else round(inputs.cost_per_cell * cells, 6)
    assumed = discordance if discordance is not None else p_a * (1 - p_b) + p_b * (1 - p_a)
    sequential = expected_sequential_cases(effect, assumed, alpha, max_cases=4 * max(paired_cases, 1))
    # No comparison is decided before min_cases (DESIGN 11's default 20).
    sequential = max(sequential, experiment.sequential.min_cases if experiment.sequential else 20)
    return {
        "effect": effect,
        "alpha": alpha,
        "power": POWER,
        "paired_cases": paired_cases,
        "cells": cells,
        "tokens": tokens,
        "cost_usd": cost,
        "sequential_expected_cases": sequential,
        "discordant_rate": None if inputs.discordant_rate is None else round(inputs.discordant_rate, 4),
        "tokens_per_cell": None if inputs.tokens_per_cell is None else round(inputs.tokens_per_cell, 2),
        "cases_available": len(experiment.cases),
        "from_run": inputs.run_id,
    }
