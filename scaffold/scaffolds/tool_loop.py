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

from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from scaffold.cells import Completion, ToolCall
from scaffold.render import render_string
from scaffold.scaffolds.base import Complete, ScaffoldContext, ScaffoldOutcome, scaffold_kind
from scaffold.scaffolds.tools import ToolSession, Toolbox, build_tools
from scaffold.spec.base import Finding, Loc, ScaffoldBase, Setting, ToolName, tool_problems

SUBMIT = "submit"


class ToolLoopScaffold(ScaffoldBase):
    """A function-calling loop with optional "keep going" nudges (DESIGN 1.3)."""

    kind: Literal["tool_loop"]
    tools: list[ToolName] = Field(default_factory=list)
    max_turns: int = Field(8, ge=1)
    nudge: str | None = None
    max_nudges: int = Field(1, ge=0)

    def template_texts(self) -> list[tuple[Loc, str]]:
        return [(("nudge",), self.nudge)] if self.nudge is not None else []

    def problems(self, setting: Setting) -> list[Finding]:
        return tool_problems(self.tools, setting)


@scaffold_kind(ToolLoopScaffold)
class ToolLoop:
    """Runs the tool_loop rule for one configured scaffold."""

    def __init__(self, spec: ToolLoopScaffold):
        self.spec = spec

    def toolbox(self, root: Path) -> Toolbox:
        """The listed tools plus `submit`, for the library at `root` (built once per library)."""
        return build_tools([*self.spec.tools, SUBMIT], root)

    async def run(
        self, messages: list[dict[str, Any]], complete: Complete, context: ScaffoldContext
    ) -> ScaffoldOutcome:
        session = self.toolbox(context.root).session(context)
        definitions = session.definitions()
        conversation = list(messages)
        nudges = 0
        turns = 0
        last: Completion | None = None
        while turns < self.spec.max_turns:
            last = await complete(list(conversation), tools=definitions)
            turns += 1
            conversation.append(last.to_message())
            if last.tool_calls:
                answer = await self._run_calls(last.tool_calls, session, conversation)
                if answer is not None:
                    return self._outcome(answer, conversation, turns, session, nudges)
                continue
            if self._may_nudge(nudges, turns):
                nudge = render_string(self.spec.nudge or "", context.case.vars)
                conversation.append({"role": "user", "content": nudge})
                nudges += 1
                continue
            break
        output = (last.content if last is not None else None) or ""
        return self._outcome(output, conversation, turns, session, nudges)

    def _may_nudge(self, nudges_sent: int, turns: int) -> bool:
        return self.spec.nudge is not None and nudges_sent < self.spec.max_nudges and turns < self.spec.max_turns

    async def _run_calls(
        self, calls: tuple[ToolCall, ...], session: ToolSession, conversation: list[dict[str, Any]]
    ) -> str | None:
        """Run one turn's calls in order, appending each result; the answer if one was submitted."""
        for call in calls:
            result = await session.call(call.name, call.arguments)
            conversation.append({"role": "tool", "tool_call_id": call.id, "content": result.content})
            if call.name == SUBMIT and result.ok:
                return result.content
        return None

    @staticmethod
    def _outcome(
        output: str, conversation: list[dict[str, Any]], turns: int, session: ToolSession, nudges: int
    ) -> ScaffoldOutcome:
        return ScaffoldOutcome(
            output=output, transcript=conversation, turns=turns, tool_calls=dict(session.calls), nudges=nudges
        )
