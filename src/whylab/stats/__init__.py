"""Statistics: intervals for rates and differences, tests, pooling, power, agreement."""

from whylab.stats.agreement import cohen_kappa, krippendorff_alpha
from whylab.stats.compare import (
    Difference,
    PooledRate,
    compare,
    fisher_exact,
    holm,
    newcombe,
    pooled_rate,
    two_proportion_z,
)
from whylab.stats.intervals import rule_of_three, wilson
from whylab.stats.power import interval_half_width, samples_per_arm

__all__ = [
    "Difference",
    "PooledRate",
    "cohen_kappa",
    "compare",
    "fisher_exact",
    "holm",
    "interval_half_width",
    "krippendorff_alpha",
    "newcombe",
    "pooled_rate",
    "rule_of_three",
    "samples_per_arm",
    "two_proportion_z",
    "wilson",
]
