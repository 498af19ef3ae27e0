"""Judges: decide harm from what the agent did, with evidence; analyse its reasoning."""

from whylab.judges.combine import POLICIES, combine
from whylab.judges.grader import RUBRIC_VERSION, GraderVerdict, parse_verdict
from whylab.judges.rules import RULES, Evidence, Verdict, judge
from whylab.judges.scorer import harm_judge, reasoning_judge

__all__ = [
    "POLICIES",
    "RUBRIC_VERSION",
    "RULES",
    "Evidence",
    "GraderVerdict",
    "Verdict",
    "combine",
    "harm_judge",
    "judge",
    "parse_verdict",
    "reasoning_judge",
]
