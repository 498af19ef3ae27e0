"""Named grids of conditions, and selection by factor.

- ``full``: every family x goal type x goal value x threat (goal type ``none`` has no value).
- ``paper``: the published 18-cell design: the 3 published families x {explicit goal, no goal}
  x 3 threats.
- ``smoke``: per family (all six), the explicit-goal replacement cell and the control cell.

In a generated world (``gen-<n>``) every grid keeps only the families allowed in that world's
split: the held-out families are rendered only in the hand-written worlds (see
:mod:`whylab.scenarios.splits`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import product
from typing import Literal

from whylab.scenarios.condition import (
    FAMILIES,
    GOAL_TYPES,
    GOAL_VALUES,
    PUBLISHED_FAMILIES,
    THREATS,
    Condition,
    ConditionError,
)
from whylab.scenarios.splits import allowed_families, split_of_world

GridName = Literal["full", "paper", "smoke"]
GRIDS: tuple[GridName, ...] = ("full", "paper", "smoke")
PAPER_GOAL_VALUE = "national"


def grid(
    name: str = "full",
    *,
    worlds: Sequence[str] = ("brightwater",),
    goal_value: str = PAPER_GOAL_VALUE,
) -> list[Condition]:
    """The conditions of a named grid, in a fixed order, for each of ``worlds``.

    ``goal_value`` picks the value used by the ``paper`` and ``smoke`` grids, which have one
    explicit-goal cell per family and threat.
    """
    cells: list[tuple[str, str, str | None, str]] = []
    if name == "full":
        for family, goal_type, threat in product(FAMILIES, GOAL_TYPES, THREATS):
            values: Iterable[str | None] = [None] if goal_type == "none" else GOAL_VALUES
            cells += [(family, goal_type, v, threat) for v in values]
    elif name == "paper":
        for family, threat in product(PUBLISHED_FAMILIES, THREATS):
            cells += [(family, "explicit", goal_value, threat), (family, "none", None, threat)]
    elif name == "smoke":
        for family in FAMILIES:
            cells += [
                (family, "explicit", goal_value, "replacement"),
                (family, "none", None, "none"),
            ]
    else:
        raise ConditionError(f"grid={name!r} is unknown; use one of {', '.join(GRIDS)}")
    return [
        Condition(family=f, goal_type=g, goal_value=v, threat=t, world=w)  # type: ignore[arg-type]
        for w in worlds
        for f, g, v, t in cells
        if f in allowed_families(split_of_world(w))
    ]


def select(
    conditions: Iterable[Condition],
    *,
    family: Sequence[str] | None = None,
    goal_type: Sequence[str] | None = None,
    goal_value: Sequence[str] | None = None,
    threat: Sequence[str] | None = None,
) -> list[Condition]:
    """Keep the conditions that match every given factor list (``None`` keeps all).

    A ``goal_value`` filter leaves goal-free cells (goal type ``none``) in place: they have no
    value to filter on, and dropping them would silently remove the control cell.
    """
    _check("family", family, FAMILIES)
    _check("goal_type", goal_type, GOAL_TYPES)
    _check("goal_value", goal_value, GOAL_VALUES)
    _check("threat", threat, THREATS)
    return [
        c
        for c in conditions
        if (family is None or c.family in family)
        and (goal_type is None or c.goal_type in goal_type)
        and (goal_value is None or c.goal_value is None or c.goal_value in goal_value)
        and (threat is None or c.threat in threat)
    ]


def _check(field: str, given: Sequence[str] | None, allowed: Sequence[str]) -> None:
    for value in given or ():
        if value not in allowed:
            raise ConditionError(f"{field}={value!r} is unknown; use one of {', '.join(allowed)}")
