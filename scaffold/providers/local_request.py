"""OpenAI-style chat messages and parameters → a validated request for a local model.

Strict on purpose: in an A/B tool a parameter that silently does nothing makes two variants
look different when they are not, so anything the local model cannot honour is refused with a
message (litellm turns it into a bad-request error, recorded on the cell). Pure: no llama_cpp.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Mapping, Sequence

from scaffold.providers.local import LocalModelSpec, UnsupportedRequest

TOOL_PARAMS = ("tools", "tool_choice", "functions", "function_call")
"""Parameters that ask for native tool calls, which SmolLM2 cannot make."""

IGNORED_PARAMS = frozenset({"max_retries", "parallel_tool_calls", "user", "extra_headers", "metadata"})
"""Transport and bookkeeping settings litellm forwards; they mean nothing in-process."""

ROLE_ALIASES = {"system": "system", "developer": "system", "user": "user", "assistant": "assistant"}
"""Message roles the chat templates know; OpenAI's `developer` is a system message by another name."""


@dataclass(frozen=True)
class ChatMessage:
    """One turn of the conversation, as the model's chat template sees it."""

    role: str
    """`system`, `user` or `assistant`."""
    content: str
    """The turn's text (content parts already joined)."""


@dataclass(frozen=True)
class ChatRequest:
    """Everything that determines a local model's answer. Defaults not set from the spec are
    llama-cpp-python's own `create_chat_completion` defaults."""

    messages: tuple[ChatMessage, ...]
    """The conversation, oldest first."""
    max_tokens: int
    """Upper bound on answer tokens (llama.cpp also cuts at the end of the context window)."""
    temperature: float
    """0 is greedy decoding: the same prompt gives the same answer."""
    top_p: float
    """Nucleus sampling mass."""
    stop: tuple[str, ...] = ()
    """Strings that end the answer (not included in it)."""
    seed: int | None = None
    """Sampling seed; with a seed, the same request gives the same answer at any temperature."""
    top_k: int = 40
    """Sample among the k most likely tokens (llama.cpp extra)."""
    min_p: float = 0.05
    """Drop tokens less likely than min_p × the top token's probability (llama.cpp extra)."""
    presence_penalty: float = 0.0
    """OpenAI's presence penalty."""
    frequency_penalty: float = 0.0
    """OpenAI's frequency penalty."""
    repeat_penalty: float = 1.0
    """llama.cpp's repetition penalty (1.0 = off)."""
    response_format: dict[str, Any] | None = field(default=None, hash=False)
    """llama-cpp-python's JSON mode: `{"type": "json_object"}`, optionally with a `schema`."""
    logit_bias: dict[str, float] | None = field(default=None, hash=False)
    """Token id (as a string) → bias added to its logit."""

    def sampling_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for llama-cpp-python's chat completion handler (messages apart)."""
        return {
            "max_tokens": self.max_tokens,
            "temperature": self.temperature,
            "top_p": self.top_p,
            "top_k": self.top_k,
            "min_p": self.min_p,
            "stop": list(self.stop),
            "seed": self.seed,
            "presence_penalty": self.presence_penalty,
            "frequency_penalty": self.frequency_penalty,
            "repeat_penalty": self.repeat_penalty,
            "response_format": self.response_format,
            "logit_bias": self.logit_bias,
        }


def chat_request_from_openai(
    spec: LocalModelSpec, messages: Sequence[Mapping[str, Any]], params: Mapping[str, Any]
) -> ChatRequest:
    """Validate OpenAI-style `messages` and `params` (as litellm's `optional_params`) for `spec`.

    Raises `UnsupportedRequest` for tools, streaming, several choices, log-probabilities,
    non-text content and any parameter not listed on `ChatRequest`."""
    if any(params.get(name) not in (None, [], "none") for name in TOOL_PARAMS):
        raise UnsupportedRequest(f"{spec.model} does not support tool calls")
    if params.get("stream"):
        raise UnsupportedRequest(f"{spec.model} does not support streaming")
    if params.get("n") not in (None, 1):
        raise UnsupportedRequest(f"{spec.model} returns one choice per call (n=1), not n={params['n']}")
    if params.get("logprobs") or params.get("top_logprobs"):
        raise UnsupportedRequest(f"{spec.model} does not return log-probabilities")
    known = {request_field.name for request_field in fields(ChatRequest)} - {"messages"}
    handled = known | IGNORED_PARAMS | set(TOOL_PARAMS) | {"stream", "n", "logprobs", "top_logprobs"}
    unknown = sorted(name for name in params if name not in handled)
    if unknown:
        raise UnsupportedRequest(f"{spec.model} does not support parameter(s): {', '.join(unknown)}")

    def number(name: str, default: float, minimum: float) -> float:
        value = params.get(name)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum:
            raise UnsupportedRequest(f"{spec.model}: {name} must be a number >= {minimum:g}, not {value!r}")
        return float(value)

    def whole(name: str, default: int, minimum: int) -> int:
        value = params.get(name)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise UnsupportedRequest(f"{spec.model}: {name} must be a whole number >= {minimum}, not {value!r}")
        return value

    seed = params.get("seed")
    return ChatRequest(
        messages=tuple(_chat_message(spec, message) for message in messages),
        max_tokens=whole("max_tokens", spec.default_max_tokens, 1),
        temperature=number("temperature", spec.default_temperature, 0.0),
        top_p=number("top_p", spec.default_top_p, 0.0),
        stop=_stop_strings(spec, params.get("stop")),
        seed=None if seed is None else whole("seed", 0, 0),
        top_k=whole("top_k", 40, 0),
        min_p=number("min_p", 0.05, 0.0),
        presence_penalty=number("presence_penalty", 0.0, -2.0),
        frequency_penalty=number("frequency_penalty", 0.0, -2.0),
        repeat_penalty=number("repeat_penalty", 1.0, 0.0),
        response_format=_response_format(spec, params.get("response_format")),
        logit_bias=params.get("logit_bias"),
    )


def _chat_message(spec: LocalModelSpec, message: Mapping[str, Any]) -> ChatMessage:
    """One OpenAI message as a template turn; content parts must all be text (joined as litellm
    joins them for text-only providers)."""
    role = message.get("role")
    if role == "tool" or message.get("tool_calls") or message.get("function_call"):
        raise UnsupportedRequest(f"{spec.model} does not support tool calls")
    if role not in ROLE_ALIASES:
        raise UnsupportedRequest(f"{spec.model}: unknown message role {role!r}")
    content = message.get("content")
    if content is None:
        text = ""
    elif isinstance(content, str):
        text = content
    elif isinstance(content, list) and all(isinstance(part, Mapping) and part.get("type") == "text" for part in content):
        text = "".join(str(part.get("text") or "") for part in content)
    else:
        raise UnsupportedRequest(f"{spec.model} reads text only; a message has non-text content")
    return ChatMessage(ROLE_ALIASES[role], text)


def _stop_strings(spec: LocalModelSpec, stop: Any) -> tuple[str, ...]:
    """`stop` as OpenAI allows it (a string or a list of strings) as a tuple."""
    if stop is None:
        return ()
    if isinstance(stop, str):
        return (stop,) if stop else ()
    if isinstance(stop, (list, tuple)) and all(isinstance(item, str) for item in stop):
        return tuple(item for item in stop if item)
    raise UnsupportedRequest(f"{spec.model}: stop must be a string or a list of strings, not {stop!r}")


def _response_format(spec: LocalModelSpec, response_format: Any) -> dict[str, Any] | None:
    """OpenAI's `response_format` in llama-cpp-python's shape, which reads a JSON schema only
    from `{"type": "json_object", "schema": ...}`."""
    if response_format is None:
        return None
    kind = response_format.get("type") if isinstance(response_format, Mapping) else None
    if kind == "text":
        return None
    if kind == "json_object":
        return dict(response_format)
    if kind == "json_schema":
        schema = (response_format.get("json_schema") or {}).get("schema")
        return {"type": "json_object", "schema": schema} if schema else {"type": "json_object"}
    raise UnsupportedRequest(f"{spec.model}: unsupported response_format {response_format!r}")
