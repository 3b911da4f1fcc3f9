"""The dead-endpoint circuit breaker: a model whose endpoint has never answered stops the run fast.

A wrong port, a server that is down or a gateway that answers only 5xx fails every call the
same way; retried with the full policy, cell after cell, that takes minutes before anything
stops. Per model, until its first answer of the run (cache hits prove nothing), calls that
fail with connection errors, timeouts or 5xx get at most `UNPROVEN_ATTEMPTS` attempts, and
after `TRIP_AFTER_CALLS` of them have failed for good the breaker trips: the runner stops the
run (exit 3) with one line naming the model, its endpoint and the last error.

Once a model has answered, the breaker never trips for it: a model that worked and then
starts failing keeps the full retry policy and the run's `limits.max_errors`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from scaffold.providers.base import ProviderError
from scaffold.spec.resolved import Model

TRIP_AFTER_CALLS = 8
"""Calls of a model that may fail for good, with no answer yet, before the run stops."""

UNPROVEN_ATTEMPTS = 3
"""Attempts per call while a model has never answered (the configured `max_attempts` after).
With the default backoff (0.5 s base) a refused call gives up within about 1.5 s, so eight of
them end a run well inside a minute even one cell at a time."""


def is_endpoint_failure(error: ProviderError) -> bool:
    """A failure that says the endpoint is not serving: connection errors, timeouts and 5xx.
    A 429 says it is serving (and busy), a 4xx that the request is wrong: neither counts."""
    return error.kind == "retryable" and error.status != 429


def endpoint_of(model: Model) -> str:
    """Where a model's calls go, for a message: its `api_base`, else its litellm provider."""
    if model.deployments:
        return f"its {len(model.deployments)} deployment{'s' if len(model.deployments) > 1 else ''}"
    if model.api_base:
        return model.api_base
    provider, _, rest = model.model.partition("/")
    return f"provider {provider}" if rest else f"provider of {model.model}"


@dataclass
class _ModelState:
    answered: bool = False
    failed_calls: int = 0
    last_error: str = ""


@dataclass
class EndpointCircuit:
    """The breaker for one run; `CallPath` reports each call's outcome to it."""

    trip_after_calls: int = TRIP_AFTER_CALLS
    unproven_attempts: int = UNPROVEN_ATTEMPTS
    tripped: str | None = None
    """Why the run must stop, once a model's endpoint is judged dead; None until then."""
    _models: dict[str, _ModelState] = field(default_factory=dict)

    def _state(self, model: Model) -> _ModelState:
        state = self._models.get(model.name)
        if state is None:
            state = self._models[model.name] = _ModelState()
        return state

    def answered(self, model: Model) -> None:
        """A call to `model` got an answer from its endpoint."""
        self._state(model).answered = True

    def give_up(self, model: Model, error: ProviderError, attempts: int) -> bool:
        """Whether a call to `model` that just failed with `error` should stop retrying."""
        if not is_endpoint_failure(error) or self._state(model).answered:
            return False
        return attempts >= self.unproven_attempts or self.tripped is not None

    def call_failed(self, model: Model, error: ProviderError) -> None:
        """A call to `model` failed for good (after its retries); may trip the breaker."""
        state = self._state(model)
        if state.answered or not is_endpoint_failure(error):
            return
        state.failed_calls += 1
        state.last_error = str(error)
        if state.failed_calls >= self.trip_after_calls and self.tripped is None:
            self.tripped = (
                f"model {model.name} at {endpoint_of(model)} is not answering: "
                f"{state.failed_calls} calls failed and none succeeded; last error: {state.last_error}"
            )
