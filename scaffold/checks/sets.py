"""The `set` check: the list after a marker against the expected items, scored by F1.

This is how OpenAI's GraphWalks grades (`Final Answer: [a, b, c]`, precision and recall
over the two sets), except that an empty answer to an empty expectation scores 1.
"""

from __future__ import annotations

import ast
import json
import re
from typing import TYPE_CHECKING, Any, Iterable, Literal

from scaffold.checks.base import CheckContext
from scaffold.checks.common import SpecCheck, check_type, clip, quote, render_text
from scaffold.spec.base import CheckBase

if TYPE_CHECKING:
    from scaffold.cells import CheckResult


class SetCheck(CheckBase):
    type: Literal["set"]
    value: str | list[Any]
    """Expected items: a list, or a template that renders to a list or a comma-separated string."""
    marker: str = "Final Answer:"

QUOTES = "\"'`*"
"""Stripped from both ends of an item: quotes, and the asterisks of Markdown emphasis."""
LIST_BULLET = re.compile(r"^(?:[-*+\u2022]|\d+[.)])\s+")


def clean_item(item: Any) -> str:
    """An item as compared: text without surrounding white space, quotes or emphasis."""
    return str(item).strip().strip(QUOTES).strip()


def split_items(text: str) -> list[str]:
    """Comma-separated items, cleaned, empty ones dropped."""
    return [cleaned for cleaned in (clean_item(part) for part in text.split(",")) if cleaned]


def parse_literal_list(text: str) -> list[str] | None:
    """`text` read as a JSON or Python list/tuple/set literal, or None when it is not one."""
    for parse in (json.loads, ast.literal_eval):
        try:
            value = parse(text)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
        if isinstance(value, (list, tuple, set, frozenset)):
            return [cleaned for cleaned in (clean_item(item) for item in value) if cleaned]
    return None


def answer_items(text: str) -> list[str]:
    """The list that starts `text` (what follows the marker), in any of the forms models write:
    `[a, b]` (JSON, Python or bare items), `a, b` on the marker's line, or one item per line
    (bullets allowed) on the lines below it, up to the first blank line."""
    head = text.lstrip(" \t*_")  # `**Final Answer:** [a, b]`
    if head.startswith("["):
        closing = head.find("]")
        bracketed = head if closing < 0 else head[: closing + 1]
        literal = parse_literal_list(bracketed)
        if literal is not None:
            return literal
        return split_items(bracketed.strip("[]").replace("\n", ","))
    first_line, _, below = head.partition("\n")
    if first_line.strip():
        return split_items(first_line.strip().rstrip("."))
    items: list[str] = []
    for line in below.splitlines():
        if not line.strip():
            if items:
                break
            continue
        items.extend(split_items(LIST_BULLET.sub("", line.strip())))
    return items


def expected_items(value: str | list[Any], context: CheckContext) -> list[str]:
    """The expected items: a YAML list (string items rendered), or a template rendering to a
    JSON or Python list (as `{{ expected }}` does for a list) or a comma-separated string."""
    if isinstance(value, list):
        return [
            cleaned
            for cleaned in (clean_item(render_text(item, context) if isinstance(item, str) else item) for item in value)
            if cleaned
        ]
    rendered = render_text(value, context).strip()
    literal = parse_literal_list(rendered)
    if literal is not None:
        return literal
    return split_items(rendered.strip("[]") if rendered.startswith("[") else rendered)


def f1_score(answer: set[str], expected: set[str]) -> float:
    """F1 of precision and recall of `answer` against `expected`; 1.0 when both are empty."""
    if not answer and not expected:
        return 1.0
    overlap = len(answer & expected)
    if overlap == 0:
        return 0.0
    precision = overlap / len(answer)
    recall = overlap / len(expected)
    return 2 * precision * recall / (precision + recall)


def _shown(items: Iterable[str]) -> str:
    return clip(", ".join(sorted(items)), 40)


@check_type(SetCheck)
class SetMatch(SpecCheck[SetCheck]):
    """The list after the last `marker` compared with the expected items as sets: the score
    is F1; it passes when F1 is 1, or reaches the check's `threshold` when one is set."""

    async def grade(self, output: str, context: CheckContext) -> CheckResult:
        expected = set(expected_items(self.spec.value, context))
        marker = render_text(self.spec.marker, context)
        position = output.rfind(marker)
        if position < 0:
            return self.result(False, f"no {quote(marker)} in output", 0.0)
        answer = set(answer_items(output[position + len(marker):]))
        f1 = f1_score(answer, expected)
        required = 1.0 if self.spec.threshold is None else self.spec.threshold
        passed = f1 >= required - 1e-9
        missing, extra = expected - answer, answer - expected
        if not missing and not extra:
            return self.result(passed, f"all {len(expected)} items match", f1)
        parts = [f"F1 {f1:.2f}: {len(expected & answer)}/{len(expected)} found"]
        if missing:
            parts.append(f"missing {_shown(missing)}")
        if extra:
            parts.append(f"extra {_shown(extra)}")
        return self.result(passed, "; ".join(parts), f1)
