"""One prompt file (`prompts/NAME.yaml`) read from the work tree or a git revision: its
variants and scaffolds that validate, where each value was written, and its problems."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from scaffold.spec.checking import check_fields
from scaffold.spec.errors import Position, Problem
from scaffold.spec.problems import show_value
from scaffold.spec.prompt_file import PromptFile, ScaffoldSpec, VariantSpec
from scaffold.spec.refs import valid_name
from scaffold.spec.yaml_source import Loc, YamlDocument, parse_yaml


@dataclass
class PromptSource:
    """A prompt file as loaded. A variant or scaffold that does not validate is left out of
    `variants`/`scaffolds` (its problems are in `problems`) but stays in `declared_*`, so a
    reference to it is not also reported as missing."""

    name: str
    """The file's name below prompts/ without `.yaml` (`arith`, `agents/solver`)."""
    path: str
    """Its path relative to the library root (`prompts/arith.yaml`)."""
    display: str
    """How problems name it: its path from the current folder, with `@REV` when read at one."""
    commit: str | None
    found: bool
    digest: str | None = None
    """sha256 of the file's bytes."""
    doc: YamlDocument = field(default_factory=lambda: YamlDocument("", None))
    description: str = ""
    variants: dict[str, VariantSpec] = field(default_factory=dict)
    scaffolds: dict[str, ScaffoldSpec] = field(default_factory=dict)
    declared_variants: tuple[str, ...] = ()
    declared_scaffolds: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()
    lines: tuple[str, ...] = ()
    readable: bool = True
    """False when the file is not YAML (or not text): what it declares is unknown, so no
    reference into it is reported as missing."""

    def template_source(self, loc: Loc) -> Position:
        """Where the first line of the template text at `loc` stands (for a block scalar, the
        line after `|` at its indentation), so template line N maps to file line + N - 1."""
        value = self.doc.position(loc)
        start = self.doc.text_start(loc)
        if start is None or start == value.line or start > len(self.lines):
            return value
        line = self.lines[start - 1]
        return Position(value.file, start, len(line) - len(line.lstrip(" ")) + 1)


def _mixed(spec: VariantSpec) -> str:
    shortcuts = " and ".join(name for name in ("system", "user") if getattr(spec, name) is not None)
    return (
        f"a variant gives either messages or {shortcuts}, not both: write every turn in messages, or give "
        "messages in a variant that extends this one (few-shot turns between its system and user)"
    )


def _name_problems(doc: YamlDocument, section: str, names: list[Any]) -> list[Problem]:
    what = section.rstrip("s")
    return [
        Problem(
            doc.position((section, name), key=True),
            f"{what} name {show_value(name)} may hold only letters, digits, '_', '-' and '.'",
        )
        for name in names
        if not valid_name(name)
    ]


def load_prompt_source(name: str, data: bytes | None, path: str, display: str, commit: str | None) -> PromptSource:
    """Parse and validate a prompt file's bytes (None: the file does not exist)."""
    if data is None:
        return PromptSource(name, path, display, commit, found=False)
    digest = hashlib.sha256(data).hexdigest()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        problem = Problem(Position(display), "file is not UTF-8 text")
        return PromptSource(name, path, display, commit, True, digest, problems=(problem,), readable=False)
    doc, problems = parse_yaml(text, display)
    source = PromptSource(name, path, display, commit, True, digest, doc, lines=tuple(text.splitlines()))
    source.readable = doc.data is not None or not problems
    content = {} if doc.data is None else doc.data
    if not isinstance(content, dict):
        message = f"a prompt file is a mapping with `variants:` (and `scaffolds:`), got {show_value(content)}"
        source.problems = (*problems, Problem(doc.position(()), message))
        return source
    fields = check_fields(PromptFile, content, doc)
    problems.extend(fields.problems)
    declared: dict[str, list[Any]] = {}
    for section in ("variants", "scaffolds"):
        names = list(content[section]) if isinstance(content.get(section), dict) else []
        problems.extend(_name_problems(doc, section, names))
        declared[section] = [str(name) for name in names]
    source.description = fields.values.get("description", "")
    variants = {key: spec for key, spec in fields.values.get("variants", {}).items() if valid_name(key)}
    mixed = [key for key, spec in variants.items() if spec.messages is not None and (spec.system, spec.user) != (None, None)]
    problems.extend(Problem(doc.position(("variants", key, "messages"), key=True), _mixed(variants[key])) for key in mixed)
    source.variants = {key: spec for key, spec in variants.items() if key not in mixed}
    source.scaffolds = {key: spec for key, spec in fields.values.get("scaffolds", {}).items() if valid_name(key)}
    source.declared_variants = tuple(declared["variants"])
    source.declared_scaffolds = tuple(declared["scaffolds"])
    source.problems = tuple(problems)
    return source
