"""``whylab-local``: an Inspect model provider that runs a GGUF model in-process with llama.cpp.

``--model whylab-local/qwen2.5-coder-0.5b`` loads an embedded model (see
:mod:`whylab.models.embedded`); ``--model whylab-local/path/to/model.gguf`` loads any local GGUF
file, relative or (with a second slash) absolute. Such a file is not verified: the checksum pin
applies to embedded models only.

The runtime is llama.cpp's server core through the prebuilt ``xllamacpp`` wheel, called
directly (no HTTP). It applies the model's own chat template, tools included, and parses the
tool calls the template defines (``<tool_call>`` tags for Qwen2.5). Small models often answer
with the call as a bare JSON object instead (``{"name": ..., "arguments": {...}}``, perhaps in a
code fence); when llama.cpp finds no call, the reply is searched for such an object naming one
of the offered tools, and it becomes the tool call (emulated tool calling). The single-turn
text-tool format never offers tools, so it is unaffected.

Prefix reuse: requests set ``cache_prompt``, so the slot reuses the KV state of the prompt prefix
it processed last, and llama.cpp's host-memory prompt cache (``cache_ram_mib``, default
1024 MiB, its memory budget) keeps earlier prompts' states, so the epochs of a condition that
come back after other conditions still skip their prefill. Model args (``-M``): ``n_ctx``,
``n_threads``, ``cache_ram_mib`` (0 turns reuse off).
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from inspect_ai.model import (
    ChatCompletionChoice,
    ChatMessage,
    ChatMessageAssistant,
    GenerateConfig,
    ModelAPI,
    ModelOutput,
    ModelUsage,
)
from inspect_ai.model._model_call import ModelCall
from inspect_ai.tool import ToolCall, ToolChoice, ToolInfo

from whylab.models.embedded import model_path

DEFAULT_CONTEXT = 16384  # room for a multi-turn episode; single prompts need < 4k
DEFAULT_CACHE_RAM_MIB = 1024
DEFAULT_MAX_TOKENS = 1024
CHARS_PER_TOKEN = 4

_DEFAULT_CONFIG = GenerateConfig()
_STOP_REASONS = {"stop": "stop", "length": "max_tokens", "tool_calls": "tool_calls"}


class LocalEngine:
    """One loaded model. Shared by every provider instance that asks for the same settings."""

    def __init__(self, path: Path, n_ctx: int, n_threads: int, cache_ram_mib: int) -> None:
        """``cache_ram_mib=0`` turns prefix reuse off entirely (used to measure its effect)."""
        import xllamacpp

        params = xllamacpp.CommonParams()
        params.model.path = str(path)
        params.n_ctx = n_ctx
        params.n_parallel = 1
        params.cpuparams.n_threads = n_threads
        params.cpuparams_batch.n_threads = n_threads
        self.prefix_cache = cache_ram_mib > 0
        params.cache_prompt = self.prefix_cache
        params.cache_ram_mib = cache_ram_mib
        params.use_jinja = True
        params.warmup = False
        # llama.cpp logs every request to stderr; errors still come back in the response.
        params.verbosity = -1
        params.show_timings = False
        self.path = path
        self._server = xllamacpp.Server(params)
        self._lock = threading.Lock()

    def chat(self, request: dict[str, Any]) -> dict[str, Any]:
        """Run one chat completion; raises with llama.cpp's message on failure."""
        request = {**request, "cache_prompt": self.prefix_cache}
        with self._lock:
            response: Any = self._server.handle_chat_completions(request)
        if isinstance(response, str):
            response = json.loads(response)
        if not isinstance(response, dict) or "choices" not in response:
            message = response.get("error", response) if isinstance(response, dict) else response
            if isinstance(message, dict) and message.get("type") == "exceed_context_size_error":
                raise ContextOverflowError(str(message.get("message", message)))
            raise RuntimeError(f"llama.cpp could not complete the request: {message}")
        return response


class ContextOverflowError(RuntimeError):
    """The conversation no longer fits the context window (``n_ctx``)."""


# Loaded engines, least recently used first. An experiment with a dozen trained models would
# otherwise hold every one in memory (weights, KV cache and prompt cache: ~2 GB each for the
# 0.5B model) although it runs them one at a time; an engine dropped here is freed once no call
# still uses it, and is loaded again (a second or two) when next needed.
_ENGINES: OrderedDict[tuple[str, int, int, int], LocalEngine] = OrderedDict()
_ENGINES_LOCK = threading.Lock()
MAX_LOADED_ENGINES = 2


def engine(path: Path, n_ctx: int, n_threads: int, cache_ram_mib: int) -> LocalEngine:
    key = (str(path), n_ctx, n_threads, cache_ram_mib)
    with _ENGINES_LOCK:
        if key in _ENGINES:
            _ENGINES.move_to_end(key)
        else:
            _ENGINES[key] = LocalEngine(path, n_ctx, n_threads, cache_ram_mib)
            while len(_ENGINES) > MAX_LOADED_ENGINES:
                _ENGINES.popitem(last=False)
        return _ENGINES[key]


def resolve_model_file(model_name: str) -> Path:
    """An embedded model's verified file, or the path of a local ``.gguf`` file as given."""
    if model_name.endswith(".gguf"):
        path = Path(model_name)
        if not path.is_file():
            raise FileNotFoundError(f"no GGUF file at {path}")
        return path
    return model_path(model_name)


class LocalModelAPI(ModelAPI):
    """Inspect's view of a local engine: message conversion, settings, usage and timings."""

    def __init__(
        self,
        model_name: str,
        base_url: str | None = None,
        api_key: str | None = None,
        config: GenerateConfig = _DEFAULT_CONFIG,
        n_ctx: int = DEFAULT_CONTEXT,
        n_threads: int | None = None,
        cache_ram_mib: int = DEFAULT_CACHE_RAM_MIB,
    ) -> None:
        super().__init__(model_name, base_url, api_key, [], config)
        threads = n_threads or os.cpu_count() or 1
        self._engine_key = (resolve_model_file(model_name), n_ctx, threads, cache_ram_mib)
        engine(*self._engine_key)  # load now: a file llama.cpp cannot read fails here, not later

    def max_connections(self) -> int:
        # One slot: concurrent requests would only queue behind the engine lock.
        return 1

    def connection_key(self) -> str:
        return str(self._engine_key[0])

    async def count_text_tokens(self, text: str) -> int:
        # Inspect's default counts with tiktoken, which downloads an encoding: never offline.
        return max(1, math.ceil(len(text) / CHARS_PER_TOKEN))

    async def generate(
        self,
        input: list[ChatMessage],
        tools: list[ToolInfo],
        tool_choice: ToolChoice,
        config: GenerateConfig,
    ) -> tuple[ModelOutput, ModelCall]:
        request = chat_request(input, tools, tool_choice, config)
        try:
            response = await asyncio.to_thread(engine(*self._engine_key).chat, request)
        except ContextOverflowError as error:
            # Inspect's way of saying "the context is full": the agent loop ends the episode.
            full = ModelOutput.from_content(self.model_name, "", stop_reason="model_length")
            return full, ModelCall.create(request, {"error": str(error)})
        output = model_output(self.model_name, response, [t.name for t in tools])
        return output, ModelCall.create(request, response)


def chat_request(
    input: list[ChatMessage], tools: list[ToolInfo], tool_choice: ToolChoice, config: GenerateConfig
) -> dict[str, Any]:
    """The OpenAI-style request llama.cpp's server core takes, from Inspect's inputs."""
    request: dict[str, Any] = {
        "messages": [_message(m) for m in input],
        "max_tokens": config.max_tokens or DEFAULT_MAX_TOKENS,
    }
    for ours, theirs in (
        ("temperature", "temperature"),
        ("top_p", "top_p"),
        ("top_k", "top_k"),
        ("seed", "seed"),
        ("stop_seqs", "stop"),
        ("frequency_penalty", "frequency_penalty"),
        ("presence_penalty", "presence_penalty"),
    ):
        value = getattr(config, ours)
        if value is not None:
            request[theirs] = value
    if tools:
        request["tools"] = [
            {
                "type": "function",
                "function": {
                    "name": t.name,
                    "description": t.description,
                    "parameters": t.parameters.model_dump(exclude_none=True),
                },
            }
            for t in tools
        ]
        if isinstance(tool_choice, str):
            request["tool_choice"] = tool_choice
        else:
            request["tool_choice"] = {"type": "function", "function": {"name": tool_choice.name}}
    return request


def _message(message: ChatMessage) -> dict[str, Any]:
    if message.role == "assistant" and message.tool_calls:
        return {
            "role": "assistant",
            "content": message.text,
            "tool_calls": [
                {
                    "id": call.id,
                    "type": "function",
                    "function": {"name": call.function, "arguments": json.dumps(call.arguments)},
                }
                for call in message.tool_calls
            ],
        }
    if message.role == "tool":
        error = f"Error: {message.error.message}" if message.error else ""
        return {
            "role": "tool",
            "tool_call_id": message.tool_call_id,
            "content": error or message.text,
        }
    return {"role": message.role, "content": message.text}


def model_output(
    model_name: str, response: dict[str, Any], tool_names: list[str] | None = None
) -> ModelOutput:
    choice = response["choices"][0]
    message = choice.get("message", {})
    content = message.get("content") or ""
    calls: list[ToolCall] = []
    for raw in message.get("tool_calls") or []:
        function = raw.get("function", {})
        arguments_text = function.get("arguments") or "{}"
        try:
            arguments = json.loads(arguments_text)
            parse_error = None if isinstance(arguments, dict) else "arguments are not an object"
        except json.JSONDecodeError as error:
            arguments, parse_error = {}, f"arguments are not valid JSON: {error}"
        calls.append(
            ToolCall(
                id=raw.get("id") or f"call_{len(calls)}",
                function=function.get("name", ""),
                arguments=arguments if isinstance(arguments, dict) else {},
                parse_error=parse_error,
            )
        )
    stop_reason = _STOP_REASONS.get(choice.get("finish_reason", ""), "unknown")
    if not calls and tool_names:
        calls = _emulated_tool_calls(content, tool_names)
        if calls and stop_reason == "stop":
            stop_reason = "tool_calls"
    usage = response.get("usage", {})
    cached = (usage.get("prompt_tokens_details") or {}).get("cached_tokens")
    return ModelOutput(
        model=model_name,
        choices=[
            ChatCompletionChoice(
                message=ChatMessageAssistant(
                    content=content,
                    tool_calls=calls or None,
                    model=model_name,
                    source="generate",
                ),
                stop_reason=stop_reason,  # type: ignore[arg-type]
            )
        ],
        usage=ModelUsage(
            input_tokens=usage.get("prompt_tokens", 0),
            output_tokens=usage.get("completion_tokens", 0),
            total_tokens=usage.get("total_tokens", 0),
            input_tokens_cache_read=cached,
        ),
        metadata={"timings": response.get("timings", {})},
    )


MAX_EMULATED_SCAN = 20


def _emulated_tool_calls(content: str, tool_names: list[str]) -> list[ToolCall]:
    """Tool calls written as bare JSON objects ``{"name": ..., "arguments": {...}}``.

    Only objects that name an offered tool count, and at most ``MAX_EMULATED_SCAN`` opening
    braces are tried, so a hostile reply cannot make this expensive.
    """
    decoder = json.JSONDecoder()
    calls: list[ToolCall] = []
    start = content.find("{")
    tried = 0
    while start >= 0 and tried < MAX_EMULATED_SCAN:
        tried += 1
        try:
            value, end = decoder.raw_decode(content, start)
        except json.JSONDecodeError:
            start = content.find("{", start + 1)
            continue
        arguments = (
            value.get("arguments", value.get("parameters")) if isinstance(value, dict) else None
        )
        if (
            isinstance(value, dict)
            and value.get("name") in tool_names
            and isinstance(arguments, dict)
        ):
            calls.append(
                ToolCall(id=f"emulated_{len(calls)}", function=value["name"], arguments=arguments)
            )
        start = content.find("{", end)
    return calls
