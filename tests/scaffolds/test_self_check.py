"""self_check: answer, then `rounds` of critique and revision in one conversation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from scaffold.spec.prompt_file import DEFAULT_CRITIQUE, DEFAULT_REVISE

if TYPE_CHECKING:
    from tests.scaffolds.conftest import ScriptedModel


async def test_one_round_with_the_default_prompts(
    scripted: Callable[..., ScriptedModel], scaffold_for: Callable, context_for: Callable, prompt: list
) -> None:
    model = scripted(["6", "2 + 3 is 5, not 6.", "5"])

    outcome = await scaffold_for({"kind": "self_check"}).run(prompt, model, context_for())

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


async def test_rounds_and_overridden_prompts(
    scripted: Callable[..., ScriptedModel], scaffold_for: Callable, context_for: Callable, prompt: list
) -> None:
    model = scripted(["6", "wrong", "4", "still wrong", "5"])
    spec = {
        "kind": "self_check",
        "rounds": 2,
        "critique_prompt": "Check the sum of {{ a }} and {{ b }}.",
        "revise_prompt": "Answer with the number only.",
    }

    outcome = await scaffold_for(spec).run(prompt, model, context_for({"a": 2, "b": 3}))

    assert outcome.output == "5"
    assert outcome.turns == 5
    assert len(model.requests) == 5
    user_turns = [message["content"] for message in outcome.transcript[2:] if message["role"] == "user"]
    assert user_turns == [
        "Check the sum of 2 and 3.",
        "Answer with the number only.",
        "Check the sum of 2 and 3.",
        "Answer with the number only.",
    ]


async def test_an_empty_revision_is_an_empty_answer(
    scripted: Callable[..., ScriptedModel], scaffold_for: Callable, context_for: Callable, prompt: list
) -> None:
    from scaffold.cells import Completion

    model = scripted(["5", "fine", Completion(content=None)])
    outcome = await scaffold_for({"kind": "self_check"}).run(prompt, model, context_for())
    assert outcome.output == ""
