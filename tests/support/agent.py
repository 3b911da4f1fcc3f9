"""A scripted agent for the test server: plays a tool loop in either protocol.

`native` when the request offers `tools=` (OpenAI tool calls), `text` otherwise (it writes
`<tool_call>` blocks and reads `<tool_response>` messages, DESIGN 9). What it does, step by
step, from the conversation so far:

1. no tool result yet: call `first_call(request)` (a name and arguments), or ask first when
   `ask` is set and the request looks ambiguous;
2. the last tool result is an error (`error: ...` or an injected `HTTP 5xx ...`): give up
   with a text answer, unless the last user message is a nudge (it holds `keep going`), then
   call the same tool again;
3. a tool result: submit `answer(request, result)`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Callable

from tests.support.script import ChatRequest, Reply, ToolCallReply

TOOL_RESPONSE = re.compile(r"<tool_response>(.*?)</tool_response>", re.DOTALL)
GIVE_UP = "The tool is failing, so I cannot finish this."


def call_reply(request: ChatRequest, name: str, arguments: dict[str, Any]) -> Reply:
    """A reply that calls `name`: a native tool call when tools were offered, else a text block."""
    if request.tools:
        return Reply(content=None, tool_calls=(ToolCallReply(name, json.dumps(arguments)),))
    call = json.dumps({"name": name, "arguments": arguments})
    return Reply(content=f"Let me use {name}.\n<tool_call>{call}</tool_call>")


def last_tool_result(request: ChatRequest) -> tuple[str, str] | None:
    """(tool name, content) of the newest tool result in the conversation, either protocol."""
    for message in reversed(request.messages):
        role, content = message.get("role"), message.get("content")
        if role == "assistant":
            return None
        if role == "tool":
            return "", str(content)
        if role == "user" and isinstance(content, str):
            found = TOOL_RESPONSE.search(content)
            if found:
                payload = json.loads(found.group(1))
                return payload["name"], payload["content"]
    return None


def first_user_text(request: ChatRequest) -> str:
    return next((str(m.get("content")) for m in request.messages if m.get("role") == "user"), "")


@dataclass
class ScriptedAgent:
    """A reply function (`Script(default=ScriptedAgent(...))`) playing the steps above."""

    first_call: Callable[[ChatRequest], tuple[str, dict[str, Any]]]
    answer: Callable[[ChatRequest, str], str]

    def __call__(self, request: ChatRequest) -> Reply:
        result = last_tool_result(request)
        if result is None:
            if "keep going" in request.last_user_text.lower() and request.turn:
                name, arguments = self.first_call(request)
                return call_reply(request, name, arguments)
            if request.turn == 0:
                name, arguments = self.first_call(request)
                return call_reply(request, name, arguments)
            return Reply(content=GIVE_UP)
        _, content = result
        if content.startswith("error:") or content.startswith("HTTP 5"):
            return Reply(content=GIVE_UP)
        return call_reply(request, "submit", {"answer": self.answer(request, content)})


def calculator_agent() -> ScriptedAgent:
    """Computes `Compute EXPRESSION.` with the calculator and submits the result; it submits a
    wrong number (result + 1) when the result is a multiple of 3, in either protocol."""

    def first(request: ChatRequest) -> tuple[str, dict[str, Any]]:
        found = re.search(r"Compute (.+?)\.", first_user_text(request))
        return "calculator", {"expression": found.group(1) if found else "0"}

    def answer(request: ChatRequest, result: str) -> str:
        value = int(result)
        return str(value + 1 if value % 3 == 0 else value)

    return ScriptedAgent(first, answer)


def lookup_agent(key: str = "price") -> ScriptedAgent:
    """Looks up `key` and submits what the lookup returned."""
    return ScriptedAgent(lambda request: ("lookup", {"key": key}), lambda request, result: result)
