"""The `checks:` list of an experiment (DESIGN 1.4), its YAML shape built from the registry.

Each check type's model lives with its behaviour in a module of `scaffold/checks/` and
registers there; `CheckSpec`, the union an experiment validates its checks against, is made
here from every registered built-in plus `PluginCheck`, the one shape every check type of an
installed package shares (its options go to the plugin's function as keyword arguments).

A check is written either in shorthand, with its type as the one key that names it
(`- contains: "{{ expected }}"`, `- {regex: "...", weight: 0}`), or in long form with
`type:` and `value:`. String values are Jinja2 templates rendered with the case's vars
plus `expected` and `id` when the check runs.
"""

from __future__ import annotations

from typing import Annotated, Any, Union

from pydantic import BaseModel, BeforeValidator, Discriminator, Field, Tag
from pydantic_core import PydanticCustomError

from scaffold.registry import REGISTRY
from scaffold.spec.base import CheckBase, Finding, Setting, plugin_problems
from scaffold.spec.errors import did_you_mean


class PluginCheck(CheckBase):
    """A check type added by an installed package (entry point group `scaffold.checks`):
    `function(output, case, value, **options)`, graded like a `python` check."""

    type: str
    value: Any = None
    """Given to the function as its third argument (a string value rendered first)."""
    options: dict[str, Any] = Field(default_factory=dict)
    """Every other key written on the check, given to the function as keyword arguments."""

    def problems(self, setting: Setting) -> list[Finding]:
        return plugin_problems("check", self.type, 3, "function(output, case, value)", **self.options)


PLUGIN_TAG = "(plugin)"
"""The union tag of `PluginCheck`: not a name anyone can register."""

REGISTRY.discover("check")
BUILTIN_CHECKS: dict[str, type[CheckBase]] = {name: entry.spec for name, entry in REGISTRY.builtins("check").items()}
"""Built-in check type -> its model, as registered."""

OPTION_KEYS: frozenset[str] = frozenset(
    info.alias or key for model in BUILTIN_CHECKS.values() for key, info in model.model_fields.items()
) - {"type", "value"}
"""Every key a built-in check may hold besides its type and value."""


def _takes_text(model: type[BaseModel]) -> bool:
    return model.model_fields["value"].annotation is str


_TEXT_VALUED = frozenset(name for name, model in BUILTIN_CHECKS.items() if _takes_text(model))
"""Check types whose value is text: `- equals: 42` means the text "42"."""


def _unknown(name: Any) -> PydanticCustomError:
    hint = did_you_mean(str(name), REGISTRY.names("check"))
    return PydanticCustomError("unknown_check", "unknown check type '{name}'{hint}", {"name": name, "hint": hint})


def _is_plugin(name: Any) -> bool:
    return isinstance(name, str) and name not in BUILTIN_CHECKS and REGISTRY.get("check", name) is not None


def _normalise(raw: Any) -> Any:
    """Accept the shorthand and long forms; gather a plugin check's options."""
    if isinstance(raw, str):
        raise PydanticCustomError(
            "check_shape", "a check is a mapping such as `contains: \"text\"`, not a plain string"
        )
    if not isinstance(raw, dict):
        return raw
    if "type" in raw:
        if raw["type"] not in BUILTIN_CHECKS and not _is_plugin(raw["type"]):
            raise _unknown(raw["type"])
    else:
        raw = _from_shorthand(raw)
    if raw["type"] not in BUILTIN_CHECKS:
        common = set(CheckBase.model_fields) | {"options"}
        options = {key: value for key, value in raw.items() if key not in common}
        return {**{key: value for key, value in raw.items() if key in common}, "options": {**raw.get("options", {}), **options}}
    value = raw.get("value")
    if raw["type"] in _TEXT_VALUED and isinstance(value, (int, float)) and not isinstance(value, bool):
        raw = {**raw, "value": str(value)}
    return raw


def _from_shorthand(raw: dict[Any, Any]) -> dict[Any, Any]:
    """`{contains: "x", weight: 0}` -> `{type: contains, value: "x", weight: 0}`."""
    named = [key for key in raw if key in BUILTIN_CHECKS]
    if not named:
        named = [key for key in raw if key not in OPTION_KEYS and key not in CheckBase.model_fields and _is_plugin(key)]
    if len(named) == 1:
        kind = named[0]
        rest = {key: value for key, value in raw.items() if key != kind}
        return {"type": kind, "value": raw[kind], **rest}
    if len(named) > 1:
        raise PydanticCustomError(
            "check_shape", "a check names one type, this one names {names}", {"names": ", ".join(map(str, named))}
        )
    unknown = [str(key) for key in raw if key not in OPTION_KEYS and key not in CheckBase.model_fields]
    raise _unknown(unknown[0] if unknown else "?")


def _tag(raw: Any) -> str | None:
    kind = raw.get("type") if isinstance(raw, dict) else getattr(raw, "type", None)
    if kind is None:
        return None
    return kind if kind in BUILTIN_CHECKS else PLUGIN_TAG


CheckSpec = Annotated[
    Union[
        tuple(
            [Annotated[model, Tag(name)] for name, model in BUILTIN_CHECKS.items()]
            + [Annotated[PluginCheck, Tag(PLUGIN_TAG)]]
        )
    ],
    Discriminator(
        _tag, custom_error_type="check_shape", custom_error_message='a check is a mapping such as `contains: "text"`'
    ),
    BeforeValidator(_normalise),
]
"""Any check: a built-in type's model, or a plugin's `PluginCheck`."""

for _model in BUILTIN_CHECKS.values():
    if not _model.__pydantic_complete__:  # a check that holds checks (xml_tag's `check:`)
        _model.model_rebuild(_types_namespace={"CheckSpec": CheckSpec})
