"""The retry policy for model calls (DESIGN 6): retry what may pass on a second try, count attempts.

Only `ProviderError(kind="retryable")` is retried (429, 5xx, timeouts, dropped connections),
with jittered exponential backoff that waits at least a server's `Retry-After`. Whatever
ends a call — success or the last error — carries the number of attempts, so the engine
can record it on the cell.
"""

from __future__ import annotations

import random
from typing import Awaitable, Callable

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception

from scaffold.cells import Completion
from scaffold.providers.base import ProviderError

OnRetry = Callable[[int, ProviderError, float], None]
"""Told before each wait: (the attempt that failed, from 1; its error; seconds until the next)."""

GiveUp = Callable[[ProviderError, int], bool]
"""Asked after each retryable failure (its error, the attempts made so far): True ends the
call now, before `max_attempts` (the engine's circuit breaker cuts retries to an endpoint
that has never answered)."""

MAX_EXPONENT = 30
"""Keeps `2 ** attempt` finite whatever `max_attempts` is; the delay is capped long before."""


class CallFailed(ProviderError):
    """The error that ended a call: the last `ProviderError`, with the attempts made."""

    def __init__(self, last: ProviderError, attempts: int):
        super().__init__(
            last.kind, str(last), status=last.status, retry_after_s=last.retry_after_s,
            rate_limits=last.rate_limits, deployment=last.deployment, pause_model=last.pause_model,
        )
        self.attempts = attempts
        """How many times the request was sent (1 when the first error was not retryable)."""


def backoff_delay_s(
    attempt: int,
    retry_after_s: float | None,
    *,
    base_delay_s: float,
    max_delay_s: float,
    rng: random.Random | None = None,
) -> float:
    """Seconds to wait after failed attempt `attempt` (from 1).

    "Equal jitter": half of `base * 2^(attempt-1)` fixed, half random, so clients that failed
    together spread out. A server's `Retry-After` is a floor (plus a little jitter so they do
    not all return at once). Never more than `max_delay_s`."""
    uniform = (rng or random).uniform
    ceiling = min(max_delay_s, base_delay_s * 2 ** min(attempt - 1, MAX_EXPONENT))
    delay = ceiling / 2 + uniform(0, ceiling / 2)
    if retry_after_s is not None:
        delay = max(delay, retry_after_s + uniform(0, base_delay_s))
    return min(delay, max_delay_s)


def _is_retryable(error: BaseException) -> bool:
    return isinstance(error, ProviderError) and error.kind == "retryable"


def _last_error(state: RetryCallState) -> ProviderError:
    assert state.outcome is not None
    error = state.outcome.exception()
    assert isinstance(error, ProviderError)  # only ProviderErrors are retried
    return error


async def call_with_retries(
    send: Callable[[], Awaitable[Completion]],
    *,
    max_attempts: int,
    on_retry: OnRetry | None = None,
    base_delay_s: float = 0.5,
    max_delay_s: float = 30.0,
    give_up: GiveUp | None = None,
) -> tuple[Completion, int]:
    """Call `send` until it returns or fails for good; return the completion and the attempts made.

    Raises `CallFailed` (a `ProviderError` with `attempts`) when the error is not retryable,
    `max_attempts` are spent or `give_up` says so; other exceptions (harness bugs) pass
    through untouched."""
    # The first attempt runs outside tenacity: nearly every call succeeds at once, and setting
    # up a retry loop per call cost more than the rest of the harness's per-cell work.
    try:
        return await send(), 1
    except ProviderError as error:
        if not _is_retryable(error) or max_attempts <= 1 or (give_up is not None and give_up(error, 1)):
            raise CallFailed(error, 1) from error
        first_failure = error
    return await _retry_after_first_failure(
        send, first_failure, max_attempts=max_attempts, on_retry=on_retry,
        base_delay_s=base_delay_s, max_delay_s=max_delay_s, give_up=give_up,
    )


async def _retry_after_first_failure(
    send: Callable[[], Awaitable[Completion]],
    first_failure: ProviderError,
    *,
    max_attempts: int,
    on_retry: OnRetry | None,
    base_delay_s: float,
    max_delay_s: float,
    give_up: GiveUp | None,
) -> tuple[Completion, int]:
    """The tenacity loop, with `first_failure` replayed as its attempt 1 (so waits, `on_retry`
    and attempt numbers are exactly those of a loop that had sent it)."""
    replayed = False

    async def send_after_first() -> Completion:
        nonlocal replayed
        if not replayed:
            replayed = True
            raise first_failure
        return await send()

    def wait(state: RetryCallState) -> float:
        error = _last_error(state)
        return backoff_delay_s(
            state.attempt_number, error.retry_after_s, base_delay_s=base_delay_s, max_delay_s=max_delay_s
        )

    def before_sleep(state: RetryCallState) -> None:
        assert on_retry is not None and state.next_action is not None
        on_retry(state.attempt_number, _last_error(state), state.next_action.sleep)

    def stop(state: RetryCallState) -> bool:
        if state.attempt_number >= max_attempts:
            return True
        # attempt 1 is the replayed failure, whose `give_up` was asked before the loop
        return give_up is not None and state.attempt_number > 1 and give_up(_last_error(state), state.attempt_number)

    retrying = AsyncRetrying(
        stop=stop,
        wait=wait,
        retry=retry_if_exception(_is_retryable),
        before_sleep=before_sleep if on_retry is not None else None,
        reraise=True,
    )
    attempts = 0
    try:
        async for attempt in retrying:
            with attempt:
                attempts = attempt.retry_state.attempt_number
                completion = await send_after_first()
    except ProviderError as error:
        raise CallFailed(error, attempts) from error
    return completion, attempts
