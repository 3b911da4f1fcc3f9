"""python scaffolds: the user's async function, imported from the library folder, runs the cell."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from scaffold.user_code import UserCodeError

if TYPE_CHECKING:
    from tests.scaffolds.conftest import Drive


async def test_a_user_scaffold_runs_with_its_options(drive: Drive, prompt: list[dict[str, Any]]) -> None:
    spec = {"kind": "python", "entry": "agent_scaffolds:answer_then_confirm", "options": {"confirm": "Sure?"}}

    outcome, model = await drive(spec, ["5?", "5"])

    assert outcome.output == "5"
    assert (outcome.turns, outcome.tool_calls, outcome.nudges) == (2, {}, 0)
    assert outcome.transcript == [
        *prompt,
        {"role": "assistant", "content": "5?"},
        {"role": "user", "content": "Sure?"},
        {"role": "assistant", "content": "5"},
    ]
    assert model.requests[1].messages == outcome.transcript[:4]


async def test_a_user_scaffold_runs_tools_and_they_are_counted(drive: Drive) -> None:
    spec = {"kind": "python", "entry": "agent_scaffolds:compute_with_tools", "tools": ["calculator"]}

    outcome, model = await drive(spec, ["It is 57."], {"expression": "(12 + 7) * 3"})

    assert outcome.output == "It is 57."
    assert model.requests[0].messages[-1] == {"role": "user", "content": "The tool says 57."}
    assert (outcome.turns, outcome.tool_calls) == (1, {"calculator": 1})
    assert outcome.transcript[-2:] == [
        {"role": "user", "content": "The tool says 57."},
        {"role": "assistant", "content": "It is 57."},
    ]


async def test_independent_calls_are_all_in_the_transcript(drive: Drive, prompt: list[dict[str, Any]]) -> None:
    outcome, _ = await drive({"kind": "python", "entry": "agent_scaffolds:best_of_two"}, ["5", "The sum is 5."])

    assert outcome.output == "The sum is 5."
    assert outcome.turns == 2
    assert outcome.transcript == [
        *prompt,
        {"role": "assistant", "content": "5"},
        *prompt,
        {"role": "assistant", "content": "The sum is 5."},
    ]


async def test_a_returned_outcome_is_taken_as_it_is(drive: Drive) -> None:
    outcome, _ = await drive({"kind": "python", "entry": "agent_scaffolds:full_outcome"}, ["5"])
    assert (outcome.output, outcome.turns, outcome.transcript) == ("[5]", 7, [{"role": "user", "content": "x"}])


@pytest.mark.parametrize(
    ("entry", "error_type", "message"),
    [
        ("agent_scaffolds:not_async", UserCodeError, "scaffold agent_scaffolds:not_async must be an async function"),
        ("agent_scaffolds:missing", UserCodeError, "module 'agent_scaffolds' has no attribute 'missing'"),
        ("no_such_agents:solve", UserCodeError, "No module named 'no_such_agents'"),
        ("agent_scaffolds:returns_number", TypeError, "returned int; expected a str, a dict or a ScaffoldOutcome"),
        ("agent_scaffolds:returns_unknown_keys", TypeError, "returned unknown keys turn; expected output"),
    ],
)
async def test_bad_entries_are_clear_errors(
    drive: Drive, entry: str, error_type: type[Exception], message: str
) -> None:
    with pytest.raises(error_type) as error:
        await drive({"kind": "python", "entry": entry}, [])
    assert message in str(error.value)
