"""What a validated experiment resolves to: the values the engine runs.

The YAML shapes (`prompt_file`, `experiment`) say what a user wrote; these say what it
means once `extends` chains, file references, case files and generators are resolved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scaffold.spec.errors import Position

if TYPE_CHECKING:  # the check and scaffold modules import this one while their unions are built
    from scaffold.spec.checks import CheckSpec
    from scaffold.spec.experiment import Limits, Price, Sequential
    from scaffold.spec.gates import Gate
    from scaffold.spec.prompt_file import ScaffoldSpec


@dataclass(frozen=True)
class MessageTemplate:
    """One message of a variant before rendering; `source` is where its text was written."""

    role: str
    template: str
    source: Position


@dataclass(frozen=True)
class Variant:
    """A prompt variant with its `extends` chain flattened."""

    ref: str
    """How experiments and outputs name it: `arith:xml`, or `arith:xml@main`."""
    file: str
    """The prompt file's name inside `prompts/` without `.yaml` (`arith`)."""
    name: str
    rev: str | None
    messages: tuple[MessageTemplate, ...]
    params: dict[str, Any]
    position: Position
    description: str = ""


@dataclass(frozen=True)
class Scaffold:
    """How a model is driven to an answer; `ref` is its name in outputs."""

    ref: str
    spec: ScaffoldSpec


@dataclass(frozen=True)
class Deployment:
    """One endpoint or key behind a logical model (`deployments:`); `name` is how the run
    folder says it answered a call."""

    name: str
    model: str
    api_base: str | None = None
    api_key_env: str | None = None
    rpm: int | None = None
    tpm: int | None = None


@dataclass(frozen=True)
class Model:
    """A model to call; `name` is its id in outputs, `model` the litellm string (for a model
    with `deployments`, its first deployment's, which names its provider in messages)."""

    name: str
    model: str
    api_base: str | None = None
    api_key_env: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    concurrency: int | None = None
    batch: bool = False
    """Single-call cells go through the provider's batch API (engine/batch.py)."""
    deployments: tuple[Deployment, ...] = ()
    """When set, calls go through litellm's Router over these (providers/router_provider.py)."""

    @property
    def requests_per_minute(self) -> float | None:
        """The sum of the deployments' `rpm`, when every deployment has one: the pace to send at."""
        rates = [deployment.rpm for deployment in self.deployments]
        return float(sum(rates)) if rates and None not in rates else None  # type: ignore[arg-type]

    @property
    def cache_identity(self) -> tuple[str, str | None]:
        """What the response cache keys this model's calls by (model, endpoint). A model with
        deployments is one logical model whichever deployment answers: keyed by the litellm
        models it routes over, not by keys or endpoints."""
        if not self.deployments:
            return self.model, self.api_base
        return "deployments:" + ",".join(sorted({deployment.model for deployment in self.deployments})), None

    def answered_by(self, deployment_name: str | None) -> "Model":
        """This model as the deployment named `deployment_name` (for its price); itself when
        there is no such deployment. The id stays the logical model's."""
        for deployment in self.deployments:
            if deployment.name == deployment_name:
                return Model(self.name, deployment.model, deployment.api_base, deployment.api_key_env, self.params)
        return self

    @property
    def supports_batch(self) -> bool:
        """Whether litellm's files and batches calls reach this model: OpenAI and
        OpenAI-compatible endpoints (`openai/...`)."""
        return self.model.startswith(BATCH_PREFIX) and not self.deployments  # a Router has no batch API


BATCH_PREFIX = "openai/"
"""The model strings batch mode serves (litellm's `openai` provider, any `api_base`)."""


@dataclass(frozen=True)
class Case:
    """One case; `id` is given or a stable hash of `vars`."""

    id: str
    vars: dict[str, Any]
    expected: Any = None
    cluster: str | None = None
    tags: tuple[str, ...] = ()
    added: str | None = None
    """`YYYY-MM-DD`: when the case joined the eval."""

    def template_context(self) -> dict[str, Any]:
        """What check templates see: the vars plus `expected` and `id`."""
        return {**self.vars, "expected": self.expected, "id": self.id}


@dataclass(frozen=True, slots=True)
class Shard:
    """Shard `index` (1-based) of `count`: the cells whose stable key hash mod `count` is `index - 1`."""

    index: int
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


@dataclass(frozen=True)
class ResolvedExperiment:
    """An experiment ready to run: every reference resolved, every case loaded."""

    name: str
    path: Path
    root: Path
    """The library folder (holds `prompts/`, `experiments/`, `.scaffold/`)."""
    description: str
    variants: tuple[Variant, ...]
    scaffolds: tuple[Scaffold, ...]
    models: tuple[Model, ...]
    cases: tuple[Case, ...]
    checks: tuple[CheckSpec, ...]
    threshold: float | None
    repeats: int
    concurrency: int
    params: dict[str, Any]
    limits: Limits
    gates: tuple[Gate, ...]
    prices: dict[str, Price]
    judge_model: str | None
    prompt_hashes: dict[str, str] = field(default_factory=dict)
    """sha256 of every prompt file (and include) used, keyed by its path in the library."""
    variant_revisions: dict[str, str | None] = field(default_factory=dict)
    """For each variant ref, the git revision it was loaded from (None: the work tree)."""
    check_positions: tuple[Position, ...] = ()
    """Where each of `checks` was written (the experiment file's line of its entry), by
    position in `checks`; a run names a check that cannot run by this place."""

    def check_position(self, index: int) -> Position:
        """Where check `index` was written, or the experiment file when that is not known."""
        if index < len(self.check_positions):
            return self.check_positions[index]
        return Position(str(self.path))
    sequential: Sequential | None = None
    """When set, the run stops once every comparison is decided (engine/sequential_schedule.py)."""
    shard: Shard | None = None
    """When set, the run has only this shard's cells (`run --shard I/N`, engine/shards.py)."""
