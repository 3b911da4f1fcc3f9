"""Model calls through `litellm.acompletion`, with every failure classified for the retry policy.

litellm is imported on the first call, not when this module is imported, and only after
`LITELLM_LOCAL_MODEL_COST_MAP=True` is set (so the import never fetches the price map).
API keys are read from the environment at call time, passed to litellm, and scrubbed from
every error message; they are never kept.
"""

from __future__ import annotations

import dataclasses
import os
import re
import time
from email.utils import parsedate_to_datetime
from types import ModuleType
from typing import Any, Mapping

from scaffold.cells import Completion, ToolCall, Usage
from scaffold.providers.base import ModelRequest, ProviderError
from scaffold.providers.rate_headers import error_rate_limits, response_rate_limits
from scaffold.spec.resolved import Model

NO_KEY = "sk-no-key-configured"
"""Sent to OpenAI-compatible servers at a custom `api_base` when no key is configured:
litellm refuses to call the `openai` provider without one, and local servers ignore it."""

MAX_DETAIL_CHARS = 200
"""Error messages end up in tables and result lines; the server's text is cut to this."""

_litellm: ModuleType | None = None

_EXCEPTION_PREFIX = re.compile(r"^(?:(?:litellm\.)?\w*(?:Error|Exception|Timeout)\s*[:\-]\s*)+")
_KEY_LIKE = re.compile(r"\b(sk-|Bearer\s+)[A-Za-z0-9_\-.]{6,}")


def load_litellm() -> ModuleType:
    """Import litellm once, quietly and without network access at import.

    Only these two settings are applied. The documented ones that look like they would cut
    litellm's CPU per `acompletion` call were measured (issue 14: in-process, rounds of 500
    calls alternating, 32 in flight, benchmarks/stub.py at 0 ms, median CPU per call on a
    loaded 2-core machine) and none helps beyond the noise, so none is set:

    | setting                                     | CPU per call vs none, two runs |
    |---------------------------------------------|--------------------------------|
    | `turn_off_message_logging = True`           | 1.10x, 1.10x (with the next one): redaction adds work |
    | `disable_token_counter = True`              | 1.00x: usage comes from the response, nothing is counted |
    | `disable_aiohttp_transport = True` (httpx)  | 1.02x, 1.02x |
    | `disable_end_user_cost_tracking = True`     | 1.06x (noise: proxy-side only) |
    | `no-log=True` per call                      | 0.97x, 0.99x (within the spread) |

    (baseline about 12-13 ms CPU per call at a load average of 20-40; rounds spread +-10%.)

    In litellm 1.100.5 the large shares have no switch: `update_response_metadata` prices every
    response (`_response_cost_calculator`) and the success handler builds the standard logging
    payload whether or not a callback is registered (`no-log` skips only the callbacks); the
    OpenAI SDK's request transform and the thread-pool hop of `acompletion` are below litellm.
    scaffold prices calls itself (providers/pricing.py) and ignores litellm's cost."""
    global _litellm
    if _litellm is None:
        os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
        import litellm

        litellm.suppress_debug_info = True
        litellm.telemetry = False
        _litellm = litellm
    return _litellm


def api_key_for(model: Model) -> str | None:
    """The key to send for `model`: from its `api_key_env` variable when set; a placeholder for an
    `openai/...` model at a custom `api_base` with no key anywhere; else None (litellm's own lookup)."""
    key = os.environ.get(model.api_key_env) if model.api_key_env else None
    if key:
        return key
    if model.api_base and model.model.startswith("openai/") and not os.environ.get("OPENAI_API_KEY"):
        return NO_KEY
    return None


class LitellmProvider:
    """The `Provider` for every litellm-reachable model: one `acompletion` call per request,
    litellm's own retries off (the engine's policy retries)."""

    async def complete(self, request: ModelRequest) -> Completion:
        """Send `request`; raise `ProviderError` (classified) on any failure."""
        litellm = _litellm or load_litellm()
        model = request.model
        api_key = api_key_for(model)
        try:
            response = await litellm.acompletion(
                **request.completion_kwargs(model.model), api_base=model.api_base, api_key=api_key, max_retries=0
            )
        except Exception as error:  # every failure becomes a classified ProviderError
            raise classify_error(error, timeout_s=request.timeout_s, secret=api_key) from None
        completion = completion_from_response(response)
        rate_limits = response_rate_limits(response)
        return completion if rate_limits is None else dataclasses.replace(completion, rate_limits=rate_limits)


def completion_from_response(response: Any) -> Completion:
    """A litellm `ModelResponse` as a `Completion`; usage details may be missing or None."""
    if not response.choices:
        raise ProviderError("other", "the response has no choices")
    choice = response.choices[0]
    message = choice.message
    tool_calls = tuple(
        ToolCall(call.id or "", call.function.name or "", call.function.arguments or "")
        for call in message.tool_calls or ()
    )
    return Completion(message.content, tool_calls, usage_from_response(response), choice.finish_reason)


def usage_from_response(response: Any) -> Usage:
    """Input, output, reasoning and cached tokens from the response's `usage` (0 when absent)."""
    usage = getattr(response, "usage", None)
    if usage is None:
        return Usage()
    completion_details = getattr(usage, "completion_tokens_details", None)
    prompt_details = getattr(usage, "prompt_tokens_details", None)
    return Usage(
        input=usage.prompt_tokens or 0,
        output=usage.completion_tokens or 0,
        reasoning=getattr(completion_details, "reasoning_tokens", None) or 0,
        cached=getattr(prompt_details, "cached_tokens", None) or 0,
    )


def classify_error(error: Exception, *, timeout_s: float, secret: str | None = None) -> ProviderError:
    """Map a litellm (or any) exception to a `ProviderError` with a short message free of `secret`.

    By class first, then by HTTP status, since litellm raises a plain `APIError` for some
    statuses (a 403, for one)."""
    litellm = _litellm or load_litellm()
    status = getattr(error, "status_code", None)
    status = status if isinstance(status, int) else None
    detail = _detail(error, secret)
    if isinstance(error, litellm.ContextWindowExceededError):
        return ProviderError("context_window", f"context window exceeded: {detail}", status=status)
    if isinstance(error, litellm.Timeout):
        return ProviderError("retryable", f"timeout after {timeout_s:g} s", status=status)
    if isinstance(error, litellm.RateLimitError) or status == 429:
        retry_after_s = _retry_after_s(error)
        wait = f" (retry after {retry_after_s:g} s)" if retry_after_s is not None else ""
        return ProviderError(
            "retryable", f"429 rate limited{wait}", status=429, retry_after_s=retry_after_s,
            rate_limits=error_rate_limits(error),
        )
    if isinstance(error, litellm.APIConnectionError) or detail.startswith("Connection error"):
        said = "" if detail.startswith("Connection error") else f": {detail}"
        return ProviderError("retryable", f"connection error{said}", status=None)
    if isinstance(error, (litellm.AuthenticationError, litellm.PermissionDeniedError)) or status in (401, 403):
        return ProviderError("auth", f"{status or 401} authentication failed: {detail}", status=status)
    if (status is not None and status >= 500) or status in (408, 409):
        return ProviderError("retryable", f"{status} server error: {detail}", status=status)
    if isinstance(error, litellm.BadRequestError) or (status is not None and 400 <= status < 500):
        return ProviderError("bad_request", f"{status or 400} bad request: {detail}", status=status)
    return ProviderError("other", f"{type(error).__name__}: {detail}", status=status)


def _detail(error: Exception, secret: str | None) -> str:
    """The server's or SDK's own words, without litellm's class-name prefixes and without keys."""
    text = _EXCEPTION_PREFIX.sub("", str(error).strip(), count=1)
    if secret:
        text = text.replace(secret, "***")
    text = _KEY_LIKE.sub(r"\1***", text)
    return text if len(text) <= MAX_DETAIL_CHARS else text[: MAX_DETAIL_CHARS - 1] + "…"


def _retry_after_s(error: Exception) -> float | None:
    """Seconds from `retry-after-ms` or `Retry-After` (seconds or an HTTP date) on the error's
    response headers; litellm keeps them on `litellm_response_headers`."""
    response = getattr(error, "response", None)
    for headers in (getattr(error, "litellm_response_headers", None), getattr(response, "headers", None)):
        if not isinstance(headers, Mapping):
            continue
        milliseconds = _header(headers, "retry-after-ms")
        if milliseconds is not None and (value := _float(milliseconds)) is not None:
            return value / 1000
        seconds = _header(headers, "retry-after")
        if seconds is not None:
            value = _float(seconds)
            return value if value is not None else _seconds_until(seconds)
    return None


def _header(headers: Mapping[str, Any], name: str) -> str | None:
    value = headers.get(name)
    if value is None:
        value = next((value for key, value in headers.items() if str(key).lower() == name), None)
    return None if value is None else str(value)


def _float(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return max(value, 0.0)


def _seconds_until(http_date: str) -> float | None:
    try:
        return max(parsedate_to_datetime(http_date).timestamp() - time.time(), 0.0)
    except (TypeError, ValueError):
        return None
