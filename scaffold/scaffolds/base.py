"""The scaffold contract: drive a model from rendered messages to an answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from scaffold.cells import Completion
from scaffold.spec.resolved import Case


class Complete(Protocol):
    """Sends one call through the runner (retries, cache, limits and token accounting apply)."""

    async def __call__(
        self, messages: list[dict[str, Any]], *, tools: list[dict[str, Any]] | None = None
    ) -> Completion: ...


@dataclass
class ScaffoldOutcome:
    """What a scaffold produced: the final answer and the whole conversation."""

    output: str
    transcript: list[dict[str, Any]]
    turns: int = 1
    tool_calls: dict[str, int] = field(default_factory=dict)
    nudges: int = 0
    tool_errors: int = 0
    """Tool calls that failed: injected faults and exceptions raised by the tool (DESIGN 9)."""
    recovered: bool | None = None
    """True: every tool that failed later succeeded; False: one never did; None: none failed."""


@dataclass(frozen=True)
class ScaffoldContext:
    """What a scaffold may use besides the messages: the case (for `lookup`) and the library."""

    case: Case
    root: Path
    repeat: int = 0
    """Which repeat of the case this cell is (seeds tool faults)."""


class ScaffoldRunner(Protocol):
    """One configured scaffold. Built-ins and the user's `python` scaffolds implement it."""

    async def run(
        self, messages: list[dict[str, Any]], complete: Complete, context: ScaffoldContext
    ) -> ScaffoldOutcome: ...
