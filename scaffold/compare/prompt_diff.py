"""What changed between the two sides' prompts: a unified diff of the rendered messages.

The rendered prompt of a cell is in its stored transcript (every message before the first
assistant message), so the diff is exact for the case it shows, whatever revision (`@REV`)
or case vars produced it, and needs neither the library nor the case file.
"""

from __future__ import annotations

import difflib
from typing import Any, Iterable, Sequence

from scaffold.cells import CellResult
from scaffold.compare.comparison import Comparison


def prompt_messages(transcript: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The messages a cell sent before the model first answered."""
    prompt = []
    for message in transcript:
        if message.get("role") == "assistant":
            break
        prompt.append(message)
    return prompt


def message_lines(messages: Sequence[dict[str, Any]]) -> list[str]:
    """Messages as lines of text: `role: first line`, further lines indented by two spaces."""
    lines = []
    for message in messages:
        content = message.get("content")
        if isinstance(content, list):  # content parts: keep their text
            content = "\n".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
        text_lines = str(content or "").splitlines() or [""]
        lines.append(f"{message.get('role', '?')}: {text_lines[0]}")
        lines.extend(f"  {line}" for line in text_lines[1:])
    return lines


def unified_prompt_diff(
    a_messages: Sequence[dict[str, Any]], b_messages: Sequence[dict[str, Any]], a_label: str, b_label: str
) -> str:
    """The unified diff (3 lines of context) from A's messages to B's; '' when they are equal."""
    diff = difflib.unified_diff(
        message_lines(a_messages), message_lines(b_messages), fromfile=a_label, tofile=b_label, lineterm=""
    )
    return "\n".join(diff)


def example_case(comparison: Comparison) -> tuple[str, CellResult, CellResult] | None:
    """The first paired case with a stored prompt on both sides, and each side's sample of it."""
    paired = comparison.paired
    for case_id, a, b in zip(paired.case_ids, paired.a, paired.b):
        if a.example is not None and b.example is not None and a.example.transcript and b.example.transcript:
            return case_id, a.example, b.example
    return None


def comparison_prompt_diff(comparison: Comparison) -> str:
    """The diff of the two sides' rendered prompts on the first paired case ('' when the
    prompts are the same, or no case was paired)."""
    example = example_case(comparison)
    if example is None:
        return ""
    case_id, a, b = example
    return unified_prompt_diff(
        prompt_messages(a.transcript),
        prompt_messages(b.transcript),
        f"a: {_side_label(comparison, 'a')} · case {case_id}",
        f"b: {_side_label(comparison, 'b')} · case {case_id}",
    )


def _side_label(comparison: Comparison, side: str) -> str:
    this = comparison.a if side == "a" else comparison.b
    run = f"{this.run_id} " if comparison.a.run_id != comparison.b.run_id else ""
    return f"{run}{this.variant}"
