"""`protocol: text` for tool_loop (DESIGN 9): tools for models without function calling.

The tools and `submit` are described at the end of the system message; the model calls one
by writing `<tool_call>{"name": ..., "arguments": {...}}</tool_call>` (the convention Qwen
and Hermes-style open models are trained on) and gets the result back as a user message
`<tool_response>{"name": ..., "content": ...}</tool_response>`. Only the first block of a
turn is taken. A block that is not a JSON object with a `name` is answered with a
`<tool_response>` carrying the error, so the model can try again; a turn without a block
is a stop. No `tools=` goes to the provider.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

TOOL_CALL_BLOCK = re.compile(r"<tool_call>(.*?)(?:</tool_call>|\Z)", re.DOTALL)
"""A call; an unclosed block (the model stopped or ran out of tokens) runs to the end of the text."""
_CODE_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$")
_NAME_IN_BROKEN_JSON = re.compile(r'"name"\s*:\s*"([^"]+)"')
MAX_SHOWN_CHARS = 200


@dataclass(frozen=True)
class TextCall:
    """The first `<tool_call>` of a turn, read: a name and raw arguments, or why it is unreadable."""

    name: str
    """The tool named; `""` when the block names none."""
    arguments: str | dict[str, Any] | None
    """A dict, or JSON text when the model wrote the arguments as a string."""
    error: str | None = None
    """Set when the block could not be read as a call; the model gets it back."""


def instructions(definitions: list[dict[str, Any]]) -> str:
    """What is appended to the system message: each tool's name, description and argument
    schema (from the OpenAI-style definitions), and the call format."""
    listed = "\n".join(json.dumps(definition["function"], ensure_ascii=False) for definition in definitions)
    return (
        "# Tools\n\n"
        "You can call these tools. Each is given with its JSON schema of arguments:\n"
        f"<tools>\n{listed}\n</tools>\n\n"
        "To call a tool, write one block like this, then stop and wait for the result:\n"
        '<tool_call>{"name": "TOOL_NAME", "arguments": {"ARGUMENT": "VALUE"}}</tool_call>\n'
        'The result comes back as <tool_response>{"name": "TOOL_NAME", "content": "RESULT"}</tool_response>.\n'
        "When you have the final answer, give it by calling submit:\n"
        '<tool_call>{"name": "submit", "arguments": {"answer": "YOUR ANSWER"}}</tool_call>'
    )


def with_instructions(messages: list[dict[str, Any]], definitions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`messages` with the tool instructions appended to the first system message (one is
    put first when there is none)."""
    text = instructions(definitions)
    conversation = [dict(message) for message in messages]
    for message in conversation:
        if message.get("role") == "system":
            content = message.get("content")
            if isinstance(content, list):
                message["content"] = [*content, {"type": "text", "text": text}]
            else:
                message["content"] = f"{content}\n\n{text}" if content else text
            return conversation
    return [{"role": "system", "content": text}, *conversation]


def first_call(text: str | None) -> TextCall | None:
    """The first `<tool_call>` block of a turn's text, read; None when there is none (a stop)."""
    match = TOOL_CALL_BLOCK.search(text or "")
    if match is None:
        return None
    body = _CODE_FENCE.sub("", match.group(1).strip()).strip()
    try:
        value = json.loads(body)
    except json.JSONDecodeError as error:
        name = _NAME_IN_BROKEN_JSON.search(body)
        return TextCall(
            name.group(1) if name else "",
            None,
            f"the tool call is not valid JSON ({error.msg} at column {error.colno}): {body[:MAX_SHOWN_CHARS]}",
        )
    if isinstance(value, list) and value:  # some models wrap the call in a list
        value = value[0]
    if not isinstance(value, dict) or not isinstance(value.get("name"), str) or not value["name"]:
        return TextCall("", None, 'the tool call must be a JSON object like {"name": "TOOL", "arguments": {...}}')
    arguments = value.get("arguments", value.get("parameters"))
    if arguments is not None and not isinstance(arguments, (dict, str)):
        return TextCall(value["name"], None, "the tool call's arguments must be a JSON object")
    return TextCall(value["name"], arguments)


def without_calls(text: str | None) -> str:
    """A turn's text with its `<tool_call>` blocks taken out (what is left is prose)."""
    return TOOL_CALL_BLOCK.sub("", text or "").strip()


def tool_response(name: str, content: str) -> dict[str, Any]:
    """The user message that carries a tool's result back to the model."""
    payload = json.dumps({"name": name, "content": content}, ensure_ascii=False)
    return {"role": "user", "content": f"<tool_response>{payload}</tool_response>"}
