"""An experiment's checks as one OpenAI grader, where a verifiable equivalent exists.

`contains` and `icontains` become `string_check` graders; `equals`, `not_contains`, `regex`,
`number`, `json` (with its schema) and `xml_tag` (around one of those) become `python`
graders whose source carries scaffold's own reading of the output (the number pattern, the
JSON extraction, the tag search), so the grader scores a sample as the check does; a
`python` check becomes a python grader holding its module's source. Checks with weight 0
are left out (they are reported, not required); `set`, `tool_called`, `max_tokens`, `judge`
and templated tags or markers have no translation and are reported. Several checks become a
`multi` grader whose output is their weighted mean, the cell's score in scaffold.

A check value that is a template is rendered for each item into `item.references[NAME]`;
a plain value is written into the grader.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from scaffold.checks import numbers, structured
from scaffold.checks.common import check_name
from scaffold.export.lines import MultiGrader, PythonGrader, StringCheckGrader
from scaffold.checks.numbers import NumberCheck
from scaffold.checks.python_hook import PythonCheck
from scaffold.checks.structured import JsonCheck, XmlTagCheck
from scaffold.checks.text import ContainsCheck, EqualsCheck, IContainsCheck, NotContainsCheck, RegexCheck
from scaffold.spec.base import CheckBase

OUTPUT = "{{ sample.output_text }}"


@dataclass
class GraderPlan:
    """The grader (None when no check translates), the templates rendered per item, and notes."""

    grader: StringCheckGrader | PythonGrader | MultiGrader | None = None
    references: dict[str, str] = field(default_factory=dict)
    """Grader name -> the check value template to render for each item."""
    notes: list[str] = field(default_factory=list)


class Untranslatable(Exception):
    """A check (or a part of it) with no verifiable grader equivalent; the message says why."""


def _is_template(value: str) -> bool:
    return "{" in value  # render_string leaves a value without braces as it is


def _helpers_source(*functions: Any) -> str:
    return "\n\n".join(inspect.getsource(function) for function in functions)


NUMBER_HELPERS = (
    f"NUMBER_PATTERN = re.compile({numbers.NUMBER_PATTERN.pattern!r}, re.VERBOSE)\n\n"
    + _helpers_source(numbers.parse_number, numbers.find_numbers)
)
JSON_HELPERS = (
    f"FENCED_JSON = re.compile({structured.FENCED_JSON.pattern!r}, re.DOTALL)\n_DECODER = json.JSONDecoder()\n\n"
    + _helpers_source(structured.extract_json)
)
TAG_HELPERS = _helpers_source(structured.last_tag_text)
HEADER = "from __future__ import annotations\n\nimport json\nimport math\nimport re\nfrom typing import Any\n"


class _Python:
    """The body of a python grader for one check, scoring the variable `text`."""

    def __init__(self, name: str, plan: GraderPlan):
        self.name = name
        self.plan = plan
        self.helpers: list[str] = []

    def reference(self, value: str) -> str:
        """A Python expression for a check value: a literal, or the item's rendered reference."""
        if not _is_template(value):
            return repr(value)
        self.plan.references[self.name] = value
        return f'item["references"][{self.name!r}]'

    def constant(self, value: str, what: str) -> str:
        if _is_template(value):
            raise Untranslatable(f"its {what} is a template")
        return repr(value)

    def body(self, spec: CheckBase) -> list[str]:
        """Lines (indented once) that return the check's score for `text`."""
        if isinstance(spec, EqualsCheck):
            return [f"return float(text.strip() == str({self.reference(spec.value)}).strip())"]
        if isinstance(spec, ContainsCheck):
            return [f"return float(str({self.reference(spec.value)}) in text)"]
        if isinstance(spec, IContainsCheck):
            return [f"return float(str({self.reference(spec.value)}).casefold() in text.casefold())"]
        if isinstance(spec, NotContainsCheck):
            return [f"return float(str({self.reference(spec.value)}) not in text)"]
        if isinstance(spec, RegexCheck):
            flags = "re.IGNORECASE" if spec.ignore_case else "0"
            return [f"return float(re.search(str({self.reference(spec.value)}), text, {flags}) is not None)"]
        if isinstance(spec, NumberCheck):
            return self._number(spec)
        if isinstance(spec, JsonCheck):
            return self._json(spec)
        if isinstance(spec, XmlTagCheck):
            return self._xml_tag(spec)
        raise Untranslatable(f"`{spec.type}` has no verifiable grader equivalent")

    def _number(self, spec: NumberCheck) -> list[str]:
        self.helpers.append(NUMBER_HELPERS)
        if isinstance(spec.value, (int, float)):
            lines = [f"expected = {float(spec.value)!r}"]
        else:
            lines = [
                f"written = find_numbers(str({self.reference(spec.value)}).strip())",
                "if len(written) != 1:",
                "    return 0.0",
                "expected = parse_number(written[0])",
            ]
        if spec.marker is None:
            lines += ["numbers = find_numbers(text)", "if not numbers:", "    return 0.0", "found = parse_number(numbers[-1])"]
        else:
            marker = self.constant(spec.marker, "marker")
            lines += [
                f"position = text.rfind({marker})",
                "if position < 0:",
                "    return 0.0",
                f"numbers = find_numbers(text[position + len({marker}):])",
                "if not numbers:",
                "    return 0.0",
                "found = parse_number(numbers[0])",
            ]
        tolerance = repr(float(spec.tolerance))
        return lines + [f"return float(abs(found - expected) <= {tolerance} or math.isclose(found, expected, rel_tol=1e-9))"]

    def _json(self, spec: JsonCheck) -> list[str]:
        self.helpers.append(JSON_HELPERS)
        lines = ["found = extract_json(text)"]
        if not spec.value:
            return lines + ["return float(found is None)"]
        lines += ["if found is None:", "    return 0.0"]
        if spec.json_schema is None:
            return lines + ["return 1.0"]
        return lines + [
            "from jsonschema.validators import validator_for",
            f"schema = json.loads({_json_literal(spec.json_schema)})",
            "return float(next(iter(validator_for(schema)(schema).iter_errors(found[0])), None) is None)",
        ]

    def _xml_tag(self, spec: XmlTagCheck) -> list[str]:
        self.helpers.append(TAG_HELPERS)
        tag = self.constant(spec.value, "tag")
        lines = [f"inner = last_tag_text(text, {tag}.strip())", "if inner is None:", "    return 0.0", "text = inner.strip()"]
        if spec.check is None:
            return lines + ["return 1.0"]
        if isinstance(spec.check, XmlTagCheck):
            raise Untranslatable("a tag inside a tag is not translated")
        return lines + self.body(spec.check)

    def source(self, body: list[str]) -> str:
        helpers = "\n\n".join(dict.fromkeys(self.helpers))
        function = "def grade(sample: dict[str, Any], item: dict[str, Any]) -> float:\n"
        function += '    text = sample.get("output_text") or ""\n' + "".join(f"    {line}\n" for line in body)
        return "\n\n".join(part for part in (HEADER, helpers, function) if part)


def _json_literal(value: Any) -> str:
    import json

    return repr(json.dumps(value, sort_keys=True))


PYTHON_CHECK_WRAPPER = '''

_scaffold_check = {function}


class _Case:
    """What a scaffold python check receives as `case`: the item's id, vars and expected."""

    def __init__(self, item: dict[str, Any]):
        self.id = item.get("case_id")
        self.vars = item.get("vars") or {{}}
        self.expected = item.get("expected")

    def template_context(self) -> dict[str, Any]:
        return {{**self.vars, "expected": self.expected, "id": self.id}}


def grade(sample: dict[str, Any], item: dict[str, Any]) -> float:
    verdict = _scaffold_check(sample.get("output_text") or "", _Case(item))
    if isinstance(verdict, dict):
        if "score" in verdict:
            return float(verdict["score"])
        return float(bool(verdict.get("passed")))
    return float(verdict)
'''


def _python_check(spec: PythonCheck, root: Path, name: str) -> PythonGrader:
    module, function = spec.value.split(":")
    base = root.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            source = candidate.read_text(encoding="utf-8")
            break
    else:
        raise Untranslatable(f"its module {module} is not a file of the library")
    if re.search(rf"^async\s+def\s+{re.escape(function)}\b", source, re.MULTILINE):
        raise Untranslatable(f"{function} is async; a grader's code is not")
    if not re.search(rf"^def\s+{re.escape(function)}\b", source, re.MULTILINE):
        raise Untranslatable(f"no top-level function {function} in {module}")
    wrapper = PYTHON_CHECK_WRAPPER.format(function=function)
    return PythonGrader(name=name, source=f"from typing import Any\n\n{source.rstrip()}\n{wrapper}")


def _translate(spec: CheckBase, name: str, root: Path, plan: GraderPlan) -> StringCheckGrader | PythonGrader:
    if isinstance(spec, (ContainsCheck, IContainsCheck)):
        reference = spec.value
        if _is_template(reference):
            plan.references[name] = reference
            reference = f"{{{{ item.references.{name} }}}}"
        operation = "like" if isinstance(spec, ContainsCheck) else "ilike"
        return StringCheckGrader(name=name, input=OUTPUT, reference=reference, operation=operation)
    if isinstance(spec, PythonCheck):
        return _python_check(spec, root, name)
    python = _Python(name, plan)
    return PythonGrader(name=name, source=python.source(python.body(spec)))


def translate_checks(checks: Sequence[CheckBase], root: Path, threshold: float | None = None) -> GraderPlan:
    """The grader for an experiment's `checks` (python checks read from the library at `root`)."""
    plan = GraderPlan()
    graders: dict[str, StringCheckGrader | PythonGrader] = {}
    weights: dict[str, float] = {}
    for index, spec in enumerate(checks, 1):
        shown = check_name(spec)
        if spec.weight == 0:
            plan.notes.append(f"check {index} ({shown}): weight 0, reported but not required; left out of the grader")
            continue
        name = f"check_{index}"
        try:
            graders[name] = _translate(spec, name, root, plan)
        except Untranslatable as reason:
            plan.references.pop(name, None)
            plan.notes.append(f"check {index} ({shown}): not translated: {reason}")
            continue
        weights[name] = spec.weight
    if threshold is not None:
        plan.notes.append(f"threshold {threshold}: the grader returns the weighted score; the pass mark is not part of it")
    if len(graders) == 1:
        plan.grader = next(iter(graders.values()))
    elif graders:
        total = sum(weights.values())
        terms = " + ".join(name if weights[name] == 1 else f"{weights[name]!r} * {name}" for name in graders)
        plan.grader = MultiGrader(name="scaffold_checks", graders=graders, calculate_output=f"({terms}) / {total!r}")
    return plan
