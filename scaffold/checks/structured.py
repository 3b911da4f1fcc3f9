"""Structured-output checks: `json` (parses, optionally matches a JSON Schema) and `xml_tag`."""

from __future__ import annotations

import json
import re
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from scaffold.checks.base import Check, CheckContext
from scaffold.checks.common import SpecCheck, build_check, check_type, render_text
from scaffold.spec.base import CheckBase, Finding, Loc, Setting

if TYPE_CHECKING:
    from scaffold.cells import CheckResult
    from scaffold.spec.checks import CheckSpec


class JsonCheck(CheckBase):
    type: Literal["json"]
    value: bool = True
    """`json: true`: the output (or its first fenced/braced JSON block) must parse."""
    json_schema: dict[str, Any] | None = Field(None, alias="schema")

    def problems(self, setting: Setting) -> list[Finding]:
        """The schema is a valid JSON Schema (for the draft it declares, else the latest)."""
        if self.json_schema is None:
            return []
        from jsonschema.exceptions import SchemaError
        from jsonschema.validators import validator_for

        try:
            validator_for(self.json_schema).check_schema(self.json_schema)
        except SchemaError as error:
            where = "".join(f"/{part}" for part in error.path)
            return [(("schema", *error.path), f"invalid JSON Schema{' at ' + where if where else ''}: {error.message}")]
        return []


class XmlTagCheck(CheckBase):
    type: Literal["xml_tag"]
    value: str
    """The tag name; the text inside the last `<tag>...</tag>` is what the inner check sees."""
    check: "CheckSpec | None" = None

    def shown_value(self) -> str | None:
        return f"<{self.value}>" + (f" {self.check.type}" if self.check is not None else "")

    def template_texts(self) -> list[tuple[Loc, str]]:
        inner = self.check.template_texts() if self.check is not None else []
        return super().template_texts() + [(("check", *loc), text) for loc, text in inner]

    def problems(self, setting: Setting) -> list[Finding]:
        inner = self.check.problems(setting) if self.check is not None else []
        return [(("check", *loc), message) for loc, message in inner]

FENCED_JSON = re.compile(r"```(?:json|JSON)?[ \t]*\n(.*?)```", re.DOTALL)
_DECODER = json.JSONDecoder()


def extract_json(text: str) -> tuple[Any, str] | None:
    """The JSON value in `text` and where it was found, or None.

    Tried in order: the whole text; the first ```json (or bare ```) fenced block that
    parses; the first `{...}` or `[...]` span that parses, read from its opening bracket."""
    stripped = text.strip()
    try:
        return json.loads(stripped), "whole output"
    except ValueError:
        pass
    for block in FENCED_JSON.finditer(text):
        try:
            return json.loads(block.group(1)), "fenced block"
        except ValueError:
            continue
    for opening in re.finditer(r"[\[{]", text):
        try:
            value, _ = _DECODER.raw_decode(text, opening.start())
        except ValueError:
            continue
        return value, "embedded span"
    return None


@check_type(JsonCheck)
class Json(SpecCheck[JsonCheck]):
    """`json: true`: the output holds JSON (see `extract_json`) that matches `schema` when one
    is given. `json: false`: the output holds no JSON at all."""

    @cached_property
    def validator(self) -> Any:
        """The schema's validator, built once per check (jsonschema loads only when a schema is used)."""
        from jsonschema.validators import validator_for

        schema = self.spec.json_schema
        validator_class = validator_for(schema)
        validator_class.check_schema(schema)
        return validator_class(schema)

    async def grade(self, output: str, context: CheckContext) -> CheckResult:
        found = extract_json(output)
        if not self.spec.value:
            if found is None:
                return self.result(True, "no JSON in output")
            return self.result(False, f"JSON found ({found[1]}), none expected")
        if found is None:
            return self.result(False, "no JSON in output")
        value, place = found
        if self.spec.json_schema is None:
            return self.result(True, f"valid JSON ({place})")
        from jsonschema.exceptions import best_match

        error = best_match(self.validator.iter_errors(value))
        if error is not None:
            return self.result(False, f"schema: {error.message} at {error.json_path}")
        return self.result(True, f"valid JSON matching the schema ({place})")


def last_tag_text(output: str, tag: str) -> str | None:
    """The text inside the last `<tag>...</tag>` (attributes allowed on the opening tag)."""
    escaped = re.escape(tag)
    matches = re.findall(rf"<{escaped}(?:\s[^>]*)?>(.*?)</{escaped}\s*>", output, re.DOTALL)
    return matches[-1] if matches else None


@check_type(XmlTagCheck)
class XmlTag(SpecCheck[XmlTagCheck]):
    """Reads the text inside the last `<tag>...</tag>`; with an inner `check:` that check
    grades the text (its pass and score become this one's), else the tag's presence passes."""

    def __init__(self, spec: XmlTagCheck) -> None:
        super().__init__(spec)
        self.inner: Check | None = build_check(spec.check) if spec.check is not None else None

    async def grade(self, output: str, context: CheckContext) -> CheckResult:
        tag = render_text(self.spec.value, context).strip()
        text = last_tag_text(output, tag)
        if text is None:
            if re.search(rf"<{re.escape(tag)}[\s>]", output):
                return self.result(False, f"<{tag}> tag not closed")
            return self.result(False, f"no <{tag}> tag")
        if self.inner is None:
            return self.result(True, f"found <{tag}> tag")
        inner = await self.inner.grade(text.strip(), context)
        return self.result(inner.passed, f"<{tag}>: {inner.reason}", inner.score)
