"""The check shapes of DESIGN 1.4, as written in an experiment's `checks:` list.

A check is written either in shorthand, with its type as the one key that names it
(`- contains: "{{ expected }}"`, `- {regex: "...", weight: 0}`), or in long form with
`type:` and `value:`. String values are Jinja2 templates rendered with the case's vars
plus `expected` and `id` when the check runs.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

from scaffold.spec.base import Strict
from scaffold.spec.errors import did_you_mean


class CheckBase(Strict):
    """Fields every check accepts."""

    name: str | None = None
    """How the check is shown in results; defaults to its type."""
    weight: float = Field(1.0, ge=0)
    """Weight in the cell's score; a check with weight 0 is reported but not required."""
    threshold: float | None = Field(None, ge=0, le=1)
    """For scored checks (set, python, judge): pass when the score reaches this (default 1; judge 0.5)."""


class EqualsCheck(CheckBase):
    type: Literal["equals"]
    value: str
    """The whole output, stripped of surrounding white space, must equal this."""


class ContainsCheck(CheckBase):
    type: Literal["contains"]
    value: str


class IContainsCheck(CheckBase):
    type: Literal["icontains"]
    value: str


class NotContainsCheck(CheckBase):
    type: Literal["not_contains"]
    value: str


class RegexCheck(CheckBase):
    type: Literal["regex"]
    value: str
    ignore_case: bool = False


class NumberCheck(CheckBase):
    type: Literal["number"]
    value: str | float
    """The expected number; the last number in the output (or after `marker`) is compared."""
    tolerance: float = Field(0.0, ge=0)
    marker: str | None = None


class JsonCheck(CheckBase):
    type: Literal["json"]
    value: bool = True
    """`json: true`: the output (or its first fenced/braced JSON block) must parse."""
    json_schema: dict[str, Any] | None = Field(None, alias="schema")


class XmlTagCheck(CheckBase):
    type: Literal["xml_tag"]
    value: str
    """The tag name; the text inside the last `<tag>...</tag>` is what the inner check sees."""
    check: "CheckSpec | None" = None


class SetCheck(CheckBase):
    type: Literal["set"]
    value: str | list[Any]
    """Expected items: a list, or a template that renders to a list or a comma-separated string."""
    marker: str = "Final Answer:"


class ToolCalledCheck(CheckBase):
    type: Literal["tool_called"]
    value: str
    """The tool's name."""
    min: int = Field(1, ge=0)
    max: int | None = Field(None, ge=0)


class MaxTokensCheck(CheckBase):
    type: Literal["max_tokens"]
    value: int = Field(ge=1)
    """The cell may use at most this many tokens in total."""


class PythonCheck(CheckBase):
    type: Literal["python"]
    value: str = Field(pattern=r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")
    """`module:function(output, case) -> bool | float`, imported from the library folder."""


class JudgeCheck(CheckBase):
    type: Literal["judge"]
    value: str
    """The rubric the judge model grades against."""
    model: str | None = None
    """The judge model; defaults to the experiment's `judge_model`."""


CHECK_TYPES: dict[str, type[CheckBase]] = {
    model.model_fields["type"].annotation.__args__[0]: model  # type: ignore[union-attr]
    for model in (
        EqualsCheck, ContainsCheck, IContainsCheck, NotContainsCheck, RegexCheck, NumberCheck,
        JsonCheck, XmlTagCheck, SetCheck, ToolCalledCheck, MaxTokensCheck, PythonCheck, JudgeCheck,
    )
}


def _normalise(raw: Any) -> Any:
    """Accept the shorthand and long forms; `- equals: 42` means the text "42"."""
    if isinstance(raw, str):
        raise PydanticCustomError(
            "check_shape", "a check is a mapping such as `contains: \"text\"`, not a plain string"
        )
    if not isinstance(raw, dict):
        return raw
    if "type" in raw:
        if raw["type"] not in CHECK_TYPES:
            hint = did_you_mean(str(raw["type"]), CHECK_TYPES)
            raise PydanticCustomError(
                "unknown_check", "unknown check type '{name}'{hint}", {"name": raw["type"], "hint": hint}
            )
    else:
        raw = _from_shorthand(raw)
    value = raw.get("value")
    if raw["type"] in _TEXT_VALUED and isinstance(value, (int, float)) and not isinstance(value, bool):
        raw = {**raw, "value": str(value)}
    return raw


_TEXT_VALUED = {"equals", "contains", "icontains", "not_contains", "regex", "xml_tag", "tool_called", "judge"}


def _from_shorthand(raw: dict[Any, Any]) -> dict[Any, Any]:
    """`{contains: "x", weight: 0}` -> `{type: contains, value: "x", weight: 0}`."""
    named = [key for key in raw if key in CHECK_TYPES]
    if len(named) == 1:
        kind = named[0]
        rest = {key: value for key, value in raw.items() if key != kind}
        return {"type": kind, "value": raw[kind], **rest}
    if len(named) > 1:
        raise PydanticCustomError(
            "check_shape", "a check names one type, this one names {names}", {"names": ", ".join(named)}
        )
    common = set(CheckBase.model_fields) | {"schema", "tolerance", "marker", "min", "max", "model", "check"}
    unknown = [str(key) for key in raw if key not in common]
    name = unknown[0] if unknown else "?"
    raise PydanticCustomError(
        "unknown_check",
        "unknown check type '{name}'{hint}",
        {"name": name, "hint": did_you_mean(name, CHECK_TYPES)},
    )


CheckSpec = Annotated[
    Union[
        EqualsCheck, ContainsCheck, IContainsCheck, NotContainsCheck, RegexCheck, NumberCheck,
        JsonCheck, XmlTagCheck, SetCheck, ToolCalledCheck, MaxTokensCheck, PythonCheck, JudgeCheck,
    ],
    Field(discriminator="type"),
    BeforeValidator(_normalise),
]

XmlTagCheck.model_rebuild()
