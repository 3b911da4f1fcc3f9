"""Calibration under the null: with no real difference between A and B, the tests must
reject about as often as their level says and the intervals must cover 0 about 95% of
the time. Seeded, so the outcome is the same on every run."""

from __future__ import annotations

import numpy as np
from scipy import stats as scipy_stats

from scaffold.stats import mcnemar_exact_p, paired_difference

TRIALS = 400
CASES = 200
# Rejections a 5% test may show in 400 trials before the excess is itself significant.
ALLOWED_REJECTIONS = int(scipy_stats.binom.ppf(0.999, TRIALS, 0.05))


def test_aa_runs_rarely_look_significant_and_their_intervals_cover_zero() -> None:
    rng = np.random.default_rng(20261122)
    rejections = 0
    covered = 0
    for _ in range(TRIALS):
        pass_probability = rng.uniform(0.0, 1.0, CASES)  # each case has its own difficulty
        passes_a = rng.random(CASES) < pass_probability
        passes_b = rng.random(CASES) < pass_probability  # the same variant, drawn again
        b_only = int(np.sum(passes_b & ~passes_a))
        a_only = int(np.sum(passes_a & ~passes_b))
        rejections += mcnemar_exact_p(b_only, a_only) < 0.05
        difference = paired_difference(passes_a.astype(float).tolist(), passes_b.astype(float).tolist())
        covered += difference.ci_low <= 0.0 <= difference.ci_high
    assert rejections <= ALLOWED_REJECTIONS
    assert covered / TRIALS >= 0.93


def test_clustered_interval_stays_calibrated_where_the_plain_one_is_fooled() -> None:
    # Cases share passages: a passage shifts every one of its cases' differences alike, so
    # 200 cases carry little more information than 40 passages.
    rng = np.random.default_rng(7)
    passages = [f"passage-{i // 5}" for i in range(CASES)]
    passage_of_case = np.arange(CASES) // 5
    covered_clustered = 0
    covered_plain = 0
    for _ in range(TRIALS):
        passage_shift = rng.normal(0.0, 0.15, CASES // 5)[passage_of_case]
        scores_a = np.full(CASES, 0.5)
        scores_b = np.clip(0.5 + passage_shift + rng.normal(0.0, 0.05, CASES), 0.0, 1.0)
        clustered = paired_difference(scores_a.tolist(), scores_b.tolist(), passages)
        plain = paired_difference(scores_a.tolist(), scores_b.tolist())
        covered_clustered += clustered.ci_low <= 0.0 <= clustered.ci_high
        covered_plain += plain.ci_low <= 0.0 <= plain.ci_high
    assert covered_clustered / TRIALS >= 0.93
    assert covered_plain / TRIALS <= 0.8
