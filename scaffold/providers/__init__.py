"""Model providers: litellm for every hosted or OpenAI-compatible model, and the embedded
local model (registered with litellm as a custom provider). Imported lazily."""

from __future__ import annotations

from scaffold.providers.base import ModelRequest, Provider, ProviderError
from scaffold.spec.resolved import Deployment, Model

_litellm_provider: Provider | None = None
_router_providers: dict[tuple[str, tuple[Deployment, ...]], Provider] = {}


def provider_for(model: Model) -> Provider:
    """The provider that sends `model`'s calls: for a model with `deployments`, its own
    litellm Router (one per logical model); else one shared instance (litellm routes by name,
    and `local/...` models are a custom litellm provider registered on first use)."""
    global _litellm_provider
    from scaffold.providers.local import LOCAL_PREFIX, ensure_registered

    if model.deployments:
        routed = _router_providers.get((model.name, model.deployments))
        if routed is None:
            from scaffold.providers.router_provider import RouterProvider

            routed = _router_providers[(model.name, model.deployments)] = RouterProvider(model)
        return routed
    if model.model.startswith(LOCAL_PREFIX):
        ensure_registered()
    if _litellm_provider is None:
        from scaffold.providers.litellm_provider import LitellmProvider

        _litellm_provider = LitellmProvider()
    return _litellm_provider


__all__ = ["ModelRequest", "Provider", "ProviderError", "provider_for"]
