"""max_tokens and tool_called read what the cell did, not what it said."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scaffold.cells import Usage

if TYPE_CHECKING:
    from conftest import RunCheck


async def test_max_tokens_counts_input_and_output(run_check: RunCheck) -> None:
    within = await run_check({"max_tokens": 500}, "42", usage=Usage(input=420, output=80))
    over = await run_check({"max_tokens": 500}, "42", usage=Usage(input=420, output=81, reasoning=40))
    assert within.passed and within.reason == "used 500 tokens, max 500"
    assert not over.passed and over.reason == "used 501 tokens, max 500"


async def test_tool_called_at_least_once_by_default(run_check: RunCheck) -> None:
    called = await run_check({"tool_called": "calculator"}, "42", tool_calls={"calculator": 2, "submit": 1})
    never = await run_check({"tool_called": "calculator"}, "42", tool_calls={"submit": 1})
    assert called.passed and called.reason == "calculator called 2 times, expected ≥ 1"
    assert not never.passed and never.reason == "calculator called 0 times, expected ≥ 1"


async def test_tool_called_between_min_and_max(run_check: RunCheck) -> None:
    raw = {"tool_called": "lookup", "min": 1, "max": 2}
    assert (await run_check(raw, "x", tool_calls={"lookup": 1})).passed
    assert (await run_check(raw, "x", tool_calls={"lookup": 2})).passed
    too_many = await run_check(raw, "x", tool_calls={"lookup": 3})
    assert not too_many.passed and too_many.reason == "lookup called 3 times, expected 1..2"


async def test_tool_never_called_with_max_zero(run_check: RunCheck) -> None:
    raw = {"tool_called": "web_search", "min": 0, "max": 0}
    assert (await run_check(raw, "x", tool_calls={"calculator": 4})).passed
    used = await run_check(raw, "x", tool_calls={"web_search": 1})
    assert not used.passed and used.reason == "web_search called 1 time, expected 0"


async def test_tool_name_is_a_template(run_check: RunCheck) -> None:
    raw = {"tool_called": "{{ tool }}", "name": "used the right tool"}
    result = await run_check(raw, "x", vars={"tool": "lookup"}, tool_calls={"lookup": 1})
    assert result.passed and result.name == "used the right tool"
