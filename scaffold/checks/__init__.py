"""Checks: grade a cell's output (DESIGN 1.4).

One module per family (`text`, `numbers`, `structured`, `sets`, `usage`, `python_hook`,
`judge`); `registry` maps each check type to its class; `grading` folds the results of
one cell into its score and verdict.
"""

from scaffold.checks.base import Check, CheckContext, JudgeComplete
from scaffold.checks.common import CheckFailure, check_name
from scaffold.checks.grading import CheckError, cell_passed, cell_score, grade, grade_check
from scaffold.checks.registry import CHECK_CLASSES, build_check, build_checks

__all__ = [
    "CHECK_CLASSES",
    "Check",
    "CheckContext",
    "CheckError",
    "CheckFailure",
    "JudgeComplete",
    "build_check",
    "build_checks",
    "cell_passed",
    "cell_score",
    "check_name",
    "grade",
    "grade_check",
]
