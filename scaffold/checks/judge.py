"""The `judge` check: a model grades the output against a rubric.

The judge sees the rubric, the case's input (the last user message of the rendered prompt,
or of the transcript when no prompt is given) and
the output, and is asked to end its reply with `<score>S</score>`, S between 0 and 1. The
verdict is read from the last such tag (`<score>7/10</score>` is read as 0.7); a reply
without one falls back to its last standalone PASS or FAIL; a reply with neither is a check
error of the cell (the candidate was not graded), not a fail. The judge's tokens go through
`context.judge`, which the engine counts apart from the candidate's.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Literal

from scaffold.checks.base import CheckContext
from scaffold.checks.common import CheckFailure, SpecCheck, check_type, clip, quote, render_text
from scaffold.spec.base import CheckBase, Finding, Setting

if TYPE_CHECKING:
    from scaffold.cells import CheckResult

DEFAULT_THRESHOLD = 0.5

JUDGE_SYSTEM = """\
You are a strict, fair grader. You are given a rubric, the input a model was given, and \
the model's output. Judge the output against the rubric only.
Reply with one or two sentences explaining your judgement, then end with the score on its \
own line as <score>S</score>, where S is a number from 0 (fails the rubric) to 1 (fully \
meets it)."""

JUDGE_USER = """\
<rubric>
{rubric}
</rubric>

<input>
{input}
</input>

<output>
{output}
</output>"""

SCORE_TAG = re.compile(r"<score>\s*([-+]?\d*\.?\d+)\s*(?:/\s*(\d*\.?\d+)\s*)?</score>", re.IGNORECASE)
PASS_FAIL = re.compile(r"\b(PASS|FAIL)(?:ED)?\b")


def message_text(content: Any) -> str:
    """A message's text, whether its content is a string or a list of parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return ""


def case_input(transcript: tuple[dict[str, Any], ...]) -> str:
    """The text of the last user message: what the candidate was asked."""
    for message in reversed(transcript):
        if message.get("role") == "user":
            return message_text(message.get("content"))
    return "(no input)"


def parse_verdict(reply: str) -> tuple[float, str]:
    """The judge's score in [0, 1] and its explanation (the reply without the score).

    Raises CheckFailure when the reply holds no readable score."""
    tags = list(SCORE_TAG.finditer(reply))
    if tags:
        last = tags[-1]
        score = float(last.group(1))
        if last.group(2) is not None:
            denominator = float(last.group(2))
            score = score / denominator if denominator else -1.0
        if not 0.0 <= score <= 1.0:
            raise CheckFailure(f"judge score out of 0..1: {quote(last.group(0))}")
        return score, SCORE_TAG.sub("", reply).strip()
    words = PASS_FAIL.findall(reply)
    if words:
        return (1.0 if words[-1] == "PASS" else 0.0), reply.strip()
    raise CheckFailure(f"judge verdict unreadable: {quote(reply, 60)}")


class JudgeCheck(CheckBase):
    type: Literal["judge"]
    value: str
    """The rubric the judge model grades against."""
    model: str | None = None
    """The judge model; defaults to the experiment's `judge_model`."""

    def problems(self, setting: Setting) -> list[Finding]:
        if self.model is None and setting.judge_model is None:
            return [((), "a judge check needs `model:` or the experiment's `judge_model:`")]
        return []


@check_type(JudgeCheck)
class Judge(SpecCheck[JudgeCheck]):
    """Asks the judge model to score the output against the rubric (`value`); the check
    passes when the score reaches `threshold` (default 0.5)."""

    def messages(self, rubric: str, output: str, context: CheckContext) -> list[dict[str, Any]]:
        """The judge's conversation for one output."""
        user = JUDGE_USER.format(rubric=rubric.strip(), input=case_input(context.prompt or context.transcript).strip(), output=output)
        return [{"role": "system", "content": JUDGE_SYSTEM}, {"role": "user", "content": user}]

    async def grade(self, output: str, context: CheckContext) -> CheckResult:
        model = self.spec.model or context.judge_model
        if model is None:
            raise CheckFailure("no judge model (set `model:` on the check or `judge_model:`)")
        if context.judge is None:
            raise CheckFailure("no judge available to this run")
        rubric = render_text(self.spec.value, context)
        completion = await context.judge(self.messages(rubric, output, context), model)
        score, explanation = parse_verdict(completion.content or "")
        threshold = DEFAULT_THRESHOLD if self.spec.threshold is None else self.spec.threshold
        return self.result(score >= threshold, f"score {score:g}: {clip(explanation, 100)}", score)
