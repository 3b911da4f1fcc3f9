"""The typed `run.json`: one model that the runner writes and every reader reads.

`RunFolder.read_manifest` returns a `RunManifest`; nothing else parses run.json. The field
list is also the documentation's: docs/formats.md describes every field below, and
tests/store/test_formats_doc.py fails when the two differ.

Models accept fields they do not know (a run written by a newer scaffold still reads) and
keep them on rewrite; the tests check that what this version writes has none.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

ManifestStatus = Literal["running", "complete", "interrupted", "stopped"]


class _Record(BaseModel):
    model_config = ConfigDict(extra="allow", defer_build=True)


class GitState(_Record):
    """The library's git state when the run started."""

    commit: str | None = None
    """The commit the library was at; None outside git."""
    dirty: bool | None = None
    """Whether tracked files had changes; None outside git."""


class Versions(_Record):
    """The software that made the run."""

    scaffold: str
    litellm: str | None = None
    """None when litellm is not installed."""
    python: str


class RunSelection(_Record):
    """The narrowing the run was started with (`run`'s flags, the TUI form, the API's
    keywords), recorded so a resume repeats it. Empty lists and None mean "as the experiment says"."""

    models: list[str] = Field(default_factory=list)
    variants: list[str] = Field(default_factory=list)
    limit: int | None = None
    repeats: int | None = None
    concurrency: int | None = None
    tag: str | None = None
    """Only the cases with this tag (`--tag`)."""
    batch: bool = False
    """`--batch`: every model that supports it runs its single-call cells in batch mode."""
    shard: str | None = None
    """Only this shard's cells, `I/N` (`--shard`; `auto/N` is recorded as the I it resolved to)."""

    def narrowing(self) -> dict[str, Any]:
        """The keywords of `engine.plan.narrow`."""
        return {
            "models": self.models, "variants": self.variants, "limit": self.limit,
            "repeats": self.repeats, "concurrency": self.concurrency, "tag": self.tag, "shard": self.shard,
        }


class ShardRecord(_Record):
    """Which shard of the experiment's cells a `--shard I/N` run holds."""

    index: int
    """I, from 1."""
    count: int
    """N."""
    cells: int
    """The cells of the plan that fall in this shard."""


class VariantRecord(_Record):
    """A variant as it ran."""

    ref: str
    """Its name in outputs: `arith:xml`, `arith:xml@main`."""
    file: str
    """The prompt file inside prompts/, without `.yaml`."""
    name: str
    rev: str | None = None
    """The git revision it was loaded at (`@REV`), None for the work tree."""
    params: dict[str, Any] = Field(default_factory=dict)
    """Model parameters the variant sets."""


class ScaffoldRecord(_Record):
    """A scaffold as it ran: its name and kind; its other settings (by kind) are kept as extra fields."""

    ref: str
    kind: str


class DeploymentRecord(_Record):
    """One deployment of a model with `deployments:` (its key named by variable, never copied)."""

    name: str
    """How `results.jsonl` names it (`calls[].deployment`)."""
    model: str
    api_base: str | None = None
    api_key_env: str | None = None
    rpm: int | None = None
    tpm: int | None = None


class ModelRecord(_Record):
    """A model as it ran (its API key named by variable, never copied)."""

    name: str
    """Its id in outputs."""
    model: str
    """The litellm model string (`openai/gpt-4.1-mini`, `local/smollm2`)."""
    api_base: str | None = None
    api_key_env: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    batch: bool = False
    """Whether its single-call cells went through the provider's batch API."""
    deployments: list[DeploymentRecord] = Field(default_factory=list)
    """The deployments litellm's Router spread its calls over; empty for a plain model."""


class ResolvedRecord(_Record):
    """The experiment as it ran, every reference resolved."""

    name: str
    path: str
    description: str = ""
    variants: list[VariantRecord] = Field(default_factory=list)
    """Baseline first."""
    scaffolds: list[ScaffoldRecord] = Field(default_factory=list)
    models: list[ModelRecord] = Field(default_factory=list)
    cases: int = 0
    """How many cases (after `limit`)."""
    case_ids: list[str] = Field(default_factory=list)
    checks: list[dict[str, Any]] = Field(default_factory=list)
    """Each check as validated: `type`, `weight`, its value and options."""
    threshold: float | None = None
    repeats: int = 1
    concurrency: int = 1
    params: dict[str, Any] = Field(default_factory=dict)
    """Model parameters of the experiment."""
    limits: dict[str, Any] = Field(default_factory=dict)
    """The experiment's `limits:` with defaults filled in."""
    gates: list[dict[str, Any]] = Field(default_factory=list)
    """Each gate as validated (re-parsed by reports)."""
    judge_model: str | None = None
    case_clusters: dict[str, str] = Field(default_factory=dict)
    """{case id: cluster} for the cases that have one (clustered intervals in diffs)."""
    case_tags: dict[str, list[str]] = Field(default_factory=dict)
    """{case id: its tags} for the cases that have any (`--by tag`, the TUI's tag grouping)."""
    case_added: dict[str, str] = Field(default_factory=dict)
    """{case id: YYYY-MM-DD} for the cases that carry `added:` (`scaffold cases` shows their age)."""
    sequential: dict[str, Any] | None = None
    """The `sequential:` settings (`alpha`, `min_effect`, `min_cases`, `seed`) of a
    `--until-decided` run; None for a fixed-n run."""

    @property
    def planned_cells(self) -> int | None:
        """variants x scaffolds x models x cases x repeats; None when the record lists none."""
        if not (self.variants and self.scaffolds and self.models):
            return None
        return len(self.variants) * len(self.scaffolds) * len(self.models) * self.cases * self.repeats


class CellCounts(_Record):
    """How the run's cells ended."""

    total: int
    passed: int
    failed: int
    errors: int


class UsageTotals(_Record):
    """Tokens as providers reported them; `cached` is part of `input`, `reasoning` of `output`."""

    input: int = 0
    output: int = 0
    reasoning: int = 0
    cached: int = 0
    total: int = 0
    """input + output."""


class TokenTotals(UsageTotals):
    """A group's candidate tokens, with the means the summary shows."""

    mean_per_cell: float | None = None
    per_pass: float | None = None
    """Total tokens over passed cells; None when none passed."""


class LatencySummary(_Record):
    """Seconds spent in a cell's candidate calls, over the group's cells."""

    p50: float | None = None
    p95: float | None = None


class GroupRecord(_Record):
    """One group's numbers: an element of `groups` in run.json and in `scaffold run --json`."""

    variant: str
    scaffold: str
    model: str
    n: int
    """Cells: passed + failed + errors."""
    passed: int
    failed: int
    errors: int
    pass_rate: float | None
    """Passed over graded cells (errors excluded); None when none was graded."""
    ci95: tuple[float, float] | None
    """Wilson 95% interval of `pass_rate`."""
    tokens: TokenTotals
    calls: int
    """Candidate model calls."""
    cost_usd: float | None
    """None when some call had no known price (never 0 by guess)."""
    latency_s: LatencySummary
    pass_at_k: float | None = None
    """Unbiased pass@k with k = repeats (None when repeats is 1)."""
    pass_all_k: float | None = None
    """pass^k: the share of cases whose every sample passed (None when repeats is 1)."""
    turns_per_cell: float | None = None
    tool_calls_per_cell: float | None = None
    tool_errors: int = 0
    """Tool calls that failed in the group's cells (injected faults and tool exceptions)."""
    recovery_rate: float | None = None
    """Of the cells with a tool error, the share where every failing tool later succeeded;
    None when no cell had one."""
    judge_tokens: UsageTotals | None = None
    """Tokens the `judge` checks spent, apart from the candidate's; left out when none."""

    @model_serializer(mode="wrap")
    def _leave_out_absent_judge(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if data.get("judge_tokens") is None:
            data.pop("judge_tokens", None)
        return data


class RunManifest(_Record):
    """`run.json`: what a run is, where its prompts came from, and (once it ended) its totals."""

    run_id: str
    experiment: str
    """The experiment's name."""
    status: ManifestStatus
    """`running` until the run ends (or is killed): then `complete`, `interrupted` or `stopped`."""
    created_at: float
    """Unix time the run started."""
    finished_at: float | None = None
    """Unix time the run (or its last resume) ended."""
    resumed_at: float | None = None
    """Unix time of the last resume."""
    stop_reason: str | None = None
    """Why an interrupted or stopped run ended."""
    options: RunSelection = Field(default_factory=RunSelection)
    git: GitState = Field(default_factory=GitState)
    prompt_hashes: dict[str, str] = Field(default_factory=dict)
    """{prompt file: sha256 of its content} for every prompt file used."""
    variant_revisions: dict[str, str | None] = Field(default_factory=dict)
    """{variant ref: the commit its `@REV` resolved to} (None for the work tree)."""
    versions: Versions | None = None
    resolved: ResolvedRecord
    cells: CellCounts | None = None
    """Written when the run ends; None while it runs or after a kill."""
    groups: list[GroupRecord] | None = None
    """Per-group numbers, written when the run ends."""
    sequential: dict[str, Any] | None = None
    """For a `--until-decided` run, where it stopped and what that saved (DESIGN 11's
    `run --json` `sequential` block), written when the run ends."""
    experiment_hash: str | None = None
    """sha256 of the resolved experiment's content (engine/shards.py): runs that may merge share it."""
    shard: ShardRecord | None = None
    """For a `--shard I/N` run, which shard it holds; None for a whole run."""
    merged_from: list[str] | None = None
    """For a run `scaffold merge` wrote, the run ids it was merged from, in the order given."""

    @property
    def planned_cells(self) -> int | None:
        """The cells this run was planned to have: its shard's share, or the whole plan."""
        return self.shard.cells if self.shard is not None else self.resolved.planned_cells

    def to_json(self) -> dict[str, Any]:
        """The JSON text's content."""
        return self.model_dump(mode="json")
