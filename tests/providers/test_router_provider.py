"""The pieces of a model with `deployments:` that need no server: what the spec resolves to,
the Router's model list, the cache identity, and how the Router's own refusal is classified."""

from __future__ import annotations

from pathlib import Path

from scaffold.providers import provider_for
from scaffold.providers.litellm_provider import NO_KEY
from scaffold.providers.router_provider import RouterProvider, router_model_list, worker_count
from scaffold.spec.library import load_experiment
from scaffold.spec.resolved import Deployment, Model
from tests.engine.library import write_library

TWO_KEYS = """\
variants: [arith:plain]
models:
  - id: gpt
    concurrency: 6
    deployments:
      - {model: openai/gpt-4.1-mini, api_key_env: DEPLOY_KEY_A, rpm: 500, tpm: 90000}
      - {model: openai/gpt-4.1-mini, api_key_env: DEPLOY_KEY_B, rpm: 300}
      - {model: azure/gpt-4.1-mini, api_base: "https://example.invalid/openai"}
cases: data/cases.jsonl
"""


def _routed(tmp_path: Path) -> Model:
    write_library(tmp_path, "http://127.0.0.1:9/v1")
    (tmp_path / "experiments" / "two_keys.yaml").write_text(TWO_KEYS)
    (model,) = load_experiment("two_keys", tmp_path).models
    return model


def test_deployments_resolve_with_stable_names_and_the_first_model_string(tmp_path):
    model = _routed(tmp_path)
    assert (model.name, model.model, model.api_base, model.concurrency) == ("gpt", "openai/gpt-4.1-mini", None, 6)
    assert model.deployments == (
        Deployment("openai/gpt-4.1-mini#1", "openai/gpt-4.1-mini", None, "DEPLOY_KEY_A", 500, 90000),
        Deployment("openai/gpt-4.1-mini#2", "openai/gpt-4.1-mini", None, "DEPLOY_KEY_B", 300, None),
        Deployment("azure/gpt-4.1-mini", "azure/gpt-4.1-mini", "https://example.invalid/openai", None, None, None),
    )
    assert model.requests_per_minute is None  # one deployment has no rpm: no pace to keep
    assert model.answered_by("azure/gpt-4.1-mini").model == "azure/gpt-4.1-mini"
    assert model.answered_by("azure/gpt-4.1-mini").name == "gpt"
    assert model.answered_by(None) is model


def test_the_router_gets_each_deployments_key_and_its_share_of_the_limits(tmp_path, monkeypatch):
    monkeypatch.setenv("DEPLOY_KEY_A", "key-a")
    monkeypatch.delenv("DEPLOY_KEY_B", raising=False)
    entries = router_model_list(_routed(tmp_path), workers=4)
    assert [entry["model_name"] for entry in entries] == ["gpt", "gpt", "gpt"]
    assert [entry["model_info"]["id"] for entry in entries] == [
        "openai/gpt-4.1-mini#1", "openai/gpt-4.1-mini#2", "azure/gpt-4.1-mini",
    ]
    first, second, third = (entry["litellm_params"] for entry in entries)
    assert first == {"model": "openai/gpt-4.1-mini", "max_retries": 0, "api_key": "key-a", "rpm": 125, "tpm": 22500}
    assert second == {"model": "openai/gpt-4.1-mini", "max_retries": 0, "rpm": 75}  # litellm looks up its own key
    assert third == {"model": "azure/gpt-4.1-mini", "max_retries": 0, "api_base": "https://example.invalid/openai"}


def test_an_openai_deployment_at_a_custom_endpoint_without_a_key_sends_the_placeholder(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    model = Model("m", "openai/x", deployments=(Deployment("local", "openai/x", "http://127.0.0.1:9/v1"),))
    (entry,) = router_model_list(model, workers=1)
    assert entry["litellm_params"]["api_key"] == NO_KEY


def test_the_worker_count_comes_from_the_environment_and_is_at_least_one(monkeypatch):
    monkeypatch.setenv("SCAFFOLD_WORKER_COUNT", "3")
    assert worker_count() == 3
    for unusable in ("0", "many"):
        monkeypatch.setenv("SCAFFOLD_WORKER_COUNT", unusable)
        assert worker_count() == 1
    monkeypatch.delenv("SCAFFOLD_WORKER_COUNT")
    assert worker_count() == 1


def test_the_cache_keys_a_routed_model_by_the_models_it_routes_over(tmp_path):
    model = _routed(tmp_path)
    reordered = Model("other", "azure/gpt-4.1-mini", deployments=tuple(reversed(model.deployments)))
    assert model.cache_identity == reordered.cache_identity == ("deployments:azure/gpt-4.1-mini,openai/gpt-4.1-mini", None)
    plain = Model("gpt", "openai/gpt-4.1-mini")
    assert plain.cache_identity == ("openai/gpt-4.1-mini", None) != model.cache_identity


def test_a_dead_endpoint_message_names_the_deployments_not_one_provider(tmp_path):
    from scaffold.engine.circuit import endpoint_of

    assert endpoint_of(_routed(tmp_path)) == "its 3 deployments"


def test_each_logical_model_gets_its_own_router_provider(tmp_path):
    model = _routed(tmp_path)
    provider = provider_for(model)
    assert isinstance(provider, RouterProvider) and provider_for(model) is provider
    assert not isinstance(provider_for(Model("plain", "openai/x")), RouterProvider)


def test_no_deployment_out_of_cooldown_is_a_retryable_429_that_holds_the_model_back(tmp_path):
    from litellm.types.router import RouterRateLimitError

    provider = RouterProvider(_routed(tmp_path))
    refusal = RouterRateLimitError(model="gpt", cooldown_time=4.0, enable_pre_call_checks=False, cooldown_list=["a"])
    error = provider._classified(refusal, timeout_s=5.0)
    assert (error.kind, error.status, error.retry_after_s, error.pause_model) == ("retryable", 429, 4.0, True)
    assert str(error) == "429 rate limited: every deployment of gpt is cooling down (retry after 4 s)"
