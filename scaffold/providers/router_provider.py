"""Calls to a model with `deployments:` through `litellm.Router`, one Router per logical model.

The Router picks a deployment per call ("simple-shuffle", weighted by `rpm`, else `tpm`) and
retries nothing: `num_retries=0`, no fallbacks, `max_retries=0` on every deployment, so each
failure reaches the engine's retry policy. Its cooldowns stay on, since they only steer: a
deployment that answered 429 is skipped for its `Retry-After` (litellm's default otherwise)
while the others take the calls, and when every deployment is cooling down the Router's
"no deployments available" becomes a retryable 429 that holds back the model's calls.

Keys are read from each deployment's `api_key_env` when the Router is built and live only
in it; every error message is scrubbed of them. Under worker processes each builds its own
Router, so each deployment's `rpm`/`tpm` is divided by `SCAFFOLD_WORKER_COUNT`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
from typing import Any

from scaffold.cells import Completion
from scaffold.providers.base import ModelRequest, ProviderError
from scaffold.providers.litellm_provider import (
    NO_KEY,
    load_litellm,
    api_key_for,
    classify_error,
    completion_from_response,
)
from scaffold.spec.resolved import Model

WORKER_COUNT_ENV = "SCAFFOLD_WORKER_COUNT"
"""How many worker processes share the deployments' limits (1 without workers)."""

NO_DEPLOYMENT_AVAILABLE_S = 1.0
"""How long to hold back when the Router has no deployment out of cooldown and says no time."""


def worker_count() -> int:
    """The number of processes that each build a Router over the same deployments."""
    try:
        return max(1, int(os.environ.get(WORKER_COUNT_ENV, "1")))
    except ValueError:
        return 1


def router_model_list(model: Model, workers: int) -> list[dict[str, Any]]:
    """litellm's `model_list` for `model`'s deployments: one model group named by the model's
    id, each deployment's `model_info.id` its name (the Router reports it as `model_id`)."""
    entries = []
    for deployment in model.deployments:
        params: dict[str, Any] = {"model": deployment.model, "max_retries": 0}
        if deployment.api_base:
            params["api_base"] = deployment.api_base
        if (key := api_key_for(model.answered_by(deployment.name))) is not None:
            params["api_key"] = key
        for limit in ("rpm", "tpm"):
            if (value := getattr(deployment, limit)) is not None:
                params[limit] = max(1, value // workers)
        entries.append({"model_name": model.name, "litellm_params": params, "model_info": {"id": deployment.name}})
    return entries


class RouterProvider:
    """The `Provider` for one model with deployments; builds its Router on the first call."""

    def __init__(self, model: Model):
        self._model = model
        self._router: Any = None
        self._router_loop: asyncio.AbstractEventLoop | None = None
        self._secrets: tuple[str, ...] = ()

    def _build_router(self) -> Any:
        litellm = load_litellm()
        model_list = router_model_list(self._model, worker_count())
        keys = (entry["litellm_params"].get("api_key") for entry in model_list)
        self._secrets = tuple(key for key in keys if key and key != NO_KEY)
        self._router = litellm.Router(
            model_list=model_list,
            routing_strategy="simple-shuffle",
            num_retries=0,
            max_fallbacks=0,
            retry_after=0,
        )
        self._router_loop = asyncio.get_running_loop()
        return self._router

    async def complete(self, request: ModelRequest) -> Completion:
        """Send `request` to one of the model's deployments; raise `ProviderError` (classified,
        naming the deployment that failed) on any failure."""
        # The Router's HTTP clients belong to the event loop they were made in (a run's)
        same_loop = self._router is not None and self._router_loop is asyncio.get_running_loop()
        router = self._router if same_loop else self._build_router()
        try:
            response = await router.acompletion(**request.completion_kwargs(request.model.name))
        except Exception as error:  # every failure becomes a classified ProviderError
            raise self._classified(error, request.timeout_s) from None
        hidden = getattr(response, "_hidden_params", None) or {}
        # The rate-limit headers describe one deployment (or are the Router's own count), not
        # the logical model the engine's limiter paces; the Router's cooldowns act on them.
        return dataclasses.replace(completion_from_response(response), deployment=hidden.get("model_id"))

    def _classified(self, error: Exception, timeout_s: float) -> ProviderError:
        load_litellm()
        from litellm.types.router import RouterRateLimitError

        if isinstance(error, RouterRateLimitError):
            wait = getattr(error, "cooldown_time", None)
            wait = float(wait) if isinstance(wait, (int, float)) and wait > 0 else NO_DEPLOYMENT_AVAILABLE_S
            cooling = f"every deployment of {self._model.name} is cooling down"
            return ProviderError("retryable", f"429 rate limited: {cooling} (retry after {wait:g} s)", status=429, retry_after_s=wait)
        failure = classify_error(error, timeout_s=timeout_s)
        message = str(failure)
        for secret in self._secrets:
            message = message.replace(secret, "***")
        several = len(self._model.deployments) > 1
        return ProviderError(
            failure.kind,
            message,
            status=failure.status,
            # another deployment takes the retry, so one deployment's Retry-After is no floor
            retry_after_s=None if several else failure.retry_after_s,
            deployment=getattr(error, "failed_deployment_id", None),
            pause_model=not several,
        )
