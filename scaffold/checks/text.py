"""Text checks: `equals`, `contains`, `icontains`, `not_contains`, `regex`."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from scaffold.checks.base import CheckContext
from scaffold.checks.common import CheckFailure, SpecCheck, check_type, quote, render_text, rendered_for_cases
from scaffold.spec.base import CheckBase, Finding, Setting

if TYPE_CHECKING:
    from scaffold.cells import CheckResult


class EqualsCheck(CheckBase):
    type: Literal["equals"]
    value: str
    """The whole output, stripped of surrounding white space, must equal this."""


class ContainsCheck(CheckBase):
    type: Literal["contains"]
    value: str


class IContainsCheck(CheckBase):
    type: Literal["icontains"]
    value: str


class NotContainsCheck(CheckBase):
    type: Literal["not_contains"]
    value: str


class RegexCheck(CheckBase):
    type: Literal["regex"]
    value: str
    ignore_case: bool = False

    def problems(self, setting: Setting) -> list[Finding]:
        """The pattern compiles, as every case renders it."""
        for pattern, case in rendered_for_cases(self.value, setting.cases):
            try:
                compiled_pattern(pattern, self.ignore_case)
            except re.error as error:
                where = f" (as case {case} renders it)" if case is not None else ""
                return [(("value",), f"bad regex /{pattern}/{where}: {error}")]
        return []


@check_type(EqualsCheck)
class Equals(SpecCheck[EqualsCheck]):
    """The output, stripped of surrounding white space, equals the value (stripped too)."""

    async def grade(self, output: str, context: CheckContext) -> CheckResult:
        expected = render_text(self.spec.value, context).strip()
        actual = output.strip()
        if actual == expected:
            return self.result(True, f"output equals {quote(expected)}")
        return self.result(False, f"expected {quote(expected)}, got {quote(actual)}")


@check_type(ContainsCheck)
class Contains(SpecCheck[ContainsCheck]):
    """The value appears in the output, case and all."""

    async def grade(self, output: str, context: CheckContext) -> CheckResult:
        expected = render_text(self.spec.value, context)
        if expected in output:
            return self.result(True, f"found {quote(expected)}")
        return self.result(False, f"expected {quote(expected)} in output")


@check_type(IContainsCheck)
class IContains(SpecCheck[IContainsCheck]):
    """The value appears in the output, ignoring case."""

    async def grade(self, output: str, context: CheckContext) -> CheckResult:
        expected = render_text(self.spec.value, context)
        if expected.casefold() in output.casefold():
            return self.result(True, f"found {quote(expected)} (any case)")
        return self.result(False, f"expected {quote(expected)} in output (any case)")


@check_type(NotContainsCheck)
class NotContains(SpecCheck[NotContainsCheck]):
    """The value does not appear in the output."""

    async def grade(self, output: str, context: CheckContext) -> CheckResult:
        forbidden = render_text(self.spec.value, context)
        if forbidden in output:
            return self.result(False, f"found {quote(forbidden)} in output")
        return self.result(True, f"no {quote(forbidden)} in output")


@lru_cache(maxsize=1024)
def compiled_pattern(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    """The compiled regex for one rendered pattern; raises re.error for a bad one."""
    return re.compile(pattern, re.IGNORECASE if ignore_case else 0)


@check_type(RegexCheck)
class Regex(SpecCheck[RegexCheck]):
    """The rendered pattern matches somewhere in the output (`re.search`)."""

    async def grade(self, output: str, context: CheckContext) -> CheckResult:
        pattern = render_text(self.spec.value, context)
        try:
            compiled = compiled_pattern(pattern, self.spec.ignore_case)
        except re.error as error:
            raise CheckFailure(f"pattern /{pattern}/ does not compile: {error}") from error
        match = compiled.search(output)
        if match:
            return self.result(True, f"matched {quote(match.group(0))}")
        return self.result(False, f"no match for /{pattern}/")
