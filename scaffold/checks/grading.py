"""Grading one cell: run every check, then fold the results into the cell's score and verdict.

A check that cannot grade is an error of the cell (`CheckError`), never a fail: a broken
grader must not read as a model that fails every case.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from scaffold.checks.base import Check, CheckContext
from scaffold.checks.common import CheckFailure, check_name, clip, quote

if TYPE_CHECKING:  # the check modules are discovered while the union is built
    from scaffold.cells import CheckResult
    from scaffold.spec.checks import CheckSpec

SCORE_EPSILON = 1e-9
"""Slack for comparing a weighted mean with a threshold (0.1 + 0.2 reaches 0.3)."""

CAUSE_LIMIT = 300
"""A check error's cause is one line, cut to this many characters."""


class CheckError(Exception):
    """A check could not grade the cell: its pattern or schema does not compile, a template
    variable is missing, its hook does not import, raises or returns something unreadable.

    That is the configuration's fault, not the model's: the engine records the cell as an
    error (`error_type: "check"`), never as a fail, and stops a run whose check keeps breaking."""

    def __init__(self, index: int, check: str, cause: str):
        super().__init__(f"check {quote(check, 60)} cannot run: {cause}")
        self.index = index
        """The check's position in the experiment's `checks` (the one `specs` given to `grade`)."""
        self.check = check
        """The check's name as shown in results."""
        self.cause = cause
        """What went wrong, in one line."""


async def grade_check(
    check: Check, spec: CheckSpec, output: str, context: CheckContext, index: int = 0
) -> CheckResult:
    """One check's result, pass or fail. A check that cannot grade raises `CheckError`
    (`index` is the check's position, carried on the error).

    A ProviderError (the judge model's call failed after retries) is not the check's fault
    either: it propagates as it is, so the engine records a provider error; so does a
    HarnessFault (the calls' machinery failed), which stops the run."""
    try:
        return await check.grade(output, context)
    except CheckFailure as failure:
        cause = str(failure)
    except Exception as error:  # whatever breaks inside a check is that check's error
        # Imported here, not at the top: the registry imports this module to discover the
        # check types, and validate needs none of the engine's calls.
        from scaffold.providers.base import HarnessFault, ProviderError

        if isinstance(error, (ProviderError, HarnessFault)):
            raise
        cause = f"{type(error).__name__}: {error}"
    raise CheckError(index, check_name(spec), clip(cause, CAUSE_LIMIT))


def cell_score(results: Sequence[CheckResult]) -> float:
    """The weighted mean of the scores of checks with weight > 0; 1.0 when there are none
    (a cell with nothing required of it passes)."""
    total_weight = sum(result.weight for result in results if result.weight > 0)
    if total_weight == 0:
        return 1.0
    return sum(result.score * result.weight for result in results if result.weight > 0) / total_weight


def cell_passed(results: Sequence[CheckResult], score: float, threshold: float | None) -> bool:
    """Every check with weight > 0 passed; or, when the experiment sets `threshold`, the
    cell's score reaches it (then single checks may fail)."""
    if threshold is not None:
        return score >= threshold - SCORE_EPSILON
    return all(result.passed for result in results if result.weight > 0)


async def grade(
    checks: Sequence[Check],
    specs: Sequence[CheckSpec],
    output: str,
    context: CheckContext,
    threshold: float | None,
) -> tuple[tuple[CheckResult, ...], float, bool]:
    """Grade one cell's output: each check's result (in the order given), the cell's score
    and whether it passes (see `cell_score` and `cell_passed`). Raises `CheckError` for the
    first check that cannot grade: then the cell has no verdict.

    `checks` are built once per experiment (`build_checks(specs)`) and paired with `specs`
    by position. Checks run one after the other: most are microseconds, and cells already
    run concurrently."""
    if len(checks) != len(specs):
        raise ValueError(f"{len(checks)} checks for {len(specs)} specs")
    results = tuple(
        [await grade_check(check, spec, output, context, index) for index, (check, spec) in enumerate(zip(checks, specs))]
    )
    score = cell_score(results)
    return results, score, cell_passed(results, score, threshold)
