"""Adaptive concurrency per model: how many calls may be in flight, and when the next may go.

An AIMD limiter, one per model of a run, that every attempt of every call passes:

- It starts at the ceiling (the model's `concurrency`, else the experiment's): an endpoint
  without limits costs nothing, and the first 429 halves it at once.
- A 429 halves the limit (at least 1), once per burst: the 429s of calls that were already in
  flight when the limit was cut are the same congestion and do not cut it again.
- A 429's `Retry-After` holds back every new send to the model until then.
- Each window of successes (as many as the limit) grows the limit by 1, up to the ceiling.
- `x-ratelimit-remaining-requests` with `-reset-requests` on a response is an allowance: that
  many more sends, less the calls still in flight (the server may not have counted them),
  until the reset, then a pause until the reset; after it the allowance is
  `x-ratelimit-limit-requests` again when known. The answer to the latest send is the
  latest news; an answer to an earlier one (they return out of order) can only lower it.
- Remaining tokens below what a call uses pause sends until `-reset-tokens`.
- `requests_per_minute` (the sum of a model's deployments' `rpm`) spaces sends evenly.

`AdaptiveLimit` is the state machine, driven by a clock it is given (unit tests step it);
`ModelLimiter` is its asyncio face, which `CallPath` uses.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Callable

from scaffold.cells import RateLimits

RESET_MARGIN_S = 0.05
"""Waits for a reset end this much after the reset, since the server's clock started first."""

UNKNOWN_RESET_PAUSE_S = 1.0
"""An allowance of 0 with no reset time pauses this long before trying again."""


@dataclass
class AdaptiveLimit:
    """The limiter's state for one model. Times are seconds on the caller's clock."""

    ceiling: int
    """The most calls ever in flight (the model's `concurrency`, else the experiment's)."""
    requests_per_minute: float | None = None
    """When set, sends are spaced 60 / this seconds apart."""
    limit: int = 0
    """Calls allowed in flight now; starts at `ceiling`."""
    in_flight: int = 0
    """Sends not yet answered."""
    sent: int = 0
    """Sends so far; each send's number is its ticket."""
    paused_until: float = 0.0
    """No send before this time (a `Retry-After`, or tokens spent until their reset)."""
    decreases: int = 0
    """How often a 429 cut the limit (for reports and tests)."""
    _successes_in_window: int = 0
    _cut_at_ticket: int = 0
    _next_send_at: float = 0.0
    _allowance: int | None = None
    _allowance_until: float = 0.0
    _estimate_ticket: int = 0
    """The latest send whose answer set the allowance."""
    _period_ticket: int = 0
    """The last send before the allowance was last renewed: answers to it or earlier ones
    describe the window before."""
    _limit_requests: int | None = None
    _tokens_per_call: float | None = None

    def __post_init__(self) -> None:
        self.ceiling = max(1, self.ceiling)
        self.limit = self.limit or self.ceiling

    def wait_s(self, now: float) -> float | None:
        """How long before a call may be sent: 0 now; None until a call in flight ends.
        A reset that has come renews the allowance here."""
        if self.in_flight >= self.limit:
            return None
        if self._allowance is not None and now >= self._allowance_until:
            self._allowance = self._limit_requests  # the reset came: a fresh window
            self._allowance_until = float("inf") if self._allowance is not None else 0.0
            self._period_ticket = self.sent
        waits = [self.paused_until - now, self._next_send_at - now]
        if self._allowance is not None and self._allowance <= 0:
            if self._allowance_until != float("inf"):
                waits.append(self._allowance_until - now)
            elif self.in_flight:
                return None  # the allowance is used and no reset is known: the next answer tells
        return max(0.0, *waits)

    def send(self, now: float) -> int:
        """Count a send (only once `wait_s` said 0); returns its ticket."""
        self.in_flight += 1
        self.sent += 1
        if self._allowance is not None:
            self._allowance -= 1
        if self.requests_per_minute:
            self._next_send_at = max(now, self._next_send_at) + 60.0 / self.requests_per_minute
        return self.sent

    def succeeded(self, ticket: int, now: float, limits: RateLimits | None, tokens: int = 0) -> None:
        """A send answered: grow the limit after a window of successes; read its headers."""
        self.in_flight -= 1
        self._successes_in_window += 1
        if self._successes_in_window >= self.limit:
            self._successes_in_window = 0
            self.limit = min(self.ceiling, self.limit + 1)
        if tokens:
            previous = self._tokens_per_call
            self._tokens_per_call = tokens if previous is None else 0.8 * previous + 0.2 * tokens
        self._read(ticket, now, limits)

    def rate_limited(
        self, ticket: int, now: float, retry_after_s: float | None, limits: RateLimits | None, *, pause: bool = True
    ) -> None:
        """A send got a 429: halve the limit (once per burst) and pause for `retry_after_s`."""
        self.in_flight -= 1
        if ticket > self._cut_at_ticket:
            self._cut_at_ticket = self.sent
            self.limit = max(1, self.limit // 2)
            self._successes_in_window = 0
            self.decreases += 1
        if pause and retry_after_s is not None:
            self.paused_until = max(self.paused_until, now + retry_after_s)
        self._read(ticket, now, limits)

    def failed(self) -> None:
        """A send failed some other way (a timeout, a 5xx, a bad request): no signal."""
        self.in_flight -= 1

    def _read(self, ticket: int, now: float, limits: RateLimits | None) -> None:
        """Take the allowance a response reports (each send after it counts it down)."""
        if limits is None:
            return
        if limits.limit_requests is not None:
            self._limit_requests = limits.limit_requests
        if limits.remaining_requests is not None and ticket > self._period_ticket:
            # The calls still in flight may not have been counted yet: assume they were not.
            # An answer to a later send is later news; one to an earlier send only lowers it.
            estimate = limits.remaining_requests - self.in_flight
            newer = ticket > self._estimate_ticket
            if self._allowance is None or newer or estimate < self._allowance:
                self._estimate_ticket = max(self._estimate_ticket, ticket)
                self._allowance = estimate
                reset = limits.reset_requests_s
                if reset is None and estimate <= 0:
                    reset = UNKNOWN_RESET_PAUSE_S
                self._allowance_until = now + reset + RESET_MARGIN_S if reset is not None else float("inf")
        if (
            limits.remaining_tokens is not None
            and limits.reset_tokens_s is not None
            and limits.remaining_tokens < (self._tokens_per_call or 1)
        ):
            self.paused_until = max(self.paused_until, now + limits.reset_tokens_s + RESET_MARGIN_S)


@dataclass
class ModelLimiter:
    """`AdaptiveLimit` for asyncio: `await acquire()` before each send, then report its outcome."""

    state: AdaptiveLimit
    clock: Callable[[], float] = time.monotonic
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def acquire(self) -> int:
        """Wait until a call may be sent; returns its ticket for `succeeded`/`rate_limited`/`failed`."""
        while True:
            wait = self.state.wait_s(self.clock())
            if wait == 0:
                return self.state.send(self.clock())
            self._changed.clear()
            if wait is None:
                await self._changed.wait()
            else:
                try:
                    await asyncio.wait_for(self._changed.wait(), wait)
                except asyncio.TimeoutError:
                    pass

    def succeeded(self, ticket: int, limits: RateLimits | None, tokens: int = 0) -> None:
        """The call with `ticket` was answered."""
        self.state.succeeded(ticket, self.clock(), limits, tokens)
        self._changed.set()

    def rate_limited(self, ticket: int, retry_after_s: float | None, limits: RateLimits | None, pause: bool) -> None:
        """The call with `ticket` got a 429."""
        self.state.rate_limited(ticket, self.clock(), retry_after_s, limits, pause=pause)
        self._changed.set()

    def failed(self) -> None:
        """The call failed otherwise, or was cancelled."""
        self.state.failed()
        self._changed.set()
