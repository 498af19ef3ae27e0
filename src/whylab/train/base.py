"""Base models for training: a plain-safetensors Hugging Face folder, whatever was asked for.

Trainers, PEFT and ``save_pretrained`` need an ordinary HF checkpoint. The embedded model exists
only as a GGUF file (see :mod:`whylab.models.embedded`); transformers can read it, but it
dequantizes every tensor at each load (~40 s) and marks the result "quantized" (a GGUF quantizer
and a ``GgufConfig``), which trainers and ``save_pretrained`` then refuse. So the GGUF is
converted once, in fp32, into ``<cache>/hf/<name>-<sha12>/`` and that folder is the base from
then on. Nothing is ever fetched from the hub: a hub id is an error that says what to do.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from whylab.models.embedded import DEFAULT_MODEL, EMBEDDED, cache_dir, file_sha256, model_path

# What `--base` accepts for the embedded model, besides a local folder.
EMBEDDED_ALIASES = ("embedded", f"whylab-local/{DEFAULT_MODEL}")
# Written into a converted folder: which GGUF it came from (the model card's fingerprint, and how
# `export_gguf` finds the metadata to copy back).
SOURCE_FILE = "whylab_base.json"
_TOKENIZER_FILES = ("tokenizer.json", "tokenizer.model", "vocab.json")


class BaseModelError(ValueError):
    """The base model cannot be used; the message names the argument and the fix."""


def prepare_base(name_or_path: str | Path) -> Path:
    """A local HF folder (config, safetensors weights, tokenizer) for ``name_or_path``.

    ``embedded`` (or ``whylab-local/qwen2.5-coder-0.5b``) converts the embedded GGUF once and
    returns the cached folder; a local folder is checked and returned as is.
    """
    text = str(name_or_path)
    if text in EMBEDDED_ALIASES:
        return _embedded_folder(DEFAULT_MODEL)
    if text.startswith("whylab-local/") and text.removeprefix("whylab-local/") in EMBEDDED:
        return _embedded_folder(text.removeprefix("whylab-local/"))
    path = Path(text).expanduser()
    if path.is_dir():
        _check_folder(path, text)
        return path.resolve()
    if path.suffix == ".gguf":
        raise BaseModelError(
            f"--base {text}: training reads a Hugging Face folder, not a GGUF file; only the "
            "embedded model's GGUF is converted (--base embedded). Convert other GGUFs with "
            "transformers (`from_pretrained(folder, gguf_file=...)` then `save_pretrained`)"
        )
    raise BaseModelError(
        f"--base {text}: not a local folder and not the embedded model. whylab never downloads "
        "at run time: download the model yourself (e.g. `hf download ORG/NAME --local-dir DIR`) "
        "and pass --base DIR, or pass --base embedded"
    )


def base_fingerprint(folder: Path) -> dict[str, Any]:
    """What identifies a base folder in a model card: the GGUF an untouched conversion came
    from, else the hashes of its config and weights (a merged model names its GGUF and adapter
    too, but its weights are its own)."""
    source = embedded_source(folder)
    if source is not None and "adapter" not in source:
        return {"path": str(folder), **source}
    files = sorted(p for p in folder.iterdir() if p.name == "config.json" or _is_weights(p))
    hashes = {"sha256": {p.name: file_sha256(p) for p in files}}
    return {"path": str(folder), **(source or {}), **hashes}


def embedded_source(folder: Path) -> dict[str, Any] | None:
    """Where a folder's weights came from, if from the embedded GGUF: ``gguf`` and
    ``gguf_sha256``, plus ``adapter`` for a merged model. None for any other folder."""
    source = folder / SOURCE_FILE
    if not source.is_file():
        return None
    data: dict[str, Any] = json.loads(source.read_text())
    return data


def _is_weights(path: Path) -> bool:
    return path.suffix in (".safetensors", ".bin") or path.name.endswith(".safetensors.index.json")


def _check_folder(path: Path, text: str) -> None:
    if not (path / "config.json").is_file():
        raise BaseModelError(
            f"--base {text}: the folder has no config.json; give a Hugging Face model folder "
            "(config.json, *.safetensors, tokenizer files)"
        )
    if not any((path / name).is_file() for name in _TOKENIZER_FILES):
        raise BaseModelError(
            f"--base {text}: the folder has no tokenizer ({' or '.join(_TOKENIZER_FILES)}); "
            "save the tokenizer next to the model (`tokenizer.save_pretrained(folder)`)"
        )
    if not any(_is_weights(p) for p in path.iterdir()):
        raise BaseModelError(
            f"--base {text}: the folder has no weights (*.safetensors); save the model there"
        )


def _embedded_folder(name: str) -> Path:
    model = EMBEDDED[name]
    target = cache_dir() / "hf" / f"{model.name}-{model.sha256[:12]}"
    if (target / SOURCE_FILE).is_file():
        return target
    gguf_file = model_path(name)  # verified against the pinned SHA-256
    target.parent.mkdir(parents=True, exist_ok=True)
    # Convert into a temporary sibling and rename: a crash never leaves a half folder that a
    # later run would take for a finished one.
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}-"))
    try:
        _convert_gguf(gguf_file, tmp)
        (tmp / SOURCE_FILE).write_text(
            json.dumps(
                {"embedded": model.name, "gguf": str(gguf_file), "gguf_sha256": model.sha256},
                indent=2,
            )
        )
        tmp.chmod(0o755)  # mkdtemp makes it private; the cache is an ordinary folder
        if (target / SOURCE_FILE).is_file():  # another process converted it meanwhile
            shutil.rmtree(tmp)
            return target
        if target.exists():  # a leftover without the source file, from an older layout
            shutil.rmtree(target)
        os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def _convert_gguf(gguf_file: Path, out: Path) -> None:
    """Dequantize ``gguf_file`` into fp32 safetensors plus tokenizer in ``out``."""
    import gguf
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    kwargs: dict[str, Any] = {"gguf_file": gguf_file.name}
    tokenizer = AutoTokenizer.from_pretrained(gguf_file.parent, **kwargs)
    model = AutoModelForCausalLM.from_pretrained(gguf_file.parent, dtype=torch.float32, **kwargs)
    # The loaded model counts as quantized only because its source was; its weights are plain
    # fp32 tensors now, so drop the marks that make trainers and save_pretrained refuse it.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    _check_output_head(model, gguf.GGUFReader(gguf_file))
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)


def _check_output_head(model: Any, reader: Any) -> None:
    """Make sure ``lm_head`` holds the GGUF's output matrix, or the embeddings when it has none.

    A GGUF without ``output.weight`` ties the output to the token embeddings; loaded with
    ``tie_word_embeddings=False`` the head would stay randomly initialised and the model would
    produce garbage, so tie it. With ``output.weight`` the head must equal its dequantized values.
    """
    import gguf
    import numpy as np
    import torch

    tensors = {t.name: t for t in reader.tensors}
    head = model.get_output_embeddings().weight
    if "output.weight" not in tensors:
        model.config.tie_word_embeddings = True
        model.get_output_embeddings().weight = model.get_input_embeddings().weight
        return
    t = tensors["output.weight"]
    expected = gguf.quants.dequantize(t.data, t.tensor_type)
    expected = np.asarray(expected, dtype=np.float32).reshape(head.shape)
    if not torch.equal(head.detach(), torch.from_numpy(expected)):
        raise BaseModelError(
            "the converted model's lm_head differs from the GGUF's output.weight; "
            "transformers' GGUF loader changed: report this and pin transformers"
        )
