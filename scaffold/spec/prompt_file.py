"""The shape of a prompt file (`prompts/NAME.yaml`, DESIGN 1.1): variants and scaffolds.

Each scaffold kind's model lives with its runner in `scaffold/scaffolds/` and registers
there; `ScaffoldSpec` is made here from every registered built-in plus `PluginScaffold`,
the shape every kind of an installed package shares.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BeforeValidator, Discriminator, Field, Tag
from pydantic_core import PydanticCustomError

from scaffold.registry import REGISTRY
from scaffold.spec.base import ENTRY_PATTERN, Finding, ScaffoldBase, Setting, Strict, ToolName, plugin_problems, tool_problems
from scaffold.spec.errors import did_you_mean

__all__ = ["ENTRY_PATTERN", "Message", "PluginScaffold", "PromptFile", "ScaffoldSpec", "ToolName", "VariantSpec"]


class Message(Strict):
    """One chat message; `content` is a Jinja2 template."""

    role: Literal["system", "user", "assistant"]
    content: str


class VariantSpec(Strict):
    """A prompt variant. The rendered conversation is: `system` (if any), then `messages`
    (few-shot turns), then `user` (if any). `extends` inherits every field not given here;
    `params` are merged key by key over the parent's."""

    description: str = ""
    extends: str | None = None
    """Another variant of this file (`plain`) or of another file (`arith:plain`)."""
    system: str | None = None
    user: str | None = None
    messages: list[Message] | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    """Model parameters for this variant (max_tokens, temperature, reasoning_effort, ...)."""


class PluginScaffold(ScaffoldBase):
    """A scaffold kind added by an installed package (entry point group `scaffold.scaffolds`),
    run like a `python` scaffold: `solve(messages, complete, context, tools, options)`."""

    kind: str
    tools: list[ToolName] = Field(default_factory=list)
    options: dict[str, Any] = Field(default_factory=dict)
    """Every other key written on the scaffold."""

    def problems(self, setting: Setting) -> list[Finding]:
        call = "solve(messages, complete, context, tools, options)"
        return plugin_problems("scaffold", self.kind, 5, call, must_be_async=True) + tool_problems(self.tools, setting)


PLUGIN_TAG = "(plugin)"
"""The union tag of `PluginScaffold`: not a name anyone can register."""

REGISTRY.discover("scaffold")
BUILTIN_KINDS: dict[str, type[ScaffoldBase]] = {name: entry.spec for name, entry in REGISTRY.builtins("scaffold").items()}
"""Built-in scaffold kind -> its model, as registered."""


def _normalise(raw: Any) -> Any:
    """A kind no one registered is an error naming the kinds there are; a plugin kind's keys
    other than the common ones go to its `options`."""
    if not isinstance(raw, dict) or "kind" not in raw or raw["kind"] in BUILTIN_KINDS:
        return raw
    kind = raw["kind"]
    if not isinstance(kind, str) or REGISTRY.get("scaffold", kind) is None:
        hint = did_you_mean(str(kind), REGISTRY.names("scaffold"))
        raise PydanticCustomError("unknown_kind", "unknown kind '{kind}'{hint}", {"kind": kind, "hint": hint, "at": "kind"})
    common = set(PluginScaffold.model_fields)
    options = {key: value for key, value in raw.items() if key not in common}
    return {**{key: value for key, value in raw.items() if key in common}, "options": {**raw.get("options", {}), **options}}


def _tag(raw: Any) -> str | None:
    kind = raw.get("kind") if isinstance(raw, dict) else getattr(raw, "kind", None)
    if kind is None:
        return None
    return kind if kind in BUILTIN_KINDS else PLUGIN_TAG


ScaffoldSpec = Annotated[
    Union[
        tuple(
            [Annotated[model, Tag(name)] for name, model in BUILTIN_KINDS.items()]
            + [Annotated[PluginScaffold, Tag(PLUGIN_TAG)]]
        )
    ],
    Discriminator(_tag, custom_error_type="missing_kind", custom_error_message="missing key 'kind'"),
    BeforeValidator(_normalise),
]
"""Any scaffold: a built-in kind's model, or a plugin's `PluginScaffold`."""


class PromptFile(Strict):
    """A prompt file: named variants and named scaffolds."""

    description: str = ""
    variants: dict[str, VariantSpec] = Field(default_factory=dict)
    scaffolds: dict[str, ScaffoldSpec] = Field(default_factory=dict)
