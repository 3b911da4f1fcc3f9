"""A vs B on the same cases (DESIGN 4): the numbers of the diff view, as data.

The pass-rate difference comes with a 95% interval from the paired per-case differences
(cluster-robust when cases carry a `cluster`, unless the plain interval is wider: with
few clusters the robust error can collapse to zero) and McNemar's mid-p from the discordant
cases; with repeats, per-case scores are means and p comes from the paired t statistic.
Tokens compare by the relative difference of per-case means with a paired bootstrap
interval. A difference that is not significant is never called a win: the verdict says
how many cases would be needed to detect it instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable, Literal, Sequence

from scaffold.cells import CellResult, GroupKey
from scaffold.compare.pairing import CaseTally, PairedCases, pair_cases
from scaffold.stats import (
    cases_needed,
    holm_adjust,
    mcnemar_mid_p,
    paired_bootstrap_relative_delta,
    paired_difference,
    percentile,
    student_t_cdf,
)

ALPHA = 0.05


@dataclass(frozen=True)
class Side:
    """One side of a comparison: a group of one run."""

    run_id: str
    variant: str
    scaffold: str
    model: str

    @property
    def group(self) -> GroupKey:
        """The group this side names (within its run)."""
        return GroupKey(self.variant, self.scaffold, self.model)

    def to_json(self) -> dict[str, str]:
        return {"run_id": self.run_id, "variant": self.variant, "scaffold": self.scaffold, "model": self.model}


@dataclass(frozen=True)
class SideStats:
    """One side's numbers on the cases both sides graded (errored samples left out)."""

    pass_rate: float | None
    """The mean per-case score (a case's pass rate over its graded samples)."""
    tokens_mean: float | None
    """The mean over cases of a case's mean tokens per sample."""
    tokens_per_pass: float | None
    """Every token of the paired cases over their passes; None without a pass."""
    cost_usd: float | None
    """What the paired cases cost; None when any call had no known price."""
    latency_p50: float | None
    """The median latency of the paired cases' samples."""
    turns_per_cell: float | None
    """Model calls per graded cell (1 for `single`)."""
    tool_calls_per_cell: float | None
    """Tool calls (submit included) per graded cell."""
    recovery_rate: float | None = None
    """Of the graded cells where a tool failed, the share where it later succeeded; None when
    no tool failed (DESIGN 9)."""

    @classmethod
    def of(cls, cases: Sequence[CaseTally]) -> "SideStats":
        """The numbers of one side's tallies of the paired cases."""
        samples = sum(case.samples for case in cases)
        passes = sum(case.passes for case in cases)
        failed, recovered = sum(case.tool_failed for case in cases), sum(case.recovered for case in cases)
        latencies = [latency for case in cases for latency in case.latencies]
        return cls(
            pass_rate=_mean([case.score for case in cases]),
            tokens_mean=_mean([case.mean_tokens for case in cases]),
            tokens_per_pass=sum(case.tokens for case in cases) / passes if passes else None,
            cost_usd=_total_cost(case.cost_usd for case in cases),
            latency_p50=percentile(latencies, 50) if latencies else None,
            turns_per_cell=sum(case.turns for case in cases) / samples if samples else None,
            tool_calls_per_cell=sum(case.tool_calls for case in cases) / samples if samples else None,
            recovery_rate=recovered / failed if failed else None,
        )


@dataclass
class Comparison:
    """Every number of one A vs B comparison; `to_json` is DESIGN 2.1's diff shape."""

    a: Side
    b: Side
    a_stats: SideStats
    """A's numbers on the paired cases."""
    b_stats: SideStats
    paired_n: int
    delta: float | None
    """B's pass rate minus A's, from the paired per-case differences."""
    ci95: tuple[float, float] | None
    p_value: float | None
    b_only: list[str]
    """The cases B passes more often than A (B fixed them), by case id."""
    a_only: list[str]
    tokens_delta_pct: float | None
    """B's tokens relative to A's, in percent (paired bootstrap)."""
    tokens_ci95_pct: tuple[float, float] | None
    cases_needed: int | None
    paired: PairedCases
    p_value_holm: float | None = None
    """Holm-adjusted p when one baseline is compared with several variants (see apply_holm)."""
    sequential: bool = False
    """p and ci95 come from the anytime-valid test of a `--until-decided` run (compare/sequential_view.py)."""

    @property
    def has_recovery(self) -> bool:
        """Whether a tool failed on either side (then the diff shows the recovery rates)."""
        return self.a_stats.recovery_rate is not None or self.b_stats.recovery_rate is not None

    @property
    def agentic(self) -> bool:
        """Whether either side took more than one turn or called a tool (so turns matter)."""
        sides = (self.a_stats, self.b_stats)
        turns = max(side.turns_per_cell or 0.0 for side in sides)
        return turns > 1 or max(side.tool_calls_per_cell or 0.0 for side in sides) > 0

    @property
    def significant(self) -> bool:
        p = self.p_value_holm if self.p_value_holm is not None else self.p_value
        return p is not None and p < ALPHA

    @property
    def verdict(self) -> str:
        return verdict(self)

    def to_json(self) -> dict[str, Any]:
        a, b = self.a_stats, self.b_stats
        data: dict[str, Any] = {
            "a": self.a.to_json(),
            "b": self.b.to_json(),
            "paired_n": self.paired_n,
            "pass_rate": {
                "a": _round(a.pass_rate),
                "b": _round(b.pass_rate),
                "delta": _round(self.delta),
                "ci95": _round_pair(self.ci95),
                "p_value": _round(self.p_value, 6),
                "b_only": len(self.b_only),
                "a_only": len(self.a_only),
            },
            "tokens": {
                "a_mean": _round(a.tokens_mean, 2),
                "b_mean": _round(b.tokens_mean, 2),
                "delta_pct": _round(self.tokens_delta_pct, 2),
                "ci95_pct": _round_pair(self.tokens_ci95_pct, 2),
                "a_per_pass": _round(a.tokens_per_pass, 2),
                "b_per_pass": _round(b.tokens_per_pass, 2),
            },
            "cost_usd": {"a": _round(a.cost_usd, 6), "b": _round(b.cost_usd, 6)},
            "latency_s": {"a_p50": _round(a.latency_p50, 3), "b_p50": _round(b.latency_p50, 3)},
            "flips": {"b_only": self.b_only, "a_only": self.a_only},
            "verdict": self.verdict,
        }
        if self.p_value_holm is not None:
            data["pass_rate"]["p_value_holm"] = _round(self.p_value_holm, 6)
        if self.sequential:
            data["pass_rate"]["method"] = "sequential"
        if self.cases_needed is not None:
            data["cases_needed"] = self.cases_needed
        if self.agentic:
            data["turns"] = {"a_per_cell": _round(a.turns_per_cell, 3), "b_per_cell": _round(b.turns_per_cell, 3)}
            data["tool_calls"] = {
                "a_per_cell": _round(a.tool_calls_per_cell, 3),
                "b_per_cell": _round(b.tool_calls_per_cell, 3),
            }
        if self.has_recovery:
            data["recovery_rate"] = {"a": _round(a.recovery_rate), "b": _round(b.recovery_rate)}
        return data


@dataclass(frozen=True)
class FlippedCase:
    """A case one side passes more often than the other, with a sample of each side."""

    case_id: str
    better: Literal["a", "b"]
    """The side with the higher score on this case."""
    score_a: float
    """A's pass rate on the case (0 or 1 without repeats)."""
    score_b: float
    example_a: CellResult | None
    """A's first graded sample of the case, for its output."""
    example_b: CellResult | None


def flipped_cases(comparison: "Comparison") -> list[FlippedCase]:
    """The cases B fixed (`better == "b"`) then those B broke, in A's case order."""
    paired = comparison.paired
    by_case = {case_id: (a, b) for case_id, a, b in zip(paired.case_ids, paired.a, paired.b)}
    flips = []
    for better, case_ids in (("b", comparison.b_only), ("a", comparison.a_only)):
        for case_id in case_ids:
            a, b = by_case[case_id]
            flips.append(FlippedCase(case_id, better, a.score, b.score, a.example, b.example))  # type: ignore[arg-type]
    return flips


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def _round_pair(pair: tuple[float, float] | None, digits: int = 4) -> list[float] | None:
    return None if pair is None else [round(pair[0], digits), round(pair[1], digits)]


def _mean(values: Sequence[float]) -> float | None:
    return math.fsum(values) / len(values) if values else None


def _total_cost(costs: Iterable[float | None]) -> float | None:
    total = 0.0
    for cost in costs:
        if cost is None:
            return None
        total += cost
    return total


def compare(
    a: Side,
    a_results: Iterable[CellResult],
    b: Side,
    b_results: Iterable[CellResult],
    clusters: dict[str, str] | None = None,
) -> Comparison:
    """Compare two groups on the cases both graded."""
    paired = pair_cases(a_results, b_results)
    scores_a = [case.score for case in paired.a]
    scores_b = [case.score for case in paired.b]
    n = len(paired.case_ids)
    b_only = [case for case, sa, sb in zip(paired.case_ids, scores_a, scores_b) if sb > sa]
    a_only = [case for case, sa, sb in zip(paired.case_ids, scores_a, scores_b) if sa > sb]
    a_stats, b_stats = SideStats.of(paired.a), SideStats.of(paired.b)
    difference = ci95 = p_value = needed = None
    if n:
        difference = paired_difference(scores_a, scores_b)
        if clusters:
            clustered = paired_difference(scores_a, scores_b, [clusters.get(case) for case in paired.case_ids])
            # With few clusters the cluster-robust error can come out smaller than the plain
            # one (even zero); the wider interval is the honest one.
            if clustered.ci_high - clustered.ci_low > difference.ci_high - difference.ci_low:
                difference = clustered
        ci95 = (difference.ci_low, difference.ci_high)
        repeated = any(case.samples > 1 for case in paired.a + paired.b)
        p_value = _paired_t_p(difference) if repeated else mcnemar_mid_p(len(b_only), len(a_only))
        mean_a, mean_b = a_stats.pass_rate, b_stats.pass_rate
        if mean_a is not None and mean_b is not None and mean_a != mean_b:
            needed = cases_needed(mean_a, mean_b, discordant_rate=(len(b_only) + len(a_only)) / n)
    tokens_a = [case.mean_tokens for case in paired.a]
    tokens_b = [case.mean_tokens for case in paired.b]
    bootstrap = paired_bootstrap_relative_delta(tokens_a, tokens_b) if n else None
    return Comparison(
        a=a,
        b=b,
        a_stats=a_stats,
        b_stats=b_stats,
        paired_n=n,
        delta=difference.delta if difference else None,
        ci95=ci95,
        p_value=p_value,
        b_only=b_only,
        a_only=a_only,
        tokens_delta_pct=bootstrap[0] if bootstrap else None,
        tokens_ci95_pct=(bootstrap[1], bootstrap[2]) if bootstrap else None,
        cases_needed=needed,
        paired=paired,
    )


def _paired_t_p(difference: Any) -> float:
    """Two-sided p of the paired t statistic (used when cases carry repeats)."""
    if not difference.se:
        return 1.0 if difference.delta == 0 else 0.0
    statistic = abs(difference.delta / difference.se)
    return min(1.0, 2.0 * (1.0 - student_t_cdf(statistic, difference.df or max(1, difference.n - 1))))


def apply_holm(comparisons: list[Comparison]) -> None:
    """With one baseline against several variants, adjust their p-values together (Holm)."""
    indexed = [(index, c.p_value) for index, c in enumerate(comparisons) if c.p_value is not None]
    if len(indexed) < 2:
        return
    adjusted = holm_adjust([p for _, p in indexed])
    for (index, _), p in zip(indexed, adjusted):
        comparisons[index].p_value_holm = p


def verdict(comparison: Comparison) -> str:
    """One line that calls a winner only when the difference is significant."""
    c = comparison
    if c.paired_n == 0 or c.delta is None:
        return "no paired cases: nothing to compare"
    p = c.p_value_holm if c.p_value_holm is not None else c.p_value
    points = f"{c.delta * 100:+.1f} pts (p={format_p(p)})"
    tokens = _tokens_phrase(c)
    if c.significant:
        side = "b better" if c.delta > 0 else "b worse"
        return f"{side}: {points}" + (f", {tokens}" if tokens else "")
    if c.delta == 0:
        head = "no difference in pass rate"
    else:
        needed = f"; about {c.cases_needed:,} paired cases would detect it" if c.cases_needed else ""
        head = f"no significant difference: {points}{needed}"
    return head + (f"; b uses {tokens}" if tokens else "")


def format_p(p: float | None) -> str:
    """A p-value as people read it: `0.0004` → `0.0004`, `0.25` → `0.25`, tiny ones as `3.1e-07`."""
    if p is None:
        return "n/a"
    return f"{p:.2g}" if p < 0.001 else f"{p:.3f}".rstrip("0").rstrip(".") if p < 1 else "1"


def _tokens_phrase(c: Comparison) -> str:
    """`35% fewer tokens` when the token interval excludes 0, else ''."""
    if c.tokens_delta_pct is None or c.tokens_ci95_pct is None:
        return ""
    low, high = c.tokens_ci95_pct
    if low <= 0 <= high:
        return ""
    word = "fewer" if c.tokens_delta_pct < 0 else "more"
    return f"{abs(c.tokens_delta_pct):.0f}% {word} tokens"
