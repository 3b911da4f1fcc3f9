"""Quantiles: of the normal and Student t distributions, and of a sample.

Standard library only. The t distribution goes through the regularized incomplete beta
function, evaluated by its continued fraction (Press et al., *Numerical Recipes*, 3rd ed.,
section 6.4), and is inverted by Newton's method; results agree with scipy to ~1e-12.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import NormalDist

_STANDARD_NORMAL = NormalDist()
_CONTINUED_FRACTION_TINY = 1e-300
_CONTINUED_FRACTION_EPS = 4e-16
_CONTINUED_FRACTION_MAX_TERMS = 100_000


def normal_quantile(p: float) -> float:
    """The standard normal quantile z with P(Z <= z) = p, for 0 < p < 1.

    Method: `statistics.NormalDist().inv_cdf` (Wichura 1988, Algorithm AS 241).
    """
    if not 0.0 < p < 1.0:
        raise ValueError(f"p must be in (0, 1), got {p}")
    return _STANDARD_NORMAL.inv_cdf(p)


def two_sided_normal_quantile(confidence: float) -> float:
    """The z with P(-z <= Z <= z) = confidence, e.g. 1.959964 for 0.95."""
    check_confidence(confidence)
    return normal_quantile(0.5 + confidence / 2.0)


def student_t_cdf(t: float, df: float) -> float:
    """P(T <= t) for Student's t distribution with `df` > 0 degrees of freedom.

    Method: P(|T| > t) = I_x(df/2, 1/2) with x = df / (df + t^2), the regularized
    incomplete beta function (Abramowitz & Stegun 26.7.1; 26.5.8 for the continued fraction).
    """
    if df <= 0:
        raise ValueError(f"df must be > 0, got {df}")
    two_sided_tail = _student_t_two_sided_tail(abs(t), df)
    return 1.0 - two_sided_tail / 2.0 if t > 0 else two_sided_tail / 2.0


def student_t_quantile(p: float, df: float) -> float:
    """The t with P(T <= t) = p for Student's t distribution with `df` > 0 degrees of freedom.

    Method: Newton's method on the upper tail P(T > t), started at the normal quantile. The
    tail is convex and decreasing for t > 0 and the t quantile lies beyond the normal one,
    so the iteration approaches the root from one side and never overshoots.
    """
    if not 0.0 < p < 1.0:
        raise ValueError(f"p must be in (0, 1), got {p}")
    if df <= 0:
        raise ValueError(f"df must be > 0, got {df}")
    if p == 0.5:
        return 0.0
    upper_tail = min(p, 1.0 - p)
    t = -normal_quantile(upper_tail)
    log_density_constant = -0.5 * math.log(df) - _log_beta(df / 2.0, 0.5)
    for _ in range(200):
        excess_tail = _student_t_two_sided_tail(t, df) / 2.0 - upper_tail
        density = math.exp(log_density_constant - (df + 1) / 2 * math.log1p(t * t / df))
        step = excess_tail / density
        t += step
        # Convergence is quadratic: once a step is this small the error left is far
        # below float precision, and smaller steps only bounce between neighbouring floats.
        if abs(step) <= 1e-12 * max(1.0, t):
            break
    return t if p > 0.5 else -t


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0 <= q <= 100) of `values`, e.g. q=95 for a p95 latency.

    Method: linear interpolation between the closest ranks, at position (n - 1) * q / 100
    of the sorted values — Hyndman & Fan (1996) definition 7, numpy.percentile's default.
    Raises ValueError on no values.
    """
    if not values:
        raise ValueError("percentile of no values")
    if not 0.0 <= q <= 100.0:
        raise ValueError(f"q must be in [0, 100], got {q}")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100.0
    below = math.floor(position)
    above = min(below + 1, len(ordered) - 1)
    fraction = position - below
    return ordered[below] + (ordered[above] - ordered[below]) * fraction


def check_confidence(confidence: float) -> None:
    """Raise ValueError unless 0 < confidence < 1."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")


def _student_t_two_sided_tail(t: float, df: float) -> float:
    """P(|T| > t) for t >= 0, computed without cancellation for small and large t."""
    t_squared = t * t
    x = df / (df + t_squared)
    one_minus_x = t_squared / (df + t_squared)
    return _regularized_incomplete_beta(df / 2.0, 0.5, x, one_minus_x)


def _regularized_incomplete_beta(a: float, b: float, x: float, one_minus_x: float) -> float:
    """I_x(a, b), with 1 - x passed in exactly so that x near 1 keeps its precision."""
    if x <= 0.0:
        return 0.0
    if one_minus_x <= 0.0:
        return 1.0
    log_x = math.log1p(-one_minus_x) if one_minus_x < 0.5 else math.log(x)
    log_one_minus_x = math.log1p(-x) if x < 0.5 else math.log(one_minus_x)
    log_front = a * log_x + b * log_one_minus_x - _log_beta(a, b)
    # The continued fraction converges fast only below the mean a / (a + b); use the
    # symmetry I_x(a, b) = 1 - I_{1-x}(b, a) above it.
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _beta_continued_fraction(a, b, x) / a
    return 1.0 - math.exp(log_front) * _beta_continued_fraction(b, a, one_minus_x) / b


def _log_beta(a: float, b: float) -> float:
    """ln B(a, b), keeping its precision when one argument is large (t with many df)."""
    small, large = min(a, b), max(a, b)
    if large < 100.0:
        return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
    return math.lgamma(small) - _log_gamma_ratio(large, small)


def _log_gamma_ratio(z: float, b: float) -> float:
    """ln Gamma(z + b) - ln Gamma(z) for z >= 100, from the difference of the two Stirling
    series, so the two huge ln Gamma values never cancel (Abramowitz & Stegun 6.1.40)."""
    difference = b * math.log(z) + (z + b - 0.5) * math.log1p(b / z) - b
    for coefficient, power in ((1 / 12, 1), (-1 / 360, 3), (1 / 1260, 5), (-1 / 1680, 7)):
        difference += coefficient * ((z + b) ** -power - z**-power)
    return difference


def _beta_continued_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of I_x(a, b) by the modified Lentz method (Numerical Recipes 6.4)."""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > _CONTINUED_FRACTION_TINY else _CONTINUED_FRACTION_TINY)
    fraction = d
    for m in range(1, _CONTINUED_FRACTION_MAX_TERMS):
        for numerator in (
            m * (b - m) * x / ((qam + 2 * m) * (a + 2 * m)),
            -(a + m) * (qab + m) * x / ((a + 2 * m) * (qap + 2 * m)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > _CONTINUED_FRACTION_TINY else _CONTINUED_FRACTION_TINY)
            c = 1.0 + numerator / c
            c = c if abs(c) > _CONTINUED_FRACTION_TINY else _CONTINUED_FRACTION_TINY
            fraction *= d * c
        if abs(d * c - 1.0) < _CONTINUED_FRACTION_EPS:
            return fraction
    raise ArithmeticError(f"incomplete beta continued fraction did not converge (a={a}, b={b}, x={x})")
