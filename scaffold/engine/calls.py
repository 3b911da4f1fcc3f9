"""The one path every model call of a run takes: cache, concurrency bound, retries, the
dead-endpoint breaker, token and cost accounting, budgets. Scaffolds and the judge check
reach models only through `CallPath.complete`, so their calls count like any other."""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Literal

from scaffold.cells import CallRecord, Completion, Usage
from scaffold.engine.circuit import EndpointCircuit
from scaffold.providers.base import ModelRequest, Provider, ProviderError
from scaffold.providers.local import LOCAL_PREFIX
from scaffold.spec.resolved import Model, ResolvedExperiment
from scaffold.store.cache import ResponseCache, request_key

RetryListener = Callable[[int, ProviderError, float], None]


class BudgetSpent(Exception):
    """A run limit (tokens or cost) was reached; no new cells should start."""


@dataclass
class Spend:
    """What the run has used so far, across cells in flight too."""

    tokens: int = 0
    cost_usd: float = 0.0


@dataclass
class CallPath:
    """Sends calls for one run."""

    experiment: ResolvedExperiment
    provider_for: Callable[[Model], Provider]
    cache: ResponseCache | None
    retry_base_delay_s: float = 0.5
    spend: Spend = field(default_factory=Spend)
    circuit: EndpointCircuit = field(default_factory=EndpointCircuit)
    _model_slots: dict[str, asyncio.Semaphore] = field(default_factory=dict)

    def _slot(self, model: Model) -> asyncio.Semaphore | None:
        """The bound on `model`'s calls in flight. A local model runs one call at a time
        anyway, so its calls queue here, where the wait is not counted as latency."""
        limit = model.concurrency or (1 if model.model.startswith(LOCAL_PREFIX) else None)
        if limit is None:
            return None
        slot = self._model_slots.get(model.name)
        if slot is None:
            slot = self._model_slots[model.name] = asyncio.Semaphore(limit)
        return slot

    def params_for(self, model: Model, variant_params: dict[str, Any]) -> dict[str, Any]:
        """Experiment params, then the model's, then the variant's (the most specific wins)."""
        return {**self.experiment.params, **model.params, **variant_params}

    async def complete(
        self,
        model: Model,
        messages: list[dict[str, Any]],
        params: dict[str, Any],
        *,
        tools: list[dict[str, Any]] | None,
        repeat: int,
        records: list[CallRecord],
        purpose: Literal["candidate", "judge"] = "candidate",
        on_retry: RetryListener | None = None,
    ) -> Completion:
        """One call: answered from the cache when it can be, else sent with retries.
        The call's record is appended to `records` (the cell's)."""
        key = None
        if self.cache is not None:
            key = request_key(model.model, model.api_base, messages, params, tools, repeat)
            hit = self.cache.get(key)
            if hit is not None:
                completion, cost = hit
                records.append(CallRecord(completion.usage, 0.0, 0, True, cost, purpose))
                return completion
        from scaffold.engine.retry import CallFailed, call_with_retries
        from scaffold.providers.pricing import cost_usd

        request = ModelRequest(model, messages, params, tools, self.experiment.limits.timeout_s)
        provider = self.provider_for(model)
        try:
            async with self._slot(model) or contextlib.nullcontext():
                started = time.perf_counter()
                completion, attempts = await call_with_retries(
                    lambda: provider.complete(request),
                    max_attempts=self.experiment.limits.max_attempts,
                    on_retry=on_retry,
                    base_delay_s=self.retry_base_delay_s,
                    give_up=lambda error, attempts: self.circuit.give_up(model, error, attempts),
                )
        except CallFailed as failure:  # keep the attempts on the cell's record
            self.circuit.call_failed(model, failure)
            no_usage = Usage()
            failed_cost = cost_usd(model, no_usage, self.experiment.prices)
            records.append(
                CallRecord(no_usage, time.perf_counter() - started, failure.attempts, False, failed_cost, purpose)
            )
            raise
        latency = time.perf_counter() - started
        self.circuit.answered(model)
        cost = cost_usd(model, completion.usage, self.experiment.prices)
        records.append(CallRecord(completion.usage, latency, attempts, False, cost, purpose))
        self.spend.tokens += completion.usage.total
        self.spend.cost_usd += cost or 0.0
        if key is not None:
            self.cache.put(key, completion, cost)  # type: ignore[union-attr]
        return completion

    def budget_problem(self) -> str | None:
        """Why the run must stop scheduling, if a limit is reached."""
        limits = self.experiment.limits
        if limits.max_total_tokens is not None and self.spend.tokens >= limits.max_total_tokens:
            return f"token budget spent: {self.spend.tokens:,} of {limits.max_total_tokens:,} tokens"
        if limits.max_cost_usd is not None and self.spend.cost_usd >= limits.max_cost_usd:
            return f"cost budget spent: ${self.spend.cost_usd:.4f} of ${limits.max_cost_usd:.2f}"
        return None
