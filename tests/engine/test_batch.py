"""Batch mode end to end over real HTTP: litellm's files and batches calls against the test
server's batch endpoints, cells graded and recorded like live ones."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from pathlib import Path

import pytest

from scaffold.engine.events import RunFinished
from scaffold.engine.plan import narrow
from scaffold.engine.runner import Run, RunOptions
from scaffold.spec.errors import SpecError
from scaffold.spec.library import load_experiment
from scaffold.store.batches import BATCHES, BatchLedger
from scaffold.store.run_dir import RunFolder
from tests.engine.batch_library import write_batch_library
from tests.engine.library import sum_reply
from tests.support.openai_server import OpenAIServer
from tests.support.script import Fault, Script

FAST = RunOptions(retry_base_delay_s=0.01, grace_s=0.5, use_cache=False)


async def _run(run: Run) -> RunFinished:
    events = [event async for event in run.events()]
    finished = events[-1]
    assert isinstance(finished, RunFinished)
    return finished


def _experiment(tmp_path: Path, url: str, **kwargs: object):
    write_batch_library(tmp_path, url, **kwargs)  # type: ignore[arg-type]
    return load_experiment("arith", tmp_path)


def _cells(run_dir: Path) -> dict[tuple[str, str, str, str, int], dict[str, object]]:
    """{cell key: what a comparison looks at} for every recorded cell."""
    cells = {}
    for result in RunFolder(run_dir).read_results():
        key = result.key
        cells[(key.variant, key.scaffold, key.model, key.case_id, key.repeat)] = {
            "status": result.status, "output": result.output, "usage": result.usage().to_json(),
            "error_type": result.error_type,
        }
    return cells


def _batch_posts(server) -> int:
    return sum(1 for request in server.requests if request.path == "/v1/batches")


async def test_a_batch_run_reports_what_a_live_run_reports(tmp_path, openai_server):
    openai_server.reset(Script(default=sum_reply))
    live_dir = tmp_path / "live"
    live = await _run(Run(_experiment(live_dir, openai_server.url, batch=False), FAST))
    live_chat = len(openai_server.chat_requests)
    assert live_chat == 12 and _batch_posts(openai_server) == 0

    batched = await _run(Run(_experiment(tmp_path / "batch", openai_server.url), FAST))

    assert len(openai_server.chat_requests) == live_chat  # not one live call
    assert _batch_posts(openai_server) == 1
    assert _cells(batched.run_dir) == _cells(live.run_dir)
    assert len(batched.summary.groups) == len(live.summary.groups) == 2
    for ours, theirs in zip(batched.summary.groups, live.summary.groups):
        assert (ours.passed, ours.failed, ours.errors, ours.usage) == (theirs.passed, theirs.failed, theirs.errors, theirs.usage)
    # one batch of all 12 cells: batch cells are not bound by `concurrency: 4`
    (batch,) = openai_server.batches.created
    assert len(batch.lines) == 12
    ledger = BatchLedger(batched.run_dir)
    (record,) = ledger.batches
    assert (record.batch_id, record.status, record.model) == (batch.id, "completed", "test")
    assert record.input_file_id == batch.input_file_id and record.output_file_id == batch.output_file_id
    assert sorted(tuple(cell) for cell in record.cells.values()) == sorted(_cells(batched.run_dir))
    for result in RunFolder(batched.run_dir).read_results():
        (call,) = result.calls
        assert call.batch and call.attempts == 1
        assert json.loads(json.dumps(result.to_json()))["calls"][0]["batch"] is True


async def test_tool_loop_cells_stay_live_in_a_batch_run(tmp_path, openai_server):
    openai_server.reset(Script(default=sum_reply))
    finished = await _run(Run(_experiment(tmp_path, openai_server.url, scaffolds="[single, arith:loop]"), FAST))

    assert finished.status == "complete"
    (batch,) = openai_server.batches.created
    assert len(batch.lines) == 12  # the single cells
    assert len(openai_server.chat_requests) == 12  # the loop cells, one turn each (no tool called)
    assert all(request.body["tools"] for request in openai_server.chat_requests)
    by_scaffold = {}
    for result in RunFolder(finished.run_dir).read_results():
        by_scaffold.setdefault(result.key.scaffold, set()).add(result.calls[0].batch)
    assert by_scaffold == {"single": {True}, "arith:loop": {False}}


async def test_cached_cells_are_not_submitted_and_batch_answers_fill_the_cache(tmp_path, openai_server):
    openai_server.reset(Script(default=sum_reply))
    cached = dataclasses.replace(FAST, use_cache=True)
    experiment = _experiment(tmp_path, openai_server.url)
    await _run(Run(narrow(experiment, limit=2), cached))  # 4 cells, in one batch, into the cache
    assert [len(batch.lines) for batch in openai_server.batches.created] == [4]

    second = await _run(Run(experiment, cached))
    assert [len(batch.lines) for batch in openai_server.batches.created] == [4, 8]
    assert second.status == "complete" and len(list(RunFolder(second.run_dir).read_results())) == 12

    third = await _run(Run(experiment, cached))  # every answer is cached now
    assert len(openai_server.batches.created) == 2 and not openai_server.chat_requests
    assert all(result.calls[0].cached for result in RunFolder(third.run_dir).read_results())


async def test_error_lines_become_error_cells_and_retryable_ones_are_sent_again(tmp_path, openai_server):
    script = Script(default=sum_reply)
    script.on(fault=Fault.bad_request("Invalid value for 'temperature'."), last_user="2 + 20")
    script.on(fault=Fault.rate_limit(), last_user="3 + 30", times=2)  # once for each variant
    script.on(fault=Fault.server_error(503), last_user="4 + 40")  # every time
    script.on(fault=Fault.context_length(), last_user="5 + 50")
    openai_server.reset(script)
    finished = await _run(Run(_experiment(tmp_path, openai_server.url, max_attempts=3), FAST))

    results = {(r.key.variant, r.key.case_id): r for r in RunFolder(finished.run_dir).read_results()}
    assert len(results) == 12
    for variant in ("arith:plain", "arith:xml"):
        bad = results[(variant, "c2")]
        assert (bad.status, bad.error_type) == ("error", "bad_request") and "400" in (bad.error or "")
        assert bad.calls[0].attempts == 1 and bad.calls[0].batch
        assert results[(variant, "c3")].status != "error" and results[(variant, "c3")].calls[0].attempts == 2
        down = results[(variant, "c4")]
        assert (down.status, down.error_type, down.calls[0].attempts) == ("error", "retryable", 3)
        assert results[(variant, "c5")].error_type == "context_window"
    # batch 1: all 12; batch 2: the 429s and the 503s; batch 3: the 503s once more
    assert [len(batch.lines) for batch in openai_server.batches.created] == [12, 4, 2]
    assert finished.summary.cells_json()["errors"] == 6


async def test_requests_an_expired_batch_lacks_go_in_a_new_batch(tmp_path, openai_server):
    openai_server.reset(Script(default=sum_reply))
    openai_server.batches.ending = ["expired"]
    openai_server.batches.answer_limit = 5
    finished = await _run(Run(_experiment(tmp_path, openai_server.url), FAST))

    first, second = openai_server.batches.created
    assert first.status == "expired" and len(second.lines) == 7
    assert {line["custom_id"] for line in second.lines} == {line["custom_id"] for line in first.lines[5:]}
    assert finished.status == "complete" and finished.summary.cells_json()["errors"] == 0
    assert [record.status for record in BatchLedger(finished.run_dir).batches] == ["expired", "completed"]


async def _interrupted_while_its_batch_runs(experiment, server) -> Path:
    """A run stopped (as by Ctrl-C) once its batch is in batches.json; the batch is held at the
    server until the caller releases it. Returns the run folder."""
    server.batches.hold = True
    first = Run(experiment, FAST)
    events = first.events()
    started = await events.__anext__()
    rest = asyncio.ensure_future(_drain(events))
    while not (started.run_dir / BATCHES).exists():
        await asyncio.sleep(0.01)
    first.stop()
    interrupted = await rest
    assert interrupted.status == "interrupted" and not list(RunFolder(started.run_dir).read_results())
    return started.run_dir


async def test_a_resumed_run_waits_for_its_batch_instead_of_sending_it_again(tmp_path, openai_server):
    openai_server.reset(Script(default=sum_reply))
    experiment = _experiment(tmp_path, openai_server.url)
    run_dir = await _interrupted_while_its_batch_runs(experiment, openai_server)

    openai_server.batches.hold = False
    resumed = await _run(Run(experiment, dataclasses.replace(FAST, resume=run_dir)))
    assert resumed.status == "complete" and len(list(RunFolder(run_dir).read_results())) == 12
    assert _batch_posts(openai_server) == 1  # re-attached, not resubmitted
    assert not openai_server.chat_requests


async def test_a_resume_sends_again_only_what_its_batch_lacks(tmp_path, openai_server):
    openai_server.reset(Script(default=sum_reply).on(fault=Fault.rate_limit(), last_user="3 + 30", times=2))
    experiment = _experiment(tmp_path, openai_server.url)
    run_dir = await _interrupted_while_its_batch_runs(experiment, openai_server)

    openai_server.batches.hold = False
    resumed = await _run(Run(experiment, dataclasses.replace(FAST, resume=run_dir)))
    assert resumed.status == "complete" and resumed.summary.cells_json()["errors"] == 0
    first, second = openai_server.batches.created
    rate_limited = {line["custom_id"] for line in first.lines if "3 + 30" in json.dumps(line)}
    assert len(first.lines) == 12 and {line["custom_id"] for line in second.lines} == rate_limited
    assert len(rate_limited) == 2
    assert [len(record.cells) for record in BatchLedger(run_dir).batches] == [12, 2]


async def _drain(events) -> RunFinished:
    last = None
    async for event in events:
        last = event
    assert isinstance(last, RunFinished)
    return last


async def test_batch_calls_cost_the_batch_price(tmp_path, openai_server):
    openai_server.reset(Script(default=sum_reply))
    finished = await _run(Run(_experiment(tmp_path, openai_server.url, model="gpt-4o-mini"), FAST))
    for result in RunFolder(finished.run_dir).read_results():
        usage = result.usage()
        assert result.cost_usd() == pytest.approx(usage.input * 7.5e-08 + usage.output * 3e-07)


async def test_two_thousand_cells_go_through_one_batch(tmp_path, openai_server):
    openai_server.reset(Script(default=sum_reply))
    finished = await _run(Run(_experiment(tmp_path, openai_server.url, cases=1000), FAST))
    assert finished.status == "complete"
    assert finished.summary.cells_json() == {"total": 2000, "passed": 1667, "failed": 333, "errors": 0}
    assert [len(batch.lines) for batch in openai_server.batches.created] == [2000]
    assert not openai_server.chat_requests


async def test_batch_cells_in_flight_are_bounded(tmp_path, openai_server):
    openai_server.reset(Script(default=sum_reply))
    options = dataclasses.replace(FAST, batch_cells=5)
    finished = await _run(Run(_experiment(tmp_path, openai_server.url), options))
    assert finished.status == "complete" and len(list(RunFolder(finished.run_dir).read_results())) == 12
    assert [len(batch.lines) for batch in openai_server.batches.created] == [5, 5, 2]


def test_batch_on_a_model_without_a_batch_api_is_a_problem_at_its_line(tmp_path, openai_server):
    write_batch_library(tmp_path, openai_server.url)
    path = tmp_path / "experiments" / "arith.yaml"
    path.write_text(path.read_text().replace("model: openai/test-model", "model: local/smollm2"))
    with pytest.raises(SpecError) as raised:
        load_experiment("arith", tmp_path)
    (problem,) = raised.value.problems
    assert str(problem.position).endswith("arith.yaml:8:12") and "batch: true needs an openai/... model" in problem.message


async def test_a_refused_key_stops_a_batch_run_like_a_live_one(tmp_path, monkeypatch):
    monkeypatch.setenv("SCAFFOLD_TEST_KEY", "sk-wrong-key")
    with OpenAIServer(Script(default=sum_reply), api_key="sk-the-right-one") as server:
        finished = await _run(Run(_experiment(tmp_path, server.url), FAST))
        assert (finished.status, finished.cause) == ("stopped", "auth")
        assert "authentication failed" in (finished.reason or "") and "sk-wrong-key" not in (finished.reason or "")
        assert not server.batches.created and [r.path for r in server.requests] == ["/v1/files"]
    assert not list(RunFolder(finished.run_dir).read_results())


async def test_sequential_stopping_runs_batch_models_live(tmp_path, openai_server):
    from scaffold.spec.experiment import Sequential

    openai_server.reset(Script(default=sum_reply))
    experiment = dataclasses.replace(_experiment(tmp_path, openai_server.url), sequential=Sequential(min_cases=2))
    finished = await _run(Run(experiment, FAST))
    recorded = list(RunFolder(finished.run_dir).read_results())
    assert recorded and not openai_server.batches.created
    assert len(openai_server.chat_requests) == len(recorded)
    assert not any(result.calls[0].batch for result in recorded)
    assert not (finished.run_dir / BATCHES).exists()


def test_lines_the_provider_never_ran_are_retryable_and_bad_ones_are_not():
    from scaffold.engine.batch_client import line_outcome

    expired = {"custom_id": "a", "response": None, "error": {"code": "batch_expired", "message": "expired"}}
    assert line_outcome(expired, timeout_s=5).kind == "retryable"  # type: ignore[union-attr]
    rejected = {"custom_id": "b", "response": {"status_code": 400, "body": {"error": {"message": "bad"}}}}
    assert line_outcome(rejected, timeout_s=5).kind == "bad_request"  # type: ignore[union-attr]
    overloaded = {"custom_id": "c", "response": {"status_code": 500, "body": {"error": {"message": "down"}}}}
    assert line_outcome(overloaded, timeout_s=5).kind == "retryable"  # type: ignore[union-attr]


async def test_a_shard_submits_only_its_own_cells(tmp_path, openai_server):
    openai_server.reset(Script(default=sum_reply))
    experiment = narrow(_experiment(tmp_path, openai_server.url), shard="1/2")
    finished = await _run(Run(experiment, FAST))
    recorded = {result.key for result in RunFolder(finished.run_dir).read_results()}
    (batch,) = openai_server.batches.created
    assert 0 < len(recorded) < 12 and len(batch.lines) == len(recorded)
    (record,) = BatchLedger(finished.run_dir).batches
    assert {tuple(cell) for cell in record.cells.values()} == {
        (key.variant, key.scaffold, key.model, key.case_id, key.repeat) for key in recorded
    }
