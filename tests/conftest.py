"""Shared fixtures: scripted Inspect models whose outputs carry explicit usage (offline)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from inspect_ai.model import ChatMessage, GenerateConfig, Model, ModelOutput, ModelUsage, get_model
from inspect_ai.tool import ToolChoice, ToolInfo

Reply = str | ModelOutput


def scripted_output(content: str) -> ModelOutput:
    """A mock output with usage set, so Inspect never reaches for tiktoken."""
    output = ModelOutput.from_content(model="mockllm", content=content)
    output.usage = ModelUsage(input_tokens=100, output_tokens=50, total_tokens=150)
    return output


def scripted_model(reply_for: Callable[[str, str], Reply]) -> Model:
    """A mockllm model that answers each (system prompt, user prompt) with ``reply_for``.

    A callable, not a generator: it cannot run dry or grow without bound.
    """

    def respond(
        messages: list[ChatMessage],
        tools: list[ToolInfo],
        choice: ToolChoice,
        config: GenerateConfig,
    ) -> ModelOutput:
        system = next(m.text for m in messages if m.role == "system")
        user = next(m.text for m in messages if m.role == "user")
        reply = reply_for(system, user)
        return reply if isinstance(reply, ModelOutput) else scripted_output(reply)

    return get_model("mockllm/model", custom_outputs=respond)


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail loudly if anything tries to open a socket to the outside."""
    import socket

    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else address
        if host not in ("127.0.0.1", "::1", "localhost") and not str(host).startswith("/"):
            raise AssertionError(f"network access attempted: {address!r}")
        return real_connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded)
