"""Which cells of a run an export reads, and their transcripts as fine-tuning messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from pydantic import ValidationError

from scaffold.cells import CellResult
from scaffold.export.lines import ChatMessage, Exported


@dataclass
class ExportedLines:
    """The lines an export writes and the notes it reports (one line each)."""

    lines: list[Exported] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add_unique(self, line: Exported, seen: set[str]) -> None:
        """Append `line` unless an identical line is already there."""
        text = line.line()
        if text not in seen:
            seen.add(text)
            self.lines.append(line)


@dataclass(frozen=True)
class CellFilter:
    """Only cells of these variants and models (empty: all)."""

    variants: tuple[str, ...] = ()
    models: tuple[str, ...] = ()

    def keeps(self, cell: CellResult) -> bool:
        """True when `cell` is graded (not an error) and matches the filter."""
        if cell.status == "error":
            return False
        if self.variants and cell.key.variant not in self.variants and _short(cell.key.variant) not in self.variants:
            return False
        return not self.models or cell.key.model in self.models


def _short(variant: str) -> str:
    return variant.split(":", 1)[-1]


def graded_cells(results: Iterable[CellResult], selection: CellFilter) -> list[CellResult]:
    """The passed and failed cells `selection` keeps, in the run's order."""
    return [cell for cell in results if selection.keeps(cell)]


def chat_messages(transcript: Sequence[dict[str, Any]]) -> list[ChatMessage] | None:
    """A transcript as fine-tuning messages, ending at its last assistant message; None when a
    message is not in the chat format (a python scaffold may record anything) or none answers."""
    try:
        messages = [ChatMessage.model_validate(message) for message in transcript]
    except ValidationError:
        return None
    while messages and messages[-1].role != "assistant":
        messages.pop()
    return messages or None


def split_answer(messages: list[ChatMessage]) -> tuple[list[ChatMessage], ChatMessage]:
    """(everything before the last message, the last message): the input and its answer."""
    return messages[:-1], messages[-1]


def prompt_messages(transcript: Sequence[dict[str, Any]], count: int) -> list[ChatMessage] | None:
    """The first `count` messages of a transcript (the rendered prompt) as fine-tuning
    messages; None when they are not chat messages or the last is not the user's."""
    if count < 1 or len(transcript) < count:
        return None
    try:
        messages = [ChatMessage.model_validate(message) for message in transcript[:count]]
    except ValidationError:
        return None
    return messages if messages[-1].role == "user" else None


def conversations(cells: Iterable[CellResult]) -> tuple[list[tuple[CellResult, list[ChatMessage]]], list[str]]:
    """Each cell with its transcript as messages (a prompt and an answer at least), and the
    note for the cells left out because their transcript is not that."""
    readable, unreadable = [], 0
    for cell in cells:
        messages = chat_messages(cell.transcript)
        if messages is None or len(messages) < 2:
            unreadable += 1
        else:
            readable.append((cell, messages))
    note = f"{unreadable} cells left out: their transcript is not in the chat format (or has no answer)"
    return readable, [note] if unreadable else []
