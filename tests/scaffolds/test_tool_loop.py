"""The tool_loop rule (DESIGN 1.3), turn by turn, against a scripted model."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

import pytest

from scaffold.cells import Completion, ToolCall
from scaffold.providers.base import ProviderError

if TYPE_CHECKING:
    from tests.scaffolds.conftest import ScriptedModel


async def test_reaches_the_answer_through_a_tool_and_submit(
    scripted: Callable[..., ScriptedModel], scaffold_for: Callable, context_for: Callable, prompt: list
) -> None:
    model = scripted([[("calculator", {"expression": "2 + 3"})], [("submit", {"answer": "5"})]])
    loop = scaffold_for({"kind": "tool_loop", "tools": ["calculator"]})

    outcome = await loop.run(prompt, model, context_for())

    assert outcome.output == "5"
    assert (outcome.turns, outcome.tool_calls, outcome.nudges) == (2, {"calculator": 1, "submit": 1}, 0)
    assert model.requests[0].tool_names == ["calculator", "submit"]
    assert model.requests[1].messages[-1] == {"role": "tool", "tool_call_id": "call_1_0", "content": "5"}
    assert outcome.transcript == [
        *prompt,
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "call_1_0", "type": "function", "function": {"name": "calculator", "arguments": '{"expression": "2 + 3"}'}}
            ],
        },
        {"role": "tool", "tool_call_id": "call_1_0", "content": "5"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "call_2_0", "type": "function", "function": {"name": "submit", "arguments": '{"answer": "5"}'}}
            ],
        },
        {"role": "tool", "tool_call_id": "call_2_0", "content": "5"},
    ]


async def test_the_tool_definitions_are_openai_functions(
    scripted: Callable[..., ScriptedModel], scaffold_for: Callable, context_for: Callable, prompt: list
) -> None:
    model = scripted(["5"])
    await scaffold_for({"kind": "tool_loop", "tools": ["lookup"]}).run(prompt, model, context_for())

    submit = model.requests[0].tools[1]  # type: ignore[index]
    assert submit["type"] == "function"
    assert submit["function"]["name"] == "submit"
    assert submit["function"]["parameters"] == {
        "type": "object",
        "properties": {"answer": {"type": "string", "description": "The final answer"}},
        "required": ["answer"],
        "additionalProperties": False,
    }


async def test_a_text_answer_after_tools_ends_the_loop(
    scripted: Callable[..., ScriptedModel], scaffold_for: Callable, context_for: Callable, prompt: list
) -> None:
    model = scripted([[("calculator", {"expression": "2+3"})], "The answer is 5."])
    outcome = await scaffold_for({"kind": "tool_loop", "tools": ["calculator"]}).run(prompt, model, context_for())

    assert outcome.output == "The answer is 5."
    assert (outcome.turns, outcome.tool_calls) == (2, {"calculator": 1})
    assert outcome.transcript[-1] == {"role": "assistant", "content": "The answer is 5."}


async def test_a_stop_without_nudge_is_the_answer(
    scripted: Callable[..., ScriptedModel], scaffold_for: Callable, context_for: Callable, prompt: list
) -> None:
    model = scripted(["Should I use the calculator?", "never sent"])
    outcome = await scaffold_for({"kind": "tool_loop", "tools": ["calculator"], "max_turns": 5}).run(
        prompt, model, context_for()
    )

    assert outcome.output == "Should I use the calculator?"
    assert (outcome.turns, outcome.tool_calls, outcome.nudges) == (1, {}, 0)
    assert len(model.requests) == 1


async def test_nudges_are_sent_up_to_max_nudges_then_the_text_is_the_answer(
    scripted: Callable[..., ScriptedModel], scaffold_for: Callable, context_for: Callable, prompt: list
) -> None:
    model = scripted(["Shall I go on?", "Are you sure?", "Fine: 5"])
    spec = {"kind": "tool_loop", "nudge": "Keep going on {{ task }}; do not ask me.", "max_nudges": 2}

    outcome = await scaffold_for(spec).run(prompt, model, context_for({"task": "the sum"}))

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


async def test_a_nudged_model_can_still_submit(
    scripted: Callable[..., ScriptedModel], scaffold_for: Callable, context_for: Callable, prompt: list
) -> None:
    model = scripted(["thinking...", [("submit", {"answer": 5})]])
    outcome = await scaffold_for({"kind": "tool_loop", "nudge": "Go on.", "max_nudges": 3}).run(
        prompt, model, context_for()
    )

    assert outcome.output == "5"  # a number submitted is taken as its JSON text
    assert (outcome.turns, outcome.nudges, outcome.tool_calls) == (2, 1, {"submit": 1})


async def test_several_tool_calls_in_one_turn_each_get_a_result(
    scripted: Callable[..., ScriptedModel], scaffold_for: Callable, context_for: Callable, prompt: list
) -> None:
    turn = [("calculator", {"expression": "2*3"}), ("lookup", {"key": "city"}), ("calculator", {"expression": "7-1"})]
    model = scripted([turn, [("submit", {"answer": "6 in Paris"})]])
    loop = scaffold_for({"kind": "tool_loop", "tools": ["calculator", "lookup"]})

    outcome = await loop.run(prompt, model, context_for({"city": "Paris"}))

    assert outcome.output == "6 in Paris"
    assert outcome.tool_calls == {"calculator": 2, "lookup": 1, "submit": 1}
    assert model.requests[1].messages[-3:] == [
        {"role": "tool", "tool_call_id": "call_1_0", "content": "6"},
        {"role": "tool", "tool_call_id": "call_1_1", "content": "Paris"},
        {"role": "tool", "tool_call_id": "call_1_2", "content": "6"},
    ]


async def test_a_failing_tool_returns_the_error_and_the_loop_goes_on(
    scripted: Callable[..., ScriptedModel], scaffold_for: Callable, context_for: Callable, prompt: list
) -> None:
    model = scripted([[("broken_tool", {"reason": "maintenance"})], [("submit", {"answer": "unknown"})]])
    loop = scaffold_for({"kind": "tool_loop", "tools": ["team_tools:broken_tool"]})

    outcome = await loop.run(prompt, model, context_for())

    assert model.requests[1].messages[-1] == {
        "role": "tool",
        "tool_call_id": "call_1_0",
        "content": "error: RuntimeError: database is down (maintenance)",
    }
    assert outcome.output == "unknown"
    assert outcome.tool_calls == {"broken_tool": 1, "submit": 1}


async def test_a_calculator_refusal_returns_the_reason(
    scripted: Callable[..., ScriptedModel], scaffold_for: Callable, context_for: Callable, prompt: list
) -> None:
    model = scripted([[("calculator", {"expression": "1/0"})], "I give up."])
    outcome = await scaffold_for({"kind": "tool_loop", "tools": ["calculator"]}).run(prompt, model, context_for())

    assert model.requests[1].messages[-1]["content"] == "error: division by zero"
    assert outcome.output == "I give up."


async def test_malformed_json_arguments_return_an_error_result(
    scripted: Callable[..., ScriptedModel], scaffold_for: Callable, context_for: Callable, prompt: list
) -> None:
    model = scripted([[("calculator", '{"expression": "2+3"')], [("calculator", '{"expression": "2+3"}')], "5"])
    outcome = await scaffold_for({"kind": "tool_loop", "tools": ["calculator"]}).run(prompt, model, context_for())

    error = model.requests[1].messages[-1]["content"]
    assert error.startswith("error: arguments are not valid JSON (")
    assert error.endswith('{"expression": "2+3"')
    assert model.requests[2].messages[-1]["content"] == "5"
    assert (outcome.output, outcome.turns, outcome.tool_calls) == ("5", 3, {"calculator": 2})


async def test_bad_arguments_return_an_error_result(
    scripted: Callable[..., ScriptedModel], scaffold_for: Callable, context_for: Callable, prompt: list
) -> None:
    turn = [("calculator", {"expr": "2+3"}), ("calculator", {}), ("calculator", {"expression": 5}), ("submit", {})]
    model = scripted([turn, "5"])
    await scaffold_for({"kind": "tool_loop", "tools": ["calculator"]}).run(prompt, model, context_for())

    assert [message["content"] for message in model.requests[1].messages[-4:]] == [
        "error: missing required argument(s): expression",
        "error: missing required argument(s): expression",
        "5",  # a number where text is declared is taken as its JSON text
        "error: missing required argument(s): answer",
    ]


async def test_an_unknown_tool_returns_an_error_result(
    scripted: Callable[..., ScriptedModel], scaffold_for: Callable, context_for: Callable, prompt: list
) -> None:
    model = scripted([[("web_search", {"query": "2+3"})], [("submit", {"answer": "5"})]])
    outcome = await scaffold_for({"kind": "tool_loop", "tools": ["calculator"]}).run(prompt, model, context_for())

    assert model.requests[1].messages[-1]["content"] == (
        "error: unknown tool 'web_search' (available: calculator, submit)"
    )
    assert outcome.output == "5"
    assert outcome.tool_calls == {"web_search": 1, "submit": 1}


async def test_max_turns_ends_the_loop_with_the_last_turns_text(
    scripted: Callable[..., ScriptedModel], scaffold_for: Callable, context_for: Callable, prompt: list
) -> None:
    working = Completion("Let me check again.", (ToolCall("c", "calculator", '{"expression": "1+1"}'),))
    model = scripted([[("calculator", {"expression": "2+3"})], working, "never sent"])
    loop = scaffold_for({"kind": "tool_loop", "tools": ["calculator"], "max_turns": 2, "nudge": "Go on."})

    outcome = await loop.run(prompt, model, context_for())

    assert len(model.requests) == 2
    assert outcome.output == "Let me check again."
    assert (outcome.turns, outcome.tool_calls, outcome.nudges) == (2, {"calculator": 2}, 0)
    assert outcome.transcript[-1] == {"role": "tool", "tool_call_id": "c", "content": "2"}


async def test_max_turns_after_a_turn_that_only_called_tools_gives_an_empty_answer(
    scripted: Callable[..., ScriptedModel], scaffold_for: Callable, context_for: Callable, prompt: list
) -> None:
    model = scripted(["5, I think", [("calculator", {"expression": "2+3"})]])
    loop = scaffold_for({"kind": "tool_loop", "tools": ["calculator"], "max_turns": 2, "nudge": "Use the tools."})

    outcome = await loop.run(prompt, model, context_for())

    assert outcome.output == ""  # earlier text is not promoted to the answer
    assert (outcome.turns, outcome.nudges) == (2, 1)


async def test_no_nudge_is_sent_when_no_turn_is_left(
    scripted: Callable[..., ScriptedModel], scaffold_for: Callable, context_for: Callable, prompt: list
) -> None:
    model = scripted([[("calculator", {"expression": "2+3"})], "5"])
    loop = scaffold_for({"kind": "tool_loop", "tools": ["calculator"], "max_turns": 2, "nudge": "Go on."})

    outcome = await loop.run(prompt, model, context_for())

    assert (outcome.output, outcome.nudges) == ("5", 0)
    assert outcome.transcript[-1] == {"role": "assistant", "content": "5"}


async def test_submit_ends_the_turn_and_later_calls_are_not_run(
    scripted: Callable[..., ScriptedModel], scaffold_for: Callable, context_for: Callable, prompt: list
) -> None:
    turn = [("calculator", {"expression": "2+3"}), ("submit", {"answer": "5"}), ("calculator", {"expression": "9"})]
    model = scripted([turn])
    outcome = await scaffold_for({"kind": "tool_loop", "tools": ["calculator"]}).run(prompt, model, context_for())

    assert outcome.output == "5"
    assert outcome.tool_calls == {"calculator": 1, "submit": 1}
    assert [message["role"] for message in outcome.transcript[2:]] == ["assistant", "tool", "tool"]


async def test_lookup_reads_the_case_vars_and_its_table(
    scripted: Callable[..., ScriptedModel], scaffold_for: Callable, context_for: Callable, prompt: list
) -> None:
    turn = [("lookup", {"key": "capital"}), ("lookup", {"key": "Oslo"}), ("lookup", {"key": "2"}), ("lookup", {"key": "x"})]
    model = scripted([turn, "done"])
    context = context_for({"capital": "Paris", "table": {"Oslo": {"pop": 709000}, 2: "two"}})

    await scaffold_for({"kind": "tool_loop", "tools": ["lookup"]}).run(prompt, model, context)

    results = [message["content"] for message in model.requests[1].messages[-4:]]
    assert results == ["Paris", '{"pop": 709000}', "two", "not found: x"]


async def test_user_tools_are_offered_with_their_schema_and_run(
    scripted: Callable[..., ScriptedModel], scaffold_for: Callable, context_for: Callable, prompt: list
) -> None:
    model = scripted([[("get_weather", {"city": "Oslo", "unit": "f"}), ("add_numbers", {"a": 2, "b": 0.5})], "ok"])
    loop = scaffold_for({"kind": "tool_loop", "tools": ["team_tools:get_weather", "team_tools:add_numbers"]})

    await loop.run(prompt, model, context_for())

    assert model.requests[0].tool_names == ["get_weather", "add_numbers", "submit"]
    assert [message["content"] for message in model.requests[1].messages[-2:]] == [
        '{"city": "Oslo", "temperature": 27, "unit": "f", "days": 1}',
        "2.5",
    ]


async def test_a_provider_failure_propagates(
    scaffold_for: Callable, context_for: Callable, prompt: list
) -> None:
    async def failing(messages: list[dict[str, Any]], *, tools: Any = None) -> Completion:
        raise ProviderError("context_window", "too long")

    loop = scaffold_for({"kind": "tool_loop", "tools": ["calculator"]})
    with pytest.raises(ProviderError, match="too long"):
        await loop.run(prompt, failing, context_for())
