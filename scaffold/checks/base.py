"""The check contract: grade one cell's output, with a short reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Protocol

if TYPE_CHECKING:  # validate discovers the check modules and needs none of the results
    from scaffold.cells import CheckResult, Completion, Usage
    from scaffold.spec.resolved import Case

JudgeComplete = Callable[[list[dict[str, Any]], str], Awaitable["Completion"]]
"""`(messages, judge_model_name) -> Completion`, sent through the runner and counted apart."""


@dataclass(frozen=True)
class CheckContext:
    """What a check may look at besides the output."""

    case: Case
    usage: Usage
    """The candidate's tokens for the whole cell."""
    transcript: tuple[dict[str, Any], ...] = ()
    prompt: tuple[dict[str, Any], ...] = ()
    """The rendered messages the cell started from (the task, before any nudge or critique)."""
    tool_calls: dict[str, int] = field(default_factory=dict)
    root: Path = Path(".")
    """The library folder, from which `python` checks import their module."""
    judge: JudgeComplete | None = None
    judge_model: str | None = None


class Check(Protocol):
    """One configured check. Built-ins and user hooks implement it the same way."""

    async def grade(self, output: str, context: CheckContext) -> CheckResult: ...
