"""`tool_loop`: the model calls tools until it answers (DESIGN 1.3, "the tool_loop rule").

The model is offered the scaffold's `tools` plus `submit(answer)`. Each turn is one model
call; what ends the loop:

- **submit**: a `submit` call with a usable `answer` ends the loop; the answer is the
  output (a number or boolean answer is taken as its JSON text: `42` → `"42"`). Calls of
  one turn run in the order the model made them, so calls after a successful `submit` in
  the same turn are neither run nor counted. A `submit` with bad arguments is an error
  result like any other and the loop goes on.
- **a turn without a tool call** is a stop: if `nudge` is set, fewer than `max_nudges`
  nudges were sent and a turn is left, the nudge (a template rendered with the case's vars)
  goes in as a user message and the loop goes on; otherwise that turn's text is the output.
- **max_turns**: after `max_turns` model calls the loop ends and the output is the last
  turn's text, `""` when that turn only called tools (its calls are still run, so the
  transcript shows their results). Earlier text is not promoted to the answer: a model that
  ran out of turns mid-work did not answer.

With `protocol: text` (DESIGN 9, `text_protocol.py`) the tools are described in the system
message instead of sent as `tools=`, and the first `<tool_call>` block of a turn is its one
call; turns, tool calls and nudges are counted the same way. `faults:` makes named tools
fail on purpose (`tools/faults.py`); the outcome counts `tool_errors` and `recovered`.

Tool calls never crash the cell: an exception in a tool, malformed JSON arguments, bad
arguments and unknown tool names go back to the model as a tool result `error: ...`.
Provider failures (ProviderError) propagate to the runner, which records the cell as an
error.

Counts: `turns` is the number of model calls; `tool_calls` counts every call the model
made and that was processed, by the name it called — `submit`, failed calls and unknown
names included (so a `tool_called: submit` check can see whether the model submitted);
`nudges` is the number of nudge messages sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, ValidationInfo, field_validator

from scaffold.render import render_string
from scaffold.scaffolds import text_protocol
from scaffold.scaffolds.base import Complete, ScaffoldContext, ScaffoldOutcome, scaffold_kind
from scaffold.scaffolds.tools import ToolResult, ToolSession, Toolbox, build_tools
from scaffold.scaffolds.tools.faults import FaultPlan, ToolFault
from scaffold.spec.base import Finding, Loc, ScaffoldBase, Setting, ToolName, tool_problems

if TYPE_CHECKING:
    from scaffold.cells import Completion

SUBMIT = "submit"


class ToolLoopScaffold(ScaffoldBase):
    """A function-calling loop with optional "keep going" nudges (DESIGN 1.3, 9)."""

    kind: Literal["tool_loop"]
    tools: list[ToolName] = Field(default_factory=list)
    max_turns: int = Field(8, ge=1)
    nudge: str | None = None
    max_nudges: int = Field(1, ge=0)
    protocol: Literal["native", "text"] = "native"
    """`native`: the provider's function calling; `text`: `<tool_call>` blocks in plain text (DESIGN 9)."""
    faults: dict[str, ToolFault] = Field(default_factory=dict)
    """Injected failures by tool (`lookup`, or a user tool as `module:function` or its function name)."""

    @field_validator("faults")
    @classmethod
    def _faults_name_listed_tools(cls, faults: dict[str, ToolFault], info: ValidationInfo) -> dict[str, ToolFault]:
        if "tools" not in info.data:  # the tools themselves are wrong: that is the problem to show
            return faults
        tools: list[str] = info.data["tools"]
        offered = {*tools, *(name.rsplit(":", 1)[-1] for name in tools)}
        for name in faults:
            if name not in offered:
                raise ValueError(f"faults: '{name}' is not one of this scaffold's tools ({', '.join(tools) or 'none'})")
        return faults

    def template_texts(self) -> list[tuple[Loc, str]]:
        return [(("nudge",), self.nudge)] if self.nudge is not None else []

    def problems(self, setting: Setting) -> list[Finding]:
        return tool_problems(self.tools, setting)


@dataclass(frozen=True)
class _Call:
    """One call of a turn, whichever protocol carried it."""

    id: str
    name: str
    arguments: str | dict[str, Any] | None
    unreadable: str | None = None


@scaffold_kind(ToolLoopScaffold)
class ToolLoop:
    """Runs the tool_loop rule for one configured scaffold."""

    def __init__(self, spec: ToolLoopScaffold):
        self.spec = spec
        self.text = spec.protocol == "text"
        self.faults = FaultPlan(spec.faults)

    def toolbox(self, root: Path) -> Toolbox:
        """The listed tools plus `submit`, for the library at `root` (built once per library)."""
        return build_tools([*self.spec.tools, SUBMIT], root)

    async def run(
        self, messages: list[dict[str, Any]], complete: Complete, context: ScaffoldContext
    ) -> ScaffoldOutcome:
        session = self.toolbox(context.root).session(context, self.faults)
        definitions = session.definitions()
        if self.text:
            conversation = text_protocol.with_instructions(messages, definitions)
        else:
            conversation = list(messages)
        nudges = 0
        turns = 0
        last: Completion | None = None
        while turns < self.spec.max_turns:
            last = await complete(list(conversation), tools=None if self.text else definitions)
            turns += 1
            conversation.append(last.to_message())
            calls = self._calls(last)
            if calls:
                answer = await self._run_calls(calls, session, conversation)
                if answer is not None:
                    return self._outcome(answer, conversation, turns, session, nudges)
                continue
            if self._may_nudge(nudges, turns):
                nudge = render_string(self.spec.nudge or "", context.case.vars)
                conversation.append({"role": "user", "content": nudge})
                nudges += 1
                continue
            break
        output = last.content if last is not None else None
        output = text_protocol.without_calls(output) if self.text else output or ""
        return self._outcome(output, conversation, turns, session, nudges)

    def _calls(self, completion: Completion) -> list[_Call]:
        if not self.text:
            return [_Call(call.id, call.name, call.arguments) for call in completion.tool_calls]
        found = text_protocol.first_call(completion.content)
        return [] if found is None else [_Call("", found.name, found.arguments, found.error)]

    def _may_nudge(self, nudges_sent: int, turns: int) -> bool:
        return self.spec.nudge is not None and nudges_sent < self.spec.max_nudges and turns < self.spec.max_turns

    async def _run_calls(
        self, calls: list[_Call], session: ToolSession, conversation: list[dict[str, Any]]
    ) -> str | None:
        """Run one turn's calls in order, appending each result; the answer if one was submitted."""
        for call in calls:
            result = await self._result(call, session)
            conversation.append(self._result_message(call, result))
            if call.name == SUBMIT and result.ok:
                return result.content
        return None

    @staticmethod
    async def _result(call: _Call, session: ToolSession) -> ToolResult:
        if call.unreadable is not None:
            return session.unreadable(call.name, call.unreadable)
        return await session.call(call.name, call.arguments)

    def _result_message(self, call: _Call, result: ToolResult) -> dict[str, Any]:
        if self.text:
            return text_protocol.tool_response(call.name, result.content)
        return {"role": "tool", "tool_call_id": call.id, "content": result.content}

    @staticmethod
    def _outcome(
        output: str, conversation: list[dict[str, Any]], turns: int, session: ToolSession, nudges: int
    ) -> ScaffoldOutcome:
        return ScaffoldOutcome(
            output=output, transcript=conversation, turns=turns, tool_calls=dict(session.calls), nudges=nudges,
            tool_errors=session.tool_errors, recovered=session.recovered,
        )
