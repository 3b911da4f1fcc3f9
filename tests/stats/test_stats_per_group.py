"""Per-group statistics: Wilson against statsmodels, pass@k and pass^k against enumeration."""

from __future__ import annotations

import itertools
from fractions import Fraction
from math import comb

import pytest
from statsmodels.stats.proportion import proportion_confint

from scaffold.stats import mean_pass_at_k, mean_pass_hat_k, pass_at_k, pass_hat_k, wilson_interval

COUNTS = [(0, 1), (1, 1), (0, 10), (3, 10), (10, 10), (150, 200), (1, 200), (199, 200), (4321, 10_000)]


@pytest.mark.parametrize("successes, n", COUNTS)
@pytest.mark.parametrize("confidence", [0.8, 0.95, 0.99])
def test_wilson_interval_matches_statsmodels(successes: int, n: int, confidence: float) -> None:
    expected_low, expected_high = proportion_confint(successes, n, alpha=1 - confidence, method="wilson")
    low, high = wilson_interval(successes, n, confidence)
    assert low == pytest.approx(expected_low, abs=1e-9)
    assert high == pytest.approx(expected_high, abs=1e-9)


def test_wilson_interval_of_the_design_example() -> None:
    # DESIGN 2.1: 150 of 200 passed -> ci95 [0.686, 0.805].
    low, high = wilson_interval(150, 200)
    assert (round(low, 3), round(high, 3)) == (0.686, 0.805)


def test_wilson_interval_stays_in_unit_range_and_knows_nothing_at_n_zero() -> None:
    assert wilson_interval(0, 0) == (0.0, 1.0)
    assert wilson_interval(0, 7)[0] == 0.0
    assert wilson_interval(7, 7)[1] == 1.0


@pytest.mark.parametrize("successes, n", [(-1, 5), (6, 5), (0, -1)])
def test_wilson_interval_rejects_impossible_counts(successes: int, n: int) -> None:
    with pytest.raises(ValueError):
        wilson_interval(successes, n)


def _enumerated(n: int, c: int, k: int) -> tuple[Fraction, Fraction]:
    """(share of k-subsets with at least one pass, share with all passing), by enumeration."""
    samples = [True] * c + [False] * (n - c)
    subsets = list(itertools.combinations(samples, k))
    any_pass = sum(any(subset) for subset in subsets)
    all_pass = sum(all(subset) for subset in subsets)
    return Fraction(any_pass, len(subsets)), Fraction(all_pass, len(subsets))


def test_pass_at_k_and_pass_hat_k_match_enumeration() -> None:
    for n in range(1, 9):
        for c in range(n + 1):
            for k in range(1, n + 1):
                any_pass, all_pass = _enumerated(n, c, k)
                assert pass_at_k(n, c, k) == pytest.approx(float(any_pass), abs=1e-12), (n, c, k)
                assert pass_hat_k(n, c, k) == pytest.approx(float(all_pass), abs=1e-12), (n, c, k)


def test_pass_at_k_is_stable_where_binomials_are_huge() -> None:
    n, c, k = 1000, 3, 400
    exact = 1 - Fraction(comb(n - c, k), comb(n, k))
    assert pass_at_k(n, c, k) == pytest.approx(float(exact), rel=1e-12)
    assert pass_hat_k(n, 997, k) == pytest.approx(float(Fraction(comb(997, k), comb(n, k))), rel=1e-10)


def test_pass_at_1_and_pass_hat_1_are_the_pass_rate() -> None:
    assert pass_at_k(10, 3, 1) == pytest.approx(0.3)
    assert pass_hat_k(10, 3, 1) == pytest.approx(0.3)


@pytest.mark.parametrize("n, c, k", [(5, 6, 1), (5, -1, 1), (5, 2, 0), (5, 2, 6)])
def test_pass_at_k_rejects_impossible_arguments(n: int, c: int, k: int) -> None:
    with pytest.raises(ValueError):
        pass_at_k(n, c, k)
    with pytest.raises(ValueError):
        pass_hat_k(n, c, k)


def test_group_pass_at_k_averages_cases_and_leaves_out_short_ones() -> None:
    cases = [(4, 0), (4, 2), (4, 4), (1, 1)]  # the last case lost 3 repeats to errors
    assert mean_pass_at_k(cases, 2) == pytest.approx((0.0 + (1 - 1 / 6) + 1.0) / 3)
    assert mean_pass_hat_k(cases, 2) == pytest.approx((0.0 + 1 / 6 + 1.0) / 3)
    assert mean_pass_at_k([(1, 1)], 2) is None
    assert mean_pass_hat_k([], 2) is None
