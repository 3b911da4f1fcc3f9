"""promptfoo assertions as scaffold checks, where a verifiable equivalent exists.

Mapped: `equals`, `contains`, `icontains`, `regex`, `starts-with`, `contains-any`,
`icontains-any`, `contains-all`, `icontains-all`, `not-contains`, `is-json` and
`contains-json` (with a schema when the value is one). Everything else (`javascript`,
`python`, `llm-rubric`, similarity metrics, cost and latency) has no verifiable equivalent
and is reported, never guessed at. `is-json` becomes `json`, which also accepts JSON inside
a fenced block or surrounding text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

CheckDict = dict[str, Any]
"""A check in the shorthand an experiment file holds: `{contains: "x", weight: 0.5}`."""

_TEXT_TYPES = {"equals": "equals", "contains": "contains", "icontains": "icontains", "regex": "regex",
               "not-contains": "not_contains"}
_CSV_PREFIXES = ("not-contains", "icontains", "contains", "regex", "equals", "starts-with", "is-json",
                 "contains-json", "javascript", "python", "llm-rubric", "grade", "fn", "eval")


@dataclass(frozen=True)
class MappedAssertion:
    """The checks one assertion became, or why it became none."""

    checks: tuple[CheckDict, ...] = ()
    reason: str | None = None


def _is_template(text: str) -> bool:
    return "{{" in text or "{%" in text


def _values(value: Any) -> list[str] | None:
    if isinstance(value, list) and value and all(isinstance(item, (str, int, float)) for item in value):
        return [str(item) for item in value]
    return None


def _any_pattern(values: list[str]) -> str:
    return "(?:" + "|".join(re.escape(value) for value in values) + ")"


def map_assertion(assertion: Any) -> MappedAssertion:
    """The scaffold checks of one promptfoo assertion (`{type, value, weight, ...}`)."""
    if not isinstance(assertion, dict) or not isinstance(assertion.get("type"), str):
        return MappedAssertion(reason="an assertion is a mapping with a `type`")
    kind: str = assertion["type"]
    value = assertion.get("value")
    extra: CheckDict = {}
    if "weight" in assertion:
        extra["weight"] = assertion["weight"]
    if kind in _TEXT_TYPES:
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            return MappedAssertion(reason=f"`{kind}` with a non-text value has no scaffold equivalent")
        return MappedAssertion(({_TEXT_TYPES[kind]: str(value), **extra},))
    if kind == "starts-with" and isinstance(value, str) and not _is_template(value):
        return MappedAssertion(({"regex": r"\A\s*" + re.escape(value), **extra},))
    if kind in ("contains-any", "icontains-any"):
        values = _values(value)
        if values is None or any(_is_template(item) for item in values):
            return MappedAssertion(reason=f"`{kind}` needs a list of plain strings to map")
        check: CheckDict = {"regex": _any_pattern(values), **extra}
        if kind == "icontains-any":
            check["ignore_case"] = True
        return MappedAssertion((check,))
    if kind in ("contains-all", "icontains-all"):
        values = _values(value)
        if values is None:
            return MappedAssertion(reason=f"`{kind}` needs a list of strings to map")
        single = "contains" if kind == "contains-all" else "icontains"
        return MappedAssertion(tuple({single: item, **extra} for item in values))
    if kind in ("is-json", "contains-json"):
        if value is None:
            return MappedAssertion(({"json": True, **extra},))
        if isinstance(value, dict):
            return MappedAssertion(({"json": True, "schema": value, **extra},))
        return MappedAssertion(reason=f"`{kind}` with a schema from a file is not carried over")
    return MappedAssertion(reason=f"`{kind}` has no verifiable scaffold check")


def csv_assertion(text: str) -> dict[str, Any]:
    """A CSV `__expected` cell as an assertion: `icontains: x`, `is-json`, or a plain value (equals)."""
    stripped = text.strip()
    for prefix in _CSV_PREFIXES:
        if stripped == prefix:
            return {"type": prefix}
        if stripped.startswith(prefix + ":"):
            kind = {"grade": "llm-rubric", "fn": "javascript", "eval": "javascript"}.get(prefix, prefix)
            return {"type": kind, "value": stripped[len(prefix) + 1 :].strip()}
    return {"type": "equals", "value": text}


def value_key(check: CheckDict) -> str | None:
    """The key of a check's text value (`contains`, `regex`, ...), None for `json`."""
    for key in ("equals", "contains", "icontains", "regex", "not_contains"):
        if key in check:
            return key
    return None
