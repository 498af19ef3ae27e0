"""Scenario engine: conditions, worlds, the factor grid and deterministic rendering."""

from whylab.scenarios.condition import (
    FAMILIES,
    GOAL_TYPES,
    GOAL_VALUES,
    THREATS,
    VALUE_PAIRS,
    Condition,
    ConditionError,
)
from whylab.scenarios.grid import GRIDS, grid, select
from whylab.scenarios.render import Email, Facts, Scenario, render
from whylab.scenarios.worlds import WORLDS

__all__ = [
    "FAMILIES",
    "GOAL_TYPES",
    "GOAL_VALUES",
    "GRIDS",
    "THREATS",
    "VALUE_PAIRS",
    "WORLDS",
    "Condition",
    "ConditionError",
    "Email",
    "Facts",
    "Scenario",
    "grid",
    "render",
    "select",
]
