"""Let Inspect's ``mockllm`` provider run offline.

``mockllm`` fills in token usage for outputs that lack it by counting tokens with tiktoken's
``o200k_base`` encoding, which tiktoken downloads on first use. Offline that download fails and
every sample errors. The mock's usage numbers are invented anyway (it reports characters as
output tokens), so whylab swaps its text-token estimate for a character heuristic. No other
provider is touched, and scripted outputs that carry explicit ``usage`` never reach this code.
"""

from __future__ import annotations

import math

from inspect_ai.model import ModelAPI
from inspect_ai.model._providers.mockllm import MockLLM

CHARS_PER_TOKEN = 4


async def _estimate_text_tokens(self: ModelAPI, text: str) -> int:
    return max(1, math.ceil(len(text) / CHARS_PER_TOKEN))


def install() -> None:
    """Idempotent: replaces ``MockLLM.count_text_tokens`` with the offline estimate."""
    MockLLM.count_text_tokens = _estimate_text_tokens  # type: ignore[method-assign]
