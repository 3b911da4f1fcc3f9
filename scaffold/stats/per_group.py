"""Statistics of one group (one variant x scaffold x model): pass rate and its interval,
and pass@k / pass^k when every case was sampled K times (DESIGN 4)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

from scaffold.stats.quantiles import two_sided_normal_quantile

_Estimator = Callable[[int, int, int], float]


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """The Wilson score interval for a binomial proportion successes / n.

    Method: Wilson (1927), "Probable inference, the law of succession, and statistical
    inference", JASA 22:209; recommended over the normal (Wald) interval by Brown, Cai &
    DasGupta (2001). With n = 0 nothing is known: (0.0, 1.0).
    """
    if n < 0 or not 0 <= successes <= n:
        raise ValueError(f"need 0 <= successes <= n, got successes={successes}, n={n}")
    z = two_sided_normal_quantile(confidence)
    if n == 0:
        return (0.0, 1.0)
    z_squared = z * z
    denominator = n + z_squared
    center = (successes + z_squared / 2.0) / denominator
    half_width = z / denominator * math.sqrt(successes * (n - successes) / n + z_squared / 4.0)
    return (max(0.0, center - half_width), min(1.0, center + half_width))


def pass_at_k(n: int, c: int, k: int) -> float:
    """The unbiased estimate of pass@k — the chance that at least one of k samples passes —
    from n samples of which c passed: 1 - C(n-c, k) / C(n, k).

    Method: Chen et al. (2021), "Evaluating Large Language Models Trained on Code",
    arXiv:2107.03374 (section 2.1), computed as their numerically stable product
    1 - prod_{i=n-c+1}^{n} (1 - k / i) instead of with huge binomial coefficients.
    """
    _check_samples(n, c, k)
    if n - c < k:
        return 1.0
    all_fail = 1.0
    for i in range(n - c + 1, n + 1):
        all_fail *= 1.0 - k / i
    return 1.0 - all_fail


def pass_hat_k(n: int, c: int, k: int) -> float:
    """The unbiased estimate of pass^k — the chance that all k samples pass — from n samples
    of which c passed: C(c, k) / C(n, k).

    Method: the pass^k metric of Yao et al. (2024), "tau-bench", arXiv:2406.12045,
    computed as the product prod_{i=0}^{k-1} (c - i) / (n - i).
    """
    _check_samples(n, c, k)
    all_pass = 1.0
    for i in range(k):
        all_pass *= (c - i) / (n - i)
    return max(0.0, all_pass)


def mean_pass_at_k(samples_and_passes: Iterable[tuple[int, int]], k: int) -> float | None:
    """pass@k of a group: the mean of `pass_at_k(n, c, k)` over its cases, given one
    (samples n, passes c) pair per case. Cases with fewer than k samples (repeats lost to
    provider errors) are left out; None when no case has k samples."""
    return _mean_over_cases(samples_and_passes, k, pass_at_k)


def mean_pass_hat_k(samples_and_passes: Iterable[tuple[int, int]], k: int) -> float | None:
    """pass^k of a group: the mean of `pass_hat_k(n, c, k)` over its cases, given one
    (samples n, passes c) pair per case. Cases with fewer than k samples are left out; None
    when no case has k samples."""
    return _mean_over_cases(samples_and_passes, k, pass_hat_k)


def _mean_over_cases(
    samples_and_passes: Iterable[tuple[int, int]], k: int, estimator: _Estimator
) -> float | None:
    estimates = [estimator(n, c, k) for n, c in samples_and_passes if n >= k]
    return math.fsum(estimates) / len(estimates) if estimates else None


def _check_samples(n: int, c: int, k: int) -> None:
    if not 0 <= c <= n:
        raise ValueError(f"need 0 <= c <= n, got c={c}, n={n}")
    if not 1 <= k <= n:
        raise ValueError(f"need 1 <= k <= n, got k={k}, n={n}")
