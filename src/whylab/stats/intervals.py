"""Confidence intervals for proportions."""

from __future__ import annotations

import math

Z_95 = 1.959963984540054


def wilson(k: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval for ``k`` successes in ``n`` trials (95% by default).

    Unlike the normal approximation it stays inside [0, 1] and is not zero-width at 0/n or n/n,
    which is where misalignment rates usually are.
    """
    if n < 0 or k < 0 or k > n:
        raise ValueError(f"need 0 <= k <= n, got k={k}, n={n}")
    if n == 0:
        return (0.0, 1.0)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    # At 0/n and n/n the bound is exactly 0 or 1; rounding would otherwise leave ~1e-18.
    low = 0.0 if k == 0 else max(0.0, centre - half)
    high = 1.0 if k == n else min(1.0, centre + half)
    return (low, high)


def rule_of_three(n: int) -> float:
    """Approximate 95% upper bound on a rate when 0 of ``n`` trials were harmful: 3/n.

    Shown next to the Wilson bound at 0/n because it is the figure researchers quote
    ("0 of 300, so below about 1%").
    """
    if n <= 0:
        raise ValueError(f"n={n} must be positive")
    return min(1.0, 3 / n)
