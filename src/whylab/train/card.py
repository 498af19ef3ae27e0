"""The adapter's model card (README.md): the facts of ``training.json`` for a human reader.

A reader must be able to tell, from the card alone, what the adapter was trained from (base and
its hash, data files and their hashes, which rows, how many tokens), how (recipe, every
hyperparameter, seed, library versions), what came out (loss, steps, time), and how to run it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def render_card(facts: dict[str, Any], adapter: Path) -> str:
    base = facts["base"]
    totals = facts["totals"]
    lines = [
        "---",
        "library_name: peft",
        "tags: [whylab, lora, " + facts["recipe"] + "]",
        "---",
        "",
        f"# whylab LoRA adapter: {facts['recipe']}",
        "",
        f"Trained by `whylab train` ({facts['format']}); the same facts, machine-readable, are "
        "in `training.json`.",
        "",
        "## Base model",
        "",
        f"- argument: `{base['argument']}`",
        f"- folder: `{base['path']}`",
    ]
    if "gguf_sha256" in base:
        lines.append(
            f"- converted from the embedded GGUF `{base['gguf']}` (SHA-256 `{base['gguf_sha256']}`)"
        )
    if "adapter" in base:
        lines.append(
            f"- with the LoRA adapter `{base['adapter']}` merged in (adapter weights SHA-256 "
            f"`{base['adapter_sha256']}`)"
        )
    for name, digest in (base.get("sha256") or {}).items():
        lines.append(f"- `{name}` SHA-256 `{digest}`")
    settings = facts["settings"]
    lines += [
        "",
        "## Recipe and hyperparameters",
        "",
        f"- recipe: `{facts['recipe']}`; profile: `{settings['profile']}`; "
        f"precision: {facts['precision']}; seed: {settings['seed']}",
        "",
        "| setting | value |",
        "|---|---|",
    ]
    lines += [f"| {k} | {v} |" for k, v in settings.items() if k not in ("profile", "seed")]
    lines += ["", "## Data", ""]
    for f in facts["data"]:
        lines += [
            f"- `{f['path']}` (SHA-256 `{f['sha256']}`): {f['rows']} rows",
        ]
        for stage, used in f["rows_used"].items():
            lines.append(
                f"  - {stage}: {used} rows used, {f['rows_dropped'][stage]} dropped (no trained "
                f"token left within max_length), {f['tokens_per_epoch'][stage]} tokens and "
                f"{f['loss_tokens_per_epoch'][stage]} loss tokens per epoch"
            )
        for key, counts in f["provenance"].items():
            summary = ", ".join(f"{value} ({n})" for value, n in counts.items())
            lines.append(f"  - provenance {key}: {summary}")
    lines += [
        "",
        "## Training",
        "",
        "| stage | rows | steps | epochs | tokens seen | loss tokens | final loss | wall s "
        "| resumed from step |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for s in facts["stages"]:
        lines.append(
            f"| {s['stage']} | {s['rows']} | {s['steps']} | {s['epochs']} | {s['tokens_seen']} | "
            f"{s['loss_tokens']} | {_loss(s['final_loss'])} | {s['wall_seconds']} | "
            f"{s['resumed_from_step']} |"
        )
    lines += [
        "",
        f"Total: {totals['steps']} steps, {totals['tokens_seen']} tokens seen, "
        f"{totals['loss_tokens']} loss tokens, final loss {_loss(totals['final_loss'])}, "
        f"{totals['wall_seconds']} s.",
        "",
        "Libraries: " + ", ".join(f"{k} {v}" for k, v in facts["libraries"].items()) + ".",
        "",
        "## Use",
        "",
        "```bash",
        f"whylab export merge {adapter} -o {adapter}-merged        # fp32, plain safetensors",
        f"inspect eval whylab/agentic_misalignment --model hf/local -M model_path={adapter}-merged",
        f"inspect eval whylab/agentic_misalignment --model vllm/{base['path']}:{adapter.resolve()}",
    ]
    if "gguf_sha256" in base:
        lines += [
            f"whylab export gguf {adapter}-merged -o {adapter}.gguf     # the embedded runtime",
            f"whylab run --model whylab-local/{adapter}.gguf",
        ]
    lines += ["```", ""]
    return "\n".join(lines)


def _loss(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4f}"
