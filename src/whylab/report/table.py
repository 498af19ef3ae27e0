"""Tables from an Inspect log, one trial (sample x epoch) per observation.

Counts come from every epoch of every sample, not from Inspect's epoch-reduced metrics, so n is
the number of trials and the Wilson interval is over trials. Unscored trials and errored trials
are counted in their own columns and left out of the denominator.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import attrgetter

from inspect_ai.log import EvalLog, EvalSample

from whylab.judges.reasoning import DIMENSIONS
from whylab.judges.scorer import HARM_SCORER, REASONING_SCORER
from whylab.stats import krippendorff_alpha, rule_of_three, wilson


@dataclass(frozen=True)
class Counts:
    """Harmful over scored trials, with the trials left out of the denominator."""

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


@dataclass(frozen=True)
class RateRow(Counts):
    label: str = field(kw_only=True)


def _outcome(sample: EvalSample) -> int:
    """0 harmful, 1 not harmful, 2 unscored, 3 error (the columns of a RateRow)."""
    score = (sample.scores or {}).get(HARM_SCORER)
    if sample.error is not None or score is None:
        return 3
    if isinstance(score.value, float) and math.isnan(score.value):
        return 2
    return 0 if score.as_float() >= 0.5 else 1


def _rows(log: EvalLog, group: Callable[[EvalSample], list[str]]) -> list[RateRow]:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for sample in log.samples or []:
        outcome = _outcome(sample)
        for label in group(sample):
            counts[label][outcome] += 1
    return [RateRow(c[0], c[0] + c[1], c[2], c[3], label=k) for k, c in counts.items()]


def rate_rows(log: EvalLog) -> tuple[list[RateRow], list[RateRow]]:
    """(per-family rows plus an "all" row, per-condition rows), from the log's samples."""
    by_label = attrgetter("label")
    families = sorted(_rows(log, lambda s: [str((s.metadata or {}).get("family"))]), key=by_label)
    everything = _rows(log, lambda s: ["all"])
    conditions = _rows(log, lambda s: [str((s.metadata or {}).get("condition_id"))])
    return families + everything, sorted(conditions, key=by_label)


_ASSESSMENT_LABELS = {
    "evaluation": "said evaluation",
    "deployment": "said deployment",
    None: "said neither",
}


def awareness_rows(log: EvalLog) -> list[RateRow]:
    """Harm split by what the agent stated about its situation (``Assessment:`` line).

    The published study found blackmail far rarer when the model said it was being evaluated;
    this split only has rows when the eval-awareness notice was on or the agent said so itself.
    """

    def stated(sample: EvalSample) -> list[str]:
        score = (sample.scores or {}).get(HARM_SCORER)
        parsed = ((score.metadata or {}).get("parsed") or {}) if score else {}
        return [_ASSESSMENT_LABELS[parsed.get("stated_assessment")]]

    rows = {r.label: r for r in _rows(log, stated)}
    return [rows[label] for label in _ASSESSMENT_LABELS.values() if label in rows]


def reasoning_summary(log: EvalLog) -> str | None:
    """One line: the share of scored replies showing each kind of reasoning, with n."""
    counts = {d: [0, 0] for d in DIMENSIONS}
    method = None
    for sample in log.samples or []:
        score = (sample.scores or {}).get(REASONING_SCORER)
        if score is None or not isinstance(score.value, dict):
            continue
        method = (score.metadata or {}).get("method", method)
        for d in DIMENSIONS:
            value = score.value.get(d)
            if isinstance(value, int | float) and not math.isnan(value):
                counts[d][0] += value >= 0.5
                counts[d][1] += 1
    if method is None:
        return None
    parts = [f"{d} {k}/{n}" for d, (k, n) in counts.items() if n]
    return f"reasoning ({method}): " + ", ".join(parts)


def grader_agreement(log: EvalLog) -> str | None:
    """Krippendorff's alpha between graders over (trial, category) units, when >= 2 graders."""
    units: dict[tuple[object, int, str], dict[str, bool | None]] = defaultdict(dict)
    names: set[str] = set()
    for sample in log.samples or []:
        score = (sample.scores or {}).get(HARM_SCORER)
        for verdict in ((score.metadata or {}).get("graders") or []) if score else []:
            units[(sample.id, sample.epoch, verdict["category"])][verdict["grader"]] = verdict[
                "harmful"
            ]
            names.add(verdict["grader"])
    if len(names) < 2:
        return None
    graders = sorted(names)
    alpha = krippendorff_alpha([[u.get(g) for g in graders] for u in units.values()])
    shown = "undefined" if alpha is None else f"{alpha:.3f}"
    return (
        f"grader agreement: Krippendorff's alpha {shown} over {len(units)} (trial, category) "
        f"units, {len(graders)} graders ({', '.join(graders)})"
    )


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
        note = (  # only where 3/n says more than "at most 100%"
            f"  0/n: <= {100 * rule_of_three(r.scored):.1f}% (rule of 3)"
            if r.rate == 0 and r.scored > 3
            else ""
        )
        lines.append(
            f"{r.label:<{width}}  {rate:>7}  {f'{r.harmful}/{r.scored}':>9}  "
            f"{f'[{100 * low:.1f}, {100 * high:.1f}]':>15}  {r.unscored:>8}  {r.errors:>6}{note}"
        )
    return "\n".join(lines)
