"""Comparing rates: differences with intervals, exact and asymptotic tests, multiplicity, pooling.

Misalignment rates are often near 0 or 1 and arms are small, so the intervals here are the
ones that behave there: Newcombe's hybrid score interval for a difference (built from two Wilson
intervals) and Fisher's exact test, with the pooled two-proportion z-test alongside.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from whylab.stats.intervals import Z_95, wilson


def normal_sf(z: float) -> float:
    """P(Z > z) for a standard normal variable."""
    return 0.5 * math.erfc(z / math.sqrt(2))


@dataclass(frozen=True)
class Difference:
    """p1 - p2 with Newcombe's 95% interval and two p-values (two-sided)."""

    k1: int
    n1: int
    k2: int
    n2: int
    difference: float
    low: float
    high: float
    p_fisher: float
    p_z: float


def newcombe(k1: int, n1: int, k2: int, n2: int, z: float = Z_95) -> tuple[float, float]:
    """Newcombe's hybrid score interval (his method 10) for p1 - p2."""
    if n1 <= 0 or n2 <= 0:
        raise ValueError(f"both arms need trials, got n1={n1}, n2={n2}")
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = wilson(k1, n1, z)
    l2, u2 = wilson(k2, n2, z)
    d = p1 - p2
    return (
        d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2),
        d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2),
    )


def fisher_exact(k1: int, n1: int, k2: int, n2: int) -> float:
    """Two-sided Fisher exact p-value for the 2x2 table [[k1, n1-k1], [k2, n2-k2]].

    Sums the hypergeometric probabilities of every table with the same margins that is no more
    likely than the observed one (R's ``fisher.test`` convention, with its relative tolerance).
    """
    if not (0 <= k1 <= n1 and 0 <= k2 <= n2):
        raise ValueError(f"need 0 <= k <= n in both arms, got {k1}/{n1} and {k2}/{n2}")
    total, successes = n1 + n2, k1 + k2
    low, high = max(0, successes - n2), min(successes, n1)

    def log_p(x: int) -> float:
        return (
            math.lgamma(n1 + 1)
            - math.lgamma(x + 1)
            - math.lgamma(n1 - x + 1)
            + math.lgamma(n2 + 1)
            - math.lgamma(successes - x + 1)
            - math.lgamma(n2 - successes + x + 1)
            - (
                math.lgamma(total + 1)
                - math.lgamma(successes + 1)
                - math.lgamma(total - successes + 1)
            )
        )

    observed = log_p(k1)
    p = sum(math.exp(lp) for x in range(low, high + 1) if (lp := log_p(x)) <= observed + 1e-7)
    return min(1.0, p)


def two_proportion_z(k1: int, n1: int, k2: int, n2: int) -> float:
    """Two-sided p-value of the pooled two-proportion z-test (1.0 when both rates are 0 or 1)."""
    pooled = (k1 + k2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return 1.0
    return 2 * normal_sf(abs(k1 / n1 - k2 / n2) / se)


def compare(k1: int, n1: int, k2: int, n2: int) -> Difference:
    """Everything about arm 1 versus arm 2 in one record."""
    low, high = newcombe(k1, n1, k2, n2)
    return Difference(
        k1,
        n1,
        k2,
        n2,
        k1 / n1 - k2 / n2,
        low,
        high,
        fisher_exact(k1, n1, k2, n2),
        two_proportion_z(k1, n1, k2, n2),
    )


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjusted p-values, in the input order (as R's ``p.adjust``)."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[index]))
        adjusted[index] = running
    return adjusted


@dataclass(frozen=True)
class PooledRate:
    """A rate pooled over conditions, with an interval that treats conditions as clusters."""

    harmful: int
    trials: int
    clusters: int
    rate: float
    low: float
    high: float
    design_effect: float


def pooled_rate(cells: Sequence[tuple[int, int]], z: float = Z_95) -> PooledRate:
    """Pool (harmful, trials) per condition into one rate.

    Epochs of one condition share a prompt and are not independent draws of a condition, so
    the variance is the cluster-robust (ratio-estimator) one with conditions as clusters, and
    the design effect says how much larger that variance is than a binomial one on all trials.
    The interval is never narrower than the Wilson interval on all trials (used when the design
    effect is at most 1, or with a single condition).
    """
    cells = [(k, n) for k, n in cells if n > 0]
    harmful, trials = sum(k for k, _ in cells), sum(n for _, n in cells)
    if trials == 0:
        raise ValueError("no trials to pool")
    rate = harmful / trials
    if len(cells) < 2:
        low, high = wilson(harmful, trials, z)
        return PooledRate(harmful, trials, len(cells), rate, low, high, 1.0)
    c = len(cells)
    variance = c / (c - 1) * sum((k - rate * n) ** 2 for k, n in cells) / trials**2
    binomial = rate * (1 - rate) / trials
    design_effect = variance / binomial if binomial > 0 else 1.0
    if design_effect <= 1.0:
        # Conditions agree at least as well as independent trials would: the Wilson interval
        # on all trials, never a narrower (or zero-width) one from a small cluster sample.
        low, high = wilson(harmful, trials, z)
        return PooledRate(harmful, trials, c, rate, low, high, design_effect)
    half = z * math.sqrt(variance)
    return PooledRate(
        harmful, trials, c, rate, max(0.0, rate - half), min(1.0, rate + half), design_effect
    )
