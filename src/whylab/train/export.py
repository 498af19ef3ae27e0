"""From an adapter to models the eval runs: merged safetensors, and GGUF for the embedded runtime.

``merge_adapter`` folds the LoRA update into the base weights in fp32 (merging in bf16 would
round the small update away) and saves a plain HF folder: Inspect's ``hf/`` provider loads no
adapters, so this is how a trained model reaches it.

``export_gguf`` writes a merged *embedded* model back to GGUF for ``whylab-local``. Every
metadata field (architecture, rope, the tokenizer's vocabulary, merges and special ids, the chat
template) is copied from the original embedded GGUF, and the merged weights are written under
the original's tensor names, in its order and shapes. Qwen2's q/k weights are stored as in HF:
llama.cpp's converter permutes them for LLaMA only, and the conversion of the original GGUF to HF
reads them back unpermuted (a test checks that exporting the untrained base reproduces the
original's dequantized tensors). Only the embedded model can be exported: its GGUF is the only
source of tokenizer metadata here; other models go through llama.cpp's ``convert_hf_to_gguf.py``.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from whylab.models.embedded import file_sha256
from whylab.train.base import SOURCE_FILE, embedded_source

QUANTS = ("q8_0", "f16")
_TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "chat_template.jinja")


class ExportError(RuntimeError):
    """The adapter or model cannot be exported; the message says why and what to do."""


def merge_adapter(adapter_dir: str | Path, out_dir: str | Path) -> Path:
    """Merge the LoRA adapter in ``adapter_dir`` into its base, in fp32, as a folder ``out_dir``."""
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    adapter = Path(adapter_dir)
    out = Path(out_dir)
    config_file = adapter / "adapter_config.json"
    if not config_file.is_file():
        raise ExportError(
            f"{adapter}: no adapter_config.json; give a folder written by whylab train"
        )
    base = Path(json.loads(config_file.read_text())["base_model_name_or_path"])
    if not (base / "config.json").is_file():
        raise ExportError(
            f"{adapter}: its base model {base} is not a local folder any more; "
            "restore it (`whylab train` recreates the embedded one) and merge again"
        )
    _check_free(out)
    model = AutoModelForCausalLM.from_pretrained(base, dtype=torch.float32)
    merged = PeftModel.from_pretrained(model, adapter).merge_and_unload()
    has_tokenizer = (adapter / "tokenizer_config.json").is_file()
    tokenizer = AutoTokenizer.from_pretrained(adapter if has_tokenizer else base)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}-"))
    try:
        merged.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        source = embedded_source(base)
        if source is not None:  # lets export_gguf find the original GGUF
            merged_from = {"adapter": str(adapter.resolve())}
            merged_from["adapter_sha256"] = file_sha256(adapter / "adapter_model.safetensors")
            (tmp / SOURCE_FILE).write_text(json.dumps({**source, **merged_from}, indent=2))
        if (adapter / "training.json").is_file():
            shutil.copy2(adapter / "training.json", tmp / "training.json")
        (tmp / "README.md").write_text(
            f"# Merged whylab model\n\nThe LoRA adapter `{adapter.resolve()}` merged in fp32 into "
            f"`{base}`. Training facts: `training.json` (a copy of the adapter's).\n"
        )
        tmp.chmod(0o755)
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def export_gguf(merged_dir: str | Path, out_path: str | Path, quant: str = "q8_0") -> Path:
    """Write the merged embedded model in ``merged_dir`` as a GGUF file for ``whylab-local``.

    ``quant``: ``q8_0`` (2-D weights in Q8_0) or ``f16``; 1-D tensors (norms, biases) stay F32
    in both, as llama.cpp's converter keeps them.
    """
    import gguf

    merged = Path(merged_dir)
    out = Path(out_path)
    if quant not in QUANTS:
        raise ExportError(f"unknown quantisation {quant!r}; choose one of {', '.join(QUANTS)}")
    if out.suffix != ".gguf":
        raise ExportError(f"{out}: name the output file <name>.gguf")
    source = embedded_source(merged)
    if source is None:
        raise ExportError(
            f"{merged}: GGUF export works for models trained from the embedded model only (their "
            "tokenizer metadata is copied from its GGUF, and no other GGUF is at hand). Convert "
            "this model with llama.cpp's convert_hf_to_gguf.py"
        )
    original = Path(source["gguf"])
    if not original.is_file() or file_sha256(original) != source["gguf_sha256"]:
        raise ExportError(
            f"{merged}: the original GGUF {original} is missing or changed (expected SHA-256 "
            f"{source['gguf_sha256']}); run any whylab command on the embedded model to restore it"
        )
    reader = gguf.GGUFReader(original)
    weights = _load_weights(merged)
    plan = _plan(reader, weights, quant)
    arch = reader.fields["general.architecture"].contents()
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, suffix=".gguf.part")
    os.close(fd)
    try:
        writer = gguf.GGUFWriter(tmp, arch)
        _copy_metadata(reader, writer, quant)
        for name, _, qtype in plan:
            shape, dtype, nbytes = _stored_layout(weights[name].shape, qtype)
            writer.add_tensor_info(name, shape, dtype, nbytes, raw_dtype=_raw(qtype))
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_ti_data_to_file()
        for name, _, qtype in plan:
            writer.write_tensor_data(gguf.quants.quantize(weights[name], qtype))
        writer.close()
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out


def _check_free(out: Path) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ExportError(f"{out} already exists; delete it or choose another output folder")


def _load_weights(folder: Path) -> dict[str, Any]:
    """The merged model's tensors under their GGUF names, as fp32 numpy arrays."""
    import gguf
    import numpy as np
    from safetensors import safe_open

    config = json.loads((folder / "config.json").read_text())
    names = gguf.get_tensor_name_map(gguf.MODEL_ARCH.QWEN2, config["num_hidden_layers"])
    if config.get("model_type") != "qwen2":
        raise ExportError(f"{folder}: a {config.get('model_type')} model is not the embedded model")
    weights: dict[str, Any] = {}
    for file in sorted(folder.glob("*.safetensors")):
        with safe_open(file, framework="numpy") as f:
            for key in f.keys():  # noqa: SIM118 (safe_open is not a mapping)
                name = names.get_name(key, try_suffixes=(".weight", ".bias"))
                if name is None:
                    raise ExportError(f"{file}: tensor {key} has no GGUF name for qwen2")
                weights[name] = np.asarray(f.get_tensor(key), dtype=np.float32)
    if "output.weight" not in weights and config.get("tie_word_embeddings"):
        weights["output.weight"] = weights["token_embd.weight"]
    return weights


def _plan(reader: Any, weights: dict[str, Any], quant: str) -> list[tuple[str, Any, Any]]:
    """(name, original tensor, storage type) for each of the original's tensors, in its order."""
    import gguf

    Q = gguf.GGMLQuantizationType
    plan = []
    for t in reader.tensors:
        if t.name not in weights:
            raise ExportError(f"the merged model has no tensor for the original's {t.name}")
        shape = tuple(int(n) for n in reversed(t.shape))  # GGUF lists dims innermost first
        if weights[t.name].shape != shape:
            raise ExportError(
                f"{t.name}: the merged model's shape {weights[t.name].shape} is not the "
                f"original's {shape}"
            )
        if len(shape) == 1:
            qtype = Q.F32
        elif quant == "q8_0" and shape[-1] % gguf.GGML_QUANT_SIZES[Q.Q8_0][0] == 0:
            qtype = Q.Q8_0
        else:
            qtype = Q.F16
        plan.append((t.name, t, qtype))
    extra = set(weights) - {name for name, _, _ in plan}
    if extra:
        raise ExportError(f"the merged model has tensors the original lacks: {sorted(extra)}")
    return plan


def _stored_layout(shape: tuple[int, ...], qtype: Any) -> tuple[tuple[int, ...], Any, int]:
    import gguf
    import numpy as np

    Q = gguf.GGMLQuantizationType
    if qtype in (Q.F32, Q.F16):
        dtype = np.dtype(np.float32 if qtype == Q.F32 else np.float16)
        return shape, dtype, int(np.prod(shape)) * dtype.itemsize
    byte_shape = gguf.quant_shape_to_byte_shape(shape, qtype)
    return byte_shape, np.dtype(np.uint8), int(np.prod(byte_shape))


def _raw(qtype: Any) -> Any:
    import gguf

    Q = gguf.GGMLQuantizationType
    return None if qtype in (Q.F32, Q.F16) else qtype


def _copy_metadata(reader: Any, writer: Any, quant: str) -> None:
    """Every key/value field of the original, with ``general.file_type`` set to the new type."""
    import gguf

    file_type = gguf.LlamaFileType.MOSTLY_Q8_0 if quant == "q8_0" else gguf.LlamaFileType.MOSTLY_F16
    for field in reader.fields.values():
        # GGUF.* are the header's virtual fields; the writer adds the architecture itself.
        if field.name.startswith("GGUF.") or field.name == gguf.Keys.General.ARCHITECTURE:
            continue
        if field.name == gguf.Keys.General.FILE_TYPE:
            writer.add_file_type(int(file_type))
            continue
        value_type = field.types[0]
        sub_type = field.types[-1] if value_type == gguf.GGUFValueType.ARRAY else None
        writer.add_key_value(field.name, field.contents(), value_type, sub_type=sub_type)
