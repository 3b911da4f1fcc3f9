"""Text checks: `equals`, `contains`, `icontains`, `not_contains`, `regex`."""

from __future__ import annotations

import re
from functools import lru_cache

from scaffold.cells import CheckResult
from scaffold.checks.base import CheckContext
from scaffold.checks.common import CheckFailure, SpecCheck, quote, render_text
from scaffold.spec.checks import ContainsCheck, EqualsCheck, IContainsCheck, NotContainsCheck, RegexCheck


class Equals(SpecCheck[EqualsCheck]):
    """The output, stripped of surrounding white space, equals the value (stripped too)."""

    async def grade(self, output: str, context: CheckContext) -> CheckResult:
        expected = render_text(self.spec.value, context).strip()
        actual = output.strip()
        if actual == expected:
            return self.result(True, f"output equals {quote(expected)}")
        return self.result(False, f"expected {quote(expected)}, got {quote(actual)}")


class Contains(SpecCheck[ContainsCheck]):
    """The value appears in the output, case and all."""

    async def grade(self, output: str, context: CheckContext) -> CheckResult:
        expected = render_text(self.spec.value, context)
        if expected in output:
            return self.result(True, f"found {quote(expected)}")
        return self.result(False, f"expected {quote(expected)} in output")


class IContains(SpecCheck[IContainsCheck]):
    """The value appears in the output, ignoring case."""

    async def grade(self, output: str, context: CheckContext) -> CheckResult:
        expected = render_text(self.spec.value, context)
        if expected.casefold() in output.casefold():
            return self.result(True, f"found {quote(expected)} (any case)")
        return self.result(False, f"expected {quote(expected)} in output (any case)")


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
