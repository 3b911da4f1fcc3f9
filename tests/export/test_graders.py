"""Checks translated into OpenAI graders score every sample as the scaffold check does.

The python graders' sources run here as the grader service would run them (`grade(sample,
item)`); string_check graders are read with OpenAI's documented meaning (`like`: contains,
`ilike`: contains ignoring case) and `{{ item.x }}` templating."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter

from scaffold.cells import Usage
from scaffold.checks.base import CheckContext
from scaffold.checks.common import build_check
from scaffold.export.graders import translate_checks
from scaffold.export.lines import Grader, MultiGrader, PythonGrader, StringCheckGrader
from scaffold.render import render_string
from scaffold.spec.checks import CheckSpec
from scaffold.spec.resolved import Case

CHECKS = TypeAdapter(list[CheckSpec])
CASE = Case("c1", {"city": "Paris", "n": 42}, expected="42")
OUTPUTS = [
    "42", " 42\n", "The answer is 42.", "It is 41.6", "about 1,234 then 42", "Paris is the capital", "paris!",
    '{"name": "x", "n": 42}', "Here: ```json\n{\"name\": 1}\n```", "[1, 2]", "no json {here", "<answer> 42 </answer>",
    "<answer>Paris</answer> and <answer>41</answer>", "Final: 42 apples", "", "−42",
]
SPECS = [
    {"contains": "{{ city }}"}, {"icontains": "PARIS"}, {"equals": "{{ expected }}"}, {"not_contains": "Paris"},
    {"regex": r"\b4\d\b"}, {"regex": "^paris", "ignore_case": True}, {"number": "{{ expected }}"},
    {"number": 42, "tolerance": 0.5}, {"number": "{{ n }}", "marker": "Final:"}, {"json": True},
    {"json": False}, {"json": True, "schema": {"type": "object", "required": ["name"]}},
    {"xml_tag": "answer"}, {"xml_tag": "answer", "check": {"number": "{{ expected }}"}},
]


def resolve(template: str, sample: dict[str, Any], item: dict[str, Any]) -> str:
    """OpenAI's grader templating: `{{ namespace.path.to.value }}`."""
    def value(match: re.Match[str]) -> str:
        namespace, *path = match.group(1).split(".")
        found: Any = {"sample": sample, "item": item}[namespace]
        for part in path:
            found = found[part]
        return str(found)

    return re.sub(r"\{\{\s*([\w.]+)\s*\}\}", value, template)


def score(grader: Any, sample: dict[str, Any], item: dict[str, Any]) -> float:
    if isinstance(grader, StringCheckGrader):
        text, reference = resolve(grader.input, sample, item), resolve(grader.reference, sample, item)
        operations = {"eq": text == reference, "ne": text != reference, "like": reference in text,
                      "ilike": reference.lower() in text.lower()}
        return float(operations[grader.operation])
    if isinstance(grader, PythonGrader):
        namespace: dict[str, Any] = {}
        exec(compile(grader.source, grader.name, "exec"), namespace)  # noqa: S102 - the grader under test
        return float(namespace["grade"](sample, item))
    assert isinstance(grader, MultiGrader)
    scores = {name: score(sub, sample, item) for name, sub in grader.graders.items()}
    return float(eval(grader.calculate_output, {"__builtins__": {}}, scores))  # noqa: S307 - a formula of names


def item_for(plan_references: dict[str, str], case: Case) -> dict[str, Any]:
    references = {name: render_string(template, case.template_context()) for name, template in plan_references.items()}
    return {"case_id": case.id, "vars": case.vars, "expected": case.expected, "references": references}


async def scaffold_score(spec: Any, output: str) -> float:
    result = await build_check(spec).grade(output, CheckContext(CASE, Usage()))
    return result.score


@pytest.mark.parametrize("raw", SPECS, ids=[str(spec) for spec in SPECS])
async def test_each_translated_check_scores_as_the_check(raw: dict[str, Any]) -> None:
    (spec,) = CHECKS.validate_python([raw])
    plan = translate_checks([spec], Path("."))
    assert plan.notes == []
    grader = TypeAdapter(Grader).validate_python(plan.grader.model_dump())  # type: ignore[union-attr]
    item = item_for(plan.references, CASE)
    for output in OUTPUTS:
        assert score(grader, {"output_text": output}, item) == await scaffold_score(spec, output), output


async def test_several_checks_are_a_multi_grader_whose_output_is_the_weighted_score() -> None:
    specs = CHECKS.validate_python([{"contains": "Paris"}, {"number": "{{ expected }}", "weight": 3}, {"regex": "x", "weight": 0}])
    plan = translate_checks(specs, Path("."))
    assert isinstance(plan.grader, MultiGrader)
    assert plan.grader.calculate_output == "(check_1 + 3.0 * check_2) / 4.0"
    assert plan.notes == ["check 3 (regex x): weight 0, reported but not required; left out of the grader"]
    item = item_for(plan.references, CASE)
    for output in OUTPUTS:
        results = [await build_check(spec).grade(output, CheckContext(CASE, Usage())) for spec in specs[:2]]
        expected = sum(result.score * result.weight for result in results) / 4.0
        assert score(plan.grader, {"output_text": output}, item) == pytest.approx(expected)


async def test_a_python_check_becomes_a_python_grader_with_its_module(tmp_path: Path) -> None:
    (tmp_path / "grading.py").write_text(
        "def starts_right(output, case):\n"
        "    return {'score': 1.0 if output.startswith(str(case.expected)) else 0.25}\n"
    )
    specs = CHECKS.validate_python([{"python": "grading:starts_right"}])
    plan = translate_checks(specs, tmp_path)
    assert isinstance(plan.grader, PythonGrader)
    item = item_for(plan.references, CASE)
    from scaffold.checks.python_hook import PythonHook

    for output in OUTPUTS:
        expected = (await PythonHook(specs[0]).grade(output, CheckContext(CASE, Usage(), root=tmp_path))).score
        assert score(plan.grader, {"output_text": output}, item) == expected


def test_checks_without_a_verifiable_equivalent_are_named(tmp_path: Path) -> None:
    (tmp_path / "hooks.py").write_text("async def later(output, case):\n    return True\n")
    specs = CHECKS.validate_python([
        {"set": ["a", "b"]}, {"tool_called": "calculator"}, {"max_tokens": 100}, {"judge": "Is it polite?", "model": "m"},
        {"xml_tag": "{{ tag }}"}, {"python": "hooks:later"}, {"python": "nowhere:check"},
    ])
    plan = translate_checks(specs, tmp_path)
    assert plan.grader is None
    assert plan.notes == [
        'check 1 (set ["a", "b"]): not translated: `set` has no verifiable grader equivalent',
        "check 2 (tool_called calculator): not translated: `tool_called` has no verifiable grader equivalent",
        "check 3 (max_tokens 100): not translated: `max_tokens` has no verifiable grader equivalent",
        "check 4 (judge Is it polite?): not translated: `judge` has no verifiable grader equivalent",
        "check 5 (xml_tag <{{ tag }}>): not translated: its tag is a template",
        "check 6 (python hooks:later): not translated: later is async; a grader's code is not",
        "check 7 (python nowhere:check): not translated: its module nowhere is not a file of the library",
    ]
