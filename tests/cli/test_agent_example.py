"""The shipped agent example end to end: single vs tool_loop with and without a nudge,
against a test server scripted to call the calculator and to stop early unless nudged."""

from __future__ import annotations

import ast
import json
import operator
import re
import shutil
from pathlib import Path

from tests.cli.test_run import scaffold
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
    """Without tools it is off by ten; with tools it calculates, then stops to ask unless nudged."""
    expression = re.search(r"Compute (.+?)\. Give", request.all_text).group(1)  # type: ignore[union-attr]
    value = _value(expression)
    if not request.tools:
        return Reply(f"The answer is {value + 10}.")
    if request.turn == 0:
        return Reply.calling("calculator", {"expression": expression})
    if "Keep going" in request.last_user_text:
        return Reply.calling("submit", {"answer": str(value)})
    return Reply("I have computed it. Shall I write it down?")


def test_agent_example_compares_scaffolds_on_the_test_server(tmp_path, openai_server):
    openai_server.reset(Script(default=agent_model))
    for folder in ("prompts", "experiments"):
        shutil.copytree(REPO / folder, tmp_path / folder)
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
    assert all(any(m.get("role") == "tool" for m in cell["transcript"]) for cell in nudged)
    # token totals are the sum over turns
    for cell in map(json.loads, results):
        assert cell["usage"]["total"] == sum(call["usage"]["total"] for call in cell["calls"])
