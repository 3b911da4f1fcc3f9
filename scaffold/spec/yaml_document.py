"""A parsed YAML file's plain data, and where each of its values and keys was written.

Positions are read only when a problem or a template needs one: the document keeps the node
tree the parser composed (every node carries its marks) and walks it along a path (the tuple
of keys and indices that reaches a value) on demand, so loading a file with thousands of
cases records nothing per value. A document made in code (a JSONL line, a generator's rows)
gives its few positions as tables instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from scaffold.spec.errors import Position

Loc = tuple[str | int, ...]

_SCALARS = SafeConstructor()
"""Builds key scalars again when a mapping's keys are first looked up (the way the document
was built: `safe_load` semantics)."""


def mark_position(file: str, mark: yaml.Mark) -> Position:
    """The position (from 1) of a parser mark (from 0)."""
    return Position(file, mark.line + 1, mark.column + 1)


def scalar_key(node: yaml.ScalarNode) -> Any:
    """The plain value of a key node, as `safe_load` builds it."""
    return SafeConstructor.yaml_constructors[node.tag](_SCALARS, node)


@dataclass
class YamlDocument:
    """A parsed YAML file: its plain data and the position of each value and key."""

    file: str
    data: Any
    value_positions: dict[Loc, Position] = field(default_factory=dict)
    """Positions given in code, for a document without `root`."""
    key_positions: dict[Loc, Position] = field(default_factory=dict)
    text_starts: dict[Loc, int] = field(default_factory=dict)
    root: yaml.Node | None = None
    """The composed node tree `data` was built from (its mappings merged), when parsed."""
    _pairs: dict[int, dict[Any, tuple[yaml.Node, yaml.Node]]] = field(default_factory=dict, repr=False)

    def position(self, loc: Loc, *, key: bool = False) -> Position:
        """The position of the value (or its key) at `loc`, or of its nearest parent."""
        loc = tuple(loc)
        while True:
            found = self._positions(loc)
            if found is not None:
                key_position, value_position = found
                return key_position if key and key_position is not None else value_position
            if not loc:
                return Position(self.file, 1, 1)
            loc = loc[:-1]

    def has(self, loc: Loc) -> bool:
        """Whether a value was written at `loc`."""
        return self._positions(tuple(loc)) is not None

    def text_start(self, loc: Loc) -> int | None:
        """The file line of the first line of the string at `loc` (for a block scalar, the
        line after `|`); None when no string stands there."""
        loc = tuple(loc)
        if self.root is None:
            return self.text_starts.get(loc)
        found = self._nodes(loc)
        if found is None or not isinstance(found[1], yaml.ScalarNode) or not isinstance(self._value(loc), str):
            return None
        node = found[1]
        return int(node.start_mark.line) + (2 if node.style in ("|", ">") else 1)

    def text_line(self, loc: Loc, line_in_text: int) -> Position:
        """The file position of line `line_in_text` (from 1) of the string at `loc`."""
        start = self.text_start(loc)
        if start is None:
            return self.position(loc)
        return Position(self.file, start + line_in_text - 1, 0)

    def _positions(self, loc: Loc) -> tuple[Position | None, Position] | None:
        if self.root is None:
            value = self.value_positions.get(loc)
            return None if value is None else (self.key_positions.get(loc), value)
        found = self._nodes(loc)
        if found is None:
            return None
        key_node, node = found
        key_position = mark_position(self.file, key_node.start_mark) if key_node is not None else None
        return key_position, mark_position(self.file, node.start_mark)

    def _nodes(self, loc: Loc) -> tuple[yaml.Node | None, yaml.Node] | None:
        """(key node, value node) at `loc`; None when nothing was written there."""
        key_node: yaml.Node | None = None
        node = self.root
        assert node is not None
        for element in loc:
            if isinstance(node, yaml.MappingNode):
                pair = self._mapping_pairs(node).get(element)
                if pair is None:
                    return None
                key_node, node = pair
            elif isinstance(node, yaml.SequenceNode) and isinstance(element, int) and 0 <= element < len(node.value):
                key_node, node = None, node.value[element]
            else:
                return None
        return key_node, node

    def _mapping_pairs(self, node: yaml.MappingNode) -> dict[Any, tuple[yaml.Node, yaml.Node]]:
        """Key -> (key node, value node) of a merged mapping node; the first of duplicates and
        plain keys only, as the data was built."""
        pairs = self._pairs.get(id(node))
        if pairs is None:
            pairs = {}
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    pairs.setdefault(scalar_key(key_node), (key_node, value_node))
            self._pairs[id(node)] = pairs
        return pairs

    def _value(self, loc: Loc) -> Any:
        value = self.data
        for element in loc:
            value = value[element]
        return value
