"""Cases from chat logs in the OpenAI messages format: one conversation a line.

A line is `{"messages": [...]}` (as fine-tuning files and most production logs keep it) or a
bare list of messages. The last user turn is the case: `vars.prompt` is its text,
`vars.system` the system (or developer) message before it, `vars.history` the turns between
them when there are any ([{role, content}]); the assistant's answer after it, when logged,
becomes `expected`, a reference. Text parts of list content are joined; other parts are not
carried over.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from pydantic import BaseModel, ConfigDict, ValidationError

from scaffold.spec.errors import Position, Problem, display_path
from scaffold.spec.experiment import CaseSpec


class ChatMessage(BaseModel):
    """One message as chat logs hold it; fields this importer does not read are allowed."""

    model_config = ConfigDict(extra="allow")

    role: str
    content: str | list[Any] | None = None


class ChatLine(BaseModel):
    """One line of a chat JSONL file."""

    model_config = ConfigDict(extra="allow")

    messages: list[ChatMessage]


@dataclass(frozen=True)
class ChatRow:
    """The case read from one line, or the problem that line has."""

    case: CaseSpec | None
    problem: Problem | None = None


def message_text(content: str | list[Any] | None) -> str:
    """The text of a message's content: the string, or its text parts joined."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    parts = [part.get("text", "") for part in content if isinstance(part, dict) and part.get("type") == "text"]
    return "".join(str(part) for part in parts)


def conversation_case(messages: list[ChatMessage]) -> CaseSpec | None:
    """The case of a conversation (see the module docstring); None when no user turn has text."""
    user_turns = [index for index, message in enumerate(messages) if message.role == "user"]
    if not user_turns:
        return None
    last_user = user_turns[-1]
    prompt = message_text(messages[last_user].content)
    if not prompt.strip():
        return None
    case_vars: dict[str, Any] = {"prompt": prompt}
    before = messages[:last_user]
    system = [message_text(message.content) for message in before if message.role in ("system", "developer")]
    if system:
        case_vars["system"] = "\n\n".join(system)
    history = [
        {"role": message.role, "content": message_text(message.content)}
        for message in before
        if message.role in ("user", "assistant")
    ]
    if history:
        case_vars["history"] = history
    answers = [message for message in messages[last_user + 1 :] if message.role == "assistant"]
    expected = message_text(answers[0].content) if answers else ""
    return CaseSpec(vars=case_vars, expected=expected or None)


def _line_problem(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return f"not a conversation: {where}: {first['msg']}" if where else f"not a conversation: {first['msg']}"


def read_chat_jsonl(path: Path) -> Iterator[ChatRow]:
    """Every line's case, or its problem (`file:line:col`); reads line by line."""
    file = display_path(path)
    with path.open(encoding="utf-8", errors="replace") as stream:
        for number, line in enumerate(stream, 1):
            if not line.strip():
                continue
            try:
                data = json.loads(line.rstrip("\r\n"))
            except json.JSONDecodeError as error:
                yield ChatRow(None, Problem(Position(file, number, error.colno), f"invalid JSON: {error.msg}"))
                continue
            if isinstance(data, list):
                data = {"messages": data}
            try:
                conversation = ChatLine.model_validate(data)
            except ValidationError as error:
                yield ChatRow(None, Problem(Position(file, number, 1), _line_problem(error)))
                continue
            case = conversation_case(conversation.messages)
            if case is None:
                yield ChatRow(None, Problem(Position(file, number, 1), "no user message with text"))
                continue
            yield ChatRow(case)
