"""judge: the rubric, the case input and the output go to the judge; its verdict is parsed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from scaffold.cells import Completion, Usage
from scaffold.checks.common import CheckFailure
from scaffold.checks.judge import parse_verdict
from scaffold.providers.base import ProviderError

if TYPE_CHECKING:
    from conftest import BrokenCheck, RunCheck

TRANSCRIPT = (
    {"role": "system", "content": "You are a concise assistant."},
    {"role": "user", "content": "Explain recursion to a child."},
    {"role": "assistant", "content": "It is when a thing is defined by itself."},
    {"role": "user", "content": [{"type": "text", "text": "Shorter, please, one sentence."}]},
    {"role": "assistant", "content": "A story that tells itself again, smaller each time."},
)


class ScriptedJudge:
    """A judge that replies with a fixed text and records what it was sent."""

    def __init__(self, reply: str | None) -> None:
        self.reply = reply
        self.calls: list[tuple[list[dict[str, Any]], str]] = []

    async def __call__(self, messages: list[dict[str, Any]], model_name: str) -> Completion:
        self.calls.append((messages, model_name))
        return Completion(self.reply, usage=Usage(input=300, output=20))


@pytest.mark.parametrize(
    ("reply", "score"),
    [
        ("Clear and short.\n<score>0.8</score>", 0.8),
        ("<score> 1 </score>", 1.0),
        ("Decent. <score>7/10</score>", 0.7),
        ("First <score>0.2</score>, on reflection <score>0.9</score>", 0.9),
        ("It meets the rubric. PASS", 1.0),
        ("Would PASS style but the facts are wrong. FAIL", 0.0),
    ],
)
def test_verdict_formats(reply: str, score: float) -> None:
    assert parse_verdict(reply)[0] == pytest.approx(score)


@pytest.mark.parametrize("reply", ["I think it is good.", "<score>1.5</score>", "<score>-1</score>", ""])
def test_unreadable_verdicts_raise(reply: str) -> None:
    with pytest.raises(CheckFailure):
        parse_verdict(reply)


async def test_judge_sees_rubric_input_and_output(run_check: RunCheck) -> None:
    judge = ScriptedJudge("One clear sentence a child would follow.\n<score>0.9</score>")
    output = "A story that tells itself again, smaller each time."
    raw = {"judge": "The answer is one sentence a {{ age }}-year-old understands."}
    result = await run_check(
        raw, output, vars={"age": 7}, transcript=TRANSCRIPT, judge=judge, judge_model="openai/gpt-4.1-mini"
    )
    assert result.passed and result.score == 0.9
    assert result.reason == "score 0.9: One clear sentence a child would follow."
    [(messages, model_name)] = judge.calls
    assert model_name == "openai/gpt-4.1-mini"
    assert [message["role"] for message in messages] == ["system", "user"]
    assert "<score>S</score>" in messages[0]["content"]
    prompt = messages[1]["content"]
    assert "a 7-year-old understands" in prompt
    assert "<input>\nShorter, please, one sentence.\n</input>" in prompt
    assert f"<output>\n{output}\n</output>" in prompt


async def test_low_score_fails_at_the_default_threshold(run_check: RunCheck) -> None:
    judge = ScriptedJudge("Too long and uses jargon.\n<score>0.3</score>")
    output = "Recursion is self-reference."
    result = await run_check({"judge": "Simple words only."}, output, judge=judge, judge_model="m")
    assert not result.passed and result.score == 0.3
    assert result.reason == "score 0.3: Too long and uses jargon."


async def test_check_model_and_threshold_override_the_experiment(run_check: RunCheck) -> None:
    judge = ScriptedJudge("<score>0.8</score>")
    raw = {"judge": "Polite.", "model": "anthropic/claude-haiku", "threshold": 0.9}
    result = await run_check(raw, "Thanks!", judge=judge, judge_model="openai/gpt-4.1-mini")
    assert not result.passed and result.score == 0.8
    assert judge.calls[0][1] == "anthropic/claude-haiku"


async def test_no_judge_model_is_a_check_error_without_calling(broken_check: BrokenCheck) -> None:
    judge = ScriptedJudge("<score>1</score>")
    error = await broken_check({"judge": "Polite."}, "Thanks!", judge=judge)
    assert error.cause.startswith("no judge model")
    assert judge.calls == []


async def test_unreadable_verdict_is_a_check_error(broken_check: BrokenCheck) -> None:
    error = await broken_check({"judge": "Polite."}, "Thanks!", judge=ScriptedJudge(None), judge_model="m")
    assert error.cause == 'judge verdict unreadable: ""'


async def test_judge_provider_failure_propagates_for_the_engine(run_check: RunCheck) -> None:
    async def unreachable(messages: list[dict[str, Any]], model_name: str) -> Completion:
        raise ProviderError("retryable", "503 Service Unavailable", status=503)

    with pytest.raises(ProviderError):
        await run_check({"judge": "Polite."}, "Thanks!", judge=unreachable, judge_model="m")
