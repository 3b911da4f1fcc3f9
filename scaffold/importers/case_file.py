"""What every importer shares: redact, deduplicate, stamp `added:`, write a case file, check it.

A case's identity is the one the loader gives it (its `id`, else the hash of its vars), so a
case file written here never holds two cases the loader would call duplicates. Writing into a
file that exists keeps its cases (and their `added:` days) and appends only the new ones: a
case set grows import after import, and each case remembers when it joined.
"""

from __future__ import annotations

import datetime
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from scaffold.importers.redact import redact_value
from scaffold.spec.cases import case_id, load_cases
from scaffold.spec.errors import Problem, display_path
from scaffold.spec.experiment import CaseSpec
from scaffold.spec.yaml_source import YamlDocument


def today() -> str:
    """The `added:` stamp of cases imported now: today's UTC date, `YYYY-MM-DD`."""
    return datetime.datetime.now(datetime.timezone.utc).date().isoformat()


def identity(case: CaseSpec) -> str:
    """The id the loader gives `case`: its own, else the stable hash of its vars."""
    return case.id if case.id is not None else case_id(case.vars)


@dataclass(frozen=True)
class PreparedCases:
    """Imported cases ready to write, and how many duplicates were dropped."""

    cases: tuple[CaseSpec, ...]
    duplicates: int


def prepare(cases: Iterable[CaseSpec], *, redact: bool, added: str) -> PreparedCases:
    """Redact (when asked) first, so two rows that differ only in a secret become one case;
    then keep the first of each identity and stamp the rest of the day `added`."""
    unique: dict[str, CaseSpec] = {}
    duplicates = 0
    for case in cases:
        if redact:
            case = case.model_copy(update={"vars": redact_value(case.vars), "expected": redact_value(case.expected)})
        key = identity(case)
        if key in unique:
            duplicates += 1
            continue
        unique[key] = case if case.added else case.model_copy(update={"added": added})
    return PreparedCases(tuple(unique.values()), duplicates)


def case_line(case: CaseSpec) -> str:
    """One JSONL row: the fields that are set, `vars` always (so no var is taken for a field)."""
    row = case.model_dump(mode="json", exclude_defaults=True)
    row["vars"] = case.vars
    ordered = {key: row[key] for key in ("id", "vars", "expected", "cluster", "tags", "added") if key in row}
    return json.dumps(ordered, ensure_ascii=False, sort_keys=False) + "\n"


def check_case_file(path: Path) -> list[Problem]:
    """Every problem the loader finds in the case file at `path` (the same file:line messages
    as for a file written by hand)."""
    doc = YamlDocument(display_path(path), None)
    _, problems = load_cases(path.name, None, doc, (), path.parent)
    return problems


@dataclass(frozen=True)
class WrittenCases:
    """What writing a case file did."""

    path: Path
    added: int
    """New cases appended."""
    kept: int
    """Cases the file already held (an imported case equal to one of them is not added again)."""
    duplicates: int
    """Imported rows dropped as duplicates of another imported row or of a kept case."""
    problems: tuple[Problem, ...] = ()
    """Problems in the file that was there (nothing was written) or in what was written."""


def write_case_file(path: Path, prepared: PreparedCases) -> WrittenCases:
    """Append the prepared cases that `path` does not hold yet (creating it), then check it."""
    existing: set[str] = set()
    old_text = ""
    if path.exists():
        problems = check_case_file(path)
        if problems:
            return WrittenCases(path, 0, 0, 0, tuple(problems))
        old_text = path.read_text(encoding="utf-8")
        doc = YamlDocument(display_path(path), None)
        kept, _ = load_cases(path.name, None, doc, (), path.parent)
        existing = {case.id for case in kept}
    new = [case for case in prepared.cases if identity(case) not in existing]
    duplicates = prepared.duplicates + len(prepared.cases) - len(new)
    if old_text and not old_text.endswith("\n"):
        old_text += "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(old_text + "".join(case_line(case) for case in new), encoding="utf-8")
    os.replace(temporary, path)
    return WrittenCases(path, len(new), len(existing), duplicates, tuple(check_case_file(path)))
