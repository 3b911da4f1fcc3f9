"""Reading a promptfoo config: its prompts, providers and tests, with the files they name.

What cannot be read is a problem (exit 2); what can be read but not carried over into a
scaffold library is a note. Both name the file and line, like every message of scaffold.
"""

from __future__ import annotations

import csv
import itertools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from scaffold.importers.promptfoo_asserts import csv_assertion
from scaffold.spec.errors import Position, Problem, display_path
from scaffold.spec.yaml_source import Loc, YamlDocument, load_yaml

FILE_PREFIX = "file://"
TEXT_PROMPT_SUFFIXES = (".txt", ".md", ".j2", ".njk", ".nunjucks", ".prompt")
ROLES = ("system", "user", "assistant")


@dataclass(frozen=True)
class PromptSource:
    """One promptfoo prompt: a name and its messages as (role, template)."""

    name: str
    messages: tuple[tuple[str, str], ...]
    position: Position


@dataclass
class TestSource:
    """One promptfoo test (after var lists are expanded): its vars and raw assertions."""

    vars: dict[str, Any]
    asserts: list[tuple[Any, Position]]
    position: Position


@dataclass
class PromptfooConfig:
    """A promptfoo config read from disk: problems stop the import, notes are reported."""

    path: Path
    doc: YamlDocument = field(init=False)
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.doc, problems = load_yaml(self.path, display_path(self.path))
        self.problems.extend(problems)
        if self.doc.data is not None and not isinstance(self.doc.data, dict):
            self.problems.append(Problem(self.doc.position(()), "a promptfoo config is a mapping"))

    @property
    def data(self) -> dict[str, Any]:
        return self.doc.data if isinstance(self.doc.data, dict) else {}

    def at(self, loc: Loc) -> Position:
        return self.doc.position(loc)

    def note(self, loc: Loc | Position, message: str) -> None:
        position = loc if isinstance(loc, Position) else self.at(loc)
        self.notes.append(Problem(position, f"not carried over: {message}"))

    def problem(self, loc: Loc | Position, message: str) -> None:
        position = loc if isinstance(loc, Position) else self.at(loc)
        self.problems.append(Problem(position, message))

    def _file(self, reference: str) -> Path:
        return self.path.parent / reference.removeprefix(FILE_PREFIX)

    def _read_text(self, reference: str, loc: Loc) -> str | None:
        path = self._file(reference)
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            self.problem(loc, f"cannot read {reference}: {getattr(error, 'strerror', None) or error}")
            return None

    # prompts -------------------------------------------------------------------------------

    def prompts(self) -> list[PromptSource]:
        """Every prompt as a named list of messages (names as promptfoo labels them, else prompt_N)."""
        raw = self.data.get("prompts")
        if raw is None:
            self.problem((), "the config has no prompts")
            return []
        items: list[tuple[Any, str | None, Loc]]
        if isinstance(raw, str):
            items = [(raw, None, ("prompts",))]
        elif isinstance(raw, dict):
            items = [(key, str(label), ("prompts", key)) for key, label in raw.items()]
        elif isinstance(raw, list):
            items = [(item, None, ("prompts", index)) for index, item in enumerate(raw)]
        else:
            self.problem(("prompts",), "prompts is a string, a list or a mapping")
            return []
        found: list[PromptSource] = []
        for item, label, loc in items:
            found.extend(self._prompt_item(item, label, loc))
        names: set[str] = set()
        unique = []
        for index, prompt in enumerate(found, 1):
            name = prompt.name or f"prompt_{index}"
            while name in names:
                name += "_"
            names.add(name)
            unique.append(PromptSource(name, prompt.messages, prompt.position))
        return unique

    def _prompt_item(self, item: Any, label: str | None, loc: Loc) -> list[PromptSource]:
        if isinstance(item, dict):
            # promptfoo's object form: {raw: TEXT} or {id: file://PATH}, either with a label.
            identifier = item.get("id")
            label = item.get("label") or label
            item = item.get("raw", identifier)
            if label is None and isinstance(identifier, str) and not identifier.startswith(FILE_PREFIX):
                label = identifier
        if not isinstance(item, str):
            self.note(loc, "a prompt that is not text, a file or {raw: ...}")
            return []
        if not item.startswith(FILE_PREFIX):
            return [self._prompt_text(item, label, loc)]
        reference = item
        suffix = Path(reference.split(":", 2)[-1] if reference.count(":") > 1 else reference).suffix
        if suffix in (".py", ".js", ".ts", ".mjs", ".cjs"):
            self.note(loc, f"prompt {reference}: prompts made by code are not carried over")
            return []
        if "*" in reference:
            self.note(loc, f"prompt {reference}: globs are not expanded")
            return []
        text = self._read_text(reference, loc)
        if text is None:
            return []
        stem = label or Path(reference).stem
        if suffix in (".yaml", ".yml"):
            try:
                loaded = yaml.safe_load(text)
                text = loaded if isinstance(loaded, str) else json.dumps(loaded)
            except yaml.YAMLError:
                self.problem(loc, f"prompt {reference}: not YAML")
                return []
        if suffix in (".json", ".yaml", ".yml"):
            return [self._prompt_text(text, stem, loc)]
        parts = [part.strip("\n") for part in re.split(r"^---$", text, flags=re.MULTILINE) if part.strip()]
        if len(parts) == 1:
            return [self._prompt_text(parts[0], stem, loc)]
        return [self._prompt_text(part, f"{stem}_{index}", loc) for index, part in enumerate(parts, 1)]

    def _prompt_text(self, text: str, label: str | None, loc: Loc) -> PromptSource:
        name = re.sub(r"[^A-Za-z0-9_-]+", "_", label).strip("_") if label else ""
        chat = _chat_messages(text)
        if chat is not None:
            return PromptSource(name, chat, self.at(loc))
        return PromptSource(name, (("user", text),), self.at(loc))

    # providers -----------------------------------------------------------------------------

    def providers(self) -> list[tuple[Any, Loc]]:
        """The raw provider entries (`providers:` or its newer name `targets:`) and where they stand."""
        key = "providers" if "providers" in self.data else "targets"
        raw = self.data.get(key)
        if raw is None:
            return []
        if isinstance(raw, str) or (isinstance(raw, dict) and "id" in raw):
            return [(raw, (key,))]
        if isinstance(raw, dict):  # {provider id: its options}
            return [({"id": name, **(value or {})}, (key, name)) for name, value in raw.items()]
        if isinstance(raw, list):
            return [(item, (key, index)) for index, item in enumerate(raw)]
        self.problem((key,), f"{key} is a string, a list or a mapping")
        return []

    # tests ---------------------------------------------------------------------------------

    def default_test(self) -> tuple[dict[str, Any], list[tuple[Any, Position]]]:
        """`defaultTest`'s vars and assertions (it may name a YAML file)."""
        raw = self.data.get("defaultTest")
        if raw is None:
            return {}, []
        loc: Loc = ("defaultTest",)
        if isinstance(raw, str) and raw.startswith(FILE_PREFIX):
            loaded = self._yaml_file(raw, loc)
            raw = loaded.data if loaded else None
        if not isinstance(raw, dict):
            self.problem(loc, "defaultTest is a mapping")
            return {}, []
        self._note_unused(raw, loc)
        case_vars = self._vars(raw.get("vars"), (*loc, "vars"))
        return case_vars, self._asserts(raw.get("assert"), (*loc, "assert"))

    def tests(self) -> list[TestSource]:
        """Every test, with list-valued vars expanded into one test per combination (as promptfoo does)."""
        raw = self.data.get("tests")
        if raw is None:
            self.problem((), "the config has no tests")
            return []
        entries = raw if isinstance(raw, list) else [raw]
        tests: list[TestSource] = []
        for index, entry in enumerate(entries):
            loc: Loc = ("tests", index) if isinstance(raw, list) else ("tests",)
            if isinstance(entry, str):
                tests.extend(self._tests_file(entry, loc))
            elif isinstance(entry, dict):
                self._note_unused(entry, loc)
                case_vars = self._vars(entry.get("vars"), (*loc, "vars"))
                asserts = self._asserts(entry.get("assert"), (*loc, "assert"))
                tests.extend(_expanded(case_vars, asserts, self.at(loc)))
            else:
                self.problem(loc, "a test is a mapping or a file:// reference")
        return tests

    def _note_unused(self, test: dict[str, Any], loc: Loc) -> None:
        for key in ("options", "threshold", "provider", "providerOutput"):
            if key in test:
                self.note((*loc, key), f"test `{key}`")

    def _vars(self, raw: Any, loc: Loc) -> dict[str, Any]:
        if raw is None:
            return {}
        if isinstance(raw, str) and raw.startswith(FILE_PREFIX):
            loaded = self._yaml_file(raw, loc)
            raw = loaded.data if loaded else {}
        if not isinstance(raw, dict):
            self.problem(loc, "vars is a mapping")
            return {}
        resolved: dict[str, Any] = {}
        for name, value in raw.items():
            if isinstance(value, str) and value.startswith(FILE_PREFIX):
                if Path(value).suffix in (".py", ".js", ".ts"):
                    self.note((*loc, name), f"var `{name}` made by code ({value})")
                    continue
                value = self._read_text(value, (*loc, name))
            resolved[str(name)] = value
        return resolved

    def _asserts(self, raw: Any, loc: Loc) -> list[tuple[Any, Position]]:
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.problem(loc, "assert is a list of assertions")
            return []
        return [(item, self.at((*loc, index))) for index, item in enumerate(raw)]

    def _yaml_file(self, reference: str, loc: Loc) -> YamlDocument | None:
        path = self._file(reference)
        if not path.is_file():
            self.problem(loc, f"{reference}: no such file")
            return None
        doc, problems = load_yaml(path, display_path(path))
        self.problems.extend(problems)
        return None if problems else doc

    def _tests_file(self, reference: str, loc: Loc) -> list[TestSource]:
        path = self._file(reference)
        if path.suffix == ".csv":
            return self._csv_tests(path, reference, loc)
        if path.suffix in (".yaml", ".yml", ".json"):
            doc = self._yaml_file(reference, loc)
            if doc is None:
                return []
            if not isinstance(doc.data, list):
                self.problem(doc.position(()), "a tests file holds a list of tests")
                return []
            tests: list[TestSource] = []
            for index, entry in enumerate(doc.data):
                if not isinstance(entry, dict):
                    self.problem(doc.position((index,)), "a test is a mapping")
                    continue
                case_vars = entry.get("vars") if isinstance(entry.get("vars"), dict) else {}
                asserts = [(item, doc.position((index, "assert", n))) for n, item in enumerate(entry.get("assert") or [])]
                tests.extend(_expanded(dict(case_vars), asserts, doc.position((index,))))
            return tests
        self.note(loc, f"tests from {reference} (only .csv, .yaml and .json test files are read)")
        return []

    def _csv_tests(self, path: Path, reference: str, loc: Loc) -> list[TestSource]:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            self.problem(loc, f"cannot read {reference}: {getattr(error, 'strerror', None) or error}")
            return []
        file = display_path(path)
        reader = csv.DictReader(text.splitlines())
        tests: list[TestSource] = []
        for row in reader:
            where = Position(file, reader.line_num, 1)
            case_vars = {key: value for key, value in row.items() if key and not key.startswith("__")}
            asserts = [
                (csv_assertion(value), where)
                for key, value in row.items()
                if key and key.startswith("__expected") and value and value.strip()
            ]
            for key in row:
                if key and key.startswith("__") and not key.startswith(("__expected", "__description")):
                    self.note(where, f"CSV column `{key}`")
            tests.append(TestSource(case_vars, asserts, where))
        return tests


def _chat_messages(text: str) -> tuple[tuple[str, str], ...] | None:
    """A prompt written as a JSON (or YAML) list of {role, content}, as (role, template) pairs."""
    stripped = text.strip()
    if not stripped.startswith("["):
        return None
    try:
        data = json.loads(stripped)
    except ValueError:
        return None
    if not isinstance(data, list) or not data:
        return None
    messages = []
    for item in data:
        if not (isinstance(item, dict) and item.get("role") in ROLES and isinstance(item.get("content"), str)):
            return None
        messages.append((item["role"], item["content"]))
    return tuple(messages)


def _expanded(case_vars: dict[str, Any], asserts: list[tuple[Any, Position]], at: Position) -> list[TestSource]:
    """promptfoo runs a test once per combination of its list-valued vars."""
    listed = [name for name, value in case_vars.items() if isinstance(value, list)]
    if not listed:
        return [TestSource(case_vars, asserts, at)]
    combinations = itertools.product(*(case_vars[name] for name in listed))
    return [TestSource({**case_vars, **dict(zip(listed, values))}, asserts, at) for values in combinations]
