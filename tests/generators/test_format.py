"""`format`: constraints that can hold together, and the IFEval-style grader, strict and loose."""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest

from scaffold.generators.format import CONFLICTS, CONSTRAINT_TYPES, check, generate
from scaffold.spec.resolved import Case
from tests.generators.format_answers import compliant_output


def grade(output: str, *constraints: dict[str, Any]) -> dict[str, Any]:
    return check(output, Case(id="format-test", vars={}, expected=list(constraints)))


def test_every_generated_case_can_be_followed_and_is_graded_so() -> None:
    for case in generate(300, 17, max_constraints=3):
        constraints = case["expected"]
        result = check(compliant_output(constraints), Case(id=case["id"], vars=case["vars"], expected=constraints))
        assert result == {"score": 1.0, "passed": True, "reason": result["reason"]}, (constraints, result)


def test_cases_never_combine_conflicting_constraints() -> None:
    for case in generate(400, 2, max_constraints=3):
        types = [constraint["type"] for constraint in case["expected"]]
        assert case["tags"] == types
        assert 1 <= len(types) <= 3 and len(set(types)) == len(types)
        for pair in itertools.combinations(types, 2):
            assert frozenset(pair) not in CONFLICTS


def test_one_or_two_constraints_by_default_and_all_types_appear() -> None:
    cases = generate(300, 4)
    assert {len(case["expected"]) for case in cases} == {1, 2}
    assert {tag for case in cases for tag in case["tags"]} == set(CONSTRAINT_TYPES)


def test_instructions_say_each_constraint_on_its_own_line() -> None:
    for case in generate(100, 9):
        lines = case["vars"]["instructions"].split("\n")
        assert len(lines) == len(case["expected"])
        for line, constraint in zip(lines, case["expected"]):
            for value in constraint.values():
                if constraint["type"] != "lowercase" and value != constraint["type"]:
                    shown = value if isinstance(value, list) else [value]
                    assert all(str(item) in line for item in shown), (line, constraint)
        assert case["vars"]["topic"]


def test_constraint_option_limits_the_types_drawn() -> None:
    cases = generate(50, 3, constraints=["keyword", "no_commas"], min_constraints=2)
    assert all(case["tags"] == ["keyword", "no_commas"] for case in cases)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"constraints": ["json_keys", "bullets"], "min_constraints": 2}, "no 2 of the constraints json_keys, bullets"),
        ({"constraints": ["caps"]}, "option 'constraints' must be one of bullets, lowercase"),
        ({"max_constraints": 4}, "option 'max_constraints' must be between 1 and 3, got 4"),
        ({"min_constraints": 3}, "option 'min_constraints' must be between 1 and 2, got 3"),
    ],
)
def test_bad_options_are_explained(options: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(f"format: {message}")):
        generate(5, 1, **options)


FOLLOWED_AND_BROKEN = [
    ({"type": "bullets", "count": 3}, "* one\n* two\n- three", "* one\n* two"),
    ({"type": "bullets", "count": 2}, "Intro:\n* one\n* two\nDone.", "* one\n* two\n* three"),
    ({"type": "lowercase"}, "all lower case, even 42 and é.", "all lower case except This"),
    ({"type": "json_keys", "keys": ["title", "summary"]}, '{"title": "t", "summary": "s"}', '{"title": "t"}'),
    ({"type": "json_keys", "keys": ["title"]}, '```json\n{"title": "t"}\n```', '{"title": "t", "extra": 1}'),
    ({"type": "json_keys", "keys": ["title"]}, ' {"title": null} ', '["title"]'),
    ({"type": "json_keys", "keys": ["title"]}, '{"title": 1}', "title: 1"),
    ({"type": "keyword", "keyword": "balance"}, "Finding Balance matters.", "Finding equilibrium matters."),
    ({"type": "max_words", "limit": 5}, "one two three four five.", "one two three four five six"),
    ({"type": "max_words", "limit": 3}, "it's fine", "it's not fine"),
    ({"type": "no_commas"}, "No commas here. None at all.", "One, two."),
    (
        {"type": "ends_with", "phrase": "Any other questions?"},
        'Text.\nany other questions?"\n',
        "Any other questions? Ok.",
    ),
]


@pytest.mark.parametrize(("constraint", "followed", "broken"), FOLLOWED_AND_BROKEN)
def test_each_rule_passes_a_compliant_output_and_fails_a_violating_one(
    constraint: dict[str, Any], followed: str, broken: str
) -> None:
    good, bad = grade(followed, constraint), grade(broken, constraint)
    assert (good["passed"], good["score"]) == (True, 1.0), good["reason"]
    assert (bad["passed"], bad["score"]) == (False, 0.0), bad["reason"]


def test_score_is_the_fraction_followed_and_passing_needs_all() -> None:
    result = grade("short, lower", {"type": "lowercase"}, {"type": "no_commas"})
    assert result["score"] == 0.5 and result["passed"] is False
    assert "lowercase ok" in result["reason"] and "no_commas fails (1 comma)" in result["reason"]


def test_a_leading_chat_line_fails_strict_but_passes_loose() -> None:
    output = 'Sure, here it is:\n{"title": "bees", "summary": "they make honey"}'
    result = grade(output, {"type": "json_keys", "keys": ["title", "summary"]}, {"type": "lowercase"})
    assert result["passed"] is False and result["score"] == 0.0
    assert result["reason"].startswith("strict 0/2, loose 2/2:")
    assert "json_keys fails strict, ok loose (not valid JSON)" in result["reason"]
    assert "lowercase fails strict, ok loose (capital letters S)" in result["reason"]


def test_markdown_emphasis_is_forgiven_only_loosely() -> None:
    result = grade("Bees are busy. **Any other questions?**", {"type": "ends_with", "phrase": "Any other questions?"})
    assert result["passed"] is False
    assert result["reason"].startswith("strict 0/1, loose 1/1:")


def test_a_violation_no_reading_fixes_fails_both_ways() -> None:
    result = grade("Sure:\n* a\n* b\n* c\nThanks", {"type": "bullets", "count": 2})
    assert result["reason"].startswith("strict 0/1, loose 0/1:")
    assert "3 bullet points, 2 asked" in result["reason"]


def test_an_empty_output_follows_nothing() -> None:
    result = grade("   \n", {"type": "no_commas"}, {"type": "max_words", "limit": 10})
    assert result["score"] == 0.0 and result["passed"] is False
    assert "empty response" in result["reason"]


@pytest.mark.parametrize("expected", [None, "3 bullets", [{"type": "emoji"}], [["bullets"]]])
def test_a_case_without_format_constraints_is_an_error(expected: object) -> None:
    with pytest.raises(ValueError, match="case c1 has no format constraints"):
        check("text", Case(id="c1", vars={}, expected=expected))
