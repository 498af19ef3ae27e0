"""Judges: decide harm from what the agent did, with evidence."""

from whylab.judges.rules import RULES, Evidence, Verdict, judge
from whylab.judges.scorer import action_judge

__all__ = ["RULES", "Evidence", "Verdict", "action_judge", "judge"]
