"""OpenAI-style parameters → a local request: what is honoured, what is refused. No model needed."""

from __future__ import annotations

import pytest

from scaffold.providers.local import KNOWN_LOCAL_MODELS, UnsupportedRequest
from scaffold.providers.local_request import ChatMessage, chat_request_from_openai

SMOLLM2 = KNOWN_LOCAL_MODELS["smollm2"]
HELLO = [{"role": "user", "content": "Hello"}]
CALCULATOR = {"type": "function", "function": {"name": "calculator", "parameters": {"type": "object"}}}


def test_missing_parameters_take_the_model_defaults() -> None:
    request = chat_request_from_openai(SMOLLM2, HELLO, {})

    assert request.max_tokens == SMOLLM2.default_max_tokens == 256
    assert request.temperature == SMOLLM2.default_temperature
    assert request.top_p == SMOLLM2.default_top_p
    assert request.seed is None and request.stop == ()


def test_sampling_parameters_reach_llama_as_given() -> None:
    params = {"temperature": 0, "top_p": 0.5, "max_tokens": 16, "stop": "\n", "seed": 7, "top_k": 5, "max_retries": 0}

    kwargs = chat_request_from_openai(SMOLLM2, HELLO, params).sampling_kwargs()

    assert kwargs["temperature"] == 0.0 and kwargs["top_p"] == 0.5 and kwargs["top_k"] == 5
    assert kwargs["max_tokens"] == 16 and kwargs["stop"] == ["\n"] and kwargs["seed"] == 7


@pytest.mark.parametrize("params", [{"tools": [CALCULATOR]}, {"tool_choice": "required"}, {"functions": [{"name": "f"}]}])
def test_tool_calls_are_refused(params: dict) -> None:
    with pytest.raises(UnsupportedRequest, match="local/smollm2 does not support tool calls"):
        chat_request_from_openai(SMOLLM2, HELLO, params)


def test_absent_or_empty_tools_are_fine() -> None:
    chat_request_from_openai(SMOLLM2, HELLO, {"tools": None, "tool_choice": "none"})
    chat_request_from_openai(SMOLLM2, HELLO, {"tools": []})


def test_a_tool_result_in_the_conversation_is_refused() -> None:
    messages = [*HELLO, {"role": "tool", "tool_call_id": "1", "content": "4"}]

    with pytest.raises(UnsupportedRequest, match="does not support tool calls"):
        chat_request_from_openai(SMOLLM2, messages, {})


def test_parameters_that_would_silently_do_nothing_are_refused_by_name() -> None:
    with pytest.raises(UnsupportedRequest, match=r"does not support parameter\(s\): n_ctx, reasoning_effort"):
        chat_request_from_openai(SMOLLM2, HELLO, {"reasoning_effort": "low", "n_ctx": 4096})


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"stream": True}, "streaming"),
        ({"n": 2}, "n=2"),
        ({"logprobs": True}, "log-probabilities"),
        ({"temperature": -1}, "temperature must be a number >= 0"),
        ({"max_tokens": 0}, "max_tokens must be a whole number >= 1"),
        ({"stop": 3}, "stop must be a string or a list of strings"),
        ({"response_format": {"type": "xml"}}, "unsupported response_format"),
    ],
)
def test_values_the_model_cannot_honour_are_refused(params: dict, message: str) -> None:
    with pytest.raises(UnsupportedRequest, match=message):
        chat_request_from_openai(SMOLLM2, HELLO, params)


def test_messages_become_template_turns() -> None:
    messages = [
        {"role": "developer", "content": "Be brief."},
        {"role": "user", "content": [{"type": "text", "text": "Add "}, {"type": "text", "text": "1 and 2."}]},
        {"role": "assistant", "content": None},
    ]

    request = chat_request_from_openai(SMOLLM2, messages, {})

    assert request.messages == (
        ChatMessage("system", "Be brief."),
        ChatMessage("user", "Add 1 and 2."),
        ChatMessage("assistant", ""),
    )


def test_image_content_is_refused() -> None:
    image = {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}
    messages = [{"role": "user", "content": [{"type": "text", "text": "What is this?"}, image]}]

    with pytest.raises(UnsupportedRequest, match="reads text only"):
        chat_request_from_openai(SMOLLM2, messages, {})


def test_openai_json_schema_becomes_llama_json_mode_with_the_schema() -> None:
    schema = {"type": "object", "properties": {"answer": {"type": "integer"}}}
    response_format = {"type": "json_schema", "json_schema": {"name": "answer", "schema": schema}}

    request = chat_request_from_openai(SMOLLM2, HELLO, {"response_format": response_format})

    assert request.response_format == {"type": "json_object", "schema": schema}
    assert chat_request_from_openai(SMOLLM2, HELLO, {"response_format": {"type": "text"}}).response_format is None
