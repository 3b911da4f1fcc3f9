"""A cell's conversation as text: each message under its role, the tokens of each model turn,
then the checks — for the case screen's two side-by-side panes and the prompt view."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from scaffold.cells import CallRecord, CellResult
from scaffold.text_format import cost, number, seconds

ROLE_STYLES = {"system": "bold magenta", "user": "bold cyan", "assistant": "bold green", "tool": "bold yellow"}
STATUS_MARKS = {
    "passed": ("✓ passed", "bold green"),
    "failed": ("✗ failed", "bold red"),
    "error": ("! error", "bold yellow"),
}


def message_block(message: dict[str, Any], footnote: str | None = None) -> RenderableType:
    """One message: its role (and tool name), its text, its tool calls, and a dim footnote."""
    role = str(message.get("role", "?"))
    head = Text(role, style=ROLE_STYLES.get(role, "bold"))
    if message.get("name"):
        head.append(f" {message['name']}", style="yellow")
    content = message.get("content")
    body = Text(content if isinstance(content, str) else "" if content is None else str(content))
    parts: list[RenderableType] = [head, body]
    for call in message.get("tool_calls") or ():
        function = call.get("function", {})
        parts.append(Text(f"→ {function.get('name', '?')}({function.get('arguments', '')})", style="yellow"))
    if footnote:
        parts.append(Text(footnote, style="dim"))
    parts.append(Text(""))
    return Group(*parts)


def _turn_note(index: int, call: CallRecord) -> str:
    usage = call.usage
    extra = f" · cached {usage.cached}" if usage.cached else ""
    extra += f" · reasoning {usage.reasoning}" if usage.reasoning else ""
    retried = f" · {call.attempts} attempts" if call.attempts > 1 else ""
    return f"turn {index}: {usage.input} in · {usage.output} out{extra} · {seconds(call.latency_s)}{retried}"


def transcript_renderable(result: CellResult, heading: str) -> RenderableType:
    """The whole cell: heading and outcome, the conversation with tokens per turn, the checks."""
    mark, style = STATUS_MARKS.get(result.status, (result.status, "bold"))
    usage = result.usage()
    score = "" if result.score is None else f" · score {number(result.score, 2)}"
    parts: list[RenderableType] = [
        Text(heading, style="bold"),
        Text.assemble((mark, style), f"{score} · {usage.total} tokens · {cost(result.cost_usd())}"),
        Text(""),
    ]
    candidate_calls = [call for call in result.calls if call.purpose == "candidate"]
    turn = 0
    for message in result.transcript:
        footnote = None
        if message.get("role") == "assistant" and turn < len(candidate_calls):
            footnote = _turn_note(turn + 1, candidate_calls[turn])
            turn += 1
        parts.append(message_block(message, footnote))
    if result.error:
        parts.append(Text(f"error ({result.error_type}): {result.error}", style="bold yellow"))
    if result.checks:
        parts.append(Text("checks", style="bold"))
        for check in result.checks:
            line = Text.assemble(
                ("✓ " if check.passed else "✗ ", "green" if check.passed else "red"),
                f"{check.name} ({check.type}, weight {check.weight:g})",
            )
            if check.reason:
                line.append(f": {check.reason}", style="dim")
            parts.append(line)
    return Group(*parts)


class TranscriptView(VerticalScroll):
    """A scrollable transcript of one cell."""

    def compose(self) -> ComposeResult:
        yield Static("", classes="transcript-body")

    def show(self, result: CellResult | None, heading: str) -> None:
        """Show `result` under `heading` (a note when the side has no such cell)."""
        body = self.query_one(".transcript-body", Static)
        if result is None:
            body.update(Text(f"{heading}\nno cell of this case on this side", style="dim"))
        else:
            body.update(transcript_renderable(result, heading))
