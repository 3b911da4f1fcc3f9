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
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

from scaffold.cells import CheckResult
from scaffold.checks.base import CheckContext
from scaffold.checks.common import CheckFailure, SpecCheck, quote
from scaffold.spec.checks import PythonCheck
from scaffold.user_code import UserCodeError, UserFunction, load_function

def load_hook(root: Path, ref: str) -> UserFunction:
    """The function `module:function` from the library at `root`, imported once.

    Raises CheckFailure("cannot import module:function: ...") when it cannot be loaded."""
    try:
        return load_function(root, ref)
    except UserCodeError as error:
        raise CheckFailure(str(error)) from None


class PythonHook(SpecCheck[PythonCheck]):
    """Calls the user's function (see the module docstring for what it may return)."""

    async def grade(self, output: str, context: CheckContext) -> CheckResult:
        function = load_hook(context.root, self.spec.value)
        verdict = function(output, context.case)
        if inspect.isawaitable(verdict):
            verdict = await verdict
        return self.verdict_result(verdict)

    def verdict_result(self, verdict: Any) -> CheckResult:
        """The result for what the hook returned."""
        threshold = 1.0 if self.spec.threshold is None else self.spec.threshold
        if isinstance(verdict, bool):
            return self.result(verdict, f"{self.spec.value} returned {verdict}")
        if isinstance(verdict, (int, float)):
            score = self.checked_score(verdict)
            return self.result(score >= threshold, f"score {score:g} (pass ≥ {threshold:g})", score)
        if isinstance(verdict, dict):
            unknown = set(verdict) - {"score", "passed", "reason"}
            if unknown:
                raise CheckFailure(f"{self.spec.value} returned unknown keys: {', '.join(sorted(map(str, unknown)))}")
            passed = verdict.get("passed")
            score = verdict.get("score")
            if score is None:
                if passed is None:
                    raise CheckFailure(f"{self.spec.value} returned a dict without score or passed")
                score = float(bool(passed))
            score = self.checked_score(score)
            if passed is None:
                passed = score >= threshold
            reason = verdict.get("reason") or f"score {score:g}"
            return self.result(bool(passed), str(reason), score)
        raise CheckFailure(
            f"{self.spec.value} returned {quote(repr(verdict), 30)}, expected a bool, a number or a dict"
        )

    def checked_score(self, score: Any) -> float:
        """`score` as a float in [0, 1]; a hook returning anything else is a failure to grade."""
        if isinstance(score, bool) or not isinstance(score, (int, float)) or not 0.0 <= score <= 1.0:
            raise CheckFailure(f"{self.spec.value} returned score {quote(repr(score), 30)}, expected 0..1")
        return float(score)
