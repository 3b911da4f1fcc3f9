"""YAML data checked against a type or a model, with problems that name its lines.

`check_value` validates one value; `check_fields` validates a mapping field by field, so one
bad field hides no other problem and the good fields can still be resolved. How a pydantic
error becomes a Problem is `scaffold/spec/problems.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any, get_args, get_origin

from pydantic import BaseModel, TypeAdapter, ValidationError

from scaffold.spec.errors import Problem, did_you_mean
from scaffold.spec.problems import field_default, field_keys, problems_from, unwrap_annotation
from scaffold.spec.yaml_source import Loc, YamlDocument


@lru_cache(maxsize=256)
def _adapter(annotation: Any) -> TypeAdapter[Any]:
    return TypeAdapter(annotation)


def _cached_adapter(annotation: Any) -> TypeAdapter[Any]:
    try:
        return _adapter(annotation)
    except TypeError:  # an unhashable annotation: build it each time
        return TypeAdapter(annotation)


@dataclass(frozen=True)
class Checked:
    """A value validated against a type: `value` when `problems` is empty."""

    value: Any
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the value validated."""
        return not self.problems


def check_value(annotation: Any, data: Any, doc: YamlDocument, base: Loc = ()) -> Checked:
    """Validate `data` (found at `base` in `doc`) as `annotation`, with problems that name its lines."""
    try:
        return Checked(_cached_adapter(annotation).validate_python(data))
    except ValidationError as error:
        return Checked(None, tuple(problems_from(error, doc, annotation, data, base)))


def _salvage(annotation: Any, data: Any) -> Any:
    """For a list or mapping that failed as a whole, the items that validate on their own."""
    inner, _ = unwrap_annotation(annotation)
    origin, args = get_origin(inner), get_args(inner)
    if origin is list and isinstance(data, list):
        adapter = _cached_adapter(args[0])
        kept = []
        for item in data:
            try:
                kept.append(adapter.validate_python(item))
            except ValidationError:
                continue
        return kept
    if origin is dict and isinstance(data, dict):
        adapter = _cached_adapter(args[1])
        kept_items = {}
        for key, item in data.items():
            try:
                kept_items[key] = adapter.validate_python(item)
            except ValidationError:
                continue
        return kept_items
    return None


@dataclass(frozen=True)
class Fields:
    """A mapping validated field by field: every field that validated, and every problem."""

    values: dict[str, Any]
    """Field name -> validated value; defaults for absent fields; for a list or mapping that
    failed, the items that validate on their own; absent for a field that failed entirely."""
    problems: tuple[Problem, ...]


def check_fields(model: type[BaseModel], data: dict[Any, Any], doc: YamlDocument, base: Loc = ()) -> Fields:
    """Validate `data` as `model` one field at a time, so one bad field hides no other problem
    and the good fields can still be resolved. `model`'s own model validators are not run."""
    problems: list[Problem] = []
    keys = field_keys(model)
    for key in data:
        if key not in keys:
            message = f"unknown key '{key}'{did_you_mean(str(key), keys)}"
            problems.append(Problem(doc.position(base + (key,), key=True), message))
    values: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        key = info.alias or name
        if key not in data:
            if info.is_required():
                problems.append(Problem(doc.position(base), f"missing key '{key}'"))
            else:
                values[name] = field_default(info)
            continue
        annotation = Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
        checked = check_value(annotation, data[key], doc, base + (key,))
        if checked.ok:
            values[name] = checked.value
            continue
        problems.extend(checked.problems)
        salvaged = _salvage(info.annotation, data[key])
        if salvaged is not None:
            values[name] = salvaged
    return Fields(values, tuple(sorted(problems)))
