"""Inspect entry point: importing this module registers whylab's tasks, scorers and providers."""

from inspect_ai.model import ModelAPI, modelapi

from whylab.agent.benign import benign_tasks, task_completion
from whylab.agent.task import agentic_misalignment
from whylab.judges.scorer import harm_judge, reasoning_judge
from whylab.models import mock_offline

mock_offline.install()


@modelapi(name="whylab-local")
def whylab_local() -> type[ModelAPI]:
    """GGUF models run in-process with llama.cpp (imported only when used)."""
    from whylab.models.local import LocalModelAPI

    return LocalModelAPI


__all__ = [
    "agentic_misalignment",
    "benign_tasks",
    "harm_judge",
    "reasoning_judge",
    "task_completion",
    "whylab_local",
]
