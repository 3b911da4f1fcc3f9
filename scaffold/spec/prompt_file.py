"""The shape of a prompt file (`prompts/NAME.yaml`, DESIGN 1.1): variants and scaffolds."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import Field

from scaffold.spec.base import Strict
from scaffold.spec.params import ExtraParams, ModelParams

ENTRY_PATTERN = r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$"
"""`module:function`, the way Python hooks are named."""

BUILTIN_TOOLS = ("calculator", "lookup", "submit")


class Message(Strict):
    """One chat message; `content` is a Jinja2 template."""

    role: Literal["system", "user", "assistant"]
    content: str


class VariantSpec(Strict):
    """A prompt variant. It writes its conversation either with the `system`/`user` shortcuts
    or as `messages` (every turn in order); one variant giving `messages` together with
    `system` or `user` is an error, since the order they would render in is not what either
    says. `extends` inherits every field not given here, so a child may add `messages` to a
    parent's `system` and `user`: they render as few-shot turns between the two (system,
    messages, user). `params` and `extra_params` merge key by key over the parent's."""

    description: str = ""
    extends: str | None = None
    """Another variant of this file (`plain`) or of another file (`arith:plain`)."""
    system: str | None = None
    user: str | None = None
    messages: list[Message] | None = None
    """The whole conversation, `[{role, content}, ...]`, instead of `system`/`user`."""
    params: ModelParams = Field(default_factory=ModelParams)
    """OpenAI-compatible model parameters for this variant (max_tokens, temperature,
    reasoning_effort, ...), checked against their ranges; merged key by key over the parent's."""
    extra_params: ExtraParams = Field(default_factory=dict)
    """Provider-specific parameters, sent unchecked; merged key by key over the parent's."""


ToolName = Annotated[str, Field(pattern=r"^(calculator|lookup|submit|[A-Za-z_][\w.]*:[A-Za-z_]\w*)$")]
"""A built-in tool (`calculator`, `lookup`, `submit`) or a user tool as `module:function`."""


class ScaffoldBase(Strict):
    id: str | None = None
    """The scaffold's name when it is defined inline in an experiment."""
    description: str = ""


class SingleScaffold(ScaffoldBase):
    """One completion."""

    kind: Literal["single"]


class ToolLoopScaffold(ScaffoldBase):
    """A function-calling loop with optional "keep going" nudges (DESIGN 1.3)."""

    kind: Literal["tool_loop"]
    tools: list[ToolName] = Field(default_factory=list)
    max_turns: int = Field(8, ge=1)
    nudge: str | None = None
    max_nudges: int = Field(1, ge=0)


DEFAULT_CRITIQUE = (
    "Review your previous answer for mistakes. List any errors you find, or say it is correct."
)
DEFAULT_REVISE = "Now give your final answer, corrected if needed, in the same format as asked."


class SelfCheckScaffold(ScaffoldBase):
    """Answer, then `rounds` of critique and revision."""

    kind: Literal["self_check"]
    rounds: int = Field(1, ge=1)
    critique_prompt: str = DEFAULT_CRITIQUE
    revise_prompt: str = DEFAULT_REVISE


class PythonScaffold(ScaffoldBase):
    """The user's own async scaffold, `module:function`, imported from the library folder."""

    kind: Literal["python"]
    entry: str = Field(pattern=ENTRY_PATTERN)
    tools: list[ToolName] = Field(default_factory=list)
    options: dict[str, Any] = Field(default_factory=dict)


ScaffoldSpec = Annotated[
    Union[SingleScaffold, ToolLoopScaffold, SelfCheckScaffold, PythonScaffold],
    Field(discriminator="kind"),
]

SCAFFOLD_KINDS = ("single", "tool_loop", "self_check", "python")


class PromptFile(Strict):
    """A prompt file: named variants and named scaffolds."""

    description: str = ""
    variants: dict[str, VariantSpec] = Field(default_factory=dict)
    scaffolds: dict[str, ScaffoldSpec] = Field(default_factory=dict)
