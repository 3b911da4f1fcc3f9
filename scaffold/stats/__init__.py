"""The statistics behind the diff view (DESIGN 4): pure functions on numbers, standard
library only, so they import fast and scipy is needed only by the tests that check them.

- `per_group`: Wilson interval of a pass rate; pass@k and pass^k.
- `paired`: A vs B on the same cases — paired difference (optionally clustered), McNemar's
  exact and mid-p, paired bootstrap of a relative difference, cases needed, Holm's adjustment.
- `sequential`: the anytime-valid test and confidence sequence for monitoring a run.
- `quantiles`: normal and Student t quantiles, sample percentiles (p50/p95 latency).
"""

from scaffold.stats.paired import (
    PairedDifference,
    cases_needed,
    holm_adjust,
    mcnemar_exact_p,
    mcnemar_mid_p,
    paired_bootstrap_relative_delta,
    paired_difference,
)
from scaffold.stats.per_group import mean_pass_at_k, mean_pass_hat_k, pass_at_k, pass_hat_k, wilson_interval
from scaffold.stats.quantiles import (
    normal_quantile,
    percentile,
    student_t_cdf,
    student_t_quantile,
    two_sided_normal_quantile,
)

__all__ = [
    "PairedDifference",
    "cases_needed",
    "holm_adjust",
    "mcnemar_exact_p",
    "mcnemar_mid_p",
    "mean_pass_at_k",
    "mean_pass_hat_k",
    "normal_quantile",
    "paired_bootstrap_relative_delta",
    "paired_difference",
    "pass_at_k",
    "pass_hat_k",
    "percentile",
    "student_t_cdf",
    "student_t_quantile",
    "two_sided_normal_quantile",
    "wilson_interval",
]
