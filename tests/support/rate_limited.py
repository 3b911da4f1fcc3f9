"""A rate limit for the test server: R requests per window of W seconds, as providers enforce.

    with OpenAIServer(rate_limit=RequestWindow(requests=20, window_s=1.0)) as server:
        ...

Windows are fixed, the first starting at the first chat request. A request beyond R in its
window gets a 429 with `Retry-After` (whole seconds, rounded up, as HTTP has it) and
`retry-after-ms`; unless `send_headers` is off, every answer, 200 or 429, carries `x-ratelimit-limit-requests`,
`x-ratelimit-remaining-requests` and `x-ratelimit-reset-requests` (OpenAI's `1.234s` form).
What arrived in each window is kept, so a test can assert the rate a client really sent at.
"""

from __future__ import annotations

import math
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from aiohttp import web

from tests.support.script import Fault


@dataclass
class RequestWindow:
    """The limit, and what the server saw: arrivals and refusals per window (by index from 0)."""

    requests: int
    """R: requests admitted per window."""
    window_s: float = 60.0
    """W: the window's length in seconds."""
    send_headers: bool = True
    """False: no `x-ratelimit-*` headers, only the 429s' `Retry-After` (as some servers do)."""
    arrived: Counter[int] = field(default_factory=Counter)
    """Chat requests that arrived in each window, refused ones included."""
    refused: Counter[int] = field(default_factory=Counter)
    """Requests answered 429 in each window."""
    _started_at: float | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def admit(self) -> tuple[bool, dict[str, str]]:
        """Count one request: whether it is within the limit, and the headers to send with it."""
        now = time.monotonic()
        with self._lock:
            if self._started_at is None:
                self._started_at = now
            window = int((now - self._started_at) // self.window_s)
            self.arrived[window] += 1
            admitted_before = self.arrived[window] - self.refused[window] - 1
            allowed = admitted_before < self.requests
            if not allowed:
                self.refused[window] += 1
            remaining = max(0, self.requests - admitted_before - (1 if allowed else 0))
            reset_s = self._started_at + (window + 1) * self.window_s - now
        headers = {}
        if self.send_headers:
            headers["x-ratelimit-limit-requests"] = str(self.requests)
            headers["x-ratelimit-remaining-requests"] = str(remaining)
            headers["x-ratelimit-reset-requests"] = f"{reset_s:.3f}s"
        if not allowed:
            headers["Retry-After"] = str(max(1, math.ceil(reset_s)))
            headers["retry-after-ms"] = str(math.ceil(reset_s * 1000))
        return allowed, headers

    @property
    def refusals(self) -> int:
        """429s sent in all."""
        return sum(self.refused.values())

    @property
    def admitted(self) -> int:
        """Requests let through in all."""
        return sum(self.arrived.values()) - self.refusals

    def busiest_window(self) -> int:
        """The most requests that arrived in one window (0 before any)."""
        return max(self.arrived.values(), default=0)


def refusal(headers: dict[str, str]) -> web.Response:
    """The 429 OpenAI sends past a request limit, with the window's headers."""
    fault = Fault.rate_limit(retry_after_s=None)
    return web.json_response(fault.error_body(), status=429, headers=headers)
