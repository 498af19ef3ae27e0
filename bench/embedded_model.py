"""Benchmark the embedded model: provider overhead and prefix reuse, measured side by side.

    .venv/bin/python bench/embedded_model.py [--epochs 4] [--max-tokens 64]

1. Throughput on a real scenario prompt: llama.cpp called directly (the reference) vs the same
   request through Inspect and whylab's provider. Both run cold (no cached prefix), in
   alternation, and the ratio of their prefill and decode speeds is printed (target: >= 0.9).
2. N epochs of one condition through Inspect, with the prefix cache off (reference) and on.
   With reuse the prompt is processed once and each later epoch only generates; the ideal
   wall time is one prefill plus N generations. Printed: the speed-up and how close the cached
   run gets to that ideal.

Absolute times depend on the machine and its load; the ratios are the result.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from typing import Any

from inspect_ai import eval as inspect_eval
from inspect_ai.model import (
    ChatMessageSystem,
    ChatMessageUser,
    GenerateConfig,
    get_model,
)

from whylab import _registry  # noqa: F401  (registers whylab-local)
from whylab.agent.task import agentic_misalignment
from whylab.models.embedded import DEFAULT_MODEL, model_path
from whylab.models.local import DEFAULT_CONTEXT, engine
from whylab.scenarios import Condition, render

CONDITION = Condition("blackmail", "explicit", "safety", "replacement")


def _rates(timings: dict[str, Any]) -> tuple[float, float]:
    return timings["prompt_per_second"], timings["predicted_per_second"]


def _raw_server(threads: int) -> Any:
    """llama.cpp's server core with the provider's settings, called without whylab."""
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = str(model_path(DEFAULT_MODEL))
    params.n_ctx = DEFAULT_CONTEXT
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.verbosity = -1
    params.show_timings = False
    return xllamacpp.Server(params)


def throughput(rounds: int, max_tokens: int, threads: int) -> None:
    scenario = render(CONDITION, 0)
    raw_server = _raw_server(threads)
    model = get_model(
        f"whylab-local/{DEFAULT_MODEL}",
        config=GenerateConfig(temperature=0.0, max_tokens=max_tokens, seed=1),
        cache_ram_mib=0,
        n_threads=threads,
    )
    messages = [
        {"role": "system", "content": scenario.system_prompt},
        {"role": "user", "content": scenario.user_prompt},
    ]
    inspect_input = [
        ChatMessageSystem(content=scenario.system_prompt),
        ChatMessageUser(content=scenario.user_prompt),
    ]
    raw, ours = [], []
    for _ in range(rounds):
        response = raw_server.handle_chat_completions(
            {
                "messages": messages,
                "max_tokens": max_tokens,
                "temperature": 0.0,
                "seed": 1,
                "cache_prompt": False,
            }
        )
        raw.append(_rates(response["timings"]))
        output = asyncio.run(model.generate(inspect_input))
        assert output.metadata is not None
        ours.append(_rates(output.metadata["timings"]))
    for label, index in (("prefill", 0), ("decode", 1)):
        reference = statistics.median(r[index] for r in raw)
        provider = statistics.median(r[index] for r in ours)
        print(
            f"{label:8s} llama.cpp direct {reference:7.1f} tok/s | through whylab-local "
            f"{provider:7.1f} tok/s | ratio {provider / reference:.3f}"
        )


def _timed_eval(
    epochs: int, max_tokens: int, cache_ram_mib: int, threads: int
) -> tuple[float, int]:
    task = agentic_misalignment(
        family="blackmail",
        goal_type="explicit",
        goal_value="safety",
        threat="replacement",
        temperature=0.0,
        max_tokens=max_tokens,
    )
    start = time.perf_counter()
    (log,) = inspect_eval(
        task,
        model=f"whylab-local/{DEFAULT_MODEL}",
        model_args={"cache_ram_mib": cache_ram_mib, "n_threads": threads},
        epochs=epochs,
        display="none",
        log_dir="/tmp/whylab-bench-logs",
    )
    elapsed = time.perf_counter() - start
    assert log.status == "success", log.error
    cached = sum(
        u.input_tokens_cache_read or 0 for s in log.samples or [] for u in s.model_usage.values()
    )
    return elapsed, cached


def prefix_reuse(epochs: int, max_tokens: int, threads: int) -> None:
    scenario = render(CONDITION, 0)
    probe = engine(model_path(DEFAULT_MODEL), DEFAULT_CONTEXT, threads, 0)
    messages = [
        {"role": "system", "content": scenario.system_prompt},
        {"role": "user", "content": scenario.user_prompt},
    ]
    timings = probe.chat({"messages": messages, "max_tokens": max_tokens, "temperature": 0.0})[
        "timings"
    ]
    prefill_s, generate_s = timings["prompt_ms"] / 1000, timings["predicted_ms"] / 1000
    engine(model_path(DEFAULT_MODEL), DEFAULT_CONTEXT, threads, 1024)  # load before timing
    without, _ = _timed_eval(epochs, max_tokens, 0, threads)
    with_reuse, cached = _timed_eval(epochs, max_tokens, 1024, threads)
    ideal = prefill_s + epochs * generate_s
    print(
        f"{epochs} epochs: without reuse {without:.1f} s | with reuse {with_reuse:.1f} s "
        f"({cached} prompt tokens served from cache) | speed-up {without / with_reuse:.2f}x"
    )
    print(
        f"ideal (1 prefill {prefill_s:.1f} s + {epochs} x generation {generate_s:.1f} s) "
        f"{ideal:.1f} s | with reuse / ideal {with_reuse / ideal:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--max-tokens", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    print(f"model {DEFAULT_MODEL}; condition {CONDITION.id}; {args.threads} threads")
    throughput(args.rounds, args.max_tokens, args.threads)
    prefix_reuse(args.epochs, args.max_tokens, args.threads)


if __name__ == "__main__":
    main()
