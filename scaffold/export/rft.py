"""`--format rft`: tasks for reinforcement fine-tuning, and the grader that scores them.

One item per (variant, case) of the run: the prompt the variant sent (the first messages of
the transcript, as many as the variant renders), the case's id, vars and expected, and the
check values a grader needs rendered for that case. The case data comes from the experiment
in the library (a run records case ids, not vars), so an item is left out, with a note, when
its case or variant is no longer there. `just_out_of_reach` keeps the items whose pass rate
over the run's samples (pass@1 from the K repeats, the cells of every model and scaffold of
the variant pooled) lies in [0.1, 0.5]: tasks the model sometimes solves, where RFT learns.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from scaffold.cells import CellResult
from scaffold.export.cells import ExportedLines, prompt_messages
from scaffold.export.graders import GraderPlan, translate_checks
from scaffold.export.lines import RftItem
from scaffold.spec.resolved import ResolvedExperiment
from scaffold.store.run_manifest import ResolvedRecord

OUT_OF_REACH = (0.1, 0.5)
"""The pass rates `--just-out-of-reach` keeps, bounds included."""


class ExportError(ValueError):
    """An export that cannot be made from this run; the message is one line for the user."""


@dataclass(frozen=True)
class RftExport:
    """The items, the grader plan, and the notes of both."""

    items: ExportedLines
    plan: GraderPlan


def run_checks(resolved: ResolvedRecord, experiment: ResolvedExperiment) -> Sequence[Any]:
    """The checks the run graded with (from its run.json), else the experiment's as it is now."""
    from pydantic import TypeAdapter, ValidationError

    from scaffold.spec.checks import CheckSpec

    try:
        return TypeAdapter(list[CheckSpec]).validate_python(resolved.checks)
    except ValidationError:
        return experiment.checks


def pass_rates(cells: Sequence[CellResult]) -> dict[tuple[str, str], float]:
    """{(variant, case id): pass@1} over the graded samples of each pair: the fraction that
    passed (exactly, so 1 in 10 is on the 0.1 bound)."""
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for cell in cells:
        tally = counts[(cell.key.variant, cell.key.case_id)]
        tally[0] += 1
        tally[1] += int(cell.passed)
    return {key: c / n for key, (n, c) in counts.items()}


def rft_export(
    cells: Sequence[CellResult], experiment: ResolvedExperiment, resolved: ResolvedRecord, *,
    repeats: int, just_out_of_reach: bool,
) -> RftExport:
    """The RFT items of `cells` and the grader of the run's checks; raises ExportError."""
    from jinja2 import TemplateError

    from scaffold.render import render_string

    if just_out_of_reach and repeats < 2:
        raise ExportError(
            f"--just-out-of-reach needs repeats: this run has {repeats} sample per cell, so each case's pass rate"
            " is 0 or 1 (run again with --repeats 10)"
        )
    plan = translate_checks(run_checks(resolved, experiment), Path(experiment.root), experiment.threshold)
    if plan.grader is None:
        raise ExportError("no check of this run translates to a grader: " + "; ".join(plan.notes or ["it has no checks"]))
    cases = {case.id: case for case in experiment.cases}
    variants = {variant.ref: variant for variant in experiment.variants}
    rates = pass_rates(cells)
    items = ExportedLines()
    seen: set[str] = set()
    missing_cases: set[str] = set()
    missing_variants: set[str] = set()
    unrenderable = 0
    low, high = OUT_OF_REACH
    for cell in cells:
        key = (cell.key.variant, cell.key.case_id)
        if just_out_of_reach and not low <= rates[key] <= high:
            continue
        case, variant = cases.get(cell.key.case_id), variants.get(cell.key.variant)
        if case is None:
            missing_cases.add(cell.key.case_id)
            continue
        if variant is None:
            missing_variants.add(cell.key.variant)
            continue
        prompt = prompt_messages(cell.transcript, len(variant.messages))
        if prompt is None:
            unrenderable += 1
            continue
        try:
            references = {name: render_string(template, case.template_context()) for name, template in plan.references.items()}
        except TemplateError:
            unrenderable += 1
            continue
        item = RftItem(messages=prompt, case_id=case.id, vars=case.vars, expected=case.expected, references=references)
        items.add_unique(item, seen)
    if missing_cases:
        items.notes.append(f"{len(missing_cases)} cases of the run are no longer in the experiment; left out")
    if missing_variants:
        items.notes.append(f"variants no longer in the experiment, left out: {', '.join(sorted(missing_variants))}")
    if unrenderable:
        items.notes.append(f"{unrenderable} cells left out: no prompt ending with a user message, or a check value that does not render")
    if just_out_of_reach:
        items.notes.append(f"{len(items.lines)} items with a pass rate in [{low}, {high}] over {repeats} repeats")
    return RftExport(items, plan)
