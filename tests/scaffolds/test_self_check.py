"""self_check: answer, then `rounds` of critique and revision in one conversation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scaffold.cells import Completion
from scaffold.scaffolds.self_check import DEFAULT_CRITIQUE, DEFAULT_REVISE

if TYPE_CHECKING:
    from tests.scaffolds.conftest import Drive


async def test_one_round_with_the_default_prompts(drive: Drive, prompt: list[dict[str, Any]]) -> None:
    outcome, model = await drive({"kind": "self_check"}, ["6", "2 + 3 is 5, not 6.", "5"])

    assert outcome.output == "5"
    assert (outcome.turns, outcome.tool_calls, outcome.nudges) == (3, {}, 0)
    assert outcome.transcript == [
        *prompt,
        {"role": "assistant", "content": "6"},
        {"role": "user", "content": DEFAULT_CRITIQUE},
        {"role": "assistant", "content": "2 + 3 is 5, not 6."},
        {"role": "user", "content": DEFAULT_REVISE},
        {"role": "assistant", "content": "5"},
    ]
    assert [request.messages for request in model.requests] == [
        outcome.transcript[:2], outcome.transcript[:4], outcome.transcript[:6]
    ]
    assert all(request.tools is None for request in model.requests)


async def test_rounds_and_overridden_prompts(drive: Drive) -> None:
    spec = {
        "kind": "self_check",
        "rounds": 2,
        "critique_prompt": "Check the sum of {{ a }} and {{ b }}.",
        "revise_prompt": "Answer with the number only.",
    }

    outcome, model = await drive(spec, ["6", "wrong", "4", "still wrong", "5"], {"a": 2, "b": 3})

    assert outcome.output == "5"
    assert outcome.turns == len(model.requests) == 5
    user_turns = [message["content"] for message in outcome.transcript[2:] if message["role"] == "user"]
    assert user_turns == [
        "Check the sum of 2 and 3.",
        "Answer with the number only.",
        "Check the sum of 2 and 3.",
        "Answer with the number only.",
    ]


async def test_an_empty_revision_is_an_empty_answer(drive: Drive) -> None:
    outcome, _ = await drive({"kind": "self_check"}, ["5", "fine", Completion(content=None)])
    assert outcome.output == ""
