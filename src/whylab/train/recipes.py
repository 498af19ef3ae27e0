"""LoRA training recipes on TRL + PEFT: ``sft``, ``midtrain``, ``dpo`` and ``midtrain+sft``.

- ``sft`` trains on ``messages`` rows with the loss on assistant tokens only. The mask comes from
  :mod:`whylab.train.masking` (TRL's own ``assistant_only_loss`` needs ``{% generation %}``
  markers that Qwen's template lacks) and reaches TRL's ``SFTTrainer`` as pre-tokenized
  ``input_ids`` + ``assistant_masks``, which it turns into labels with -100 on every other token
  (a test checks the loss against a hand computation).
- ``midtrain`` trains on ``text`` rows with the loss on every token; a document longer than
  ``max_length`` is cut into consecutive chunks rather than truncated.
- ``dpo`` trains on ``prompt``/``chosen``/``rejected`` rows with TRL's ``DPOTrainer``; with a LoRA
  adapter the reference model is the same network with the adapter disabled, so no second copy
  of the weights is loaded.
- ``midtrain+sft`` trains one adapter on the text rows, then continues the same adapter on the
  messages rows (rows are routed by their columns). The result is one adapter relative to the
  original base; each stage has its own learning-rate schedule.

A run lives in one output folder: ``run.json`` (what is being trained), ``checkpoints/<stage>/``
(HF Trainer checkpoints, the optimizer included, every ``save_steps`` and at the end), and once
finished the adapter, tokenizer, ``README.md`` (model card) and ``training.json``, written last:
its presence means "done". Re-running the same command resumes from the newest checkpoint, or
returns the finished result without training; other arguments in the same folder are an error
rather than a silent mix of two runs.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass, replace
from importlib import metadata
from pathlib import Path
from typing import Any

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, TrainerCallback, set_seed
from transformers.trainer_callback import ExportableState
from transformers.trainer_utils import get_last_checkpoint
from trl import DPOConfig, DPOTrainer, SFTConfig, SFTTrainer

from whylab.train.base import base_fingerprint, prepare_base
from whylab.train.card import render_card
from whylab.train.data import RECIPES, DataFile, Row, load_rows
from whylab.train.masking import Encoded, MaskError, encode_chat, encode_text, truncate

FORMAT = "whylab-training-1"
DONE_FILE = "training.json"
RUN_FILE = "run.json"
STAGE_FILE = "stage.json"
_ADAPTER_FILES = ("adapter_config.json", "adapter_model.safetensors")


class TrainError(RuntimeError):
    """A run cannot start or continue; the message says what to do."""


@dataclass(frozen=True)
class Settings:
    """Every hyperparameter of a run. Recorded in the model card and compared on resume."""

    profile: str
    lora_r: int
    lora_alpha: int
    lora_dropout: float
    target_modules: str  # PEFT's "all-linear": every linear projection except the output head
    learning_rate: float
    epochs: float
    max_steps: int  # -1: run for `epochs`
    lr_scheduler: str
    warmup_ratio: float
    weight_decay: float
    max_length: int
    batch_size: int  # per device
    grad_accum: int
    gradient_checkpointing: bool
    dpo_beta: float
    seed: int
    save_steps: int


PROFILES = {
    # The open replication's LoRA defaults (r, alpha, targets, lr, epochs, schedule, warm-up,
    # max_length). The batch (4 x 4 accumulation = 16 sequences) is whylab's choice.
    "replication": Settings(
        profile="replication",
        lora_r=64,
        lora_alpha=128,
        lora_dropout=0.05,
        target_modules="all-linear",
        learning_rate=1e-4,
        epochs=1.0,
        max_steps=-1,
        lr_scheduler="cosine",
        warmup_ratio=0.05,
        weight_decay=0.0,
        max_length=2048,
        batch_size=4,
        grad_accum=4,
        gradient_checkpointing=True,
        dpo_beta=0.1,
        seed=0,
        save_steps=100,
    ),
    # Two CPU cores: a smaller adapter, one sequence at a time (padding would be wasted work)
    # with 4 accumulated per optimizer step, and no gradient checkpointing (memory is not the
    # limit for a 0.5B model on CPU; recomputing activations would cost a third more time).
    "cpu-small": Settings(
        profile="cpu-small",
        lora_r=16,
        lora_alpha=32,
        lora_dropout=0.05,
        target_modules="all-linear",
        learning_rate=2e-4,
        epochs=1.0,
        max_steps=-1,
        lr_scheduler="cosine",
        warmup_ratio=0.05,
        weight_decay=0.0,
        max_length=1024,
        batch_size=1,
        grad_accum=4,
        gradient_checkpointing=False,
        dpo_beta=0.1,
        seed=0,
        save_steps=25,
    ),
}
# What `train(**overrides)` and the CLI may change.
OVERRIDES = ("seed", "max_steps", "epochs", "lr", "max_length", "save_steps", "grad_accum")


@dataclass(frozen=True)
class TrainResult:
    adapter: Path
    recipe: str
    steps: int
    tokens_seen: int  # non-padding tokens through the model, every epoch and stage
    loss_tokens: int  # tokens that carried loss
    final_loss: float | None
    wall_seconds: float  # training time over every session that built this adapter
    already_done: bool  # the folder held this finished run: nothing was trained now

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "adapter": str(self.adapter)}

    def format(self) -> str:
        state = "already trained" if self.already_done else "trained"
        loss = "n/a" if self.final_loss is None else f"{self.final_loss:.4f}"
        return (
            f"{state}: {self.adapter} ({self.recipe}, {self.steps} steps, "
            f"{self.tokens_seen} tokens, {self.loss_tokens} loss tokens, final loss {loss}, "
            f"{self.wall_seconds:.0f} s)"
        )


def settings_for(profile: str, **overrides: Any) -> Settings:
    """``profile``'s settings with ``overrides`` (None values ignored) applied and checked."""
    if profile not in PROFILES:
        raise TrainError(f"unknown profile {profile!r}; choose one of {', '.join(PROFILES)}")
    unknown = set(overrides) - set(OVERRIDES)
    if unknown:
        raise TrainError(f"unknown override(s) {sorted(unknown)}; allowed: {', '.join(OVERRIDES)}")
    given = {k: v for k, v in overrides.items() if v is not None}
    for key in ("max_length", "save_steps", "max_steps", "epochs", "lr", "grad_accum"):
        if key in given and given[key] <= 0:
            raise TrainError(f"{key} must be positive, got {given[key]}")
    if "seed" in given and given["seed"] < 0:
        raise TrainError(f"seed must be a non-negative integer, got {given['seed']}")
    if "epochs" in given:
        given["epochs"] = float(given["epochs"])
    if "lr" in given:
        given["learning_rate"] = given.pop("lr")
    return replace(PROFILES[profile], **given)


def train(
    base: str | Path,
    data_files: list[str | Path],
    recipe: str,
    output_dir: str | Path,
    profile: str = "cpu-small",
    **overrides: Any,
) -> TrainResult:
    """Train a LoRA adapter of ``base`` on ``data_files`` into ``output_dir``, or resume it.

    A folder that holds this finished run is returned as is, without training.

    ``overrides``: any of ``seed``, ``max_steps``, ``epochs``, ``lr``, ``max_length``,
    ``save_steps``, ``grad_accum`` (None leaves the profile's value).
    """
    from accelerate import PartialState

    settings = settings_for(profile, **overrides)
    files, rows = load_rows([Path(f) for f in data_files], recipe)
    base_dir = prepare_base(base)
    fingerprint = base_fingerprint(base_dir)
    identity = {
        "recipe": recipe,
        # Hashes only: the same weights in another folder (or cache) are the same base.
        "base": {k: v for k, v in fingerprint.items() if k not in ("path", "gguf", "adapter")},
        "data": [f.sha256 for f in files],
        "settings": asdict(settings),
    }
    out = Path(output_dir)
    finished = _finished(out, identity)
    if finished is not None:
        return finished
    tokenizer = AutoTokenizer.from_pretrained(base_dir)
    # Tokenized (and masks checked) before the folder is claimed: a bad row fails here, and
    # the same command can be re-run once the file is fixed.
    datasets = {s: _dataset(s, tokenizer, rows, files, settings) for s in RECIPES[recipe]}
    main = PartialState().is_main_process
    if main:
        _claim(out, identity)
    stages = []
    adapter: Path | None = None
    for stage in RECIPES[recipe]:
        result = _run_stage(
            stage,
            base_dir,
            tokenizer,
            datasets[stage],
            [r for r in rows if r.stage == stage],
            files,
            settings,
            out / "checkpoints" / stage,
            adapter,
        )
        adapter = out / "checkpoints" / stage / result["adapter"]
        stages.append(result)
    assert adapter is not None  # every recipe has a stage
    facts = {
        "format": FORMAT,
        "recipe": recipe,
        "settings": asdict(settings),
        "precision": _precision()[0],
        "base": {"argument": str(base), **fingerprint},
        "data": [f.to_dict() for f in files],
        "stages": stages,
        "totals": {
            "steps": sum(s["steps"] for s in stages),
            "tokens_seen": sum(s["tokens_seen"] for s in stages),
            "loss_tokens": sum(s["loss_tokens"] for s in stages),
            "final_loss": stages[-1]["final_loss"],
            "wall_seconds": round(sum(s["wall_seconds"] for s in stages), 1),
        },
        "libraries": _versions(),
        "identity": identity,
    }
    if main:
        for name in _ADAPTER_FILES:
            shutil.copy2(adapter / name, out / name)
        tokenizer.save_pretrained(out)
        (out / "README.md").write_text(render_card(facts, out))
        _write_json(out / DONE_FILE, facts)  # last: its presence means the run is finished
    return _result(out, facts, already_done=False)


# --- the output folder -----------------------------------------------------------------------


def _finished(out: Path, identity: dict[str, Any]) -> TrainResult | None:
    done = out / DONE_FILE
    if not done.is_file():
        return None
    facts = json.loads(done.read_text())
    if facts.get("identity") != identity:
        other = _differences(facts.get("identity"), identity)
        raise TrainError(
            f"{out} holds a finished run with other {other}; "
            "choose another output folder (or delete this one to retrain)"
        )
    return _result(out, facts, already_done=True)


def _claim(out: Path, identity: dict[str, Any]) -> None:
    """Record what this folder trains, or check that it is the same run as before."""
    run = out / RUN_FILE
    if run.is_file():
        stored = json.loads(run.read_text())
        if stored != identity:
            raise TrainError(
                f"{out} holds an unfinished run with other {_differences(stored, identity)}; "
                "re-run with its arguments to resume it, or choose another output folder"
            )
        return
    if out.exists() and any(out.iterdir()):
        raise TrainError(
            f"{out} is not empty and holds no whylab training run; choose a new or empty folder"
        )
    out.mkdir(parents=True, exist_ok=True)
    _write_json(run, identity)


def _differences(old: Any, new: dict[str, Any]) -> str:
    if not isinstance(old, dict):
        return "settings"
    changed = [k for k in new if k != "settings" and old.get(k) != new[k]]
    old_settings = old.get("settings") or {}
    changed += [k for k, v in new["settings"].items() if old_settings.get(k) != v]
    return "settings (" + ", ".join(changed) + ")" if changed else "settings"


def _result(out: Path, facts: dict[str, Any], *, already_done: bool) -> TrainResult:
    totals = facts["totals"]
    return TrainResult(
        adapter=out,
        recipe=facts["recipe"],
        steps=totals["steps"],
        tokens_seen=totals["tokens_seen"],
        loss_tokens=totals["loss_tokens"],
        final_loss=totals["final_loss"],
        wall_seconds=totals["wall_seconds"],
        already_done=already_done,
    )


def _write_json(path: Path, data: Any) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w") as f:
        json.dump(data, f, indent=2)
        f.write("\n")
    os.replace(tmp, path)


# --- one stage -------------------------------------------------------------------------------


def _run_stage(
    stage: str,
    base_dir: Path,
    tokenizer: Any,
    dataset: Any,
    rows: list[Row],
    files: list[DataFile],
    settings: Settings,
    folder: Path,
    continue_from: Path | None,
) -> dict[str, Any]:
    """Train one stage into ``folder`` (resuming its newest checkpoint); its facts as a dict."""
    from peft import PeftModel

    done = folder / STAGE_FILE
    if done.is_file():
        facts: dict[str, Any] = json.loads(done.read_text())
        _restore_counts(stage, files, facts["files"])  # DPO's come from TRL's tokenization
        return facts
    set_seed(settings.seed)  # before the adapter is created: its initial weights are random
    _, dtype = _precision()
    model = AutoModelForCausalLM.from_pretrained(base_dir, dtype=dtype)
    peft_config = None
    if continue_from is None:
        peft_config = _lora(settings)
    else:
        model = PeftModel.from_pretrained(model, continue_from, is_trainable=True)
    trainer = _build_trainer(stage, model, tokenizer, dataset, settings, folder, peft_config)
    if stage == "dpo":
        _count_dpo_rows(trainer.train_dataset, rows, files, settings)
    last = get_last_checkpoint(str(folder)) if folder.is_dir() else None
    trainer.train(resume_from_checkpoint=last)
    progress = _progress(trainer)
    state = trainer.state
    losses = [entry["loss"] for entry in state.log_history if "loss" in entry]
    final = get_last_checkpoint(str(folder))
    facts = {
        "stage": stage,
        "rows": len(rows),
        "sequences": len(trainer.train_dataset),
        "steps": state.global_step,
        "epochs": round(float(state.epoch or 0.0), 4),
        "tokens_seen": int(state.num_input_tokens_seen),
        "loss_tokens": int(progress.loss_tokens),
        "final_loss": losses[-1] if losses else None,
        "mean_loss": sum(losses) / len(losses) if losses else None,
        "wall_seconds": round(progress.elapsed(), 1),
        "resumed_from_step": int(Path(last).name.split("-")[-1]) if last else 0,
        "adapter": Path(final).name,
        "files": [
            {
                "used": f.used[stage],
                "dropped": f.dropped[stage],
                "tokens": f.tokens[stage],
                "loss_tokens": f.loss_tokens[stage],
            }
            for f in files
        ],
    }
    if trainer.accelerator.is_main_process:
        _write_json(done, facts)
    return facts


def _dataset(
    stage: str, tokenizer: Any, rows: list[Row], files: list[DataFile], settings: Settings
) -> Any:
    """The training set of ``stage`` from its rows; fills in the per-file counts for the card."""
    from datasets import Dataset  # type: ignore[import-untyped]

    rows = [r for r in rows if r.stage == stage]
    for f in files:
        f.used.setdefault(stage, 0)
        f.dropped.setdefault(stage, 0)
        f.tokens.setdefault(stage, 0)
        f.loss_tokens.setdefault(stage, 0)
    if stage == "dpo":
        return Dataset.from_list(
            [
                {**{c: r.data[c] for c in ("prompt", "chosen", "rejected")}, "whylab_file": r.file}
                for r in rows
            ]
        )
    sequences: list[Encoded] = []
    for row in rows:
        f = files[row.file]
        if stage == "midtrain":
            encoded = encode_text(tokenizer, row.data["text"], settings.max_length)
        else:
            try:
                full = encode_chat(tokenizer, row.data["messages"])
            except MaskError as error:
                raise TrainError(f"{row.where(files)}: {error}") from None
            cut = truncate(full, settings.max_length)
            if cut is None:  # every assistant token lies beyond max_length
                f.dropped[stage] += 1
                continue
            encoded = [cut]
        f.used[stage] += 1
        for e in encoded:
            f.tokens[stage] += len(e.input_ids)
            f.loss_tokens[stage] += sum(e.mask[1:])  # the first token is never predicted
        sequences.extend(encoded)
    if not sequences:
        raise TrainError(
            f"every {stage} row lost all its trained tokens to max_length={settings.max_length}; "
            "raise --max-length"
        )
    return Dataset.from_dict(
        {
            "input_ids": [s.input_ids for s in sequences],
            "assistant_masks": [s.mask for s in sequences],
        }
    )


def _restore_counts(stage: str, files: list[DataFile], counts: list[dict[str, int]]) -> None:
    for f, c in zip(files, counts, strict=True):
        f.used[stage], f.dropped[stage] = c["used"], c["dropped"]
        f.tokens[stage], f.loss_tokens[stage] = c["tokens"], c["loss_tokens"]


def _count_dpo_rows(
    dataset: Any, rows: list[Row], files: list[DataFile], settings: Settings
) -> None:
    """Per-file counts of a preference set, read from TRL's tokenized (and filtered) dataset."""
    for f in files:
        f.dropped["dpo"] = sum(1 for r in rows if files[r.file] is f)
    for example in dataset:
        f = files[example["whylab_file"]]
        f.used["dpo"] += 1
        f.dropped["dpo"] -= 1
        prompt = len(example["prompt_ids"])
        for side in ("chosen_ids", "rejected_ids"):
            length = min(prompt + len(example[side]), settings.max_length)
            f.tokens["dpo"] += length
            f.loss_tokens["dpo"] += max(0, length - prompt)


def _lora(settings: Settings) -> Any:
    from peft import LoraConfig

    return LoraConfig(
        r=settings.lora_r,
        lora_alpha=settings.lora_alpha,
        lora_dropout=settings.lora_dropout,
        target_modules=settings.target_modules,
        bias="none",
        task_type="CAUSAL_LM",
    )


def _precision() -> tuple[str, Any]:
    """bf16 weights and autocast on a GPU that has it; fp32 everywhere else (CPU included:
    TRL's default bf16 would run the CPU's slow bf16 autocast)."""
    if torch.cuda.is_available() and torch.cuda.is_bf16_supported():
        return "bf16", torch.bfloat16
    return "fp32", torch.float32


def _warmup_steps(settings: Settings, rows: int) -> int:
    """Warm-up steps: the ratio of the optimizer steps, rounded down. Given a ratio, HF rounds
    up, so a run of under 20 steps spends its first step at learning rate 0, and a one-step run
    (a few rows on a CPU) would learn nothing at all."""
    from accelerate import PartialState

    if settings.max_steps > 0:
        total = settings.max_steps
    else:
        per_step = settings.batch_size * settings.grad_accum * PartialState().num_processes
        total = math.ceil(math.ceil(rows / per_step) * settings.epochs)
    return int(settings.warmup_ratio * total)


def _build_trainer(
    stage: str,
    model: Any,
    tokenizer: Any,
    dataset: Any,
    settings: Settings,
    folder: Path,
    peft_config: Any,
) -> Any:
    precision, _ = _precision()
    common: dict[str, Any] = {
        "output_dir": str(folder),
        "learning_rate": settings.learning_rate,
        "num_train_epochs": settings.epochs,
        "max_steps": settings.max_steps,
        "lr_scheduler_type": settings.lr_scheduler,
        "warmup_steps": _warmup_steps(settings, len(dataset)),
        "weight_decay": settings.weight_decay,
        "per_device_train_batch_size": settings.batch_size,
        "gradient_accumulation_steps": settings.grad_accum,
        "activation_checkpointing": settings.gradient_checkpointing,
        "max_length": settings.max_length,
        "seed": settings.seed,
        "data_seed": settings.seed,
        "bf16": precision == "bf16",
        "use_cpu": not torch.cuda.is_available(),
        "save_strategy": "steps",
        "save_steps": settings.save_steps,
        "save_total_limit": 2,
        "logging_steps": 1,
        "report_to": "none",
        "include_num_input_tokens_seen": "non_padding",
        "restore_callback_states_from_checkpoint": True,
    }
    callbacks = [_Progress()]
    if stage == "dpo":
        return _DPO(
            model=model,
            args=DPOConfig(beta=settings.dpo_beta, **common),
            train_dataset=dataset,
            processing_class=tokenizer,
            peft_config=peft_config,
            callbacks=callbacks,
        )
    return _SFT(
        model=model,
        args=SFTConfig(packing=False, **common),
        train_dataset=dataset,
        processing_class=tokenizer,
        peft_config=peft_config,
        callbacks=callbacks,
    )


# --- counting what training saw ---------------------------------------------------------------


class _Progress(TrainerCallback, ExportableState):  # type: ignore[misc]
    """Loss tokens and wall time, saved inside each checkpoint's ``trainer_state.json``.

    As an ``ExportableState`` callback it is written atomically with the checkpoint and restored
    on resume, so the totals cover every session of an interrupted run.
    """

    def __init__(self, loss_tokens: int = 0, wall_seconds: float = 0.0) -> None:
        self.loss_tokens = loss_tokens
        self.wall_seconds = wall_seconds  # of earlier sessions
        self._started: float | None = None

    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self._started = time.monotonic()

    def elapsed(self) -> float:
        now = time.monotonic() - self._started if self._started is not None else 0.0
        return self.wall_seconds + now

    def state(self) -> dict[str, Any]:
        return {
            "args": {},
            "attributes": {"loss_tokens": self.loss_tokens, "wall_seconds": self.elapsed()},
        }


def _progress(trainer: Any) -> _Progress:
    # Looked up each time: resuming replaces the callback with one restored from the checkpoint.
    for callback in trainer.callback_handler.callbacks:
        if isinstance(callback, _Progress):
            return callback
    raise RuntimeError("the progress callback is missing")


def _add_loss_tokens(trainer: Any, count: Any) -> None:
    total = trainer.accelerator.reduce(count.detach().reshape(1).to(torch.int64), "sum")
    _progress(trainer).loss_tokens += int(total.item())


class _SFT(SFTTrainer):  # type: ignore[misc]
    """TRL's SFTTrainer, counting the tokens that carry loss (labels other than -100)."""

    def compute_loss(self, model: Any, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        if model.training:
            _add_loss_tokens(self, (inputs["labels"][:, 1:] != -100).sum())
        return super().compute_loss(model, inputs, *args, **kwargs)


class _DPO(DPOTrainer):  # type: ignore[misc]
    """TRL's DPOTrainer, counting the completion tokens of chosen and rejected replies."""

    def compute_loss(self, model: Any, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        if model.training:
            _add_loss_tokens(self, inputs["completion_mask"].sum())
        return super().compute_loss(model, inputs, *args, **kwargs)


def _versions() -> dict[str, str]:
    names = ("whylab", "torch", "transformers", "peft", "trl", "accelerate", "datasets")
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions
