"""`python`: the user's own scaffold, an async function of the library (`entry: module:function`).

    async def solve(messages, complete, context, tools, options) -> str | dict | ScaffoldOutcome:

- `messages`: the rendered messages (a list of `{role, content}` dicts; a copy, free to change);
- `complete`: `await complete(messages, tools=None)` sends one call through the runner (cache,
  retries and token accounting apply) and returns a `scaffold.cells.Completion` (`.content`,
  `.tool_calls`, `.to_message()`); a provider failure raises ProviderError — let it go, the
  runner records the cell as an error;
- `context`: `scaffold.scaffolds.base.ScaffoldContext` (`.case.vars`, `.case.id`, `.root`);
- `tools`: a `ToolSession` over the scaffold's `tools:` list: `tools.definitions()` is the
  `tools=` list to offer, `await tools.call(name, arguments)` runs one call (arguments as
  the model's JSON text or a dict) and returns a `ToolResult` (`.content`, `.ok`); calls
  are counted in `tools.calls`;
- `options`: the scaffold's `options:` dict from the YAML.

It returns the answer as a string; or a dict with `output` (required) and any of
`transcript`, `turns`, `tool_calls`, `nudges`; or a full `ScaffoldOutcome`, taken as it is.
What a string or dict leaves out is filled in from what the function did: `turns` is the
number of `complete` calls, `tool_calls` the counts of `tools.call`, and `transcript` the
rendered messages followed by every message sent and received (a call that continues the
conversation so far adds only its new messages; a call that starts another one adds all
of its messages).

The module is imported from the library folder once (see `scaffold.user_code`).
A plain (non-async) function, a bad entry or a bad return value makes the cell an error
with a message saying which.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from scaffold.registry import REGISTRY, PluginError
from scaffold.scaffolds.base import Complete, ScaffoldContext, ScaffoldOutcome, scaffold_kind
from scaffold.scaffolds.tools import ToolSession, build_tools
from scaffold.spec.base import ENTRY_PATTERN, Finding, ScaffoldBase, Setting, ToolName, hook_problems, tool_problems
from scaffold.user_code import UserCodeError, UserFunction, load_function

if TYPE_CHECKING:
    from scaffold.cells import Completion

SOLVE_CALL = "solve(messages, complete, context, tools, options)"


class PythonScaffold(ScaffoldBase):
    """The user's own async scaffold, `module:function`, imported from the library folder."""

    kind: Literal["python"]
    entry: str = Field(pattern=ENTRY_PATTERN)
    tools: list[ToolName] = Field(default_factory=list)
    options: dict[str, Any] = Field(default_factory=dict)

    def problems(self, setting: Setting) -> list[Finding]:
        found = hook_problems(self.entry, setting, 5, SOLVE_CALL, must_be_async=True)
        return [(("entry", *loc), message) for loc, message in found] + tool_problems(self.tools, setting)

OUTCOME_KEYS = ("output", "transcript", "turns", "tool_calls", "nudges", "tool_errors", "recovered")
"""The keys a dict returned by a user's scaffold may have."""


class RecordingComplete:
    """A `complete` that keeps the conversation it carried and counts the calls."""

    def __init__(self, complete: Complete, messages: list[dict[str, Any]]):
        self._complete = complete
        self.transcript: list[dict[str, Any]] = list(messages)
        """The rendered messages, then every message sent and received, in order."""
        self.calls = 0

    async def __call__(
        self, messages: list[dict[str, Any]], *, tools: list[dict[str, Any]] | None = None
    ) -> Completion:
        sent = list(messages)
        completion = await self._complete(sent, tools=tools)
        self.calls += 1
        known = len(self.transcript)
        new_messages = sent[known:] if sent[:known] == self.transcript else sent
        self.transcript.extend(new_messages)
        self.transcript.append(completion.to_message())
        return completion


@scaffold_kind(PythonScaffold)
class PythonHookScaffold:
    """Runs the user's async scaffold function for one configured scaffold."""

    def __init__(self, spec: Any):
        self.spec = spec
        self.label: str = spec.entry if isinstance(spec, PythonScaffold) else spec.kind
        """How messages name the function."""

    def load_entry(self, context: ScaffoldContext) -> UserFunction:
        """The function itself. Raises UserCodeError."""
        return load_function(context.root, self.spec.entry)

    def entry_function(self, context: ScaffoldContext) -> UserFunction:
        """The scaffold's function, imported once. Raises UserCodeError."""
        function = self.load_entry(context)
        if not inspect.iscoroutinefunction(function):
            raise UserCodeError(
                f"scaffold {self.label} must be an async function (async def), "
                f"got {type(function).__name__} {getattr(function, '__name__', function)!r}"
            )
        return function

    async def run(
        self, messages: list[dict[str, Any]], complete: Complete, context: ScaffoldContext
    ) -> ScaffoldOutcome:
        function = self.entry_function(context)
        tools = build_tools(self.spec.tools, context.root).session(context)
        recording = RecordingComplete(complete, messages)
        returned = await function(list(messages), recording, context, tools, dict(self.spec.options))
        return self._outcome(returned, recording, tools)

    def _outcome(self, returned: Any, recording: RecordingComplete, tools: ToolSession) -> ScaffoldOutcome:
        if isinstance(returned, ScaffoldOutcome):
            return returned
        fields: dict[str, Any] = {"output": returned} if isinstance(returned, str) else returned
        if not isinstance(fields, dict):
            raise TypeError(
                f"scaffold {self.label} returned {type(returned).__name__}; "
                "expected a str, a dict or a ScaffoldOutcome"
            )
        unknown = sorted(set(map(str, fields)) - set(OUTCOME_KEYS))
        if unknown:
            raise TypeError(
                f"scaffold {self.label} returned unknown keys {', '.join(unknown)}; "
                f"expected {', '.join(OUTCOME_KEYS)}"
            )
        if not isinstance(fields.get("output"), str):
            raise TypeError(f"scaffold {self.label} returned a dict without a str 'output'")
        return ScaffoldOutcome(
            output=fields["output"],
            transcript=list(fields.get("transcript", recording.transcript)),
            turns=int(fields.get("turns", recording.calls)),
            tool_calls=dict(fields.get("tool_calls", tools.calls)),
            nudges=int(fields.get("nudges", 0)),
            tool_errors=int(fields.get("tool_errors", tools.tool_errors)),
            recovered=fields.get("recovered", tools.recovered),
        )


class PluginHookScaffold(PythonHookScaffold):
    """A scaffold kind from an installed package (entry point group `scaffold.scaffolds`): its
    function is called like a `python` scaffold's, the YAML's other keys in `options`."""

    def load_entry(self, context: ScaffoldContext) -> UserFunction:
        try:
            function: UserFunction = REGISTRY.load("scaffold", self.spec.kind)
        except PluginError as error:
            raise UserCodeError(str(error)) from None
        return function
