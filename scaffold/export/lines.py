"""The shape of every line `scaffold export` writes, in OpenAI's fine-tuning formats.

Each model forbids unknown keys, so a test that validates every written line against these
models checks the files against `docs/formats.md`, which documents exactly these fields.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field


class Exported(BaseModel):
    """A line shape: unknown keys are errors; `line()` is its JSONL form."""

    model_config = ConfigDict(extra="forbid")

    def line(self) -> str:
        """One JSONL line (fields left unset are left out), newline included."""
        import json

        return json.dumps(self.model_dump(mode="json", exclude_none=True), ensure_ascii=False) + "\n"


class FunctionCall(Exported):
    """The function an assistant's tool call names, and its arguments as JSON text."""

    name: str
    arguments: str


class ToolCall(Exported):
    """One tool call of an assistant message."""

    id: str
    type: Literal["function"] = "function"
    function: FunctionCall


class ChatMessage(Exported):
    """A chat message as OpenAI's fine-tuning files hold it."""

    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | None = None
    """The text; null only for an assistant message that calls tools."""
    tool_calls: list[ToolCall] | None = None
    """An assistant's tool calls."""
    tool_call_id: str | None = None
    """For a `tool` message: the call it answers."""


class SftLine(Exported):
    """`--format sft`: one passing cell's conversation, its answer last."""

    messages: list[ChatMessage] = Field(min_length=2)


class PreferenceInput(Exported):
    """The conversation both outputs of a preference pair answer."""

    messages: list[ChatMessage] = Field(min_length=1)


class PreferenceLine(Exported):
    """`--format preference`: a passing and a failing answer to the same input."""

    input: PreferenceInput
    preferred_output: list[ChatMessage] = Field(min_length=1)
    """The answer of a cell that passed."""
    non_preferred_output: list[ChatMessage] = Field(min_length=1)
    """The answer of a cell that failed, on the same case and prompt."""


class RftItem(Exported):
    """`--format rft`: one task for reinforcement fine-tuning, with what its grader reads."""

    messages: list[ChatMessage] = Field(min_length=1)
    """The prompt as the variant rendered it; the last message is the user's."""
    case_id: str
    vars: dict[str, Any]
    """The case's vars (a python grader sees them as `case.vars`)."""
    expected: Any = None
    references: dict[str, str] = Field(default_factory=dict)
    """Check values rendered for this case, keyed by grader name (`{{ item.references.NAME }}`)."""


class StringCheckGrader(Exported):
    """OpenAI's `string_check` grader: 1 when `input` (`operation`) `reference`, else 0."""

    type: Literal["string_check"] = "string_check"
    name: str
    input: str
    reference: str
    operation: Literal["eq", "ne", "like", "ilike"]
    """`like`: contains; `ilike`: contains, ignoring case."""


class PythonGrader(Exported):
    """OpenAI's `python` grader: `source` defines `grade(sample, item) -> float`."""

    type: Literal["python"] = "python"
    name: str
    source: str


SubGrader = Annotated[Union[StringCheckGrader, PythonGrader], Field(discriminator="type")]


class MultiGrader(Exported):
    """OpenAI's `multi` grader: `calculate_output` combines the named graders' scores."""

    type: Literal["multi"] = "multi"
    name: str
    graders: dict[str, SubGrader]
    calculate_output: str
    """The weighted mean of the checks' scores, as the cell's score is in scaffold."""


Grader = Annotated[Union[StringCheckGrader, PythonGrader, MultiGrader], Field(discriminator="type")]
"""What `FILE.grader.json` holds."""
