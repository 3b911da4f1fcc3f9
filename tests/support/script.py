"""What the test server answers: replies, faults, and the rules that pick them for a request.

Token counts are deterministic so tests can compare totals exactly. Unless a reply gives
explicit numbers:

- ``prompt_tokens`` = whitespace-separated words in every message of the request (text
  content, text parts of list content, and the name and arguments of assistant tool calls);
- ``completion_tokens`` = words in the reply's content, plus the words of each tool call's
  name and arguments, plus ``reasoning_tokens`` (reasoning is part of the output, as in
  OpenAI's usage).

``prompt_tokens_for`` and ``completion_tokens_for`` compute the same numbers for assertions.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Literal

Pattern = str | re.Pattern[str]
"""A plain string matches as a substring; a compiled regex matches with `search`."""


def count_words(text: str | None) -> int:
    """Whitespace-separated words in `text` (0 for None)."""
    return len(text.split()) if text else 0


def _message_words(message: dict[str, Any]) -> int:
    content = message.get("content")
    if isinstance(content, list):
        words = sum(count_words(part.get("text")) for part in content if isinstance(part, dict))
    else:
        words = count_words(content if isinstance(content, str) else None)
    for call in message.get("tool_calls") or ():
        function = call.get("function", {})
        words += count_words(function.get("name")) + count_words(function.get("arguments"))
    return words


def prompt_tokens_for(messages: list[dict[str, Any]]) -> int:
    """The prompt tokens the server reports for these messages (see the module docstring)."""
    return sum(_message_words(message) for message in messages)


def completion_tokens_for(reply: "Reply") -> int:
    """The completion tokens the server reports for this reply (see the module docstring)."""
    if reply.completion_tokens is not None:
        return reply.completion_tokens
    call_words = sum(count_words(call.name) + count_words(call.arguments) for call in reply.tool_calls)
    return count_words(reply.content) + call_words + (reply.reasoning_tokens or 0)


@dataclass(frozen=True)
class ToolCallReply:
    """A tool call the server sends; `arguments` goes out as given, malformed JSON included."""

    name: str
    arguments: str = "{}"
    id: str | None = None
    """None: the server numbers it (`call_<request>_<index>`)."""


@dataclass(frozen=True)
class Reply:
    """One assistant answer and the usage reported with it."""

    content: str | None = "ok"
    tool_calls: tuple[ToolCallReply, ...] = ()
    finish_reason: str | None = None
    """None: `tool_calls` when the reply calls tools, else `stop`."""
    prompt_tokens: int | None = None
    """None: counted from the request's words."""
    completion_tokens: int | None = None
    """None: counted from the reply's words (plus reasoning tokens)."""
    reasoning_tokens: int | None = None
    """None: `completion_tokens_details` is left out of the usage."""
    cached_tokens: int | None = None
    """None: `prompt_tokens_details` is left out of the usage."""
    null_details: bool = False
    """Send both usage details as JSON null (some servers do), whatever the fields above say."""
    latency_s: float = 0.0
    """Sleep this long before answering (benchmarks, timeouts)."""

    @classmethod
    def calling(cls, name: str, arguments: str | dict[str, Any] = "{}", content: str | None = None) -> "Reply":
        """A reply that calls one tool; dict arguments are JSON-encoded, strings sent raw."""
        raw = arguments if isinstance(arguments, str) else json.dumps(arguments)
        return cls(content=content, tool_calls=(ToolCallReply(name, raw),))


@dataclass(frozen=True)
class Fault:
    """A way a request goes wrong: an HTTP error, a dropped connection, or a delay.

    Build one with the class methods; `slow` delays and then answers normally."""

    kind: Literal["error", "drop", "slow"]
    status: int = 500
    message: str = "server error"
    code: str | None = None
    """The OpenAI error `code` (e.g. `context_length_exceeded`)."""
    error_type: str = "server_error"
    retry_after_s: float | None = None
    """Sent as the `Retry-After` header (seconds) when set."""
    delay_s: float = 0.0

    @classmethod
    def server_error(cls, status: int = 500, message: str = "server error") -> "Fault":
        """A 5xx with an OpenAI-style error body."""
        return cls("error", status, message)

    @classmethod
    def rate_limit(cls, retry_after_s: float | None = 0.05) -> "Fault":
        """A 429 with `Retry-After: <retry_after_s>` (no header when None)."""
        return cls("error", 429, "Rate limit reached", "rate_limit_exceeded", "requests", retry_after_s)

    @classmethod
    def context_length(cls) -> "Fault":
        """The 400 OpenAI sends when the messages exceed the context window."""
        message = (
            "This model's maximum context length is 8192 tokens. However, your messages resulted in "
            "9000 tokens. Please reduce the length of the messages."
        )
        return cls("error", 400, message, "context_length_exceeded", "invalid_request_error")

    @classmethod
    def bad_request(cls, message: str = "Invalid value for 'temperature'.") -> "Fault":
        """A plain 400 invalid_request_error."""
        return cls("error", 400, message, None, "invalid_request_error")

    @classmethod
    def drop(cls) -> "Fault":
        """Close the connection without sending a response."""
        return cls("drop")

    @classmethod
    def slow(cls, delay_s: float) -> "Fault":
        """Sleep `delay_s` before answering normally (a client timeout below it fails)."""
        return cls("slow", delay_s=delay_s)

    def error_body(self) -> dict[str, Any]:
        """The JSON body of an `error` fault, shaped as OpenAI's."""
        return {"error": {"message": self.message, "type": self.error_type, "param": None, "code": self.code}}


@dataclass(frozen=True)
class ChatRequest:
    """A received chat completion request, as rules and reply functions see it."""

    number: int
    """1-based: the how-manieth chat request since the server started or was reset."""
    body: dict[str, Any]
    headers: dict[str, str]
    """Lower-cased header names."""

    @property
    def model(self) -> str:
        """The model name as sent (`openai/x` arrives as `x`)."""
        return str(self.body.get("model", ""))

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages") or [])

    @property
    def tools(self) -> list[dict[str, Any]]:
        return list(self.body.get("tools") or [])

    @property
    def turn(self) -> int:
        """The number of assistant messages already in the conversation (0 on the first call)."""
        return sum(1 for message in self.messages if message.get("role") == "assistant")

    @property
    def last_user_text(self) -> str:
        for message in reversed(self.messages):
            if message.get("role") == "user":
                return _text(message)
        return ""

    @property
    def all_text(self) -> str:
        return "\n".join(_text(message) for message in self.messages)

    def search(self, pattern: str) -> re.Match[str] | None:
        """`re.search` over the last user message, for reply functions."""
        return re.search(pattern, self.last_user_text)


def _text(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, list):
        return " ".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return content if isinstance(content, str) else ""


def _matches(pattern: Pattern | None, text: str) -> bool:
    if pattern is None:
        return True
    if isinstance(pattern, re.Pattern):
        return pattern.search(text) is not None
    return pattern in text


ReplySource = Reply | str | Callable[[ChatRequest], "Reply | str"]
"""A fixed reply, plain text, or a function of the request (e.g. the expected answer of a case)."""


@dataclass
class Rule:
    """When a request matches every condition given, this rule's fault and/or reply apply."""

    reply: ReplySource | None = None
    """None: the rule only injects its fault; the reply comes from later rules or the default."""
    fault: Fault | None = None
    last_user: Pattern | None = None
    any_message: Pattern | None = None
    model: str | None = None
    tools_offered: bool | None = None
    turn: int | None = None
    every: int = 1
    """Apply on every Nth request this rule matches (1: all of them)."""
    times: int | None = None
    """Apply at most this many times, then let later rules answer."""
    matched: int = field(default=0, init=False)
    applied: int = field(default=0, init=False)

    def _conditions_hold(self, request: ChatRequest) -> bool:
        return (
            (self.model is None or self.model == request.model)
            and (self.tools_offered is None or self.tools_offered == bool(request.tools))
            and (self.turn is None or self.turn == request.turn)
            and _matches(self.last_user, request.last_user_text)
            and _matches(self.any_message, request.all_text)
        )

    def applies(self, request: ChatRequest) -> bool:
        """Whether the rule takes this request; counts matches, so call it once per request."""
        if not self._conditions_hold(request):
            return False
        self.matched += 1
        if self.matched % self.every or (self.times is not None and self.applied >= self.times):
            return False
        self.applied += 1
        return True


def _resolve(source: ReplySource, request: ChatRequest) -> Reply:
    value = source(request) if callable(source) else source
    return Reply(content=value) if isinstance(value, str) else value


@dataclass
class Script:
    """The server's behaviour: rules tried in order, a default reply, and a global fault."""

    rules: list[Rule] = field(default_factory=list)
    default: ReplySource = field(default_factory=Reply)
    fault: Fault | None = None
    """Injected on every `fault_every`-th chat request, whatever the rules say."""
    fault_every: int | None = None

    def on(self, reply: ReplySource | None = None, *, fault: Fault | None = None, **conditions: Any) -> "Script":
        """Add a rule (see `Rule` for the conditions); returns the script for chaining."""
        self.rules.append(Rule(reply, fault, **conditions))
        return self

    def fail_every(self, n: int, fault: Fault) -> "Script":
        """Inject `fault` on every Nth chat request (the Nth, 2Nth, ...)."""
        self.fault, self.fault_every = fault, n
        return self

    def decide(self, request: ChatRequest) -> tuple[Fault | None, Reply]:
        """The fault to inject (if any) and the reply to send otherwise (or after a `slow`)."""
        fault = self.fault if self.fault_every and request.number % self.fault_every == 0 else None
        for rule in self.rules:
            if not rule.applies(request):
                continue
            fault = fault or rule.fault
            if rule.reply is not None:
                return fault, _resolve(rule.reply, request)
        return fault, _resolve(self.default, request)

    def reset_counters(self) -> None:
        """Forget how often each rule matched (for `every` and `times`)."""
        for rule in self.rules:
            rule.matched = rule.applied = 0

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Script":
        """A script from plain data (the standalone server's `--script FILE.json`).

        Shape: `{"default": REPLY, "rules": [{"reply": REPLY, "fault": FAULT, "last_user": "..",
        "last_user_regex": "..", "model": .., "tools_offered": .., "turn": .., "every": .., "times": ..}],
        "fault": FAULT, "fault_every": N}`; a REPLY is a string or the fields of `Reply`
        (`tool_calls` as a list of `{name, arguments}`), a FAULT the fields of `Fault`."""
        rules = []
        for rule in data.get("rules", ()):
            rule = dict(rule)
            for key in ("last_user", "any_message"):
                if f"{key}_regex" in rule:
                    rule[key] = re.compile(rule.pop(f"{key}_regex"))
            reply = _reply_from_json(rule.pop("reply")) if "reply" in rule else None
            fault = Fault(**rule.pop("fault")) if "fault" in rule else None
            rules.append(Rule(reply, fault, **rule))
        return cls(
            rules=rules,
            default=_reply_from_json(data.get("default", "ok")),
            fault=Fault(**data["fault"]) if "fault" in data else None,
            fault_every=data.get("fault_every"),
        )


def _reply_from_json(data: str | dict[str, Any]) -> Reply:
    if isinstance(data, str):
        return Reply(content=data)
    fields = dict(data)
    fields["tool_calls"] = tuple(ToolCallReply(**call) for call in fields.get("tool_calls", ()))
    return Reply(**fields)
