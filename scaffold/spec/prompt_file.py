"""The shape of a prompt file (`prompts/NAME.yaml`, DESIGN 1.1): variants and scaffolds."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import Field, ValidationInfo, field_validator

from scaffold.spec.base import Strict

ENTRY_PATTERN = r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$"
"""`module:function`, the way Python hooks are named."""

BUILTIN_TOOLS = ("calculator", "lookup", "ask_user", "submit")


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


ToolName = Annotated[
    str, Field(pattern=r"^(calculator|lookup|ask_user|submit|[A-Za-z_][\w.]*:[A-Za-z_]\w*)$")
]
"""A built-in tool (`calculator`, `lookup`, `ask_user`, `submit`) or a user tool as `module:function`."""

DEFAULT_FAULT_MESSAGE = "HTTP 500 Internal Server Error"


class ToolFault(Strict):
    """Injected failures of one tool (DESIGN 9): the model gets `message` instead of a result."""

    first: int = Field(0, ge=0)
    """Fail the first N calls of the tool in each cell."""
    rate: float = Field(0.0, ge=0, le=1)
    """Fail each later call with this probability, seeded by (case id, repeat, tool, call index)."""
    message: str = DEFAULT_FAULT_MESSAGE
    """What the model gets back as the tool's result."""


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
    protocol: Literal["native", "text"] = "native"
    """`native`: the provider's function calling; `text`: `<tool_call>` blocks in plain text (DESIGN 9)."""
    faults: dict[str, ToolFault] = Field(default_factory=dict)
    """Injected failures by tool (`lookup`, or a user tool as `module:function` or its function name)."""

    @field_validator("faults")
    @classmethod
    def _faults_name_listed_tools(cls, faults: dict[str, ToolFault], info: ValidationInfo) -> dict[str, ToolFault]:
        if "tools" not in info.data:  # the tools themselves are wrong: that is the problem to show
            return faults
        tools: list[str] = info.data["tools"]
        offered = {*tools, *(name.rsplit(":", 1)[-1] for name in tools)}
        for name in faults:
            if name not in offered:
                raise ValueError(f"faults: '{name}' is not one of this scaffold's tools ({', '.join(tools) or 'none'})")
        return faults


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
