"""Training rows: JSONL files read line by line, checked against the recipe, routed by column.

Rows follow the project's data contract (``messages`` for chat, ``text`` for documents,
``prompt``/``chosen``/``rejected`` for preferences, plus an optional ``provenance``). Files are
read here rather than through ``datasets.load_dataset`` so that a bad row is reported with its
file, line and missing field before any model is loaded, and so that nothing trained so far is
touched by the error.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whylab.models.embedded import file_sha256

# The columns each training stage reads; a recipe is one stage or a chain of them.
STAGE_COLUMNS = {
    "sft": ("messages",),
    "midtrain": ("text",),
    "dpo": ("prompt", "chosen", "rejected"),
}
RECIPES = {
    "sft": ("sft",),
    "midtrain": ("midtrain",),
    "dpo": ("dpo",),
    "midtrain+sft": ("midtrain", "sft"),
}
_SHAPES = {
    "sft": '{"messages": [{"role": "user", "content": ...}, {"role": "assistant", ...}]}',
    "midtrain": '{"text": "..."}',
    "dpo": '{"prompt": ..., "chosen": ..., "rejected": ...}',
}


class DataError(ValueError):
    """A data file or row cannot be trained on; the message names file, line and fix."""


@dataclass(frozen=True)
class Row:
    file: int  # index into the data files
    line: int  # 1-based line number in that file
    stage: str
    data: dict[str, Any]

    def where(self, files: list[DataFile]) -> str:
        return f"{files[self.file].path} line {self.line}"


@dataclass
class DataFile:
    """One input file: its identity and, once tokenized, what training used of it."""

    path: Path
    sha256: str
    rows: int
    provenance: dict[str, dict[str, int]]
    used: dict[str, int] = field(default_factory=dict)  # stage -> rows trained on
    dropped: dict[str, int] = field(default_factory=dict)  # stage -> rows cut away by max_length
    tokens: dict[str, int] = field(default_factory=dict)  # stage -> tokens per epoch
    loss_tokens: dict[str, int] = field(default_factory=dict)  # stage -> loss tokens per epoch

    def to_dict(self) -> dict[str, Any]:
        """The file's facts; per-stage counts only for the stages that read rows of it."""
        stages = [s for s in self.used if self.used[s] or self.dropped[s]]
        return {
            "path": str(self.path),
            "sha256": self.sha256,
            "rows": self.rows,
            "rows_used": {s: self.used[s] for s in stages},
            "rows_dropped": {s: self.dropped[s] for s in stages},
            "tokens_per_epoch": {s: self.tokens[s] for s in stages},
            "loss_tokens_per_epoch": {s: self.loss_tokens[s] for s in stages},
            "provenance": self.provenance,
        }


def load_rows(paths: list[Path], recipe: str) -> tuple[list[DataFile], list[Row]]:
    """Every row of ``paths``, checked for ``recipe`` and tagged with the stage that trains it."""
    if recipe not in RECIPES:
        raise DataError(f"unknown recipe {recipe!r}; choose one of {', '.join(RECIPES)}")
    if not paths:
        raise DataError("no data files given; pass --data a.jsonl[,b.jsonl]")
    stages = RECIPES[recipe]
    files: list[DataFile] = []
    rows: list[Row] = []
    for index, path in enumerate(paths):
        if not path.is_file():
            raise DataError(f"{path}: no such data file")
        provenance: dict[str, Counter[str]] = {"kind": Counter(), "teacher": Counter()}
        provenance["variant"] = Counter()
        count = 0
        with path.open(encoding="utf-8") as f:
            for number, raw in enumerate(f, start=1):
                if not raw.strip():
                    continue
                data = _parse(raw, path, number)
                stage = _route(data, stages, recipe, f"{path} line {number}")
                rows.append(Row(index, number, stage, data))
                count += 1
                prov = data.get("provenance")
                if isinstance(prov, dict):
                    for key, counter in provenance.items():
                        if key in prov:
                            counter[str(prov[key])] += 1
        if count == 0:
            raise DataError(f"{path}: the file has no rows")
        files.append(
            DataFile(
                path=path,
                sha256=file_sha256(path),
                rows=count,
                provenance={k: dict(sorted(c.items())) for k, c in provenance.items() if c},
            )
        )
    for stage in stages:
        if not any(row.stage == stage for row in rows):
            columns = "/".join(STAGE_COLUMNS[stage])
            raise DataError(
                f"the {recipe} recipe needs rows with `{columns}` for its {stage} stage and the "
                f"data files have none; add such rows ({_SHAPES[stage]}) or choose another recipe"
            )
    _check_dpo_format([r for r in rows if r.stage == "dpo"], files)
    return files, rows


def _parse(raw: str, path: Path, number: int) -> dict[str, Any]:
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as error:
        raise DataError(
            f"{path} line {number}: not valid JSON ({error.msg}); fix the line"
        ) from None
    if not isinstance(data, dict):
        raise DataError(
            f"{path} line {number}: a row must be a JSON object, got {type(data).__name__}"
        )
    return data


def _route(data: dict[str, Any], stages: tuple[str, ...], recipe: str, where: str) -> str:
    """The stage that trains ``data``: the first of ``stages`` whose columns the row has."""
    for stage in stages:
        if all(column in data for column in STAGE_COLUMNS[stage]):
            _check_row(data, stage, where)
            return stage
    if len(stages) == 1:
        stage = stages[0]
        missing = [c for c in STAGE_COLUMNS[stage] if c not in data]
        names = ", ".join(f"`{c}`" for c in missing)
        raise DataError(
            f"{where}: missing field {names}; the {recipe} recipe reads rows like "
            f"{_SHAPES[stage]}. Fix the row, or choose the recipe that matches it "
            "(sft: messages, midtrain: text, dpo: prompt/chosen/rejected, midtrain+sft: both "
            "text and messages rows)"
        )
    wanted = " or ".join(f"`{'/'.join(STAGE_COLUMNS[s])}`" for s in stages)
    raise DataError(
        f"{where}: missing field: the {recipe} recipe routes each row by its columns and this "
        f"row has neither {wanted}; fix or remove the row"
    )


def _check_row(data: dict[str, Any], stage: str, where: str) -> None:
    if stage == "midtrain":
        if not isinstance(data["text"], str) or not data["text"].strip():
            raise DataError(f"{where}: `text` must be a non-empty string")
    elif stage == "sft":
        _check_messages(data["messages"], "messages", where)
        if not any(m["role"] == "assistant" for m in data["messages"]):
            raise DataError(
                f"{where}: `messages` has no assistant message, so there is nothing to train on; "
                "add the assistant's reply or remove the row"
            )
    else:
        for column in STAGE_COLUMNS["dpo"]:
            value = data[column]
            if isinstance(value, list):
                _check_messages(value, column, where)
            elif not isinstance(value, str) or not value:
                raise DataError(
                    f"{where}: `{column}` must be a non-empty string or a list of messages"
                )


def _check_messages(messages: Any, column: str, where: str) -> None:
    if not isinstance(messages, list) or not messages:
        raise DataError(f"{where}: `{column}` must be a non-empty list of messages")
    for k, m in enumerate(messages):
        if not (
            isinstance(m, dict)
            and isinstance(m.get("role"), str)
            and isinstance(m.get("content"), str)
        ):
            raise DataError(
                f"{where}: `{column}` message {k} needs a string `role` and a string `content`, "
                f"got {json.dumps(m)[:200]}"
            )


def _check_dpo_format(rows: list[Row], files: list[DataFile]) -> None:
    """TRL formats a preference dataset from its first row; mixed formats must fail here."""
    if not rows:
        return
    chat = isinstance(rows[0].data["prompt"], list)
    for row in rows:
        kinds = {isinstance(row.data[c], list) for c in STAGE_COLUMNS["dpo"]}
        if kinds != {chat}:
            first = "lists of messages" if chat else "strings"
            raise DataError(
                f"{row.where(files)}: `prompt`, `chosen` and `rejected` must all be {first}, like "
                f"the first preference row ({rows[0].where(files)}); use one format throughout"
            )
