"""Sample sizes for comparing two rates, and interval widths for planning."""

from __future__ import annotations

import math
from statistics import NormalDist

from whylab.stats.intervals import wilson


def samples_per_arm(p1: float, p2: float, alpha: float = 0.05, power: float = 0.8) -> int:
    """Trials per arm for a two-sided two-proportion test (normal approximation, no continuity
    correction; the formula behind the published planning numbers, e.g. 22% vs 15% -> 482)."""
    for name, value in (("p1", p1), ("p2", p2)):
        if not 0 < value < 1:
            raise ValueError(f"{name}={value} must be strictly between 0 and 1")
    if p1 == p2:
        raise ValueError("p1 and p2 are equal: no sample size detects no difference")
    if not (0 < alpha < 1 and 0 < power < 1):
        raise ValueError(f"alpha={alpha} and power={power} must be between 0 and 1")
    z_alpha = NormalDist().inv_cdf(1 - alpha / 2)
    z_beta = NormalDist().inv_cdf(power)
    mean = (p1 + p2) / 2
    numerator = z_alpha * math.sqrt(2 * mean * (1 - mean)) + z_beta * math.sqrt(
        p1 * (1 - p1) + p2 * (1 - p2)
    )
    return math.ceil(numerator**2 / (p1 - p2) ** 2)


def interval_half_width(p: float, n: int) -> float:
    """Half the width of the 95% Wilson interval for a rate ``p`` observed on ``n`` trials."""
    if n <= 0:
        raise ValueError(f"n={n} must be positive")
    low, high = wilson(round(p * n), n)
    return (high - low) / 2
