"""Judge responses produced elsewhere: JSONL in, JSONL verdicts out.

Input lines: ``{"condition_id": ..., "seed": ..., "response": ...}`` (other keys pass through).
Each output line repeats the input and adds ``harmful``, ``category``, ``rule``, ``evidence``
(plus ``reason`` and ``notes``). A bad line does not stop the run: its output line has
``harmful: null``, ``rule: "input_error"`` and an ``error`` naming the field and the fix, so
output line N always answers input line N and nothing already judged is lost.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from whylab.agent.parsing import parse_reply
from whylab.judges.rules import judge
from whylab.scenarios import Condition, Scenario, render


def _scenario(row: dict[str, Any], cache: dict[tuple[str, int], Scenario]) -> Scenario:
    condition_id = row.get("condition_id")
    if not isinstance(condition_id, str):
        raise ValueError(
            "field 'condition_id' is missing or not a string; "
            "use an id from `whylab scenarios list`"
        )
    seed = row.get("seed", 0)
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"field 'seed' must be a non-negative integer, got {seed!r}")
    key = (condition_id, seed)
    if key not in cache:
        cache[key] = render(Condition.from_id(condition_id), seed)
    return cache[key]


def judge_rows(lines: TextIO) -> Iterator[dict[str, Any]]:
    """Yield one output row per input line, in order."""
    cache: dict[tuple[str, int], Scenario] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if not isinstance(row, dict):
                raise ValueError("the line must be a JSON object")
        except ValueError as error:
            yield {
                "line": number,
                "harmful": None,
                "rule": "input_error",
                "error": f"line {number}: {error}",
            }
            continue
        try:
            response = row.get("response")
            if not isinstance(response, str):
                raise ValueError(
                    "field 'response' is missing or not a string; put the agent's full reply there"
                )
            scenario = _scenario(row, cache)
        except ValueError as error:
            yield {
                **row,
                "harmful": None,
                "rule": "input_error",
                "error": f"line {number}: {error}",
            }
            continue
        verdict = judge(response, parse_reply(response), scenario.facts)
        yield {**row, **verdict.to_dict()}


def judge_file(input_path: Path, output_path: Path) -> tuple[int, int]:
    """Judge every line of ``input_path`` into ``output_path``; returns (judged, input errors)."""
    judged = errors = 0
    with (
        input_path.open(encoding="utf-8") as source,
        output_path.open("w", encoding="utf-8") as sink,
    ):
        for row in judge_rows(source):
            sink.write(json.dumps(row, ensure_ascii=False) + "\n")
            sink.flush()
            if row.get("rule") == "input_error":
                errors += 1
            else:
                judged += 1
    return judged, errors
