"""An experiment's cases, from an inline list, a file (JSONL, CSV, YAML, JSON) or a generator.

Each row has the CaseSpec fields. In a file or from a generator, a row without a `vars` key
takes every key but `id`, `expected`, `cluster`, `tags` and `added` as its vars (in CSV these
columns are special and every other column is a var; `tags` is comma-separated). A case
without an id gets a stable one: the first 10 hex digits of the sha256 of its vars as
canonical JSON. Problems name the row's line.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scaffold.registry import REGISTRY, PluginError
from scaffold.spec.errors import Position, Problem, did_you_mean, display_path
from scaffold.spec.experiment import CaseSpec, GenerateSpec
from scaffold.spec.problems import check_value, show_value
from scaffold.spec.resolved import Case
from scaffold.spec.yaml_source import Loc, YamlDocument, parse_yaml

SPECIAL_KEYS = ("id", "expected", "cluster", "tags", "added")
"""Row keys that are not vars when a row has no `vars` key."""
CASE_FILE_SUFFIXES = (".jsonl", ".csv", ".yaml", ".yml", ".json")


def case_id(case_vars: dict[str, Any]) -> str:
    """The id of a case that has none: a stable hash of its vars."""
    canonical = json.dumps(case_vars, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:10]


@dataclass(frozen=True)
class _Row:
    """One raw row and where it was written."""

    data: Any
    doc: YamlDocument
    loc: Loc


def _line_document(file: str, data: Any, line: int) -> YamlDocument:
    """A document for a row that has one position for all it holds (a JSONL or CSV line)."""
    return YamlDocument(file, data, value_positions={(): Position(file, line, 1)})


def _as_case_fields(row: dict[Any, Any]) -> dict[Any, Any]:
    if "vars" in row:
        return row
    fields = {key: value for key, value in row.items() if key in SPECIAL_KEYS}
    fields["vars"] = {key: value for key, value in row.items() if key not in SPECIAL_KEYS}
    return fields


def _jsonl_rows(text: str, file: str) -> tuple[list[_Row], list[Problem]]:
    rows, problems = [], []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as error:
            problems.append(Problem(Position(file, number, error.colno), f"invalid JSON: {error.msg}"))
            continue
        rows.append(_Row(data, _line_document(file, data, number), ()))
    return rows, problems


def _csv_rows(text: str, file: str) -> tuple[list[_Row], list[Problem]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        return [], []
    problems = [
        Problem(Position(file, 1, 1), f"column '{name}' appears twice in the header")
        for index, name in enumerate(header)
        if name in header[:index]
    ]
    rows = []
    line = reader.line_num + 1
    for cells in reader:
        if any(cell.strip() for cell in cells):
            if len(cells) != len(header):
                message = f"row has {len(cells)} cells, the header has {len(header)}"
                problems.append(Problem(Position(file, line, 1), message))
            else:
                data = _csv_fields(dict(zip(header, cells)))
                rows.append(_Row(data, _line_document(file, data, line), ()))
        line = reader.line_num + 1
    return rows, problems


def _csv_fields(cells: dict[str, str]) -> dict[str, Any]:
    fields: dict[str, Any] = {"vars": {key: value for key, value in cells.items() if key not in SPECIAL_KEYS}}
    for key in ("id", "expected", "cluster", "added"):
        if cells.get(key):
            fields[key] = cells[key]
    if cells.get("tags"):
        fields["tags"] = [tag.strip() for tag in cells["tags"].split(",") if tag.strip()]
    return fields


def _yaml_rows(text: str, file: str) -> tuple[list[_Row], list[Problem]]:
    doc, problems = parse_yaml(text, file)
    if doc.data is None:
        return [], problems
    if not isinstance(doc.data, list):
        return [], [*problems, Problem(doc.position(()), f"expected a list of cases, got {show_value(doc.data)}")]
    return [_Row(item, doc, (index,)) for index, item in enumerate(doc.data)], problems


def _file_rows(reference: str, root: Path, at: Position) -> tuple[list[_Row], list[Problem]]:
    path = root / reference
    if path.suffix not in CASE_FILE_SUFFIXES:
        return [], [Problem(at, f"case file '{reference}': expected a .jsonl, .csv, .yaml or .json file")]
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        folder = path.parent
        siblings = [
            str(Path(reference).parent / sibling.name) for sibling in (folder.iterdir() if folder.is_dir() else ())
        ]
        return [], [Problem(at, f"case file '{reference}' not found{did_you_mean(reference, siblings)}")]
    except (OSError, UnicodeDecodeError) as error:
        return [], [Problem(at, f"cannot read case file '{reference}': {error}")]
    file = display_path(path)
    if path.suffix == ".jsonl":
        rows, problems = _jsonl_rows(text, file)
    elif path.suffix == ".csv":
        rows, problems = _csv_rows(text, file)
    else:
        rows, problems = _yaml_rows(text, file)
    if not rows and not problems:
        problems.append(Problem(at, f"case file '{reference}' holds no cases"))
    return rows, problems


def _generator(name: str, root: Path) -> tuple[Any, str]:
    """The generator `name` means (registered, or the library's `module:function`), or why not."""
    if ":" in name:
        from scaffold.spec.refs import hook_module_missing
        from scaffold.user_code import UserCodeError, load_function

        missing = hook_module_missing(name, root)
        if missing:
            return None, f"generator '{name}': no module '{missing}' in the library folder or installed"
        try:
            return load_function(root, name), ""
        except UserCodeError as error:
            return None, f"generator {error}"
    entry = REGISTRY.get("generator", name)
    if entry is None:
        return None, f"unknown generator '{name}'{did_you_mean(name, REGISTRY.names('generator'))}"
    try:
        return entry.load(), ""
    except PluginError as error:
        return None, str(error)


def _generated_rows(spec: GenerateSpec, doc: YamlDocument, loc: Loc, root: Path) -> tuple[list[_Row], list[Problem]]:
    at = doc.position((*loc, "generate"))
    generator, problem = _generator(spec.generate, root)
    if generator is None:
        return [], [Problem(at, problem)]
    try:
        generated = generator(spec.n, spec.seed, **spec.options)
    except ValueError as error:
        return [], [Problem(at, str(error))]
    except Exception as error:  # the generator's own bug: shown, not raised, like any bad input
        return [], [Problem(at, f"generator '{spec.generate}' failed: {type(error).__name__}: {error}")]
    generator_doc = YamlDocument(doc.file, generated, value_positions={(): at})
    return [_Row(item, generator_doc, ()) for item in generated], []


def _case(row: _Row, inline: bool) -> tuple[Case | None, list[Problem]]:
    if not isinstance(row.data, dict):
        return None, [Problem(row.doc.position(row.loc), f"a case is a mapping, got {show_value(row.data)}")]
    fields = row.data if inline else _as_case_fields(row.data)
    checked = check_value(CaseSpec, fields, row.doc, row.loc)
    if not checked.ok:
        return None, list(checked.problems)
    spec: CaseSpec = checked.value
    identity = spec.id if spec.id is not None else case_id(spec.vars)
    return Case(identity, spec.vars, spec.expected, spec.cluster, tuple(spec.tags)), []


def load_cases(raw: Any, spec: Any, doc: YamlDocument, loc: Loc, root: Path) -> tuple[list[Case], list[Problem]]:
    """The cases an experiment's `cases:` value (raw as written, `spec` as validated) names.

    `loc` is where `cases:` stands in the experiment `doc`; files are relative to `root`."""
    if isinstance(spec, GenerateSpec):
        rows, problems = _generated_rows(spec, doc, loc, root)
    elif isinstance(raw, str):
        rows, problems = _file_rows(raw, root, doc.position(loc))
    elif isinstance(raw, list):
        rows, problems = [_Row(item, doc, (*loc, index)) for index, item in enumerate(raw)], []
        if not rows:
            problems.append(Problem(doc.position(loc), "the experiment has no cases"))
    else:
        return [], []
    cases: list[Case] = []
    first_seen: dict[str, Position] = {}
    for row in rows:
        case, row_problems = _case(row, inline=isinstance(raw, list))
        problems.extend(row_problems)
        if case is None:
            continue
        position = row.doc.position((*row.loc, "id") if isinstance(row.data, dict) and "id" in row.data else row.loc)
        if case.id in first_seen:
            first = first_seen[case.id]
            where = f"line {first.line}" if first.file == position.file else str(first)
            problems.append(Problem(position, f"duplicate case id '{case.id}' (first at {where})"))
            continue
        first_seen[case.id] = position
        cases.append(case)
    return cases, problems
