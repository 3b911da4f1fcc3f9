"""Checks: grade a cell's output (DESIGN 1.4).

One module per family (`text`, `numbers`, `structured`, `sets`, `usage`, `python_hook`,
`judge`); each declares its check types' YAML models, their behaviour and their
registration together (docs/plugins.md). `grading` folds the results of one cell into its
score and verdict. Names below load on first use, so that the spec layer can discover the
check modules without importing the grading.
"""

from __future__ import annotations

from scaffold.lazy_exports import lazy_exports

_EXPORTS: dict[str, str] = {
    "Check": "scaffold.checks.base",
    "CheckContext": "scaffold.checks.base",
    "JudgeComplete": "scaffold.checks.base",
    "CheckError": "scaffold.checks.grading",
    "CheckFailure": "scaffold.checks.common",
    "build_check": "scaffold.checks.common",
    "build_checks": "scaffold.checks.common",
    "check_name": "scaffold.checks.common",
    "cell_passed": "scaffold.checks.grading",
    "cell_score": "scaffold.checks.grading",
    "grade": "scaffold.checks.grading",
    "grade_check": "scaffold.checks.grading",
}

__getattr__ = lazy_exports(__name__, _EXPORTS)

__all__ = sorted(_EXPORTS)
