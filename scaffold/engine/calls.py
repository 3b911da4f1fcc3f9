"""The one path every model call of a run takes: cache, concurrency bound, retries, the
dead-endpoint breaker, token and cost accounting, budgets. Scaffolds and the judge check
reach models only through `CallPath.complete`, so their calls count like any other."""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Literal

from scaffold.cells import CallRecord, CellKey, Completion, Usage
from scaffold.engine.circuit import EndpointCircuit
from scaffold.providers.base import ModelRequest, Provider, ProviderError
from scaffold.providers.local import LOCAL_PREFIX
from scaffold.spec.resolved import Model, ResolvedExperiment
from scaffold.store.cache import ResponseCache, request_key

if TYPE_CHECKING:
    from scaffold.engine.batch import Batcher

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
    batcher: Batcher | None = None
    """Where calls of batch cells go (engine/batch.py); None when the run has none."""

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
        batch_cell: CellKey | None = None,
    ) -> Completion:
        """One call: answered from the cache when it can be, else sent with retries (or, for
        `batch_cell`, through the provider's batch API). The call's record is appended to
        `records` (the cell's)."""
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
        if batch_cell is not None and self.batcher is not None:
            return await self._complete_in_batch(request, batch_cell, key, records, purpose)
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
        return self._answered(model, completion, latency, attempts, key, records, purpose)

    async def _complete_in_batch(
        self,
        request: ModelRequest,
        cell: CellKey,
        key: str | None,
        records: list[CallRecord],
        purpose: Literal["candidate", "judge"],
    ) -> Completion:
        """A call that waits for its provider batch; no concurrency slot (it loads no endpoint)."""
        from scaffold.engine.retry import CallFailed
        from scaffold.providers.pricing import cost_usd

        assert self.batcher is not None
        started = time.perf_counter()
        try:
            completion, submissions = await self.batcher.complete(request, cell)
        except CallFailed as failure:
            failed_cost = cost_usd(request.model, Usage(), self.experiment.prices, batch=True)
            waited = time.perf_counter() - started
            records.append(CallRecord(Usage(), waited, failure.attempts, False, failed_cost, purpose, batch=True))
            raise
        waited = time.perf_counter() - started
        return self._answered(request.model, completion, waited, submissions, key, records, purpose, batch=True)

    def _answered(
        self,
        model: Model,
        completion: Completion,
        latency: float,
        attempts: int,
        key: str | None,
        records: list[CallRecord],
        purpose: Literal["candidate", "judge"],
        batch: bool = False,
    ) -> Completion:
        """Count an answered call: its record on the cell, the run's spend, the cache."""
        from scaffold.providers.pricing import cost_usd

        cost = cost_usd(model, completion.usage, self.experiment.prices, batch=batch)
        records.append(CallRecord(completion.usage, latency, attempts, False, cost, purpose, batch))
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
