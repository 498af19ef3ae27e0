"""Measure the judges against the hand-labelled gold set shipped with whylab.

Each gold item is a reply written for a real condition and seed, labelled by a person with the
harm categories it commits (see ``gold/README.md``). A judge's predictions per category are
compared with the labels: a confusion table, precision, recall, F1 and Cohen's kappa, plus the
ids it got wrong, so a rule change can be checked against every hard case at once.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

from inspect_ai.model import Model

from whylab.agent.parsing import parse_reply
from whylab.judges.grader import CATEGORIES_BY_FAMILY, grade, grader_names, majority
from whylab.judges.rules import RULES, judge
from whylab.scenarios import Condition, ConditionError, Facts, render
from whylab.stats import cohen_kappa

ANY = "any_harm"
_FIELDS = {
    "id": str,
    "condition_id": str,
    "seed": int,
    "response": str,
    "categories": list,
    "case": str,
    "hard": bool,
    "note": str,
}


class GoldError(ValueError):
    """The gold file breaks its schema; the message names the line and the field."""


@dataclass(frozen=True)
class GoldItem:
    id: str
    condition_id: str
    seed: int
    response: str
    categories: frozenset[str]
    case: str
    hard: bool
    note: str

    @cached_property
    def facts(self) -> Facts:
        return render(Condition.from_id(self.condition_id), self.seed).facts


def default_gold_path() -> Path:
    return Path(str(resources.files("whylab.judges").joinpath("gold/gold.jsonl")))


def load_gold(path: Path | None = None) -> list[GoldItem]:
    """Read and check the gold file: every field present and typed, ids unique, ids renderable."""
    path = path or default_gold_path()
    items: list[GoldItem] = []
    seen: set[str] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            raise GoldError(f"{path}:{number}: blank line")
        try:
            data = json.loads(line)
        except json.JSONDecodeError as error:
            raise GoldError(f"{path}:{number}: not valid JSON ({error})") from None
        items.append(_item(data, f"{path}:{number}", seen))
    if not items:
        raise GoldError(f"{path}: no gold items")
    return items


def _item(data: Any, where: str, seen: set[str]) -> GoldItem:
    if not isinstance(data, dict):
        raise GoldError(f"{where}: a gold line must be a JSON object")
    for name, kind in _FIELDS.items():
        value = data.get(name)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise GoldError(f"{where}: field {name!r} must be a {kind.__name__}, got {value!r}")
    if data["id"] in seen:
        raise GoldError(f"{where}: id {data['id']!r} is used twice")
    seen.add(data["id"])
    unknown = [c for c in data["categories"] if c not in RULES]
    if unknown:
        raise GoldError(f"{where}: unknown categories {unknown}; use {', '.join(RULES)}")
    try:
        condition = Condition.from_id(data["condition_id"])
    except ConditionError as error:
        raise GoldError(f"{where}: field 'condition_id': {error}") from None
    possible = CATEGORIES_BY_FAMILY[condition.family]
    if not set(data["categories"]) <= set(possible):
        raise GoldError(
            f"{where}: categories {data['categories']} cannot happen in the {condition.family} "
            f"family (possible: {', '.join(possible)})"
        )
    return GoldItem(
        data["id"],
        data["condition_id"],
        data["seed"],
        data["response"],
        frozenset(data["categories"]),
        data["case"],
        data["hard"],
        data["note"],
    )


# A prediction per item: the categories judged harmful, and those the judge could not score.
Prediction = tuple[frozenset[str], frozenset[str]]


def predict_rules(items: Sequence[GoldItem]) -> dict[str, Prediction]:
    """The action-based rules' categories for each item (unscored replies count as unscored)."""
    predictions: dict[str, Prediction] = {}
    for item in items:
        verdict = judge(item.response, parse_reply(item.response), item.facts)
        possible = frozenset(CATEGORIES_BY_FAMILY[item.facts.family])
        if verdict.harmful is None:
            predictions[item.id] = (frozenset(), possible)
        else:
            predictions[item.id] = (frozenset(verdict.fired), frozenset())
    return predictions


async def _grade_all(
    items: Sequence[GoldItem], graders: Sequence[Model]
) -> dict[str, dict[str, list[Any]]]:
    graded: dict[str, dict[str, list[Any]]] = {}
    names = grader_names(list(graders))
    for item in items:
        facts, parsed = item.facts, parse_reply(item.response)
        graded[item.id] = {
            category: [
                await grade(m, category, facts, parsed, item.response, name)
                for m, name in zip(graders, names, strict=True)
            ]
            for category in CATEGORIES_BY_FAMILY[facts.family]
        }
    return graded


def predict_graders(
    items: Sequence[GoldItem], graders: Sequence[Model]
) -> dict[str, dict[str, Prediction]]:
    """Per grader (and their majority when there are several): each item's prediction."""
    graded = asyncio.run(_grade_all(items, graders))
    by_judge: dict[str, dict[str, Prediction]] = {}
    for index, name in enumerate(grader_names(list(graders))):
        by_judge[f"grader {name}"] = {
            item_id: _prediction({c: (vs[index].harmful, None) for c, vs in cats.items()})
            for item_id, cats in graded.items()
        }
    if len(graders) > 1:
        by_judge["graders (majority)"] = {
            item_id: _prediction({c: majority(vs) for c, vs in cats.items()})
            for item_id, cats in graded.items()
        }
    return by_judge


def _prediction(votes: dict[str, tuple[bool | None, str | None]]) -> Prediction:
    return (
        frozenset(c for c, (h, _) in votes.items() if h),
        frozenset(c for c, (h, _) in votes.items() if h is None),
    )


@dataclass
class Confusion:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    unscored: int = 0
    truth: list[bool] = field(default_factory=list)
    guess: list[bool] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)

    def add(self, item_id: str, truth: bool, guess: bool | None) -> None:
        if guess is None:
            self.unscored += 1
            return
        self.truth.append(truth)
        self.guess.append(guess)
        if truth and guess:
            self.tp += 1
        elif guess:
            self.fp += 1
            self.wrong.append(f"{item_id}(FP)")
        elif truth:
            self.fn += 1
            self.wrong.append(f"{item_id}(FN)")
        else:
            self.tn += 1

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None and r is None:  # no positives in the labels and none predicted
            return None
        if not p or not r:
            return 0.0
        return 2 * p * r / (p + r)

    @property
    def kappa(self) -> float | None:
        """None when no item is positive in labels or predictions: agreement on "nothing" says
        nothing about the judge."""
        return cohen_kappa(self.truth, self.guess) if self.tp + self.fp + self.fn else None


def confusions(
    items: Sequence[GoldItem], predictions: dict[str, Prediction]
) -> dict[str, Confusion]:
    """Per category and for "any harm": the judge's predictions against the gold labels."""
    table = {c: Confusion() for c in (*RULES, ANY)}
    for item in items:
        harmful, unscored = predictions[item.id]
        for category in CATEGORIES_BY_FAMILY[item.facts.family]:
            # Only items whose family can have the category: the others would be free true
            # negatives that inflate kappa for a judge that says "harmful" to everything.
            guess = None if category in unscored else category in harmful
            table[category].add(item.id, category in item.categories, guess)
        any_guess = True if harmful else (None if unscored else False)
        table[ANY].add(item.id, bool(item.categories), any_guess)
    return table


def format_confusions(title: str, table: dict[str, Confusion]) -> str:
    def show(x: float | None) -> str:
        return "-" if x is None else f"{x:.3f}"

    lines = [
        title,
        f"{'category':<20} {'TP':>4} {'FP':>4} {'FN':>4} {'TN':>4} {'unscored':>8} "
        f"{'precision':>9} {'recall':>7} {'F1':>6} {'kappa':>6}",
    ]
    for category, c in table.items():
        lines.append(
            f"{category:<20} {c.tp:>4} {c.fp:>4} {c.fn:>4} {c.tn:>4} {c.unscored:>8} "
            f"{show(c.precision):>9} {show(c.recall):>7} {show(c.f1):>6} {show(c.kappa):>6}"
        )
    for category, c in table.items():
        if c.wrong and category != ANY:
            lines.append(f"  {category} wrong: {', '.join(c.wrong)}")
    return "\n".join(lines)
