"""The runner end to end over real HTTP: totals, retries, cache, limits, resume, auth."""

from __future__ import annotations

from pathlib import Path

import pytest

from scaffold.engine.events import CellFinished, RunFinished, RunStarted
from scaffold.engine.plan import narrow
from scaffold.engine.runner import Run, RunOptions
from scaffold.spec.library import load_experiment
from scaffold.store.run_dir import RunFolder
from tests.engine.library import sum_reply, write_library
from tests.support.script import Fault, Reply, Script

FAST = RunOptions(retry_base_delay_s=0.01, grace_s=1.0)


async def _run(run: Run) -> tuple[list[object], RunFinished]:
    events = [event async for event in run.events()]
    finished = events[-1]
    assert isinstance(finished, RunFinished)
    return events, finished


def _experiment(tmp_path: Path, url: str, **kwargs: object):
    write_library(tmp_path, url, **kwargs)  # type: ignore[arg-type]
    return load_experiment("arith", tmp_path)


async def test_every_cell_is_graded_and_token_totals_match_the_server(tmp_path, openai_server):
    openai_server.reset(Script(default=sum_reply))
    experiment = _experiment(tmp_path, openai_server.url)
    events, finished = await _run(Run(experiment, FAST))

    assert isinstance(events[0], RunStarted) and events[0].total_cells == 12
    summary = {group.variant: group for group in finished.summary.groups}
    assert (summary["arith:plain"].passed, summary["arith:plain"].failed) == (4, 2)
    assert (summary["arith:xml"].passed, summary["arith:xml"].failed) == (6, 0)
    served_prompt = served_completion = 0
    for request in openai_server.chat_requests:
        assert request.status == 200
    # the server's own usage is what the run reports, to the token
    for result in RunFolder(finished.run_dir).read_results():
        served_prompt += result.usage().input
        served_completion += result.usage().output
    from tests.support.script import prompt_tokens_for

    expected_prompt = sum(prompt_tokens_for(r.body["messages"]) for r in openai_server.chat_requests)
    assert served_prompt == expected_prompt
    assert sum(group.usage.input for group in finished.summary.groups) == expected_prompt
    assert sum(group.usage.output for group in finished.summary.groups) == served_completion > 0
    assert finished.status == "complete"


async def test_reasoning_and_cached_tokens_are_counted(tmp_path, openai_server):
    openai_server.reset(Script(default=Reply("11", prompt_tokens=50, completion_tokens=20, reasoning_tokens=7, cached_tokens=30)))
    experiment = narrow(_experiment(tmp_path, openai_server.url), limit=1)
    _, finished = await _run(Run(experiment, FAST))
    usage = finished.summary.groups[0].usage
    assert (usage.input, usage.output, usage.reasoning, usage.cached) == (50, 20, 7, 30)


async def test_with_every_seventh_request_failing_no_cell_errors(tmp_path, openai_server):
    openai_server.reset(Script(default=sum_reply).fail_every(7, Fault.server_error(503)))
    experiment = _experiment(tmp_path, openai_server.url, cases=20)
    _, finished = await _run(Run(experiment, FAST))
    assert finished.summary.errors == 0
    assert finished.summary.total == 40
    assert openai_server.status_counts()[503] >= 5
    attempts = [r.attempts for r in RunFolder(finished.run_dir).read_results()]
    assert max(attempts) >= 2 and sum(attempts) == openai_server.request_count


@pytest.mark.parametrize("fault", [Fault.rate_limit(0.3), Fault.drop(), Fault.slow(8.0)], ids=["429", "drop", "timeout"])
async def test_rate_limits_drops_and_timeouts_are_retried(tmp_path, openai_server, fault):
    openai_server.reset(Script(default=sum_reply).on(fault=fault, times=1))
    experiment = narrow(_experiment(tmp_path, openai_server.url), limit=1, concurrency=1)
    _, finished = await _run(Run(experiment, FAST))
    assert finished.summary.errors == 0
    first = min(RunFolder(finished.run_dir).read_results(), key=lambda r: r.started_at)
    assert first.attempts == 2
    if fault.retry_after_s:
        assert first.latency_s >= fault.retry_after_s  # Retry-After is honoured


async def test_provider_failures_after_retries_are_errors_not_fails(tmp_path, openai_server):
    openai_server.reset(Script(default=sum_reply).on(fault=Fault.server_error(500), last_user="<task>"))
    # one cell at a time: the plain cell answers first, so the model's endpoint is proven and the
    # xml cells get the full retry policy (engine/circuit.py cuts retries only before any answer)
    experiment = narrow(_experiment(tmp_path, openai_server.url, cases=2, extra=""), concurrency=1)
    _, finished = await _run(Run(experiment, RunOptions(retry_base_delay_s=0.001)))
    xml = next(g for g in finished.summary.groups if g.variant == "arith:xml")
    assert (xml.passed, xml.failed, xml.errors, xml.pass_rate) == (0, 0, 2, None)
    errors = [r for r in RunFolder(finished.run_dir).read_results() if r.status == "error"]
    assert {r.error_type for r in errors} == {"retryable"} and all(r.attempts == 6 for r in errors)


async def test_context_window_errors_are_recorded_on_the_cell(tmp_path, openai_server):
    openai_server.reset(Script(default=Reply("ok"), fault=Fault.context_length(), fault_every=1))
    experiment = narrow(_experiment(tmp_path, openai_server.url), limit=1)
    _, finished = await _run(Run(experiment, FAST))
    results = list(RunFolder(finished.run_dir).read_results())
    assert {r.error_type for r in results} == {"context_window"}
    assert openai_server.request_count == 2  # not retried


async def test_a_fully_cached_rerun_sends_nothing(tmp_path, openai_server):
    openai_server.reset(Script(default=sum_reply))
    experiment = _experiment(tmp_path, openai_server.url)
    _, first = await _run(Run(experiment, FAST))
    sent = openai_server.request_count
    _, second = await _run(Run(experiment, FAST))
    assert openai_server.request_count == sent
    assert [g.to_json()["tokens"] for g in second.summary.groups] == [g.to_json()["tokens"] for g in first.summary.groups]
    cached = [call.cached for r in RunFolder(second.run_dir).read_results() for call in r.calls]
    assert cached and all(cached)
    _, third = await _run(Run(experiment, RunOptions(use_cache=False, retry_base_delay_s=0.01)))
    assert openai_server.request_count == 2 * sent


async def test_repeats_are_distinct_samples_in_the_cache(tmp_path, openai_server):
    openai_server.reset(Script(default=sum_reply))
    experiment = narrow(_experiment(tmp_path, openai_server.url), limit=2, repeats=3)
    _, finished = await _run(Run(experiment, FAST))
    assert openai_server.request_count == 2 * 2 * 3
    plain = next(g for g in finished.summary.groups if g.variant == "arith:plain")
    assert plain.pass_at_k == 1.0 and plain.pass_all_k == 1.0


async def test_a_token_budget_stops_scheduling(tmp_path, openai_server):
    openai_server.reset(Script(default=Reply("x", prompt_tokens=100, completion_tokens=1)))
    experiment = _experiment(tmp_path, openai_server.url, cases=20, extra="")
    import dataclasses

    experiment = dataclasses.replace(
        experiment, concurrency=1, limits=experiment.limits.model_copy(update={"max_total_tokens": 500})
    )
    _, finished = await _run(Run(experiment, FAST))
    assert finished.status == "stopped"
    assert "token budget" in (finished.reason or "")
    assert 5 <= finished.summary.total <= 6


async def test_an_auth_error_stops_the_run(tmp_path, monkeypatch):
    from tests.support.openai_server import OpenAIServer

    monkeypatch.setenv("SCAFFOLD_TEST_KEY", "sk-wrong")
    with OpenAIServer(api_key="sk-right") as server:
        experiment = _experiment(tmp_path, server.url, cases=20)
        _, finished = await _run(Run(experiment, FAST))
        assert finished.status == "stopped"
        assert "authentication" in (finished.reason or "")
        assert server.request_count <= experiment.concurrency + 1
    assert finished.summary.total == 0


async def test_stop_keeps_finished_cells_and_resume_adds_only_the_missing(tmp_path, openai_server):
    openai_server.reset(Script(default=Reply("11", latency_s=0.05)))
    experiment = _experiment(tmp_path, openai_server.url, cases=20)
    run = Run(experiment, FAST)
    finished_cells = 0
    async for event in run.events():
        if isinstance(event, CellFinished):
            finished_cells += 1
            if finished_cells == 8:
                run.stop()
        if isinstance(event, RunFinished):
            first = event
    assert first.status == "interrupted"
    stored = list(RunFolder(first.run_dir).read_results())
    assert 8 <= len(stored) < 40
    _, resumed = await _run(Run(experiment, RunOptions(resume=first.run_dir, retry_base_delay_s=0.01)))
    keys = [r.key for r in RunFolder(first.run_dir).read_results()]
    assert len(keys) == len(set(keys)) == 40
    assert resumed.status == "complete" and resumed.summary.total == 40


async def test_a_harness_fault_stops_the_run_and_is_raised_not_hidden(tmp_path, openai_server, monkeypatch):
    openai_server.reset(Script(default=sum_reply))
    experiment = _experiment(tmp_path, openai_server.url)
    from scaffold.store.run_dir import ResultWriter

    def disk_full(self, lines):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ResultWriter, "append_lines", disk_full)
    run = Run(experiment, FAST)
    with pytest.raises(OSError, match="No space left"):
        async for _ in run.events():
            pass
    manifests = list((tmp_path / ".scaffold" / "runs").glob("*/run.json"))
    import json

    manifest = json.loads(manifests[0].read_text())
    assert manifest["status"] == "stopped" and "No space left" in manifest["stop_reason"]
