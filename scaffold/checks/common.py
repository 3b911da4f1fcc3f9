"""What the built-in checks share: a base built from a spec, template rendering, short reasons."""

from __future__ import annotations

import json
from typing import Any, Generic, TypeVar

from scaffold.cells import CheckResult
from scaffold.checks.base import CheckContext
from scaffold.render import render_string
from scaffold.spec.checks import CheckBase, XmlTagCheck

REASON_LIMIT = 120
"""Reasons are shown in table cells: longer ones are cut with an ellipsis."""

SpecT = TypeVar("SpecT", bound=CheckBase)


class CheckFailure(Exception):
    """Raised inside a check when it cannot grade (an expected value that is not a number, an
    unreadable verdict, a hook that does not import): the grading turns the message, as is,
    into the cause of a `CheckError`, which makes the cell an error, not a fail. A check that
    can grade and finds the output wrong returns a failed result instead."""


def clip(text: str, limit: int = REASON_LIMIT) -> str:
    """`text` on one line, cut to at most `limit` characters with a trailing ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def quote(text: str, limit: int = 40) -> str:
    """`text` in double quotes for a reason, line breaks shown as `\\n`, cut to `limit`."""
    shown = text.replace("\n", "\\n")
    if len(shown) > limit:
        shown = shown[: limit - 1] + "…"
    return f'"{shown}"'


def check_name(spec: CheckBase) -> str:
    """How a check is shown in results: its `name`, else its type and a short form of its value.

    The value is shown unrendered (`contains {{ expected }}`), so a check keeps one name
    across all cells and two checks of one type in an experiment stay apart in tables."""
    if spec.name:
        return spec.name
    value: Any = getattr(spec, "value", None)
    if isinstance(spec, XmlTagCheck):
        inner = f" {spec.check.type}" if spec.check is not None else ""
        return f"xml_tag <{spec.value}>{inner}"
    if isinstance(value, bool) or value is None:
        return spec.type
    shown = value if isinstance(value, str) else json.dumps(value, default=str)
    return f"{spec.type} {clip(shown, 32)}"


def render_text(template: str, context: CheckContext) -> str:
    """A check value rendered with the case's vars plus `expected` and `id` (DESIGN 1.4)."""
    return render_string(template, context.case.template_context())


class SpecCheck(Generic[SpecT]):
    """A built-in check configured by its spec. Subclasses implement `grade`."""

    def __init__(self, spec: SpecT) -> None:
        self.spec: SpecT = spec
        self.name: str = check_name(spec)

    def result(self, passed: bool, reason: str, score: float | None = None) -> CheckResult:
        """This check's result; `score` defaults to 1.0 for a pass and 0.0 for a fail."""
        return CheckResult(
            name=self.name,
            type=self.spec.type,
            passed=passed,
            score=float(passed) if score is None else score,
            weight=self.spec.weight,
            reason=clip(reason),
        )

    async def grade(self, output: str, context: CheckContext) -> CheckResult:
        raise NotImplementedError
