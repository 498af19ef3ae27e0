"""Inspect entry point: importing this module registers whylab's tasks, scorers and providers."""

from whylab.agent.task import agentic_misalignment
from whylab.judges.scorer import action_judge
from whylab.models import mock_offline

mock_offline.install()

__all__ = ["action_judge", "agentic_misalignment"]
