"""How numbers and outputs read in every view."""

from __future__ import annotations

from scaffold import text_format as text


def test_signed_numbers_never_show_minus_zero() -> None:
    assert text.points_interval((-1e-17, 0.6667)) == "[+0.0, +66.7]"
    assert text.points(-0.1111) == "-11.1 pts"
    assert text.relative(-0.04) == "+0.0%" and text.relative(-35.27) == "-35.3%"


def test_missing_values_and_unknown_costs_are_never_zero() -> None:
    assert text.percent(None) == text.number(None) == text.seconds(None) == text.MISSING
    assert text.cost(None) == "n/a" and text.cost(0.01214) == "$0.0121"


def test_snippets_are_one_quoted_line_cut_at_the_width() -> None:
    assert text.snippet("The answer\n  is 42.") == '"The answer is 42."'
    assert text.snippet("x" * 60, width=10) == '"xxxxxxxxx…"'
    assert text.snippet(None) == "(no output)"
