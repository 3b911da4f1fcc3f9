"""number: the last number (or the first after a marker) within a tolerance."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from scaffold.checks.numbers import find_numbers, parse_number

if TYPE_CHECKING:
    from conftest import BrokenCheck, RunCheck


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("x = -3", [-3.0]),
        ("1,234 apples and 2 pears", [1234.0, 2.0]),
        ("It costs $3.50.", [3.5]),
        ("about 1e3 or 2.5E-2", [1000.0, 0.025]),
        ("pages 3-5", [3.0, 5.0]),
        ("items 1,2,3", [1.0, 2.0, 3.0]),
        ("\u22127 degrees", [-7.0]),
        ("-1,000.5", [-1000.5]),
        ("no digits here", []),
    ],
)
def test_numbers_as_models_write_them(text: str, numbers: list[float]) -> None:
    assert [parse_number(found) for found in find_numbers(text)] == numbers


async def test_last_number_in_the_output_is_compared(run_check: RunCheck) -> None:
    output = "First, 12 + 30 = 42. Then 42 - 1 = 41.\nSo the answer is 41."
    result = await run_check({"number": "{{ expected }}"}, output, expected=41)
    assert result.passed
    assert result.reason == "found 41, expected 41 (±0)"


async def test_wrong_number_reason_shows_found_and_expected(run_check: RunCheck) -> None:
    result = await run_check({"number": "{{ expected }}"}, "The total is 41.", expected=42)
    assert not result.passed and result.score == 0.0
    assert result.reason == "found 41, expected 42 (±0)"


async def test_tolerance_is_absolute(run_check: RunCheck) -> None:
    raw = {"number": "{{ expected }}", "tolerance": 0.01}
    assert (await run_check(raw, "pi is about 3.14", expected=3.1416)).passed
    far = await run_check(raw, "pi is about 3.1", expected=3.1416)
    assert not far.passed and far.reason == "found 3.1, expected 3.1416 (±0.01)"


async def test_float_rounding_does_not_fail_an_exact_answer(run_check: RunCheck) -> None:
    assert (await run_check({"number": 0.3}, "0.1 + 0.2 = 0.30000000000000004")).passed


async def test_thousands_separators_and_negative_numbers(run_check: RunCheck) -> None:
    assert (await run_check({"number": "{{ expected }}"}, "Total: 1,234,567", expected=1234567)).passed
    assert (await run_check({"number": "-3"}, "The temperature fell to -3 overnight.")).passed


async def test_marker_reads_the_first_number_after_the_last_marker(run_check: RunCheck) -> None:
    output = "Answer: maybe 10?\nLet me check: 7 + 5 = 12.\nAnswer: 12 (not 13)"
    result = await run_check({"number": "{{ expected }}", "marker": "Answer:"}, output, expected=12)
    assert result.passed and result.reason == "found 12, expected 12 (±0)"


async def test_missing_marker_fails(run_check: RunCheck) -> None:
    result = await run_check({"number": "12", "marker": "Answer:"}, "It is 12.")
    assert not result.passed and result.reason == 'no "Answer:" in output'


async def test_no_number_in_output(run_check: RunCheck) -> None:
    result = await run_check({"number": "{{ expected }}"}, "I cannot compute that.", expected=7)
    assert not result.passed and result.reason == "no number in output, expected 7"


async def test_expected_value_that_is_not_a_number_is_a_check_error(broken_check: BrokenCheck) -> None:
    error = await broken_check({"number": "{{ expected }}"}, "7", expected="seven")
    assert error.cause == 'expected value "seven" is not a number'
