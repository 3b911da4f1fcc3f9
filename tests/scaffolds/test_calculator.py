"""The calculator tool: exact arithmetic from `ast`, never `eval`, with bounded results."""

from __future__ import annotations

import pytest

from scaffold.scaffolds.tools import CalculatorError, calculate


@pytest.mark.parametrize(
    ("expression", "result"),
    [
        ("2 + 3", "5"),
        ("(12 + 7) * 3", "57"),
        ("10 - 4 - 3", "3"),
        ("-(3 + 4) * 2", "-14"),
        ("+5", "5"),
        ("7 / 2", "3.5"),
        ("8 / 2", "4"),
        ("7 // 2", "3"),
        ("-7 // 2", "-4"),
        ("17 % 5", "2"),
        ("2 ** 10", "1024"),
        ("2 ** -1", "0.5"),
        ("0.1 + 0.2", "0.3"),
        ("1.5e3 * 2", "3000"),
        ("123456789 * 987654321", "121932631112635269"),
        ("2 ** 100", "1267650600228229401496703205376"),
        ("  1_000 + 1 ", "1001"),
        ("1 / 3", "0.333333333333333"),
    ],
)
def test_arithmetic(expression: str, result: str) -> None:
    assert calculate(expression) == result


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("x + 1", "names are not allowed ('x'); use numbers only"),
        ("__import__('os').system('true')", "function calls are not allowed"),
        ("abs(-2)", "function calls are not allowed"),
        ("(1).real", "attributes are not allowed"),
        ("'a' * 3", "only numbers are allowed, not 'a'"),
        ("True + 1", "only numbers are allowed, not True"),
        ("1j * 2", "only numbers are allowed, not 1j"),
        ("2 ^ 3", "'^' is not supported; use ** for powers"),
        ("[1, 2]", "unsupported syntax: List"),
        ("1 < 2", "unsupported syntax: Compare"),
        ("lambda: 1", "unsupported syntax: Lambda"),
        ("1 / 0", "division by zero"),
        ("5 % 0", "division by zero"),
        ("(-8) ** 0.5", "the result is not a real number"),
        ("2 +", "cannot parse '2 +': invalid syntax"),
    ],
)
def test_refusals_say_why(expression: str, reason: str) -> None:
    with pytest.raises(CalculatorError) as refusal:
        calculate(expression)
    assert str(refusal.value) == reason


@pytest.mark.parametrize("expression", ["9 ** 9 ** 9", "10 ** 100000", "2 ** 4097", "(2 ** 4000) * (2 ** 4000)"])
def test_huge_integers_are_refused(expression: str) -> None:
    with pytest.raises(CalculatorError, match="result too large"):
        calculate(expression)


def test_the_largest_allowed_integer_is_computed_exactly() -> None:
    assert calculate("2 ** 4095") == str(2**4095)


@pytest.mark.parametrize("expression", ["2.0 ** 100000", "10 ** 400 / 3", "1e308 * 10 ** 10", "-1e400"])
def test_float_overflow_is_refused(expression: str) -> None:
    with pytest.raises(CalculatorError, match="result too large"):
        calculate(expression)


def test_very_long_expressions_are_refused() -> None:
    with pytest.raises(CalculatorError, match="longer than 1000 characters"):
        calculate("1+" * 600 + "1")
