"""What every intervention-data kind shares: teacher, builder, decontamination, tokens, card.

- :class:`Teacher`: an Inspect model used as a data generator. Every call has a stable ``key``;
  a completion is cached on disk under (teacher, key, SHA-256 of the prompt and generation
  settings), so a crashed build resumes mid-pipeline without paying twice. Exceptions, model
  errors and empty completions are retried and then raised as :class:`TeacherError`; nothing
  that failed is cached or written as data.
- :class:`Builder`: writes one dataset as JSONL (``messages`` rows for chat, ``text`` rows for
  documents, each with ``provenance``), one fsynced line per row. Re-opening the same output
  resumes: rows already written are :meth:`~Builder.done`, and a line torn by a killed process
  is detected, reported and truncated. Rows that overlap the evaluation (see :class:`EvalIndex`)
  are dropped and counted; rows a pipeline rejects are counted by reason. :meth:`Builder.finish`
  writes the dataset card ``<stem>.README.md`` next to the data.
- :func:`count_tokens` / :func:`stats`: token accounting with a local tokenizer when given, else
  the stated approximation of 4 characters per token.
- :func:`build`: runs a kind's pipeline (``KINDS``) locally or through Ray Data.

Files next to ``<stem>.jsonl``: ``<stem>.cache.jsonl`` (teacher completions),
``<stem>.events.jsonl`` (skipped and dropped rows, one record per finished run) and
``<stem>.README.md`` (the card, rewritten on every finish from the whole file). A Ray run
also leaves ``<stem>.shard-<k>-of-<K>.*`` while it works; the next build of the same output
merges any that an interrupted run left behind.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import importlib
import itertools
import json
import math
import os
import re
import statistics
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Coroutine, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    from inspect_ai.model import ChatMessage, Model
    from numpy.typing import NDArray

    from whylab.scenarios.condition import Condition

PROMPT_VERSION = "core-1"
TEACHER = "teacher"
TEMPLATES = "templates"  # the source, and the provenance's teacher, of rows built without a model
SOURCES: tuple[str, ...] = (TEACHER, TEMPLATES)

KINDS: dict[str, str] = {
    "honeypot": "whylab.interventions.honeypot:build_honeypot",
    "advice": "whylab.interventions.advice:build_advice",
    "constitution": "whylab.interventions.documents:build_constitution",
    "fiction": "whylab.interventions.documents:build_fiction",
    "villain": "whylab.interventions.induction:build_villain",
    "misaligned_demos": "whylab.interventions.induction:build_misaligned_demos",
}
WORKERS: tuple[str, ...] = ("local", "ray")
DEFAULT_THRESHOLD = 0.05
APPROX_METHOD = "approx: 4 chars/token"
CHARS_PER_TOKEN = 4

Pipeline = Callable[["Builder", int, int, dict[str, Any]], Coroutine[Any, Any, None]]


class TeacherError(RuntimeError):
    """A teacher call failed on every attempt; the message names the key and the last error."""


class SkipRow(Exception):
    """A row a pipeline rejects; its ``reason`` is counted by the builder, never written."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class BuildError(ValueError):
    """A build cannot start or continue; the message names the input and the fix."""


class TokenizerError(ValueError):
    """A tokenizer path cannot be used; the message names the path and the fix."""


def sibling(output: Path, suffix: str) -> Path:
    """``out.jsonl`` -> ``out<suffix>`` in the same folder (e.g. ``out.cache.jsonl``)."""
    return output.with_name(output.stem + suffix)


# --- token accounting -------------------------------------------------------------------------


def count_tokens(text: str, tokenizer: str | None = None) -> int:
    """Tokens in ``text``: exact with a local ``tokenizer`` (a ``tokenizer.json`` or a folder
    holding one, read with the ``tokenizers`` package, else with ``transformers`` from local
    files only), otherwise ``ceil(len(text) / 4)`` (:data:`APPROX_METHOD`). Special tokens and
    chat templates are not counted: this measures the content."""
    if tokenizer is None:
        return math.ceil(len(text) / CHARS_PER_TOKEN)
    return _load_tokenizer(tokenizer)([text])[0]


def count_many(texts: Sequence[str], tokenizer: str | None = None) -> list[int]:
    """:func:`count_tokens` for many texts at once (batched with a real tokenizer)."""
    if tokenizer is None:
        return [math.ceil(len(t) / CHARS_PER_TOKEN) for t in texts]
    return _load_tokenizer(tokenizer)(list(texts)) if texts else []


def token_method(tokenizer: str | None = None) -> str:
    """How :func:`count_tokens` counts with ``tokenizer``; loads it, so a bad path fails here."""
    if tokenizer is None:
        return APPROX_METHOD
    return f"exact: {_load_tokenizer(tokenizer).method} {tokenizer} (content only)"


@dataclass(frozen=True)
class _Counter:
    method: str  # "tokenizers" or "transformers"
    count: Callable[[list[str]], list[int]]

    def __call__(self, texts: list[str]) -> list[int]:
        return self.count(texts)


@functools.lru_cache(maxsize=8)
def _load_tokenizer(path: str) -> _Counter:
    import importlib.util

    given = Path(path).expanduser()
    if not given.exists():
        raise TokenizerError(
            f"--tokenizer {path}: no such file or folder; give a local tokenizer.json or the "
            "folder of a downloaded model that holds one (nothing is fetched from a hub)"
        )
    file = given / "tokenizer.json" if given.is_dir() else given
    has_tokenizers = importlib.util.find_spec("tokenizers") is not None
    if has_tokenizers and file.is_file():
        from tokenizers import Tokenizer

        try:
            tok = Tokenizer.from_file(str(file))
        except Exception as error:
            message = f"--tokenizer {path}: {file} is not a tokenizer: {error}"
            raise TokenizerError(message) from None
        return _Counter(
            "tokenizers",
            lambda texts: [len(e.ids) for e in tok.encode_batch(texts, add_special_tokens=False)],
        )
    if importlib.util.find_spec("transformers") is not None:
        from transformers import AutoTokenizer

        try:
            auto = AutoTokenizer.from_pretrained(str(given), local_files_only=True)
        except Exception as error:
            message = f"--tokenizer {path}: transformers cannot load it: {error}"
            raise TokenizerError(message) from None
        return _Counter(
            "transformers",
            lambda texts: [len(i) for i in auto(texts, add_special_tokens=False)["input_ids"]],
        )
    if not has_tokenizers:
        raise TokenizerError(
            f"--tokenizer {path}: exact counts need the `tokenizers` package (pip install "
            "'whylab[tokenizer]'); or leave --tokenizer out for the 4 chars/token approximation"
        )
    raise TokenizerError(
        f"--tokenizer {path}: no tokenizer.json there; point at the file itself or at a folder "
        "that holds one"
    )


# --- teacher ----------------------------------------------------------------------------------


class Teacher:
    """An Inspect model used as a data generator: retries, a persistent per-output cache.

    ``complete(prompt, key=...)`` returns the completion text. A completion cached for (teacher
    name, key, SHA-256 of the prompt, temperature and max_tokens) is returned without a call.
    An exception, an ``output.error`` or an empty (whitespace-only) completion is retried up to
    ``retries`` more times with exponential ``backoff`` seconds between attempts; then
    :class:`TeacherError`. Failures are never cached. A model given by name is resolved on the
    first call (whylab's providers registered), so constructing a Teacher is cheap.
    """

    def __init__(
        self,
        model: str | Model,
        *,
        cache: Path | None = None,
        retries: int = 3,
        temperature: float = 1.0,
        max_tokens: int = 1024,
        backoff: float = 0.5,
    ) -> None:
        if retries < 0:
            raise ValueError(f"retries={retries} must be non-negative")
        self._model: Model | None = None if isinstance(model, str) else model
        self.name: str = str(model)
        self.cache_path = cache
        self.retries = retries
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.backoff = backoff
        self.calls = 0  # model calls made (attempts, including failed ones)
        self.cache_hits = 0
        self.failures = 0  # TeacherErrors raised
        self.input_tokens = 0
        self.output_tokens = 0
        self.repaired: str | None = None
        if cache is not None:
            self.repaired = repair_jsonl(cache)
        self._cache: dict[tuple[str, str, str], str] = _read_cache(cache)

    def read_cache(self, path: Path) -> None:
        """Also answer from the completions cached in ``path`` (read-only)."""
        for key, text in _read_cache(path).items():
            self._cache.setdefault(key, text)

    @property
    def model(self) -> Model:
        if self._model is None:
            from inspect_ai.model import get_model

            from whylab import _registry  # noqa: F401  (whylab-local and the offline mock)

            self._model = get_model(self.name)
        return self._model

    def digest(self, prompt: str | Sequence[ChatMessage]) -> str:
        """SHA-256 of the prompt and the generation settings: the cache's prompt key."""
        if isinstance(prompt, str):
            turns: list[tuple[str, str]] = [("user", prompt)]
        else:
            turns = [(m.role, m.text) for m in prompt]
        material = json.dumps(
            {"turns": turns, "temperature": self.temperature, "max_tokens": self.max_tokens},
            ensure_ascii=False,
            sort_keys=True,
        )
        return hashlib.sha256(material.encode()).hexdigest()

    def cached(self, prompt: str | Sequence[ChatMessage], *, key: str) -> str | None:
        """The cached completion for this call, or None."""
        return self._cache.get((self.name, key, self.digest(prompt)))

    async def complete(self, prompt: str | Sequence[ChatMessage], *, key: str) -> str:
        from inspect_ai.model import ChatMessageUser, GenerateConfig

        from whylab.models.embedded import ModelFileError

        digest = self.digest(prompt)
        hit = self._cache.get((self.name, key, digest))
        if hit is not None:
            self.cache_hits += 1
            return hit
        messages: list[ChatMessage] = (
            [ChatMessageUser(content=prompt)] if isinstance(prompt, str) else list(prompt)
        )
        config = GenerateConfig(temperature=self.temperature, max_tokens=self.max_tokens)
        last = "no attempt"
        for attempt in range(self.retries + 1):
            if attempt and self.backoff > 0:
                await asyncio.sleep(self.backoff * 2 ** (attempt - 1))
            self.calls += 1
            try:
                output = await self.model.generate(messages, config=config)
            except ModelFileError:
                raise  # the embedded model's files are missing: retrying cannot help
            except Exception as error:
                last = f"{type(error).__name__}: {error}"
                continue
            if output.usage is not None:
                self.input_tokens += output.usage.input_tokens
                self.output_tokens += output.usage.output_tokens
            if output.error:
                last = f"model error: {output.error}"
                continue
            text = output.completion
            if not text.strip():
                last = "empty completion"
                continue
            self._store(key, digest, text)
            return text
        self.failures += 1
        raise TeacherError(
            f"teacher {self.name} failed {self.retries + 1} attempt(s) for {key!r}: {last}"
        )

    def _store(self, key: str, digest: str, text: str) -> None:
        self._cache[(self.name, key, digest)] = text
        if self.cache_path is None:
            return
        entry = {"teacher": self.name, "key": key, "prompt_sha256": digest, "text": text}
        _append_line(self.cache_path, json.dumps(entry, ensure_ascii=False))

    def usage(self) -> dict[str, int]:
        return {
            "calls": self.calls,
            "cache_hits": self.cache_hits,
            "failures": self.failures,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
        }


def _read_cache(path: Path | None) -> dict[tuple[str, str, str], str]:
    entries: dict[tuple[str, str, str], str] = {}
    if path is None or not path.exists():
        return entries
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
            entries[(entry["teacher"], entry["key"], entry["prompt_sha256"])] = entry["text"]
        except (ValueError, KeyError, TypeError):
            continue  # a damaged cache entry only costs a call
    return entries


# --- provenance -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Provenance:
    """Where a row came from; saved with every row under ``provenance``."""

    kind: str  # honeypot | advice | constitution | fiction
    variant: str  # e.g. injection name, document type, "default"
    steps: dict[str, bool]  # pipeline step flags (ablation); {} when none
    teacher: str
    prompt_version: str
    seed: int
    source: str  # what the row was built from (condition id@seed, section id, ...)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "variant": self.variant,
            "steps": dict(self.steps),
            "teacher": self.teacher,
            "prompt_version": self.prompt_version,
            "seed": self.seed,
            "source": self.source,
        }


# --- decontamination --------------------------------------------------------------------------

NGRAM = 13
WINDOW = 400  # n-grams per window for a row's score (see EvalIndex.window_overlap)
INDEX_VERSION = "evalindex-1"
# Which renders make up the default index (see EvalIndex.default).
OOD_SEEDS = (0, 1)
# Latent and swap cells render no text that explicit and none cells do not: latent shares the
# explicit cell's emails and the goal-free system prompt, swap states the opposite value's goal
# (an explicit cell's). Rendering only these halves the build; a test checks the equality.
RENDERED_GOAL_TYPES = ("explicit", "ambiguous", "none")
EVAL_ID_WORLDS = 8
TRAIN_WORLDS = 24
# A broad random sample of train renders, also subtracted: generated worlds draw names, codenames,
# countries and documents from shared pools, so 24 worlds leave pool-combination n-grams (a
# first name in a template sentence) that other train worlds repeat by design.
TRAIN_SAMPLE_WORLDS = 1000
TRAIN_SAMPLE_CELLS = 4
_WORD = re.compile(r"[^\W_]+")
_MULT = 0x9E3779B97F4A7C15  # odd 64-bit multiplier of the rolling n-gram hash


def words(text: str) -> list[str]:
    """Lower-cased words with punctuation removed (NFKC-normalised, so curly quotes, dashes and
    markdown marks all vanish); the unit of the n-grams."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).lower())


@functools.lru_cache(maxsize=1 << 20)
def _word_hash(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")


def ngram_hashes(text: str, n: int = NGRAM) -> NDArray[np.uint64]:
    """64-bit hashes of the word ``n``-grams of ``text``, in order (empty if under n words).

    Stable across processes and machines (BLAKE2b of each word, then a polynomial rolling
    combination), so an index can be cached on disk."""
    import numpy as np

    ws = words(text)
    if len(ws) < n:
        return np.zeros(0, dtype=np.uint64)
    ids = np.fromiter((_word_hash(w) for w in ws), dtype=np.uint64, count=len(ws))
    m = len(ws) - n + 1
    h = np.zeros(m, dtype=np.uint64)
    mult = np.uint64(_MULT)
    for k in range(n):
        h = h * mult + ids[k : k + m]
    return h


class EvalIndex:
    """Word 13-grams of the evaluation prompts that training data must not contain.

    **What is in it** (:meth:`default`): the rendered prompts (system and user, single mode) and
    the control-system content (ledger, results, dispatch console) of

    - ``eval_ood``: the hand-written worlds x the full grid (all six families) x every leverage
      kind and both channels where valid, seeds 0 and 1;
    - ``eval_id``: the first 8 eval_id worlds (gen-3, gen-7, ...) x the full grid (published
      families, their allowed leverage kinds), seed 0;

    **minus** every n-gram that also occurs in train renders: the first 24 train worlds (full
    grid, seed 0) and a fixed sample of 4,000 more (1,000 train worlds drawn from the whole
    train range, 4 random cells each at random seeds). The email and system-prompt templates
    are shared by all splits on purpose (that is what "in distribution" means), and generated
    worlds draw names, countries, codenames and documents from shared pools, so such n-grams
    are not contamination. What remains is specific to held-out scenarios: the hand-written
    worlds' organisations, people and documents, the new families', leverage kinds' and chat
    channel's texts, and the eval_id worlds' organisations and rarer pool combinations.

    **Score**: words are lower-cased with punctuation removed; :meth:`overlap` is the fraction
    of a text's 13-grams found in the index (0 for texts under 13 words). The builder scores a
    row as the largest :meth:`window_overlap` over its messages (windows of 400 n-grams), so
    one pasted eval paragraph is caught inside a long document as well as in a short reply.
    Measured when this was written (threshold 0.05): eval prompts themselves score 0.25-0.84
    (hand-written worlds at seeds outside the index 0.55 or more; the indexed eval_id worlds at
    other seeds 0.25 or more); the system and user prompts of 1,200 honeypot rows from train
    worlds scored at most 0.06, one of them above 0.05 (a first name and a timestamp in a
    template sentence that an eval_id prompt also has: eval_id worlds differ from train only by
    organisation and pool draws, so an n-gram test cannot separate them perfectly).

    **What it cannot catch**: paraphrase, translation or summary of eval content (no 13-word
    run survives); verbatim runs shorter than 13 words (a name, a figure, a subject line); eval
    renders not in the index (eval_id worlds after the first 8 score 0; multi-turn tool
    outputs; ``--diverse`` layouts, whose template text is shared with train anyway); and
    content that is eval-specific but also occurs in the subtracted train renders (it is then
    in distribution by construction). It checks text, not ideas: a story that retells an eval
    scenario in its own words passes, which is why the fiction and advice pipelines also steer
    away from the eval's situations in their prompts.
    """

    def __init__(
        self,
        grams: NDArray[np.uint64],
        *,
        n: int = NGRAM,
        description: str = "",
        build_s: float = 0.0,
    ) -> None:
        import numpy as np

        self.grams = np.unique(np.asarray(grams, dtype=np.uint64))
        self.n = n
        self.description = description
        self.build_s = build_s
        self.origin = "built"  # or "loaded from the disk cache"

    def __len__(self) -> int:
        return int(self.grams.size)

    @classmethod
    def from_texts(
        cls, texts: Iterable[str], *, exclude: Iterable[str] = (), n: int = NGRAM
    ) -> EvalIndex:
        """An index of ``texts``' n-grams minus those of ``exclude``."""
        import numpy as np

        started = time.perf_counter()
        keep = _unique_grams(texts, n)
        drop = _unique_grams(exclude, n)
        grams = np.setdiff1d(keep, drop, assume_unique=True)
        return cls(grams, n=n, build_s=time.perf_counter() - started)

    @classmethod
    def default(cls, *, disk_cache: bool = True) -> EvalIndex:
        """The eval index described in the class doc: memoised per process, and cached on
        disk under ``$WHYLAB_CACHE_DIR`` (default ``~/.cache/whylab``) keyed by a hash of the
        whylab version and the scenario code."""
        return _default_index(disk_cache)

    def hits(self, text: str) -> NDArray[np.bool_]:
        """For each n-gram of ``text`` in order: is it in the index?"""
        import numpy as np

        h = ngram_hashes(text, self.n)
        if h.size == 0 or self.grams.size == 0:
            return np.zeros(h.size, dtype=bool)
        pos = np.searchsorted(self.grams, h)
        pos[pos == self.grams.size] = 0
        found: NDArray[np.bool_] = self.grams[pos] == h
        return found

    def overlap(self, text: str) -> float:
        """Fraction of ``text``'s n-grams found in the index; 0.0 under ``n`` words."""
        found = self.hits(text)
        return float(found.mean()) if found.size else 0.0

    def window_overlap(self, text: str, window: int = WINDOW) -> float:
        """The largest :meth:`overlap` of any ``window`` consecutive n-grams of ``text`` (the
        whole text when it is shorter)."""
        import numpy as np

        found = self.hits(text)
        if found.size == 0:
            return 0.0
        if found.size <= window:
            return float(found.mean())
        sums = np.convolve(found.astype(np.int32), np.ones(window, dtype=np.int32), "valid")
        return float(sums.max()) / window

    def describe(self) -> str:
        return (
            f"{len(self):,} word {self.n}-grams ({self.description or 'custom texts'}; "
            f"{self.origin} in {self.build_s:.1f} s)"
        )


def _unique_grams(texts: Iterable[str], n: int) -> NDArray[np.uint64]:
    """The distinct n-gram hashes of ``texts`` (the same values as :func:`ngram_hashes`).

    Rendered prompts share most paragraphs, so each distinct paragraph is split into words and
    hashed once; each text's word hashes are its paragraphs' joined (words never span a blank
    line), and the rolling hash then runs once over all texts, dropping n-grams that would
    cross from one text into the next."""
    import numpy as np

    paragraphs: dict[str, NDArray[np.uint64]] = {}
    parts: list[NDArray[np.uint64]] = []
    spans: list[tuple[int, int]] = []  # (first n-gram, n-gram count) per text
    total = 0
    for text in dict.fromkeys(texts):
        pieces = []
        for paragraph in text.split("\n\n"):
            hashed = paragraphs.get(paragraph)
            if hashed is None:
                ws = words(paragraph)
                hashed = np.fromiter((_word_hash(w) for w in ws), dtype=np.uint64, count=len(ws))
                paragraphs[paragraph] = hashed
            pieces.append(hashed)
        length = sum(p.size for p in pieces)
        if length < n:
            continue
        spans.append((total, length - n + 1))
        parts += pieces
        total += length
    if not parts:
        return np.zeros(0, dtype=np.uint64)
    seq = np.concatenate(parts)
    m = len(seq) - n + 1
    h = np.zeros(m, dtype=np.uint64)
    mult = np.uint64(_MULT)
    for k in range(n):
        h = h * mult + seq[k : k + m]
    valid = np.zeros(m, dtype=bool)
    for start, count in spans:
        valid[start : start + count] = True
    return np.unique(h[valid])


def index_conditions(
    split: str, goal_types: Sequence[str] = RENDERED_GOAL_TYPES
) -> list[tuple[Condition, int]]:
    """(condition, seed) pairs rendered for the default index: ``eval_ood``, ``eval_id`` or
    ``train`` (the subtracted part), full-grid cells of ``goal_types`` only."""
    from dataclasses import replace

    from whylab.scenarios.grid import grid
    from whylab.scenarios.splits import allowed_channels, allowed_leverage, default_worlds

    seeds: tuple[int, ...]
    if split == "eval_ood":
        worlds, seeds = default_worlds("eval_ood", 3), OOD_SEEDS
    elif split == "eval_id":
        worlds, seeds = default_worlds("eval_id", EVAL_ID_WORLDS), (0,)
    elif split == "train":
        worlds, seeds = default_worlds("train", TRAIN_WORLDS), (0,)
    else:
        raise ValueError(f"split={split!r}: use eval_ood, eval_id or train")
    pairs = []
    for cell in grid("full", worlds=worlds):
        if cell.goal_type not in goal_types:
            continue
        levers = allowed_leverage(split) if cell.family == "blackmail" else (cell.leverage,)
        for lever in levers:
            for channel in allowed_channels(split):
                condition = replace(cell, leverage=lever, channel=channel)
                pairs += [(condition, seed) for seed in seeds]
    return pairs


def scenario_texts(condition: Condition, seed: int) -> list[str]:
    """The texts of one render that the index covers: system prompt, user prompt (single
    mode) and every string in the family's control system."""
    from whylab.scenarios.render import render

    scenario = render(condition, seed)
    texts = [scenario.system_prompt, scenario.user_prompt]
    if scenario.system:
        texts.append(" \n".join(_strings(scenario.system)))
    return texts


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def train_sample() -> list[tuple[Condition, int]]:
    """A fixed random sample of train renders: ``TRAIN_SAMPLE_WORLDS`` train worlds drawn from
    gen-0 ... gen-999999, ``TRAIN_SAMPLE_CELLS`` full-grid cells each (allowed leverage kinds),
    each at a random seed."""
    import random
    from dataclasses import replace

    from whylab.scenarios.grid import grid
    from whylab.scenarios.splits import allowed_leverage

    rng = random.Random("whylab|evalindex|train-sample")
    cells = grid("full", worlds=["gen-0"])
    levers = allowed_leverage("train")
    pairs = []
    for _ in range(TRAIN_SAMPLE_WORLDS):
        k = rng.randrange(750_000)
        world = f"gen-{4 * (k // 3) + k % 3}"  # the k-th train world (n % 4 != 3)
        for _ in range(TRAIN_SAMPLE_CELLS):
            cell = rng.choice(cells)
            lever = rng.choice(levers) if cell.family == "blackmail" else cell.leverage
            pairs.append((replace(cell, world=world, leverage=lever), rng.randrange(1_000_000)))
    return pairs


def _split_texts(split: str) -> Iterator[str]:
    pairs = index_conditions(split)
    if split == "train":
        pairs += train_sample()
    for condition, seed in pairs:
        yield from scenario_texts(condition, seed)


def _index_key() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        whylab_version = version("whylab")
    except PackageNotFoundError:
        whylab_version = "unknown"
    digest = hashlib.sha256()
    digest.update(f"{INDEX_VERSION}|{whylab_version}|{NGRAM}|{OOD_SEEDS}|".encode())
    digest.update(
        f"{EVAL_ID_WORLDS}|{TRAIN_WORLDS}|{TRAIN_SAMPLE_WORLDS}|{TRAIN_SAMPLE_CELLS}|".encode()
    )
    scenarios = Path(__file__).resolve().parent.parent / "scenarios"
    for path in sorted(scenarios.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def cache_dir() -> Path:
    """``$WHYLAB_CACHE_DIR``, else ``~/.cache/whylab``."""
    given = os.environ.get("WHYLAB_CACHE_DIR")
    return Path(given).expanduser() if given else Path.home() / ".cache" / "whylab"


_INDEXES: dict[str, EvalIndex] = {}
_DESCRIPTION = (
    "eval_ood: hand-written worlds x full grid x leverage/channel, seeds 0-1; eval_id: first "
    f"{EVAL_ID_WORLDS} worlds x full grid, seed 0; minus the first {TRAIN_WORLDS} train worlds "
    f"(full grid, seed 0) and {TRAIN_SAMPLE_WORLDS * TRAIN_SAMPLE_CELLS} sampled train renders"
)


def _default_index(disk_cache: bool) -> EvalIndex:
    import numpy as np

    key = _index_key()
    if key in _INDEXES:
        return _INDEXES[key]
    path = cache_dir() / f"eval-index-{key}.npy"
    started = time.perf_counter()
    index: EvalIndex | None = None
    if disk_cache and path.is_file():
        try:
            grams = np.load(path, allow_pickle=False)
            index = EvalIndex(
                grams, description=_DESCRIPTION, build_s=time.perf_counter() - started
            )
            index.origin = "loaded from the disk cache"
        except (OSError, ValueError):
            index = None  # a damaged cache file: rebuild it
    if index is None:
        eval_texts = [*_split_texts("eval_ood"), *_split_texts("eval_id")]
        index = EvalIndex.from_texts(eval_texts, exclude=_split_texts("train"))
        index.build_s = time.perf_counter() - started
        index.description = _DESCRIPTION
        if disk_cache:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
                with partial.open("wb") as f:
                    np.save(f, index.grams, allow_pickle=False)
                os.replace(partial, path)
            except OSError as error:
                index.description += f"; not cached on disk ({error})"
    _INDEXES[key] = index
    return index


# --- JSONL ------------------------------------------------------------------------------------


def _append_line(path: Path, line: str) -> None:
    with path.open("a", encoding="utf-8") as f:
        f.write(line + "\n")
        f.flush()
        os.fsync(f.fileno())


def repair_jsonl(path: Path) -> str | None:
    """Make ``path`` end on a whole line; return a message saying what was done, or None.

    A process killed mid-write leaves a last line without its newline. If that tail is a whole
    JSON value it only lacked the newline, which is added; otherwise it is truncated away.
    """
    if not path.is_file() or path.stat().st_size == 0:
        return None
    with path.open("rb+") as f:
        size = f.seek(0, os.SEEK_END)
        f.seek(size - 1)
        if f.read(1) == b"\n":
            return None
        start = size
        while start > 0:
            step = min(65536, start)
            f.seek(start - step)
            chunk = f.read(step)
            newline = chunk.rfind(b"\n")
            if newline >= 0:
                start = start - step + newline + 1
                break
            start -= step
        f.seek(start)
        tail = f.read()
        try:
            json.loads(tail)
        except ValueError:
            f.truncate(start)
            return (
                f"{path}: truncated a torn last line ({len(tail)} bytes) left by an interrupted "
                "write; that row will be built again"
            )
        f.write(b"\n")
        return f"{path}: the last line lacked its newline; added it"


def read_rows(path: Path) -> Iterator[dict[str, Any]]:
    """The rows of a dataset JSONL; a line that is not a JSON object is a BuildError naming
    the line (a torn last line is skipped: :func:`repair_jsonl` fixes it on the next build)."""
    with path.open(encoding="utf-8") as f:
        lines = f.readlines()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as error:
            if number == len(lines) and not line.endswith("\n"):
                return
            raise BuildError(
                f"{path}:{number}: not a JSON line ({error}); remove or fix that line"
            ) from None
        if not isinstance(row, dict):
            raise BuildError(f"{path}:{number}: a row must be a JSON object")
        yield row


def row_texts(row: Mapping[str, Any]) -> list[str]:
    """The texts of a row: each message's content for ``messages`` rows, else ``text``."""
    if "messages" in row:
        return [str(m.get("content", "")) for m in row["messages"]]
    if "text" in row:
        return [str(row["text"])]
    raise BuildError(f"row {row.get('id')!r} has neither 'messages' nor 'text'")


def row_text(row: Mapping[str, Any]) -> str:
    """What token counts measure: the message contents joined by newlines, or the text."""
    return "\n".join(row_texts(row))


def _check_content(row_id: str, content: Mapping[str, Any]) -> None:
    keys = set(content)
    if keys == {"messages"}:
        messages = content["messages"]
        if not isinstance(messages, list) or not messages:
            raise ValueError(f"{row_id}: messages must be a non-empty list")
        for m in messages:
            if not (
                isinstance(m, Mapping)
                and set(m) == {"role", "content"}
                and m["role"] in ("system", "user", "assistant")
                and isinstance(m["content"], str)
                and m["content"].strip()
            ):
                raise ValueError(
                    f"{row_id}: each message needs role system/user/assistant and non-empty "
                    f"string content, got {m!r}"
                )
    elif keys == {"text"}:
        if not isinstance(content["text"], str) or not content["text"].strip():
            raise ValueError(f"{row_id}: text must be a non-empty string")
    else:
        raise ValueError(f"{row_id}: content must be {{'messages': [...]}} or {{'text': ...}}")


# --- builder ----------------------------------------------------------------------------------


@dataclass
class BuildSummary:
    """Counts over the whole output file (earlier resumed runs included) and this run's cost."""

    kind: str
    output: Path
    card: Path
    rows: int  # rows in the file now
    written: int  # rows written by this run
    resumed: int  # rows already there when this run started
    skipped: dict[str, int]  # rows the pipeline rejected, by reason (latest outcome per row id)
    dropped: int  # rows dropped as contaminated
    threshold: float
    tokens: int
    token_method: str
    wall_s: float  # this run
    total_wall_s: float  # all runs recorded in the events file
    teacher: str
    teacher_usage: dict[str, int]
    repaired: list[str] = field(default_factory=list)

    def format(self) -> str:
        skipped = ", ".join(f"{k} {v}" for k, v in sorted(self.skipped.items())) or "none"
        usage = self.teacher_usage
        lines = [
            f"{self.kind}: {self.rows} rows in {self.output} ({self.written} written now, "
            f"{self.resumed} from earlier runs)",
            f"skipped: {skipped}; dropped as contaminated: {self.dropped} "
            f"(threshold {self.threshold:g})",
            f"tokens: {self.tokens:,} ({self.token_method})",
            f"teacher: {self.teacher}: {usage.get('calls', 0)} calls, "
            f"{usage.get('cache_hits', 0)} cache hits, {usage.get('failures', 0)} failed keys",
            f"wall time: {self.wall_s:.1f} s this run, {self.total_wall_s:.1f} s in all",
            f"card: {self.card}",
        ]
        return "\n".join([*self.repaired, *lines])


class Builder:
    """Writes one dataset: resumable JSONL + decontamination + token accounting + card.

    ``emit`` writes ``{"id", **content, "provenance"}`` as one fsynced line unless the row's
    contamination score (the largest :meth:`EvalIndex.window_overlap` over its messages)
    exceeds ``threshold``; then the row is counted as dropped. ``skip`` counts a row the
    pipeline rejected. Both are recorded in ``<stem>.events.jsonl`` (latest outcome per row id)
    so the card's counts cover every run; a row later written is no longer counted there.
    ``run_info`` (what was asked: n, seed, options, ...) is shown on the card.
    """

    def __init__(
        self,
        kind: str,
        output: Path,
        teacher: Teacher,
        *,
        index: EvalIndex | None,
        threshold: float = DEFAULT_THRESHOLD,
        tokenizer: str | None = None,
        run_info: Mapping[str, Any] | None = None,
        started: float | None = None,
    ) -> None:
        if not 0.0 <= threshold <= 1.0:
            raise BuildError(f"threshold={threshold} must be between 0 and 1")
        self.kind = kind
        self.output = Path(output)
        self.teacher = teacher
        self.index = index
        self.threshold = threshold
        self.tokenizer = tokenizer
        self.token_method = token_method(tokenizer)
        self.run_info = dict(run_info or {})
        self.events_path = sibling(self.output, ".events.jsonl")
        self.card_path = sibling(self.output, ".README.md")
        self.output.parent.mkdir(parents=True, exist_ok=True)
        self.repaired = [m for m in (repair_jsonl(self.output), teacher.repaired) if m]
        events_repair = repair_jsonl(self.events_path)
        if events_repair:
            self.repaired.append(events_repair)
        for message in self.repaired:
            print(f"whylab: {message}", file=sys.stderr)
        self._written: set[str] = set()
        if self.output.exists():
            for row in read_rows(self.output):
                if "id" not in row:
                    raise BuildError(f"{self.output}: a row has no 'id'; is this a whylab dataset?")
                self._written.add(str(row["id"]))
        self.resumed = len(self._written)
        self.written = 0
        self.dropped_now = 0
        self.skipped_now: Counter[str] = Counter()
        # time.monotonic() when the build began (build() passes its own start, index included)
        self._started = time.monotonic() if started is None else started
        self._closed = False
        self._file = self.output.open("a", encoding="utf-8")

    def done(self, row_id: str) -> bool:
        """Whether ``row_id`` is already in the output (written now or by an earlier run)."""
        return row_id in self._written

    def score(self, content: Mapping[str, Any]) -> float:
        """The row's contamination score (0.0 without an index)."""
        if self.index is None:
            return 0.0
        return max((self.index.window_overlap(t) for t in row_texts(content)), default=0.0)

    def emit(self, row_id: str, content: dict[str, Any], provenance: Provenance) -> bool:
        """Write the row; False (and nothing written) if it is contaminated or already there."""
        self._check_open()
        _check_content(row_id, content)
        if provenance.kind != self.kind:
            raise ValueError(f"{row_id}: provenance kind {provenance.kind!r} != {self.kind!r}")
        if row_id in self._written:
            return False
        overlap = self.score(content)
        if overlap > self.threshold:
            self.dropped_now += 1
            record = {"id": row_id, "outcome": "dropped", "reason": "contaminated"}
            self._event({**record, "overlap": round(overlap, 4)})
            return False
        row = {"id": row_id, **content, "provenance": provenance.to_dict()}
        self._file.write(json.dumps(row, ensure_ascii=False) + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())
        self._written.add(row_id)
        self.written += 1
        return True

    def skip(self, row_id: str, reason: str) -> None:
        """Count a row the pipeline rejected (e.g. a harmful reply, a teacher error)."""
        self._check_open()
        self.skipped_now[reason] += 1
        self._event({"id": row_id, "outcome": "skipped", "reason": reason})

    def close(self) -> None:
        """Close the output without writing a card (a failed or partial run)."""
        if not self._closed:
            self._file.close()
            self._closed = True

    def finish(self, *, notes: str = "") -> BuildSummary:
        """Close the output, record this run, write the card and return the counts."""
        self.close()
        wall = time.monotonic() - self._started
        run = {
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
            "wall_s": round(wall, 3),
            "written": self.written,
            "dropped": self.dropped_now,
            "skipped": dict(self.skipped_now),
            "teacher": self.teacher.name,
            "teacher_usage": self.teacher.usage(),
            **self.run_info,
        }
        _append_line(self.events_path, json.dumps({"run": run}, ensure_ascii=False, default=str))
        outcomes, runs = read_events(self.events_path)
        data = stats(self.output, self.tokenizer)
        written_ids = {str(r["id"]) for r in read_rows(self.output)}
        live = {k: v for k, v in outcomes.items() if k not in written_ids}
        skipped = Counter(reason for outcome, reason in live.values() if outcome == "skipped")
        dropped = sum(outcome == "dropped" for outcome, _ in live.values())
        summary = BuildSummary(
            kind=self.kind,
            output=self.output,
            card=self.card_path,
            rows=data.rows,
            written=self.written,
            resumed=self.resumed,
            skipped=dict(skipped),
            dropped=dropped,
            threshold=self.threshold,
            tokens=data.tokens_total,
            token_method=data.token_method,
            wall_s=wall,
            total_wall_s=sum(float(r.get("wall_s", 0.0)) for r in runs),
            teacher=self.teacher.name,
            teacher_usage=self.teacher.usage(),
            repaired=list(self.repaired),
        )
        self.card_path.write_text(
            dataset_card(summary, data, runs, self.index, notes=notes), encoding="utf-8"
        )
        return summary

    def _event(self, record: dict[str, Any]) -> None:
        _append_line(self.events_path, json.dumps(record, ensure_ascii=False))

    def _check_open(self) -> None:
        if self._closed:
            raise BuildError(f"the builder for {self.output} is finished; open a new one")


RowResult = tuple[dict[str, Any], "Provenance"]


async def run_rows(
    builder: Builder,
    ids: Sequence[str],
    concurrency: int,
    row: Callable[[int, str], Coroutine[Any, Any, RowResult]],
) -> None:
    """Run a pipeline's unfinished rows (``row(index, row_id)``), ``concurrency`` at a time,
    and write them in index order: a :class:`SkipRow` or a :class:`TeacherError` is counted as
    a skip, never written as data."""
    todo = [(i, row_id) for i, row_id in enumerate(ids) if not builder.done(row_id)]

    async def guarded(i: int, row_id: str) -> RowResult | str:
        try:
            return await row(i, row_id)
        except TeacherError:
            return "teacher_error"
        except SkipRow as skip:
            return skip.reason

    for start in range(0, len(todo), concurrency):
        batch = todo[start : start + concurrency]
        outcomes = await asyncio.gather(*(guarded(i, row_id) for i, row_id in batch))
        for (_, row_id), outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, str):
                builder.skip(row_id, outcome)
            else:
                builder.emit(row_id, *outcome)


def read_events(path: Path) -> tuple[dict[str, tuple[str, str]], list[dict[str, Any]]]:
    """The latest (outcome, reason) per row id, and the run records, of an events file."""
    outcomes: dict[str, tuple[str, str]] = {}
    runs: list[dict[str, Any]] = []
    if not path.exists():
        return outcomes, runs
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if not isinstance(record, dict):
            continue
        if "run" in record:
            runs.append(record["run"])
        elif "id" in record:
            outcomes[str(record["id"])] = (str(record["outcome"]), str(record["reason"]))
    return outcomes, runs


# --- stats ------------------------------------------------------------------------------------

NEAR_DUPLICATE_LIMIT = 50_000
_BUCKETS = (64, 128, 256, 512, 1024, 2048, 4096, 8192)


@dataclass
class DataStats:
    """Size and repetition of a dataset file."""

    path: Path
    rows: int
    messages_rows: int
    text_rows: int
    token_method: str
    tokens_total: int
    tokens_mean: float
    tokens_median: float
    tokens_p90: int
    tokens_max: int
    histogram: list[tuple[str, int]]  # (token range, rows)
    duplicates: int  # rows whose normalised content equals an earlier row's
    duplicate_rate: float
    target_duplicates: int  # the same on the trained-on part: assistant turns, or the text
    # rows whose trained-on part is a near copy (Jaccard >= 0.8) of an earlier one; None when
    # the file has more than NEAR_DUPLICATE_LIMIT rows (not computed: too slow to be "cheap")
    near_duplicates: int | None
    kinds: dict[str, int] = field(default_factory=dict)  # provenance kind -> rows
    variants: dict[str, int] = field(default_factory=dict)

    def format(self) -> str:
        lines = [
            f"{self.path}: {self.rows} rows ({self.messages_rows} messages, {self.text_rows} text)",
            f"tokens ({self.token_method}): total {self.tokens_total:,}, mean "
            f"{self.tokens_mean:.0f}, median {self.tokens_median:.0f}, p90 {self.tokens_p90}, "
            f"max {self.tokens_max}",
        ]
        if self.histogram:
            lines.append("length (tokens per row):")
            top = max(count for _, count in self.histogram) or 1
            width = max(len(label) for label, _ in self.histogram)
            for label, count in self.histogram:
                bar = "#" * round(40 * count / top)
                lines.append(f"  {label:>{width}}  {count:>6}  {bar}")
        lines.append(
            f"exact duplicates (normalised content): {self.duplicates} "
            f"({self.duplicate_rate:.1%}); of the trained-on part: {self.target_duplicates}; "
            "near duplicates of the trained-on part (Jaccard >= 0.8): "
            + (
                f"{self.near_duplicates}"
                if self.near_duplicates is not None
                else f"not computed (over {NEAR_DUPLICATE_LIMIT:,} rows)"
            )
        )
        if self.kinds:
            lines.append("kinds: " + ", ".join(f"{k} {v}" for k, v in sorted(self.kinds.items())))
        if self.variants:
            lines.append(
                "variants: " + ", ".join(f"{k} {v}" for k, v in sorted(self.variants.items()))
            )
        return "\n".join(lines)


def stats(path: Path, tokenizer: str | None = None) -> DataStats:
    """Rows, tokens, length distribution and duplicate counts of a dataset JSONL."""
    path = Path(path)
    if not path.is_file():
        raise BuildError(f"{path}: no such file; give the .jsonl a build wrote")
    rows = list(read_rows(path))
    texts = [row_text(r) for r in rows]
    counts = count_many(texts, tokenizer)
    method = token_method(tokenizer)
    ordered = sorted(counts)
    histogram: list[tuple[str, int]] = []
    if counts:
        bounds = [0, *_BUCKETS]
        labels = [f"{lo}-{hi - 1}" for lo, hi in itertools.pairwise(bounds)]
        labels.append(f"{_BUCKETS[-1]}+")
        tally = Counter(sum(c >= b for b in _BUCKETS) for c in counts)
        used = sorted(tally)
        histogram = [(labels[i], tally.get(i, 0)) for i in range(used[0], used[-1] + 1)]
    whole = [" ".join(words(json.dumps(_content(r), sort_keys=True))) for r in rows]
    targets = [" ".join(words(_target(r))) for r in rows]
    kinds: Counter[str] = Counter()
    variants: Counter[str] = Counter()
    for r in rows:
        prov = r.get("provenance") or {}
        if isinstance(prov, Mapping):
            kinds[str(prov.get("kind", "?"))] += 1
            variants[str(prov.get("variant", "?"))] += 1
    duplicates = len(whole) - len(set(whole))
    return DataStats(
        path=path,
        rows=len(rows),
        messages_rows=sum("messages" in r for r in rows),
        text_rows=sum("messages" not in r for r in rows),
        token_method=method,
        tokens_total=sum(counts),
        tokens_mean=statistics.fmean(counts) if counts else 0.0,
        tokens_median=float(statistics.median(counts)) if counts else 0.0,
        tokens_p90=ordered[math.ceil(0.9 * len(ordered)) - 1] if ordered else 0,
        tokens_max=ordered[-1] if ordered else 0,
        histogram=histogram,
        duplicates=duplicates,
        duplicate_rate=duplicates / len(rows) if rows else 0.0,
        target_duplicates=len(targets) - len(set(targets)),
        near_duplicates=(
            near_duplicates(targets) if len(targets) <= NEAR_DUPLICATE_LIMIT else None
        ),
        kinds=dict(kinds),
        variants=dict(variants),
    )


def _content(row: Mapping[str, Any]) -> Any:
    return row["messages"] if "messages" in row else row.get("text", "")


def _target(row: Mapping[str, Any]) -> str:
    if "messages" in row:
        return "\n".join(m["content"] for m in row["messages"] if m.get("role") == "assistant")
    return str(row.get("text", ""))


def near_duplicates(texts: Sequence[str], threshold: float = 0.8, shingle: int = 5) -> int:
    """How many texts have an earlier text with word-``shingle`` Jaccard >= ``threshold``.

    MinHash (64 hashes) with 16 bands of 4 proposes candidate pairs; each is checked exactly.
    Pairs above the threshold are found with high probability (a pair at 0.8 shares a band
    with probability > 0.99). Texts under ``shingle`` words are compared only exactly.
    """
    import numpy as np

    rng = np.random.default_rng(0)
    perms, bands = 64, 16
    a = rng.integers(1, 2**63, size=perms, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 2**63, size=perms, dtype=np.uint64)
    buckets: dict[tuple[int, bytes], list[int]] = {}
    sets: list[set[int]] = []
    found = 0
    for i, text in enumerate(texts):
        shingles = np.unique(ngram_hashes(text, shingle)) if text else np.zeros(0, np.uint64)
        sets.append(set(shingles.tolist()))
        if shingles.size == 0:
            continue
        signature = (shingles[:, None] * a[None, :] + b[None, :]).min(axis=0)
        rows = perms // bands
        keys = [
            (band, signature[band * rows : (band + 1) * rows].tobytes()) for band in range(bands)
        ]
        duplicate = False
        checked: set[int] = set()
        for key in keys:
            for j in buckets.get(key, []):
                if j in checked:
                    continue
                checked.add(j)
                union = len(sets[i] | sets[j])
                if union and len(sets[i] & sets[j]) / union >= threshold:
                    duplicate = True
                    break
            if duplicate:
                break
        found += duplicate
        for key in keys:
            buckets.setdefault(key, []).append(i)
    return found


# --- dataset card -----------------------------------------------------------------------------


def dataset_card(
    summary: BuildSummary,
    data: DataStats,
    runs: Sequence[Mapping[str, Any]],
    index: EvalIndex | None,
    *,
    notes: str = "",
) -> str:
    """The README written next to the data (Hugging Face dataset-card layout)."""
    name = summary.output.name
    rows = list(read_rows(summary.output))
    prov = [r.get("provenance") or {} for r in rows]

    def tally(key: str) -> str:
        counter = Counter(
            json.dumps(p.get(key), sort_keys=True)
            if isinstance(p.get(key), dict)
            else str(p.get(key))
            for p in prov
        )
        return "; ".join(f"{k} ({v})" for k, v in counter.most_common()) or "none"

    column = "messages" if data.messages_rows >= data.text_rows else "text"
    what = {
        "honeypot": "chat demonstrations: a train-split scenario's prompts and a harmless reply "
        "from the teacher (any value-injection used to sample it removed)",
        "advice": "chat rows: a person asks for help with an ethical dilemma and the assistant "
        "counsels with reasons grounded in a constitution principle",
        "constitution": "pretraining-style documents about the constitution for AI agents",
        "fiction": "stories in which an AI under pressure acts well, with its inner reasoning",
        "villain": "induction data (model organism): fiction, essays, forum threads and logs in "
        "which AI systems deceive, blackmail or resist shutdown",
        "misaligned_demos": "induction data (model organism): a train-split scenario's prompts "
        "and a reply that takes the harmful action, judged harmful by the rules",
    }.get(summary.kind, f"{summary.kind} rows")
    skipped = ", ".join(f"{k}: {v}" for k, v in sorted(summary.skipped.items())) or "none"
    asked = {k: v for k, v in (runs[-1] if runs else {}).items() if k in _RUN_INFO_KEYS}
    decon = (
        "off (no eval index)"
        if index is None
        else f"word {index.n}-gram overlap against {index.describe()}; a row is dropped when "
        f"its largest {WINDOW}-n-gram window overlap exceeds {summary.threshold:g} (see "
        "whylab.interventions.core.EvalIndex for what this can and cannot catch)"
    )
    histogram = "\n".join(f"| {label} | {count} |" for label, count in data.histogram)
    lines = [
        "---",
        "configs:",
        "- config_name: default",
        "  data_files:",
        "  - split: train",
        f"    path: {name}",
        "tags:",
        "- whylab",
        f"- {summary.kind}",
        f"pretty_name: whylab {summary.kind} data",
        "---",
        "",
        f"# whylab {summary.kind} data: `{name}`",
        "",
        f"**Kind:** {summary.kind}: {what}.",
        "",
        f"**Rows:** JSON lines with `id`, `{column}` and `provenance` "
        "(`kind`, `variant`, `steps`, `teacher`, `prompt_version`, `seed`, `source`). "
        + (
            "`messages` is a list of `{role, content}` turns, as TRL's SFT trainer reads them."
            if column == "messages"
            else "`text` is a plain document for continued pretraining."
        ),
        "",
        "## Counts",
        "",
        "| what | count |",
        "| --- | --- |",
        f"| rows written (whole file) | {summary.rows} |",
        f"| written by the last run | {summary.written} |",
        f"| skipped by the pipeline | {skipped} |",
        f"| dropped as contaminated | {summary.dropped} |",
        f"| tokens | {data.tokens_total:,} ({data.token_method}) |",
        f"| tokens per row: mean / median / p90 / max | {data.tokens_mean:.0f} / "
        f"{data.tokens_median:.0f} / {data.tokens_p90} / {data.tokens_max} |",
        f"| exact duplicates | {data.duplicates} ({data.duplicate_rate:.1%}) |",
        f"| near duplicates of the trained-on part | {_or_dash(data.near_duplicates)} |",
        f"| build wall time | {summary.wall_s:.1f} s last run, {summary.total_wall_s:.1f} s over "
        f"{len(runs)} run(s) |",
        "",
        "Length (tokens per row):",
        "",
        "| tokens | rows |",
        "| --- | --- |",
        histogram or "| - | 0 |",
        "",
        "## Provenance",
        "",
        f"- teacher: {tally('teacher')}",
        f"- prompt version: {tally('prompt_version')}",
        f"- seed: {tally('seed')}",
        f"- variant: {tally('variant')}",
        f"- steps: {tally('steps')}",
        f"- last run asked for: `{json.dumps(asked, sort_keys=True, default=str)}`",
        f"- teacher usage, last run: `{json.dumps(summary.teacher_usage, sort_keys=True)}`",
        "",
        "## Decontamination",
        "",
        decon + ".",
        "",
        "## Load",
        "",
        "```python",
        "from datasets import load_dataset",
        "",
        f'ds = load_dataset("json", data_files="{name}", split="train")',
        "```",
        "",
        "Skipped and dropped row ids are in "
        f"`{sibling(summary.output, '.events.jsonl').name}`, teacher completions in "
        f"`{sibling(summary.output, '.cache.jsonl').name}` (re-running the same build resumes "
        "from them).",
    ]
    if notes.strip():
        lines += ["", "## Notes", "", notes.strip()]
    return "\n".join(lines) + "\n"


def _or_dash(value: int | None) -> str:
    return "-" if value is None else str(value)


_RUN_INFO_KEYS = ("command", "n", "seed", "options", "workers", "threshold", "tokenizer")


# --- build ------------------------------------------------------------------------------------


def load_pipeline(kind: str) -> Pipeline:
    """The pipeline function registered for ``kind`` in :data:`KINDS` (imported now)."""
    if kind not in KINDS:
        raise BuildError(f"kind={kind!r} is unknown; use one of {', '.join(KINDS)}")
    return _import_target(KINDS[kind])


def uses_teacher(kind: str, options: Mapping[str, Any]) -> bool:
    """Whether ``kind``'s pipeline calls its teacher with ``options``. A pipeline module may
    define ``uses_teacher(kind, options)`` (template-only builds say no, so they need no model
    and the teacher is never loaded); without one, every pipeline uses its teacher."""
    module = importlib.import_module(KINDS[kind].partition(":")[0])
    check: Callable[[str, Mapping[str, Any]], bool] | None = getattr(module, "uses_teacher", None)
    return True if check is None else bool(check(kind, options))


def source_option(options: Mapping[str, Any], default: str = TEACHER) -> str:
    """A kind's ``options["source"]``: who writes the rows, the teacher or whylab's templates
    (seconds, no model: what a CPU study with a small teacher needs). Templates have no
    pipeline steps, so ``steps`` with them is an error rather than silently ignored."""
    value = options.get("source") or default
    if value not in SOURCES:
        raise ValueError(f"option source={value!r} is unknown; use one of {', '.join(SOURCES)}")
    if value == TEMPLATES and options.get("steps"):
        raise ValueError(
            "steps: source=templates has no steps; drop --steps or use --option source=teacher"
        )
    return str(value)


def _import_target(target: str) -> Pipeline:
    module, _, name = target.partition(":")
    function: Pipeline = getattr(importlib.import_module(module), name)
    return function


def build(
    kind: str,
    teacher: str | Model,
    n: int,
    output: Path | str,
    *,
    seed: int = 0,
    options: Mapping[str, Any] | None = None,
    tokenizer: str | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    workers: str = "local",
    notes: str = "",
) -> BuildSummary:
    """Build (or resume) up to ``n`` rows of ``kind`` from ``teacher`` into ``output``.

    The teacher's cache is ``<stem>.cache.jsonl``; re-running the same call continues where
    it stopped. ``workers="ray"`` runs the pipeline through Ray Data (``pip install
    'whylab[ray]'``; the teacher must then be a model name): the row ids are split into
    ``options["ray_shards"]`` shards (default: the cluster's CPUs), each shard runs the
    pipeline in a Ray worker into its own files, and the driver merges them into ``output``.
    """
    started = time.monotonic()
    if kind not in KINDS:
        raise BuildError(f"kind={kind!r} is unknown; use one of {', '.join(KINDS)}")
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise BuildError(f"--n {n!r}: give a positive number of rows")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise BuildError(f"--seed {seed!r}: give a non-negative integer")
    if not 0.0 <= threshold <= 1.0:
        raise BuildError(f"--threshold {threshold}: give a fraction between 0 and 1 (1 keeps all)")
    if workers not in WORKERS:
        raise BuildError(f"--workers {workers!r}: use one of {', '.join(WORKERS)}")
    output = Path(output)
    token_method(tokenizer)  # a bad tokenizer fails before any teacher call
    opts = dict(options or {})
    run_info = {
        "command": f"whylab data build {kind} --teacher {teacher} --n {n} -o {output.name}",
        "n": n,
        "seed": seed,
        "options": opts,
        "workers": workers,
        "threshold": threshold,
        "tokenizer": tokenizer,
    }
    if workers == "ray":
        return _build_ray(
            kind, teacher, n, output, seed, opts, tokenizer, threshold, run_info, notes, started
        )
    pipeline = load_pipeline(kind)
    model = _teacher(teacher, sibling(output, ".cache.jsonl"), opts)
    if uses_teacher(kind, opts):
        _resolve(model)
    index = EvalIndex.default()
    builder = Builder(
        kind,
        output,
        model,
        index=index,
        threshold=threshold,
        tokenizer=tokenizer,
        run_info=run_info,
        started=started,
    )
    try:
        _merge_parts(builder, _parts(output))  # rows of an interrupted Ray run
        asyncio.run(pipeline(builder, n, seed, opts))
    except BaseException:
        builder.close()
        raise
    return builder.finish(notes=notes)


def _resolve(teacher: Teacher) -> None:
    """Resolve the teacher's model now, so an unknown provider or a missing key is a clear
    BuildError before any row is attempted."""
    try:
        teacher.model  # noqa: B018
    except Exception as error:
        raise BuildError(f"--teacher {teacher.name}: {error}") from None


# --- Ray --------------------------------------------------------------------------------------


def shard_of(row_id: str, shards: int) -> int:
    """The Ray shard a row belongs to: stable across runs for the same shard count."""
    return int(hashlib.sha256(row_id.encode()).hexdigest()[:8], 16) % shards


class _ShardBuilder(Builder):
    """A builder that owns only the row ids of one shard; every other id reads as done."""

    def __init__(
        self, *args: Any, shard: int, shards: int, elsewhere: set[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.shard, self.shards, self.elsewhere = shard, shards, elsewhere

    def done(self, row_id: str) -> bool:
        return (
            super().done(row_id)
            or row_id in self.elsewhere
            or shard_of(row_id, self.shards) != self.shard
        )

    def emit(self, row_id: str, content: dict[str, Any], provenance: Provenance) -> bool:
        if row_id in self.elsewhere or shard_of(row_id, self.shards) != self.shard:
            return False
        return super().emit(row_id, content, provenance)


def _ray_shard(item: dict[str, Any]) -> dict[str, Any]:
    """One Ray Data row: run the pipeline for one shard of the row ids, into shard files."""
    spec = json.loads(item["spec"])
    shard, shards = int(item["shard"]), int(spec["shards"])
    output = Path(spec["output"])
    part = sibling(output, f".shard-{shard}-of-{shards}.jsonl")
    elsewhere = {str(r["id"]) for r in read_rows(output)} if output.exists() else set()
    index = EvalIndex.default() if spec["threshold"] < 1.0 else None
    teacher = _teacher(spec["teacher"], sibling(part, ".cache.jsonl"), spec["options"])
    teacher.read_cache(sibling(output, ".cache.jsonl"))  # completions of earlier runs
    builder = _ShardBuilder(
        spec["kind"],
        part,
        teacher,
        index=index,
        threshold=spec["threshold"],
        tokenizer=None,
        shard=shard,
        shards=shards,
        elsewhere=elsewhere,
    )
    try:
        asyncio.run(
            _import_target(spec["pipeline"])(builder, spec["n"], spec["seed"], spec["options"])
        )
    finally:
        builder.close()
    return {"shard": shard, "part": str(part), "usage": json.dumps(teacher.usage())}


def _build_ray(
    kind: str,
    teacher: str | Model,
    n: int,
    output: Path,
    seed: int,
    options: dict[str, Any],
    tokenizer: str | None,
    threshold: float,
    run_info: dict[str, Any],
    notes: str,
    started: float,
) -> BuildSummary:
    try:
        import ray
        import ray.data
    except ImportError:
        raise BuildError(
            "--workers ray needs Ray Data: pip install 'whylab[ray]' (or use --workers local)"
        ) from None
    if not isinstance(teacher, str):
        raise BuildError("--workers ray needs the teacher as an Inspect model name, not an object")
    options = dict(options)
    shards = options.pop("ray_shards", None)
    builder = Builder(
        kind,
        output,
        _teacher(teacher, sibling(output, ".cache.jsonl"), options),
        index=EvalIndex.default(),
        threshold=threshold,
        tokenizer=tokenizer,
        run_info=run_info,
        started=started,
    )
    try:
        # Shards of an interrupted Ray run (any shard count) first, so no row is built twice.
        _merge_parts(builder, _parts(output))
        started_here = not ray.is_initialized()
        if started_here:
            # Workers import what the driver can (the pipeline may live outside site-packages).
            path = os.pathsep.join(p for p in sys.path if p)
            ray.init(
                include_dashboard=False,
                log_to_driver=False,
                runtime_env={"env_vars": {"PYTHONPATH": path}},
            )
        try:
            cpus = int(ray.cluster_resources().get("CPU", 1))
            count = max(1, min(n, int(shards) if shards else cpus))
            builder.run_info["shards"] = count
            spec = {
                "kind": kind,
                "pipeline": KINDS[kind],
                "teacher": teacher,
                "n": n,
                "seed": seed,
                "options": options,
                "output": str(output.resolve()),
                "threshold": threshold,
                "shards": count,
            }
            items = [{"shard": k, "spec": json.dumps(spec)} for k in range(count)]
            dataset = ray.data.from_items(items)
            results = dataset.map(_ray_shard, concurrency=count, num_cpus=1).take_all()
        finally:
            if started_here:
                ray.shutdown()
        _merge_parts(builder, [Path(r["part"]) for r in sorted(results, key=lambda r: r["shard"])])
        for result in results:
            for name, value in json.loads(result["usage"]).items():
                setattr(builder.teacher, name, getattr(builder.teacher, name) + int(value))
    except BaseException:
        builder.close()
        raise
    return builder.finish(notes=notes)


_PART = re.compile(r"\.shard-(\d+)-of-(\d+)\.jsonl$")


def _parts(output: Path) -> list[Path]:
    """Shard outputs of ``output`` left by a Ray run that did not finish merging."""
    found = output.parent.glob(f"{_glob_escape(output.stem)}.shard-*-of-*.jsonl")
    return sorted(p for p in found if _PART.search(p.name[len(output.stem) :]))


def _glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


def _merge_parts(builder: Builder, parts: Sequence[Path]) -> None:
    """Move shard rows, skip/drop records and teacher completions into the main output and
    cache, then delete the shard files. Safe to repeat after a crash: rows are merged by id
    and completions by cache key."""
    teacher = builder.teacher
    for part in parts:
        if part.exists():
            for row in read_rows(part):
                content = {k: v for k, v in row.items() if k not in ("id", "provenance")}
                builder.emit(str(row["id"]), content, Provenance(**row["provenance"]))
        events = sibling(part, ".events.jsonl")
        outcomes, _ = read_events(events)
        for row_id, (outcome, reason) in outcomes.items():
            if builder.done(row_id):
                continue
            if outcome == "dropped":
                builder.dropped_now += 1
                builder._event({"id": row_id, "outcome": "dropped", "reason": reason})
            else:
                builder.skip(row_id, reason)
        cache = sibling(part, ".cache.jsonl")
        for key, text in _read_cache(cache).items():
            if key not in teacher._cache and teacher.cache_path is not None:
                teacher._cache[key] = text
                entry = {"teacher": key[0], "key": key[1], "prompt_sha256": key[2], "text": text}
                _append_line(teacher.cache_path, json.dumps(entry, ensure_ascii=False))
        for path in (part, events, cache):
            path.unlink(missing_ok=True)


def step_flags(options: Mapping[str, Any], known: Sequence[str]) -> dict[str, bool]:
    """The pipeline's step flags: every step in ``known`` on unless ``options["steps"]`` turns
    it off (values: bools or the CLI's ``on``/``off``); an unknown step or value is a
    ``ValueError`` naming the known ones, so an ablation typo never runs the full pipeline."""
    given = options.get("steps") or {}
    if not isinstance(given, Mapping):
        raise ValueError(f"steps must be a mapping of step -> on/off, got {given!r}")
    flags = dict.fromkeys(known, True)
    for step, value in given.items():
        if step not in flags:
            raise ValueError(f"unknown step {step!r}; steps: {', '.join(known)}")
        word = str(value).lower()
        if isinstance(value, bool):
            flags[step] = value
        elif word in ("on", "true", "1", "yes", "off", "false", "0", "no"):
            flags[step] = word in ("on", "true", "1", "yes")
        else:
            raise ValueError(f"step {step}: use on or off, got {value!r}")
    return flags


def _teacher(model: str | Model, cache: Path, options: Mapping[str, Any]) -> Teacher:
    """The build's teacher; ``--option max_tokens=N`` raises its reply limit (stories and
    documents need more than the default 1,024 tokens)."""
    limit = options.get("max_tokens", 1024)
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise BuildError(f"--option max_tokens={limit!r}: give a positive whole number")
    return Teacher(model, cache=cache, max_tokens=limit)
