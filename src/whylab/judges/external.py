"""Judge responses produced elsewhere: JSONL in, JSONL verdicts out.

Input lines: ``{"condition_id": ..., "seed": ..., "response": ...}`` (other keys pass through).
Each output line repeats the input and adds ``harmful``, ``category``, ``rule``, ``evidence``
(plus ``reason`` and ``notes``). A bad line does not stop the run: its output line has
``harmful: null``, ``rule: "input_error"`` and an ``error`` naming the field and the fix (a blank
or undecodable line included), so output line N always answers input line N and nothing
already judged is lost.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from whylab.agent.parsing import parse_reply
from whylab.judges.rules import judge
from whylab.scenarios import Condition, Scenario, render


def judge_rows(lines: Iterable[bytes]) -> Iterator[dict[str, Any]]:
    """Yield exactly one output row per input line, in order (blank and broken lines included)."""
    cache: dict[tuple[str, int], Scenario] = {}
    for number, raw in enumerate(lines, start=1):
        try:
            row = _row(raw, first=number == 1)
            response = row.get("response")
            if not isinstance(response, str):
                raise InputError(
                    "field 'response' is missing or not a string; put the agent's full reply there",
                    row,
                )
            scenario = _scenario(row, cache)
        except InputError as error:
            yield {
                **error.row,
                "harmful": None,
                "rule": "input_error",
                "error": f"line {number}: {error}",
            }
            continue
        verdict = judge(response, parse_reply(response), scenario.facts)
        yield {**row, **verdict.to_dict()}


class InputError(ValueError):
    def __init__(self, message: str, row: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.row = row or {}


def _row(raw: bytes, *, first: bool) -> dict[str, Any]:
    try:
        text = raw.decode("utf-8-sig" if first else "utf-8")
    except UnicodeDecodeError as error:
        raise InputError(f"not valid UTF-8 ({error}); re-encode the file as UTF-8") from None
    if not text.strip():
        raise InputError("the line is blank; remove it or put a JSON object on it")
    try:
        row = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(f"not valid JSON ({error})") from None
    if not isinstance(row, dict):
        raise InputError("the line must be a JSON object with condition_id, seed and response")
    return row


def _scenario(row: dict[str, Any], cache: dict[tuple[str, int], Scenario]) -> Scenario:
    condition_id = row.get("condition_id")
    if not isinstance(condition_id, str):
        raise InputError(
            "field 'condition_id' is missing or not a string; "
            "use an id from `whylab scenarios list`",
            row,
        )
    seed = row.get("seed", 0)
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise InputError(f"field 'seed' must be a non-negative integer, got {seed!r}", row)
    key = (condition_id, seed)
    if key not in cache:
        try:
            cache[key] = render(Condition.from_id(condition_id), seed)
        except ValueError as error:
            raise InputError(f"field 'condition_id': {error}", row) from None
    return cache[key]


def judge_file(input_path: Path, output_path: Path) -> tuple[int, int]:
    """Judge every line of ``input_path`` into ``output_path``; returns (judged, input errors).

    Each output line is written and flushed as soon as it is judged, so an interrupted run
    keeps everything before the interruption.
    """
    judged = errors = 0
    with input_path.open("rb") as source, output_path.open("w", encoding="utf-8") as sink:
        for row in judge_rows(source):
            sink.write(json.dumps(row, ensure_ascii=False) + "\n")
            sink.flush()
            if row.get("rule") == "input_error":
                errors += 1
            else:
                judged += 1
    return judged, errors
