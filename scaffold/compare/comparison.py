"""A vs B on the same cases (DESIGN 4): the numbers of the diff view, as data.

The pass-rate difference comes with a 95% interval from the paired per-case differences
(cluster-robust when cases carry a `cluster`, unless the plain interval is wider: with
few clusters the robust error can collapse to zero) and McNemar's exact p from the discordant
cases; with repeats, per-case scores are means and p comes from the paired t statistic.
Tokens compare by the relative difference of per-case means with a paired bootstrap
interval. A difference that is not significant is never called a win: the verdict says
how many cases would be needed to detect it instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Literal, Sequence

from scaffold.cells import CellResult
from scaffold.compare.pairing import PairedCases, pair_cases
from scaffold.stats import (
    cases_needed,
    holm_adjust,
    mcnemar_exact_p,
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

    def to_json(self) -> dict[str, str]:
        return {"run_id": self.run_id, "variant": self.variant, "scaffold": self.scaffold, "model": self.model}


@dataclass
class Comparison:
    """Every number of one A vs B comparison; `to_json` is DESIGN 2.1's diff shape."""

    a: Side
    b: Side
    paired_n: int
    pass_a: float | None
    pass_b: float | None
    delta: float | None
    ci95: tuple[float, float] | None
    p_value: float | None
    b_only: list[str]
    a_only: list[str]
    tokens_a: float | None
    tokens_b: float | None
    tokens_delta_pct: float | None
    tokens_ci95_pct: tuple[float, float] | None
    tokens_per_pass_a: float | None
    tokens_per_pass_b: float | None
    cost_a: float | None
    cost_b: float | None
    latency_p50_a: float | None
    latency_p50_b: float | None
    cases_needed: int | None
    paired: PairedCases
    p_value_holm: float | None = None
    """Holm-adjusted p when one baseline is compared with several variants (see apply_holm)."""
    turns_per_cell_a: float | None = None
    """Model calls per graded cell of the paired cases (1 for `single`)."""
    turns_per_cell_b: float | None = None
    tool_calls_per_cell_a: float | None = None
    """Tool calls (submit included) per graded cell of the paired cases."""
    tool_calls_per_cell_b: float | None = None
    recovery_rate_a: float | None = None
    """Of A's graded paired cells where a tool failed, the share where it later succeeded (DESIGN 9)."""
    recovery_rate_b: float | None = None

    @property
    def has_recovery(self) -> bool:
        """Whether a tool failed on either side (then the diff shows the recovery rates)."""
        return self.recovery_rate_a is not None or self.recovery_rate_b is not None

    @property
    def agentic(self) -> bool:
        """Whether either side took more than one turn or called a tool (so turns matter)."""
        turns = (self.turns_per_cell_a or 0.0, self.turns_per_cell_b or 0.0)
        tools = (self.tool_calls_per_cell_a or 0.0, self.tool_calls_per_cell_b or 0.0)
        return max(turns) > 1 or max(tools) > 0

    @property
    def significant(self) -> bool:
        p = self.p_value_holm if self.p_value_holm is not None else self.p_value
        return p is not None and p < ALPHA

    @property
    def verdict(self) -> str:
        return verdict(self)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "a": self.a.to_json(),
            "b": self.b.to_json(),
            "paired_n": self.paired_n,
            "pass_rate": {
                "a": _round(self.pass_a),
                "b": _round(self.pass_b),
                "delta": _round(self.delta),
                "ci95": _round_pair(self.ci95),
                "p_value": _round(self.p_value, 6),
                "b_only": len(self.b_only),
                "a_only": len(self.a_only),
            },
            "tokens": {
                "a_mean": _round(self.tokens_a, 2),
                "b_mean": _round(self.tokens_b, 2),
                "delta_pct": _round(self.tokens_delta_pct, 2),
                "ci95_pct": _round_pair(self.tokens_ci95_pct, 2),
                "a_per_pass": _round(self.tokens_per_pass_a, 2),
                "b_per_pass": _round(self.tokens_per_pass_b, 2),
            },
            "cost_usd": {"a": _round(self.cost_a, 6), "b": _round(self.cost_b, 6)},
            "latency_s": {"a_p50": _round(self.latency_p50_a, 3), "b_p50": _round(self.latency_p50_b, 3)},
            "flips": {"b_only": self.b_only, "a_only": self.a_only},
            "verdict": self.verdict,
        }
        if self.p_value_holm is not None:
            data["pass_rate"]["p_value_holm"] = _round(self.p_value_holm, 6)
        if self.cases_needed is not None:
            data["cases_needed"] = self.cases_needed
        if self.agentic:
            data["turns"] = {"a_per_cell": _round(self.turns_per_cell_a, 3), "b_per_cell": _round(self.turns_per_cell_b, 3)}
            data["tool_calls"] = {
                "a_per_cell": _round(self.tool_calls_per_cell_a, 3),
                "b_per_cell": _round(self.tool_calls_per_cell_b, 3),
            }
        if self.has_recovery:
            data["recovery_rate"] = {"a": _round(self.recovery_rate_a), "b": _round(self.recovery_rate_b)}
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
    a_results, b_results = list(a_results), list(b_results)
    paired = pair_cases(a_results, b_results)
    shared = set(paired.case_ids)
    scores_a = [case.score for case in paired.a]
    scores_b = [case.score for case in paired.b]
    n = len(paired.case_ids)
    b_only = [case for case, sa, sb in zip(paired.case_ids, scores_a, scores_b) if sb > sa]
    a_only = [case for case, sa, sb in zip(paired.case_ids, scores_a, scores_b) if sa > sb]
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
        p_value = _paired_t_p(difference) if repeated else mcnemar_exact_p(len(b_only), len(a_only))
        mean_a, mean_b = _mean(scores_a), _mean(scores_b)
        if mean_a is not None and mean_b is not None and mean_a != mean_b:
            needed = cases_needed(mean_a, mean_b, discordant_rate=(len(b_only) + len(a_only)) / n)
    tokens_a = [case.mean_tokens for case in paired.a]
    tokens_b = [case.mean_tokens for case in paired.b]
    bootstrap = paired_bootstrap_relative_delta(tokens_a, tokens_b) if n else None
    return Comparison(
        a=a,
        b=b,
        paired_n=n,
        pass_a=_mean(scores_a),
        pass_b=_mean(scores_b),
        delta=difference.delta if difference else None,
        ci95=ci95,
        p_value=p_value,
        b_only=b_only,
        a_only=a_only,
        tokens_a=_mean(tokens_a),
        tokens_b=_mean(tokens_b),
        tokens_delta_pct=bootstrap[0] if bootstrap else None,
        tokens_ci95_pct=(bootstrap[1], bootstrap[2]) if bootstrap else None,
        tokens_per_pass_a=_per_pass(paired.a),
        tokens_per_pass_b=_per_pass(paired.b),
        cost_a=_total_cost(case.cost_usd for case in paired.a),
        cost_b=_total_cost(case.cost_usd for case in paired.b),
        latency_p50_a=_p50([latency for case in paired.a for latency in case.latencies]),
        latency_p50_b=_p50([latency for case in paired.b for latency in case.latencies]),
        cases_needed=needed,
        paired=paired,
        turns_per_cell_a=_per_graded_cell(a_results, shared, lambda result: result.turns),
        turns_per_cell_b=_per_graded_cell(b_results, shared, lambda result: result.turns),
        tool_calls_per_cell_a=_per_graded_cell(a_results, shared, _tool_call_count),
        tool_calls_per_cell_b=_per_graded_cell(b_results, shared, _tool_call_count),
        recovery_rate_a=recovery_rate(result for result in a_results if result.key.case_id in shared),
        recovery_rate_b=recovery_rate(result for result in b_results if result.key.case_id in shared),
    )


def recovery_rate(results: Iterable[CellResult]) -> float | None:
    """Of the graded cells where a tool failed, the share where it later succeeded; None when
    no tool failed."""
    outcomes = [result.recovered for result in results if result.status != "error" and result.recovered is not None]
    return sum(outcomes) / len(outcomes) if outcomes else None


def _tool_call_count(result: CellResult) -> int:
    return sum(result.tool_calls.values())


def _per_graded_cell(results: list[CellResult], cases: set[str], count: Callable[[CellResult], int]) -> float | None:
    """The mean of `count` over the graded cells of `cases` (the cells the comparison pairs)."""
    values = [count(result) for result in results if result.status != "error" and result.key.case_id in cases]
    return math.fsum(values) / len(values) if values else None


def _per_pass(cases: Sequence[Any]) -> float | None:
    passes = sum(case.passes for case in cases)
    return sum(case.tokens for case in cases) / passes if passes else None


def _p50(values: list[float]) -> float | None:
    return percentile(values, 50) if values else None


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
