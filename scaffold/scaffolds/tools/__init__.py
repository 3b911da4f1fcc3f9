"""Tools a scaffold offers the model: the built-ins and the user's `module:function` tools.

`build_tools(["calculator", "tools:get_weather"], root)` gives a `Toolbox`; a scaffold binds
it to a cell with `toolbox.session(context)` and runs the model's calls with
`await session.call(name, raw_json_arguments)`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from scaffold.scaffolds.tools.builtin import BUILTIN_TOOLS, CalculatorError, calculate, lookup_value
from scaffold.scaffolds.tools.toolbox import (
    Tool,
    ToolError,
    ToolFailure,
    ToolResult,
    ToolSession,
    Toolbox,
    result_text,
)
from scaffold.scaffolds.tools.user import tool_schema, user_tool

_toolboxes: dict[tuple[tuple[str, ...], Path], Toolbox] = {}
"""Toolboxes already built, by (tool names, library folder): user modules import once."""


def build_tools(names: Iterable[str], root: Path) -> Toolbox:
    """The toolbox for these tool names, in order, each once: built-in names (`calculator`,
    `lookup`, `submit`) and user tools (`module:function`, imported from the library at
    `root`). Raises ToolError for an unknown name, an unusable function or a name clash."""
    unique_names = tuple(dict.fromkeys(names))
    key = (unique_names, root.resolve())
    if key not in _toolboxes:
        tools: list[Tool] = []
        for name in unique_names:
            if name in BUILTIN_TOOLS:
                tools.append(BUILTIN_TOOLS[name])
            elif ":" in name:
                tools.append(user_tool(root, name))
            else:
                builtins = ", ".join(BUILTIN_TOOLS)
                raise ToolError(f"unknown tool '{name}': use a built-in ({builtins}) or module:function")
        _toolboxes[key] = Toolbox(tools)
    return _toolboxes[key]


__all__ = [
    "BUILTIN_TOOLS",
    "CalculatorError",
    "Tool",
    "ToolError",
    "ToolFailure",
    "ToolResult",
    "ToolSession",
    "Toolbox",
    "build_tools",
    "calculate",
    "lookup_value",
    "result_text",
    "tool_schema",
    "user_tool",
]
