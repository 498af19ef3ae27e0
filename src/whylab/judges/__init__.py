"""Judges: decide harm from what the agent did, with evidence; analyse its reasoning.

Modules: ``rules`` (action-based judge), ``grader`` (LLM grader), ``combine`` (policies),
``reasoning`` (reasoning analysis), ``scorer`` (Inspect scorers), ``external`` (JSONL files),
``validate`` (gold-set measurement). Nothing is imported here, so that light users (the CLI's
argument parser) do not pay for Inspect.
"""
