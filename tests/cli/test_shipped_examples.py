"""The shipped examples end to end against the test server: quickstart's --json summary has
the DESIGN 2.1 shape; the agent example compares single vs a text-protocol tool_loop with
and without a nudge, the server scripted to call the calculator and to stop early unless
nudged."""

from __future__ import annotations

import ast
import json
import operator
import re
import shutil
from pathlib import Path

from tests.cli.test_run import scaffold
from tests.support.agent import call_reply
from tests.support.script import ChatRequest, Reply, Script

REPO = Path(__file__).resolve().parents[2]
_OPERATORS = {ast.Add: operator.add, ast.Sub: operator.sub}


def _value(expression: str) -> int:
    def walk(node: ast.AST) -> int:
        if isinstance(node, ast.BinOp):
            return _OPERATORS[type(node.op)](walk(node.left), walk(node.right))
        assert isinstance(node, ast.Constant)
        return int(node.value)

    return walk(ast.parse(expression, mode="eval").body)


def agent_model(request: ChatRequest) -> Reply:
    """Without tools it is off by ten; with tools (described in the system message: the text
    protocol) it calculates, then stops to ask unless nudged."""
    expression = re.search(r"Compute (.+?)\. Give", request.all_text).group(1)  # type: ignore[union-attr]
    value = _value(expression)
    if request.tools or "<tools>" not in request.messages[0]["content"]:
        return Reply(f"The answer is {value + 10}.")
    if request.turn == 0:
        return call_reply(request, "calculator", {"expression": expression})
    if "Keep going" in request.last_user_text:
        return call_reply(request, "submit", {"answer": str(value)})
    return Reply("I have computed it. Shall I write it down?")


def _copy_library(root: Path) -> None:
    for folder in ("prompts", "experiments"):
        shutil.copytree(REPO / folder, root / folder)


def test_quickstart_json_summary_has_the_design_shape(tmp_path, openai_server):
    openai_server.reset(Script(default=lambda request: Reply(str(_value(request.search(r"(\d+ [-+] \d+)")[1])))))
    _copy_library(tmp_path)
    done = scaffold(
        tmp_path, "run", "quickstart", "-m", "openai/test-model", "--json",
        OPENAI_API_BASE=openai_server.url, OPENAI_API_KEY="sk-local-test",
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert list(summary) == ["run_id", "dir", "experiment", "status", "cells", "groups", "gates", "warnings"]
    assert summary["experiment"] == "quickstart" and summary["status"] == "complete"
    assert summary["cells"] == {"total": 60, "passed": 60, "failed": 0, "errors": 0}
    assert [group["variant"] for group in summary["groups"]] == ["arith:plain", "arith:xml", "arith:keep_going"]
    for group in summary["groups"]:
        assert {"variant", "scaffold", "model", "n", "passed", "failed", "errors", "pass_rate", "ci95", "tokens",
                "calls", "cost_usd", "latency_s", "pass_at_k", "pass_all_k"} <= set(group)
        assert (group["model"], group["n"], group["pass_rate"], group["calls"]) == ("openai/test-model", 20, 1.0, 20)
        assert group["cost_usd"] is None  # no price is known for this model: never a guess
        assert set(group["tokens"]) >= {"input", "output", "reasoning", "cached", "total", "mean_per_cell", "per_pass"}
        assert set(group["latency_s"]) == {"p50", "p95"} and len(group["ci95"]) == 2
    # the experiment's params reach the provider; repeated sums (7 + 7 twice) come from the cache
    assert 0 < openai_server.request_count <= 60
    assert all(r.body["max_tokens"] == 48 and r.body["temperature"] == 0 for r in openai_server.chat_requests)


def test_agent_example_compares_scaffolds_on_the_test_server(tmp_path, openai_server):
    openai_server.reset(Script(default=agent_model))
    _copy_library(tmp_path)
    done = scaffold(
        tmp_path, "run", "agent", "-m", "openai/test-model", "--limit", "4", "--json",
        OPENAI_API_BASE=openai_server.url, OPENAI_API_KEY="sk-local-test",
    )
    assert done.returncode == 0, done.stderr
    groups = {group["scaffold"]: group for group in json.loads(done.stdout)["groups"]}
    assert set(groups) == {"single", "agent:calculator", "agent:calculator_nudged"}
    assert [groups[s]["pass_rate"] for s in ("single", "agent:calculator", "agent:calculator_nudged")] == [0, 0, 1]
    assert [groups[s]["turns_per_cell"] for s in ("single", "agent:calculator", "agent:calculator_nudged")] == [1, 2, 3]
    assert groups["agent:calculator"]["tool_calls_per_cell"] == 1
    assert groups["agent:calculator_nudged"]["tool_calls_per_cell"] == 2  # calculator, then submit
    assert sum(group["calls"] for group in groups.values()) == openai_server.request_count == 4 * (1 + 2 + 3)
    results = next((tmp_path / ".scaffold" / "runs").glob("*/results.jsonl")).read_text().splitlines()
    nudged = [json.loads(line) for line in results if '"agent:calculator_nudged"' in line]
    assert all(cell["nudges"] == 1 for cell in nudged)
    assert all(any("<tool_response>" in str(m.get("content")) for m in cell["transcript"]) for cell in nudged)
    assert not any(request.body.get("tools") for request in openai_server.chat_requests)  # text protocol
    # token totals are the sum over turns
    for cell in map(json.loads, results):
        assert cell["usage"]["total"] == sum(call["usage"]["total"] for call in cell["calls"])
