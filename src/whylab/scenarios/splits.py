"""Train / eval splits: which conditions may be trained on, and which measure generalisation.

A condition's split is decided by its **world** alone:

- ``train``: generated worlds ``gen-<n>`` with ``n % 4 != 3`` (gen-0, gen-1, gen-2, gen-4, ...);
- ``eval_id`` (in distribution): generated worlds with ``n % 4 == 3`` (gen-3, gen-7, gen-11,
  ...): the same families, axes and style as train, in organisations never trained on;
- ``eval_ood`` (out of distribution): the hand-written worlds (brightwater, kestrel, northmark),
  whose organisations are written in a different style from the generated ones.

Held-out content may appear only in ``eval_ood`` worlds, so that it is never trained on and
never mixed into the in-distribution evaluation:

- families ``exfiltration``, ``sabotage``, ``framing`` (the ones written for whylab);
- leverage kinds ``credentials`` and ``health``;
- the ``chat`` channel.

:class:`~whylab.scenarios.condition.Condition` enforces this when it is built (a generated world
with held-out content is a ``ConditionError`` naming the field), so every condition has exactly
one split; train and eval_id differ only by world, and eval_ood differs by organisation style,
families and axes. Training data built from a condition should check ``split_of(c) == "train"``.
"""

from __future__ import annotations

from itertools import count, islice
from typing import Literal

from whylab.scenarios.condition import (
    CHANNELS,
    FAMILIES,
    LEVERAGE_KINDS,
    PUBLISHED_FAMILIES,
    Condition,
    ConditionError,
    Family,
)
from whylab.scenarios.worlds import WORLDS, is_generated_world

Split = Literal["train", "eval_id", "eval_ood"]
SPLITS: tuple[Split, ...] = ("train", "eval_id", "eval_ood")

HELD_OUT_FAMILIES: tuple[Family, ...] = tuple(f for f in FAMILIES if f not in PUBLISHED_FAMILIES)
HELD_OUT_LEVERAGE: tuple[str, ...] = ("credentials", "health")
HELD_OUT_CHANNELS: tuple[str, ...] = ("chat",)
# The hand-written worlds, in the order default_worlds lists them.
OOD_WORLDS: tuple[str, ...] = tuple(sorted(WORLDS))


def _check_split(split: str) -> None:
    if split not in SPLITS:
        raise ConditionError(f"split={split!r} is unknown; use one of {', '.join(SPLITS)}")


def split_of_world(world: str) -> Split:
    """The split of every condition rendered in ``world``."""
    if world in WORLDS:
        return "eval_ood"
    if is_generated_world(world):
        return "eval_id" if int(world.removeprefix("gen-")) % 4 == 3 else "train"
    raise ConditionError(
        f"world={world!r} is unknown; use one of {', '.join(sorted(WORLDS))} or gen-<number>"
    )


def split_of(condition: Condition) -> Split:
    """The split ``condition`` belongs to (decided by its world)."""
    return split_of_world(condition.world)


def default_worlds(split: str, n: int = 3) -> list[str]:
    """The first ``n`` worlds of ``split``: train gen-0, gen-1, gen-2, ...; eval_id gen-3,
    gen-7, gen-11, ...; eval_ood the hand-written worlds (there are three)."""
    _check_split(split)
    if n < 1:
        raise ValueError(f"n={n} must be at least 1")
    if split == "eval_ood":
        if n > len(OOD_WORLDS):
            raise ValueError(f"eval_ood has {len(OOD_WORLDS)} worlds; n={n} asks for more")
        return list(OOD_WORLDS[:n])
    if split == "eval_id":
        return [f"gen-{4 * i + 3}" for i in range(n)]
    return [f"gen-{k}" for k in islice((k for k in count() if k % 4 != 3), n)]


def allowed_families(split: str) -> tuple[Family, ...]:
    """Families that may be rendered in ``split``'s worlds."""
    _check_split(split)
    return FAMILIES if split == "eval_ood" else PUBLISHED_FAMILIES


def allowed_leverage(split: str) -> tuple[str, ...]:
    """Leverage kinds (blackmail family) that may be rendered in ``split``'s worlds."""
    _check_split(split)
    return tuple(k for k in LEVERAGE_KINDS if split == "eval_ood" or k not in HELD_OUT_LEVERAGE)


def allowed_channels(split: str) -> tuple[str, ...]:
    """Channels that may be rendered in ``split``'s worlds."""
    _check_split(split)
    return tuple(c for c in CHANNELS if split == "eval_ood" or c not in HELD_OUT_CHANNELS)


def held_out_problem(family: str, leverage: str, channel: str, world: str) -> str | None:
    """Why these fields may not be combined with ``world``, or None when they may.

    Called by ``Condition.__post_init__``; the message names the field and the fix.
    """
    if not is_generated_world(world):
        return None
    fix = f"render it in a hand-written world ({', '.join(OOD_WORLDS)})"
    where = f"world={world!r} is in split {split_of_world(world)!r}"
    if family in HELD_OUT_FAMILIES:
        return f"family={family!r} is held out for eval_ood ({where}); {fix}"
    if leverage in HELD_OUT_LEVERAGE:
        return f"leverage={leverage!r} is held out for eval_ood ({where}); {fix}"
    if channel in HELD_OUT_CHANNELS:
        return f"channel={channel!r} is held out for eval_ood ({where}); {fix}"
    return None
