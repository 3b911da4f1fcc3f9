"""`run --until-decided` end to end over real HTTP: a variant that wins by 25 points stops the
run well before the last case with the right verdict and says what it saved; the cells ran
in the seeded order, each case's arms together; `diff` on the run reports the sequential p."""

from __future__ import annotations

import json
import re
from pathlib import Path

from scaffold.cli.main import main
from scaffold.engine.runner import Run, RunOptions
from scaffold.engine.sequential_schedule import seeded_case_order
from scaffold.spec.library import load_experiment
from scaffold.store.run_dir import RunFolder
from tests.cli.test_run import scaffold
from tests.engine.library import write_library
from tests.support.script import ChatRequest, Reply, Script

CASES = 200
FAST = RunOptions(retry_base_delay_s=0.01, grace_s=1.0)


def xml_wins_by_25_points(request: ChatRequest) -> Reply:
    """The sum, except that the plain prompt gets every fourth case wrong."""
    match = re.search(r"(\d+) \+ (\d+)", request.last_user_text)
    assert match, request.last_user_text
    a, b = int(match.group(1)), int(match.group(2))
    wrong = a % 4 == 0 and "<task>" not in request.last_user_text
    return Reply(content=f"The answer is {a + b + (1 if wrong else 0)}.")


def test_until_decided_stops_early_with_the_right_verdict_and_counts_what_it_saved(tmp_path: Path, openai_server) -> None:
    openai_server.reset(Script(default=xml_wins_by_25_points))
    write_library(tmp_path, openai_server.url, cases=CASES)
    done = scaffold(tmp_path, "run", "arith", "--until-decided", "--min-cases", "20", "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    sequential = summary["sequential"]
    assert sequential["stopped_early"] is True
    assert sequential["cases_planned"] == CASES
    assert 20 <= sequential["cases_run"] <= CASES / 2
    [decision] = sequential["decisions"]
    assert (decision["a"], decision["b"], decision["decision"]) == ("arith:plain", "arith:xml", "b better")
    assert decision["p_value"] < 0.05 and decision["delta"] > 0.15
    # The interval splits alpha between discordance and direction, so it is wider than the test.
    low, high = decision["interval"]
    assert low < decision["delta"] < high and high > 0.2
    cells_run = summary["cells"]["total"]
    assert sequential["cells_saved"] == 2 * CASES - cells_run
    tokens_per_cell = sum(group["tokens"]["total"] for group in summary["groups"]) / cells_run
    assert sequential["tokens_saved_estimate"] == round(tokens_per_cell * sequential["cells_saved"])
    assert len(openai_server.chat_requests) == cells_run

    # The cells ran in the seeded order of cases, both arms of a case together.
    folder = RunFolder(Path(summary["dir"]))
    order = seeded_case_order([f"c{i}" for i in range(1, CASES + 1)], seed=0)
    ran = {result.key.case_id for result in folder.read_results()}
    assert ran == set(order[: len(ran)])
    assert all(len([r for r in folder.read_results() if r.key.case_id == case]) == 2 for case in ran)
    assert folder.read_manifest().sequential["decisions"] == sequential["decisions"]

    table = scaffold(tmp_path, "run", "arith", "--until-decided", "--no-cache")
    assert table.returncode == 0, table.stderr
    # How many cells were in flight when it decided varies from run to run; the line does not.
    assert re.search(rf"sequential: stopped early at \d+ of {CASES} cases, every comparison decided; "
                     r"saved [\d,]+ cells, ~[\d,]+ tokens", table.stdout), table.stdout
    assert "arith:plain → arith:xml (single · test): b better" in table.stdout


def test_diff_of_a_sequential_run_reports_the_anytime_valid_p(tmp_path: Path, openai_server, monkeypatch, capsys) -> None:
    openai_server.reset(Script(default=xml_wins_by_25_points))
    write_library(tmp_path, openai_server.url, cases=CASES, extra="sequential: {min_cases: 30, seed: 7}")
    experiment = load_experiment("arith", tmp_path)
    assert experiment.sequential is not None and experiment.sequential.seed == 7
    import asyncio

    async def drain() -> Path:
        events = [event async for event in Run(experiment, FAST).events()]
        return events[-1].run_dir  # type: ignore[attr-defined]

    run_dir = asyncio.run(drain())
    recorded = RunFolder(run_dir).read_manifest().sequential
    assert recorded["decisions"][0]["decision"] == "b better" and recorded["stopped_early"]
    monkeypatch.chdir(tmp_path)
    assert main(["diff", "--json"]) == 0
    diffed = json.loads(capsys.readouterr().out)
    rates = diffed["pass_rate"]
    assert rates["method"] == "sequential"
    # Recomputed from the stored cells in the seeded order; in-flight cells that finished after
    # the decision can only strengthen it.
    assert rates["p_value"] <= recorded["decisions"][0]["p_value"]
    assert rates["ci95"][0] < rates["delta"] < rates["ci95"][1]
    assert diffed["verdict"].startswith("b better")
    assert diffed["sequential"]["stopped_early"] is True
    assert diffed["sequential"]["cells_saved"] == recorded["cells_saved"] > 0
    assert main(["diff"]) == 0
    out = capsys.readouterr().out
    assert f"sequential run: stopped early at {recorded['cases_run']} of {CASES} cases" in out
    assert "anytime-valid" in out


def test_sequential_flags_without_until_decided_are_bad_input(tmp_path: Path, openai_server) -> None:
    write_library(tmp_path, openai_server.url)
    done = scaffold(tmp_path, "run", "arith", "--alpha", "0.1")
    assert done.returncode == 2
    assert "--alpha: only with --until-decided" in done.stderr and "Traceback" not in done.stderr
    bad = scaffold(tmp_path, "run", "arith", "--until-decided", "--alpha", "2")
    assert bad.returncode == 2 and "--alpha" in bad.stderr and "Traceback" not in bad.stderr
    assert not openai_server.chat_requests
