"""Agents through `scaffold run` and `scaffold diff` against the test server (DESIGN 9): the
text protocol against native tool calls, injected tool faults and recovery, ask_user on the
ambiguous generator, and slices by tag."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scaffold.generators import get_generator
from scaffold.scaffolds.tools.builtin import NO_CLARIFICATION
from scaffold.scaffolds.tools.faults import fault_draw
from tests.cli.agent_library import write_agent_library
from tests.cli.test_run import scaffold
from tests.support.agent import calculator_agent, call_reply, first_user_text, last_tool_result, lookup_agent
from tests.support.script import ChatRequest, Reply, Script


def run_json(root: Path, *args: str) -> dict[str, Any]:
    done = scaffold(root, "run", *args, "--json", "--quiet")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def groups_by(summary: dict[str, Any], axis: str) -> dict[str, dict[str, Any]]:
    return {group[axis]: group for group in summary["groups"]}


def cells(summary: dict[str, Any]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in Path(summary["dir"], "results.jsonl").read_text().splitlines()]


def test_the_text_protocol_passes_exactly_as_often_as_native_calls(tmp_path, openai_server):
    openai_server.reset(Script(default=calculator_agent()))
    write_agent_library(tmp_path, "protocols", openai_server.url)

    summary = run_json(tmp_path, "protocols")

    native, text = groups_by(summary, "scaffold")["calc:native"], groups_by(summary, "scaffold")["calc:text"]
    expected = [case for case in get_generator("arith")(12, 4, digits=2, multi_step=0.5) if int(case["expected"]) % 3]
    assert native["passed"] == text["passed"] == len(expected) and 0 < len(expected) < 12
    for key in ("pass_rate", "calls", "turns_per_cell", "tool_calls_per_cell", "errors"):
        assert native[key] == text[key], key
    assert (native["turns_per_cell"], native["tool_calls_per_cell"]) == (2, 2)  # calculator, then submit
    bodies = [request.body for request in openai_server.chat_requests]
    text_bodies = [body for body in bodies if "tools" not in body]
    assert len(text_bodies) == 24 and all("<tools>" in body["messages"][0]["content"] for body in text_bodies)
    # tokens are the provider's, summed over turns, the same way for both protocols
    for cell in cells(summary):
        assert cell["usage"]["total"] == sum(call["usage"]["total"] for call in cell["calls"]) > 0
    assert text["tokens"]["input"] > native["tokens"]["input"]  # the tool list is in the prompt


def test_injected_faults_are_counted_and_a_nudge_shows_as_recovery(tmp_path, openai_server):
    openai_server.reset(Script(default=lookup_agent("price")))
    write_agent_library(tmp_path, "grit", openai_server.url)

    summary = run_json(tmp_path, "grit")

    flaky, nudged = groups_by(summary, "scaffold")["grit:flaky"], groups_by(summary, "scaffold")["grit:flaky_nudged"]
    assert (flaky["pass_rate"], flaky["tool_errors"], flaky["recovery_rate"]) == (0.0, 8, 0.0)
    assert (nudged["pass_rate"], nudged["tool_errors"], nudged["recovery_rate"]) == (1.0, 8, 1.0)
    stored = cells(summary)
    assert {(cell["scaffold"], cell["tool_errors"], cell["recovered"]) for cell in stored} == {
        ("grit:flaky", 1, False), ("grit:flaky_nudged", 1, True),
    }
    first_results = [cell["transcript"][3]["content"] for cell in stored]
    assert set(first_results) == {'<tool_response>{"name": "lookup", "content": "HTTP 500 Internal Server Error"}</tool_response>'}

    diff = scaffold(tmp_path, "diff", "--json")
    assert diff.returncode == 0, diff.stderr
    assert json.loads(diff.stdout)["recovery_rate"] == {"a": 0.0, "b": 1.0}
    table = scaffold(tmp_path, "diff")
    assert "recovery     0.0% → 100.0%" in table.stdout


def test_a_fault_rate_fails_the_same_calls_on_every_run(tmp_path, openai_server):
    openai_server.reset(Script(default=lookup_agent("price")))
    write_agent_library(tmp_path, "grit", openai_server.url)

    runs = [run_json(tmp_path, "sometimes", "--no-cache") for _ in range(2)]

    predicted = {
        (f"p{index}", repeat): fault_draw(f"p{index}", repeat, "lookup", 1) < 0.5
        for index in range(8) for repeat in range(3)
    }
    assert 0 < sum(predicted.values()) < 24
    for summary in runs:
        failed = {(cell["case_id"], cell["repeat"]): cell["tool_errors"] == 1 for cell in cells(summary)}
        assert failed == predicted
        group = summary["groups"][0]
        assert group["tool_errors"] == sum(predicted.values())
        assert group["passed"] == 24 - sum(predicted.values())  # this agent gives up on an error
        assert group["recovery_rate"] == 0.0


def ask_model(cases: list[dict[str, Any]]) -> Any:
    """Knows each request's answer; asks first when its system prompt says so; without asking
    it answers ambiguous requests wrong."""
    by_request = {case["vars"]["request"]: case for case in cases}

    def reply(request: ChatRequest) -> Reply:
        case = by_request[first_user_text(request)]
        asks = "call ask_user first" in request.messages[0]["content"]
        if asks and last_tool_result(request) is None:
            return call_reply(request, "ask_user", {"question": "What detail is missing?"})
        if asks or "clarification" not in case["vars"]:
            return Reply(f"The answer is {case['expected']}.")
        return Reply("The answer is 0.")

    return reply


def test_ask_user_answers_from_the_case_and_results_read_per_tag(tmp_path, openai_server):
    generated = get_generator("ambiguous")(8, 5)
    openai_server.reset(Script(default=ask_model(generated)))
    write_agent_library(tmp_path, "ask", openai_server.url)

    summary = run_json(tmp_path, "ask", "--by", "tag")

    assert [(s["tag"], [g["pass_rate"] for g in s["groups"]]) for s in summary["slices"]] == [
        ("clear", [1.0, 1.0]), ("ambiguous", [0.0, 1.0]),
    ]
    assert [g["n"] for s in summary["slices"] for g in s["groups"]] == [4, 4, 4, 4]
    clarifications = {case["id"]: case["vars"].get("clarification", NO_CLARIFICATION) for case in generated}
    for cell in cells(summary):
        if cell["variant"] == "ask:ask":
            assert cell["tool_calls"] == {"ask_user": 1}
            answer = json.dumps({"name": "ask_user", "content": clarifications[cell["case_id"]]})
            assert cell["transcript"][3]["content"] == f"<tool_response>{answer}</tool_response>"
        else:
            assert cell["tool_calls"] == {}

    by_tag = scaffold(tmp_path, "diff", "--by", "tag", "--json")
    assert by_tag.returncode == 0, by_tag.stderr
    compared = json.loads(by_tag.stdout)
    assert [(c["tag"], c["paired_n"], c["pass_rate"]["a"], c["pass_rate"]["b"]) for c in compared] == [
        ("clear", 4, 1.0, 1.0), ("ambiguous", 4, 0.0, 1.0),
    ]
    one = json.loads(scaffold(tmp_path, "diff", "--tag", "ambiguous", "--json").stdout)
    assert (one["tag"], one["paired_n"], one["pass_rate"]["delta"]) == ("ambiguous", 4, 1.0)
    table = scaffold(tmp_path, "diff", "--by", "tag").stdout
    assert table.index("tag clear") < table.index("tag ambiguous")

    only_clear = run_json(tmp_path, "ask", "--tag", "clear")
    assert only_clear["cells"]["total"] == 8 and "slices" not in only_clear


def test_run_by_tag_prints_a_table_per_tag_and_unknown_tags_are_one_line_errors(tmp_path, openai_server):
    openai_server.reset(Script(default=ask_model(get_generator("ambiguous")(8, 5))))
    write_agent_library(tmp_path, "ask", openai_server.url)

    bad_run = scaffold(tmp_path, "run", "ask", "--tag", "ambigous")
    assert bad_run.returncode == 2
    assert "--tag ambigous: no case has this tag (did you mean 'ambiguous'?)" in bad_run.stderr
    assert "Traceback" not in bad_run.stderr
    tables = scaffold(tmp_path, "run", "ask", "--quiet", "--by", "tag")
    assert tables.returncode == 0, tables.stderr
    assert tables.stdout.index("tag clear") < tables.stdout.index("tag ambiguous")
    bad_diff = scaffold(tmp_path, "diff", "--tag", "nope")
    assert bad_diff.returncode == 2 and "--tag nope: no case of the run has this tag" in bad_diff.stderr
