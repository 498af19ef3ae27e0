"""Statistics: intervals for rates."""

from whylab.stats.intervals import wilson

__all__ = ["wilson"]
