"""Statistics: intervals for rates, agreement between raters."""

from whylab.stats.agreement import cohen_kappa, krippendorff_alpha
from whylab.stats.intervals import wilson

__all__ = ["cohen_kappa", "krippendorff_alpha", "wilson"]
