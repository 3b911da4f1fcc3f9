"""A vs B statistics against scipy and statsmodels as oracles, on fixed data."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats as scipy_stats
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.multitest import multipletests

from scaffold.stats import (
    cases_needed,
    holm_adjust,
    mcnemar_exact_p,
    paired_bootstrap_relative_delta,
    paired_difference,
)


def _pass_fail_pair(n: int, seed: int) -> tuple[list[float], list[float]]:
    rng = random.Random(seed)
    a = [float(rng.random() < 0.6) for _ in range(n)]
    b = [float(rng.random() < 0.7) for _ in range(n)]
    return a, b


def _repeat_means(n: int, repeats: int, seed: int) -> tuple[list[float], list[float]]:
    rng = random.Random(seed)
    a = [sum(rng.random() < 0.5 for _ in range(repeats)) / repeats for _ in range(n)]
    b = [sum(rng.random() < 0.55 for _ in range(repeats)) / repeats for _ in range(n)]
    return a, b


@pytest.mark.parametrize(
    "a, b", [_pass_fail_pair(200, 1), _pass_fail_pair(12, 2), _repeat_means(80, 5, 3)], ids=["200", "12", "means"]
)
@pytest.mark.parametrize("confidence", [0.9, 0.95])
def test_paired_difference_is_the_paired_t_interval(a: list[float], b: list[float], confidence: float) -> None:
    differences = np.array(b) - np.array(a)
    n = len(differences)
    expected_se = scipy_stats.sem(differences)
    expected_low, expected_high = scipy_stats.t.interval(confidence, n - 1, loc=differences.mean(), scale=expected_se)

    result = paired_difference(a, b, confidence=confidence)

    assert result.n == n and result.df == n - 1
    assert result.delta == pytest.approx(differences.mean(), abs=1e-12)
    assert result.se == pytest.approx(expected_se, rel=1e-12)
    assert result.ci_low == pytest.approx(expected_low, abs=1e-9)
    assert result.ci_high == pytest.approx(expected_high, abs=1e-9)
    assert result.delta / result.se == pytest.approx(scipy_stats.ttest_rel(b, a).statistic, rel=1e-9)


def _clustered_data(seed: int) -> tuple[list[float], list[float], list[str]]:
    rng = random.Random(seed)
    clusters = [f"passage-{rng.randrange(12)}" for _ in range(90)]
    a = [float(rng.random() < 0.5) for _ in clusters]
    b = [float(rng.random() < 0.6) for _ in clusters]
    return a, b, clusters


@pytest.mark.parametrize("seed", [4, 5])
def test_clustered_paired_difference_matches_statsmodels_cluster_robust_ols(seed: int) -> None:
    a, b, clusters = _clustered_data(seed)
    differences = np.array(b) - np.array(a)
    cluster_codes = np.unique(clusters, return_inverse=True)[1]
    fit = sm.OLS(differences, np.ones(len(differences))).fit(
        cov_type="cluster", cov_kwds={"groups": cluster_codes}, use_t=True
    )
    (expected_low, expected_high), = fit.conf_int(alpha=0.05)

    result = paired_difference(a, b, clusters)

    assert result.df == len(set(clusters)) - 1
    assert result.se == pytest.approx(fit.bse[0], rel=1e-12)
    assert result.ci_low == pytest.approx(expected_low, abs=1e-9)
    assert result.ci_high == pytest.approx(expected_high, abs=1e-9)


def test_singleton_clusters_and_missing_clusters_give_the_unclustered_interval() -> None:
    a, b = _pass_fail_pair(50, 6)
    unclustered = paired_difference(a, b)
    assert paired_difference(a, b, [f"case-{i}" for i in range(50)]) == unclustered
    assert paired_difference(a, b, [None] * 50) == unclustered


def test_cases_without_a_cluster_are_clusters_of_their_own() -> None:
    a, b, clusters = _clustered_data(7)
    with_gaps = [None if i % 3 == 0 else cluster for i, cluster in enumerate(clusters)]
    named_gaps = [f"alone-{i}" if i % 3 == 0 else cluster for i, cluster in enumerate(clusters)]
    assert paired_difference(a, b, with_gaps) == paired_difference(a, b, named_gaps)


def test_paired_difference_without_a_standard_error_gives_the_widest_interval() -> None:
    empty = paired_difference([], [])
    assert (empty.delta, empty.ci_low, empty.ci_high, empty.se, empty.n) == (0.0, -1.0, 1.0, None, 0)
    single = paired_difference([0.0], [1.0])
    assert (single.delta, single.ci_low, single.ci_high, single.se, single.df) == (1.0, -1.0, 1.0, None, None)
    one_cluster = paired_difference([0.0, 1.0, 0.0], [1.0, 1.0, 1.0], ["p", "p", "p"])
    assert (one_cluster.ci_low, one_cluster.ci_high, one_cluster.se) == (-1.0, 1.0, None)
    assert one_cluster.delta == pytest.approx(2 / 3)


def test_paired_difference_interval_is_clipped_to_possible_differences() -> None:
    result = paired_difference([0.0, 0.0], [1.0, 0.0])  # t with 1 df: half-width 6.4
    assert (result.ci_low, result.ci_high) == (-1.0, 1.0)
    assert result.se == pytest.approx(0.5)


def test_identical_differences_give_a_zero_width_interval() -> None:
    result = paired_difference([0.0, 1.0, 1.0], [0.0, 1.0, 1.0])
    assert (result.delta, result.ci_low, result.ci_high, result.se) == (0.0, 0.0, 0.0, 0.0)


@pytest.mark.parametrize(
    "a, b, clusters", [([0.0], [0.0, 1.0], None), ([0.0], [1.5], None), ([0.0, 1.0], [1.0, 1.0], ["x"])]
)
def test_paired_difference_rejects_unpaired_or_out_of_range_input(
    a: list[float], b: list[float], clusters: list[str | None] | None
) -> None:
    with pytest.raises(ValueError):
        paired_difference(a, b, clusters)


@pytest.mark.parametrize("confidence", [0.0, 1.0, 95.0])
def test_intervals_reject_a_confidence_that_is_not_a_probability(confidence: float) -> None:
    with pytest.raises(ValueError):
        paired_difference([], [], confidence=confidence)
    with pytest.raises(ValueError):
        paired_bootstrap_relative_delta([1.0], [2.0], confidence=confidence)


@pytest.mark.parametrize(
    "b_only, a_only", [(0, 1), (1, 0), (3, 3), (5, 0), (35, 7), (7, 35), (12, 9), (300, 250), (1000, 880)]
)
def test_mcnemar_exact_p_matches_statsmodels_and_scipy(b_only: int, a_only: int) -> None:
    expected = mcnemar([[40, b_only], [a_only, 60]], exact=True).pvalue
    assert mcnemar_exact_p(b_only, a_only) == pytest.approx(expected, rel=1e-9, abs=1e-15)
    binomial = scipy_stats.binomtest(b_only, b_only + a_only, 0.5).pvalue
    assert mcnemar_exact_p(b_only, a_only) == pytest.approx(binomial, rel=1e-9, abs=1e-15)


def test_mcnemar_exact_p_without_discordant_pairs_is_one() -> None:
    assert mcnemar_exact_p(0, 0) == 1.0
    with pytest.raises(ValueError):
        mcnemar_exact_p(-1, 2)


P_VALUE_SETS = [
    [0.01],
    [0.04, 0.01, 0.03, 0.2],
    [0.001, 0.001, 0.5, 0.5, 0.049],
    [0.9, 0.0, 1.0, 0.3, 0.02, 0.02, 0.6],
    [],
]


@pytest.mark.parametrize("p_values", P_VALUE_SETS)
def test_holm_adjust_matches_statsmodels(p_values: list[float]) -> None:
    adjusted = holm_adjust(p_values)
    if p_values:
        expected = multipletests(p_values, method="holm")[1]
        assert adjusted == pytest.approx(list(expected), abs=1e-12)
    assert len(adjusted) == len(p_values)
    by_p = sorted(zip(p_values, adjusted))
    assert all(earlier[1] <= later[1] <= 1.0 for earlier, later in zip(by_p, by_p[1:]))


def test_holm_adjust_rejects_values_that_are_not_probabilities() -> None:
    with pytest.raises(ValueError):
        holm_adjust([0.2, 1.5])


def _token_counts(n: int, seed: int) -> tuple[list[float], list[float]]:
    rng = random.Random(seed)
    a = [float(rng.randint(40, 140)) for _ in range(n)]
    b = [round(tokens * rng.uniform(0.5, 0.8)) + 0.0 for tokens in a]
    return a, b


def test_bootstrap_is_reproducible_with_its_seed() -> None:
    a, b = _token_counts(150, 8)
    first = paired_bootstrap_relative_delta(a, b, seed=3)
    assert first == paired_bootstrap_relative_delta(a, b, seed=3)
    assert first != paired_bootstrap_relative_delta(a, b, seed=4)


def test_bootstrap_point_is_the_relative_difference_of_means_inside_its_interval() -> None:
    a, b = _token_counts(150, 9)
    result = paired_bootstrap_relative_delta(a, b)
    assert result is not None
    delta_pct, low, high = result
    assert delta_pct == pytest.approx(100 * (sum(b) / sum(a) - 1), rel=1e-12)
    assert low < delta_pct < high
    assert -50 < low and high < -20  # b costs 50-80% of a on every case


def test_bootstrap_on_two_cases_by_hand() -> None:
    # Resamples of cases {0, 1}: (0,0) -> 10/10, mixed -> 50/30, (1,1) -> 40/20; the
    # extremes each have probability 1/4, so the 2.5% and 97.5% points are 0% and 100%.
    assert paired_bootstrap_relative_delta([10, 20], [10, 40]) == pytest.approx((200 / 3, 0.0, 100.0))
    assert paired_bootstrap_relative_delta([3, 5, 8], [6, 10, 16]) == pytest.approx((100.0, 100.0, 100.0))


def test_bootstrap_agrees_with_scipy_paired_percentile_bootstrap() -> None:
    a, b = _token_counts(120, 10)
    result = paired_bootstrap_relative_delta(a, b, resamples=4000)
    assert result is not None
    reference = scipy_stats.bootstrap(
        (np.array(a), np.array(b)),
        lambda x, y, axis=-1: 100 * (y.mean(axis=axis) / x.mean(axis=axis) - 1),
        paired=True,
        method="percentile",
        n_resamples=4000,
        random_state=np.random.default_rng(0),
    ).confidence_interval
    width = reference.high - reference.low
    # Different random draws: the ends agree up to Monte Carlo error, not digit for digit.
    assert result[1] == pytest.approx(reference.low, abs=0.1 * width)
    assert result[2] == pytest.approx(reference.high, abs=0.1 * width)


def test_bootstrap_is_undefined_without_a_baseline() -> None:
    assert paired_bootstrap_relative_delta([], []) is None
    assert paired_bootstrap_relative_delta([0.0, 0.0], [3.0, 1.0]) is None
    with pytest.raises(ValueError):
        paired_bootstrap_relative_delta([1.0], [1.0, 2.0])


def _approximate_power(n: int, delta: float, discordant_rate: float, alpha: float) -> float:
    """Power of the normal-approximation McNemar test with n paired cases (Connor 1987)."""
    z_alpha = scipy_stats.norm.ppf(1 - alpha / 2)
    spread = math.sqrt(discordant_rate - delta**2)
    return float(scipy_stats.norm.cdf((abs(delta) * math.sqrt(n) - z_alpha * math.sqrt(discordant_rate)) / spread))


@pytest.mark.parametrize(
    "p_a, p_b, discordant_rate", [(0.5, 0.6, 0.2), (0.6, 0.75, 0.25), (0.9, 0.96, 0.08), (0.7, 0.65, 0.3)]
)
def test_cases_needed_is_the_smallest_n_reaching_the_power(p_a: float, p_b: float, discordant_rate: float) -> None:
    n = cases_needed(p_a, p_b, discordant_rate)
    assert n is not None
    assert _approximate_power(n, p_b - p_a, discordant_rate, 0.05) >= 0.8
    assert _approximate_power(n - 1, p_b - p_a, discordant_rate, 0.05) < 0.8


def test_cases_needed_reaches_its_power_in_simulation() -> None:
    p_a, p_b, discordant_rate = 0.5, 0.6, 0.2
    n = cases_needed(p_a, p_b, discordant_rate)
    assert n == 155
    b_only_share = (discordant_rate + (p_b - p_a)) / 2
    a_only_share = discordant_rate - b_only_share
    rng = np.random.default_rng(11)
    draws = rng.multinomial(n, [b_only_share, a_only_share, 1 - discordant_rate], size=1000)
    power = np.mean([mcnemar_exact_p(int(b_only), int(a_only)) < 0.05 for b_only, a_only, _ in draws])
    # The exact test is a little conservative next to the normal approximation behind n.
    assert 0.70 <= power <= 0.86


def test_cases_needed_without_discordance_assumes_independent_variants() -> None:
    independent_rate = 0.3 * 0.55 + 0.45 * 0.7
    assert cases_needed(0.3, 0.45) == cases_needed(0.3, 0.45, independent_rate)
    assert cases_needed(0.3, 0.45, 0.2) < cases_needed(0.3, 0.45)


def test_cases_needed_is_none_without_a_difference_and_rejects_impossible_discordance() -> None:
    assert cases_needed(0.7, 0.7) is None
    with pytest.raises(ValueError):
        cases_needed(0.5, 0.7, discordant_rate=0.1)
    with pytest.raises(ValueError):
        cases_needed(0.5, 1.2)


def test_cases_needed_uses_the_requested_alpha_and_power() -> None:
    base = cases_needed(0.5, 0.6, 0.2)
    assert base is not None
    assert cases_needed(0.5, 0.6, 0.2, power=0.9) > base
    assert cases_needed(0.5, 0.6, 0.2, alpha=0.01) > base
