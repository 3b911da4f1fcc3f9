"""`single`: one completion; its text is the answer."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from scaffold.scaffolds.base import Complete, ScaffoldContext, ScaffoldOutcome, scaffold_kind
from scaffold.spec.base import ScaffoldBase


class SingleScaffold(ScaffoldBase):
    """One completion."""

    kind: Literal["single"]


@scaffold_kind(SingleScaffold)
class SingleCall:
    """The default scaffold: send the rendered messages once."""

    single_call: ClassVar[bool] = True
    """One call whose answer nothing else depends on: batch mode may send it (engine/batch.py)."""

    def __init__(self, spec: SingleScaffold):
        self.spec = spec

    async def run(
        self, messages: list[dict[str, Any]], complete: Complete, context: ScaffoldContext
    ) -> ScaffoldOutcome:
        completion = await complete(messages)
        return ScaffoldOutcome(
            output=completion.content or "",
            transcript=[*messages, completion.to_message()],
            turns=1,
        )
