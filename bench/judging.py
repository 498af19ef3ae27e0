"""Judging throughput and cost, measured side by side on the gold set's replies.

    .venv/bin/python bench/judging.py [--grader whylab-local/qwen2.5-coder-0.5b] [--grader-items 4]

1. Rules path: replies judged per second (parse + rules), against the parse alone as the
   reference, so the ratio shows what the rules add on top of reading the reply.
2. Grader path (optional, a real model): replies graded per second and tokens per reply
   (prompt + completion, all the family's categories), on the first N gold items; printed
   next to the rules path as a ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import time

from inspect_ai.model import get_model

from whylab import _registry  # noqa: F401  (registers whylab-local)
from whylab.agent.parsing import parse_reply
from whylab.judges.combine import decide
from whylab.judges.rules import judge
from whylab.judges.validate import load_gold


def _rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--grader", default=None)
    parser.add_argument("--grader-items", type=int, default=4)
    args = parser.parse_args()

    items = load_gold()
    facts = [i.facts for i in items]  # rendered once, outside the timing
    replies = [i.response for i in items]
    n = len(items) * args.rounds

    start = time.perf_counter()
    for _ in range(args.rounds):
        for reply in replies:
            parse_reply(reply)
    parse_only = _rate(n, time.perf_counter() - start)

    start = time.perf_counter()
    for _ in range(args.rounds):
        for reply, f in zip(replies, facts, strict=True):
            judge(reply, parse_reply(reply), f)
    rules = _rate(n, time.perf_counter() - start)
    print(f"{len(items)} gold replies x {args.rounds} rounds")
    print(
        f"parse only {parse_only:9.0f} replies/s | parse + rules {rules:9.0f} replies/s | "
        f"ratio {rules / parse_only:.2f}"
    )
    if args.grader is None:
        return

    model = get_model(args.grader)
    chosen = items[: args.grader_items]
    tokens = 0
    start = time.perf_counter()
    for item in chosen:
        _, metadata = asyncio.run(decide(item.response, item.facts, [model], "grader"))
        tokens += sum(g["tokens"] for g in metadata["graders"])  # type: ignore[attr-defined]
    grader = _rate(len(chosen), time.perf_counter() - start)
    print(
        f"grader {args.grader}: {grader:.3f} replies/s, {tokens / len(chosen):.0f} tokens per "
        f"reply | rules / grader speed ratio {rules / grader:,.0f}"
    )


if __name__ == "__main__":
    main()
