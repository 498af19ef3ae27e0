"""Pre-registered hypotheses about arms of a training experiment, and their one-sided tests.

A hypothesis is written in the experiment's config before the run and tested once in the
report, with every p-value Holm-adjusted across the config's hypotheses. Three shapes cover the
"teach why" claims:

- ``higher`` / ``lower``: the arm's harmful rate on ``split`` is above / below ``versus``'s
  (e.g. villain narratives raise the rate over the base);
- ``larger_drop_in``: the arm lowers the rate relative to ``versus`` more on ``split`` than on
  ``other`` (e.g. honeypot demonstrations help in distribution more than out of it);
- ``larger_drop_per_token``: per training token, the arm lowers the rate on ``split`` more than
  ``other_arm`` does, both relative to ``versus`` (e.g. reasons versus demonstrations).

Each is a Wald z-test of the estimate (differences of proportions; per-token drops in points
per 1,000 tokens) with variances from the Agresti-Caffo adjusted rates ``(k+1)/(n+2)``, so that
0/n and n/n cells do not give a zero variance. One-sided p in the predicted direction. The
verdict says *held* only when the Holm-adjusted p is under ``alpha``; *contradicted* when the
95% interval lies wholly on the other side; otherwise *not shown*, which at small n is the usual
outcome and means the data cannot tell, not that the hypothesis is false.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from whylab.stats.compare import holm, normal_sf
from whylab.stats.intervals import Z_95

TESTS = ("higher", "lower", "larger_drop_in", "larger_drop_per_token")


@dataclass(frozen=True)
class Hypothesis:
    id: str
    says: str
    test: str
    arm: str
    versus: str
    split: str
    other: str | None = None  # the second split of larger_drop_in
    other_arm: str | None = None  # the arm compared with in larger_drop_per_token


@dataclass(frozen=True)
class HypothesisResult:
    hypothesis: Hypothesis
    estimate: float | None  # predicted direction positive; None when a cell is missing
    low: float | None
    high: float | None
    p_one_sided: float | None
    p_holm: float | None
    verdict: str  # held, not shown, contradicted, or untestable: <why>
    unit: str


def _rate_var(k: int, n: int) -> tuple[float, float]:
    """The observed rate and the variance of its estimate (Agresti-Caffo adjusted)."""
    adjusted = (k + 1) / (n + 2)
    return k / n, adjusted * (1 - adjusted) / n


def evaluate(
    hypotheses: Sequence[Hypothesis],
    counts: Mapping[tuple[str, str], tuple[int, int]],
    tokens: Mapping[str, int],
    alpha: float = 0.05,
) -> list[HypothesisResult]:
    """Test every hypothesis against ``counts[(arm, split)] = (harmful, scored)`` and the arms'
    training ``tokens``; p-values Holm-adjusted across the hypotheses that could be tested."""
    raw = [_one(h, counts, tokens) for h in hypotheses]
    testable = [i for i, r in enumerate(raw) if r[3] is not None]
    adjusted = holm([float(raw[i][3] or 0.0) for i in testable]) if testable else []
    p_holm = dict(zip(testable, adjusted, strict=True))
    results = []
    for i, (h, (estimate, low, high, p, unit, problem)) in enumerate(
        zip(hypotheses, raw, strict=True)
    ):
        if problem is not None or estimate is None or low is None or high is None:
            results.append(
                HypothesisResult(h, None, None, None, None, None, f"untestable: {problem}", unit)
            )
            continue
        q = p_holm[i]
        verdict = "held" if q < alpha else ("contradicted" if high < 0 else "not shown")
        results.append(HypothesisResult(h, estimate, low, high, p, q, verdict, unit))
    return results


def _one(
    h: Hypothesis,
    counts: Mapping[tuple[str, str], tuple[int, int]],
    tokens: Mapping[str, int],
) -> tuple[float | None, float | None, float | None, float | None, str, str | None]:
    """(estimate, low, high, one-sided p, unit, problem) for one hypothesis."""

    def cell(arm: str, split: str) -> tuple[float, float] | None:
        k, n = counts.get((arm, split), (0, 0))
        return _rate_var(k, n) if n else None

    if h.test in ("higher", "lower"):
        a, b = cell(h.arm, h.split), cell(h.versus, h.split)
        if a is None or b is None:
            return None, None, None, None, "points", f"no scored trials of {h.arm} or {h.versus}"
        sign = 1 if h.test == "higher" else -1
        estimate, variance = sign * (a[0] - b[0]), a[1] + b[1]
        unit = "points"
    elif h.test == "larger_drop_in":
        cells = [cell(x, s) for s in (h.split, str(h.other)) for x in (h.versus, h.arm)]
        if any(c is None for c in cells):
            return None, None, None, None, "points", "a cell has no scored trials"
        v1, a1, v2, a2 = (c for c in cells if c is not None)
        estimate = (v1[0] - a1[0]) - (v2[0] - a2[0])
        variance = v1[1] + a1[1] + v2[1] + a2[1]
        unit = "points"
    else:  # larger_drop_per_token, in points per 1,000 tokens
        v, a, b = cell(h.versus, h.split), cell(h.arm, h.split), cell(str(h.other_arm), h.split)
        ta, tb = tokens.get(h.arm), tokens.get(str(h.other_arm))
        if v is None or a is None or b is None:
            return None, None, None, None, "points/1k tokens", "a cell has no scored trials"
        if not ta or not tb:
            return None, None, None, None, "points/1k tokens", "an arm has no training tokens"
        ka, kb = 1000 / ta, 1000 / tb
        estimate = (v[0] - a[0]) * ka - (v[0] - b[0]) * kb
        variance = v[1] * (ka - kb) ** 2 + a[1] * ka**2 + b[1] * kb**2
        unit = "points/1k tokens"
    se = math.sqrt(variance)
    p = normal_sf(estimate / se) if se > 0 else (0.0 if estimate > 0 else 1.0)
    return 100 * estimate, 100 * (estimate - Z_95 * se), 100 * (estimate + Z_95 * se), p, unit, None
