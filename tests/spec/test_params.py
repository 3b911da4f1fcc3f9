"""Model params: the static list `validate` checks against is litellm's own list for OpenAI
models (so it cannot drift), and extra_params reach the provider and the cache key."""

from __future__ import annotations

import json
from pathlib import Path

from typing import get_args

from scaffold.spec.params import MANAGED_PARAMS, OPENAI_PARAMS, ReasoningEffort
from tests.cli.test_run import scaffold
from tests.support.script import Reply, Script

OPENAI_MODELS = ("gpt-4o", "gpt-4.1-mini", "o3-mini", "gpt-5")
"""A chat model, a small one and two reasoning models: together they cover every parameter."""


def test_params_are_the_openai_parameters_litellm_knows() -> None:
    import litellm

    known: set[str] = set()
    for model in OPENAI_MODELS:
        known |= set(litellm.get_supported_openai_params(model=model, custom_llm_provider="openai") or ())
    assert set(OPENAI_PARAMS) | set(MANAGED_PARAMS) == known
    assert not set(OPENAI_PARAMS) & set(MANAGED_PARAMS)


def test_reasoning_effort_takes_the_values_litellm_takes() -> None:
    from litellm.types.llms.openai import REASONING_EFFORT

    assert get_args(ReasoningEffort) == get_args(REASONING_EFFORT)


def _library(root: Path, api_base: str, variant_extra: str) -> None:
    (root / "prompts").mkdir(exist_ok=True)
    (root / "experiments").mkdir(exist_ok=True)
    (root / "prompts" / "p.yaml").write_text(
        "variants:\n"
        "  plain:\n"
        "    user: \"What is {{ a }} + {{ b }}?\"\n"
        "    params: {max_tokens: 8}\n"
        f"    extra_params: {{{variant_extra}}}\n"
    )
    (root / "experiments" / "e.yaml").write_text(
        "variants: [p:plain]\n"
        "models:\n"
        f"  - {{id: stub, model: openai/test-model, api_base: '{api_base}', extra_params: {{min_p: 0.1, top_k: 5}}}}\n"
        "params: {temperature: 0}\n"
        "extra_params: {top_k: 40, repeat_penalty: 1.1}\n"
        "cases: [{id: c1, expected: '3', vars: {a: 1, b: 2}}]\n"
        "checks: [{number: '{{ expected }}'}]\n"
    )


def test_extra_params_reach_the_request_and_the_cache_key(tmp_path, openai_server):
    openai_server.reset(Script(default=lambda request: Reply("3")))
    _library(tmp_path, openai_server.url, "top_k: 9")
    done = scaffold(tmp_path, "run", "e", "--json", OPENAI_API_KEY="sk-local-test")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["cells"]["passed"] == 1
    [request] = openai_server.chat_requests
    # the most specific level wins key by key: variant, then model, then experiment
    sent = {key: request.body.get(key, request.body.get("extra_body", {}).get(key)) for key in
            ("max_tokens", "temperature", "top_k", "min_p", "repeat_penalty")}
    assert sent == {"max_tokens": 8, "temperature": 0, "top_k": 9, "min_p": 0.1, "repeat_penalty": 1.1}

    again = scaffold(tmp_path, "run", "e", "--json", OPENAI_API_KEY="sk-local-test")
    assert again.returncode == 0 and openai_server.request_count == 1  # the same request: from the cache
    _library(tmp_path, openai_server.url, "top_k: 10")
    changed = scaffold(tmp_path, "run", "e", "--json", OPENAI_API_KEY="sk-local-test")
    assert changed.returncode == 0 and openai_server.request_count == 2  # another extra param: another key
