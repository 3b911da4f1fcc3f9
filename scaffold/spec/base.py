"""The base of every YAML shape: unknown keys are errors, values are immutable.

`CheckBase` and `ScaffoldBase` are what every check type and scaffold kind builds on (each
kind's own model lives in its module under `scaffold/checks/` or `scaffold/scaffolds/`).
Both carry the hooks `scaffold validate` calls on a value that has the right shape:
`problems(setting)` for what can be found without a model (a regex that does not compile,
a hook that cannot be imported) and `template_texts()` for the templates to check.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from scaffold.spec.resolved import Case

Loc = tuple[str | int, ...]
"""A path into YAML data (the same as `scaffold.spec.yaml_source.Loc`)."""

Finding = tuple[Loc, str]
"""A problem a spec finds in itself: where, relative to the spec's own mapping (`("value",)`
is the check's value, however it was written), and the message."""


class Strict(BaseModel):
    """A YAML mapping with a fixed set of keys."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


@dataclass(frozen=True)
class Setting:
    """What a spec's `problems()` may look at: the library folder (to import hooks from), the
    experiment's cases (to render templated values with) and its judge model."""

    root: Path
    cases: tuple["Case", ...] = ()
    judge_model: str | None = None


class CheckBase(Strict):
    """Fields every check accepts. A check type subclasses it with `type: Literal[NAME]`,
    its `value` and its options, and registers it with its behaviour (docs/plugins.md)."""

    type: str
    """The check type: the one key of the shorthand form (`- contains: x`)."""
    value: Any = None
    """The check's value; string values are templates rendered with the case."""
    name: str | None = None
    """How the check is shown in results; defaults to its type."""
    weight: float = Field(1.0, ge=0)
    """Weight in the cell's score; a check with weight 0 is reported but not required."""
    threshold: float | None = Field(None, ge=0, le=1)
    """For scored checks (set, python, judge): pass when the score reaches this (default 1; judge 0.5)."""

    def shown_value(self) -> str | None:
        """The value as the check's default name shows it (None: the name is the type alone)."""
        if isinstance(self.value, bool) or self.value is None:
            return None
        return self.value if isinstance(self.value, str) else json.dumps(self.value, default=str)

    def template_texts(self) -> list[tuple[Loc, str]]:
        """The Jinja2 templates this check renders, each with where it was written."""
        return [(("value",), self.value)] if isinstance(self.value, str) else []

    def problems(self, setting: Setting) -> list[Finding]:
        """What is wrong with this check that validate can tell without a model."""
        return []


ENTRY_PATTERN = r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$"
"""`module:function`, the way Python hooks are named."""

ToolName = Annotated[str, Field(pattern=r"^([A-Za-z_][\w-]*|[A-Za-z_][\w.]*:[A-Za-z_]\w*)$")]
"""A registered tool (`calculator`, `lookup`, `submit`, a plugin's) or a user tool as `module:function`."""


class ScaffoldBase(Strict):
    """Fields every scaffold accepts. A scaffold kind subclasses it with `kind: Literal[NAME]`."""

    kind: str
    id: str | None = None
    """The scaffold's name when it is defined inline in an experiment."""
    description: str = ""

    def template_texts(self) -> list[tuple[Loc, str]]:
        """The Jinja2 templates this scaffold renders (nudges, critique prompts), with their keys."""
        return []

    def problems(self, setting: Setting) -> list[Finding]:
        """What is wrong with this scaffold that validate can tell without a model."""
        return []


def tool_problems(tools: list[str], setting: Setting) -> list[Finding]:
    """For a `tools:` list: names no registry or module knows, and user tools that cannot be
    offered (a module that fails to import, a parameter with no JSON type)."""
    from scaffold.registry import REGISTRY, PluginError
    from scaffold.spec.errors import did_you_mean
    from scaffold.spec.refs import hook_module_missing

    findings: list[Finding] = []
    for index, tool in enumerate(tools):
        at: Loc = ("tools", index)
        if ":" not in tool:
            entry = REGISTRY.get("tool", tool)
            if entry is None:
                names = REGISTRY.names("tool")
                hint = did_you_mean(tool, names) or f": a tool is {', '.join(names)} or module:function"
                findings.append((at, f"unknown tool '{tool}'{hint}"))
            elif entry.is_plugin:
                try:
                    entry.load()
                except PluginError as error:
                    findings.append((at, str(error)))
            continue
        missing = hook_module_missing(tool, setting.root)
        if missing:
            findings.append((at, f"unknown tool '{tool}': no module '{missing}' in the library folder or installed"))
            continue
        from scaffold.scaffolds.tools import ToolError, user_tool

        try:
            user_tool(setting.root, tool)
        except ToolError as error:
            findings.append((at, str(error)))
    return findings


def hook_problems(ref: str, setting: Setting, arguments: int, what: str, *, must_be_async: bool = False) -> list[Finding]:
    """For a `module:function` hook: a module that is nowhere, fails to import or lacks the
    function, or a function that cannot be called with `arguments` positional arguments."""
    from scaffold.spec.refs import hook_module_missing
    from scaffold.user_code import UserCodeError, load_function

    missing = hook_module_missing(ref, setting.root)
    if missing:
        return [((), f"no module '{missing}' in the library folder or installed")]
    try:
        function = load_function(setting.root, ref)
    except UserCodeError as error:
        return [((), str(error))]
    return callable_problems(function, ref, arguments, what, must_be_async=must_be_async)


def plugin_problems(kind: Any, name: str, arguments: int, call: str, *, must_be_async: bool = False, **options: Any) -> list[Finding]:
    """For a name an installed package adds: a module that fails to import (at `("value",)`, a
    check's value, or `("kind",)`), a function that cannot be called as `call` with
    `arguments` positional arguments and these keyword `options`."""
    from scaffold.registry import NOUNS, REGISTRY, PluginError

    entry = REGISTRY.get(kind, name)
    if entry is None:
        return []
    try:
        function = entry.load()
    except PluginError as error:
        return [(("value",) if kind == "check" else ("kind",), str(error))]
    label = f"{NOUNS[kind]} '{name}' ({entry.source})"
    findings = callable_problems(function, label, arguments, call, must_be_async=must_be_async)
    if not findings and options:
        import inspect

        try:
            inspect.signature(function).bind(*range(arguments), **options)
        except TypeError as error:
            findings = [((), f"{label} does not take these options: {error}")]
        except ValueError:  # no signature to read (a builtin): it is called and may fail then
            pass
    return findings


def callable_problems(function: Any, label: str, arguments: int, what: str, *, must_be_async: bool = False) -> list[Finding]:
    """A function that cannot be called with `arguments` positional arguments, or is not async
    when it must be: one finding saying which."""
    import inspect

    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return []
    try:
        signature.bind(*range(arguments))
    except TypeError:
        return [((), f"{label} cannot be called as {what}: its signature is {signature}")]
    if must_be_async and not inspect.iscoroutinefunction(function):
        return [((), f"{label} must be an async function (async def) to be called as {what}")]
    return []
