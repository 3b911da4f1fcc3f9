"""`arith`: expected results recomputed from the expression text the model sees."""

from __future__ import annotations

import re

import pytest

from scaffold.generators.arith import generate

EXPRESSION = re.compile(r"^(\d+) \+ (\d+)(?: ([+-]) (\d+))?$")


def evaluate(expression: str) -> int:
    """A tiny parser for `a + b` and `a + b ± c`, independent of the generator."""
    match = EXPRESSION.match(expression)
    assert match, expression
    first, second, operator, third = match.groups()
    total = int(first) + int(second)
    if operator == "+":
        total += int(third)
    elif operator == "-":
        total -= int(third)
    return total


def test_expected_is_the_value_of_the_expression() -> None:
    for case in generate(300, 11, multi_step=0.5):
        assert case["expected"] == str(evaluate(case["vars"]["expression"]))


def test_the_vars_are_the_numbers_in_the_expression() -> None:
    for case in generate(200, 2, multi_step=0.5):
        case_vars = case["vars"]
        numbers = [int(number) for number in re.findall(r"\d+", case_vars["expression"])]
        assert numbers[:2] == [case_vars["a"], case_vars["b"]]
        assert numbers[2:] == ([case_vars["c"]] if "c" in case_vars else [])


def test_multi_step_cases_carry_c_and_their_tag() -> None:
    cases = generate(200, 4, multi_step=0.5)
    multi = [case for case in cases if case["tags"] == ["multi-step"]]
    one = [case for case in cases if case["tags"] == ["one-step"]]
    assert len(multi) + len(one) == 200 and multi and one
    assert all("c" in case["vars"] for case in multi)
    assert all("c" not in case["vars"] for case in one)


@pytest.mark.parametrize(("fraction", "expected_tags"), [(0, {"one-step"}), (1, {"multi-step"})])
def test_multi_step_fraction_at_its_bounds(fraction: float, expected_tags: set[str]) -> None:
    assert {tag for case in generate(50, 1, multi_step=fraction) for tag in case["tags"]} == expected_tags


def test_default_mix_is_near_thirty_percent_multi_step() -> None:
    multi = sum(case["tags"] == ["multi-step"] for case in generate(1000, 9))
    assert 230 < multi < 370


@pytest.mark.parametrize("digits", [1, 3, 12])
def test_operands_have_the_asked_number_of_digits(digits: int) -> None:
    for case in generate(100, 5, digits=digits, multi_step=1):
        for name in ("a", "b", "c"):
            assert len(str(case["vars"][name])) == digits


def test_big_operands_stay_exact() -> None:
    case = generate(1, 1, digits=25, multi_step=0)[0]
    assert int(case["expected"]) == case["vars"]["a"] + case["vars"]["b"]
    assert len(case["expected"]) >= 25


def test_ids_widen_when_n_needs_more_digits() -> None:
    cases = generate(10_001, 3)
    assert cases[0]["id"] == "arith-00000" and cases[-1]["id"] == "arith-10000"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"digits": 0}, "option 'digits' must be between 1 and 30, got 0"),
        ({"digits": "3"}, "option 'digits' must be a whole number, got '3'"),
        ({"multi_step": 1.5}, "option 'multi_step' must be a number from 0 to 1, got 1.5"),
        ({"digit": 2}, "unknown option 'digit' (did you mean 'digits'?)"),
    ],
)
def test_bad_options_are_explained(options: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(f"arith: {message}")):
        generate(5, 1, **options)
