"""Injected tool faults, tool errors and recovery (DESIGN 9), against a scripted model."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from pydantic import ValidationError

from scaffold.scaffolds.tool_loop import ToolLoopScaffold
from scaffold.scaffolds.tools.faults import FaultPlan, ToolFault, fault_draw

if TYPE_CHECKING:
    from tests.scaffolds.conftest import Drive

LOOKUP = ("lookup", {"key": "price"})
VARS = {"price": "12"}


async def test_the_first_call_fails_with_the_default_message_then_the_tool_works(drive: Drive) -> None:
    spec = {"kind": "tool_loop", "tools": ["lookup"], "faults": {"lookup": {"first": 1}}}

    outcome, model = await drive(spec, [[LOOKUP], [LOOKUP], [("submit", {"answer": "12"})]], VARS)

    assert model.requests[1].messages[-1]["content"] == "HTTP 500 Internal Server Error"
    assert model.requests[2].messages[-1]["content"] == "12"
    assert (outcome.output, outcome.tool_errors, outcome.recovered) == ("12", 1, True)
    assert outcome.tool_calls == {"lookup": 2, "submit": 1}


async def test_a_tool_that_never_works_again_is_not_recovered(drive: Drive) -> None:
    spec = {"kind": "tool_loop", "tools": ["lookup"], "faults": {"lookup": {"first": 2, "message": "HTTP 503 busy"}}}

    outcome, model = await drive(spec, [[LOOKUP, LOOKUP], "I give up."], VARS)

    assert [m["content"] for m in model.requests[1].messages[-2:]] == ["HTTP 503 busy", "HTTP 503 busy"]
    assert (outcome.tool_errors, outcome.recovered) == (2, False)


async def test_no_failure_leaves_recovered_unset(drive: Drive) -> None:
    outcome, _ = await drive({"kind": "tool_loop", "tools": ["lookup"]}, [[LOOKUP], "12"], VARS)
    assert (outcome.tool_errors, outcome.recovered) == (0, None)


async def test_tool_exceptions_count_but_the_models_mistakes_do_not(drive: Drive) -> None:
    spec = {"kind": "tool_loop", "tools": ["team_tools:broken_tool", "calculator"]}
    turn = [("broken_tool", {"reason": "x"}), ("calculator", {"expr": "1"}), ("nothing", {}), ("calculator", {"expression": "1/0"})]

    outcome, _ = await drive(spec, [turn, "done"])

    assert (outcome.tool_errors, outcome.recovered) == (2, False)


async def test_faults_work_in_the_text_protocol(drive: Drive) -> None:
    spec = {"kind": "tool_loop", "tools": ["lookup"], "protocol": "text", "faults": {"lookup": {"first": 1}}}
    call = '<tool_call>{"name": "lookup", "arguments": {"key": "price"}}</tool_call>'

    outcome, model = await drive(spec, [call, call, '<tool_call>{"name": "submit", "arguments": {"answer": "12"}}</tool_call>'], VARS)

    assert '"content": "HTTP 500 Internal Server Error"' in model.requests[1].messages[-1]["content"]
    assert (outcome.output, outcome.tool_errors, outcome.recovered) == ("12", 1, True)


def test_a_rate_fails_the_same_calls_every_time_and_about_that_often() -> None:
    plan = FaultPlan({"lookup": ToolFault(first=1, rate=0.3)})
    failures = [
        [plan.failure("lookup", index, f"case-{case}", repeat) is not None for index in range(1, 6)]
        for case in range(400) for repeat in range(2)
    ]
    again = [
        [plan.failure("lookup", index, f"case-{case}", repeat) is not None for index in range(1, 6)]
        for case in range(400) for repeat in range(2)
    ]
    assert failures == again
    assert all(calls[0] for calls in failures)  # `first: 1`
    later = [failed for calls in failures for failed in calls[1:]]
    assert 0.26 < sum(later) / len(later) < 0.34  # 3,200 draws: 0.3 within about 3 standard errors
    assert plan.failure("calculator", 1, "case-0", 0) is None


def test_the_draw_depends_on_case_repeat_tool_and_call_index() -> None:
    base = fault_draw("c1", 0, "lookup", 2)
    assert 0 <= base < 1
    assert base == fault_draw("c1", 0, "lookup", 2)
    others = {fault_draw("c2", 0, "lookup", 2), fault_draw("c1", 1, "lookup", 2),
              fault_draw("c1", 0, "search", 2), fault_draw("c1", 0, "lookup", 3)}
    assert base not in others and len(others) == 4


def test_user_tools_may_be_named_as_listed_or_as_called() -> None:
    plan = FaultPlan({"team_tools:broken_tool": ToolFault(first=1)})
    assert plan.failure("broken_tool", 1, "c", 0) == "HTTP 500 Internal Server Error"


def test_a_fault_for_a_tool_the_scaffold_does_not_offer_is_refused() -> None:
    with pytest.raises(ValidationError, match="faults: 'search' is not one of this scaffold's tools"):
        ToolLoopScaffold(kind="tool_loop", tools=["lookup"], faults={"search": {"first": 1}})
