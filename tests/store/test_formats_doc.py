"""docs/formats.md against the code that writes each format: every field documented, no
field documented that is gone. One `##` section per format; a new format adds its section to
the doc and one entry to FORMATS below (a function returning the format's field paths)."""

from __future__ import annotations

import json
import re
import sqlite3
import types
import typing
from pathlib import Path
from typing import Any, Callable, Iterable, Union

import pytest
from pydantic import BaseModel

from scaffold.cells import CallRecord, CellKey, CellResult, CheckResult, Completion, ToolCall, Usage
from scaffold.store.batches import BatchesFile
from scaffold.store.cache import ResponseCache
from scaffold.store.run_manifest import RunManifest

DOC = Path(__file__).resolve().parents[2] / "docs" / "formats.md"
ROW = re.compile(r"^\|\s*`([^`]+)`\s*\|")


def documented_sections() -> dict[str, set[str]]:
    """{section heading: the field paths its tables list (the first column's backticked name)}."""
    sections: dict[str, set[str]] = {}
    current: set[str] | None = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            current = sections.setdefault(line[3:].strip(), set())
        elif current is not None and (row := ROW.match(line)):
            current.add(row.group(1))
    return sections


def _models_in(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """(the pydantic model inside `annotation`, whether it is a list of them)."""
    origin = typing.get_origin(annotation)
    if origin in (Union, types.UnionType):
        for argument in typing.get_args(annotation):
            model, listed = _models_in(argument)
            if model is not None:
                return model, listed
        return None, False
    if origin is list:
        model, _ = _models_in(typing.get_args(annotation)[0])
        return model, True
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    return None, False


def model_paths(model: type[BaseModel], prefix: str = "") -> set[str]:
    """Every field path of a pydantic model, nested models (and lists of them) included."""
    paths = set()
    for name, field in model.model_fields.items():
        path = f"{prefix}{name}"
        paths.add(path)
        inner, listed = _models_in(field.annotation)
        if inner is not None:
            paths |= model_paths(inner, f"{path}[]." if listed else f"{path}.")
    return paths


def json_paths(data: dict[str, Any], opaque: Iterable[str] = (), prefix: str = "") -> set[str]:
    """Every key path of a JSON object; the values of `opaque` paths are not walked (free-form
    content such as a transcript's messages)."""
    opaque = set(opaque)
    paths = set()
    for key, value in data.items():
        path = f"{prefix}{key}"
        paths.add(path)
        if path in opaque:
            continue
        if isinstance(value, dict):
            paths |= json_paths(value, opaque, f"{path}.")
        elif isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
            for item in value:
                paths |= json_paths(item, opaque, f"{path}[].")
    return paths


def run_json_fields() -> set[str]:
    return model_paths(RunManifest)


def results_jsonl_fields() -> set[str]:
    """The keys of a results line whose every optional part is present."""
    usage = Usage(10, 5, 1, 2)
    cell = CellResult(
        CellKey("arith:xml", "single", "test", "c1", 0),
        "passed",
        "3",
        1.0,
        checks=(CheckResult("contains 3", "contains", True, 1.0, 1.0, "found"),),
        transcript=({"role": "user", "content": "1 + 2?"},),
        calls=(
            CallRecord(usage, 0.1, 1, True, 0.001),
            CallRecord(usage, 0.2, 2, False, None, "judge", batch=True),
        ),
        tool_calls={"calculator": 1},
        started_at=1.0,
        finished_at=2.0,
    )
    line = json.loads(json.dumps(cell.to_json()))
    return json_paths(line, opaque=("transcript", "tool_calls"))


def cache_sqlite_fields(tmp_path: Path) -> set[str]:
    """The tables and columns of a fresh cache, and the keys of a stored completion."""
    cache = ResponseCache(tmp_path / "cache.sqlite")
    completion = Completion("3", (ToolCall("t1", "calculator", "{}"),), Usage(1, 1), "stop")
    cache.put("k", completion, None)
    cache.close()
    connection = sqlite3.connect(tmp_path / "cache.sqlite")
    fields = set()
    tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for table in tables:
        fields.add(table)
        fields |= {f"{table}.{row[1]}" for row in connection.execute(f"PRAGMA table_info({table})")}
    stored = json.loads(connection.execute("SELECT completion FROM responses").fetchone()[0])
    connection.close()
    return fields | json_paths(stored, prefix="responses.completion.")


FORMATS: dict[str, Callable[[Path], set[str]]] = {
    "`run.json`": lambda _: run_json_fields(),
    "`results.jsonl`": lambda _: results_jsonl_fields(),
    "`cache.sqlite`": cache_sqlite_fields,
    "`batches.json`": lambda _: model_paths(BatchesFile),
}
"""{the doc's section heading: the format's field paths, from the code that writes it}."""


@pytest.mark.parametrize("heading", sorted(FORMATS))
def test_every_field_is_documented_and_no_documented_field_is_gone(heading: str, tmp_path: Path) -> None:
    documented = documented_sections().get(heading)
    assert documented, f"docs/formats.md has no '## {heading}' section with a field table"
    actual = FORMATS[heading](tmp_path)
    assert sorted(actual - documented) == [], f"undocumented in '## {heading}'"
    assert sorted(documented - actual) == [], f"documented in '## {heading}' but no longer written"


CHECKED_ELSEWHERE = {"Export formats"}
"""Sections another test checks against its models (tests/export/test_formats_doc.py)."""


def test_every_section_of_the_doc_is_checked() -> None:
    assert set(documented_sections()) == set(FORMATS) | CHECKED_ELSEWHERE


def test_the_check_sees_a_missing_row(tmp_path: Path) -> None:
    """The comparison is not vacuous: the doc lists nested fields the code derives."""
    assert {"groups[].tokens.per_pass", "resolved.variants[].ref"} <= run_json_fields()
    assert {"calls[].purpose", "calls[].usage.cached", "checks[].reason"} <= results_jsonl_fields()
    assert {"responses.key", "responses.completion.tool_calls[].arguments"} <= cache_sqlite_fields(tmp_path)
