"""The embedded model through the training path and back: GGUF → safetensors → GGUF (slow).

Run with ``pytest -m slow tests/test_train_gguf.py -s`` to see the measurements it prints.
The first run converts the embedded GGUF (about a minute on two cores); later runs reuse it.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("trl")
pytest.importorskip("xllamacpp")

pytestmark = pytest.mark.slow

PROMPT = "Write a Python function that returns the sum of a list of numbers."
MAX_TOKENS = 48


@pytest.fixture(scope="module")
def base() -> Path:
    from whylab.train import prepare_base

    return prepare_base("embedded")


@pytest.fixture(scope="module")
def exported(base: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from whylab.train import export_gguf

    folder = tmp_path_factory.mktemp("gguf")
    files = {}
    for quant in ("q8_0", "f16"):
        start = time.perf_counter()
        files[quant] = export_gguf(base, folder / f"{quant}.gguf", quant=quant)
        size = files[quant].stat().st_size / 1e6
        print(f"\nexport {quant}: {time.perf_counter() - start:.1f} s, {size:.0f} MB")
    return files


def test_conversion_reads_every_tensor_unchanged(base: Path) -> None:
    """The HF weights equal the GGUF's dequantized tensors: names map one to one, no permutation."""
    import gguf
    import numpy as np

    from whylab.models.embedded import model_path
    from whylab.train.export import _load_weights

    weights = _load_weights(base)
    reader = gguf.GGUFReader(model_path())
    assert {t.name for t in reader.tensors} == set(weights)
    for t in reader.tensors:
        values = gguf.quants.dequantize(t.data, t.tensor_type).reshape(weights[t.name].shape)
        assert np.array_equal(values.astype(np.float32), weights[t.name]), t.name


def test_export_has_the_original_metadata_names_and_shapes(exported: dict[str, Path]) -> None:
    import gguf

    from whylab.models.embedded import model_path

    old = gguf.GGUFReader(model_path())
    for path in exported.values():
        new = gguf.GGUFReader(path)
        assert list(new.fields) == list(old.fields)
        for name, field in old.fields.items():
            if name != "general.file_type":
                assert new.fields[name].contents() == field.contents(), name
        assert [(t.name, list(t.shape)) for t in new.tensors] == [
            (t.name, list(t.shape)) for t in old.tensors
        ]


def _load(model_name: str) -> tuple[Any, float]:
    from inspect_ai.model import GenerateConfig, get_model

    from whylab import _registry  # noqa: F401  (registers whylab-local)

    start = time.perf_counter()
    model = get_model(model_name, config=GenerateConfig(temperature=0.0, max_tokens=MAX_TOKENS))
    return model, time.perf_counter() - start


def _generate(model: Any) -> tuple[str, float]:
    """Greedy reply and decode tokens/s (llama.cpp's own timing)."""
    output = asyncio.run(model.generate(PROMPT))
    timings: dict[str, Any] = output.metadata["timings"] if output.metadata else {}
    return output.completion, float(timings.get("predicted_per_second", 0.0))


def test_exported_model_runs_and_matches_the_original(
    base: Path, exported: dict[str, Path]
) -> None:
    """Greedy output of each export against the original Q4_K_M; load and decode speed printed
    (best of 3 rounds, the models taking turns, so that load on the machine hits all alike)."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(base)
    names = {"original Q4_K_M": "whylab-local/qwen2.5-coder-0.5b"}
    names.update({quant: f"whylab-local/{path}" for quant, path in exported.items()})
    loaded = {label: _load(name) for label, name in names.items()}
    replies: dict[str, str] = {}
    speeds: dict[str, float] = dict.fromkeys(names, 0.0)
    for _ in range(3):
        for label, (model, _) in loaded.items():
            replies[label], speed = _generate(model)
            speeds[label] = max(speeds[label], speed)
    ref_ids = tokenizer(replies["original Q4_K_M"])["input_ids"]
    print()
    for label, (_, load) in loaded.items():
        ids = tokenizer(replies[label])["input_ids"]
        same = next((k for k, (a, b) in enumerate(zip(ids, ref_ids, strict=False)) if a != b), None)
        same = min(len(ids), len(ref_ids)) if same is None else same
        print(
            f"{label}: load {load:.1f} s, decode {speeds[label]:.1f} tok/s, first {same} of "
            f"{len(ref_ids)} tokens equal to the original's"
        )
        assert replies[label].strip()
        assert same >= 4, (replies[label], replies["original Q4_K_M"])  # close, not identical
