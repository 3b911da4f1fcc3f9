"""Model parameters as a prompt library writes them: `params:` and `extra_params:`.

`params` takes the OpenAI-compatible chat parameters that litellm translates for every
provider, each checked against its range, so a typo (`max_tokenz`) or an impossible value
(`max_tokens: -5`) is a problem at its line instead of a request the provider refuses or,
worse, silently ignores. The list is static, so `validate` never imports litellm; a test holds
it equal to litellm's own list for OpenAI models. Anything provider-specific (llama.cpp's
`top_k`, a vLLM sampling option, Anthropic's `top_k`) goes under `extra_params`, which is passed
to litellm unchecked. Both may appear where params may: the experiment, a model, a variant.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field

from scaffold.spec.base import Strict
from scaffold.spec.errors import did_you_mean

MANAGED_PARAMS: dict[str, str] = {
    "tools": "tools come from the scaffold (`tools:` of a tool_loop or python scaffold)",
    "functions": "tools come from the scaffold (`tools:` of a tool_loop or python scaffold)",
    "function_call": "tools come from the scaffold (`tools:` of a tool_loop or python scaffold)",
    "stream": "scaffold reads whole responses; streaming is not supported",
    "stream_options": "scaffold reads whole responses; streaming is not supported",
    "max_retries": "retries are the run's: set `limits.max_attempts`",
    "extra_headers": "headers are not kept in a library (they may hold keys); give a model `api_key_env`",
}
"""OpenAI parameters litellm knows that scaffold sets itself, with what to write instead."""

TRANSPORT_PARAMS: dict[str, str] = {
    "api_key": "a key never goes in a file: give the model `api_key_env: VARIABLE`",
    "api_base": "give the model `api_base:` (a model entry with `model:` and `api_base:`)",
    "base_url": "give the model `api_base:` (a model entry with `model:` and `api_base:`)",
    "timeout": "set `limits.timeout_s`",
    "request_timeout": "set `limits.timeout_s`",
    "model": "models are listed under `models:`",
    "messages": "messages come from the variant",
}
"""Call settings that are not model parameters but are often written as if they were."""

_ELSEWHERE = {**MANAGED_PARAMS, **TRANSPORT_PARAMS}


def _elsewhere(key: str) -> str:
    return f"'{key}' is not a model parameter here: {_ELSEWHERE[key]}"


ReasoningEffort = Literal["none", "minimal", "low", "medium", "high", "xhigh", "max"]
"""litellm's `REASONING_EFFORT` values."""


class ModelParams(Strict):
    """OpenAI-compatible chat parameters (DESIGN 1.1: `params: {max_tokens: 64, reasoning_effort: low}`).
    Every field is optional; only those given are sent. A provider that cannot honour one
    refuses the call, and the cell is an error, never a model's failure."""

    temperature: float | None = Field(None, ge=0, le=2)
    """Sampling temperature, 0 (greedy) to 2."""
    top_p: float | None = Field(None, ge=0, le=1)
    """Nucleus sampling: the probability mass sampled from, 0 to 1."""
    n: int | None = Field(None, ge=1)
    """Choices per call; scaffold grades the first."""
    max_tokens: int | None = Field(None, ge=1)
    """Upper bound on the answer's tokens, at least 1."""
    max_completion_tokens: int | None = Field(None, ge=1)
    """Upper bound on answer plus reasoning tokens (reasoning models), at least 1."""
    presence_penalty: float | None = Field(None, ge=-2, le=2)
    """-2 to 2."""
    frequency_penalty: float | None = Field(None, ge=-2, le=2)
    """-2 to 2."""
    seed: int | None = None
    """Sampling seed, for providers that honour one."""
    stop: str | list[str] | None = None
    """A string, or a list of strings, that ends the answer."""
    logit_bias: dict[str, Annotated[float, Field(ge=-100, le=100)]] | None = None
    """Token id -> bias, -100 to 100."""
    logprobs: bool | None = None
    top_logprobs: int | None = Field(None, ge=0, le=20)
    """How many likely tokens to return per position, 0 to 20 (needs logprobs)."""
    response_format: dict[str, Any] | None = None
    """`{type: json_object}` or `{type: json_schema, json_schema: {...}}`."""
    reasoning_effort: ReasoningEffort | None = None
    """How hard a reasoning model thinks: none, minimal, low, medium, high, xhigh or max."""
    verbosity: Literal["low", "medium", "high"] | None = None
    user: str | None = None
    """An end-user id the provider may log."""
    parallel_tool_calls: bool | None = None
    tool_choice: str | dict[str, Any] | None = None
    """`auto`, `none`, `required`, or a named tool; the tools themselves come from the scaffold."""
    modalities: list[str] | None = None
    audio: dict[str, Any] | None = None
    prediction: dict[str, Any] | None = None
    web_search_options: dict[str, Any] | None = None
    service_tier: str | None = None
    store: bool | None = None
    safety_identifier: str | None = None
    prompt_cache_key: str | None = None
    prompt_cache_retention: str | None = None

    @classmethod
    def unknown_key_message(cls, key: str) -> str:
        """What to say about a key that is not a field here (used by spec.problems)."""
        if key in _ELSEWHERE:
            return _elsewhere(key)
        hint = did_you_mean(key, OPENAI_PARAMS)
        return f"unknown model parameter '{key}'{hint}; a provider-specific one goes under `extra_params:`, sent unchecked"

    def given(self) -> dict[str, Any]:
        """The parameters written, as sent to litellm (an explicit null is kept: it unsets an
        inherited value)."""
        return self.model_dump(exclude_unset=True)


OPENAI_PARAMS: tuple[str, ...] = tuple(ModelParams.model_fields)
"""The OpenAI-compatible parameters `params:` takes."""


def _not_checked_ones(extra: dict[str, Any]) -> dict[str, Any]:
    for key in extra:
        if key in OPENAI_PARAMS:
            raise ValueError(f"'{key}' is an OpenAI parameter: put it under `params:`, where its value is checked")
        if key in _ELSEWHERE:
            raise ValueError(_elsewhere(key))
    return extra


ExtraParams = Annotated[dict[str, Any], AfterValidator(_not_checked_ones)]
"""Provider-specific parameters, passed to litellm as written (`extra_params: {top_k: 20}`)."""


def merged_params(params: ModelParams, extra_params: dict[str, Any]) -> dict[str, Any]:
    """What one level (experiment, model or variant) sends: its params, then its extra_params."""
    return {**params.given(), **extra_params}
