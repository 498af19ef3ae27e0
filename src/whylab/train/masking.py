"""Assistant-only loss masks for chat rows, built from the chat template itself.

TRL's ``assistant_only_loss`` needs ``{% generation %}`` markers in the chat template, and most
templates (Qwen's included) have none. So the mask is built here: the conversation is rendered
with the tokenizer's own template; for each assistant message, the render of the messages before
it with the generation prompt must be a prefix of the render through it, and both of the whole
conversation (the *prefix property*). The text between the two is exactly what the model would
generate for that turn: its content and its end-of-turn token. Whatever the template appends
after that token (Qwen's newline) is template text and stays out of the mask, as do system and
user turns and every role header.

The spans are found on the rendered *string* and mapped to tokens through the tokenizer's
offsets, not by tokenizing each prefix on its own: a BPE merge across a boundary (a newline that
ends the header joining newlines that start the content) would break a token-level comparison
although the template is fine. A token that straddles the start of a span is template text as
much as content, and is left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class MaskError(ValueError):
    """A conversation's loss mask cannot be built; the message says why."""


@dataclass(frozen=True)
class Encoded:
    """Token ids of one training sequence and its loss mask (1 = trained on)."""

    input_ids: list[int]
    mask: list[int]

    @property
    def loss_tokens(self) -> int:
        return sum(self.mask)


def encode_chat(tokenizer: Any, messages: list[dict[str, Any]]) -> Encoded:
    """Render ``messages`` with the tokenizer's chat template; mask = assistant turns only."""
    full = _render(tokenizer, messages, generation_prompt=False)
    spans = []
    for i, message in enumerate(messages):
        if message.get("role") != "assistant":
            continue
        before = _render(tokenizer, messages[:i], generation_prompt=True)
        through = _render(tokenizer, messages[: i + 1], generation_prompt=False)
        if not (through.startswith(before) and full.startswith(through)):
            raise MaskError(
                f"the chat template does not render message {i} (assistant) as a continuation "
                "of the messages before it (the prefix property fails), so its tokens cannot be "
                "told apart from the template's; use a template that renders earlier turns "
                "unchanged, or add {% generation %} markers"
            )
        spans.append((i, len(before), len(through)))
    if not spans:
        raise MaskError("the conversation has no assistant message to train on")
    encoding = tokenizer(full, add_special_tokens=False, return_offsets_mapping=True)
    ids: list[int] = list(encoding["input_ids"])
    offsets: list[tuple[int, int]] = [tuple(o) for o in encoding["offset_mapping"]]
    special = _special_ids(tokenizer)
    mask = [0] * len(ids)
    for i, start, end in spans:
        inside = [k for k, (a, b) in enumerate(offsets) if a >= start and b <= end and b > a]
        closing = [k for k in inside if ids[k] in special]
        if not closing:
            raise MaskError(
                f"message {i} (assistant) has no end-of-turn special token in the chat template's "
                "render, so the model could never learn to stop; use a template that closes "
                "assistant turns with a special token"
            )
        for k in inside:
            if k <= closing[-1]:
                mask[k] = 1
    return Encoded(ids, mask)


def encode_text(tokenizer: Any, text: str, max_length: int) -> list[Encoded]:
    """A document as sequences of at most ``max_length`` tokens, every token trained on.

    The end-of-sequence token is appended (as TRL does for text rows) so that the model sees
    where documents end; a document longer than ``max_length`` is cut into consecutive chunks
    rather than truncated, so no text is thrown away.
    """
    ids: list[int] = list(tokenizer(text)["input_ids"])
    eos = tokenizer.eos_token_id
    if eos is not None and (not ids or ids[-1] != eos):
        ids.append(eos)
    chunks = [ids[k : k + max_length] for k in range(0, len(ids), max_length)]
    # A one-token chunk predicts nothing (its token has no predecessor in the sequence).
    return [Encoded(chunk, [1] * len(chunk)) for chunk in chunks if len(chunk) > 1]


def truncate(encoded: Encoded, max_length: int) -> Encoded | None:
    """Keep the first ``max_length`` tokens and their mask; None if no trained token is left.

    Such a row would contribute nothing but padding to a batch; the caller drops and counts it.
    """
    ids, mask = encoded.input_ids[:max_length], encoded.mask[:max_length]
    return Encoded(ids, mask) if any(mask) else None


def _render(tokenizer: Any, messages: list[dict[str, Any]], *, generation_prompt: bool) -> str:
    try:
        text = tokenizer.apply_chat_template(
            messages, tokenize=False, add_generation_prompt=generation_prompt
        )
    except Exception as error:  # Jinja raises anything the template author wrote
        raise MaskError(f"the chat template cannot render these messages: {error}") from error
    if not isinstance(text, str):
        raise MaskError("the tokenizer's chat template did not render to text")
    return text


def _special_ids(tokenizer: Any) -> set[int]:
    ids = set(tokenizer.all_special_ids)
    ids.update(i for i, token in tokenizer.added_tokens_decoder.items() if token.special)
    return ids
