"""The example experiments in the repo: their generated cases graded by their own checks.

A right answer must pass every experiment's checks and a typical wrong one must fail, so a
change to a generator, a check or an example file that breaks grading shows up here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from scaffold.cells import Usage
from scaffold.checks.base import CheckContext
from scaffold.checks.grading import grade
from scaffold.checks.registry import build_checks
from scaffold.generators import get_generator
from scaffold.spec.experiment import Experiment, GenerateSpec
from scaffold.spec.resolved import Case
from tests.generators.format_answers import compliant_output

ROOT = Path(__file__).resolve().parents[2]


def load(name: str) -> tuple[Experiment, list[Case]]:
    """The experiment file `experiments/NAME.yaml` and the cases its generator makes."""
    experiment = Experiment.model_validate(yaml.safe_load((ROOT / "experiments" / f"{name}.yaml").read_text()))
    assert isinstance(experiment.cases, GenerateSpec)
    spec = experiment.cases
    raw = get_generator(spec.generate)(spec.n, spec.seed, **spec.options)
    cases = [
        Case(case["id"], case["vars"], case["expected"], case.get("cluster"), tuple(case.get("tags", ())))
        for case in raw
    ]
    return experiment, cases


async def passes(experiment: Experiment, case: Case, output: str) -> bool:
    context = CheckContext(case=case, usage=Usage(100, 20), root=ROOT)
    results, _, passed = await grade(build_checks(experiment.checks), experiment.checks, output, context, None)
    assert all("Error" not in result.reason for result in results), results
    return passed


def test_the_examples_compare_three_variants_on_twenty_generated_cases() -> None:
    for name in ("graph_walk", "context_only", "format"):
        experiment, cases = load(name)
        assert len(experiment.variants) == 3 and all(ref.startswith(f"{name}:") for ref in experiment.variants)
        assert experiment.models == ["local/smollm2"] and len(cases) == 20
        assert experiment.description


async def test_graph_walk_passes_the_exact_node_set_only() -> None:
    experiment, cases = load("graph_walk")
    for case in cases:
        nodes: list[Any] = case.expected
        assert await passes(experiment, case, f"Following the edges...\nFinal Answer: [{', '.join(nodes)}]")
        assert not await passes(experiment, case, f"Final Answer: [{', '.join(nodes + ['zzzz'])}]")
        assert not await passes(experiment, case, ", ".join(nodes))  # no Final Answer line


async def test_context_only_passes_the_passage_answer_and_fails_the_world_answer() -> None:
    experiment, cases = load("context_only")
    for case in cases:
        world = case.vars["world_answer"]
        assert await passes(experiment, case, f"According to the passage: {case.expected}.")
        assert not await passes(experiment, case, f"{world}.")
        assert not await passes(experiment, case, f"The passage says {case.expected}, but it is really {world}.")


async def test_format_passes_a_compliant_answer_and_fails_a_chatty_one() -> None:
    experiment, cases = load("format")
    for case in cases:
        assert await passes(experiment, case, compliant_output(case.expected))
        chatty = "Sure, here it is:\n" + compliant_output(case.expected)
        broken_by_chat = {"lowercase", "json_keys", "no_commas"} & set(case.tags)
        assert await passes(experiment, case, chatty) == (not broken_by_chat), case.expected
