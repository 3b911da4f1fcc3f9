"""`scaffold plan` (no call unless --pilot), `scaffold cases` and the saturation warning,
against runs on the test server."""

from __future__ import annotations

import json
from pathlib import Path

from scaffold.stats import cases_needed
from tests.cli.test_run import scaffold
from tests.engine.library import sum_reply, write_library
from tests.support.script import ChatRequest, Reply, Script

PLAN_KEYS = {"effect", "alpha", "power", "paired_cases", "cells", "tokens", "cost_usd", "sequential_expected_cases"}


def test_plan_from_the_latest_run_sends_nothing_and_sizes_the_decision(tmp_path: Path, openai_server) -> None:
    openai_server.reset(Script(default=sum_reply))
    write_library(tmp_path, openai_server.url)
    ran = scaffold(tmp_path, "run", "arith", "--json")
    assert ran.returncode == 0, ran.stderr
    summary = json.loads(ran.stdout)
    requests_before = len(openai_server.chat_requests)

    done = scaffold(tmp_path, "plan", "arith", "--effect", "0.1", "--json")
    assert done.returncode == 0, done.stderr
    assert len(openai_server.chat_requests) == requests_before
    plan = json.loads(done.stdout)
    assert set(plan) >= PLAN_KEYS
    assert plan["from_run"] == summary["run_id"]
    # sum_reply: the plain prompt misses 2 of the 6 cases the xml prompt gets: 1/3 discordant.
    assert plan["discordant_rate"] == round(2 / 6, 4)
    expected = cases_needed(0.45, 0.55, discordant_rate=2 / 6, alpha=0.05, power=0.8)
    assert plan["paired_cases"] == expected and plan["cells"] == 2 * expected
    tokens_per_cell = sum(group["tokens"]["total"] for group in summary["groups"]) / summary["cells"]["total"]
    assert plan["tokens"] == round(tokens_per_cell * plan["cells"])
    assert plan["cost_usd"] is None  # the test model has no price
    assert 0 < plan["sequential_expected_cases"] < plan["paired_cases"]

    table = scaffold(tmp_path, "plan", "arith", "--from", summary["run_id"], "--effect", "0.1")
    assert table.returncode == 0, table.stderr
    assert f"{expected:,} paired cases" in table.stdout and "nothing was sent" in table.stdout


def test_plan_without_a_run_is_conservative_and_a_pilot_runs_its_cases(tmp_path: Path, openai_server) -> None:
    openai_server.reset(Script(default=sum_reply))
    write_library(tmp_path, openai_server.url)
    cold = json.loads(scaffold(tmp_path, "plan", "arith", "--json").stdout)
    assert cold["from_run"] is None and cold["tokens"] is None
    assert cold["paired_cases"] == cases_needed(0.475, 0.525)
    assert not openai_server.chat_requests

    pilot = scaffold(tmp_path, "plan", "arith", "--pilot", "3", "--json")
    assert pilot.returncode == 0, pilot.stderr
    assert len(openai_server.chat_requests) == 2 * 3
    assert json.loads(pilot.stdout)["tokens"] is not None

    bad = scaffold(tmp_path, "plan", "arith", "--effect", "1.5")
    assert bad.returncode == 2 and "--effect" in bad.stderr and "Traceback" not in bad.stderr


def test_cases_lists_discrimination_age_and_retires_the_cases_that_never_flip(tmp_path: Path, openai_server) -> None:
    openai_server.reset(Script(default=sum_reply))
    write_library(tmp_path, openai_server.url)
    rows = [
        {"id": f"c{i}", "vars": {"a": i, "b": 10 * i}, "expected": str(11 * i), **({"added": "2020-01-15"} if i == 1 else {})}
        for i in range(1, 7)
    ]
    (tmp_path / "data" / "cases.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows))
    assert scaffold(tmp_path, "run", "arith", "--quiet").returncode == 0
    done = scaffold(tmp_path, "cases", "last", "--json", "--retire", "retired.txt")
    assert done.returncode == 0, done.stderr
    listed = json.loads(done.stdout)
    by_id = {row["case_id"]: row for row in listed}
    assert [row["case_id"] for row in listed[:2]] == ["c3", "c6"]  # the plain prompt misses these
    assert by_id["c3"]["discriminates"] == "always" and by_id["c3"]["passed"] == 1 and by_id["c3"]["graded"] == 2
    assert by_id["c2"]["discriminates"] == "never" and by_id["c2"]["passed"] == 2
    assert by_id["c1"]["added"] == "2020-01-15" and by_id["c1"]["stale"] is True and by_id["c1"]["age_days"] > 90
    assert by_id["c2"]["added"] is None and by_id["c2"]["stale"] is False
    assert (tmp_path / "retired.txt").read_text().split() == ["c1", "c2", "c4", "c5"]
    table = scaffold(tmp_path, "cases")
    assert "older than 90 days" in table.stdout and "2 always, 0 some, 4 never" in table.stdout

    experiment = tmp_path / "experiments" / "arith.yaml"
    experiment.write_text(experiment.read_text() + "exclude_cases: retired.txt\n")
    planned = scaffold(tmp_path, "run", "arith", "--dry-run")
    assert planned.returncode == 0, planned.stderr
    assert "× 2 cases ×" in planned.stdout  # c3 and c6 are left
    (tmp_path / "retired.txt").unlink()
    missing = scaffold(tmp_path, "validate")
    assert missing.returncode == 2 and "arith.yaml:" in missing.stderr and "cannot read retired.txt" in missing.stderr


def test_a_bad_added_date_is_bad_input_with_its_line(tmp_path: Path, openai_server) -> None:
    write_library(tmp_path, openai_server.url)
    (tmp_path / "data" / "cases.jsonl").write_text('{"id": "c1", "vars": {"a": 1, "b": 2}, "added": "last spring"}\n')
    done = scaffold(tmp_path, "validate")
    assert done.returncode == 2
    assert "data/cases.jsonl:1:" in done.stderr and "YYYY-MM-DD" in done.stderr and "Traceback" not in done.stderr


def _always_right(request: ChatRequest) -> Reply:
    match = request.search(r"(\d+) \+ (\d+)")
    assert match
    return Reply(content=f"The answer is {int(match.group(1)) + int(match.group(2))}.")


def test_a_saturated_run_says_so(tmp_path: Path, openai_server) -> None:
    openai_server.reset(Script(default=_always_right))
    write_library(tmp_path, openai_server.url)
    done = scaffold(tmp_path, "run", "arith", "--json")
    assert done.returncode == 0, done.stderr
    [warning] = json.loads(done.stdout)["warnings"]
    assert warning.startswith("saturated:") and "no longer separates the variants" in warning
    table = scaffold(tmp_path, "run", "arith")
    assert "warning: saturated:" in table.stdout
    openai_server.reset(Script(default=sum_reply))
    assert json.loads(scaffold(tmp_path, "run", "arith", "--json", "--no-cache").stdout)["warnings"] == []
