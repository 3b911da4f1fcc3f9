"""Runs against a rate-limited test server (tests/support/rate_limited.py): the adaptive
limiter keeps every cell free of errors, sends few requests past the limit, and uses the
limit's windows fully."""

from __future__ import annotations

import math
from pathlib import Path

from scaffold.engine.events import RunFinished
from scaffold.engine.plan import narrow
from scaffold.engine.runner import Run, RunOptions
from scaffold.spec.library import load_experiment
from scaffold.store.run_dir import RunFolder
from tests.engine.library import sum_reply, write_library
from tests.support import OpenAIServer, RequestWindow, Script

FAST = RunOptions(retry_base_delay_s=0.01, grace_s=1.0)


async def _run_against(server: OpenAIServer, tmp_path: Path, cases: int, concurrency: int) -> RunFinished:
    write_library(tmp_path, server.url, cases=cases)
    experiment = narrow(load_experiment("arith", tmp_path), concurrency=concurrency)
    events = [event async for event in Run(experiment, FAST).events()]
    finished = events[-1]
    assert isinstance(finished, RunFinished)
    return finished


async def test_a_run_past_the_request_limit_finishes_without_errors_at_the_limits_pace(tmp_path):
    # Windows of 2 s leave a loaded machine ample time to send its 10 requests in each.
    window = RequestWindow(requests=10, window_s=2.0)
    with OpenAIServer(Script(default=sum_reply), rate_limit=window) as server:
        finished = await _run_against(server, tmp_path, cases=15, concurrency=8)  # 30 cells

    results = list(RunFolder(finished.run_dir).read_results())
    assert (finished.status, len(results)) == ("complete", 30)
    assert [result for result in results if result.status == "error"] == []
    assert window.admitted == 30
    # x-ratelimit-remaining/reset are followed: at most one 429 a window, not a burst of 8
    assert window.refusals <= len(window.arrived)
    assert window.busiest_window() <= window.requests + 1
    # and the windows are used: 30 requests at 10 a window take 3, one more at worst
    assert len(window.arrived) <= math.ceil(30 / window.requests) + 1


async def test_with_only_retry_after_the_limiter_backs_off_and_no_cell_errs(tmp_path):
    window = RequestWindow(requests=10, window_s=1.0, send_headers=False)
    with OpenAIServer(Script(default=sum_reply), rate_limit=window) as server:
        finished = await _run_against(server, tmp_path, cases=15, concurrency=8)  # 30 cells

    results = list(RunFolder(finished.run_dir).read_results())
    assert (finished.status, len(results)) == ("complete", 30)
    assert [result for result in results if result.status == "error"] == []
    # each window ends in one burst of 429s that halves the concurrency and waits out the
    # Retry-After: the calls in flight (at most 8) are refused, never a stream of retries
    assert window.refusals <= 8 * len(window.arrived)
    assert sum(result.attempts for result in results) == 30 + window.refusals


async def test_litellm_responses_and_429s_carry_the_servers_rate_limit_headers():
    from scaffold.providers.base import ModelRequest, ProviderError
    from scaffold.providers.litellm_provider import LitellmProvider
    from scaffold.spec.resolved import Model

    window = RequestWindow(requests=1, window_s=30.0)
    with OpenAIServer(rate_limit=window) as server:
        request = ModelRequest(Model("m", "openai/test-model", api_base=server.url), [{"role": "user", "content": "hi"}])
        completion = await LitellmProvider().complete(request)
        try:
            await LitellmProvider().complete(request)
        except ProviderError as error:
            refused = error
        else:
            raise AssertionError("the second request should be refused")

    limits = completion.rate_limits
    assert limits is not None and (limits.limit_requests, limits.remaining_requests) == (1, 0)
    assert 0 < (limits.reset_requests_s or 0) <= 30
    assert (refused.status, refused.kind) == (429, "retryable")
    assert refused.rate_limits is not None and refused.rate_limits.remaining_requests == 0
    assert 0 < (refused.retry_after_s or 0) <= 30  # from retry-after-ms, to the millisecond
