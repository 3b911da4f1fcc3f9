"""Pydantic validation errors turned into Problems a person can act on.

Pydantic reports an error's `loc` in terms of its own schema: it inserts union tags
(`'list[CaseSpec]'`, `'tagged-union[...]'`, a check's `'contains'`) and reports every member
of a union that failed. Here each `loc` is walked against the model types and the YAML data
together, so tags are skipped, only the union member that matches the shape of the data is
reported, and the problem lands on the line and column the user wrote.
"""

from __future__ import annotations

import types
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, Discriminator, Tag, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails

from scaffold.registry import REGISTRY
from scaffold.spec.base import ToolName
from scaffold.spec.errors import Problem, did_you_mean
from scaffold.spec.yaml_source import Loc, YamlDocument

_TOOL_PATTERN: str = get_args(ToolName)[1].metadata[0].pattern

_TYPE_WORDS: dict[str, str] = {
    "string_type": "a string",
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "an integer",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "tuple_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}

_BOUND_WORDS: dict[str, tuple[str, str]] = {
    "greater_than_equal": ("ge", "at least"),
    "greater_than": ("gt", "more than"),
    "less_than_equal": ("le", "at most"),
    "less_than": ("lt", "less than"),
}


def show_value(value: Any) -> str:
    """A value as a short YAML-ish phrase for messages: `'abc'`, `3`, `true`, `a mapping`."""
    if isinstance(value, str):
        return f"'{value}'" if len(value) <= 40 else f"'{value[:37]}...'"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    return str(value)


def unwrap_annotation(annotation: Any) -> tuple[Any, str | None]:
    """Strip `Annotated[...]`; return the inner type and its union discriminator, if any."""
    discriminator = None
    while get_origin(annotation) is Annotated:
        inner, *metadata = get_args(annotation)
        for item in metadata:
            if isinstance(getattr(item, "discriminator", None), str):
                discriminator = item.discriminator
            elif isinstance(item, Discriminator):  # a union built from the registry
                discriminator = "(registry)"
        annotation = inner
    return annotation, discriminator


def _union_members(annotation: Any) -> list[Any]:
    """The members of a union other than None; [] when `annotation` is not a union."""
    if get_origin(annotation) not in (Union, types.UnionType):
        return []
    return [member for member in get_args(annotation) if member is not type(None)]


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _kind(annotation: Any) -> str:
    """What shape of YAML value a type accepts: mapping, list, string, number, boolean or other."""
    inner, discriminator = unwrap_annotation(annotation)
    if discriminator or _is_model(inner) or (get_origin(inner) or inner) is dict:
        return "mapping"
    origin = get_origin(inner) or inner
    if origin in (list, tuple):
        return "list"
    if origin in (str, Literal):
        return "string"
    if origin in (int, float):
        return "number"
    if origin is bool:
        return "boolean"
    return "other"


def _data_kind(value: Any) -> str:
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, list):
        return "list"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return "other"


_KIND_WORDS = {"mapping": "a mapping", "list": "a list", "string": "a string", "number": "a number",
               "boolean": "true or false", "other": "a value"}


def _member_for_tag(members: list[Any], tag: str, discriminator: str | None) -> Any:
    """The union member pydantic named `tag` in an error's loc."""
    for member in members:
        if get_origin(member) is Annotated and any(
            isinstance(item, Tag) and item.tag == tag for item in get_args(member)[1:]
        ):
            return member
    for member in members:
        inner, member_discriminator = unwrap_annotation(member)
        if discriminator and _is_model(inner) and discriminator in inner.model_fields:
            literal = inner.model_fields[discriminator].annotation
            if tag in get_args(literal):
                return member
        elif member_discriminator and tag.startswith(("tagged-union[", "function-before[")):
            return member
        elif _is_model(inner) and tag in (inner.__name__, *_validated_tags(tag, inner)):
            return member
        elif tag.split("[")[0] == getattr(get_origin(inner) or inner, "__name__", None):
            return member
    return None


def _validated_tags(tag: str, model: type[BaseModel]) -> tuple[str, ...]:
    """`tag` when it names `model` behind a model validator (`function-after[check(), Model]`)."""
    return (tag,) if tag.startswith("function-") and tag.endswith(f", {model.__name__}]") else ()


def _field_by_key(model: type[BaseModel], key: Any) -> Any:
    for name, info in model.model_fields.items():
        if key in (name, info.alias):
            return info
    return None


def field_default(info: FieldInfo) -> Any:
    """A field's default, its factory called (pydantic's `get_default` reads the factory's
    signature on every call: a tenth of validating the examples)."""
    if info.default_factory is not None:
        return info.default_factory()  # type: ignore[call-arg]  # no factory here takes the validated data
    return info.get_default()


def field_keys(model: type[BaseModel]) -> list[str]:
    """The keys a YAML mapping of `model` may hold (aliases where a field has one)."""
    return [info.alias or name for name, info in model.model_fields.items()]


@dataclass
class _Walk:
    """Where an error's loc leads in the data, and which union branches it went through."""

    path: Loc
    value: Any
    present: bool = True
    owner: type[BaseModel] | None = None
    """The model that owns the last loc element (for `extra_forbidden`)."""
    unions: list[tuple[tuple[Any, ...], Loc, str, Any]] = field(default_factory=list)
    """(the loc up to the union, the data path there, the tag pydantic used, the member it names)."""


def _walk(annotation: Any, data: Any, loc: tuple[Any, ...], base: Loc) -> _Walk:
    walk = _Walk(base, data)
    current: Any = annotation
    last_tag: str | None = None
    for depth, element in enumerate(loc):
        current, discriminator = unwrap_annotation(current) if current is not None else (None, None)
        members = _union_members(current)
        if len(members) > 1 and isinstance(element, str):
            member = _member_for_tag(members, element, discriminator)
            walk.unions.append((loc[:depth], walk.path, element, member))
            current, last_tag = member, element
            continue
        if len(members) == 1:
            current, _ = unwrap_annotation(members[0])
        walk.owner = current if _is_model(current) else None
        origin = get_origin(current)
        if _is_model(current):
            info = _field_by_key(current, element)
            current = info.annotation if info else None
        elif origin in (list, tuple):
            args = [arg for arg in get_args(current) if arg is not Ellipsis]
            index = element if origin is tuple and isinstance(element, int) and element < len(args) else 0
            current = args[index] if args else None
        elif origin is dict:
            current = get_args(current)[1] if element != "[key]" else get_args(current)[0]
        else:
            current = None
        if not walk.present:
            continue
        value = walk.value
        if isinstance(value, dict) and element not in value and element == "value" and last_tag in value:
            element = last_tag  # a check's shorthand: `contains: x` is `type: contains, value: x`
        if isinstance(value, dict) and element in value:
            walk.path, walk.value = walk.path + (element,), value[element]
        elif isinstance(value, list) and isinstance(element, int) and 0 <= element < len(value):
            walk.path, walk.value = walk.path + (element,), value[element]
        else:
            walk.present = False
    return walk


def _message(error: ErrorDetails, walk: _Walk) -> str:
    kind, context, given = error["type"], error.get("ctx") or {}, error.get("input")
    loc = error["loc"]
    if kind == "extra_forbidden":
        if walk.owner is not None and hasattr(walk.owner, "unknown_key_message"):  # a model that explains its own keys
            return str(walk.owner.unknown_key_message(str(loc[-1])))
        choices = field_keys(walk.owner) if walk.owner else []
        return f"unknown key '{loc[-1]}'{did_you_mean(str(loc[-1]), choices)}"
    if kind == "missing":
        return f"missing key '{loc[-1]}'"
    if kind == "union_tag_not_found":
        return f"missing key '{str(context.get('discriminator', '')).strip(chr(39))}'"
    if kind == "union_tag_invalid":
        name = str(context["discriminator"]).strip("'")
        expected = [tag.strip(" '") for tag in str(context["expected_tags"]).split(",")]
        return f"unknown {name} '{context['tag']}'{did_you_mean(str(context['tag']), expected)}"
    if kind == "string_pattern_mismatch" and context.get("pattern") == _TOOL_PATTERN:
        names = REGISTRY.names("tool")
        hint = did_you_mean(str(given), names)
        return f"unknown tool '{given}'{hint or ': a tool is ' + ', '.join(names) + ' or module:function'}"
    if kind == "string_pattern_mismatch" and ":" in str(context.get("pattern", "")):
        return f"expected module:function, got {show_value(given)}"
    if kind in _TYPE_WORDS:
        return f"expected {_TYPE_WORDS[kind]}, got {show_value(given)}"
    if kind == "literal_error":
        return f"expected {context['expected']}, got {show_value(given)}"
    if kind in _BOUND_WORDS:
        name, words = _BOUND_WORDS[kind]
        return f"must be {words} {context[name]}, got {show_value(given)}"
    if kind == "too_short":
        return f"needs at least {context['min_length']} item{'s' if context['min_length'] != 1 else ''}"
    if kind == "too_long":
        return f"takes at most {context['max_length']} items, got {context.get('actual_length')}"
    if kind == "value_error":
        return str(context.get("error", error["msg"]))
    message: str = error["msg"]
    return message[:1].lower() + message[1:]


def problems_from(error: ValidationError, doc: YamlDocument, annotation: Any, data: Any, base: Loc = ()) -> list[Problem]:
    """The problems of `error`, raised validating `data` (found at `base` in `doc`) as `annotation`."""
    walks = [(item, _walk(annotation, data, item["loc"], base)) for item in error.errors()]
    tags_at: dict[tuple[Any, ...], dict[str, Any]] = defaultdict(dict)
    values_at: dict[tuple[Any, ...], Any] = {}
    for _, walk in walks:
        for union, path, tag, member in walk.unions:
            tags_at[union][tag] = member
            values_at.setdefault(union, _value_at(data, base, path))
    chosen: dict[tuple[Any, ...], str | None] = {}
    for union, tags in tags_at.items():
        matching = [tag for tag, member in tags.items() if _kind(member) == _data_kind(values_at[union])]
        chosen[union] = next(iter(tags)) if len(tags) == 1 else (matching[0] if matching else None)
    problems: set[Problem] = set()
    for item, walk in walks:
        for union, path, tag, _ in walk.unions:
            if chosen[union] is None:
                kinds = sorted({_KIND_WORDS[_kind(member)] for member in tags_at[union].values()})
                expected = " or ".join(kinds) if len(kinds) < 3 else ", ".join(kinds[:-1]) + " or " + kinds[-1]
                problems.add(Problem(doc.position(path), f"expected {expected}, got {show_value(values_at[union])}"))
                break
            if tag != chosen[union]:
                break
        else:
            path = walk.path
            if item["type"] == "union_tag_invalid" and walk.present:  # at the tag's value, not the mapping
                path = (*path, str((item.get("ctx") or {}).get("discriminator", "")).strip("'"))
            at = (item.get("ctx") or {}).get("at")
            if at is not None and walk.present and isinstance(walk.value, dict) and at in walk.value:
                path = (*path, at)  # a custom error about one key (`kind:`), at that key's value
            at_key = item["type"] == "extra_forbidden" and walk.present
            problems.add(Problem(doc.position(path, key=at_key), _message(item, walk)))
    return sorted(problems)


def _value_at(data: Any, base: Loc, path: Loc) -> Any:
    value = data
    for element in path[len(base):]:
        value = value[element]
    return value
