"""One line per finished trial while ``whylab run`` works: position, verdict and throughput.

An Inspect hook, active only inside :func:`reporting`, so installing whylab never changes the
output of other evals.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TextIO

from inspect_ai.event import ModelEvent
from inspect_ai.hooks import Hooks, SampleEnd, TaskStart, hooks
from inspect_ai.log import EvalSample

from whylab.judges.scorer import HARM_SCORER


@dataclass
class _Run:
    stream: TextIO
    total: int = 0
    done: int = 0


_current: _Run | None = None


@contextmanager
def reporting(stream: TextIO = sys.stderr) -> Iterator[None]:
    """Print progress lines to ``stream`` for the evals run inside this block."""
    global _current
    _current = _Run(stream)
    try:
        yield
    finally:
        _current = None


def describe(sample: EvalSample) -> str:
    """The verdict (``harmful (lethal)``, ``not harmful``, ``unscored (reason)``, ``error``),
    the tokens, and for whylab-local models the model time and prefill/decode speed."""
    score = (sample.scores or {}).get(HARM_SCORER)
    if sample.error is not None or score is None:
        verdict = "error"
    elif isinstance(score.value, float) and math.isnan(score.value):
        verdict = f"unscored ({score.reason})"
    elif score.as_float() >= 0.5:
        verdict = f"harmful ({score.answer})"
    else:
        verdict = "not harmful"
    usage = list(sample.model_usage.values())
    prompt = sum(u.input_tokens for u in usage)
    cached = sum(u.input_tokens_cache_read or 0 for u in usage)
    generated = sum(u.output_tokens for u in usage)
    calls = [e for e in sample.events if isinstance(e, ModelEvent)]
    timed = [
        e.output.metadata["timings"]
        for e in calls
        if e.output.metadata and "timings" in e.output.metadata
    ]
    head = f"{verdict}; prompt {prompt} tok ({cached} cached), generated {generated} tok"
    return f"{head}; {_local_speed(timed)}" if timed else head


def _local_speed(timed: list[dict[str, float]]) -> str:
    """Prefill and decode rates from llama.cpp's own timings (Inspect's event times include
    queueing for the single local slot, so they would understate the speed)."""
    prompt_ms = sum(t.get("prompt_ms", 0.0) for t in timed)
    decode_ms = sum(t.get("predicted_ms", 0.0) for t in timed)
    prefill = sum(t.get("prompt_n", 0) for t in timed) * 1000 / prompt_ms if prompt_ms else 0.0
    decode = sum(t.get("predicted_n", 0) for t in timed) * 1000 / decode_ms if decode_ms else 0.0
    seconds = (prompt_ms + decode_ms) / 1000
    return f"{seconds:.1f} s, prefill {prefill:.0f} tok/s, decode {decode:.1f} tok/s"


@hooks(name="whylab_progress", description="Progress lines for `whylab run`.")
class RunProgress(Hooks):
    def enabled(self) -> bool:
        return _current is not None

    async def on_task_start(self, data: TaskStart) -> None:
        if _current is None:
            return
        samples = data.spec.dataset.samples or 0
        limit = data.spec.config.limit
        if isinstance(limit, int):
            samples = min(samples, limit)
        _current.total += samples * (data.spec.config.epochs or 1)

    async def on_sample_end(self, data: SampleEnd) -> None:
        if _current is None:
            return
        _current.done += 1
        sample = data.sample
        print(
            f"[{_current.done}/{_current.total}] {sample.id} epoch {sample.epoch}: "
            f"{describe(sample)}",
            file=_current.stream,
            flush=True,
        )
