"""YAML with `safe_load` semantics that remembers where every value came from.

PyYAML's `safe_load` forgets positions and silently keeps the last of two duplicate keys.
Here the document is composed into nodes, built into plain Python values, and every
value's position is kept under its path (the tuple of keys and indices that reaches it),
so a pydantic error's `loc` can be turned into `file:line:col`.

Bounded, because prompt libraries arrive by pull request: a YAML file may be at most
MAX_YAML_BYTES, nest at most MAX_YAML_DEPTH collections deep, and its aliases may repeat at
most MAX_ALIAS_VALUES values in all (a few hundred bytes of nested aliases would otherwise
expand to millions of values). Each limit is refused with one problem at a line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from scaffold.spec.errors import Position, Problem

Loc = tuple[str | int, ...]

MAX_YAML_BYTES = 1_000_000
"""The largest YAML file read (prompt files, experiments, .yaml/.json case files): 1 MB. The
parser is pure Python (about 0.2 s per 100 kB here); larger case sets belong in JSONL or CSV."""
MAX_YAML_DEPTH = 64
"""How deeply collections may nest in a YAML file."""
MAX_ALIAS_VALUES = 10_000
"""How many values aliases (`*name`, `<<: *name`) may repeat in one YAML file, counted as they
are expanded."""


@dataclass
class YamlDocument:
    """A parsed YAML file: its plain data and the position of each value and key."""

    file: str
    data: Any
    value_positions: dict[Loc, Position] = field(default_factory=dict)
    key_positions: dict[Loc, Position] = field(default_factory=dict)
    text_starts: dict[Loc, int] = field(default_factory=dict)

    def position(self, loc: Loc, *, key: bool = False) -> Position:
        """The position of the value (or its key) at `loc`, or of its nearest parent."""
        loc = tuple(loc)
        while True:
            table = self.key_positions if key and loc in self.key_positions else self.value_positions
            if loc in table:
                return table[loc]
            if not loc:
                return Position(self.file, 1, 1)
            loc = loc[:-1]

    def text_line(self, loc: Loc, line_in_text: int) -> Position:
        """The file position of line `line_in_text` (from 1) of the string at `loc`."""
        start = self.text_starts.get(tuple(loc))
        if start is None:
            return self.position(loc)
        return Position(self.file, start + line_in_text - 1, 0)


def _position(file: str, mark: yaml.Mark) -> Position:
    return Position(file, mark.line + 1, mark.column + 1)


def size_problem(size: int, limit: int, what: str) -> str:
    """The message for a file of `size` bytes over `limit`: `what` is how the file is named."""
    return f"{what} is {_megabytes(size)}; the limit is {_megabytes(limit)}"


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size:,} bytes"


class _LimitReached(Exception):
    """A YAML file went past one of this module's limits at `mark`."""

    def __init__(self, mark: yaml.Mark, message: str):
        super().__init__(message)
        self.mark = mark
        self.message = message


class _BoundedLoader(yaml.SafeLoader):
    """`SafeLoader` that refuses collections nested deeper than MAX_YAML_DEPTH while composing
    (PyYAML's composer recurses, so a deep file would otherwise end in a RecursionError)."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event = self.peek_event()
        nests = isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent))
        if nests:
            self.depth += 1
            if self.depth > MAX_YAML_DEPTH:
                raise _LimitReached(event.start_mark, f"YAML collections nest more than {MAX_YAML_DEPTH} deep")
        try:
            return super().compose_node(parent, index)  # type: ignore[no-any-return]
        finally:
            if nests:
                self.depth -= 1


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def check_expansion(root: yaml.Node) -> None:
    """Raise _LimitReached when building `root` would repeat more than MAX_ALIAS_VALUES values
    through aliases, nest deeper than MAX_YAML_DEPTH once aliases are expanded, or never end (an
    alias inside the collection it names). Walks each distinct node once, without recursion."""
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    references: dict[int, int] = {}
    open_nodes: set[int] = set()
    repeated = 0
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in size:
            continue
        children = _children(node)
        if not children_done:
            open_nodes.add(id(node))
            stack.append((node, True))
            for child in children:
                if id(child) in open_nodes:
                    raise _LimitReached(child.start_mark, "YAML alias refers to a collection that contains it, so it would never end")
                if id(child) not in size:
                    stack.append((child, False))
            continue
        open_nodes.discard(id(node))
        for child in children:
            references[id(child)] = references.get(id(child), 0) + 1
            if references[id(child)] > 1:
                repeated += size[id(child)]
                if repeated > MAX_ALIAS_VALUES:
                    message = f"YAML aliases repeat more than {MAX_ALIAS_VALUES:,} values; the value anchored here is repeated past that"
                    raise _LimitReached(child.start_mark, message)
        size[id(node)] = 1 + sum(size[id(child)] for child in children)
        depth[id(node)] = 1 + max((depth[id(child)] for child in children), default=0)
        if depth[id(node)] > MAX_YAML_DEPTH + 1:
            raise _LimitReached(node.start_mark, f"YAML collections nest more than {MAX_YAML_DEPTH} deep once aliases are expanded")


class _Builder:
    def __init__(self, file: str, loader: yaml.SafeLoader):
        self.file = file
        self.loader = loader
        self.doc = YamlDocument(file, None)
        self.problems: list[Problem] = []

    def build(self, node: yaml.Node, loc: Loc) -> Any:
        self.doc.value_positions[loc] = _position(self.file, node.start_mark)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, loc)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, loc + (index,)) for index, item in enumerate(node.value)]
        value = self.loader.construct_object(node, deep=True)
        if isinstance(value, str):
            block = isinstance(node, yaml.ScalarNode) and node.style in ("|", ">")
            self.doc.text_starts[loc] = node.start_mark.line + (2 if block else 1)
        return value

    def _mapping(self, node: yaml.MappingNode, loc: Loc) -> dict[Any, Any]:
        self.loader.flatten_mapping(node)
        result: dict[Any, Any] = {}
        first_seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = self.loader.construct_object(key_node, deep=True)
            if isinstance(key, (list, dict)):
                self.problems.append(
                    Problem(_position(self.file, key_node.start_mark), "a key must be a plain value")
                )
                continue
            if key in first_seen:
                self.problems.append(
                    Problem(
                        _position(self.file, key_node.start_mark),
                        f"duplicate key '{key}' (first defined at line {first_seen[key]})",
                    )
                )
                continue
            first_seen[key] = key_node.start_mark.line + 1
            self.doc.key_positions[loc + (key,)] = _position(self.file, key_node.start_mark)
            result[key] = self.build(value_node, loc + (key,))
        return result


def parse_yaml(text: str, file: str) -> tuple[YamlDocument, list[Problem]]:
    """Parse `text`; on a syntax error or a limit reached the document's data is None and one
    problem says where."""
    if len(text) > MAX_YAML_BYTES:  # characters, a lower bound on the bytes it was read from
        return YamlDocument(file, None), [Problem(Position(file, 1, 1), size_problem(len(text), MAX_YAML_BYTES, "this YAML file"))]
    loader = _BoundedLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDocument(file, None), []
        check_expansion(node)
        builder = _Builder(file, loader)
        builder.doc.data = builder.build(node, ())
        return builder.doc, builder.problems
    except _LimitReached as limit:
        return YamlDocument(file, None), [Problem(_position(file, limit.mark), limit.message)]
    except yaml.MarkedYAMLError as error:
        return YamlDocument(file, None), [_syntax_problem(error, loader, text, file)]
    except yaml.YAMLError as error:
        return YamlDocument(file, None), [Problem(Position(file, 1, 1), f"YAML error: {error}")]
    finally:
        loader.dispose()


def _syntax_problem(error: yaml.MarkedYAMLError, loader: yaml.SafeLoader, text: str, file: str) -> Problem:
    """Where a syntax error is worth looking: an unclosed quote, `[` or `{` is found only where
    the file goes on without it (often its end), so the problem names where it opened."""
    context = error.context or ""
    problem = error.problem or ""
    if "quoted scalar" in context and error.context_mark:
        return Problem(_position(file, error.context_mark), "YAML syntax error: a quoted string opened here is never closed")
    if context.startswith("while parsing a flow"):
        opened = [mark for mark in getattr(loader, "marks", ()) if text[mark.index : mark.index + 1] in ("[", "{")]
        if opened:
            bracket = text[opened[-1].index]
            found = error.problem_mark
            where = f" at line {found.line + 1}, column {found.column + 1}" if found else ""
            message = f"YAML syntax error: the '{bracket}' opened here is not closed: {problem}{where}"
            return Problem(_position(file, opened[-1]), message)
    mark = error.problem_mark or error.context_mark
    position = _position(file, mark) if mark else Position(file, 1, 1)
    return Problem(position, f"YAML syntax error: {' '.join(part for part in (context, problem) if part)}")


class FileTooLarge(Exception):
    """A file is larger than the limit for its kind; it was not read."""

    def __init__(self, size: int, limit: int):
        super().__init__(f"{size} > {limit}")
        self.size = size
        self.limit = limit

    def message(self, what: str) -> str:
        """`what` (how the file is named) is N MB; the limit is M MB."""
        return size_problem(self.size, self.limit, what)


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of `path`; FileTooLarge, before reading, when it is larger than `limit`.
    OSError as `Path.read_bytes` raises it."""
    size = path.stat().st_size
    if size > limit:
        raise FileTooLarge(size, limit)
    return path.read_bytes()


def load_yaml(path: Path, file: str | None = None) -> tuple[YamlDocument, list[Problem]]:
    """Read and parse a YAML file; `file` is how its name is shown in problems."""
    shown = file or str(path)
    try:
        text = read_bounded(path, MAX_YAML_BYTES).decode("utf-8")
    except OSError as error:
        return YamlDocument(shown, None), [Problem(Position(shown), f"cannot read file: {error.strerror}")]
    except UnicodeDecodeError:
        return YamlDocument(shown, None), [Problem(Position(shown), "file is not UTF-8 text")]
    except FileTooLarge as error:
        return YamlDocument(shown, None), [Problem(Position(shown, 1, 1), error.message("this YAML file"))]
    return parse_yaml(text, shown)
