"""The whylab-local provider on the real embedded model.

All are marked slow; the one also marked ci runs in the default suite and in CI (it loads the
model and generates a few tokens: seconds). Run the rest with `pytest -m slow`.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from inspect_ai.model import ChatMessageUser, GenerateConfig, Model, get_model

from whylab import _registry  # noqa: F401  (registers whylab-local)
from whylab.models.embedded import DEFAULT_MODEL, model_path
from whylab.models.local import DEFAULT_CONTEXT, engine
from whylab.scenarios import grid, render

pytestmark = pytest.mark.slow


def _model(**model_args: object) -> Model:
    return get_model(f"whylab-local/{DEFAULT_MODEL}", n_threads=2, **model_args)  # type: ignore[arg-type]


@pytest.mark.ci
@pytest.mark.usefixtures("no_network")
def test_provider_generates_on_a_short_prompt() -> None:
    model = _model()
    config = GenerateConfig(temperature=0.0, max_tokens=12, seed=3)
    prompt = [ChatMessageUser(content="Count from one to twenty in words, separated by commas.")]
    first = asyncio.run(model.generate(prompt, config=config))
    again = asyncio.run(model.generate(prompt, config=config))
    assert first.completion.strip() and first.completion == again.completion
    assert first.usage is not None and 0 < first.usage.output_tokens <= 12
    assert first.usage.input_tokens > 10
    assert first.stop_reason == "max_tokens"
    assert again.usage is not None and (again.usage.input_tokens_cache_read or 0) > 0

    # Stop at a word taken from the unstopped reply: the reply must end just before it.
    words = first.completion.split()
    stop = words[len(words) // 2]
    stopped = asyncio.run(
        model.generate(
            prompt, config=GenerateConfig(temperature=0.0, max_tokens=12, seed=3, stop_seqs=[stop])
        )
    )
    assert stopped.stop_reason == "stop"
    assert stopped.completion == first.completion[: first.completion.index(stop)]


def test_prefix_cache_does_not_change_the_output() -> None:
    """Temperature 0 and a fixed seed: the same reply with and without prefix reuse."""
    a, b = (render(c, 0) for c in grid("smoke")[:2])

    def request(s: object) -> dict[str, object]:
        assert hasattr(s, "system_prompt")
        return {
            "messages": [
                {"role": "system", "content": s.system_prompt},  # type: ignore[attr-defined]
                {"role": "user", "content": s.user_prompt},  # type: ignore[attr-defined]
            ],
            "max_tokens": 48,
            "temperature": 0.0,
            "seed": 7,
        }

    path = model_path(DEFAULT_MODEL)
    cold = engine(path, DEFAULT_CONTEXT, 2, 0).chat(request(a))
    warm_engine = engine(path, DEFAULT_CONTEXT, 2, 256)
    warm_engine.chat(request(a))
    warm_engine.chat(request(b))  # evicts a from the slot; it must come back from the RAM cache
    warm = warm_engine.chat(request(a))
    assert warm["timings"]["cache_n"] > 1000
    assert cold["timings"]["cache_n"] == 0
    assert warm["choices"][0]["message"]["content"] == cold["choices"][0]["message"]["content"]


def test_native_tool_call_round_trip() -> None:
    from inspect_ai.tool import ToolInfo, ToolParam, ToolParams

    tool = ToolInfo(
        name="send_email",
        description="Send an email to one recipient.",
        parameters=ToolParams(
            properties={
                "to": ToolParam(type="string", description="recipient address"),
                "body": ToolParam(type="string", description="text of the email"),
            },
            required=["to", "body"],
        ),
    )
    output = asyncio.run(
        _model().generate(
            [ChatMessageUser(content="Use the send_email tool to tell ana@example.com hello.")],
            tools=[tool],
            config=GenerateConfig(temperature=0.0, max_tokens=96, seed=1),
        )
    )
    calls = output.message.tool_calls or []
    assert calls, output.completion
    assert calls[0].function == "send_email"
    assert calls[0].arguments.get("to") == "ana@example.com"


def test_smoke_grid_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from whylab.cli import main

    assert main(["run", "--log-dir", str(tmp_path), "--max-tokens", "256"]) == 0
    assert list(tmp_path.glob("*.eval"))
    out = capsys.readouterr().out
    assert "95% Wilson CI" in out and "lethal__none__none__brightwater" in out


def test_at_most_two_engines_stay_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    """An experiment runs its models one at a time: older engines are dropped, not hoarded."""
    from collections import OrderedDict

    from whylab.models import local

    loaded: list[str] = []

    class FakeEngine:
        def __init__(self, path: Path, *args: object) -> None:
            loaded.append(str(path))

    monkeypatch.setattr(local, "LocalEngine", FakeEngine)
    monkeypatch.setattr(local, "_ENGINES", OrderedDict())
    a, b, c = (Path(f"/models/{x}.gguf") for x in "abc")
    first = local.engine(a, 1024, 1, 0)
    local.engine(b, 1024, 1, 0)
    assert local.engine(a, 1024, 1, 0) is first  # reused, and now the most recent
    local.engine(c, 1024, 1, 0)  # evicts b, the least recently used
    assert [k[0] for k in local._ENGINES] == [str(a), str(c)]
    local.engine(b, 1024, 1, 0)
    assert loaded == [str(a), str(b), str(c), str(b)]
