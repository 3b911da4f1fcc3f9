"""The `number` check: read a number from the output and compare it within a tolerance."""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from scaffold.checks.base import CheckContext
from scaffold.checks.common import CheckFailure, SpecCheck, check_type, quote, render_text
from scaffold.spec.base import CheckBase

if TYPE_CHECKING:
    from scaffold.cells import CheckResult


class NumberCheck(CheckBase):
    type: Literal["number"]
    value: str | float
    """The expected number; the last number in the output (or after `marker`) is compared."""
    tolerance: float = Field(0.0, ge=0)
    marker: str | None = None

    def template_texts(self) -> list[tuple[tuple[str | int, ...], str]]:
        texts = super().template_texts()
        return texts + ([(("marker",), self.marker)] if self.marker is not None else [])

NUMBER_PATTERN = re.compile(
    r"""
    (?<![\d.])                      # not the tail of a longer number
    (?:(?<![\w)])[-+\u2212])?       # a sign, unless it joins two terms (3-5, x-1)
    (?:
        \d{1,3}(?:,\d{3})+(?!\d)    # 1,234,567 (thousands separators)
      | \d+
      | (?=\.\d)                    # .5
    )
    (?:\.\d+)?
    (?:[eE][-+]?\d+)?               # 1e3, 2.5E-4
    """,
    re.VERBOSE,
)
"""A number as models write it: -3, 1,234, 3.50, .5, 1e3. `1,2` is read as two numbers."""


def parse_number(text: str) -> float:
    """One number as written by `NUMBER_PATTERN` (commas, a Unicode minus) as a float."""
    return float(text.replace(",", "").replace("\u2212", "-"))


def find_numbers(text: str) -> list[str]:
    """Every number in `text`, as written, in order."""
    return [match.group(0) for match in NUMBER_PATTERN.finditer(text)]


def format_number(value: float) -> str:
    """A number for a reason: `42` rather than `42.0`, else Python's shortest form."""
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


@check_type(NumberCheck)
class Number(SpecCheck[NumberCheck]):
    """The last number in the output (or the first after the last `marker`) is the
    expected value within `tolerance` (absolute)."""

    def expected_value(self, context: CheckContext) -> float:
        """The expected number, rendered from the value when it is a template."""
        if isinstance(self.spec.value, (int, float)):
            return float(self.spec.value)
        rendered = render_text(self.spec.value, context).strip()
        written = find_numbers(rendered)
        if written != [rendered]:
            raise CheckFailure(f"expected value {quote(rendered)} is not a number")
        return parse_number(written[0])

    def answer_text(self, output: str, context: CheckContext) -> tuple[str | None, str]:
        """Where the answer is read from and how a reason names that place; no text (and
        the reason why) when the marker is missing."""
        if self.spec.marker is None:
            return output, "output"
        marker = render_text(self.spec.marker, context)
        position = output.rfind(marker)
        if position < 0:
            return None, f"no {quote(marker)} in output"
        return output[position + len(marker):], f"output after {quote(marker)}"

    async def grade(self, output: str, context: CheckContext) -> CheckResult:
        expected = self.expected_value(context)
        text, place = self.answer_text(output, context)
        if text is None:
            return self.result(False, place)
        written = find_numbers(text)
        if not written:
            return self.result(False, f"no number in {place}, expected {format_number(expected)}")
        found = parse_number(written[0] if self.spec.marker is not None else written[-1])
        tolerance = self.spec.tolerance
        within = abs(found - expected) <= tolerance or math.isclose(found, expected, rel_tol=1e-9)
        reason = f"found {format_number(found)}, expected {format_number(expected)} (±{format_number(tolerance)})"
        return self.result(within, reason)
