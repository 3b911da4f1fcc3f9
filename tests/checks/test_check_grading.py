"""A cell's score and verdict from its checks: weights, threshold, checks that cannot run."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import pytest
from pydantic import TypeAdapter

from scaffold.cells import CheckResult, Usage
from scaffold.checks import CheckContext, CheckError, build_checks, cell_score, grade
from scaffold.checks.common import SpecCheck
from scaffold.registry import REGISTRY
from scaffold.spec.checks import BUILTIN_CHECKS, CheckSpec

SPECS: TypeAdapter[list[CheckSpec]] = TypeAdapter(list[CheckSpec])

ContextFor = Callable[..., CheckContext]


async def grade_cell(
    raw_checks: list[dict[str, Any]], output: str, context: CheckContext, threshold: float | None = None
) -> tuple[tuple[CheckResult, ...], float, bool]:
    specs = SPECS.validate_python(raw_checks)
    return await grade(build_checks(specs), specs, output, context, threshold)


def test_every_check_type_registers_its_model_and_its_behaviour_together() -> None:
    required = {"equals", "contains", "icontains", "not_contains", "regex", "number", "json", "xml_tag", "set",
                "tool_called", "max_tokens", "python", "judge"}
    assert required <= BUILTIN_CHECKS.keys()
    for name, entry in REGISTRY.builtins("check").items():
        assert issubclass(entry.target, SpecCheck)
        assert entry.spec.model_fields["type"].annotation.__args__ == (name,)


async def test_all_required_checks_pass(context_for: ContextFor) -> None:
    checks = [{"contains": "{{ expected }}"}, {"xml_tag": "answer", "check": {"number": "{{ expected }}"}}]
    results, score, passed = await grade_cell(checks, "<answer>1321</answer>", context_for(expected=1321))
    assert [result.passed for result in results] == [True, True]
    assert score == 1.0 and passed


async def test_weight_zero_is_reported_but_not_counted(context_for: ContextFor) -> None:
    checks = [{"contains": "{{ expected }}"}, {"regex": r"<answer>\s*{{ expected }}\s*</answer>", "weight": 0}]
    results, score, passed = await grade_cell(checks, "The answer is 88.", context_for(expected=88))
    assert [(result.passed, result.weight) for result in results] == [(True, 1.0), (False, 0.0)]
    assert score == 1.0 and passed


async def test_score_is_the_weighted_mean(context_for: ContextFor) -> None:
    checks = [
        {"contains": "Paris", "weight": 3},
        {"not_contains": "I think", "weight": 1},
        {"set": "{{ expected }}", "weight": 2},
    ]
    output = "I think Paris.\nFinal Answer: [a, b, x]"
    results, score, passed = await grade_cell(checks, output, context_for(expected=["a", "b", "c", "d"]))
    assert [result.score for result in results] == [1.0, 0.0, pytest.approx(4 / 7)]
    assert score == pytest.approx((3 * 1.0 + 1 * 0.0 + 2 * 4 / 7) / 6)
    assert not passed


async def test_threshold_passes_on_the_score_despite_a_failed_check(context_for: ContextFor) -> None:
    checks = [{"contains": "Paris", "weight": 3}, {"not_contains": "I think", "weight": 1}]
    context = context_for()
    _, score, passed = await grade_cell(checks, "I think Paris.", context, threshold=0.75)
    _, _, strict = await grade_cell(checks, "I think Paris.", context, threshold=None)
    _, _, too_high = await grade_cell(checks, "I think Paris.", context, threshold=0.8)
    assert score == 0.75 and passed
    assert not strict and not too_high


async def test_threshold_tolerates_float_rounding(context_for: ContextFor) -> None:
    checks = [{"contains": "a", "weight": 0.1}, {"contains": "b", "weight": 0.7}, {"contains": "z", "weight": 0.2}]
    _, score, passed = await grade_cell(checks, "a b", context_for(), threshold=0.8)
    assert score < 0.8 and score == pytest.approx(0.8)  # 0.1 + 0.7 is 0.7999999999999999
    assert passed


async def test_no_checks_pass_with_score_one(context_for: ContextFor) -> None:
    assert await grade_cell([], "anything", context_for()) == ((), 1.0, True)
    _, score, passed = await grade_cell([{"contains": "x", "weight": 0}], "nothing", context_for())
    assert score == 1.0 and passed


async def test_a_check_that_cannot_run_leaves_the_cell_without_a_verdict(context_for: ContextFor) -> None:
    checks = [
        {"max_tokens": 100},
        {"regex": "[unclosed", "name": "broken pattern"},
        {"contains": "{{ missing_var }}"},
    ]
    context = context_for(usage=Usage(input=40, output=10))
    with pytest.raises(CheckError) as raised:
        await grade_cell(checks, "42", context)
    assert (raised.value.index, raised.value.check) == (1, "broken pattern")
    assert raised.value.cause.startswith("pattern /[unclosed/ does not compile:")
    with pytest.raises(CheckError) as undefined:
        await grade_cell(checks[2:], "42", context)
    assert undefined.value.cause == "UndefinedError: 'missing_var' is undefined"


async def test_a_failing_answer_is_still_a_plain_fail(context_for: ContextFor, hooks_root: Path) -> None:
    checks = [{"regex": r"<answer>\s*{{ expected }}\s*</answer>"}, {"python": "answer_hooks:exact_expected"}]
    results, score, passed = await grade_cell(checks, "<answer>41</answer>", context_for(expected=42, root=hooks_root))
    assert [result.passed for result in results] == [False, False]
    assert score == 0.0 and not passed


async def test_checks_and_specs_must_pair_up(context_for: ContextFor) -> None:
    specs = SPECS.validate_python([{"contains": "a"}])
    with pytest.raises(ValueError):
        await grade((), specs, "a", context_for(), None)


def test_cell_score_ignores_zero_weights() -> None:
    results = [
        CheckResult("a", "contains", True, 1.0, 2.0),
        CheckResult("b", "set", False, 0.5, 2.0),
        CheckResult("c", "regex", False, 0.0, 0.0),
    ]
    assert cell_score(results) == 0.75


@pytest.mark.parametrize(
    ("reply", "passed"),
    [
        ("2 + 9 = 11", True),  # a plain variant's answer ends on its result
        ("<answer>11</answer>", True),  # the XML variant's format
        ("To add 2 and 9, we get 11.", True),
        ("2 + 9", False),  # the question repeated: its last number is an operand
        ("11 is not it; 2 + 9 = 12", False),  # `contains: "11"` would pass this
    ],
)
async def test_the_quickstart_grades_by_the_answer_the_same_way_for_every_variant(
    reply: str, passed: bool, context_for: ContextFor
) -> None:
    import yaml

    quickstart = Path(__file__).resolve().parents[2] / "experiments" / "quickstart.yaml"
    checks = yaml.safe_load(quickstart.read_text())["checks"]
    assert (await grade_cell(checks, reply, context_for(expected="11")))[2] is passed
