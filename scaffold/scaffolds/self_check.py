"""`self_check`: answer, then `rounds` times critique the answer and revise it.

The conversation, in one thread: the rendered messages → answer; then per round the
critique prompt (user) → critique (assistant), the revise prompt (user) → revised answer
(assistant). The output is the last revision. Both prompts are templates rendered with
the case's vars, like the variant's messages. `turns` is the number of model calls,
`1 + 2 * rounds`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from scaffold.render import render_string
from scaffold.scaffolds.base import Complete, ScaffoldContext, ScaffoldOutcome, scaffold_kind
from scaffold.spec.base import Loc, ScaffoldBase

DEFAULT_CRITIQUE = (
    "Review your previous answer for mistakes. List any errors you find, or say it is correct."
)
DEFAULT_REVISE = "Now give your final answer, corrected if needed, in the same format as asked."


class SelfCheckScaffold(ScaffoldBase):
    """Answer, then `rounds` of critique and revision."""

    kind: Literal["self_check"]
    rounds: int = Field(1, ge=1)
    critique_prompt: str = DEFAULT_CRITIQUE
    revise_prompt: str = DEFAULT_REVISE

    def template_texts(self) -> list[tuple[Loc, str]]:
        return [(("critique_prompt",), self.critique_prompt), (("revise_prompt",), self.revise_prompt)]


@scaffold_kind(SelfCheckScaffold)
class SelfCheck:
    """Runs answer → (critique → revise) × rounds for one configured scaffold."""

    def __init__(self, spec: SelfCheckScaffold):
        self.spec = spec

    async def run(
        self, messages: list[dict[str, Any]], complete: Complete, context: ScaffoldContext
    ) -> ScaffoldOutcome:
        critique_prompt = render_string(self.spec.critique_prompt, context.case.vars)
        revise_prompt = render_string(self.spec.revise_prompt, context.case.vars)
        conversation = list(messages)
        answer = await complete(list(conversation))
        conversation.append(answer.to_message())
        for _ in range(self.spec.rounds):
            conversation.append({"role": "user", "content": critique_prompt})
            critique = await complete(list(conversation))
            conversation.append(critique.to_message())
            conversation.append({"role": "user", "content": revise_prompt})
            answer = await complete(list(conversation))
            conversation.append(answer.to_message())
        return ScaffoldOutcome(
            output=answer.content or "", transcript=conversation, turns=1 + 2 * self.spec.rounds
        )
