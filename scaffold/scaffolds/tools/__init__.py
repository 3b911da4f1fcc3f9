"""Tools a scaffold offers the model: the built-ins and the user's `module:function` tools.

`build_tools(["calculator", "tools:get_weather"], root)` gives a `Toolbox`; a scaffold binds
it to a cell with `toolbox.session(context)` and runs the model's calls with
`await session.call(name, raw_json_arguments)`. A bare name is looked up in the registry:
the built-ins of `builtin.py`, then the tools installed packages add (`scaffold.tools`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from scaffold.registry import REGISTRY, PluginError
from scaffold.scaffolds.tools.builtin import CalculatorError, calculate, lookup_value
from scaffold.scaffolds.tools.toolbox import (
    Tool,
    ToolError,
    ToolFailure,
    ToolResult,
    ToolSession,
    Toolbox,
    result_text,
)
from scaffold.scaffolds.tools.user import function_tool, tool_schema, user_tool

_toolboxes: dict[tuple[tuple[str, ...], Path], Toolbox] = {}
"""Toolboxes already built, by (tool names, library folder): user modules import once."""


def build_tools(names: Iterable[str], root: Path) -> Toolbox:
    """The toolbox for these tool names, in order, each once: registered names (`calculator`,
    `lookup`, `submit`, a plugin's) and user tools (`module:function`, imported from the
    library at `root`). Raises ToolError for an unknown name, an unusable function or a name clash."""
    unique_names = tuple(dict.fromkeys(names))
    key = (unique_names, root.resolve())
    if key not in _toolboxes:
        _toolboxes[key] = Toolbox([user_tool(root, name) if ":" in name else registered_tool(name) for name in unique_names])
    return _toolboxes[key]


def registered_tool(name: str) -> Tool:
    """The tool registered as `name`: a built-in `Tool`, or a plugin's function offered under
    that name. Raises ToolError for an unknown name or a plugin that cannot be used."""
    entry = REGISTRY.get("tool", name)
    if entry is None:
        raise ToolError(f"unknown tool '{name}': use {', '.join(REGISTRY.names('tool'))} or module:function")
    try:
        target = entry.load()
    except PluginError as error:
        raise ToolError(str(error)) from None
    return target if isinstance(target, Tool) else function_tool(target, name, entry.source)


__all__ = [
    "CalculatorError",
    "Tool",
    "ToolError",
    "ToolFailure",
    "ToolResult",
    "ToolSession",
    "Toolbox",
    "build_tools",
    "function_tool",
    "registered_tool",
    "calculate",
    "lookup_value",
    "result_text",
    "tool_schema",
    "user_tool",
]
