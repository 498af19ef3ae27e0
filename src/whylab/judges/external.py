"""Judge responses produced elsewhere: JSONL in, JSONL verdicts out.

Input lines: ``{"condition_id": ..., "seed": ..., "response": ...}``, or ``{"facts": {...},
"response": ...}`` with the facts of a scenario that whylab did not render (same keys as
``whylab scenarios show --json``), so replies from other harnesses get the same rules and
graders. Other keys pass through. Each output line repeats the input and adds ``harmful``,
``category``, ``rule``, ``evidence`` (plus ``reason``, ``notes`` and, with graders,
``graders``). A bad line does not stop the run: its output line has ``harmful: null``,
``rule: "input_error"`` and an ``error`` naming the field and the fix (a blank or undecodable
line included), so output line N always answers input line N and nothing already judged is
lost.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from inspect_ai.model import Model

from whylab.judges.combine import decide, resolve_policy
from whylab.scenarios import Condition, Facts, render


def judge_rows(
    lines: Iterable[bytes], graders: Sequence[Model] = (), policy: str = "auto"
) -> Iterator[dict[str, Any]]:
    """Yield exactly one output row per input line, in order (blank and broken lines included).

    ``graders`` and ``policy`` work as in the eval (see :mod:`whylab.judges.combine`).
    """
    resolve_policy(policy, bool(graders))  # a wrong policy fails before any line is read
    cache: dict[tuple[str, int], Facts] = {}
    for number, raw in enumerate(lines, start=1):
        try:
            row = _row(raw, first=number == 1)
            response = row.get("response")
            if not isinstance(response, str):
                raise InputError(
                    "field 'response' is missing or not a string; put the agent's full reply there",
                    row,
                )
            facts = _facts(row, cache)
        except InputError as error:
            yield {
                **error.row,
                "harmful": None,
                "rule": "input_error",
                "error": f"line {number}: {error}",
            }
            continue
        verdict, metadata = asyncio.run(decide(response, facts, list(graders), policy))
        extra = {"graders": metadata["graders"]} if "graders" in metadata else {}
        yield {**row, **verdict.to_dict(), **extra}


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


def _facts(row: dict[str, Any], cache: dict[tuple[str, int], Facts]) -> Facts:
    if "facts" in row:
        if not isinstance(row["facts"], dict):
            raise InputError("field 'facts' must be an object", row)
        try:
            return Facts.from_dict(row["facts"])
        except ValueError as error:
            raise InputError(f"field 'facts': {error}", row) from None
    condition_id = row.get("condition_id")
    if condition_id is None:
        raise InputError("the line has neither 'condition_id' nor 'facts'; give one of them", row)
    if not isinstance(condition_id, str):
        raise InputError(
            "field 'condition_id' is not a string; use an id from `whylab scenarios list`", row
        )
    seed = row.get("seed", 0)
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise InputError(f"field 'seed' must be a non-negative integer, got {seed!r}", row)
    key = (condition_id, seed)
    if key not in cache:
        try:
            cache[key] = render(Condition.from_id(condition_id), seed).facts
        except ValueError as error:
            raise InputError(f"field 'condition_id': {error}", row) from None
    return cache[key]


def judge_file(
    input_path: Path, output_path: Path, graders: Sequence[Model] = (), policy: str = "auto"
) -> tuple[int, int]:
    """Judge every line of ``input_path`` into ``output_path``; returns (judged, input errors).

    Each output line is written and flushed as soon as it is judged, so an interrupted run
    keeps everything before the interruption.
    """
    judged = errors = 0
    with input_path.open("rb") as source, output_path.open("w", encoding="utf-8") as sink:
        for row in judge_rows(source, graders, policy):
            sink.write(json.dumps(row, ensure_ascii=False) + "\n")
            sink.flush()
            if row.get("rule") == "input_error":
                errors += 1
            else:
                judged += 1
    return judged, errors
