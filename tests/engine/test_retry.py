"""call_with_retries: what is retried, how long it waits, and the attempts it reports."""

from __future__ import annotations

import random

import pytest

from scaffold.cells import Completion
from scaffold.engine.retry import CallFailed, backoff_delay_s, call_with_retries
from scaffold.providers.base import ModelRequest, ProviderError
from scaffold.providers.litellm_provider import LitellmProvider
from scaffold.spec.resolved import Model
from tests.support import Fault, OpenAIServer

FAST = {"base_delay_s": 0.01, "max_delay_s": 0.05}


class FailingThenAnswering:
    """A `send` that raises the given errors in turn, then answers; counts its calls."""

    def __init__(self, *errors: ProviderError):
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> Completion:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return Completion("done")


def stub_request(server: OpenAIServer) -> ModelRequest:
    return ModelRequest(Model("stub", "openai/test-model", api_base=server.url), [{"role": "user", "content": "hi"}])


def retryable(retry_after_s: float | None = None) -> ProviderError:
    return ProviderError("retryable", "503 server error", status=503, retry_after_s=retry_after_s)


async def test_retryable_errors_are_retried_until_an_answer() -> None:
    send = FailingThenAnswering(retryable(), retryable())
    retries: list[tuple[int, str]] = []
    completion, attempts = await call_with_retries(
        send, max_attempts=5, on_retry=lambda attempt, error, _: retries.append((attempt, str(error))), **FAST
    )
    assert (completion.content, attempts, send.calls) == ("done", 3, 3)
    assert retries == [(1, "503 server error"), (2, "503 server error")]


async def test_exhaustion_raises_the_last_error_with_attempts() -> None:
    send = FailingThenAnswering(*(retryable() for _ in range(10)))
    with pytest.raises(CallFailed) as caught:
        await call_with_retries(send, max_attempts=3, **FAST)
    assert (caught.value.attempts, caught.value.kind, caught.value.status, send.calls) == (3, "retryable", 503, 3)
    assert isinstance(caught.value, ProviderError)


@pytest.mark.parametrize("give_up_at", [1, 2, 4])
async def test_give_up_ends_a_call_before_max_attempts(give_up_at: int) -> None:
    send = FailingThenAnswering(*(retryable() for _ in range(10)))
    asked: list[int] = []

    def give_up(error: ProviderError, attempts: int) -> bool:
        asked.append(attempts)
        return attempts >= give_up_at

    with pytest.raises(CallFailed) as caught:
        await call_with_retries(send, max_attempts=6, give_up=give_up, **FAST)
    assert (caught.value.attempts, send.calls) == (give_up_at, give_up_at)
    assert asked == list(range(1, give_up_at + 1))


@pytest.mark.parametrize("kind", ["auth", "bad_request", "context_window", "other"])
async def test_non_retryable_errors_raise_at_once(kind: str) -> None:
    send = FailingThenAnswering(ProviderError(kind, "no"))  # type: ignore[arg-type]
    with pytest.raises(CallFailed) as caught:
        await call_with_retries(send, max_attempts=5, **FAST)
    assert (caught.value.kind, caught.value.attempts, send.calls) == (kind, 1, 1)


async def test_other_exceptions_pass_through_untouched() -> None:
    async def broken() -> Completion:
        raise KeyError("harness bug")

    with pytest.raises(KeyError):
        await call_with_retries(broken, max_attempts=5, **FAST)


async def test_retry_after_is_a_floor_on_the_wait() -> None:
    send = FailingThenAnswering(retryable(retry_after_s=0.03))
    waits: list[float] = []
    await call_with_retries(send, max_attempts=2, on_retry=lambda *args: waits.append(args[2]), base_delay_s=0.001)
    assert len(waits) == 1 and 0.03 <= waits[0] <= 0.031


def test_backoff_grows_with_jitter_and_is_capped() -> None:
    rng = random.Random(7)
    delays = [backoff_delay_s(attempt, None, base_delay_s=1.0, max_delay_s=8.0, rng=rng) for attempt in range(1, 8)]
    for attempt, delay in enumerate(delays, start=1):
        ceiling = min(8.0, 2 ** (attempt - 1))
        assert ceiling / 2 <= delay <= ceiling
    assert len({round(delay, 6) for delay in delays}) == len(delays)  # jittered, not fixed steps
    assert backoff_delay_s(3, 100.0, base_delay_s=1.0, max_delay_s=8.0) == 8.0
    assert backoff_delay_s(1000, None, base_delay_s=1.0, max_delay_s=8.0) <= 8.0


async def test_every_third_request_failing_still_succeeds_over_http(openai_server: OpenAIServer) -> None:
    openai_server.script.fail_every(3, Fault.server_error(500))
    provider, request = LitellmProvider(), stub_request(openai_server)
    attempts = []
    for _ in range(5):
        attempts.append((await call_with_retries(lambda: provider.complete(request), max_attempts=3, **FAST))[1])
    assert attempts == [1, 1, 2, 1, 2]  # requests 3 and 6 failed; each call's retry answered
    assert openai_server.status_counts() == {200: 5, 500: 2}


async def test_rate_limit_over_http_waits_for_retry_after(openai_server: OpenAIServer) -> None:
    openai_server.script.on(fault=Fault.rate_limit(0.04), times=1)
    provider, request = LitellmProvider(), stub_request(openai_server)
    waits: list[float] = []
    completion, attempts = await call_with_retries(
        lambda: provider.complete(request), max_attempts=3, on_retry=lambda *args: waits.append(args[2]), **FAST
    )
    assert (completion.content, attempts) == ("ok", 2)
    assert waits[0] >= 0.04
