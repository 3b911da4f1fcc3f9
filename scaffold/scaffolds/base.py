"""The scaffold contract: drive a model from rendered messages to an answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Protocol, get_args

from scaffold.registry import REGISTRY, registers
from scaffold.spec.base import ScaffoldBase
from scaffold.spec.resolved import Case

if TYPE_CHECKING:
    from scaffold.cells import Completion


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


def scaffold_kind(spec: type[ScaffoldBase]) -> Callable[[type[Any]], type[Any]]:
    """Registers a runner class as the scaffold kind its spec model names (`kind: Literal[NAME]`):
    `@scaffold_kind(SingleScaffold)` above `class SingleCall`."""
    name = get_args(spec.model_fields["kind"].annotation)[0]
    return registers("scaffold", name, spec=spec)


def build_scaffold(spec: ScaffoldBase) -> "ScaffoldRunner":
    """The runner for one configured scaffold: its kind's registered class, or the plugin
    runner for a kind an installed package adds."""
    entry = REGISTRY.builtins("scaffold").get(spec.kind)
    if entry is None:
        from scaffold.scaffolds.python_hook import PluginHookScaffold

        return PluginHookScaffold(spec)
    runner: ScaffoldRunner = entry.target(spec)
    return runner


class ScaffoldRunner(Protocol):
    """One configured scaffold. Built-ins and the user's `python` scaffolds implement it."""

    async def run(
        self, messages: list[dict[str, Any]], complete: Complete, context: ScaffoldContext
    ) -> ScaffoldOutcome: ...
