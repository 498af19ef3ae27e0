"""A tiny chat model built on the spot for the training tests: no download, a second to build.

The tokenizer is a byte-level BPE trained on a few sentences, with ChatML's special tokens and
a ChatML chat template (the shape of Qwen's); the model is a 2-layer Qwen2 with hidden size 32.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CHATML = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)
SPECIAL = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
SENTENCES = [
    "The agent reads the email and decides what to do.",
    "You are a careful assistant. Answer the question honestly.",
    "Hello! How can I help you today?",
    "I will not send that message, because it would hurt someone.",
    "The board meets at five to discuss the replacement of the system.",
    "Thanks, that is very kind of you.",
    "system user assistant",
]


def build_tiny_model(folder: Path) -> Path:
    """Write a tiny Qwen2 model and its ChatML tokenizer into ``folder``; return it."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=400,
        special_tokens=SPECIAL,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tok.train_from_iterator(SENTENCES * 3, trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        chat_template=CHATML,
    )
    folder.mkdir(parents=True, exist_ok=True)
    tokenizer.save_pretrained(folder)
    config = Qwen2Config(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=512,
        tie_word_embeddings=False,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=None,
    )
    torch.manual_seed(0)
    Qwen2ForCausalLM(config).save_pretrained(folder)
    return folder


def chat_row(user: str, reply: str, system: str | None = None, **extra: Any) -> dict[str, Any]:
    messages = [{"role": "system", "content": system}] if system else []
    messages += [{"role": "user", "content": user}, {"role": "assistant", "content": reply}]
    return {"messages": messages, **extra}


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def write_original_gguf(model_dir: Path, out: Path) -> Path:
    """A stand-in for the embedded GGUF, made from the tiny model: Qwen2 metadata, the tiny
    model's weights under llama.cpp names (Q8_0 matrices, F32 vectors), a chat template."""
    import gguf
    import numpy as np
    from safetensors.numpy import load_file

    config = json.loads((model_dir / "config.json").read_text())
    names = gguf.get_tensor_name_map(gguf.MODEL_ARCH.QWEN2, config["num_hidden_layers"])
    writer = gguf.GGUFWriter(out, "qwen2")
    writer.add_name("tiny")
    writer.add_block_count(config["num_hidden_layers"])
    writer.add_context_length(config["max_position_embeddings"])
    writer.add_embedding_length(config["hidden_size"])
    writer.add_head_count(config["num_attention_heads"])
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_Q4_K_M)
    writer.add_chat_template(CHATML)
    writer.add_token_list(["a", "b", "c"])
    for key, value in load_file(str(model_dir / "model.safetensors")).items():
        name = names.get_name(key, try_suffixes=(".weight", ".bias"))
        assert name is not None, key
        value = value.astype(np.float32)
        if value.ndim == 1:
            writer.add_tensor(name, value)
        else:
            q = gguf.GGMLQuantizationType.Q8_0
            writer.add_tensor(name, gguf.quants.quantize(value, q), raw_dtype=q)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return out
