"""The test server over plain HTTP (no litellm): what other tests rely on it to do."""

from __future__ import annotations

import http.client
import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.support import ChatRequest, Fault, OpenAIServer, Reply, Script, prompt_tokens_for

FIXTURES = Path(__file__).parent / "fixtures"
REPO_ROOT = Path(__file__).resolve().parents[2]


def post(
    server: OpenAIServer, messages: list[dict[str, Any]], *, model: str = "test-model", **extra: Any
) -> tuple[int, dict[str, Any], dict[str, str]]:
    """POST a chat completion; returns (status, JSON body, headers), error statuses included."""
    headers = {"Content-Type": "application/json", **extra.pop("headers", {})}
    data = json.dumps({"model": model, "messages": messages, **extra}).encode()
    request = urllib.request.Request(f"{server.url}/chat/completions", data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read()), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read()), dict(error.headers)


def user(text: str) -> list[dict[str, Any]]:
    return [{"role": "user", "content": text}]


def test_default_reply_has_openai_shape_and_word_count_usage(openai_server: OpenAIServer) -> None:
    messages = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "say  hi  now"}]
    status, body, _ = post(openai_server, messages)
    assert status == 200
    assert body["object"] == "chat.completion" and body["model"] == "test-model"
    assert body["choices"][0]["message"] == {"role": "assistant", "content": "ok"}
    assert body["choices"][0]["finish_reason"] == "stop"
    assert body["usage"] == {"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6}


def test_usage_details_explicit_counts_and_nulls(openai_server: OpenAIServer) -> None:
    openai_server.script.on(Reply("a b c", reasoning_tokens=4, cached_tokens=1), last_user="details")
    openai_server.script.on(Reply("x", prompt_tokens=100, completion_tokens=7), last_user="explicit")
    openai_server.script.on(Reply("x", null_details=True), last_user="nulls")
    assert post(openai_server, user("details"))[1]["usage"] == {
        "prompt_tokens": 1,
        "completion_tokens": 7,
        "total_tokens": 8,
        "completion_tokens_details": {"reasoning_tokens": 4},
        "prompt_tokens_details": {"cached_tokens": 1},
    }
    assert post(openai_server, user("explicit"))[1]["usage"]["total_tokens"] == 107
    usage = post(openai_server, user("nulls"))[1]["usage"]
    assert usage["completion_tokens_details"] is None and usage["prompt_tokens_details"] is None


def test_tool_calls_are_sent_raw_and_counted() -> None:
    script = Script(default=Reply.calling("calc", '{"expression": "2+', content=None))
    with OpenAIServer(script) as server:
        messages = [
            {"role": "user", "content": "add"},
            {"role": "assistant", "content": None, "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "calc", "arguments": '{"a": 1}'}}
            ]},
            {"role": "tool", "tool_call_id": "c1", "content": "1"},
        ]
        _, body, _ = post(server, messages)
    choice = body["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    assert choice["message"]["tool_calls"] == [
        {"id": "call_1_0", "type": "function", "function": {"name": "calc", "arguments": '{"expression": "2+'}}
    ]
    assert body["usage"]["prompt_tokens"] == prompt_tokens_for(messages) == 5
    assert body["usage"]["completion_tokens"] == 3


def test_rules_match_on_text_regex_model_tools_and_turn(openai_server: OpenAIServer) -> None:
    tool = {"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}
    openai_server.script.on("by model", model="other").on("with tools", tools_offered=True)
    openai_server.script.on("second turn", turn=1).on("by regex", last_user=re.compile(r"^\d+$"))
    openai_server.script.on("anywhere", any_message="SYSTEM-MARK")
    assert post(openai_server, user("hi"), model="other")[1]["choices"][0]["message"]["content"] == "by model"
    assert post(openai_server, user("hi"), tools=[tool])[1]["choices"][0]["message"]["content"] == "with tools"
    second = user("a") + [{"role": "assistant", "content": "b"}] + user("c")
    assert post(openai_server, second)[1]["choices"][0]["message"]["content"] == "second turn"
    assert post(openai_server, user("123"))[1]["choices"][0]["message"]["content"] == "by regex"
    marked = [{"role": "system", "content": "SYSTEM-MARK"}] + user("x")
    assert post(openai_server, marked)[1]["choices"][0]["message"]["content"] == "anywhere"
    assert post(openai_server, user("12a"))[1]["choices"][0]["message"]["content"] == "ok"


def test_reply_can_be_computed_from_the_request(openai_server: OpenAIServer) -> None:
    def add(request: ChatRequest) -> str:
        match = request.search(r"(\d+) \+ (\d+)")
        assert match is not None
        return f"<answer>{int(match[1]) + int(match[2])}</answer>"

    openai_server.script.on(add, last_user="+")
    assert post(openai_server, user("What is 17 + 25?"))[1]["choices"][0]["message"]["content"] == "<answer>42</answer>"


def test_rule_every_and_times_then_fall_through(openai_server: OpenAIServer) -> None:
    openai_server.script.on(fault=Fault.server_error(503), times=2)
    statuses = [post(openai_server, user("x"))[0] for _ in range(4)]
    assert statuses == [503, 503, 200, 200]
    openai_server.reset(Script().on("even", every=2))
    contents = [post(openai_server, user("x"))[1]["choices"][0]["message"]["content"] for _ in range(4)]
    assert contents == ["ok", "even", "ok", "even"]


def test_global_fault_every_nth_request_and_counters(openai_server: OpenAIServer) -> None:
    openai_server.script.fail_every(3, Fault.server_error(502, "bad gateway"))
    statuses = [post(openai_server, user("x"))[0] for _ in range(6)]
    assert statuses == [200, 200, 502, 200, 200, 502]
    assert openai_server.status_counts() == {200: 4, 502: 2}
    assert openai_server.request_count == 6
    openai_server.reset()
    assert openai_server.requests == [] and post(openai_server, user("x"))[0] == 200


def test_rate_limit_sends_retry_after_and_openai_error_body(openai_server: OpenAIServer) -> None:
    openai_server.script.on(fault=Fault.rate_limit(0.25))
    status, body, headers = post(openai_server, user("x"))
    assert status == 429
    assert headers["Retry-After"] == "0.25"
    assert body["error"]["code"] == "rate_limit_exceeded"


def test_context_length_error_body(openai_server: OpenAIServer) -> None:
    openai_server.script.on(fault=Fault.context_length())
    status, body, _ = post(openai_server, user("x"))
    assert status == 400
    assert body["error"]["code"] == "context_length_exceeded"
    assert "maximum context length" in body["error"]["message"]


def test_dropped_connection_sends_no_response(openai_server: OpenAIServer) -> None:
    openai_server.script.on(fault=Fault.drop())
    with pytest.raises((http.client.RemoteDisconnected, ConnectionResetError, urllib.error.URLError)):
        post(openai_server, user("x"))
    assert openai_server.status_counts() == {None: 1}


def test_api_key_is_required_when_configured() -> None:
    with OpenAIServer(api_key="sk-right") as server:
        status, body, _ = post(server, user("x"), headers={"Authorization": "Bearer sk-wrong"})
        assert status == 401 and body["error"]["code"] == "invalid_api_key"
        assert post(server, user("x"), headers={"Authorization": "Bearer sk-right"})[0] == 200
        assert server.requests[0].headers["authorization"] == "Bearer sk-wrong"


def test_models_endpoint_lists_configured_models() -> None:
    with OpenAIServer(models=("a", "b")) as server:
        with urllib.request.urlopen(f"{server.url}/models", timeout=5) as response:
            listing = json.loads(response.read())
    assert [model["id"] for model in listing["data"]] == ["a", "b"]


def test_latency_delays_the_reply_and_requests_are_recorded(openai_server: OpenAIServer) -> None:
    openai_server.script.on(Reply("late", latency_s=0.05), last_user="late")
    assert post(openai_server, user("late"))[1]["choices"][0]["message"]["content"] == "late"
    assert openai_server.chat_requests[0].body == {"model": "test-model", "messages": user("late")}


def test_script_from_json_file() -> None:
    script = Script.from_json(json.loads((FIXTURES / "script.json").read_text()))
    with OpenAIServer(script) as server:
        assert post(server, user("What is 2 + 2?"))[1]["choices"][0]["message"]["content"] == "4"
        call = post(server, user("use the tool"))[1]["choices"][0]["message"]["tool_calls"][0]
        assert call["function"] == {"name": "calculator", "arguments": "{\"expression\": \"1+1\"}"}
        assert post(server, user("boom"))[0] == 500
        assert post(server, user("anything"))[1]["choices"][0]["message"]["content"] == "fallback"


def test_standalone_server_prints_its_url_and_serves(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.support.openai_server", "--script", str(FIXTURES / "script.json")],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/v1", url)
        data = json.dumps({"model": "m", "messages": user("What is 2 + 2?")}).encode()
        request = urllib.request.Request(f"{url}/chat/completions", data=data)
        with urllib.request.urlopen(request, timeout=5) as response:
            assert json.loads(response.read())["choices"][0]["message"]["content"] == "4"
    finally:
        process.terminate()
        process.wait(timeout=10)
