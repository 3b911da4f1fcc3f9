"""YAML with `safe_load` semantics that remembers where every value came from.

PyYAML's `safe_load` forgets positions and silently keeps the last of two duplicate keys.
Here the document is composed into nodes, built into plain Python values, and every
value's position is kept under its path (the tuple of keys and indices that reaches it),
so a pydantic error's `loc` can be turned into `file:line:col`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from scaffold.spec.errors import Position, Problem

Loc = tuple[str | int, ...]


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
    """Parse `text`; on a syntax error the document's data is None and one problem says where."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDocument(file, None), []
        builder = _Builder(file, loader)
        builder.doc.data = builder.build(node, ())
        return builder.doc, builder.problems
    except yaml.MarkedYAMLError as error:
        # An unclosed quote is found at the end of the file; where it opened is the useful place.
        unclosed = bool(error.context and "quoted scalar" in error.context)
        mark = (error.context_mark if unclosed else None) or error.problem_mark or error.context_mark
        position = _position(file, mark) if mark else Position(file)
        message = " ".join(part for part in (error.context, error.problem) if part)
        if unclosed:
            message = "a quoted string opened here is never closed"
        return YamlDocument(file, None), [Problem(position, f"YAML syntax error: {message}")]
    except yaml.YAMLError as error:
        return YamlDocument(file, None), [Problem(Position(file), f"YAML error: {error}")]
    finally:
        loader.dispose()


def load_yaml(path: Path, file: str | None = None) -> tuple[YamlDocument, list[Problem]]:
    """Read and parse a YAML file; `file` is how its name is shown in problems."""
    shown = file or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        return YamlDocument(shown, None), [Problem(Position(shown), f"cannot read file: {error.strerror}")]
    except UnicodeDecodeError:
        return YamlDocument(shown, None), [Problem(Position(shown), "file is not UTF-8 text")]
    return parse_yaml(text, shown)
