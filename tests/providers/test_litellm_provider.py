"""LitellmProvider against the test server over real HTTP: parsing, usage, and error classes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from scaffold.cells import Completion, ToolCall, Usage
from scaffold.providers.base import ModelRequest, ProviderError
from scaffold.providers.litellm_provider import NO_KEY, LitellmProvider, api_key_for
from scaffold.spec.resolved import Model
from tests.support import Fault, OpenAIServer, Reply

KEY_ENV = "SCAFFOLD_TEST_SERVER_KEY"
SECRET = "hunter2-not-a-real-key-but-secret"


def model_at(server: OpenAIServer, **settings: object) -> Model:
    return Model(name="stub", model="openai/test-model", api_base=server.url, **settings)  # type: ignore[arg-type]


def ask(text: str) -> list[dict[str, object]]:
    return [{"role": "user", "content": text}]


async def complete(server: OpenAIServer, text: str = "hi", *, timeout_s: float = 5.0, **settings: object) -> Completion:
    request = ModelRequest(model_at(server, **settings), ask(text), timeout_s=timeout_s)
    return await LitellmProvider().complete(request)


async def failure(server: OpenAIServer, text: str = "hi", **options: object) -> ProviderError:
    with pytest.raises(ProviderError) as caught:
        await complete(server, text, **options)  # type: ignore[arg-type]
    return caught.value


async def test_content_and_exact_usage(openai_server: OpenAIServer) -> None:
    openai_server.script.on("four", last_user="2 + 2")
    completion = await complete(openai_server, "What is 2 + 2?")
    assert completion == Completion("four", (), Usage(input=5, output=1), "stop")


async def test_reasoning_and_cached_details_are_read(openai_server: OpenAIServer) -> None:
    reply = Reply("done", prompt_tokens=50, completion_tokens=30, reasoning_tokens=20, cached_tokens=40)
    openai_server.script.on(reply)
    assert (await complete(openai_server)).usage == Usage(input=50, output=30, reasoning=20, cached=40)


async def test_null_usage_details_count_as_zero(openai_server: OpenAIServer) -> None:
    openai_server.script.on(Reply("done", null_details=True))
    assert (await complete(openai_server, "one two")).usage == Usage(input=2, output=1)


async def test_tool_calls_keep_malformed_arguments_raw(openai_server: OpenAIServer) -> None:
    openai_server.script.on(Reply.calling("calculator", '{"expression": "2+', content=None))
    tool = {"type": "function", "function": {"name": "calculator", "parameters": {"type": "object"}}}
    request = ModelRequest(model_at(openai_server), ask("add"), tools=[tool])
    completion = await LitellmProvider().complete(request)
    assert completion.tool_calls == (ToolCall("call_1_0", "calculator", '{"expression": "2+'),)
    assert completion.content is None and completion.finish_reason == "tool_calls"
    assert openai_server.chat_requests[0].body["tools"] == [tool]


async def test_params_reach_the_server_and_sdk_retries_are_off(openai_server: OpenAIServer) -> None:
    request = ModelRequest(model_at(openai_server, params={"temperature": 0}), ask("hi"), params={"max_tokens": 7})
    await LitellmProvider().complete(request)
    body = openai_server.chat_requests[0].body
    assert body["temperature"] == 0 and body["max_tokens"] == 7
    openai_server.script.fail_every(1, Fault.server_error())
    await failure(openai_server)
    assert openai_server.request_count == 2  # one failed call is one request: litellm did not retry


async def test_rate_limit_is_retryable_with_retry_after(openai_server: OpenAIServer) -> None:
    openai_server.script.on(fault=Fault.rate_limit(0.25))
    error = await failure(openai_server)
    assert (error.kind, error.status, error.retry_after_s) == ("retryable", 429, 0.25)
    assert str(error) == "429 rate limited (retry after 0.25 s)"


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_server_errors_are_retryable(openai_server: OpenAIServer, status: int) -> None:
    openai_server.script.on(fault=Fault.server_error(status, "upstream hiccup"))
    error = await failure(openai_server)
    assert (error.kind, error.status) == ("retryable", status)
    assert str(error) == f"{status} server error: upstream hiccup"


async def test_dropped_connection_is_retryable(openai_server: OpenAIServer) -> None:
    openai_server.script.on(fault=Fault.drop())
    error = await failure(openai_server)
    assert (error.kind, str(error)) == ("retryable", "connection error")
    assert openai_server.status_counts() == {None: 1}


async def test_reply_slower_than_the_timeout_is_retryable(openai_server: OpenAIServer) -> None:
    openai_server.script.on(fault=Fault.slow(5.0))
    error = await failure(openai_server, timeout_s=0.2)
    assert (error.kind, str(error)) == ("retryable", "timeout after 0.2 s")


async def test_context_length_error_is_context_window(openai_server: OpenAIServer) -> None:
    openai_server.script.on(fault=Fault.context_length())
    error = await failure(openai_server)
    assert (error.kind, error.status) == ("context_window", 400)
    assert str(error).startswith("context window exceeded: This model's maximum context length is 8192 tokens")


async def test_other_bad_request_is_bad_request(openai_server: OpenAIServer) -> None:
    openai_server.script.on(fault=Fault.bad_request("Invalid value for 'temperature'."))
    error = await failure(openai_server)
    assert (error.kind, str(error)) == ("bad_request", "400 bad request: Invalid value for 'temperature'.")


async def test_forbidden_is_auth(openai_server: OpenAIServer) -> None:
    openai_server.script.on(fault=Fault("error", 403, "project has no access", None, "permission_error"))
    assert (await failure(openai_server)).kind == "auth"


async def test_wrong_key_is_auth_and_never_in_the_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, SECRET)
    with OpenAIServer(api_key="the-right-key") as server:  # its 401 message echoes the key it got
        error = await failure(server, api_key_env=KEY_ENV)
        assert server.requests[0].headers["authorization"] == f"Bearer {SECRET}"
    assert (error.kind, error.status) == ("auth", 401)
    assert SECRET not in str(error) and str(error).startswith("401 authentication failed:")


async def test_key_echoed_in_any_error_is_scrubbed(
    monkeypatch: pytest.MonkeyPatch, openai_server: OpenAIServer
) -> None:
    monkeypatch.setenv(KEY_ENV, SECRET)
    openai_server.script.on(fault=Fault.server_error(500, f"upstream said no to {SECRET} and sk-abcdefgh12345"))
    error = await failure(openai_server, api_key_env=KEY_ENV)
    assert SECRET not in str(error) and "sk-abcdefgh12345" not in str(error)
    assert str(error) == "500 server error: upstream said no to *** and sk-***"


def test_key_from_env_or_placeholder_for_custom_openai_base(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.setenv(KEY_ENV, SECRET)
    assert api_key_for(Model("m", "openai/x", api_base="http://h/v1", api_key_env=KEY_ENV)) == SECRET
    assert api_key_for(Model("m", "openai/x", api_base="http://h/v1")) == NO_KEY
    assert api_key_for(Model("m", "openai/x")) is None  # litellm's own lookup (and its error)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-user")
    assert api_key_for(Model("m", "openai/x", api_base="http://h/v1")) is None


def test_importing_the_provider_does_not_import_litellm() -> None:
    code = (
        "import sys, scaffold, scaffold.providers, scaffold.providers.litellm_provider, "
        "scaffold.providers.pricing, scaffold.engine.retry\n"
        "print('litellm' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=Path(__file__).parent
    )
    assert result.stdout.strip() == "False"

