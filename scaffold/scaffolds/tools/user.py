"""User tools: a Python function of the library, named `module:function`, offered to the model.

The tool is called by the function's name. Its JSON schema comes from the signature:

- parameters annotated `str`, `int`, `float`, `bool`, `list` (or `list[X]`), `dict`, a
  `Literal[...]` (an enum), `X | None`, or not annotated (any JSON value);
- a parameter with a default is optional, one without is required; `*args` is not offered,
  `**kwargs` lets the model pass extra names;
- the description is the docstring's first paragraph; Google-style `Args:` lines
  (`name: text` or `name (type): text`) describe the parameters.

The function may be sync or async. A sync function runs in a worker thread, so a slow one
(a search over files, a request) does not stall the other cells. Its return value is
given to the model as text: strings as they are, dicts and lists as JSON, anything else
through `str()`.
"""

from __future__ import annotations

import asyncio
import inspect
import re
import types
import typing
from pathlib import Path
from typing import Any, Callable, Literal, Union

from scaffold.scaffolds.base import ScaffoldContext
from scaffold.scaffolds.tools.toolbox import Tool, ToolError
from scaffold.user_code import UserCodeError, load_function

SIMPLE_TYPES: dict[Any, str] = {
    str: "string",
    int: "integer",
    float: "number",
    bool: "boolean",
    list: "array",
    tuple: "array",
    dict: "object",
    type(None): "null",
}
"""Python annotations and the JSON schema types they become."""

TOOL_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
"""What OpenAI-style APIs accept as a function name."""

ARGS_HEADER = re.compile(r"^(Args|Arguments|Parameters):\s*$")
ARG_LINE = re.compile(r"^(\*{0,2}\w+)\s*(\([^)]*\))?\s*:\s*(.*)$")


class UnsupportedAnnotation(TypeError):
    """An annotation that has no JSON schema type here."""


def annotation_schema(annotation: Any) -> dict[str, Any]:
    """The JSON schema of one parameter annotation. Raises UnsupportedAnnotation."""
    if annotation is inspect.Parameter.empty or annotation is Any:
        return {}
    if annotation in SIMPLE_TYPES:
        return {"type": SIMPLE_TYPES[annotation]}
    origin, arguments = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (list, tuple, set, frozenset):
        schema: dict[str, Any] = {"type": "array"}
        item_types = [item for item in arguments if item is not Ellipsis]
        if origin is not tuple and len(item_types) == 1:
            item_schema = annotation_schema(item_types[0])
            if item_schema:
                schema["items"] = item_schema
        return schema
    if origin is dict:
        return {"type": "object"}
    if origin is Literal:
        return {"enum": list(arguments)}
    if origin in (Union, types.UnionType):
        members = [member for member in arguments if member is not type(None)]
        if len(members) == 1:  # `X | None`: X's schema, with null allowed
            schema = annotation_schema(members[0])
            if isinstance(schema.get("type"), str):
                schema["type"] = [schema["type"], "null"]
            if "enum" in schema:
                schema["enum"] = [*schema["enum"], None]
            return schema
        member_types: list[str] = []
        for member in arguments:
            member_schema = annotation_schema(member)
            if set(member_schema) != {"type"}:
                raise UnsupportedAnnotation(annotation)
            member_types.append(member_schema["type"])
        return {"type": member_types}
    raise UnsupportedAnnotation(annotation)


def docstring_parts(function: Callable[..., Any]) -> tuple[str, dict[str, str]]:
    """The docstring's first paragraph on one line, and the `Args:` descriptions by name."""
    lines = (inspect.getdoc(function) or "").splitlines()
    summary: list[str] = []
    for line in lines:
        if not line.strip() or ARGS_HEADER.match(line.strip()):
            break
        summary.append(line.strip())
    descriptions: dict[str, str] = {}
    in_args = False
    current: str | None = None
    args_indent = 0
    for line in lines:
        if ARGS_HEADER.match(line.strip()) and not line.startswith((" ", "\t")):
            in_args, current = True, None
            continue
        if not in_args:
            continue
        if line.strip() and not line.startswith((" ", "\t")):
            break  # the next section (Returns:, Raises:, prose)
        match = ARG_LINE.match(line.strip())
        indent = len(line) - len(line.lstrip())
        if match and (current is None or indent <= args_indent):
            current, args_indent = match.group(1).lstrip("*"), indent
            descriptions[current] = match.group(3).strip()
        elif current is not None and line.strip():
            descriptions[current] = f"{descriptions[current]} {line.strip()}".strip()
    return " ".join(summary), descriptions


def tool_schema(function: Callable[..., Any], ref: str) -> tuple[str, dict[str, Any]]:
    """A function's description and the JSON schema of its keyword arguments.

    Raises ToolError when a parameter cannot be offered to a model."""
    description, argument_docs = docstring_parts(function)
    try:
        hints = typing.get_type_hints(function)
    except Exception as error:  # an annotation naming something the module does not define
        raise ToolError(f"tool {ref}: cannot read its type annotations: {type(error).__name__}: {error}") from error
    properties: dict[str, dict[str, Any]] = {}
    required: list[str] = []
    extra_allowed = False
    for name, parameter in inspect.signature(function).parameters.items():
        if parameter.kind is inspect.Parameter.VAR_KEYWORD:
            extra_allowed = True
            continue
        if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            continue
        if parameter.kind is inspect.Parameter.POSITIONAL_ONLY:
            raise ToolError(f"tool {ref}: parameter '{name}' is positional-only; tools are called by keyword")
        try:
            schema = annotation_schema(hints.get(name, inspect.Parameter.empty))
        except UnsupportedAnnotation:
            raise ToolError(
                f"tool {ref}: parameter '{name}' has type {hints[name]!r}; tool parameters may be "
                "str, int, float, bool, list, dict, Literal[...] or X | None"
            ) from None
        if name in argument_docs:
            schema["description"] = argument_docs[name]
        properties[name] = schema
        if parameter.default is inspect.Parameter.empty:
            required.append(name)
    parameters: dict[str, Any] = {"type": "object", "properties": properties, "required": required}
    if not extra_allowed:
        parameters["additionalProperties"] = False
    return description, parameters


def user_tool(root: Path, ref: str) -> Tool:
    """The tool for the user's `module:function` in the library at `root`. Raises ToolError."""
    try:
        function = load_function(root, ref)
    except UserCodeError as error:
        raise ToolError(f"tool {error}") from None
    return function_tool(function, ref.partition(":")[2], ref)


def function_tool(function: Callable[..., Any], name: str, source: str) -> Tool:
    """The tool that offers `function` to the model as `name`; `source` says where it comes
    from in messages (`module:function`, or a plugin's `PACKAGE==VERSION`). Raises ToolError."""
    ref = source
    if not TOOL_NAME.match(name):
        raise ToolError(f"tool {ref}: '{name}' is not a valid tool name (letters, digits, _ and -, at most 64)")
    description, parameters = tool_schema(function, ref)

    if inspect.iscoroutinefunction(function):

        def invoke(arguments: dict[str, Any], context: ScaffoldContext) -> Any:
            return function(**arguments)

    else:

        def invoke(arguments: dict[str, Any], context: ScaffoldContext) -> Any:
            return asyncio.to_thread(function, **arguments)

    return Tool(name=name, description=description, parameters=parameters, invoke=invoke, source=ref)
