"""The shape of an experiment file (`experiments/NAME.yaml`, DESIGN 1.2)."""

from __future__ import annotations

import datetime
import math
from typing import Any

from pydantic import ConfigDict, Field, field_validator, model_validator

from scaffold.spec.base import Strict
from scaffold.spec.checks import CheckSpec
from scaffold.spec.gates import Gate
from scaffold.spec.params import ExtraParams, ModelParams
from scaffold.spec.prompt_file import ScaffoldSpec


class DeploymentSpec(Strict):
    """One endpoint or key behind a logical model: litellm's Router spreads the model's calls
    over its deployments (by `rpm` when given), and the run records which one answered."""

    id: str | None = None
    """How results name this deployment; default: its `model` (with `#N`, its place in the
    list from 1, when two deployments share a model)."""
    model: str
    """A litellm model string (`openai/gpt-4.1-mini`, `azure/my-deployment`)."""
    api_base: str | None = None
    api_key_env: str | None = None
    """The name of the environment variable that holds this deployment's key."""
    rpm: int | None = Field(None, ge=1)
    """Requests a minute this deployment allows; weighs the routing and paces the sends."""
    tpm: int | None = Field(None, ge=1)
    """Tokens a minute this deployment allows; weighs the routing."""

    @field_validator("model")
    @classmethod
    def _hosted(cls, value: str) -> str:
        if value.startswith("local/"):
            raise ValueError("a local model cannot be a deployment (it runs in this process); list it as a model")
        return value


class ModelSpec(Strict):
    """A model with settings; `id` is how it is named in outputs."""

    id: str | None = None
    model: str | None = None
    """A litellm model string (`openai/gpt-4.1-mini`) or `local/smollm2`."""
    deployments: list[DeploymentSpec] | None = Field(None, min_length=1)
    """Instead of `model`: several keys, endpoints or providers for this one logical model."""
    api_base: str | None = None
    api_key_env: str | None = None
    """The name of the environment variable that holds the key (never the key itself)."""
    params: ModelParams = Field(default_factory=ModelParams)
    """OpenAI-compatible parameters for this model's calls, checked (see spec.params)."""
    extra_params: ExtraParams = Field(default_factory=dict)
    """Provider-specific parameters for this model's calls, sent unchecked."""
    concurrency: int | None = Field(None, ge=1)
    """At most this many calls in flight to this model (the experiment's bound still holds)."""
    batch: bool = False
    """Send the cells of single-call scaffolds through the provider's batch API (`openai/...` models)."""

    @model_validator(mode="after")
    def _model_or_deployments(self) -> "ModelSpec":
        if self.deployments is None:
            if self.model is None:
                raise ValueError("missing key 'model' (or `deployments`)")
            return self
        if self.model is not None:
            raise ValueError("give `model` or `deployments`, not both")
        if self.id is None:
            raise ValueError("a model with `deployments` needs an `id` (how results name it)")
        for key in ("api_base", "api_key_env"):
            if getattr(self, key) is not None:
                raise ValueError(f"`{key}` goes on each deployment of a model with `deployments`")
        names = deployment_names(self.deployments)
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise ValueError(f"two deployments are named '{twice[0]}' (give each its own `id`)")
        return self


def deployment_names(deployments: list[DeploymentSpec]) -> list[str]:
    """Each deployment's name in results: its `id`, else its model (`#N` added, N its place
    from 1, when another deployment has the same model)."""
    models = [deployment.model for deployment in deployments]
    return [
        deployment.id or (deployment.model if models.count(deployment.model) == 1 else f"{deployment.model}#{place}")
        for place, deployment in enumerate(deployments, start=1)
    ]


class CaseSpec(Strict):
    """One case: the vars its templates see, and what the checks expect."""

    id: str | None = None
    vars: dict[str, Any] = Field(default_factory=dict)
    expected: Any = None
    cluster: str | None = None
    tags: list[str] = Field(default_factory=list)
    added: str | None = None
    """The day the case joined the set (`YYYY-MM-DD`), as `scaffold import` stamps it."""

    @field_validator("id", "cluster", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value

    @field_validator("added", mode="before")
    @classmethod
    def _day(cls, value: Any) -> Any:
        if isinstance(value, datetime.date):  # YAML reads an unquoted 2026-01-31 as a date
            return value.isoformat()
        if isinstance(value, str):
            try:
                if len(value) == 10:
                    return datetime.date.fromisoformat(value).isoformat()
            except ValueError:
                pass
            raise ValueError(f"added: a date YYYY-MM-DD, got '{value}'")
        return value


MAX_CASES = 100_000
"""The most cases an experiment may have, from a generator (`n`) or a case file."""


class GenerateSpec(Strict):
    """Cases made by a generator registered in code; other keys are its options."""

    model_config = ConfigDict(extra="allow", frozen=True)

    generate: str
    n: int = Field(20, ge=1, le=MAX_CASES)
    """How many cases to make: at most MAX_CASES (100,000)."""
    seed: int = 0

    @property
    def options(self) -> dict[str, Any]:
        """The generator's own options (everything but `generate`, `n` and `seed`)."""
        return dict(self.model_extra or {})


DEFAULT_MAX_ERRORS = 0.1
"""`limits.max_errors` when not given: a tenth of the run's cells (at least `MIN_ERROR_LIMIT`)."""

MIN_ERROR_LIMIT = 10
"""A fractional `max_errors` never stops a run before this many provider-error cells."""


class Limits(Strict):
    """Bounds on a run."""

    timeout_s: float = Field(60.0, gt=0)
    """Per model call."""
    max_cost_usd: float | None = Field(None, gt=0)
    max_total_tokens: int | None = Field(None, gt=0)
    max_attempts: int = Field(6, ge=1)
    """Attempts per call for retryable provider failures (429, 5xx, timeouts, dropped connections)."""
    max_errors: int | float | None = DEFAULT_MAX_ERRORS
    """Stop the run (exit 3) once this many cells end in provider errors (after their retries):
    a whole number from 1 is a count; a fraction below 1 is that share of the run's cells, and
    never fewer than `MIN_ERROR_LIMIT` (the default, 0.1, is a tenth of the cells, at least 10);
    null: no limit. Check errors stop a run on their own (five from one check, exit 2)."""
    batch_poll_s: float = Field(15.0, gt=0)
    """Batch mode: seconds before the first status poll of a batch; later polls back off
    (x1.5 each) to at most ten times this."""

    @field_validator("max_errors")
    @classmethod
    def _count_or_fraction(cls, value: int | float | None) -> int | float | None:
        if value is None:
            return None
        if value <= 0 or (value >= 1 and value != int(value)):
            raise ValueError("max_errors is a count (1, 2, ...) or a fraction of the cells (0 < f < 1)")
        return int(value) if value >= 1 else value

    def error_limit(self, cells: int) -> int | None:
        """How many provider-error cells stop a run of `cells` cells; None: no number does."""
        if self.max_errors is None:
            return None
        if self.max_errors >= 1:
            return int(self.max_errors)
        return max(MIN_ERROR_LIMIT, math.ceil(self.max_errors * cells))


class Sequential(Strict):
    """Stop the run once every comparison is decided (DESIGN 11): `run --until-decided`."""

    alpha: float = Field(0.05, gt=0, lt=1)
    """The level of the anytime-valid test (Holm across the comparisons)."""
    min_effect: float = Field(0.05, gt=0, lt=1)
    """A comparison is futile ("no difference") once its interval excludes effects this large."""
    min_cases: int = Field(20, ge=1)
    """Paired cases each comparison needs before it may be decided."""
    seed: int = 0
    """Seeds the random order the cases run in."""


class Price(Strict):
    """USD per million tokens, overriding litellm's price map for one model."""

    input_per_mtok: float = Field(ge=0)
    output_per_mtok: float = Field(ge=0)
    cached_input_per_mtok: float | None = Field(None, ge=0)


class Experiment(Strict):
    """An experiment: variants x scaffolds x models x cases, graded by checks."""

    description: str = ""
    variants: list[str] = Field(min_length=1)
    """`FILE:VARIANT` or `FILE:VARIANT@REV`; the first is the baseline."""
    scaffolds: list[str | ScaffoldSpec] = Field(default_factory=lambda: ["single"], min_length=1)
    """A built-in kind (`single`), `FILE:NAME`, or an inline `{id, kind, ...}`."""
    models: list[str | ModelSpec] = Field(default_factory=lambda: ["local/smollm2"], min_length=1)
    cases: str | list[CaseSpec] | GenerateSpec
    """A file (`.jsonl`, `.csv`, `.yaml`) relative to the library, an inline list, or a generator."""
    checks: list[CheckSpec] = Field(default_factory=list)
    threshold: float | None = Field(None, ge=0, le=1)
    """When set, a cell passes when its weighted score reaches this, instead of every check passing."""
    repeats: int = Field(1, ge=1)
    concurrency: int = Field(8, ge=1)
    params: ModelParams = Field(default_factory=ModelParams)
    """OpenAI-compatible parameters for every call, checked; a model's and then a variant's
    params override them key by key."""
    extra_params: ExtraParams = Field(default_factory=dict)
    """Provider-specific parameters for every call, sent unchecked (`extra_params: {top_k: 20}`);
    overridden like params."""
    limits: Limits = Field(default_factory=Limits)
    gates: list[Gate] = Field(default_factory=list)
    prices: dict[str, Price] = Field(default_factory=dict)
    """Keyed by model id (or litellm model string)."""
    judge_model: str | None = None
    sequential: Sequential | None = None
    """Run cases in a seeded random order and stop once every comparison is decided."""
    exclude_cases: str | None = None
    """A file of case ids, one a line, that this experiment leaves out (`scaffold cases --retire`)."""
