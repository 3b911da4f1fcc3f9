"""The anytime-valid test behind `run --until-decided`, by seeded simulation: monitored
after every case, A/A runs call a difference in at most alpha of trials, where peeking at
the fixed-n McNemar test after every case does not; a true +15-point effect stops well
before the full plan with the right verdict; its interval covers the true delta."""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest
from scipy import special
from scipy import stats as scipy_stats

from scaffold.stats import holm_adjust, mcnemar_exact_p
from scaffold.stats.sequential import (
    PRIOR_STRENGTH,
    SequentialComparison,
    decide,
    log_mixture_evidence,
    mixture_confidence_interval,
)

ALPHA = 0.05
TRIALS = 300
CASES = 200
MIN_CASES = 20
# Rejections a 5% test may show in TRIALS trials before the excess is itself significant.
ALLOWED_REJECTIONS = int(scipy_stats.binom.ppf(0.999, TRIALS, ALPHA))


def test_mixture_evidence_matches_the_beta_binomial_integral() -> None:
    for successes, trials in [(0, 0), (3, 4), (10, 30), (70, 100)]:
        k = PRIOR_STRENGTH
        expected = special.betaln(successes + k, trials - successes + k) - special.betaln(k, k) + trials * math.log(2)
        assert log_mixture_evidence(successes, trials) == pytest.approx(expected, abs=1e-9)


def test_confidence_interval_holds_every_theta_whose_evidence_is_under_one_over_alpha() -> None:
    low, high = mixture_confidence_interval(30, 50, 0.05)
    assert 0.0 < low < 0.6 < high < 1.0
    assert log_mixture_evidence(30, 50, low, 1.0) == pytest.approx(math.log(20), abs=1e-6)
    assert log_mixture_evidence(30, 50, high, 1.0) == pytest.approx(math.log(20), abs=1e-6)
    assert mixture_confidence_interval(0, 0, 0.05) == (0.0, 1.0)
    assert mixture_confidence_interval(0, 40, 0.05)[0] == 0.0


def _aa_passes(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two draws of the same variant: each case has its own difficulty."""
    difficulty = rng.uniform(0.0, 1.0, CASES)
    return rng.random(CASES) < difficulty, rng.random(CASES) < difficulty


def test_aa_monitored_after_every_case_stays_under_alpha_where_naive_peeking_does_not() -> None:
    rng = np.random.default_rng(20261201)
    sequential_rejections = 0
    peeking_rejections = 0
    for _ in range(TRIALS):
        passes_a, passes_b = _aa_passes(rng)
        comparison = SequentialComparison(alpha=ALPHA)
        b_only = a_only = 0
        sequential_rejected = peeking_rejected = False
        for case, (a, b) in enumerate(zip(passes_a, passes_b), start=1):
            comparison.add(float(a), float(b))
            b_only += bool(b and not a)
            a_only += bool(a and not b)
            if case >= MIN_CASES:
                sequential_rejected = sequential_rejected or comparison.p_value < ALPHA
                peeking_rejected = peeking_rejected or mcnemar_exact_p(b_only, a_only) < ALPHA
        sequential_rejections += sequential_rejected
        peeking_rejections += peeking_rejected
    assert sequential_rejections <= ALLOWED_REJECTIONS
    # Peeking with the fixed-n test after every case calls about one A/A run in ten different.
    assert peeking_rejections > ALLOWED_REJECTIONS
    assert peeking_rejections > 2 * sequential_rejections


def _monitor(passes_a: np.ndarray, passes_b: np.ndarray) -> tuple[int, str]:
    """(cases run, decision) of one run stopped as `run --until-decided` stops it."""
    comparison = SequentialComparison(alpha=ALPHA)
    for case, (a, b) in enumerate(zip(passes_a, passes_b), start=1):
        comparison.add(float(a), float(b))
        [(decision, _)] = decide([comparison], ALPHA, min_effect=0.05, min_cases=MIN_CASES)
        if decision != "undecided":
            return case, decision
    return len(passes_a), "undecided"


def test_a_fifteen_point_effect_stops_well_before_the_full_plan_with_the_right_verdict() -> None:
    rng = np.random.default_rng(15)
    full = 300
    outcomes = []
    for _ in range(200):
        # Per case: B alone passes 20% of the time, A alone 5%: delta +15 points, 25% discordant.
        draw = rng.choice(4, size=full, p=[0.20, 0.05, 0.40, 0.35])
        passes_a = (draw == 1) | (draw == 2)
        passes_b = (draw == 0) | (draw == 2)
        outcomes.append(_monitor(passes_a, passes_b))
    stopped_at = [cases for cases, _ in outcomes]
    right = sum(decision == "b better" for _, decision in outcomes)
    assert statistics.median(stopped_at) < full / 2
    assert right >= 0.9 * len(outcomes)
    assert not any(decision == "a better" for _, decision in outcomes)


def test_the_interval_covers_the_true_delta_at_every_time_at_once() -> None:
    rng = np.random.default_rng(8)
    missed = 0
    trials = 100
    for _ in range(trials):
        draw = rng.choice(4, size=CASES, p=[0.15, 0.10, 0.45, 0.30])  # delta = +0.05
        comparison = SequentialComparison(alpha=ALPHA)
        ever_missed = False
        for index, kind in enumerate(draw):
            comparison.add(float(kind in (1, 2)), float(kind in (0, 2)))
            if index % 10 == 9:
                low, high = comparison.interval
                ever_missed = ever_missed or not low <= 0.05 <= high
        missed += ever_missed
    assert missed <= int(scipy_stats.binom.ppf(0.999, trials, ALPHA))


def test_identical_answers_are_futile_once_discordance_is_ruled_out() -> None:
    comparison = SequentialComparison(alpha=ALPHA)
    decisions = []
    for case in range(200):
        score = float(case % 3 == 0)
        comparison.add(score, score)
        decisions.append(decide([comparison], ALPHA, 0.05, MIN_CASES)[0][0])
    assert decisions[MIN_CASES - 2] == "undecided"
    assert "no difference" in decisions
    low, high = comparison.interval
    assert -0.05 < low <= 0.0 <= high < 0.05


def test_holm_adjusts_the_always_valid_p_values_together() -> None:
    strong, weak = SequentialComparison(), SequentialComparison()
    for case in range(60):
        strong.add(0.0, 1.0 if case % 2 else 0.0)
        weak.add(0.0, 1.0 if case % 5 == 0 else 0.0)
    (strong_decision, strong_p), (weak_decision, weak_p) = decide([strong, weak], ALPHA, 0.05, MIN_CASES)
    assert strong_decision == "b better"
    assert [strong_p, weak_p] == holm_adjust([strong.p_value, weak.p_value])
    assert strong_p == pytest.approx(2 * strong.p_value)


def test_fractional_scores_get_the_wider_bound_and_a_worse_side_is_named() -> None:
    comparison = SequentialComparison()
    for _ in range(80):
        comparison.add(1.0, 0.5)
    low, high = comparison.interval
    assert low <= -0.5 <= high
    binary = SequentialComparison()
    for _ in range(80):
        binary.add(1.0, 0.0)
    assert binary.interval[1] < 0.0 < high  # scores in {0, 1} pin delta to psi * (2 theta - 1)
    assert decide([comparison], ALPHA, 0.05, MIN_CASES)[0][0] == "a better"
    with pytest.raises(ValueError):
        comparison.add(1.5, 0.0)


def test_expected_sequential_cases_matches_the_monitored_simulation_and_shrinks_with_the_effect() -> None:
    from scaffold.stats.sequential import expected_sequential_cases

    fifteen = expected_sequential_cases(0.15, 0.25, max_cases=300)
    assert fifteen == expected_sequential_cases(0.15, 0.25, max_cases=300)  # seeded
    assert 20 < fifteen < 150  # the +15-point simulation above stops at a median under 150
    assert expected_sequential_cases(0.25, 0.25, max_cases=300) < fifteen
    assert expected_sequential_cases(0.01, 0.5, max_cases=50, trials=20) == 50  # capped
