"""Helpers for scaffold tests: scaffolds are built from specs written as in a prompt file's
`scaffolds:` section, through `build_scaffold` (the engine's path), and driven by a scripted
model that answers in order and records every request."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Awaitable, Callable, Sequence

import pytest
from pydantic import TypeAdapter

from scaffold.cells import Completion, ToolCall, Usage
from scaffold.scaffolds import ScaffoldContext, ScaffoldOutcome, ScaffoldRunner, build_scaffold
from scaffold.spec.prompt_file import ScaffoldSpec
from scaffold.spec.resolved import Case

HOOKS_ROOT = Path(__file__).resolve().parent.parent / "fixtures" / "scaffold_hooks"
"""A library folder holding user scaffold and tool modules."""

SCAFFOLD_SPEC: TypeAdapter[ScaffoldSpec] = TypeAdapter(ScaffoldSpec)

ScriptedTurn = str | list[tuple[str, "dict[str, Any] | str"]] | Completion
"""A text reply; or tool calls as (name, arguments: a dict sent as JSON, a str sent raw); or a Completion."""


@dataclass(frozen=True)
class SentRequest:
    """What a scaffold sent in one call."""

    messages: list[dict[str, Any]]
    tools: list[dict[str, Any]] | None

    @property
    def tool_names(self) -> list[str]:
        return [tool["function"]["name"] for tool in self.tools or ()]


def completion_for(turn: ScriptedTurn, number: int) -> Completion:
    """The completion a scripted turn stands for; tool call ids are `call_<turn>_<index>`."""
    if isinstance(turn, Completion):
        return turn
    if isinstance(turn, str):
        return Completion(content=turn, usage=Usage(10, 2))
    calls = tuple(
        ToolCall(f"call_{number}_{index}", name, arguments if isinstance(arguments, str) else json.dumps(arguments))
        for index, (name, arguments) in enumerate(turn)
    )
    return Completion(content=None, tool_calls=calls, usage=Usage(10, 5), finish_reason="tool_calls")


class ScriptedModel:
    """A `complete` that answers with the scripted turns in order and records each request."""

    def __init__(self, turns: Sequence[ScriptedTurn]):
        self.turns = list(turns)
        self.requests: list[SentRequest] = []

    async def __call__(
        self, messages: list[dict[str, Any]], *, tools: list[dict[str, Any]] | None = None
    ) -> Completion:
        number = len(self.requests) + 1
        self.requests.append(SentRequest(copy.deepcopy(messages), copy.deepcopy(tools)))
        if number > len(self.turns):
            raise AssertionError(f"the scaffold made call {number}; only {len(self.turns)} were scripted")
        return completion_for(self.turns[number - 1], number)


def make_context(vars: dict[str, Any] | None = None, root: Path = HOOKS_ROOT) -> ScaffoldContext:
    """The context of a case with these vars, in the fixture library."""
    return ScaffoldContext(Case(id="c1", vars=vars or {}), root)


def make_scaffold(raw: dict[str, Any]) -> ScaffoldRunner:
    """A scaffold from its YAML mapping (`{kind: tool_loop, tools: [...], ...}`)."""
    return build_scaffold(SCAFFOLD_SPEC.validate_python(raw))


PROMPT = [{"role": "system", "content": "Be exact."}, {"role": "user", "content": "What is 2 + 3?"}]
"""The rendered messages most tests start from."""


Drive = Callable[..., Awaitable[tuple[ScaffoldOutcome, ScriptedModel]]]


@pytest.fixture
def drive() -> Drive:
    """`outcome, model = await drive(spec, turns, vars={...})`: build the scaffold from its YAML
    mapping, run it on PROMPT for a case with `vars` against a model scripted with `turns`."""

    async def run(
        spec: dict[str, Any], turns: Sequence[ScriptedTurn], vars: dict[str, Any] | None = None
    ) -> tuple[ScaffoldOutcome, ScriptedModel]:
        model = ScriptedModel(turns)
        outcome = await make_scaffold(spec).run(copy.deepcopy(PROMPT), model, make_context(vars))
        return outcome, model

    return run


@pytest.fixture
def context_for() -> Callable[..., ScaffoldContext]:
    """`context_for(vars={...})`: a ScaffoldContext in the fixture library."""
    return make_context


@pytest.fixture
def scaffold_for() -> Callable[[dict[str, Any]], ScaffoldRunner]:
    """`scaffold_for({"kind": "tool_loop", ...})`: a scaffold built as the engine builds it."""
    return make_scaffold


@pytest.fixture
def prompt() -> list[dict[str, Any]]:
    """A copy of the rendered system + user messages."""
    return copy.deepcopy(PROMPT)


@pytest.fixture
def hooks_root() -> Path:
    """The fixture library whose modules `python` scaffolds and user tools import."""
    return HOOKS_ROOT
