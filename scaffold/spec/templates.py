"""The Jinja2 templates of a library, and the checks `validate` runs on them before anything renders.

Every template renders in one immutable sandbox per (library, revision), with StrictUndefined,
and `{% include %}`/`{% import %}` read from the library's `prompts/` folder (at the same git
revision for `@REV` variants). The static checks find, without rendering: syntax errors,
reaches for private attributes, includes that do not exist (or include each other), and the
variables a template needs from a case, its includes' included.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterator

from jinja2 import BaseLoader, FileSystemLoader, StrictUndefined, TemplateSyntaxError, meta, nodes
from jinja2.exceptions import TemplateNotFound
from jinja2.loaders import split_template_path
from jinja2.sandbox import ImmutableSandboxedEnvironment

from scaffold.spec.errors import Position, Problem, did_you_mean, display_path
from scaffold.spec.folders import PROMPTS_DIR
from scaffold.spec.git_source import GitTemplateLoader, files_at, read_at


@lru_cache(maxsize=32)
def template_environment(root: Path | None, commit: str | None = None) -> ImmutableSandboxedEnvironment:
    """The sandbox for the library at `root` (at `commit`, or the work tree when None).

    With `root` None nothing can be included (check values, nudges)."""
    loader: BaseLoader | None = None
    if root is not None:
        prompts = root / PROMPTS_DIR
        loader = FileSystemLoader(str(prompts)) if commit is None else GitTemplateLoader(root, commit, PROMPTS_DIR)
    return ImmutableSandboxedEnvironment(loader=loader, undefined=StrictUndefined, autoescape=False)


@dataclass(frozen=True)
class TemplateReport:
    """What the static checks found in one template and everything it includes."""

    variables: frozenset[str]
    """Names the template reads from its context (a case's vars), includes' included."""
    included: tuple[str, ...]
    """Every template reached through include/import, recursively, by name below prompts/."""
    problems: tuple[Problem, ...]


def _private_name(node: nodes.Node) -> str | None:
    """The attribute or key `node` reaches when it starts with `_` (`x.__class__`, `x['_y']`, `x|attr('_z')`)."""
    name: object = None
    if isinstance(node, nodes.Getattr):
        name = node.attr
    elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        name = node.arg.value
    elif isinstance(node, nodes.Filter) and node.name == "attr" and node.args and isinstance(node.args[0], nodes.Const):
        name = node.args[0].value
    return name if isinstance(name, str) and name.startswith("_") else None


def _inner_steps(node: nodes.Node) -> Iterator[nodes.Node]:
    inner = getattr(node, "node", None)
    while isinstance(inner, (nodes.Getattr, nodes.Getitem, nodes.Filter)):
        yield inner
        inner = inner.node


def private_accesses(tree: nodes.Template) -> list[tuple[int, str]]:
    """(line, name) of each expression that reaches a private attribute, named by its first such step."""
    found = []
    for node in tree.find_all((nodes.Getattr, nodes.Getitem, nodes.Filter)):
        name = _private_name(node)
        if name and not any(_private_name(step) for step in _inner_steps(node)):
            found.append((node.lineno, name))
    return found


def _include_nodes(tree: nodes.Template) -> Iterator[nodes.Include | nodes.Import | nodes.FromImport | nodes.Extends]:
    """Every node that reads another template."""
    return tree.find_all((nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends))  # type: ignore[return-value]


class TemplateSet:
    """The templates of one library at one revision (None: the work tree), with cached checks."""

    def __init__(self, root: Path | None, commit: str | None = None, label: str | None = None):
        self.root = root
        self.commit = commit
        self.label = label or (commit[:12] if commit else None)
        """How the revision is shown after `@` in problems (the revision as the user wrote it)."""
        self._text_reports: dict[tuple[str, Position], TemplateReport] = {}
        self._file_reports: dict[tuple[str, tuple[str, ...]], TemplateReport] = {}
        self._names: list[str] | None = None

    @property
    def environment(self) -> ImmutableSandboxedEnvironment:
        """The sandbox these templates render in."""
        return template_environment(self.root, self.commit)

    def read(self, name: str) -> bytes | None:
        """The bytes of template `name` (a path below prompts/), or None when there is none."""
        if self.root is None:
            return None
        try:
            parts = split_template_path(name)
        except TemplateNotFound:
            return None
        if self.commit is not None:
            return read_at(self.root, self.commit, "/".join([PROMPTS_DIR, *parts]))
        path = self.root.joinpath(PROMPTS_DIR, *parts)
        try:
            return path.read_bytes()
        except OSError:
            return None

    def digest(self, name: str) -> str | None:
        """sha256 of template `name`, or None when there is none."""
        data = self.read(name)
        return hashlib.sha256(data).hexdigest() if data is not None else None

    def display(self, name: str) -> str:
        """How problems name template `name`: its path from the current folder, `@REV` when at one."""
        shown = display_path(self.root / PROMPTS_DIR / name) if self.root else name
        return f"{shown}@{self.label}" if self.commit else shown

    def names(self) -> list[str]:
        """Every file below prompts/ (for did-you-mean)."""
        if self._names is None:
            if self.root is None:
                self._names = []
            elif self.commit is not None:
                self._names = list(files_at(self.root, self.commit, PROMPTS_DIR))
            else:
                prompts = self.root / PROMPTS_DIR
                self._names = sorted(path.relative_to(prompts).as_posix() for path in prompts.rglob("*") if path.is_file())
        return self._names

    def check_text(self, text: str, source: Position) -> TemplateReport:
        """Check a template written in a YAML value; `source` is where its first line stands."""
        key = (text, source)
        if key not in self._text_reports:
            def place(line: int) -> Position:
                return Position(source.file, source.line + line - 1, source.col)

            self._text_reports[key] = self._check(text, place, ())
        return self._text_reports[key]

    def check_file(self, name: str, stack: tuple[str, ...] = ()) -> TemplateReport:
        """Check template file `name` (below prompts/); `stack` holds the files including it."""
        key = (name, stack)
        if key not in self._file_reports:
            data = self.read(name) or b""
            display = self.display(name)

            def place(line: int) -> Position:
                return Position(display, line, 0)

            self._file_reports[key] = self._check(data.decode("utf-8", errors="replace"), place, (*stack, name))
        return self._file_reports[key]

    def _cycle_problem(self, members: tuple[str, ...]) -> Problem:
        """An include cycle, told from its first member by name and placed at the include that
        closes it there, so the same cycle found from anywhere is one problem."""
        first = members.index(min(members))
        members = members[first:] + members[:first]
        includer, line = members[-1], 0
        tree = self.environment.parse((self.read(includer) or b"").decode("utf-8", errors="replace"))
        for node in _include_nodes(tree):
            if isinstance(node.template, nodes.Const) and node.template.value == members[0]:
                line = node.lineno
                break
        return Problem(Position(self.display(includer), line, 0), f"include cycle: {' -> '.join((*members, members[0]))}")

    def _check(self, text: str, place: Callable[[int], Position], stack: tuple[str, ...]) -> TemplateReport:
        try:
            tree = self.environment.parse(text)
        except TemplateSyntaxError as error:
            return TemplateReport(frozenset(), (), (Problem(place(error.lineno), f"template syntax error: {error.message}"),))
        problems = [
            Problem(place(line), f"template reaches a private attribute '{name}': refused by the sandbox")
            for line, name in private_accesses(tree)
        ]
        try:
            variables = set(meta.find_undeclared_variables(tree))
        except TemplateSyntaxError as error:  # found compiling, not parsing: an unknown filter or test
            return TemplateReport(frozenset(), (), (*problems, Problem(place(error.lineno), f"template error: {error.message}")))
        declared = {node.name for node in tree.find_all(nodes.Name) if node.ctx in ("store", "param")}
        included: list[str] = []
        for node in _include_nodes(tree):
            name = node.template.value if isinstance(node.template, nodes.Const) else None
            if not isinstance(name, str):
                continue  # a name computed at render time: checked when it renders
            if name in stack:
                problems.append(self._cycle_problem(stack[stack.index(name):]))
                continue
            if self.read(name) is None:
                if not getattr(node, "ignore_missing", False):
                    hint = did_you_mean(name, self.names())
                    problems.append(Problem(place(node.lineno), f"template '{name}' not found{hint}"))
                continue
            report = self.check_file(name, stack)
            included.extend([name, *report.included])
            problems.extend(report.problems)
            if isinstance(node, (nodes.Include, nodes.Extends)) or getattr(node, "with_context", False):
                variables |= report.variables - declared
        return TemplateReport(frozenset(variables), tuple(dict.fromkeys(included)), tuple(problems))
