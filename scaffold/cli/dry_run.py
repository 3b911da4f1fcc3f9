"""`scaffold run --dry-run`: the plan of a run, with nothing sent."""

from __future__ import annotations

from scaffold.cells import Usage
from scaffold.engine.plan import count_cells
from scaffold.providers.pricing import cost_usd
from scaffold.render import RenderError, render_messages
from scaffold.spec.prompt_file import ScaffoldSpec
from scaffold.spec.resolved import ResolvedExperiment

CHARS_PER_TOKEN = 4
"""A rough rule for English text; the plan says the figure is an estimate."""


def max_calls(spec: ScaffoldSpec) -> int | None:
    """Model calls one cell makes at most under this scaffold (None: up to user code)."""
    if spec.kind == "single":
        return 1
    if spec.kind == "tool_loop":
        return spec.max_turns
    if spec.kind == "self_check":
        return 1 + 2 * spec.rounds
    return None


def print_plan(experiment: ResolvedExperiment) -> None:
    """Print cells, calls, estimated input tokens and a cost bound where prices are known."""
    cells = count_cells(experiment)
    axes = (
        f"{len(experiment.variants)} variants × {len(experiment.scaffolds)} scaffolds × "
        f"{len(experiment.models)} models × {len(experiment.cases)} cases × {experiment.repeats} repeats"
    )
    print(f"plan: {experiment.name}: {axes} = {cells:,} cells")
    per_cell = [max_calls(scaffold.spec) for scaffold in experiment.scaffolds]
    cells_per_scaffold = cells // max(1, len(experiment.scaffolds))
    known_calls = sum(calls * cells_per_scaffold for calls in per_cell if calls is not None)
    open_ended = " (plus whatever python scaffolds send)" if None in per_cell else ""
    print(f"calls: at most {known_calls:,}{open_ended}")

    first_turn_chars = 0
    failures = 0
    for variant in experiment.variants:
        for case in experiment.cases:
            try:
                messages = render_messages(variant, case.vars, experiment.root)
            except RenderError:
                failures += 1
                continue
            first_turn_chars += sum(len(str(message.get("content") or "")) for message in messages)
    per_model_input = (
        first_turn_chars // CHARS_PER_TOKEN * len(experiment.scaffolds) * experiment.repeats
    )
    print(f"estimated input tokens (first turns): ≈{per_model_input * len(experiment.models):,}")
    if failures:
        print(f"cells whose prompt does not render: {failures:,} (they will be recorded as errors)")
    for model in experiment.models:
        params = {**experiment.params, **model.params}
        max_output = params.get("max_tokens")
        output_bound = int(max_output) * cells // max(1, len(experiment.models)) if max_output else 0
        cost = cost_usd(model, Usage(input=per_model_input, output=output_bound), experiment.prices, batch=model.batch)
        if cost is None:
            bound = "no known batch price" if model.batch else "no known price"
        elif max_output:
            bound = f"≤ ${cost:.4f} for first turns"
        else:
            bound = f"≥ ${cost:.4f} (input only; set max_tokens for an upper bound)"
        print(f"  {model.name}: {bound}{' at the batch price' if model.batch and cost is not None else ''}")
    print("nothing was sent (dry run)")
