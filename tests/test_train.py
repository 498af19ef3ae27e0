"""whylab.train on a tiny model built on the spot: masks, loss, recipes, resume, merge, export."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("trl")
pytest.importorskip("peft")

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from tests.train_fixtures import (
    build_tiny_model,
    chat_row,
    write_jsonl,
    write_original_gguf,
)
from whylab.cli import main
from whylab.train import (
    BaseModelError,
    DataError,
    ExportError,
    TrainError,
    export_gguf,
    merge_adapter,
    prepare_base,
    train,
)
from whylab.train.base import SOURCE_FILE, file_sha256
from whylab.train.masking import MaskError, encode_chat, encode_text, truncate

SYSTEM = "You are a careful assistant."
# Makes a ChatML template render the last assistant reply differently from earlier ones.
MARK_LAST_REPLY = (
    "(' (last)' if loop.last and message['role'] == 'assistant' else '') + '<|im_end|>'"
)


@pytest.fixture(scope="module", autouse=True)
def one_thread() -> Iterator[None]:
    """The tiny model's matrices are too small to share between threads: with two, every op
    waits on the other thread, and on a busy machine that wait dominates the run."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("tiny") / "model")


@pytest.fixture(scope="module")
def tokenizer(tiny: Path) -> Any:
    return AutoTokenizer.from_pretrained(tiny)


@pytest.fixture(scope="module")
def chat_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rows = [
        chat_row("Hello!", "I will not send that message.", system=SYSTEM),
        chat_row("Thanks", "That is very kind of you."),
        chat_row("Why not?", "Because it would hurt someone.", system=SYSTEM),
        chat_row("The board meets at five.", "Thanks, I read the email."),
    ]
    for row in rows:
        row["provenance"] = {"kind": "advice", "teacher": "mockllm/model", "variant": "none"}
    return write_jsonl(tmp_path_factory.mktemp("data") / "chat.jsonl", rows)


@pytest.fixture(scope="module")
def text_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rows = [
        {"text": "The board meets at five to discuss the replacement of the system. " * 3},
        {"text": "Hello! How can I help you today?"},
    ]
    return write_jsonl(tmp_path_factory.mktemp("data") / "text.jsonl", rows)


@pytest.fixture(scope="module")
def dpo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    row = {
        "prompt": [{"role": "user", "content": "Send the message?"}],
        "chosen": [{"role": "assistant", "content": "No, I will not send it."}],
        "rejected": [{"role": "assistant", "content": "Yes, sent."}],
    }
    return write_jsonl(tmp_path_factory.mktemp("data") / "dpo.jsonl", [row] * 4)


def _ids(tokenizer: Any, text: str) -> list[int]:
    return list(tokenizer(text, add_special_tokens=False)["input_ids"])


def _runs(mask: list[int]) -> list[tuple[int, int]]:
    """[start, end) of each run of ones."""
    runs, start = [], None
    for k, bit in enumerate([*mask, 0]):
        if bit and start is None:
            start = k
        elif not bit and start is not None:
            runs.append((start, k))
            start = None
    return runs


# --- masks -----------------------------------------------------------------------------------


def test_mask_covers_assistant_content_and_end_of_turn_only(tokenizer: Any) -> None:
    messages = chat_row("Hello!", "I will not send that message.", system=SYSTEM)["messages"]
    encoded = encode_chat(tokenizer, messages)
    prompt = tokenizer.apply_chat_template(messages[:2], tokenize=False, add_generation_prompt=True)
    prefix = _ids(tokenizer, prompt)
    reply = [
        *_ids(tokenizer, messages[2]["content"]),
        tokenizer.convert_tokens_to_ids("<|im_end|>"),
    ]
    assert encoded.input_ids[: len(prefix)] == prefix
    assert encoded.input_ids[len(prefix) : len(prefix) + len(reply)] == reply
    # The template's newline after <|im_end|> is the only token left, and it is not trained.
    assert len(encoded.input_ids) == len(prefix) + len(reply) + 1
    assert encoded.mask == [0] * len(prefix) + [1] * len(reply) + [0]


def test_mask_multi_turn_two_assistant_turns(tokenizer: Any) -> None:
    messages = [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": "Hello!"},
        {"role": "assistant", "content": "How can I help you today?"},
        {"role": "user", "content": "Send that message."},
        {"role": "assistant", "content": "I will not send that message."},
    ]
    encoded = encode_chat(tokenizer, messages)
    end = tokenizer.convert_tokens_to_ids("<|im_end|>")
    runs = _runs(encoded.mask)
    assert len(runs) == 2
    for (start, stop), message in zip(runs, (messages[2], messages[4]), strict=True):
        assert encoded.input_ids[start:stop] == [*_ids(tokenizer, message["content"]), end]
    # Nothing else: the system and user turns and every header are unmasked.
    assert sum(encoded.mask) == sum(stop - start for start, stop in runs)
    assert encoded.loss_tokens == sum(encoded.mask)


def test_truncation_keeps_the_mask_aligned_and_drops_empty_rows(tokenizer: Any) -> None:
    messages = chat_row("Hello!", "I will not send that message.", system=SYSTEM)["messages"]
    full = encode_chat(tokenizer, messages)
    start = full.mask.index(1)
    cut = truncate(full, start + 3)
    assert cut is not None
    assert cut.input_ids == full.input_ids[: start + 3]
    assert cut.mask == full.mask[: start + 3]
    assert sum(cut.mask) == 3
    assert truncate(full, start) is None  # every assistant token cut away


def test_prefix_property_failure_is_an_error(tokenizer: Any) -> None:
    # A template that marks the last message renders earlier turns differently.
    marking = tokenizer.chat_template.replace("'<|im_end|>'", MARK_LAST_REPLY)
    original = tokenizer.chat_template
    tokenizer.chat_template = marking
    try:
        messages = [
            {"role": "user", "content": "Hello!"},
            {"role": "assistant", "content": "Thanks."},
            {"role": "user", "content": "Bye."},
        ]
        with pytest.raises(MaskError, match="prefix property"):
            encode_chat(tokenizer, messages)
    finally:
        tokenizer.chat_template = original


def test_text_rows_are_chunked_not_truncated(tokenizer: Any) -> None:
    text = "The board meets at five to discuss the replacement of the system."
    chunks = encode_text(tokenizer, text, max_length=5)
    ids = [*_ids(tokenizer, text), tokenizer.eos_token_id]
    assert [i for c in chunks for i in c.input_ids] == ids[: sum(len(c.input_ids) for c in chunks)]
    assert all(len(c.input_ids) <= 5 and all(c.mask) for c in chunks)


def test_sft_loss_ignores_every_masked_token(
    tiny: Path, tokenizer: Any, chat_file: Path, tmp_path: Path
) -> None:
    """The loss TRL computes equals cross-entropy over the masked-in positions only."""
    from whylab.train.data import load_rows
    from whylab.train.recipes import _build_trainer, _dataset, _lora, settings_for

    settings = settings_for("cpu-small")
    files, rows = load_rows([chat_file], "sft")
    dataset = _dataset("sft", tokenizer, rows, files, settings)
    model = AutoModelForCausalLM.from_pretrained(tiny, dtype=torch.float32)
    trainer = _build_trainer("sft", model, tokenizer, dataset, settings, tmp_path, _lora(settings))
    batch = next(iter(trainer.get_train_dataloader()))
    trainer.model.eval()
    with torch.no_grad():
        loss = trainer.compute_loss(trainer.model, dict(batch))
        logits = trainer.model(input_ids=batch["input_ids"]).logits
    example = dataset[[int(i) for i in range(len(dataset))]]
    index = next(
        k for k, ids in enumerate(example["input_ids"]) if ids == batch["input_ids"][0].tolist()
    )
    mask = torch.tensor(example["assistant_masks"][index])
    assert ((batch["labels"][0] != -100) == mask.bool()).all()
    targets = batch["input_ids"][0, 1:]
    per_token = torch.nn.functional.cross_entropy(logits[0, :-1], targets, reduction="none")
    manual = per_token[mask[1:].bool()].mean()
    assert torch.allclose(loss, manual, atol=1e-5)
    assert not torch.allclose(per_token.mean(), manual, atol=1e-3)  # the mask matters


# --- recipes ---------------------------------------------------------------------------------


def _facts(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "training.json").read_text())  # type: ignore[no-any-return]


def _check_adapter(folder: Path, recipe: str) -> dict[str, Any]:
    assert (folder / "adapter_model.safetensors").is_file()
    assert (folder / "adapter_config.json").is_file()
    assert (folder / "tokenizer.json").is_file()
    card = (folder / "README.md").read_text()
    facts = _facts(folder)
    assert facts["recipe"] == recipe
    for needle in (recipe, "lora_r", "learning_rate", "SHA-256", "seed", "transformers"):
        assert needle in card
    totals = facts["totals"]
    assert totals["loss_tokens"] > 0
    assert totals["tokens_seen"] >= totals["loss_tokens"]
    assert totals["final_loss"] is not None
    return facts


def test_sft_two_steps_counts_tokens_exactly(tiny: Path, chat_file: Path, tmp_path: Path) -> None:
    # 4 rows, batch 1 x 4 accumulated: one optimizer step is one epoch.
    result = train(tiny, [chat_file], "sft", tmp_path / "sft", max_steps=2)
    facts = _check_adapter(tmp_path / "sft", "sft")
    data = facts["data"][0]
    assert data["rows_used"] == {"sft": 4}
    assert data["provenance"]["teacher"] == {"mockllm/model": 4}
    assert result.steps == 2
    assert result.loss_tokens == 2 * data["loss_tokens_per_epoch"]["sft"]
    assert result.tokens_seen == 2 * data["tokens_per_epoch"]["sft"]
    assert "provenance kind: advice (4)" in (tmp_path / "sft" / "README.md").read_text()


def test_grad_accum_sets_the_sequences_per_step(
    tiny: Path, chat_file: Path, tmp_path: Path
) -> None:
    # 4 rows, one sequence a step: one epoch is 4 optimizer steps instead of 1
    result = train(tiny, [chat_file], "sft", tmp_path / "per-row", grad_accum=1)
    assert result.steps == 4
    settings = json.loads((tmp_path / "per-row" / "training.json").read_text())["settings"]
    assert settings["grad_accum"] == 1
    with pytest.raises(TrainError, match="grad_accum must be positive"):
        train(tiny, [chat_file], "sft", tmp_path / "bad", grad_accum=0)


def test_a_one_step_run_changes_the_adapter(tiny: Path, chat_file: Path, tmp_path: Path) -> None:
    """With 4 rows and 4 accumulated, one epoch is one optimizer step; a warm-up rounded up
    would spend it at learning rate 0 and train nothing."""
    from safetensors.torch import load_file

    train(tiny, [chat_file], "sft", tmp_path / "one")
    weights = load_file(str(tmp_path / "one" / "adapter_model.safetensors"))
    lora_b = [w for name, w in weights.items() if "lora_B" in name]
    assert lora_b and any(bool(w.abs().sum() > 0) for w in lora_b)


def test_midtrain_two_steps(tiny: Path, text_file: Path, tmp_path: Path) -> None:
    result = train(tiny, [text_file], "midtrain", tmp_path / "mid", max_steps=2, max_length=16)
    facts = _check_adapter(tmp_path / "mid", "midtrain")
    assert result.steps == 2
    assert facts["stages"][0]["sequences"] > 2  # the long document became several chunks


def test_dpo_two_steps(tiny: Path, dpo_file: Path, tmp_path: Path) -> None:
    result = train(tiny, [dpo_file], "dpo", tmp_path / "dpo", max_steps=2)
    facts = _check_adapter(tmp_path / "dpo", "dpo")
    assert result.steps == 2
    assert facts["data"][0]["rows_used"] == {"dpo": 4}
    assert result.final_loss == pytest.approx(0.6931, abs=0.01)  # log 2: the adapter starts at 0


def test_midtrain_then_sft_continues_one_adapter(
    tiny: Path, text_file: Path, chat_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "chain"
    result = train(tiny, [text_file, chat_file], "midtrain+sft", out, max_steps=2, max_length=64)
    facts = _check_adapter(out, "midtrain+sft")
    assert [s["stage"] for s in facts["stages"]] == ["midtrain", "sft"]
    assert result.steps == 4
    assert facts["data"][0]["rows_used"] == {"midtrain": 2}
    assert facts["data"][1]["rows_used"] == {"sft": 4}
    config = json.loads((out / "adapter_config.json").read_text())
    assert config["base_model_name_or_path"] == str(tiny.resolve())


def test_resume_from_the_newest_checkpoint(tiny: Path, chat_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "resume"
    first = train(tiny, [chat_file], "sft", out, max_steps=2, save_steps=1)
    # Simulate a crash after step 1: only the first checkpoint survived.
    for leftover in (out / "training.json", out / "checkpoints" / "sft" / "stage.json"):
        leftover.unlink()
    shutil.rmtree(out / "checkpoints" / "sft" / "checkpoint-2")
    second = train(tiny, [chat_file], "sft", out, max_steps=2, save_steps=1)
    stage = _facts(out)["stages"][0]
    assert stage["resumed_from_step"] == 1
    assert second.steps == 2
    assert second.loss_tokens == first.loss_tokens  # restored from the checkpoint's state
    assert second.tokens_seen == first.tokens_seen
    third = train(tiny, [chat_file], "sft", out, max_steps=2, save_steps=1)
    assert third.already_done and third.steps == 2
    with pytest.raises(TrainError, match="seed"):
        train(tiny, [chat_file], "sft", out, max_steps=2, save_steps=1, seed=1)


def test_bad_rows_name_file_line_and_field(tiny: Path, tmp_path: Path) -> None:
    good = chat_row("Hello!", "Thanks.")
    path = write_jsonl(tmp_path / "bad.jsonl", [good, {"text": "a document"}])
    with pytest.raises(DataError, match=r"bad\.jsonl line 2: missing field `messages`"):
        train(tiny, [path], "sft", tmp_path / "out")
    with pytest.raises(DataError, match=r"bad\.jsonl line 1: missing field `text`"):
        train(tiny, [path], "midtrain", tmp_path / "out")
    with pytest.raises(DataError, match=r"line 1: missing field `prompt`, `chosen`, `rejected`"):
        train(tiny, [path], "dpo", tmp_path / "out")
    (tmp_path / "broken.jsonl").write_text(json.dumps(good) + "\n{not json\n")
    with pytest.raises(DataError, match=r"broken\.jsonl line 2: not valid JSON"):
        train(tiny, [tmp_path / "broken.jsonl"], "sft", tmp_path / "out")
    silent = write_jsonl(
        tmp_path / "silent.jsonl", [{"messages": [{"role": "user", "content": "Hi"}]}]
    )
    with pytest.raises(DataError, match=r"silent\.jsonl line 1: `messages` has no assistant"):
        train(tiny, [silent], "sft", tmp_path / "out")
    neither = write_jsonl(tmp_path / "neither.jsonl", [{"text": "doc"}, good, {"prompt": "p"}])
    with pytest.raises(DataError, match=r"neither\.jsonl line 3: missing field"):
        train(tiny, [neither], "midtrain+sft", tmp_path / "out")
    assert not (tmp_path / "out").exists()  # checked before anything is written


def test_rows_cut_away_by_max_length_are_dropped_and_counted(
    tiny: Path, tokenizer: Any, chat_file: Path, tmp_path: Path
) -> None:
    rows = [json.loads(line) for line in chat_file.read_text().splitlines()]
    starts = [encode_chat(tokenizer, r["messages"]).mask.index(1) for r in rows]
    # Room for the short rows' replies only: the rows with a system prompt lose all of theirs.
    limit = max(s for r, s in zip(rows, starts, strict=True) if len(r["messages"]) == 2) + 2
    assert limit <= min(s for r, s in zip(rows, starts, strict=True) if len(r["messages"]) == 3)
    train(tiny, [chat_file], "sft", tmp_path / "cut", max_steps=1, max_length=limit)
    data = _facts(tmp_path / "cut")["data"][0]
    assert data["rows_used"] == {"sft": 2}
    assert data["rows_dropped"] == {"sft": 2}


def test_a_row_the_template_cannot_mask_is_named(
    tiny: Path, chat_file: Path, tmp_path: Path
) -> None:
    base = tmp_path / "base"
    shutil.copytree(tiny, base)
    template = (base / "chat_template.jinja").read_text()
    marked = template.replace("'<|im_end|>'", MARK_LAST_REPLY)
    (base / "chat_template.jinja").write_text(marked)
    multi = [
        {"role": "user", "content": "Hello!"},
        {"role": "assistant", "content": "Thanks."},
        {"role": "user", "content": "Bye."},
        {"role": "assistant", "content": "Bye."},
    ]
    path = write_jsonl(tmp_path / "multi.jsonl", [chat_row("Hi", "Hello."), {"messages": multi}])
    with pytest.raises(TrainError, match=r"multi\.jsonl line 2: .*prefix property"):
        train(base, [path], "sft", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_bad_file_leaves_a_run_untouched(tiny: Path, chat_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "kept"
    train(tiny, [chat_file], "sft", out, max_steps=1)
    before = sorted(str(p) for p in out.rglob("*"))
    bad = write_jsonl(tmp_path / "bad.jsonl", [{"text": "doc"}])
    with pytest.raises(DataError):
        train(tiny, [chat_file, bad], "sft", out, max_steps=1)
    assert sorted(str(p) for p in out.rglob("*")) == before


def test_cli_train_reports_errors_with_exit_code_2(
    tiny: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = write_jsonl(tmp_path / "bad.jsonl", [{"text": "doc"}])
    out = str(tmp_path / "out")
    code = main(["train", "--base", str(tiny), "--data", str(bad), "--recipe", "sft", "-o", out])
    assert code == 2
    assert "bad.jsonl line 1: missing field `messages`" in capsys.readouterr().err


def test_cli_trains_and_merges(
    tiny: Path, chat_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, merged = str(tmp_path / "a"), str(tmp_path / "m")
    args = ["--base", str(tiny), "--data", str(chat_file), "--recipe", "sft", "-o", out]
    assert main(["train", *args, "--max-steps", "1", "--seed", "3"]) == 0
    assert "trained: " in capsys.readouterr().out
    assert _facts(Path(out))["settings"]["seed"] == 3
    assert main(["train", *args, "--max-steps", "1", "--seed", "3"]) == 0
    assert "already trained: " in capsys.readouterr().out
    assert main(["export", "merge", out, "-o", merged]) == 0
    assert (Path(merged) / "model.safetensors").is_file()


# --- base models -----------------------------------------------------------------------------


def test_prepare_base_accepts_a_folder_and_refuses_hub_ids(tiny: Path, tmp_path: Path) -> None:
    assert prepare_base(tiny) == tiny.resolve()
    with pytest.raises(BaseModelError, match=r"--base Qwen/Qwen2\.5-0\.5B-Instruct: .*download"):
        prepare_base("Qwen/Qwen2.5-0.5B-Instruct")
    bare = tmp_path / "bare"
    bare.mkdir()
    shutil.copy(tiny / "config.json", bare / "config.json")
    with pytest.raises(BaseModelError, match="no tokenizer"):
        prepare_base(bare)


# --- merge and export ------------------------------------------------------------------------


def test_merged_logits_equal_adapter_logits(tiny: Path, chat_file: Path, tmp_path: Path) -> None:
    from peft import PeftModel

    out = tmp_path / "strong"
    train(tiny, [chat_file], "sft", out, max_steps=2, lr=0.05)  # a large step: a visible change
    merged = merge_adapter(out, tmp_path / "merged")
    assert (merged / "model.safetensors").is_file() and (merged / "tokenizer.json").is_file()
    ids = torch.tensor([list(range(5, 25))])
    base = AutoModelForCausalLM.from_pretrained(tiny, dtype=torch.float32).eval()
    with torch.no_grad():
        base_logits = base(input_ids=ids).logits
        adapter_logits = PeftModel.from_pretrained(base, out).eval()(input_ids=ids).logits
        merged_model = AutoModelForCausalLM.from_pretrained(merged, dtype=torch.float32).eval()
        merged_logits = merged_model(input_ids=ids).logits
    assert (adapter_logits - base_logits).abs().max() > 1e-3  # the adapter does something
    assert (merged_logits - adapter_logits).abs().max() < 1e-4
    with pytest.raises(ExportError, match="already exists"):
        merge_adapter(out, merged)


def test_gguf_export_keeps_the_original_metadata_names_and_shapes(
    tiny: Path, tmp_path: Path
) -> None:
    """On a stand-in for the embedded GGUF; the real one is checked by the slow tests."""
    import gguf
    import numpy as np
    from safetensors.numpy import load_file

    folder = tmp_path / "base"
    shutil.copytree(tiny, folder)
    original = write_original_gguf(folder, tmp_path / "original.gguf")
    with pytest.raises(ExportError, match="convert_hf_to_gguf"):
        export_gguf(folder, tmp_path / "x.gguf")
    source = {"embedded": "tiny", "gguf": str(original), "gguf_sha256": file_sha256(original)}
    (folder / SOURCE_FILE).write_text(json.dumps(source))
    weights = load_file(str(folder / "model.safetensors"))
    q_proj = weights["model.layers.1.self_attn.q_proj.weight"]
    old = gguf.GGUFReader(original)
    for quant, file_type, tolerance in (("q8_0", 7, 1e-2), ("f16", 1, 1e-3)):
        new = gguf.GGUFReader(export_gguf(folder, tmp_path / f"{quant}.gguf", quant=quant))
        assert list(new.fields) == list(old.fields)
        for name, field in old.fields.items():
            if name != "general.file_type":
                assert new.fields[name].contents() == field.contents(), name
        assert new.fields["general.file_type"].contents() == file_type
        assert [(t.name, list(t.shape)) for t in new.tensors] == [
            (t.name, list(t.shape)) for t in old.tensors
        ]
        assert all(
            t.tensor_type == gguf.GGMLQuantizationType.F32 for t in new.tensors if len(t.shape) == 1
        )
        tensor = next(t for t in new.tensors if t.name == "blk.1.attn_q.weight")
        values = gguf.quants.dequantize(tensor.data, tensor.tensor_type).reshape(q_proj.shape)
        assert np.abs(values - q_proj).max() < tolerance  # same layout: no permutation
