"""Agreement between raters (graders, or a judge and gold labels)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Sequence


def cohen_kappa(a: Sequence[Hashable], b: Sequence[Hashable]) -> float:
    """Cohen's kappa for two raters labelling the same items.

    1 is perfect agreement, 0 is what chance alone gives. When both raters give every item the
    same single label, agreement is perfect but kappa is undefined; 1.0 is returned then.
    """
    if len(a) != len(b):
        raise ValueError(f"raters labelled different numbers of items ({len(a)} and {len(b)})")
    if not a:
        raise ValueError("cohen_kappa needs at least one item")
    n = len(a)
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    count_a, count_b = Counter(a), Counter(b)
    expected = sum(count_a[k] * count_b[k] for k in count_a.keys() | count_b.keys()) / (n * n)
    if expected == 1.0:
        return 1.0
    return (observed - expected) / (1 - expected)


def krippendorff_alpha(units: Sequence[Sequence[Hashable | None]]) -> float | None:
    """Krippendorff's alpha for nominal labels; ``units[i]`` holds each rater's label for item i.

    ``None`` marks a missing label (a grader that failed on that item). Items with fewer than
    two labels carry no information and are skipped. Returns None when nothing is pairable.
    """
    coincidences: defaultdict[tuple[Hashable, Hashable], float] = defaultdict(float)
    for unit in units:
        values = [v for v in unit if v is not None]
        m = len(values)
        if m < 2:
            continue
        for i, x in enumerate(values):
            for j, y in enumerate(values):
                if i != j:
                    coincidences[(x, y)] += 1 / (m - 1)
    total = sum(coincidences.values())
    if total == 0:
        return None
    marginals: defaultdict[Hashable, float] = defaultdict(float)
    for (x, _), weight in coincidences.items():
        marginals[x] += weight
    observed_disagreement = sum(w for (x, y), w in coincidences.items() if x != y) / total
    expected_disagreement = sum(
        marginals[x] * marginals[y] for x in marginals for y in marginals if x != y
    ) / (total * (total - 1))
    if expected_disagreement == 0:
        return 1.0
    return 1 - observed_disagreement / expected_disagreement
