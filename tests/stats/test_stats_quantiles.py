"""Quantiles against scipy and numpy as oracles."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
from scipy import stats as scipy_stats

from scaffold.stats import normal_quantile, percentile, student_t_cdf, student_t_quantile, two_sided_normal_quantile

PROBABILITIES = [1e-10, 1e-6, 0.001, 0.01, 0.025, 0.05, 0.1, 0.3, 0.49, 0.5, 0.51, 0.7, 0.9, 0.95, 0.975, 0.99, 0.999999]
DEGREES_OF_FREEDOM = [0.5, 1, 2, 2.5, 3, 4, 5, 10, 29, 30, 100, 199, 1000, 9999, 100_000]


@pytest.mark.parametrize("p", PROBABILITIES)
def test_normal_quantile_matches_scipy(p: float) -> None:
    assert normal_quantile(p) == pytest.approx(scipy_stats.norm.ppf(p), rel=1e-12, abs=1e-12)


def test_two_sided_normal_quantile_is_the_familiar_z() -> None:
    assert two_sided_normal_quantile(0.95) == pytest.approx(scipy_stats.norm.ppf(0.975), rel=1e-12)
    assert two_sided_normal_quantile(0.9) == pytest.approx(scipy_stats.norm.ppf(0.95), rel=1e-12)


@pytest.mark.parametrize("df", DEGREES_OF_FREEDOM)
def test_student_t_quantile_matches_scipy(df: float) -> None:
    for p in PROBABILITIES:
        expected = scipy_stats.t.ppf(p, df)
        assert student_t_quantile(p, df) == pytest.approx(expected, rel=1e-9, abs=1e-9), p


@pytest.mark.parametrize("df", DEGREES_OF_FREEDOM)
def test_student_t_cdf_matches_scipy(df: float) -> None:
    for t in [-1e4, -40.0, -3.0, -1.96, -0.1, 0.0, 1e-3, 0.5, 2.0, 12.7, 300.0]:
        assert student_t_cdf(t, df) == pytest.approx(scipy_stats.t.cdf(t, df), rel=1e-9, abs=1e-15), t


def test_student_t_cdf_matches_closed_forms_near_zero() -> None:
    # Closed forms for 1 and 2 df; scipy itself loses digits this close to 0 with df=1.
    for t in (-1e-8, 1e-8, 1e-4, 3.0):
        assert student_t_cdf(t, 1) == pytest.approx(0.5 + math.atan(t) / math.pi, rel=1e-13)
        assert student_t_cdf(t, 2) == pytest.approx(0.5 + t / (2 * math.sqrt(2 + t * t)), rel=1e-13)


def test_student_t_quantile_inverts_its_cdf() -> None:
    for df in (1, 7, 250):
        for p in (0.001, 0.2, 0.8, 0.999):
            assert student_t_cdf(student_t_quantile(p, df), df) == pytest.approx(p, rel=1e-12)


@pytest.mark.parametrize(
    "call",
    [
        lambda: normal_quantile(0.0),
        lambda: normal_quantile(1.0),
        lambda: student_t_quantile(1.0, 5),
        lambda: student_t_quantile(0.5, 0),
        lambda: student_t_cdf(1.0, -1),
        lambda: two_sided_normal_quantile(1.0),
    ],
)
def test_quantiles_reject_arguments_outside_their_domain(call: Callable[[], float]) -> None:
    with pytest.raises(ValueError):
        call()


SAMPLES = [
    [0.41],
    [3.0, 1.0],
    [0.5, 0.5, 0.5, 2.0],
    [1.2, 0.41, 0.9, 5.5, 0.33, 0.41, 2.25, 0.8, 0.07, 1.9, 0.6],
    [float(v) for v in np.random.default_rng(3).exponential(0.7, 257)],
]


@pytest.mark.parametrize("values", SAMPLES)
def test_percentile_matches_numpy_default(values: list[float]) -> None:
    for q in (0, 1, 2.5, 25, 50, 90, 95, 97.5, 99, 100):
        assert percentile(values, q) == pytest.approx(float(np.percentile(values, q)), rel=1e-12, abs=1e-15), q


def test_percentile_leaves_its_input_unsorted() -> None:
    values = [3.0, 1.0, 2.0]
    assert percentile(values, 50) == 2.0
    assert values == [3.0, 1.0, 2.0]


def test_percentile_rejects_no_values_and_bad_q() -> None:
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1.0], 101)
