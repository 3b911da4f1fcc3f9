"""Reading a provider's rate-limit headers (`x-ratelimit-*`) into `RateLimits`.

OpenAI (and the many servers that copy it) send, on every response:
`x-ratelimit-limit-requests`, `x-ratelimit-remaining-requests`, `x-ratelimit-reset-requests`
and the same three for tokens. Resets are durations such as `1s`, `6m0s`, `20ms` or
`1h2m3.5s` (plain seconds are accepted too). litellm keeps the remaining/limit headers under
their own names on a response's `_hidden_params["additional_headers"]` and every header of
the raw response under `llm_provider-NAME`, so both spellings are looked up.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from scaffold.cells import RateLimits

PROVIDER_PREFIX = "llm_provider-"
"""How litellm forwards the raw response's headers in `additional_headers`."""

_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ms|h|m|s)")
_UNIT_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}


def rate_limits_from_headers(headers: Mapping[str, Any] | None) -> RateLimits | None:
    """The rate-limit headers in `headers` (names in any case); None when there are none."""
    if not headers:
        return None
    lowered = {str(name).lower(): value for name, value in headers.items()}

    def header(name: str) -> str | None:
        value = lowered.get(name, lowered.get(PROVIDER_PREFIX + name))
        return None if value is None else str(value).strip()

    limits = RateLimits(
        limit_requests=_count(header("x-ratelimit-limit-requests")),
        remaining_requests=_count(header("x-ratelimit-remaining-requests")),
        reset_requests_s=duration_s(header("x-ratelimit-reset-requests")),
        limit_tokens=_count(header("x-ratelimit-limit-tokens")),
        remaining_tokens=_count(header("x-ratelimit-remaining-tokens")),
        reset_tokens_s=duration_s(header("x-ratelimit-reset-tokens")),
    )
    return None if limits == RateLimits() else limits


def response_rate_limits(response: Any) -> RateLimits | None:
    """The rate-limit headers of a litellm `ModelResponse` (its `_hidden_params`)."""
    hidden = getattr(response, "_hidden_params", None)
    if not isinstance(hidden, Mapping):
        return None
    headers = hidden.get("additional_headers")
    return rate_limits_from_headers(headers) if isinstance(headers, Mapping) else None


def error_rate_limits(error: Exception) -> RateLimits | None:
    """The rate-limit headers of a litellm exception (`litellm_response_headers`, else the
    HTTP response it carries)."""
    response = getattr(error, "response", None)
    for headers in (getattr(error, "litellm_response_headers", None), getattr(response, "headers", None)):
        if isinstance(headers, Mapping) and (limits := rate_limits_from_headers(headers)) is not None:
            return limits
    return None


def duration_s(text: str | None) -> float | None:
    """Seconds in a reset duration: `1s`, `6m0s`, `20ms`, `1h2m3.5s` or a plain number;
    None when absent or unreadable."""
    if not text:
        return None
    try:
        return max(float(text), 0.0)
    except ValueError:
        pass
    position, seconds = 0, 0.0
    for match in _DURATION_PART.finditer(text):
        if match.start() != position:
            return None
        seconds += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
        position = match.end()
    return seconds if position == len(text) and position > 0 else None


def _count(text: str | None) -> int | None:
    if not text:
        return None
    try:
        return max(int(float(text)), 0)
    except ValueError:
        return None
