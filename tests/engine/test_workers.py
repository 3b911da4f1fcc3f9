"""The worker pool: real worker processes calling the test server over real HTTP."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import pickle
import signal
from pathlib import Path

import pytest

from scaffold.cells import Completion, ToolCall, Usage
from scaffold.engine.retry import CallFailed
from scaffold.engine.workers import AUTO_MIN_CELLS, MAX_RESTARTS, WorkerPool, default_worker_count, workers_for
from scaffold.providers.base import HarnessFault, ModelRequest, ProviderError
from scaffold.providers.litellm_provider import LitellmProvider
from scaffold.spec.library import load_experiment
from scaffold.spec.resolved import Model
from tests.engine.library import write_library
from tests.support import Fault, OpenAIServer, Reply
from tests.support.processes import broken_litellm


def request_to(server: OpenAIServer, text: str = "What is 2 + 2?") -> ModelRequest:
    model = Model(name="stub", model="openai/test-model", api_base=server.url)
    return ModelRequest(model, [{"role": "user", "content": text}], timeout_s=30)


class RateLimited(ProviderError):
    """A subclass with a field of its own, as a provider might add."""

    def __init__(self, message: str, limit: int):
        super().__init__("retryable", message, status=429, retry_after_s=1.5)
        self.limit = limit


@pytest.mark.parametrize(
    "error",
    [
        ProviderError("retryable", "429 rate limited", status=429, retry_after_s=2.5),
        ProviderError("auth", "401 authentication failed"),
        CallFailed(ProviderError("bad_request", "400 bad request", status=400), 3),
        RateLimited("slow down", 60),
    ],
)
def test_provider_errors_pickle_with_every_field(error: ProviderError) -> None:
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert str(copy) == str(error)
    assert vars(copy) == vars(error)


def test_completions_pickle() -> None:
    completion = Completion("hi", (ToolCall("c1", "calc", '{"x": 1'),), Usage(5, 3, 1, 2), "tool_calls")
    assert pickle.loads(pickle.dumps(completion)) == completion


def test_the_worker_count_follows_the_flag_the_size_and_the_models(tmp_path: Path) -> None:
    write_library(tmp_path, "http://127.0.0.1:9/v1")
    hosted = load_experiment("arith", tmp_path)
    local = dataclasses.replace(hosted, models=[Model(name="small", model="local/smollm2")])
    mixed = dataclasses.replace(hosted, models=[*hosted.models, *local.models])
    assert workers_for(hosted, AUTO_MIN_CELLS, None) == 0
    assert workers_for(hosted, AUTO_MIN_CELLS + 1, None) == default_worker_count()
    assert workers_for(hosted, 10, 3) == 3
    assert workers_for(hosted, 10_000, 0) == 0
    assert workers_for(local, 10_000, 4) == 0  # the embedded model always runs in-process
    batched = dataclasses.replace(hosted, models=[dataclasses.replace(hosted.models[0], batch=True)])
    assert workers_for(batched, 10_000, 4) == 0  # batches are sent from the run's process
    # half of a mixed run's cells are hosted: above the threshold only when that half is
    assert workers_for(mixed, 2 * AUTO_MIN_CELLS, None) == 0
    assert workers_for(mixed, 2 * AUTO_MIN_CELLS + 2, None) == default_worker_count()
    with pytest.raises(ValueError):
        workers_for(hosted, 10, -1)


async def test_a_worker_answers_as_the_in_process_provider_does(openai_server: OpenAIServer) -> None:
    openai_server.script.on(Reply("four", reasoning_tokens=2, cached_tokens=1), last_user="2 + 2")
    pool = WorkerPool(1)
    try:
        via_worker = await pool.complete(request_to(openai_server))
    finally:
        await pool.aclose()
    assert via_worker == await LitellmProvider().complete(request_to(openai_server))
    assert via_worker.usage == Usage(input=5, output=3, reasoning=2, cached=1)


async def test_provider_errors_come_back_classified(openai_server: OpenAIServer) -> None:
    openai_server.script.on(fault=Fault.rate_limit(2.0), last_user="busy")
    openai_server.script.on(fault=Fault.bad_request(), last_user="odd")
    pool = WorkerPool(1)
    try:
        with pytest.raises(ProviderError) as limited:
            await pool.complete(request_to(openai_server, "busy"))
        with pytest.raises(ProviderError) as refused:
            await pool.complete(request_to(openai_server, "odd"))
    finally:
        await pool.aclose()
    assert (limited.value.kind, limited.value.status, limited.value.retry_after_s) == ("retryable", 429, 2.0)
    assert (refused.value.kind, refused.value.status) == ("bad_request", 400)


async def test_requests_spread_evenly_over_the_workers(openai_server: OpenAIServer) -> None:
    openai_server.script.on(Reply("ok", latency_s=0.2))
    pool = WorkerPool(2)
    try:
        requests = [pool.complete(request_to(openai_server, f"q{i}")) for i in range(8)]
        await asyncio.sleep(0)
        answers = await asyncio.gather(*requests)
    finally:
        await pool.aclose()
    assert [answer.content for answer in answers] == ["ok"] * 8
    assert sorted(pool.served.values()) == [4, 4]  # least-loaded: four in flight on each


async def test_a_killed_workers_calls_fail_as_retryable_and_the_rest_go_on(openai_server: OpenAIServer) -> None:
    openai_server.script.on(Reply("ok", latency_s=1.0))
    pool = WorkerPool(2)
    try:
        calls = [asyncio.ensure_future(pool.complete(request_to(openai_server, f"q{i}"))) for i in range(4)]
        while sum(pool.in_flight.values()) < 4:
            await asyncio.sleep(0.01)
        victim, survivor = pool.pids
        os.kill(victim, signal.SIGKILL)
        outcomes = await asyncio.gather(*calls, return_exceptions=True)
        failed = [outcome for outcome in outcomes if isinstance(outcome, ProviderError)]
        assert len(failed) == 2 and all(error.kind == "retryable" for error in failed)
        assert f"worker process {victim} exited" in str(failed[0])
        assert (await pool.complete(request_to(openai_server))).content == "ok"  # a resend succeeds
        assert victim not in pool.pids and survivor in pool.pids and len(pool.pids) == 2  # replaced
    finally:
        await pool.aclose()


async def test_when_every_worker_dies_calls_raise_a_harness_fault(
    openai_server: OpenAIServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONPATH", str(broken_litellm(tmp_path)))
    pool = WorkerPool(1)
    errors: list[ProviderError] = []
    try:
        with pytest.raises(HarnessFault, match="every worker process died"):
            for _ in range(2 * (MAX_RESTARTS + 1)):
                try:
                    await pool.complete(request_to(openai_server))
                except ProviderError as error:
                    errors.append(error)
    finally:
        await pool.aclose()
    assert errors and all(error.kind == "retryable" and "worker process" in str(error) for error in errors)
    assert len(pool.served) == 1 + MAX_RESTARTS  # replaced, but not forever
    assert openai_server.request_count == 0
