"""A cell's score and verdict from its checks: weights, threshold, failures kept in results."""

from __future__ import annotations

from typing import Any, Callable

import pytest
from pydantic import TypeAdapter

from scaffold.cells import CheckResult, Usage
from scaffold.checks import CheckContext, build_checks, cell_score, grade
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


async def test_a_raising_check_fails_alone_and_grading_goes_on(context_for: ContextFor) -> None:
    checks = [
        {"regex": "[unclosed", "name": "broken pattern"},
        {"contains": "{{ missing_var }}"},
        {"max_tokens": 100},
    ]
    context = context_for(usage=Usage(input=40, output=10))
    results, score, passed = await grade_cell(checks, "42", context)
    broken, undefined, tokens = results
    assert (broken.name, broken.type, broken.passed, broken.score) == ("broken pattern", "regex", False, 0.0)
    assert broken.reason.startswith("bad regex /[unclosed/:")
    assert undefined.name == "contains {{ missing_var }}"
    assert undefined.reason == "UndefinedError: 'missing_var' is undefined"
    assert tokens.passed
    assert score == pytest.approx(1 / 3) and not passed


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
