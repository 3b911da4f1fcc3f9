"""The example experiments in the repo: their generated cases graded by their own checks.

A right answer must pass every experiment's checks and a typical wrong one must fail, so a
change to a generator, a check or an example file that breaks grading shows up here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scaffold.cells import Usage
from scaffold.checks.base import CheckContext
from scaffold.checks.grading import grade
from scaffold.checks import build_checks
from scaffold.render import render_messages
from scaffold.spec.library import load_experiment
from scaffold.spec.resolved import Case, ResolvedExperiment
from tests.generators.format_answers import compliant_output

ROOT = Path(__file__).resolve().parents[2]


def load(name: str) -> ResolvedExperiment:
    """`experiments/NAME.yaml` as the library loader resolves it, cases generated."""
    return load_experiment(ROOT / "experiments" / f"{name}.yaml", ROOT)


async def passes(experiment: ResolvedExperiment, case: Case, output: str) -> bool:
    context = CheckContext(case=case, usage=Usage(100, 20), root=ROOT)
    results, _, passed = await grade(build_checks(experiment.checks), experiment.checks, output, context, None)
    assert all("Error" not in result.reason for result in results), results
    return passed


def test_the_examples_compare_three_variants_on_twenty_generated_cases() -> None:
    for name in ("graph_walk", "context_only", "format"):
        experiment = load(name)
        assert [variant.file for variant in experiment.variants] == [name] * 3
        assert [model.name for model in experiment.models] == ["local/smollm2"]
        assert len(experiment.cases) == 20 and experiment.description


async def test_graph_walk_passes_the_exact_node_set_only() -> None:
    experiment = load("graph_walk")
    for case in experiment.cases:
        nodes: list[Any] = case.expected
        assert await passes(experiment, case, f"Following the edges...\nFinal Answer: [{', '.join(nodes)}]")
        assert not await passes(experiment, case, f"Final Answer: [{', '.join(nodes + ['zzzz'])}]")
        assert not await passes(experiment, case, ", ".join(nodes))  # no Final Answer line


async def test_context_only_passes_the_passage_answer_and_fails_the_world_answer() -> None:
    experiment = load("context_only")
    for case in experiment.cases:
        world = case.vars["world_answer"]
        assert await passes(experiment, case, f"According to the passage: {case.expected}.")
        assert not await passes(experiment, case, f"{world}.")
        assert not await passes(experiment, case, f"The passage says {case.expected}, but it is really {world}.")


async def test_format_passes_a_compliant_answer_and_fails_a_chatty_one() -> None:
    experiment = load("format")
    for case in experiment.cases:
        assert await passes(experiment, case, compliant_output(case.expected))
        chatty = "Sure, here it is:\n" + compliant_output(case.expected)
        broken_by_chat = {"lowercase", "json_keys", "no_commas"} & set(case.tags)
        assert await passes(experiment, case, chatty) == (not broken_by_chat), case.expected


def test_every_variant_renders_every_case_with_its_vars() -> None:
    main_var = {"graph_walk": "graph", "context_only": "passage", "format": "topic"}
    for name, var in main_var.items():
        experiment = load(name)
        for variant in experiment.variants:
            for case in experiment.cases:
                user = render_messages(variant, case.vars, ROOT)[-1]
                assert user["role"] == "user" and case.vars[var] in user["content"], (variant.ref, case.id)
