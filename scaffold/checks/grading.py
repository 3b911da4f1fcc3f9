"""Grading one cell: run every check, then fold the results into the cell's score and verdict."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from scaffold.cells import CheckResult
from scaffold.checks.base import Check, CheckContext
from scaffold.checks.common import CheckFailure, check_name, clip
from scaffold.providers.base import ProviderError

if TYPE_CHECKING:  # the check modules are discovered while the union is built
    from scaffold.spec.checks import CheckSpec

SCORE_EPSILON = 1e-9
"""Slack for comparing a weighted mean with a threshold (0.1 + 0.2 reaches 0.3)."""


async def grade_check(check: Check, spec: CheckSpec, output: str, context: CheckContext) -> CheckResult:
    """One check's result. A check that raises (a bad regex, a missing template variable, a
    hook that raises) fails with the error as its reason instead of ending the cell.

    A ProviderError (the judge model's call failed after retries) is not the candidate's
    fault: it propagates, so the engine records the cell as an error rather than a fail."""
    try:
        return await check.grade(output, context)
    except ProviderError:
        raise
    except CheckFailure as failure:
        reason = str(failure)
    except Exception as error:  # any fault in grading one check stays in that check's result
        reason = f"{type(error).__name__}: {error}"
    return CheckResult(check_name(spec), spec.type, False, 0.0, spec.weight, clip(reason))


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
    and whether it passes (see `cell_score` and `cell_passed`).

    `checks` are built once per experiment (`build_checks(specs)`) and paired with `specs`
    by position. Checks run one after the other: most are microseconds, and cells already
    run concurrently."""
    if len(checks) != len(specs):
        raise ValueError(f"{len(checks)} checks for {len(specs)} specs")
    results = tuple([await grade_check(check, spec, output, context) for check, spec in zip(checks, specs)])
    score = cell_score(results)
    return results, score, cell_passed(results, score, threshold)
