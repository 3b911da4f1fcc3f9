"""The values a run produces: usage, model completions, check results and cell results.

These cross every layer below the shells (providers, scaffolds, checks, engine, store,
compare), so they are plain frozen dataclasses with explicit JSON forms: cheap to build
thousands of times a second and stable on disk (DESIGN 3).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

CellStatus = Literal["passed", "failed", "error"]


@dataclass(frozen=True, slots=True)
class Usage:
    """Tokens as the provider reported them. `cached` and `reasoning` are parts of
    `input` and `output` respectively, as in OpenAI's usage details."""

    input: int = 0
    output: int = 0
    reasoning: int = 0
    cached: int = 0

    @property
    def total(self) -> int:
        return self.input + self.output

    def __add__(self, other: "Usage") -> "Usage":
        return Usage(
            self.input + other.input,
            self.output + other.output,
            self.reasoning + other.reasoning,
            self.cached + other.cached,
        )

    def to_json(self) -> dict[str, int]:
        return {
            "input": self.input,
            "output": self.output,
            "reasoning": self.reasoning,
            "cached": self.cached,
            "total": self.total,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Usage":
        return cls(data.get("input", 0), data.get("output", 0), data.get("reasoning", 0), data.get("cached", 0))


@dataclass(frozen=True, slots=True)
class ToolCall:
    """A tool call as the model sent it; `arguments` is the raw JSON text (it may be malformed)."""

    id: str
    name: str
    arguments: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "arguments": self.arguments}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "ToolCall":
        return cls(data["id"], data["name"], data["arguments"])


@dataclass(frozen=True, slots=True)
class Completion:
    """One model response."""

    content: str | None
    tool_calls: tuple[ToolCall, ...] = ()
    usage: Usage = Usage()
    finish_reason: str | None = None

    def to_message(self) -> dict[str, Any]:
        """The assistant message to append to a conversation."""
        message: dict[str, Any] = {"role": "assistant", "content": self.content}
        if self.tool_calls:
            message["tool_calls"] = [
                {"id": call.id, "type": "function", "function": {"name": call.name, "arguments": call.arguments}}
                for call in self.tool_calls
            ]
        return message

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"content": self.content, "usage": self.usage.to_json()}
        if self.tool_calls:
            data["tool_calls"] = [call.to_json() for call in self.tool_calls]
        if self.finish_reason:
            data["finish_reason"] = self.finish_reason
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Completion":
        return cls(
            data.get("content"),
            tuple(ToolCall.from_json(call) for call in data.get("tool_calls", ())),
            Usage.from_json(data.get("usage", {})),
            data.get("finish_reason"),
        )


@dataclass(frozen=True, slots=True)
class CallRecord:
    """One model call of a cell: its usage, time, attempts and whether the cache answered."""

    usage: Usage
    latency_s: float
    attempts: int = 1
    cached: bool = False
    cost_usd: float | None = None
    purpose: Literal["candidate", "judge"] = "candidate"
    batch: bool = False
    """Answered through the provider's batch API (engine/batch.py); `latency_s` is then the wait."""

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "usage": self.usage.to_json(),
            "latency_s": round(self.latency_s, 4),
            "attempts": self.attempts,
            "cost_usd": self.cost_usd,
        }
        if self.cached:
            data["cached"] = True
        if self.purpose != "candidate":
            data["purpose"] = self.purpose
        if self.batch:
            data["batch"] = True
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "CallRecord":
        return cls(
            Usage.from_json(data.get("usage", {})),
            data.get("latency_s", 0.0),
            data.get("attempts", 1),
            data.get("cached", False),
            data.get("cost_usd"),
            data.get("purpose", "candidate"),
            data.get("batch", False),
        )


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The outcome of one check on one cell."""

    name: str
    type: str
    passed: bool
    score: float
    weight: float
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "passed": self.passed,
            "score": round(self.score, 6),
            "weight": self.weight,
            "reason": self.reason,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "CheckResult":
        return cls(data["name"], data["type"], data["passed"], data["score"], data["weight"], data.get("reason", ""))


class GroupKey(NamedTuple):
    """The identity of a group: the cells of one (variant, scaffold, model) over every case
    and repeat. A NamedTuple, so it unpacks, hashes and sorts like the plain triple it names."""

    variant: str
    """The variant's ref, `FILE:VARIANT` (with `@REV` when pinned)."""
    scaffold: str
    """The scaffold's ref: a built-in kind, `FILE:NAME` or an inline scaffold's id."""
    model: str
    """The model's id, as outputs name it."""


@dataclass(frozen=True, slots=True)
class CellKey:
    """The identity of a cell: one (variant, scaffold, model, case, repeat)."""

    variant: str
    scaffold: str
    model: str
    case_id: str
    repeat: int

    @property
    def group(self) -> GroupKey:
        """The group this cell belongs to."""
        return GroupKey(self.variant, self.scaffold, self.model)


@dataclass(frozen=True, slots=True)
class CellResult:
    """A finished cell, as one line of `results.jsonl`.

    `status` is `error` when a provider failure (after retries) or a harness problem kept
    the cell from an answer, or a check could not grade the answer it got: an error is
    neither a pass nor a fail."""

    key: CellKey
    status: CellStatus
    output: str | None
    score: float | None
    checks: tuple[CheckResult, ...] = ()
    transcript: tuple[dict[str, Any], ...] = ()
    """Every message of the conversation: the rendered prompt, each response, each tool result."""
    calls: tuple[CallRecord, ...] = ()
    error: str | None = None
    """Why the cell is an error, in one line; for a check, `file:line:col: check "NAME" cannot run: ...`."""
    error_type: str | None = None
    """`retryable`, `bad_request`, `context_window`, `other` (the provider's, after retries);
    `check` (a check could not grade: the output is kept); `render`; `exception` (a scaffold
    or hook raised)."""
    turns: int = 0
    tool_calls: dict[str, int] = field(default_factory=dict)
    nudges: int = 0
    tool_errors: int = 0
    """Tool calls the tool failed: injected faults plus tool exceptions (DESIGN 9)."""
    recovered: bool | None = None
    """True: a tool that failed later succeeded (every one that failed); False: not; None: none failed."""
    started_at: float = 0.0
    finished_at: float = 0.0

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def usage(self, purpose: str = "candidate") -> Usage:
        """Tokens summed over this cell's calls of one purpose (the judge's are apart)."""
        total = Usage()
        for call in self.calls:
            if call.purpose == purpose:
                total = total + call.usage
        return total

    def cost_usd(self, purpose: str = "candidate") -> float | None:
        """Summed cost, or None when any call of that purpose has no known price."""
        costs = [call.cost_usd for call in self.calls if call.purpose == purpose]
        if any(cost is None for cost in costs):
            return None
        return sum(costs)  # type: ignore[arg-type]

    @property
    def latency_s(self) -> float:
        """Time spent in the candidate's model calls (not queueing for a model, not grading)."""
        return sum(call.latency_s for call in self.calls if call.purpose == "candidate")

    @property
    def attempts(self) -> int:
        return sum(call.attempts for call in self.calls)

    def to_json(self) -> dict[str, Any]:
        usage = self.usage()
        data: dict[str, Any] = {
            "variant": self.key.variant,
            "scaffold": self.key.scaffold,
            "model": self.key.model,
            "case_id": self.key.case_id,
            "repeat": self.key.repeat,
            "status": self.status,
            "score": self.score,
            "output": self.output,
            "checks": [check.to_json() for check in self.checks],
            "usage": usage.to_json(),
            "cost_usd": self.cost_usd(),
            "latency_s": round(self.latency_s, 4),
            "attempts": self.attempts,
            "turns": self.turns,
            "tool_calls": self.tool_calls,
            "nudges": self.nudges,
            "tool_errors": self.tool_errors,
            "recovered": self.recovered,
            "calls": [call.to_json() for call in self.calls],
            "transcript": list(self.transcript),
            "error": self.error,
            "error_type": self.error_type,
            "started_at": round(self.started_at, 4),
            "finished_at": round(self.finished_at, 4),
        }
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "CellResult":
        return cls(
            key=CellKey(data["variant"], data["scaffold"], data["model"], data["case_id"], data["repeat"]),
            status=data["status"],
            output=data.get("output"),
            score=data.get("score"),
            checks=tuple(CheckResult.from_json(check) for check in data.get("checks", ())),
            transcript=tuple(data.get("transcript", ())),
            calls=tuple(CallRecord.from_json(call) for call in data.get("calls", ())),
            error=data.get("error"),
            error_type=data.get("error_type"),
            turns=data.get("turns", 0),
            tool_calls=dict(data.get("tool_calls", {})),
            nudges=data.get("nudges", 0),
            tool_errors=data.get("tool_errors", 0),
            recovered=data.get("recovered"),
            started_at=data.get("started_at", 0.0),
            finished_at=data.get("finished_at", 0.0),
        )
