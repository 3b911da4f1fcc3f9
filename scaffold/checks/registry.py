"""Which class implements each check type: adding a check is one module and one line here."""

from __future__ import annotations

from typing import Any, Sequence

from scaffold.checks.base import Check
from scaffold.checks.common import SpecCheck
from scaffold.checks.judge import Judge
from scaffold.checks.numbers import Number
from scaffold.checks.python_hook import PythonHook
from scaffold.checks.sets import SetMatch
from scaffold.checks.structured import Json, XmlTag
from scaffold.checks.text import Contains, Equals, IContains, NotContains, Regex
from scaffold.checks.usage import MaxTokens, ToolCalled
from scaffold.spec.checks import CheckSpec

CHECK_CLASSES: dict[str, type[SpecCheck[Any]]] = {
    "equals": Equals,
    "contains": Contains,
    "icontains": IContains,
    "not_contains": NotContains,
    "regex": Regex,
    "number": Number,
    "json": Json,
    "xml_tag": XmlTag,
    "set": SetMatch,
    "tool_called": ToolCalled,
    "max_tokens": MaxTokens,
    "python": PythonHook,
    "judge": Judge,
}
"""Check type (the `type:` of a spec) -> the class built from that spec."""


def build_check(spec: CheckSpec) -> Check:
    """The check a spec configures. Building is cheap and never fails on the user's values:
    a bad regex, a missing template variable or a hook that cannot be imported show when the
    check grades, as a `CheckError` (the cell is an error, not a fail)."""
    return CHECK_CLASSES[spec.type](spec)


def build_checks(specs: Sequence[CheckSpec]) -> tuple[Check, ...]:
    """The checks of an experiment, built once and reused for every cell."""
    return tuple(build_check(spec) for spec in specs)
