"""Statistics of A vs B on the same cases (DESIGN 4): the paired difference of pass rates
with its interval, McNemar's exact and mid-p tests, a paired bootstrap for token and cost ratios, the
number of cases a difference needs, and Holm's adjustment when B is several variants."""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from scaffold.stats.quantiles import check_confidence, normal_quantile, percentile, student_t_quantile

_WIDEST_DIFFERENCE_INTERVAL = (-1.0, 1.0)


@dataclass(frozen=True, slots=True)
class PairedDifference:
    """mean(b - a) over paired cases with its confidence interval."""

    delta: float
    """The mean per-case difference b - a (for pass/fail scores: the difference of pass rates)."""
    ci_low: float
    """Lower end of the interval, never below -1 (scores lie in [0, 1])."""
    ci_high: float
    """Upper end of the interval, never above 1."""
    se: float | None
    """Standard error of `delta` (cluster-robust when clusters were given); None when it
    cannot be estimated (fewer than 2 cases, or fewer than 2 clusters)."""
    n: int
    """The number of paired cases."""
    df: int | None
    """Degrees of freedom of the t quantile used: n - 1, or clusters - 1; None with `se`."""


def paired_difference(
    a: Sequence[float],
    b: Sequence[float],
    clusters: Sequence[str | None] | None = None,
    confidence: float = 0.95,
) -> PairedDifference:
    """The mean paired difference mean(b_i - a_i) of per-case scores in [0, 1] (pass as 0/1,
    or a case's mean over repeats), with a t interval: delta +/- t_{df, 1-alpha/2} * SE.

    Method: the paired-t interval (Student 1908), SE = sd(d) / sqrt(n), df = n - 1; t
    rather than z so that small case sets are not overconfident (at n = 200 the two differ
    by 0.6%). With `clusters` (one name per case; None = a cluster of its own), the
    cluster-robust CR1 standard error
    SE^2 = C/(C-1) * sum_c (sum_{i in c} (d_i - mean d))^2 / n^2 with df = C - 1, as in
    Cameron & Miller (2015), "A Practitioner's Guide to Cluster-Robust Inference", J. Human
    Resources 50(2), and Miller (2024), "Adding Error Bars to Evals", arXiv:2411.00640
    (clustered standard errors). With all clusters singletons it equals the unclustered SE.
    Where no SE can be estimated (n < 2 or C < 2) the interval is the widest possible,
    (-1, 1); a zero SE (every difference equal) gives a zero-width interval.
    """
    check_confidence(confidence)
    if len(a) != len(b):
        raise ValueError(f"a and b must pair up, got {len(a)} and {len(b)} scores")
    if clusters is not None and len(clusters) != len(a):
        raise ValueError(f"need one cluster per case, got {len(clusters)} for {len(a)} cases")
    for score in (*a, *b):
        if not 0.0 <= score <= 1.0:
            raise ValueError(f"scores must lie in [0, 1], got {score}")
    differences = [score_b - score_a for score_a, score_b in zip(a, b)]
    n = len(differences)
    if n == 0:
        return PairedDifference(0.0, *_WIDEST_DIFFERENCE_INTERVAL, se=None, n=0, df=None)
    delta = math.fsum(differences) / n
    if clusters is None:
        se, df = _paired_standard_error(differences)
    else:
        se, df = _cluster_robust_standard_error(differences, delta, clusters)
    if se is None or df is None:
        return PairedDifference(delta, *_WIDEST_DIFFERENCE_INTERVAL, se=None, n=n, df=None)
    half_width = student_t_quantile(0.5 + confidence / 2.0, df) * se
    return PairedDifference(delta, max(-1.0, delta - half_width), min(1.0, delta + half_width), se, n, df)


def mcnemar_exact_p(b_only: int, a_only: int) -> float:
    """Two-sided p-value of McNemar's exact test from the discordant pairs: cases only B
    passed (`b_only`) and cases only A passed (`a_only`).

    Method: under no difference each discordant pair is a fair coin, so with X ~ Bin(b_only
    + a_only, 1/2), p = min(1, 2 * P(X <= min(b_only, a_only))) (McNemar 1947; the exact
    form as in statsmodels' `mcnemar(exact=True)`), computed in exact integer arithmetic.
    No discordant pair gives 1.0.
    """
    if b_only < 0 or a_only < 0:
        raise ValueError(f"counts must be >= 0, got b_only={b_only}, a_only={a_only}")
    discordant = b_only + a_only
    smaller = min(b_only, a_only)
    ways_at_most_smaller = 0
    ways = 1  # C(discordant, i), updated in place
    for i in range(smaller + 1):
        ways_at_most_smaller += ways
        ways = ways * (discordant - i) // (i + 1)
    return min(1.0, 2 * ways_at_most_smaller / 2**discordant)


def mcnemar_mid_p(b_only: int, a_only: int) -> float:
    """Two-sided mid-p of McNemar's test: the exact p less the probability of the observed
    split, p = 2 * P(X < k) + P(X = k) with X ~ Bin(b_only + a_only, 1/2), k = min(b_only,
    a_only), at most 1.

    Why: the exact test is conservative at small counts (its size is well under alpha
    because the binomial is discrete); the mid-p keeps the rate of false positives at or
    under alpha in practice with more power (Fagerland, Lydersen & Laake 2013, "The McNemar
    test for binary matched-pairs data: mid-p and asymptotic are better than exact
    conditional", BMC Med. Res. Methodol. 13:91). tests/stats/test_stats_mid_p.py computes
    the false-positive rate of both over the A/A designs the diff meets; the diff uses the
    mid-p. No discordant pair gives 1.0.
    """
    if b_only < 0 or a_only < 0:
        raise ValueError(f"counts must be >= 0, got b_only={b_only}, a_only={a_only}")
    discordant = b_only + a_only
    if discordant == 0:
        return 1.0
    smaller = min(b_only, a_only)
    ways_below_smaller = 0
    ways = 1  # C(discordant, i), updated in place
    for i in range(smaller):
        ways_below_smaller += ways
        ways = ways * (discordant - i) // (i + 1)
    return min(1.0, (2 * ways_below_smaller + ways) / 2**discordant)


def paired_bootstrap_relative_delta(
    a: Sequence[float],
    b: Sequence[float],
    resamples: int = 2000,
    seed: int = 0,
    confidence: float = 0.95,
) -> tuple[float, float, float] | None:
    """(delta_pct, ci_low_pct, ci_high_pct): the relative difference of means
    100 * (mean(b) / mean(a) - 1) — e.g. -35.0 for 35% fewer tokens — and its interval.

    Method: the paired percentile bootstrap (Efron & Tibshirani 1993, "An Introduction to
    the Bootstrap", ch. 13): case indices are drawn with replacement and each draw takes
    both a_i and b_i, so the interval keeps the pairing. `random.Random(seed)` makes it
    reproducible. Resamples whose mean(a) is 0 are skipped. None when there are no cases or
    mean(a) is 0 (the ratio is undefined).
    """
    check_confidence(confidence)
    if len(a) != len(b):
        raise ValueError(f"a and b must pair up, got {len(a)} and {len(b)} values")
    if resamples < 1:
        raise ValueError(f"resamples must be >= 1, got {resamples}")
    values_a, values_b = [float(value) for value in a], [float(value) for value in b]
    n = len(values_a)
    total_a = math.fsum(values_a)
    if n == 0 or total_a == 0.0:
        return None
    point = 100.0 * (math.fsum(values_b) / total_a - 1.0)
    rng = random.Random(seed)
    case_indices = range(n)
    relative_deltas: list[float] = []
    for _ in range(resamples):
        drawn = rng.choices(case_indices, k=n)
        # Same n on both sides, so the ratio of sums is the ratio of means.
        resampled_total_a = sum(map(values_a.__getitem__, drawn))
        if resampled_total_a != 0.0:
            relative_deltas.append(100.0 * (sum(map(values_b.__getitem__, drawn)) / resampled_total_a - 1.0))
    if not relative_deltas:
        return (point, point, point)
    tail_percent = 50.0 * (1.0 - confidence)
    low, high = percentile(relative_deltas, tail_percent), percentile(relative_deltas, 100.0 - tail_percent)
    return (point, low, high)


def cases_needed(
    p_a: float,
    p_b: float,
    discordant_rate: float | None = None,
    alpha: float = 0.05,
    power: float = 0.8,
) -> int | None:
    """How many paired cases a two-sided McNemar test at level `alpha` needs to detect the
    difference p_b - p_a with probability `power`.

    Method: Connor (1987), "Sample size for testing differences in proportions for the
    paired-sample design", Biometrics 43:207:
    n = (z_{1-alpha/2} * sqrt(psi) + z_{power} * sqrt(psi - delta^2))^2 / delta^2, where
    delta = p_b - p_a and psi is the share of discordant cases (only A or only B passes).
    Pass the observed `discordant_rate` ((b_only + a_only) / n) when known; without it psi
    is p_a(1-p_b) + p_b(1-p_a), as if A and B passed independently (more discordance than
    correlated variants show, so a conservative n). None when delta is 0.
    """
    for name, probability in (("p_a", p_a), ("p_b", p_b)):
        if not 0.0 <= probability <= 1.0:
            raise ValueError(f"{name} must lie in [0, 1], got {probability}")
    if not 0.0 < alpha < 1.0 or not 0.0 < power < 1.0:
        raise ValueError(f"alpha and power must lie in (0, 1), got {alpha} and {power}")
    delta = p_b - p_a
    if delta == 0.0:
        return None
    if discordant_rate is None:
        discordant_rate = p_a * (1.0 - p_b) + p_b * (1.0 - p_a)
    # Discordance is at least |delta|: delta = (b_only - a_only) / n, psi = (b_only + a_only) / n.
    if not abs(delta) - 1e-12 <= discordant_rate <= 1.0:
        raise ValueError(f"discordant_rate must lie in [{abs(delta)}, 1], got {discordant_rate}")
    discordant_rate = max(discordant_rate, abs(delta))
    z_alpha = normal_quantile(1.0 - alpha / 2.0)
    z_power = normal_quantile(power)
    root = z_alpha * math.sqrt(discordant_rate) + z_power * math.sqrt(discordant_rate - delta * delta)
    # The tolerance keeps a float result like 155.0000000001 from rounding up to 156.
    return max(1, math.ceil(root * root / (delta * delta) - 1e-9))


def holm_adjust(p_values: Sequence[float]) -> list[float]:
    """Holm-Bonferroni adjusted p-values, in the order given: compare each with alpha to
    keep the family-wise error rate at alpha over all the comparisons.

    Method: Holm (1979), "A simple sequentially rejective multiple test procedure", Scand. J.
    Statist. 6:65. With the p-values sorted ascending, adjusted_(j) = min(1, max_{i <= j}
    (m - i + 1) * p_(i)) — monotone in p, as statsmodels' `multipletests(method="holm")`.
    """
    for p_value in p_values:
        if not 0.0 <= p_value <= 1.0:
            raise ValueError(f"p-values must lie in [0, 1], got {p_value}")
    count = len(p_values)
    adjusted = [0.0] * count
    running_max = 0.0
    for rank, index in enumerate(sorted(range(count), key=p_values.__getitem__)):
        running_max = max(running_max, min(1.0, (count - rank) * p_values[index]))
        adjusted[index] = running_max
    return adjusted


def _paired_standard_error(differences: list[float]) -> tuple[float | None, int | None]:
    """SE = sd(d) / sqrt(n) with n - 1 degrees of freedom; (None, None) below 2 cases."""
    n = len(differences)
    if n < 2:
        return None, None
    return statistics.stdev(differences) / math.sqrt(n), n - 1


def _cluster_robust_standard_error(
    differences: list[float], delta: float, clusters: Sequence[str | None]
) -> tuple[float | None, int | None]:
    """The CR1 SE with C - 1 degrees of freedom; (None, None) below 2 clusters."""
    residual_sums: dict[Hashable, float] = {}
    for index, (difference, cluster) in enumerate(zip(differences, clusters)):
        key: Hashable = ("cluster", cluster) if cluster is not None else ("case", index)
        residual_sums[key] = residual_sums.get(key, 0.0) + (difference - delta)
    cluster_count = len(residual_sums)
    if cluster_count < 2:
        return None, None
    sum_of_squares = math.fsum(residual * residual for residual in residual_sums.values())
    variance = cluster_count / (cluster_count - 1) * sum_of_squares / len(differences) ** 2
    return math.sqrt(variance), cluster_count - 1
