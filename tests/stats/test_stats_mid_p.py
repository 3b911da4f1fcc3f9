"""McNemar's mid-p against a scipy binomial computation, and the A/A comparison that made it
the fixed-n diff's test: its false-positive rate stays at or under alpha where the exact
test's is well under it, and it finds a real difference more often."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as scipy_stats

from scaffold.stats import mcnemar_exact_p, mcnemar_mid_p

ALPHA = 0.05


def _scipy_mid_p(b_only: int, a_only: int) -> float:
    discordant, smaller = b_only + a_only, min(b_only, a_only)
    below = scipy_stats.binom.cdf(smaller - 1, discordant, 0.5)
    return min(1.0, 2.0 * below + scipy_stats.binom.pmf(smaller, discordant, 0.5))


@pytest.mark.parametrize("b_only,a_only", [(0, 1), (3, 0), (5, 5), (12, 3), (2, 9), (40, 25), (150, 120), (0, 30)])
def test_mid_p_matches_scipy_binomial(b_only: int, a_only: int) -> None:
    assert mcnemar_mid_p(b_only, a_only) == pytest.approx(_scipy_mid_p(b_only, a_only), rel=1e-12, abs=1e-300)


def test_mid_p_is_below_exact_p_by_the_probability_of_the_observed_split() -> None:
    for b_only, a_only in [(3, 0), (7, 2), (10, 10)]:
        observed = scipy_stats.binom.pmf(min(b_only, a_only), b_only + a_only, 0.5)
        expected = min(1.0, mcnemar_exact_p(b_only, a_only) - observed)
        assert mcnemar_mid_p(b_only, a_only) == pytest.approx(expected) or mcnemar_mid_p(b_only, a_only) == 1.0
    assert mcnemar_mid_p(0, 0) == 1.0
    with pytest.raises(ValueError):
        mcnemar_mid_p(-1, 2)


def _rejection_rate(test, cases: int, b_rate: float, a_rate: float, rng: np.random.Generator, trials: int) -> float:
    """How often `test` rejects at ALPHA over simulated runs with per-case discordance."""
    draws = rng.multinomial(cases, [b_rate, a_rate, 1.0 - b_rate - a_rate], size=trials)
    return float(np.mean([test(int(b_only), int(a_only)) < ALPHA for b_only, a_only, _ in draws]))


@pytest.mark.parametrize("cases,discordance", [(20, 0.3), (50, 0.1), (50, 0.5), (100, 0.2), (200, 0.05), (200, 0.4)])
def test_aa_false_positives_of_mid_p_stay_at_alpha_and_exact_is_conservative(cases: int, discordance: float) -> None:
    rng = np.random.default_rng(cases * 1000 + int(discordance * 100))
    trials = 4000
    # Rejections a 5% test may show in 4000 trials before the excess is itself significant.
    allowed = scipy_stats.binom.ppf(0.999, trials, ALPHA) / trials
    mid = _rejection_rate(mcnemar_mid_p, cases, discordance / 2, discordance / 2, rng, trials)
    exact = _rejection_rate(mcnemar_exact_p, cases, discordance / 2, discordance / 2, rng, trials)
    assert mid <= allowed
    assert exact <= mid


def test_mid_p_has_more_power_than_exact_on_a_real_difference() -> None:
    rng = np.random.default_rng(3)
    mid = _rejection_rate(mcnemar_mid_p, 60, 0.2, 0.07, rng, 2000)
    rng = np.random.default_rng(3)
    exact = _rejection_rate(mcnemar_exact_p, 60, 0.2, 0.07, rng, 2000)
    assert mid > exact + 0.05
