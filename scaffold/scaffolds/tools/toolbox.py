"""Tools as a model sees them (name, description, JSON schema) and as scaffolds run them.

A `Toolbox` is the set of tools one scaffold offers; it does not change between cells. A
`ToolSession` binds it to one cell (the case `lookup` reads) and counts the calls made.
Running a call never raises for the model's mistakes or the tool's failures: malformed
JSON arguments, a missing or unexpected argument, a value of the wrong type, an unknown
tool name and an exception inside the tool all come back as a result whose text starts
with `error: `, so the model can read it and try again (DESIGN 1.3: grit, never a crash).
"""

from __future__ import annotations

import inspect
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterable

from scaffold.scaffolds.base import ScaffoldContext

if TYPE_CHECKING:
    from scaffold.scaffolds.tools.faults import FaultPlan

ToolInvoke = Callable[[dict[str, Any], ScaffoldContext], Any]
"""Runs a tool with checked keyword arguments for one cell; may return an awaitable."""

JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
    "null": (type(None),),
}
"""JSON schema type names and the Python values `json.loads` gives for them."""


class ToolError(Exception):
    """A tool that cannot be offered (unknown name, unusable user function): a setup mistake."""


class ToolFailure(Exception):
    """A tool refused its input; the message is sent to the model as `error: <message>`."""


@dataclass(frozen=True)
class Tool:
    """One tool: what the model is told about it and how to run it."""

    name: str
    """The function name the model calls (`calculator`, or `get_weather` for `tools:get_weather`)."""
    description: str
    """What the tool does, for the model."""
    parameters: dict[str, Any]
    """A JSON schema of type object: the keyword arguments the tool takes."""
    invoke: ToolInvoke = field(repr=False, compare=False)
    """Runs the tool; its return value becomes the result text (see `result_text`)."""
    source: str = "builtin"
    """Where the tool comes from: `builtin`, or the user's `module:function`."""

    def definition(self) -> dict[str, Any]:
        """The OpenAI-style `tools=` entry for this tool."""
        function: dict[str, Any] = {"name": self.name, "parameters": self.parameters}
        if self.description:
            function["description"] = self.description
        return {"type": "function", "function": function}


@dataclass(frozen=True)
class ToolResult:
    """The outcome of one tool call: the text the model gets back, and whether the call worked."""

    name: str
    content: str
    ok: bool


def result_text(value: Any) -> str:
    """A tool's return value as text for the model: strings as they are, dicts and lists as
    JSON, anything else through `str()`."""
    if isinstance(value, str):
        return value
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def parse_arguments(raw: str | dict[str, Any] | None) -> dict[str, Any]:
    """The arguments of a call as a dict; `raw` is the JSON text the model sent (empty or
    None: no arguments). Raises ToolFailure when it is not a JSON object."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return {}
    if isinstance(raw, dict):
        return dict(raw)
    try:
        arguments = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ToolFailure(
            f"arguments are not valid JSON ({error.msg} at column {error.colno}): {raw[:200]}"
        ) from None
    if not isinstance(arguments, dict):
        raise ToolFailure(f"arguments must be a JSON object, got {json_type_name(arguments)}")
    return arguments


def json_type_name(value: Any) -> str:
    """The JSON schema type name of a value parsed from JSON."""
    if isinstance(value, bool):
        return "boolean"
    for name, python_types in JSON_TYPES.items():
        if name != "number" and isinstance(value, python_types):
            return name
    return "number" if isinstance(value, float) else type(value).__name__


def _matches_type(value: Any, allowed: list[str]) -> bool:
    if isinstance(value, bool):  # a bool is an int to Python, never a number to JSON
        return "boolean" in allowed
    return any(isinstance(value, JSON_TYPES.get(name, ())) for name in allowed)


def check_arguments(arguments: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """`arguments` checked against a tool's parameter schema: required names present, no
    unexpected names (unless `additionalProperties` allows them), each top-level value of a
    declared type and among its `enum`. A number or boolean given where text is declared is
    turned into its JSON text (models often send `{"answer": 42}`). Raises ToolFailure."""
    properties: dict[str, Any] = schema.get("properties", {})
    missing = [name for name in schema.get("required", ()) if name not in arguments]
    if missing:
        raise ToolFailure(f"missing required argument(s): {', '.join(missing)}")
    if schema.get("additionalProperties", True) is False:
        unexpected = [name for name in arguments if name not in properties]
        if unexpected:
            expected = ", ".join(properties) or "none"
            raise ToolFailure(f"unexpected argument(s): {', '.join(unexpected)} (expected: {expected})")
    checked = dict(arguments)
    for name, value in arguments.items():
        declared = properties.get(name, {})
        allowed = declared.get("type")
        if allowed is not None:
            allowed = [allowed] if isinstance(allowed, str) else list(allowed)
            if "string" in allowed and isinstance(value, (int, float)) and not _matches_type(value, allowed):
                value = checked[name] = json.dumps(value)
            if not _matches_type(value, allowed):
                raise ToolFailure(f"argument '{name}' must be {' or '.join(allowed)}, got {json_type_name(value)}")
        if "enum" in declared and value not in declared["enum"]:
            choices = ", ".join(json.dumps(choice) for choice in declared["enum"])
            raise ToolFailure(f"argument '{name}' must be one of {choices}, got {json.dumps(value, default=str)}")
    return checked


class Toolbox:
    """The tools one scaffold offers, by name."""

    def __init__(self, tools: Iterable[Tool] = ()):
        self._tools: dict[str, Tool] = {}
        for tool in tools:
            if tool.name in self._tools:
                other = self._tools[tool.name]
                raise ToolError(f"two tools are named '{tool.name}' ({other.source} and {tool.source})")
            self._tools[tool.name] = tool
        self._definitions = [tool.definition() for tool in self._tools.values()]

    @property
    def names(self) -> list[str]:
        """The tool names, in the order they are offered."""
        return list(self._tools)

    def get(self, name: str) -> Tool | None:
        """The tool called `name`, if there is one."""
        return self._tools.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._tools

    def __len__(self) -> int:
        return len(self._tools)

    def definitions(self) -> list[dict[str, Any]]:
        """The `tools=` list to send with a completion request (None-free; empty when no tools)."""
        return [dict(definition) for definition in self._definitions]

    def session(self, context: ScaffoldContext, faults: "FaultPlan | None" = None) -> "ToolSession":
        """These tools bound to one cell, failing the calls `faults` names."""
        return ToolSession(self, context, faults)


class ToolSession:
    """A toolbox bound to one cell: runs calls with the cell's context and counts them.

    A tool error is a call the tool itself failed: an injected fault (the model gets the
    fault's message) or an exception raised by the tool. The model's own mistakes (an
    unknown name, bad arguments) are not tool errors."""

    def __init__(self, toolbox: Toolbox, context: ScaffoldContext, faults: "FaultPlan | None" = None):
        self.toolbox = toolbox
        self.context = context
        self.faults = faults
        self.calls: Counter[str] = Counter()
        """Calls made, by the name called (unknown names and failed calls included)."""
        self.tool_errors = 0
        """Calls the tool failed (injected faults and tool exceptions)."""
        self._runs: Counter[str] = Counter()
        self._unrecovered: set[str] = set()
        self._failed: set[str] = set()

    @property
    def recovered(self) -> bool | None:
        """True when every tool that failed succeeded after its first failure, False when
        one never did, None when no tool failed."""
        if not self._failed:
            return None
        return not self._unrecovered

    def definitions(self) -> list[dict[str, Any]]:
        """The `tools=` list to send with a completion request."""
        return self.toolbox.definitions()

    async def call(self, name: str, arguments: str | dict[str, Any] | None = None) -> ToolResult:
        """Run one call; `arguments` is the model's raw JSON text or a dict. Never raises for
        bad input or a failing tool: the result's text then starts with `error: ` (or is the
        injected fault's message)."""
        self.calls[name] += 1
        tool = self.toolbox.get(name)
        if tool is None:
            available = ", ".join(self.toolbox.names) or "none"
            return ToolResult(name, f"error: unknown tool '{name}' (available: {available})", False)
        try:
            checked = check_arguments(parse_arguments(arguments), tool.parameters)
        except ToolFailure as failure:
            return ToolResult(name, f"error: {failure}", False)
        self._runs[name] += 1
        context = self.context
        injected = self.faults.failure(name, self._runs[name], context.case.id, context.repeat) if self.faults else None
        if injected is not None:
            return self._failure(name, injected)
        try:
            value = tool.invoke(checked, self.context)
            if inspect.isawaitable(value):
                value = await value
        except ToolFailure as failure:
            return self._failure(name, f"error: {failure}")
        except Exception as error:  # the tool is the user's code: any failure goes back to the model
            return self._failure(name, f"error: {type(error).__name__}: {error}")
        self._unrecovered.discard(name)
        return ToolResult(name, result_text(value), True)

    def unreadable(self, name: str, message: str) -> ToolResult:
        """A call written so that it cannot be read (the text protocol's broken `<tool_call>`):
        counted under the name it gives, if any, and answered with `error: message`."""
        if name:
            self.calls[name] += 1
        return ToolResult(name, f"error: {message}", False)

    def _failure(self, name: str, content: str) -> ToolResult:
        self.tool_errors += 1
        if name not in self._failed:  # a tool that recovered once stays recovered
            self._failed.add(name)
            self._unrecovered.add(name)
        return ToolResult(name, content, False)
