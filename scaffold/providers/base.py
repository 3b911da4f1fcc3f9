"""The provider contract: one request in, one completion (or a classified error) out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from scaffold.cells import Completion, RateLimits
from scaffold.spec.resolved import Model

FailureKind = Literal["retryable", "auth", "bad_request", "context_window", "other"]


@dataclass(frozen=True)
class ModelRequest:
    """One call to a model: everything that determines the answer, plus the call's timeout."""

    model: Model
    messages: list[dict[str, Any]]
    params: dict[str, Any] = field(default_factory=dict)
    tools: list[dict[str, Any]] | None = None
    timeout_s: float = 60.0

    def completion_kwargs(self, model_name: str) -> dict[str, Any]:
        """The keyword arguments of litellm's `acompletion` (the plain call or a Router's) for
        this request sent as `model_name`: the model's params under the request's, then the
        messages, tools and timeout."""
        params = {**self.model.params, **self.params} if self.model.params else self.params
        return {**params, "model": model_name, "messages": self.messages, "tools": self.tools, "timeout": self.timeout_s}


class ProviderError(Exception):
    """A provider failure, classified so the engine knows whether to retry, record or stop.

    `retryable`: 429, 5xx, timeouts, dropped connections. `auth`: stops the run.
    `bad_request` and `context_window`: recorded on the cell as an error."""

    def __init__(
        self,
        kind: FailureKind,
        message: str,
        *,
        status: int | None = None,
        retry_after_s: float | None = None,
        rate_limits: RateLimits | None = None,
        deployment: str | None = None,
        pause_model: bool = True,
    ):
        super().__init__(message)
        self.kind = kind
        self.status = status
        self.retry_after_s = retry_after_s
        self.rate_limits = rate_limits
        """The error response's `x-ratelimit-*` headers, when it had any."""
        self.deployment = deployment
        """Which of the model's deployments failed, for a model with `deployments:`."""
        self.pause_model = pause_model
        """Whether a 429's `retry_after_s` holds back every call to the model. False when
        only one deployment is rate limited and the router sends elsewhere meanwhile."""

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle with every field (a worker process sends its errors to the run's process):
        Exception's default pickling would call `__init__` with the message alone. Fields a
        subclass or a later change adds travel too, as part of `__dict__`."""
        return (_restore_error, (type(self), self.args, dict(self.__dict__)))


def _restore_error(cls: type[ProviderError], args: tuple[Any, ...], state: dict[str, Any]) -> ProviderError:
    """A pickled ProviderError (or subclass) rebuilt without calling its `__init__`."""
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class HarnessFault(Exception):
    """The machinery that sends calls failed (every worker process died): neither the cell's,
    the scaffold's nor a check's fault. It passes through them and stops the run."""


class Provider(Protocol):
    """Sends one request; raises ProviderError on failure. Retries belong to the engine."""

    async def complete(self, request: ModelRequest) -> Completion: ...
