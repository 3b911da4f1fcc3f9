"""tool_loop end to end: litellm's OpenAI client against the real HTTP test server."""

from __future__ import annotations

import json
from typing import Any, Callable

from scaffold.cells import Completion
from scaffold.providers.base import ModelRequest
from scaffold.providers.litellm_provider import LitellmProvider
from scaffold.spec.resolved import Model
from tests.support import OpenAIServer, Reply, Script


async def test_tool_loop_through_litellm_and_the_test_server(
    openai_server: OpenAIServer, scaffold_for: Callable, context_for: Callable, prompt: list
) -> None:
    script = (
        Script()
        .on(Reply.calling("calculator", {"expression": "2 + 3"}), turn=0)
        .on(Reply.calling("calculator", '{"expression": "2 +'), turn=1)
        .on(Reply.calling("submit", {"answer": "5"}), turn=2)
    )
    openai_server.reset(script)
    model = Model(name="test", model="openai/test-model", api_base=openai_server.url)
    provider = LitellmProvider()

    async def complete(messages: list[dict[str, Any]], *, tools: list[dict[str, Any]] | None = None) -> Completion:
        return await provider.complete(ModelRequest(model, messages, {}, tools, timeout_s=10))

    loop = scaffold_for({"kind": "tool_loop", "tools": ["calculator"], "max_turns": 4})
    outcome = await loop.run(prompt, complete, context_for())

    assert outcome.output == "5"
    assert (outcome.turns, outcome.tool_calls) == (3, {"calculator": 2, "submit": 1})
    bodies = [request.body for request in openai_server.chat_requests]
    assert len(bodies) == 3
    assert [tool["function"]["name"] for tool in bodies[0]["tools"]] == ["calculator", "submit"]
    second_turn = bodies[1]["messages"]
    assert second_turn[-2]["tool_calls"][0]["function"] == {
        "name": "calculator",
        "arguments": json.dumps({"expression": "2 + 3"}),
    }
    assert second_turn[-1] == {"role": "tool", "tool_call_id": "call_1_0", "content": "5"}
    assert bodies[2]["messages"][-1]["content"].startswith("error: arguments are not valid JSON")
