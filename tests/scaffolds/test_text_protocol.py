"""`protocol: text` (DESIGN 9): tools described in the system message, `<tool_call>` blocks
in the model's text, results as `<tool_response>` user messages; against a scripted model."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from scaffold.scaffolds.text_protocol import first_call, instructions

if TYPE_CHECKING:
    from tests.scaffolds.conftest import Drive

Messages = list[dict[str, Any]]
TEXT_LOOP = {"kind": "tool_loop", "tools": ["calculator"], "protocol": "text"}


def block(name: str, arguments: dict[str, Any]) -> str:
    return f'<tool_call>{json.dumps({"name": name, "arguments": arguments})}</tool_call>'


def response(name: str, content: str) -> dict[str, Any]:
    payload = json.dumps({"name": name, "content": content})
    return {"role": "user", "content": f"<tool_response>{payload}</tool_response>"}


async def test_reaches_the_answer_through_text_tool_calls(drive: Drive, prompt: Messages) -> None:
    turns = [f"I will compute it. {block('calculator', {'expression': '2 + 3'})}", block("submit", {"answer": "5"})]

    outcome, model = await drive(TEXT_LOOP, turns)

    assert outcome.output == "5"
    assert (outcome.turns, outcome.tool_calls, outcome.nudges) == (2, {"calculator": 1, "submit": 1}, 0)
    assert [request.tools for request in model.requests] == [None, None]
    system = model.requests[0].messages[0]
    assert system["role"] == "system" and system["content"].startswith("Be exact.\n\n# Tools")
    assert '"name": "calculator"' in system["content"] and '"name": "submit"' in system["content"]
    assert model.requests[0].messages[1:] == prompt[1:]
    assert model.requests[1].messages[-1] == response("calculator", "5")
    assert outcome.transcript[-1] == response("submit", "5")


async def test_the_instructions_list_each_tool_with_its_schema() -> None:
    definition = {"type": "function", "function": {"name": "lookup", "description": "Find", "parameters": {"type": "object"}}}
    text = instructions([definition])
    assert '{"name": "lookup", "description": "Find", "parameters": {"type": "object"}}' in text
    assert "<tool_call>" in text and "submit" in text


async def test_without_a_system_message_one_is_put_first(drive: Drive) -> None:
    from tests.scaffolds.conftest import ScriptedModel, make_context, make_scaffold

    model = ScriptedModel(["5"])
    await make_scaffold(TEXT_LOOP).run([{"role": "user", "content": "2 + 3?"}], model, make_context())

    sent = model.requests[0].messages
    assert [message["role"] for message in sent] == ["system", "user"]
    assert sent[0]["content"].startswith("# Tools")


async def test_only_the_first_call_of_a_turn_is_taken(drive: Drive) -> None:
    turn = block("calculator", {"expression": "1 + 1"}) + block("submit", {"answer": "wrong"})

    outcome, model = await drive(TEXT_LOOP, [turn, block("submit", {"answer": "2"})])

    assert outcome.output == "2"
    assert outcome.tool_calls == {"calculator": 1, "submit": 1}
    assert model.requests[1].messages[-1] == response("calculator", "2")


async def test_invalid_json_and_unknown_tools_get_an_error_response(drive: Drive) -> None:
    turns = [
        '<tool_call>{"name": "calculator", "arguments": {"expression": "2+3"</tool_call>',
        block("weather", {"city": "Paris"}),
        "<tool_call>[1, 2]</tool_call>",
        block("submit", {"answer": "5"}),
    ]

    outcome, model = await drive(TEXT_LOOP, turns)

    broken = json.loads(model.requests[1].messages[-1]["content"].removeprefix("<tool_response>").removesuffix("</tool_response>"))
    assert broken["name"] == "calculator"
    assert broken["content"].startswith("error: the tool call is not valid JSON (")
    unknown = model.requests[2].messages[-1]["content"]
    assert "error: unknown tool 'weather' (available: calculator, submit)" in unknown
    assert "must be a JSON object" in model.requests[3].messages[-1]["content"]
    assert outcome.output == "5"
    assert outcome.tool_calls == {"calculator": 1, "weather": 1, "submit": 1}


async def test_a_turn_without_a_call_is_a_stop_with_the_nudge_rules(drive: Drive) -> None:
    spec = {**TEXT_LOOP, "nudge": "Keep going.", "max_nudges": 1}

    outcome, model = await drive(spec, ["Shall I?", "I am done: 5"])

    assert outcome.output == "I am done: 5"
    assert (outcome.turns, outcome.nudges) == (2, 1)
    assert model.requests[1].messages[-1] == {"role": "user", "content": "Keep going."}


async def test_out_of_turns_the_output_is_the_last_text_without_its_call(drive: Drive) -> None:
    spec = {**TEXT_LOOP, "max_turns": 1}

    outcome, _ = await drive(spec, [f"Almost there. {block('calculator', {'expression': '2+3'})}"])

    assert outcome.output == "Almost there."
    assert outcome.tool_calls == {"calculator": 1}


def test_blocks_are_read_leniently() -> None:
    unclosed = first_call('<tool_call>{"name": "submit", "arguments": {"answer": "7"}}')
    fenced = first_call('<tool_call>\n```json\n{"name": "submit", "arguments": {"answer": "7"}}\n```\n</tool_call>')
    as_string = first_call('<tool_call>{"name": "submit", "arguments": "{\\"answer\\": \\"7\\"}"}</tool_call>')
    assert unclosed is not None and (unclosed.name, unclosed.arguments, unclosed.error) == ("submit", {"answer": "7"}, None)
    assert fenced is not None and fenced.arguments == {"answer": "7"}
    assert as_string is not None and as_string.arguments == '{"answer": "7"}'
    assert first_call("no call here") is None
    assert first_call(None) is None
