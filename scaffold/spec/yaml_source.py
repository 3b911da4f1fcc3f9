"""YAML with `safe_load` semantics that remembers where every value came from.

PyYAML's `safe_load` forgets positions and silently keeps the last of two duplicate keys.
Here the document is composed into nodes (which carry their marks) and built into plain
Python values; the document keeps the nodes, so a pydantic error's `loc` (the tuple of keys
and indices that reaches a value) can be turned into `file:line:col` when one is needed.

Bounded, because prompt libraries arrive by pull request: a YAML file may be at most
MAX_YAML_BYTES, nest at most MAX_YAML_DEPTH collections deep, and its aliases may repeat at
most MAX_ALIAS_VALUES values in all (a few hundred bytes of nested aliases would otherwise
expand to millions of values). Each limit is refused with one problem at a line.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from scaffold.spec.errors import Position, Problem
from scaffold.spec.yaml_document import Loc, YamlDocument, mark_position

__all__ = ["Loc", "YamlDocument", "parse_yaml", "load_yaml", "read_bounded", "FileTooLarge"]

MAX_YAML_BYTES = 1_000_000
"""The largest YAML file read (prompt files, experiments, .yaml/.json case files): 1 MB. The
file is parsed by libyaml when PyYAML has it (else by its pure-Python parser, about 0.2 s per
100 kB); larger case sets belong in JSONL or CSV."""
MAX_YAML_DEPTH = 64
"""How deeply collections may nest in a YAML file."""
MAX_ALIAS_VALUES = 10_000
"""How many values aliases (`*name`, `<<: *name`) may repeat in one YAML file, counted as they
are expanded."""


def size_problem(size: int, limit: int, what: str) -> str:
    """The message for a file of `size` bytes over `limit`: `what` is how the file is named."""
    return f"{what} is {_megabytes(size)}; the limit is {_megabytes(limit)}"


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size:,} bytes"


@contextmanager
def collection_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a file's values are built: those are
    hundreds of thousands of young objects without cycles, and each collection would walk
    them all again (it made loading 5,000 cases three times slower). Nests."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


_FastLoader: Any = getattr(yaml, "CSafeLoader", None)
"""libyaml's loader (C), when PyYAML was built with it."""


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


_STR_TAG = "tag:yaml.org,2002:str"


class _Refused(Exception):
    """The fast parse met something to report (the marked parse then says what and where)."""


class _Builder:
    """Builds plain values from a composed node tree. Strict (the fast path), it raises
    _Refused at the first thing to report; otherwise it records each as a problem."""

    def __init__(self, file: str, loader: Any, text: str, *, strict: bool):
        self.file = file
        self.loader = loader
        self.strict = strict
        self.merges = "<<" in text or "=" in text or "!" in text
        """Whether a mapping may hold a merge (`<<`, `!!merge`) or value (`=`) key, which
        PyYAML's `flatten_mapping` resolves; without one, flattening would change nothing."""
        self.problems: list[Problem] = []

    def build(self, node: yaml.Node, depth: int = 1) -> Any:
        if isinstance(node, yaml.ScalarNode):
            return node.value if node.tag == _STR_TAG else self.loader.construct_object(node, deep=True)
        if self.strict and depth > MAX_YAML_DEPTH:
            raise _Refused
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, depth)
        return [self.build(item, depth + 1) for item in node.value]

    def _mapping(self, node: yaml.MappingNode, depth: int) -> dict[Any, Any]:
        if self.merges:
            self.loader.flatten_mapping(node)
        result: dict[Any, Any] = {}
        first_seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if self.strict and not isinstance(key_node, yaml.ScalarNode):
                raise _Refused
            if key_node.tag == _STR_TAG and isinstance(key_node, yaml.ScalarNode):
                key: Any = key_node.value
            else:
                key = self.loader.construct_object(key_node, deep=True)
            if isinstance(key, (list, dict)):
                self._report(key_node, "a key must be a plain value")
                continue
            if key in first_seen:
                self._report(key_node, f"duplicate key '{key}' (first defined at line {first_seen[key]})")
                continue
            first_seen[key] = key_node.start_mark.line + 1
            result[key] = self.build(value_node, depth + 1)
        return result

    def _report(self, node: yaml.Node, message: str) -> None:
        if self.strict:
            raise _Refused
        self.problems.append(Problem(mark_position(self.file, node.start_mark), message))


def parse_yaml(text: str, file: str) -> tuple[YamlDocument, list[Problem]]:
    """Parse `text`; on a syntax error or a limit reached the document's data is None and one
    problem says where.

    libyaml parses first, when installed; only a file it refuses, or one with something to
    report, is parsed again by PyYAML's Python parser, whose marks and messages the problems
    are made from (so they read the same either way)."""
    if len(text) > MAX_YAML_BYTES:  # characters, a lower bound on the bytes it was read from
        return YamlDocument(file, None), [Problem(Position(file, 1, 1), size_problem(len(text), MAX_YAML_BYTES, "this YAML file"))]
    with collection_paused():
        parsed = _parse_fast(text, file) if _FastLoader is not None else None
        return (parsed, []) if parsed is not None else parse_yaml_marked(text, file)


def _parse_fast(text: str, file: str) -> YamlDocument | None:
    """The document libyaml composes, built strictly; None when there is anything to report.
    (libyaml refuses nesting past 1,000 levels itself, so composing cannot exhaust the stack.)"""
    loader = _FastLoader(text)
    try:
        node = loader.get_single_node()
        if node is not None and "*" in text:  # no alias without a `*`
            check_expansion(node)
        return YamlDocument(file, _Builder(file, loader, text, strict=True).build(node) if node is not None else None, root=node)
    except (yaml.YAMLError, _LimitReached, _Refused):
        return None
    finally:
        loader.dispose()


def parse_yaml_marked(text: str, file: str) -> tuple[YamlDocument, list[Problem]]:
    """`parse_yaml` with PyYAML's Python parser alone: what every problem is reported from."""
    loader = _BoundedLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDocument(file, None), []
        check_expansion(node)
        builder = _Builder(file, loader, text, strict=False)
        return YamlDocument(file, builder.build(node), root=node), builder.problems
    except _LimitReached as limit:
        return YamlDocument(file, None), [Problem(mark_position(file, limit.mark), limit.message)]
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
        return Problem(mark_position(file, error.context_mark), "YAML syntax error: a quoted string opened here is never closed")
    if context.startswith("while parsing a flow"):
        opened = [mark for mark in getattr(loader, "marks", ()) if text[mark.index : mark.index + 1] in ("[", "{")]
        if opened:
            bracket = text[opened[-1].index]
            found = error.problem_mark
            where = f" at line {found.line + 1}, column {found.column + 1}" if found else ""
            message = f"YAML syntax error: the '{bracket}' opened here is not closed: {problem}{where}"
            return Problem(mark_position(file, opened[-1]), message)
    mark = error.problem_mark or error.context_mark
    position = mark_position(file, mark) if mark else Position(file, 1, 1)
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
