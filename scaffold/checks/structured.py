"""Structured-output checks: `json` (parses, optionally matches a JSON Schema) and `xml_tag`."""

from __future__ import annotations

import json
import re
from functools import cached_property
from typing import Any

from scaffold.cells import CheckResult
from scaffold.checks.base import Check, CheckContext
from scaffold.checks.common import SpecCheck, render_text
from scaffold.spec.checks import JsonCheck, XmlTagCheck

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


class XmlTag(SpecCheck[XmlTagCheck]):
    """Reads the text inside the last `<tag>...</tag>`; with an inner `check:` that check
    grades the text (its pass and score become this one's), else the tag's presence passes."""

    def __init__(self, spec: XmlTagCheck) -> None:
        super().__init__(spec)
        # Imported here: the registry imports this module to list it.
        from scaffold.checks.registry import build_check

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
