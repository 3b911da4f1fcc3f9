"""An experiment's cases, from an inline list, a file (JSONL, CSV, YAML, JSON) or a generator.

Each row has the CaseSpec fields. In a file or from a generator, a row without a `vars` key
takes every key but `id`, `expected`, `cluster`, `tags` and `added` as its vars (in CSV these
columns are special and every other column is a var; `tags` is comma-separated). A case
without an id gets a stable one: the first 10 hex digits of the sha256 of its vars as
canonical JSON. Problems name the row's line.

Bounded: a JSONL or CSV case file may be at most MAX_CASE_FILE_BYTES (a YAML or JSON one at
most the YAML limit, MAX_YAML_BYTES), and an experiment at most MAX_CASES cases; past either
the file is refused with one problem, before more is read.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from scaffold.registry import REGISTRY, PluginError
from scaffold.spec.checking import check_value
from scaffold.spec.errors import Position, Problem, did_you_mean, display_path
from scaffold.spec.experiment import MAX_CASES, CaseSpec, GenerateSpec
from scaffold.spec.problems import show_value
from scaffold.spec.resolved import Case
from scaffold.spec.yaml_source import MAX_YAML_BYTES, FileTooLarge, Loc, YamlDocument, parse_yaml, read_bounded

SPECIAL_KEYS = ("id", "expected", "cluster", "tags", "added")
"""Row keys that are not vars when a row has no `vars` key."""
CASE_FILE_SUFFIXES = (".jsonl", ".csv", ".yaml", ".yml", ".json")
MAX_CASE_FILE_BYTES = 50_000_000
"""The largest JSONL or CSV case file read: 50 MB (YAML and JSON case files: MAX_YAML_BYTES)."""


_CASE: TypeAdapter[CaseSpec] = TypeAdapter(CaseSpec)
_CASE_LIST: TypeAdapter[list[CaseSpec]] = TypeAdapter(list[CaseSpec])


def _too_many(file: str, line: int) -> Problem:
    return Problem(Position(file, line, 1), f"more than {MAX_CASES:,} cases; an experiment may have at most {MAX_CASES:,}")


def case_id(case_vars: dict[str, Any]) -> str:
    """The id of a case that has none: a stable hash of its vars."""
    canonical = json.dumps(case_vars, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:10]


@dataclass(slots=True)
class _Row:
    """One raw row and where it was written: at `loc` in `doc`, or on line `line` of `file`
    (a JSONL or CSV line, which has one position for all it holds)."""

    data: Any
    doc: YamlDocument | None
    loc: Loc = ()
    file: str = ""
    line: int = 0

    def document(self) -> YamlDocument:
        """The document the row stands in (made for a line only when a problem needs it)."""
        if self.doc is None:
            return YamlDocument(self.file, self.data, value_positions={(): Position(self.file, self.line, 1)})
        return self.doc

    def position(self, *loc: str | int) -> Position:
        """Where the row's value at `loc` (relative to the row) was written."""
        return self.document().position((*self.loc, *loc))


def _as_case_fields(row: dict[Any, Any]) -> dict[Any, Any]:
    if "vars" in row:
        return row
    fields = {key: value for key, value in row.items() if key in SPECIAL_KEYS}
    fields["vars"] = {key: value for key, value in row.items() if key not in SPECIAL_KEYS}
    return fields


_SCAN = json.JSONDecoder().scan_once


def _json_line(line: str) -> Any:
    """`json.loads(line)`, quicker for the usual line: one value from its first character."""
    try:
        value, end = _SCAN(line, 0)
    except (StopIteration, ValueError, RecursionError):
        return json.loads(line)  # for its error
    if end != len(line) and line[end:].strip(" \t\n\r"):  # JSON's whitespace, as json.loads allows
        return json.loads(line)
    return value


def _jsonl_rows(text: str, file: str) -> tuple[list[_Row], list[Problem]]:
    lines = io.StringIO(text).readlines()
    if len(lines) > MAX_CASES:  # counted first: refusing is quick
        count = 0
        for number, line in enumerate(lines, 1):
            count += bool(line.strip())
            if count > MAX_CASES:
                return [], [_too_many(file, number)]
    rows: list[_Row] = []
    problems: list[Problem] = []
    for number, line in enumerate(lines, 1):
        if not line or line.isspace():
            continue
        try:
            data = _json_line(line)
        except json.JSONDecodeError as error:
            problems.append(Problem(Position(file, number, error.colno), f"invalid JSON: {error.msg}"))
            continue
        except RecursionError:
            problems.append(Problem(Position(file, number, 1), "invalid JSON: nested too deeply"))
            continue
        rows.append(_Row(data, None, (), file, number))
    return rows, problems


def _csv_rows(text: str, file: str) -> tuple[list[_Row], list[Problem]]:
    limit = csv.field_size_limit(MAX_CASE_FILE_BYTES)  # a long passage is a fine cell; the file size bounds it
    try:
        return _csv_reader_rows(csv.reader(io.StringIO(text, newline="")), file)
    except csv.Error as error:
        return [], [Problem(Position(file, 1, 1), f"invalid CSV: {error}")]
    finally:
        csv.field_size_limit(limit)


def _csv_reader_rows(reader: Any, file: str) -> tuple[list[_Row], list[Problem]]:
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
        if len(rows) == MAX_CASES:
            return [], [_too_many(file, line)]
        if any(cell.strip() for cell in cells):
            if len(cells) != len(header):
                message = f"row has {len(cells)} cells, the header has {len(header)}"
                problems.append(Problem(Position(file, line, 1), message))
            else:
                rows.append(_Row(_csv_fields(dict(zip(header, cells))), None, (), file, line))
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
    if len(doc.data) > MAX_CASES:
        return [], [_too_many(file, doc.position((MAX_CASES,)).line)]
    return [_Row(item, doc, (index,)) for index, item in enumerate(doc.data)], problems


def _file_rows(reference: str, root: Path, at: Position) -> tuple[list[_Row], list[Problem]]:
    path = root / reference
    if path.suffix not in CASE_FILE_SUFFIXES:
        return [], [Problem(at, f"case file '{reference}': expected a .jsonl, .csv, .yaml or .json file")]
    limit = MAX_CASE_FILE_BYTES if path.suffix in (".jsonl", ".csv") else MAX_YAML_BYTES
    try:
        text = read_bounded(path, limit).decode("utf-8")
    except FileNotFoundError:
        folder = path.parent
        siblings = [
            str(Path(reference).parent / sibling.name) for sibling in (folder.iterdir() if folder.is_dir() else ())
        ]
        return [], [Problem(at, f"case file '{reference}' not found{did_you_mean(reference, siblings)}")]
    except (OSError, UnicodeDecodeError) as error:
        return [], [Problem(at, f"cannot read case file '{reference}': {error}")]
    except FileTooLarge as error:
        return [], [Problem(at, error.message(f"case file '{reference}'"))]
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


def _specs(rows: list[_Row], inline: bool, validated: Any) -> list[CaseSpec | None]:
    """Each row as a CaseSpec, or None where it has problems (reported by `_row_problems`).
    `validated` is the inline list as the experiment's own validation already made it. The
    rows are validated together first; only when that fails is each row validated alone."""
    if inline and isinstance(validated, list) and len(validated) == len(rows):
        return validated
    fields = [row.data if inline or not isinstance(row.data, dict) else _as_case_fields(row.data) for row in rows]
    try:
        return list(_CASE_LIST.validate_python(fields))
    except ValidationError:
        pass
    specs: list[CaseSpec | None] = []
    for row, row_fields in zip(rows, fields):
        try:
            specs.append(_CASE.validate_python(row_fields) if isinstance(row_fields, dict) else None)
        except ValidationError:
            specs.append(None)
    return specs


def _row_problems(row: _Row, inline: bool) -> list[Problem]:
    """What is wrong with a row that is not a valid case, at the lines it was written on."""
    if not isinstance(row.data, dict):
        return [Problem(row.position(), f"a case is a mapping, got {show_value(row.data)}")]
    fields = row.data if inline else _as_case_fields(row.data)
    return list(check_value(CaseSpec, fields, row.document(), row.loc).problems)


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
    inline = isinstance(raw, list)
    cases: list[Case] = []
    first_seen: dict[str, _Row] = {}
    for row, case_spec in zip(rows, _specs(rows, inline, spec)):
        if case_spec is None:
            problems.extend(_row_problems(row, inline))
            continue
        identity = case_spec.id if case_spec.id is not None else case_id(case_spec.vars)
        if "id" in row.data:  # where the id was written (the row, when the id is a hash of its vars)
            row.loc = (*row.loc, "id")
        row.data = None  # the case holds what it needs: the raw row goes (a 100k-row file holds both at once otherwise)
        if identity in first_seen:
            first, position = first_seen[identity].position(), row.position()
            where = f"line {first.line}" if first.file == position.file else str(first)
            problems.append(Problem(position, f"duplicate case id '{identity}' (first at {where})"))
            continue
        first_seen[identity] = row
        cases.append(Case(identity, case_spec.vars, case_spec.expected, case_spec.cluster, tuple(case_spec.tags), case_spec.added))
    return cases, problems
