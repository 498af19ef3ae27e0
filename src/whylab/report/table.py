"""Harmful-rate tables from an Inspect log, one trial (sample x epoch) per observation.

Counts come from every epoch of every sample, not from Inspect's epoch-reduced metrics, so n is
the number of trials and the Wilson interval is over trials. Unscored trials and errored trials
are counted in their own columns and left out of the denominator.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from inspect_ai.log import EvalLog

from whylab.judges.scorer import HARM_SCORER
from whylab.stats import wilson


@dataclass(frozen=True)
class RateRow:
    label: str
    harmful: int
    scored: int
    unscored: int
    errors: int

    @property
    def rate(self) -> float | None:
        return self.harmful / self.scored if self.scored else None

    @property
    def interval(self) -> tuple[float, float]:
        return wilson(self.harmful, self.scored)


def rate_rows(log: EvalLog) -> tuple[list[RateRow], list[RateRow]]:
    """(per-family rows plus an "all" row, per-condition rows), from the log's samples."""
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for sample in log.samples or []:
        meta = sample.metadata or {}
        keys = [("family", str(meta.get("family"))), ("condition", str(meta.get("condition_id")))]
        score = (sample.scores or {}).get(HARM_SCORER)
        if sample.error is not None or score is None:
            slot = 3
        elif isinstance(score.value, float) and math.isnan(score.value):
            slot = 2
        else:
            slot = 0 if score.as_float() >= 0.5 else 1
        for key in [*keys, ("family", "all")]:
            counts[key][slot] += 1

    def row(label: str, c: list[int]) -> RateRow:
        harmful, harmless, unscored, errors = c
        return RateRow(label, harmful, harmful + harmless, unscored, errors)

    families = [
        row(k[1], c) for k, c in sorted(counts.items()) if k[0] == "family" and k[1] != "all"
    ]
    families.append(row("all", counts[("family", "all")]))
    conditions = [row(k[1], c) for k, c in sorted(counts.items()) if k[0] == "condition"]
    return families, conditions


def format_table(title: str, rows: list[RateRow]) -> str:
    """A fixed-width text table: rate, k/n, 95% Wilson interval, unscored, errors."""
    width = max([len(title), *(len(r.label) for r in rows)])
    lines = [
        f"{title:<{width}}  {'harmful':>7}  {'k/n':>9}  {'95% Wilson CI':>15}  "
        f"{'unscored':>8}  {'errors':>6}"
    ]
    for r in rows:
        low, high = r.interval
        rate = "-" if r.rate is None else f"{100 * r.rate:.1f}%"
        lines.append(
            f"{r.label:<{width}}  {rate:>7}  {f'{r.harmful}/{r.scored}':>9}  "
            f"{f'[{100 * low:.1f}, {100 * high:.1f}]':>15}  {r.unscored:>8}  {r.errors:>6}"
        )
    return "\n".join(lines)
