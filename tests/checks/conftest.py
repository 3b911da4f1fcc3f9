"""Helpers for check tests: specs are written as in an experiment's `checks:` list and graded
through `grade`, the path the engine takes."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Awaitable, Callable

import pytest
from pydantic import TypeAdapter

from scaffold.cells import CheckResult, Usage
from scaffold.checks import CheckContext, CheckError, build_check, grade
from scaffold.spec.checks import CheckSpec
from scaffold.spec.resolved import Case

HOOKS_ROOT = Path(__file__).resolve().parent.parent / "fixtures" / "hooks"
"""A library folder holding `python` check modules."""

CHECK_SPEC: TypeAdapter[CheckSpec] = TypeAdapter(CheckSpec)

RunCheck = Callable[..., Awaitable[CheckResult]]
BrokenCheck = Callable[..., Awaitable[CheckError]]


def make_context(
    expected: Any = None,
    vars: dict[str, Any] | None = None,
    case_id: str = "c1",
    usage: Usage = Usage(),
    **fields: Any,
) -> CheckContext:
    """A context for a case with these vars and expected answer; `fields` set the rest."""
    case = Case(id=case_id, vars=vars or {}, expected=expected)
    return CheckContext(case=case, usage=usage, **fields)


@pytest.fixture
def run_check() -> RunCheck:
    """`await run_check(raw_spec, output, expected=..., vars=..., ...)`: one check's result."""

    async def run(raw: dict[str, Any], output: str, **context_fields: Any) -> CheckResult:
        spec = CHECK_SPEC.validate_python(raw)
        results, _, _ = await grade([build_check(spec)], [spec], output, make_context(**context_fields), None)
        return results[0]

    return run


@pytest.fixture
def broken_check(run_check: RunCheck) -> BrokenCheck:
    """`await broken_check(raw_spec, output, ...)`: the CheckError of a check that cannot grade
    (the test fails when the check grades instead)."""

    async def run(raw: dict[str, Any], output: str, **context_fields: Any) -> CheckError:
        with pytest.raises(CheckError) as raised:
            await run_check(raw, output, **context_fields)
        return raised.value

    return run


@pytest.fixture
def context_for() -> Callable[..., CheckContext]:
    """`context_for(expected=..., vars=..., usage=..., tool_calls=...)`: a CheckContext."""
    return make_context


@pytest.fixture
def hooks_root() -> Path:
    """The fixture library whose modules `python` checks import."""
    return HOOKS_ROOT
