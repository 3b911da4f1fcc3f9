"""The tool_loop rule (DESIGN 1.3), turn by turn, against a scripted model."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

import pytest

from scaffold.cells import Completion, ToolCall
from scaffold.providers.base import ProviderError

if TYPE_CHECKING:
    from tests.scaffolds.conftest import Drive

Messages = list[dict[str, Any]]
CALCULATOR_LOOP = {"kind": "tool_loop", "tools": ["calculator"]}


def tool_call_message(call_id: str, name: str, arguments: str) -> dict[str, Any]:
    """An assistant message that only calls one tool, as the transcript holds it."""
    call = {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}
    return {"role": "assistant", "content": None, "tool_calls": [call]}


async def test_reaches_the_answer_through_a_tool_and_submit(drive: Drive, prompt: Messages) -> None:
    turns = [[("calculator", {"expression": "2 + 3"})], [("submit", {"answer": "5"})]]

    outcome, model = await drive(CALCULATOR_LOOP, turns)

    assert outcome.output == "5"
    assert (outcome.turns, outcome.tool_calls, outcome.nudges) == (2, {"calculator": 1, "submit": 1}, 0)
    assert model.requests[0].tool_names == ["calculator", "submit"]
    assert outcome.transcript == [
        *prompt,
        tool_call_message("call_1_0", "calculator", '{"expression": "2 + 3"}'),
        {"role": "tool", "tool_call_id": "call_1_0", "content": "5"},
        tool_call_message("call_2_0", "submit", '{"answer": "5"}'),
        {"role": "tool", "tool_call_id": "call_2_0", "content": "5"},
    ]
    assert model.requests[1].messages == outcome.transcript[:4]


async def test_the_tool_definitions_are_openai_functions(drive: Drive) -> None:
    _, model = await drive({"kind": "tool_loop", "tools": ["lookup"]}, ["5"])

    assert model.requests[0].tool_names == ["lookup", "submit"]
    submit = model.requests[0].tools[1]  # type: ignore[index]
    assert submit["type"] == "function"
    assert submit["function"]["parameters"] == {
        "type": "object",
        "properties": {"answer": {"type": "string", "description": "The final answer"}},
        "required": ["answer"],
        "additionalProperties": False,
    }


async def test_a_text_answer_after_tools_ends_the_loop(drive: Drive) -> None:
    outcome, _ = await drive(CALCULATOR_LOOP, [[("calculator", {"expression": "2+3"})], "The answer is 5."])

    assert outcome.output == "The answer is 5."
    assert (outcome.turns, outcome.tool_calls) == (2, {"calculator": 1})
    assert outcome.transcript[-1] == {"role": "assistant", "content": "The answer is 5."}


async def test_a_stop_without_nudge_is_the_answer(drive: Drive) -> None:
    spec = {**CALCULATOR_LOOP, "max_turns": 5}
    outcome, model = await drive(spec, ["Should I use the calculator?", "never sent"])

    assert outcome.output == "Should I use the calculator?"
    assert (outcome.turns, outcome.tool_calls, outcome.nudges) == (1, {}, 0)
    assert len(model.requests) == 1


async def test_nudges_are_sent_up_to_max_nudges_then_the_text_is_the_answer(drive: Drive, prompt: Messages) -> None:
    spec = {"kind": "tool_loop", "nudge": "Keep going on {{ task }}; do not ask me.", "max_nudges": 2}

    outcome, model = await drive(spec, ["Shall I go on?", "Are you sure?", "Fine: 5"], {"task": "the sum"})

    nudge = {"role": "user", "content": "Keep going on the sum; do not ask me."}
    assert outcome.output == "Fine: 5"
    assert (outcome.turns, outcome.nudges, outcome.tool_calls) == (3, 2, {})
    assert outcome.transcript == [
        *prompt,
        {"role": "assistant", "content": "Shall I go on?"},
        nudge,
        {"role": "assistant", "content": "Are you sure?"},
        nudge,
        {"role": "assistant", "content": "Fine: 5"},
    ]
    assert model.requests[1].messages[-1] == nudge


async def test_a_nudged_model_can_still_submit(drive: Drive) -> None:
    spec = {"kind": "tool_loop", "nudge": "Go on.", "max_nudges": 3}
    outcome, _ = await drive(spec, ["thinking...", [("submit", {"answer": 5})]])

    assert outcome.output == "5"  # a number submitted is taken as its JSON text
    assert (outcome.turns, outcome.nudges, outcome.tool_calls) == (2, 1, {"submit": 1})


async def test_several_tool_calls_in_one_turn_each_get_a_result(drive: Drive) -> None:
    turn = [("calculator", {"expression": "2*3"}), ("lookup", {"key": "city"}), ("calculator", {"expression": "7-1"})]
    spec = {"kind": "tool_loop", "tools": ["calculator", "lookup"]}

    outcome, model = await drive(spec, [turn, [("submit", {"answer": "6 in Paris"})]], {"city": "Paris"})

    assert outcome.output == "6 in Paris"
    assert outcome.tool_calls == {"calculator": 2, "lookup": 1, "submit": 1}
    assert model.requests[1].messages[-3:] == [
        {"role": "tool", "tool_call_id": "call_1_0", "content": "6"},
        {"role": "tool", "tool_call_id": "call_1_1", "content": "Paris"},
        {"role": "tool", "tool_call_id": "call_1_2", "content": "6"},
    ]


async def test_a_failing_tool_returns_the_error_and_the_loop_goes_on(drive: Drive) -> None:
    spec = {"kind": "tool_loop", "tools": ["team_tools:broken_tool"]}
    turns = [[("broken_tool", {"reason": "maintenance"})], [("submit", {"answer": "unknown"})]]

    outcome, model = await drive(spec, turns)

    assert model.requests[1].messages[-1] == {
        "role": "tool",
        "tool_call_id": "call_1_0",
        "content": "error: RuntimeError: database is down (maintenance)",
    }
    assert outcome.output == "unknown"
    assert outcome.tool_calls == {"broken_tool": 1, "submit": 1}


async def test_a_calculator_refusal_returns_the_reason(drive: Drive) -> None:
    outcome, model = await drive(CALCULATOR_LOOP, [[("calculator", {"expression": "1/0"})], "I give up."])

    assert model.requests[1].messages[-1]["content"] == "error: division by zero"
    assert outcome.output == "I give up."


async def test_malformed_json_arguments_return_an_error_result(drive: Drive) -> None:
    turns = [[("calculator", '{"expression": "2+3"')], [("calculator", '{"expression": "2+3"}')], "5"]

    outcome, model = await drive(CALCULATOR_LOOP, turns)

    error = model.requests[1].messages[-1]["content"]
    assert error.startswith("error: arguments are not valid JSON (")
    assert error.endswith('{"expression": "2+3"')
    assert model.requests[2].messages[-1]["content"] == "5"
    assert (outcome.output, outcome.turns, outcome.tool_calls) == ("5", 3, {"calculator": 2})


async def test_bad_arguments_return_an_error_result(drive: Drive) -> None:
    turn = [("calculator", {"expr": "2+3"}), ("calculator", {}), ("calculator", {"expression": 5}), ("submit", {})]

    outcome, model = await drive(CALCULATOR_LOOP, [turn, "5"])

    assert [message["content"] for message in model.requests[1].messages[-4:]] == [
        "error: missing required argument(s): expression",
        "error: missing required argument(s): expression",
        "5",  # a number where text is declared is taken as its JSON text
        "error: missing required argument(s): answer",
    ]
    assert outcome.output == "5"  # the failed submit did not end the loop


async def test_an_unknown_tool_returns_an_error_result(drive: Drive) -> None:
    outcome, model = await drive(CALCULATOR_LOOP, [[("web_search", {"query": "2+3"})], [("submit", {"answer": "5"})]])

    assert model.requests[1].messages[-1]["content"] == (
        "error: unknown tool 'web_search' (available: calculator, submit)"
    )
    assert outcome.output == "5"
    assert outcome.tool_calls == {"web_search": 1, "submit": 1}


async def test_max_turns_ends_the_loop_with_the_last_turns_text(drive: Drive) -> None:
    working = Completion("Let me check again.", (ToolCall("c", "calculator", '{"expression": "1+1"}'),))
    spec = {**CALCULATOR_LOOP, "max_turns": 2, "nudge": "Go on."}

    outcome, model = await drive(spec, [[("calculator", {"expression": "2+3"})], working, "never sent"])

    assert len(model.requests) == 2
    assert outcome.output == "Let me check again."
    assert (outcome.turns, outcome.tool_calls, outcome.nudges) == (2, {"calculator": 2}, 0)
    assert outcome.transcript[-1] == {"role": "tool", "tool_call_id": "c", "content": "2"}


async def test_max_turns_after_a_turn_that_only_called_tools_gives_an_empty_answer(drive: Drive) -> None:
    spec = {**CALCULATOR_LOOP, "max_turns": 2, "nudge": "Use the tools."}

    outcome, _ = await drive(spec, ["5, I think", [("calculator", {"expression": "2+3"})]])

    assert outcome.output == ""  # earlier text is not promoted to the answer
    assert (outcome.turns, outcome.nudges) == (2, 1)


async def test_no_nudge_is_sent_when_no_turn_is_left(drive: Drive) -> None:
    spec = {**CALCULATOR_LOOP, "max_turns": 2, "nudge": "Go on."}

    outcome, _ = await drive(spec, [[("calculator", {"expression": "2+3"})], "5"])

    assert (outcome.output, outcome.nudges) == ("5", 0)
    assert outcome.transcript[-1] == {"role": "assistant", "content": "5"}


async def test_submit_ends_the_turn_and_later_calls_are_not_run(drive: Drive) -> None:
    turn = [("calculator", {"expression": "2+3"}), ("submit", {"answer": "5"}), ("calculator", {"expression": "9"})]

    outcome, _ = await drive(CALCULATOR_LOOP, [turn])

    assert outcome.output == "5"
    assert outcome.tool_calls == {"calculator": 1, "submit": 1}
    assert [message["role"] for message in outcome.transcript[2:]] == ["assistant", "tool", "tool"]


async def test_lookup_reads_the_case_vars_and_its_table(drive: Drive) -> None:
    keys = ["capital", "Oslo", "2", "x"]
    case_vars = {"capital": "Paris", "table": {"Oslo": {"pop": 709000}, 2: "two"}}

    turns = [[("lookup", {"key": key}) for key in keys], "ok"]

    _, model = await drive({"kind": "tool_loop", "tools": ["lookup"]}, turns, case_vars)

    results = [message["content"] for message in model.requests[1].messages[-4:]]
    assert results == ["Paris", '{"pop": 709000}', "two", "not found: x"]


async def test_user_tools_are_offered_with_their_schema_and_run(drive: Drive) -> None:
    spec = {"kind": "tool_loop", "tools": ["team_tools:get_weather", "team_tools:add_numbers"]}
    turn = [("get_weather", {"city": "Oslo", "unit": "f"}), ("add_numbers", {"a": 2, "b": 0.5})]

    _, model = await drive(spec, [turn, "ok"])

    assert model.requests[0].tool_names == ["get_weather", "add_numbers", "submit"]
    assert [message["content"] for message in model.requests[1].messages[-2:]] == [
        '{"city": "Oslo", "temperature": 27, "unit": "f", "days": 1}',
        "2.5",
    ]


async def test_a_provider_failure_propagates(
    scaffold_for: Callable, context_for: Callable, prompt: Messages
) -> None:
    async def failing(messages: Messages, *, tools: Any = None) -> Completion:
        raise ProviderError("context_window", "too long")

    with pytest.raises(ProviderError, match="too long"):
        await scaffold_for(CALCULATOR_LOOP).run(prompt, failing, context_for())
