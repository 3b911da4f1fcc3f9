"""The `python` check: the user's own function grades the output.

`python: module:function` names `function(output: str, case: Case)` in a module of the
library folder (`grading.py` next to `prompts/`, or a package such as `hooks/text.py` as
`hooks.text:function`). `case` is the `scaffold.spec.resolved.Case` being graded (`.vars`,
`.expected`, `.id`). The function may be async. It returns one of:

- a bool: pass or fail (score 1 or 0);
- a number in [0, 1]: the score; it passes when the score reaches the check's `threshold`
  (default 1.0);
- a dict `{"score": float, "passed": bool, "reason": str}`, every key optional: a missing
  `passed` is decided from `score` and `threshold`, a missing `score` is 1 for a pass and 0
  for a fail.

A hook that does not import, raises, or returns anything else makes the cell an error
(`error_type: "check"`), never a fail: the grader is broken, not the model.

A check type from an installed package (entry point group `scaffold.checks`) is graded the
same way: `function(output, case, value, **options)`, see `PluginHook`.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from scaffold.checks.base import CheckContext
from scaffold.checks.common import CheckFailure, SpecCheck, check_type, quote, render_text
from scaffold.registry import REGISTRY, PluginError
from scaffold.spec.base import ENTRY_PATTERN, CheckBase, Finding, Setting, hook_problems
from scaffold.user_code import UserCodeError, UserFunction, load_function

if TYPE_CHECKING:
    from scaffold.cells import CheckResult


class PythonCheck(CheckBase):
    type: Literal["python"]
    value: str = Field(pattern=ENTRY_PATTERN)
    """`module:function(output, case) -> bool | float`, imported from the library folder."""

    def template_texts(self) -> list[tuple[tuple[str | int, ...], str]]:
        return []

    def problems(self, setting: Setting) -> list[Finding]:
        """The module imports and the function can be called as `function(output, case)`."""
        found = hook_problems(self.value, setting, 2, "function(output, case)")
        return [(("value", *loc), message) for loc, message in found]


def load_hook(root: Path, ref: str) -> UserFunction:
    """The function `module:function` from the library at `root`, imported once.

    Raises CheckFailure("cannot import module:function: ...") when it cannot be loaded."""
    try:
        return load_function(root, ref)
    except UserCodeError as error:
        raise CheckFailure(str(error)) from None


class VerdictCheck(SpecCheck[Any]):
    """A check whose verdict comes from a function: a bool, a score or a dict (module docstring)."""

    label: str = "hook"
    """How reasons name the function."""

    async def call(self, output: str, context: CheckContext) -> Any:
        raise NotImplementedError

    async def grade(self, output: str, context: CheckContext) -> CheckResult:
        verdict = await self.call(output, context)
        if inspect.isawaitable(verdict):
            verdict = await verdict
        return self.verdict_result(verdict)

    def verdict_result(self, verdict: Any) -> CheckResult:
        """The result for what the hook returned."""
        threshold = 1.0 if self.spec.threshold is None else self.spec.threshold
        if isinstance(verdict, bool):
            return self.result(verdict, f"{self.label} returned {verdict}")
        if isinstance(verdict, (int, float)):
            score = self.checked_score(verdict)
            return self.result(score >= threshold, f"score {score:g} (pass ≥ {threshold:g})", score)
        if isinstance(verdict, dict):
            unknown = set(verdict) - {"score", "passed", "reason"}
            if unknown:
                raise CheckFailure(f"{self.label} returned unknown keys: {', '.join(sorted(map(str, unknown)))}")
            passed = verdict.get("passed")
            score = verdict.get("score")
            if score is None:
                if passed is None:
                    raise CheckFailure(f"{self.label} returned a dict without score or passed")
                score = float(bool(passed))
            score = self.checked_score(score)
            if passed is None:
                passed = score >= threshold
            reason = verdict.get("reason") or f"score {score:g}"
            return self.result(bool(passed), str(reason), score)
        raise CheckFailure(
            f"{self.label} returned {quote(repr(verdict), 30)}, expected a bool, a number or a dict"
        )

    def checked_score(self, score: Any) -> float:
        """`score` as a float in [0, 1]; a hook returning anything else is a failure to grade."""
        if isinstance(score, bool) or not isinstance(score, (int, float)) or not 0.0 <= score <= 1.0:
            raise CheckFailure(f"{self.label} returned score {quote(repr(score), 30)}, expected 0..1")
        return float(score)


@check_type(PythonCheck)
class PythonHook(VerdictCheck):
    """Calls the user's `module:function(output, case)` from the library folder."""

    def __init__(self, spec: PythonCheck) -> None:
        super().__init__(spec)
        self.label = spec.value

    async def call(self, output: str, context: CheckContext) -> Any:
        return load_hook(context.root, self.spec.value)(output, context.case)


class PluginHook(VerdictCheck):
    """A check type from an installed package: `function(output, case, value, **options)`,
    a string value rendered with the case first."""

    def __init__(self, spec: Any) -> None:
        super().__init__(spec)
        self.label = spec.type

    async def call(self, output: str, context: CheckContext) -> Any:
        try:
            function = REGISTRY.load("check", self.spec.type)
        except PluginError as error:
            raise CheckFailure(str(error)) from None
        value = self.spec.value
        if isinstance(value, str):
            value = render_text(value, context)
        return function(output, context.case, value, **self.spec.options)
