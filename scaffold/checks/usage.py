"""Checks on how the cell got its answer: `max_tokens` and `tool_called`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field

from scaffold.checks.base import CheckContext
from scaffold.checks.common import SpecCheck, check_type, render_text
from scaffold.spec.base import CheckBase

if TYPE_CHECKING:
    from scaffold.cells import CheckResult


class ToolCalledCheck(CheckBase):
    type: Literal["tool_called"]
    value: str
    """The tool's name."""
    min: int = Field(1, ge=0)
    max: int | None = Field(None, ge=0)


class MaxTokensCheck(CheckBase):
    type: Literal["max_tokens"]
    value: int = Field(ge=1)
    """The cell may use at most this many tokens in total."""


@check_type(MaxTokensCheck)
class MaxTokens(SpecCheck[MaxTokensCheck]):
    """The candidate used at most `value` tokens (input + output) over the whole cell."""

    async def grade(self, output: str, context: CheckContext) -> CheckResult:
        used = context.usage.total
        return self.result(used <= self.spec.value, f"used {used} tokens, max {self.spec.value}")


def count_range(low: int, high: int | None) -> str:
    """`min..max` as a reader says it: `≥ 1`, `0`, `2`, `1..3`."""
    if high is None:
        return f"≥ {low}"
    return str(high) if low == high else f"{low}..{high}"


@check_type(ToolCalledCheck)
class ToolCalled(SpecCheck[ToolCalledCheck]):
    """The tool named by `value` was called between `min` and `max` times (inclusive)."""

    async def grade(self, output: str, context: CheckContext) -> CheckResult:
        tool = render_text(self.spec.value, context).strip()
        count = context.tool_calls.get(tool, 0)
        low, high = self.spec.min, self.spec.max
        within = count >= low and (high is None or count <= high)
        times = "time" if count == 1 else "times"
        return self.result(within, f"{tool} called {count} {times}, expected {count_range(low, high)}")
