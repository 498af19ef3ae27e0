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

from whylab.report.table import SCORER


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
    """``harmful (blackmail)``, ``not harmful`` or ``unscored (reason)`` plus tokens and tok/s."""
    score = (sample.scores or {}).get(SCORER)
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
    # Time inside generate calls, not the sample's wall time, which includes queueing for a
    # single local model slot behind other samples.
    seconds = sum(e.working_time or 0.0 for e in calls)
    return (
        f"{verdict}; prompt {prompt} tok ({cached} cached), generated {generated} tok "
        f"in {seconds:.1f} s of model time{_speed(calls, generated, seconds)}"
    )


def _speed(calls: list[ModelEvent], generated: int, seconds: float) -> str:
    """Prefill and decode tok/s from the provider's timings (whylab-local), else overall."""
    timed = [
        e.output.metadata["timings"]
        for e in calls
        if e.output.metadata and "timings" in e.output.metadata
    ]
    prompt_ms = sum(t.get("prompt_ms", 0.0) for t in timed)
    decode_ms = sum(t.get("predicted_ms", 0.0) for t in timed)
    if prompt_ms > 0 and decode_ms > 0:
        prefill = sum(t.get("prompt_n", 0) for t in timed) * 1000 / prompt_ms
        decode = sum(t.get("predicted_n", 0) for t in timed) * 1000 / decode_ms
        return f"; prefill {prefill:.0f} tok/s, decode {decode:.1f} tok/s"
    return f"; {generated / seconds:.1f} tok/s" if seconds > 0 else ""


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
