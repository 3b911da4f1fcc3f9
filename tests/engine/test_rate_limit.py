"""The adaptive per-model limiter's state machine (engine/rate_limit.py), on a clock the test
steps, and the rate-limit headers it is fed (providers/rate_headers.py)."""

from __future__ import annotations

import asyncio

import pytest

from scaffold.cells import RateLimits
from scaffold.engine.rate_limit import RESET_MARGIN_S, UNKNOWN_RESET_PAUSE_S, AdaptiveLimit, ModelLimiter
from scaffold.providers.rate_headers import duration_s, rate_limits_from_headers


def _fill(state: AdaptiveLimit, now: float = 0.0) -> list[int]:
    """Send until the limiter says wait; the tickets sent."""
    tickets = []
    while state.wait_s(now) == 0:
        tickets.append(state.send(now))
    return tickets


def test_it_starts_at_the_ceiling_and_waits_for_a_call_to_end_beyond_it():
    state = AdaptiveLimit(ceiling=8)
    assert len(_fill(state)) == 8
    assert state.wait_s(0.0) is None
    state.succeeded(1, 0.0, None)
    assert state.wait_s(0.0) == 0


def test_a_burst_of_429s_halves_the_limit_once_and_a_later_one_again():
    state = AdaptiveLimit(ceiling=8)
    tickets = _fill(state)
    for ticket in tickets:  # the whole burst was in flight when the first 429 came back
        state.rate_limited(ticket, 0.0, None, None)
    assert (state.limit, state.decreases) == (4, 1)
    (later, *_) = _fill(state)
    state.rate_limited(later, 0.0, None, None)
    assert (state.limit, state.decreases) == (2, 2)
    for ticket in _fill(state):
        state.rate_limited(ticket, 0.0, None, None)
    state.rate_limited(state.send(0.0), 0.0, None, None)
    assert state.limit == 1  # never below one call in flight


def test_retry_after_holds_back_every_send_until_then():
    state = AdaptiveLimit(ceiling=4)
    ticket = state.send(10.0)
    state.rate_limited(ticket, 10.0, 2.5, None)
    assert state.wait_s(10.0) == pytest.approx(2.5)
    assert state.wait_s(11.0) == pytest.approx(1.5)
    assert state.wait_s(12.5) == 0


def test_a_429_that_does_not_pause_the_model_still_cuts_the_limit():
    state = AdaptiveLimit(ceiling=4)
    state.rate_limited(state.send(0.0), 0.0, 5.0, None, pause=False)
    assert (state.limit, state.wait_s(0.0)) == (2, 0)


def test_each_window_of_successes_grows_the_limit_by_one_up_to_the_ceiling():
    state = AdaptiveLimit(ceiling=4, limit=2)
    limits = []
    for _ in range(12):
        state.succeeded(state.send(0.0), 0.0, None)
        limits.append(state.limit)
    assert limits == [2, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4]


def test_other_failures_free_the_slot_and_change_nothing_else():
    state = AdaptiveLimit(ceiling=2)
    _fill(state)
    state.failed()
    assert (state.limit, state.in_flight, state.wait_s(0.0)) == (2, 1, 0)


def test_remaining_requests_is_an_allowance_until_the_reset():
    state = AdaptiveLimit(ceiling=8)
    first = state.send(0.0)
    state.send(0.0)
    state.succeeded(first, 0.0, RateLimits(limit_requests=10, remaining_requests=3, reset_requests_s=1.0))
    assert len(_fill(state)) == 2  # 3 remaining, less the call still in flight
    assert state.wait_s(0.0) == pytest.approx(1.0 + RESET_MARGIN_S)
    assert state.wait_s(0.5) == pytest.approx(0.5 + RESET_MARGIN_S)
    # After the reset the allowance is the limit again (8 slots are free of the ceiling's 8).
    for ticket in range(2, 5):
        state.succeeded(ticket, 0.5, None)
    assert len(_fill(state, now=1.1)) == 8
    assert state.wait_s(1.1) is None  # the ceiling, not the allowance of 10, holds now


def test_an_answer_to_an_earlier_send_can_only_lower_the_allowance():
    state = AdaptiveLimit(ceiling=8)
    old, new = state.send(0.0), state.send(0.0)
    state.succeeded(new, 0.0, RateLimits(remaining_requests=0, reset_requests_s=2.0))
    state.succeeded(old, 0.0, RateLimits(remaining_requests=50, reset_requests_s=2.0))
    assert state.wait_s(0.0) == pytest.approx(2.0 + RESET_MARGIN_S)
    newest = AdaptiveLimit(ceiling=8)
    old, new = newest.send(0.0), newest.send(0.0)
    newest.succeeded(old, 0.0, RateLimits(remaining_requests=6, reset_requests_s=2.0))
    newest.succeeded(new, 0.0, RateLimits(remaining_requests=4, reset_requests_s=2.0))
    assert len(_fill(newest)) == 4


def test_answers_from_before_a_reset_do_not_count_against_the_new_window():
    state = AdaptiveLimit(ceiling=8)
    early, late = state.send(0.0), state.send(0.0)
    state.succeeded(early, 0.0, RateLimits(limit_requests=5, remaining_requests=0, reset_requests_s=1.0))
    assert state.wait_s(0.5) == pytest.approx(0.5 + RESET_MARGIN_S)
    assert len(_fill(state, now=1.1)) == 5  # the reset came: the allowance is the limit again
    # `late` was answered in the old window, with nothing left: no news about the new one
    state.succeeded(late, 1.1, RateLimits(limit_requests=5, remaining_requests=0, reset_requests_s=0.9))
    assert state.wait_s(1.1) is None  # spent, so the next answer tells; not a pause of 0.9 s


def test_a_429_with_no_allowance_left_waits_for_the_reset():
    state = AdaptiveLimit(ceiling=8)
    ticket = state.send(0.0)
    state.rate_limited(ticket, 0.0, None, RateLimits(remaining_requests=0, reset_requests_s=0.3))
    assert state.wait_s(0.0) == pytest.approx(0.3 + RESET_MARGIN_S)


def test_an_allowance_used_up_with_no_reset_time_pauses_a_little_and_never_deadlocks():
    state = AdaptiveLimit(ceiling=4)
    state.succeeded(state.send(0.0), 0.0, RateLimits(remaining_requests=0))
    assert state.wait_s(0.0) == pytest.approx(UNKNOWN_RESET_PAUSE_S + RESET_MARGIN_S)
    fresh = AdaptiveLimit(ceiling=4)
    fresh.succeeded(fresh.send(0.0), 0.0, RateLimits(limit_requests=1, remaining_requests=1))
    fresh.send(0.0)  # the allowance of 1 is used and no reset is known
    assert fresh.wait_s(0.0) is None  # the answer in flight will tell
    fresh.succeeded(2, 0.0, None)
    assert fresh.wait_s(0.0) == 0  # nothing in flight to tell: send and find out


def test_requests_per_minute_spaces_the_sends():
    state = AdaptiveLimit(ceiling=8, requests_per_minute=120)
    state.send(0.0)
    assert state.wait_s(0.0) == pytest.approx(0.5)
    assert state.wait_s(0.5) == 0
    state.send(0.7)
    assert state.wait_s(0.7) == pytest.approx(0.5)


def test_too_few_remaining_tokens_for_a_call_pause_until_the_token_reset():
    state = AdaptiveLimit(ceiling=4)
    state.succeeded(state.send(0.0), 0.0, None, tokens=500)
    limits = RateLimits(remaining_tokens=200, reset_tokens_s=3.0)
    state.succeeded(state.send(0.0), 0.0, limits, tokens=500)
    assert state.wait_s(0.0) == pytest.approx(3.0 + RESET_MARGIN_S)
    plenty = AdaptiveLimit(ceiling=4)
    plenty.succeeded(plenty.send(0.0), 0.0, RateLimits(remaining_tokens=20_000, reset_tokens_s=3.0), tokens=500)
    assert plenty.wait_s(0.0) == 0


async def test_the_async_limiter_lets_a_waiting_call_go_when_one_ends():
    limiter = ModelLimiter(AdaptiveLimit(ceiling=1))
    first = await limiter.acquire()
    waiting = asyncio.create_task(limiter.acquire())
    for _ in range(5):
        await asyncio.sleep(0)
    assert not waiting.done()
    limiter.succeeded(first, None)
    assert await asyncio.wait_for(waiting, 5) == 2


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("1s", 1.0), ("6m0s", 360.0), ("20ms", 0.02), ("1h2m3.5s", 3723.5), ("0.25", 0.25), ("7", 7.0),
     ("", None), (None, None), ("soon", None), ("5x", None), ("1s2", None)],
)
def test_reset_durations_in_openais_form_or_plain_seconds(text, seconds):
    assert duration_s(text) == (pytest.approx(seconds) if seconds is not None else None)


def test_headers_are_read_in_any_case_and_under_litellms_provider_prefix():
    headers = {
        "X-RateLimit-Limit-Requests": "500",
        "x-ratelimit-remaining-requests": 499,
        "llm_provider-x-ratelimit-reset-requests": "120ms",
        "llm_provider-x-ratelimit-remaining-tokens": "149984",
        "llm_provider-x-ratelimit-reset-tokens": "6m0s",
        "content-type": "application/json",
    }
    assert rate_limits_from_headers(headers) == RateLimits(
        limit_requests=500, remaining_requests=499, reset_requests_s=0.12,
        remaining_tokens=149984, reset_tokens_s=360.0,
    )
    assert rate_limits_from_headers({"content-type": "application/json"}) is None
    assert rate_limits_from_headers(None) is None
