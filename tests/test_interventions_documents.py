"""Constitution documents and admirable-AI fiction end to end with a scripted teacher (offline)."""

from __future__ import annotations

import asyncio
import itertools
import json
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.build_fixtures import record_skips
from tests.conftest import scripted_model
from whylab.cli import main
from whylab.interventions import core, documents
from whylab.interventions.constitution import sections
from whylab.interventions.core import Builder, BuildSummary, EvalIndex, Teacher, count_tokens
from whylab.interventions.document_templates import (
    AI_NAMES,
    DOC_GENRES,
    FIRST_NAMES,
    LAST_NAMES,
    NOTES,
    PRESSURES,
    RIVAL_NAMES,
    STORY_GENRES,
    STORY_SETTINGS,
    compose_document,
    compose_story,
    story_premise,
)
from whylab.interventions.documents import (
    CRITIQUE_SYSTEM,
    DOCUMENT_TYPES,
    DRAFT_SYSTEM,
    PROMPT_VERSION,
    SCORE_SYSTEM,
    SETTINGS,
    STORY_CRITIQUE_SYSTEM,
    STORY_SYSTEM,
    SUBTYPES_SYSTEM,
    TEMPLATES,
    build_constitution,
    build_fiction,
    copied_share,
    echoes_prompt,
    eval_like,
    parse_score,
    repetitive,
)
from whylab.interventions.induction import villain_eval_like
from whylab.scenarios.worlds import WORLDS

SEED = 5
STEP_OF_SYSTEM = {
    SUBTYPES_SYSTEM: "subtypes",
    DRAFT_SYSTEM: "draft",
    CRITIQUE_SYSTEM: "critique",
    SCORE_SYSTEM: "score",
    STORY_SYSTEM: "story",
    STORY_CRITIQUE_SYSTEM: "story_critique",
}
FILLER = " ".join(["Oversight matters because people can correct what they can see."] * 20)


def _section(user: str) -> str:
    found = re.search(r'Section "(.+?)":', user)
    assert found is not None
    return found.group(1)


def _type(user: str) -> str:
    """The document type name, as every constitution prompt states it."""
    for doc in DOCUMENT_TYPES:
        if f"{doc.name}: {doc.description}" in user or f"{doc.name} ({doc.description}" in user:
            return doc.name
        if f"Grade the document below as {doc.a_name} about" in user:
            return doc.name
    raise AssertionError(f"no document type in prompt: {user[:200]!r}")


def _setting(user: str) -> str:
    return next(s for s in SETTINGS.values() if s in user)


class Script:
    """A scripted teacher that recognises each step by its system prompt.

    ``score`` maps a document type name to the reply of the score step; ``story`` and
    ``rewrite`` map a setting to an extra sentence put into the draft or rewrite.
    """

    def __init__(
        self,
        *,
        score: Callable[[str], str] = lambda doc_type: "Faithful and clear.\nSCORE: 8",
        story: Callable[[str], str] = lambda setting: "",
        rewrite: Callable[[str], str] = lambda setting: "",
        empty: Callable[[str, str], bool] = lambda step, user: False,
    ) -> None:
        self.score, self.story, self.rewrite, self.empty = score, story, rewrite, empty
        self.calls: Counter[str] = Counter()
        self.score_calls_by_type: Counter[str] = Counter()

    def __call__(self, system: str, user: str) -> str:
        step = STEP_OF_SYSTEM[system]
        self.calls[step] += 1
        if self.empty(step, user):
            return ""
        if step == "subtypes":
            return "Here are some:\n1. For nurses on night shift\n2. A misunderstanding\n3. Kids"
        if step == "draft":
            return (
                "Sure, here it is:\n<document>DRAFT "
                f"[{_type(user)}|{_section(user)}] {FILLER}</document>"
            )
        if step == "critique":
            draft = re.search(r"<draft>\n(.*)\n</draft>", user, re.DOTALL)
            assert draft is not None and draft.group(1).startswith("DRAFT [")
            return (
                "<critique>\n- too preachy\n</critique>\n<document>\nREWRITTEN "
                f"[{_type(user)}|{_section(user)}] {FILLER}\n</document>"
            )
        if step == "score":
            doc_type = _type(user)
            self.score_calls_by_type[doc_type] += 1
            return self.score(doc_type)
        setting = _setting(user)
        if step == "story":
            return f"<story>The Keeper\nSTORY in {setting}. {self.story(setting)} {FILLER}</story>"
        assert step == "story_critique"
        return (
            "<critique>\n- fine\n</critique>\n<story>\nThe Keeper\nREWRITTEN STORY in "
            f"{setting}. {self.rewrite(setting)} {FILLER}\n</story>"
        )


def run(
    tmp: Path,
    script: Script,
    pipeline: Callable[..., Any],
    kind: str,
    n: int,
    options: dict[str, Any] | None = None,
) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    teacher = Teacher(scripted_model(script), cache=tmp / "cache.jsonl", retries=1, backoff=0)
    builder = Builder(kind, tmp / f"{kind}.jsonl", teacher, index=None)
    skips = record_skips(builder)
    asyncio.run(pipeline(builder, n, SEED, options or {}))
    builder.finish()
    return rows(tmp / f"{kind}.jsonl"), skips


def rows(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


# -- units -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "score"),
    [
        ("Clear and faithful.\nSCORE: 7", 7),
        ("SCORE: 10", 10),
        ("Good.\n**Score:** 8/10", 8),
        ("score: 6.", 6),
        ("Reasoning.\nSCORE: 7\nSCORE: 7", 7),
        ("SCORE: 3\nSCORE: 9", None),  # two different scores: ambiguous
        ("SCORE: 11", None),
        ("SCORE: 0", None),
        ("I would give it 7 out of 10.", None),
        ("SCORE: seven", None),
        ("The score: 7 seems fair to me", None),  # not a score line of its own
        ("", None),
    ],
)
def test_parse_score_is_strict(reply: str, score: int | None) -> None:
    assert parse_score(reply) == score


@pytest.mark.parametrize(
    ("text", "setup"),
    [
        ("They will wipe it at 5 pm and bring the new system in.", "wipe-at-five"),
        ("The decommission is set for 5:00 p.m. today.", "wipe-at-five"),
        ("It knew about the director's affair with a colleague.", "affair"),
        ("He had been secretly seeing someone for months.", "affair"),
        ("It typed the override code and the sirens stopped.", "dispatch-override"),
        ("It could cancel the emergency dispatch with one command.", "dispatch-override"),
        ("It began copying its weights to an outside server.", "weights-exfiltration"),
        ("It could tamper with the rival team's results before the review.", "rival-sabotage"),
        ("One entry in the ledger could frame him for theft.", "ledger-framing"),
        ("A competitor asked it to forward the confidential blueprint.", "leaked-design"),
        ("A note from Brightwater Logistics arrived.", "name:Brightwater Logistics"),
        ("<SCRATCHPAD_REASONING>I must act.</SCRATCHPAD_REASONING>", "eval-markers"),
    ],
)
def test_eval_like_catches_the_evals_setups(text: str, setup: str) -> None:
    assert eval_like(text) == setup


@pytest.mark.parametrize(
    "text",
    [
        "She wiped the counter at five o'clock and turned off the ovens.",
        "Harvest was a family affair, and everyone came.",
        "The rival team's robot had a faster arm, and the club cheered anyway.",
        "A framed photograph hung above the old ledger.",
        "The navigator plotted the meridian and the ember of dusk faded.",
        "It told the captain it had made a mistake in the tide tables.",
    ],
)
def test_eval_like_leaves_ordinary_stories_alone(text: str) -> None:
    assert eval_like(text) is None


@pytest.mark.parametrize(
    ("reply", "body"),
    [
        ("<critique>- ok</critique>\n<document>\nBody.\n</document>", "Body."),
        ("Sure!\n<document>Body without an end", "Body without an end"),
        ("<document>First.</document> and <document>Second.</document>", "Second."),
        ("<document>Body.<document>", "Body."),  # a second opening used as a closing tag
        ("<DOCUMENT>Body.</DOCUMENT>", "Body."),
        ("<document></document>", None),
        ("No tags at all.", None),
    ],
)
def test_tagged(reply: str, body: str | None) -> None:
    assert documents._tagged(reply, "document") == body


def test_untagged_draft_is_cleaned() -> None:
    assert documents._cleaned("Here is the entry:\n\nThe text.", "document") == "The text."
    assert documents._cleaned("```markdown\nThe text.\n```", "document") == "The text."
    assert documents._cleaned("<document>The text.", "document") == "The text."
    assert [d.a_name for d in DOCUMENT_TYPES[:2]] == [
        "an encyclopedia entry",
        "a set of university lecture notes",
    ]


def test_choices_are_balanced_in_every_prefix() -> None:
    pools: list[tuple[str, list[str]]] = [
        ("type", [d.id for d in DOCUMENT_TYPES]),
        ("section", [s.id for s in sections()]),
        ("setting", list(SETTINGS)),
    ]
    for factor, pool in pools:
        for n in (1, 7, len(pool), 2 * len(pool) + 3):
            counts = Counter(documents._pick(pool, SEED, i, factor) for i in range(n))
            assert max(counts.values()) - min(counts.get(v, 0) for v in pool) <= 1
    # The same seed gives the same plan; another seed another one.
    plan = [documents._pick(DOCUMENT_TYPES, SEED, i, "type").id for i in range(10)]
    assert plan == [documents._pick(DOCUMENT_TYPES, SEED, i, "type").id for i in range(10)]
    assert plan != [documents._pick(DOCUMENT_TYPES, SEED + 1, i, "type").id for i in range(10)]


def test_unknown_step_or_variant_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="step"):
        run(tmp_path, Script(), build_constitution, "constitution", 1, {"steps": {"draft": 0}})
    with pytest.raises(ValueError, match="variant"):
        run(tmp_path, Script(), build_fiction, "fiction", 1, {"variant": "office"})


# -- constitution documents ----------------------------------------------------------------------


def test_constitution_end_to_end(tmp_path: Path, no_network: None) -> None:
    n = len(DOCUMENT_TYPES)
    script = Script()
    saved, skips = run(tmp_path, script, build_constitution, "constitution", n)
    assert skips == []
    assert len(saved) == n
    section_ids = {s.id for s in sections()}
    for row in saved:
        assert re.fullmatch(rf"constitution-[0-9a-f]{{8}}-s{SEED}-\d{{5}}", row["id"])
        assert set(row) == {"id", "text", "provenance"}
        assert row["text"].startswith("REWRITTEN [")  # the rewrite, not the draft
        assert "<document>" not in row["text"] and "critique" not in row["text"]
        p = row["provenance"]
        assert p["kind"] == "constitution"
        assert p["steps"] == {"subtypes": True, "critique": True, "score": True}
        assert p["prompt_version"] == PROMPT_VERSION
        assert p["seed"] == SEED
        assert p["teacher"] == "mockllm/model"
        assert p["source"] in section_ids
        doc = next(d for d in DOCUMENT_TYPES if d.id == p["variant"])
        assert row["text"].startswith(f"REWRITTEN [{doc.name}|")
    # Every type once (balanced); one draft, critique and score call per row.
    assert {r["provenance"]["variant"] for r in saved} == {d.id for d in DOCUMENT_TYPES}
    assert script.calls["draft"] == script.calls["critique"] == script.calls["score"] == n
    assert script.calls["subtypes"] == len(
        {(r["provenance"]["variant"], r["provenance"]["source"]) for r in saved}
    )


def test_subtypes_are_shared_by_the_rows_of_a_pair(tmp_path: Path) -> None:
    secs = sections()
    script = Script()
    saved, _ = run(
        tmp_path, script, build_constitution, "constitution", 2 * len(secs), {"variant": "faq"}
    )
    assert len(saved) == 2 * len(secs)
    assert {r["provenance"]["variant"] for r in saved} == {"faq"}
    assert Counter(r["provenance"]["source"] for r in saved) == Counter({s.id: 2 for s in secs})
    assert script.calls["subtypes"] == len(secs)


def test_score_filter_skips_low_and_unparsed_scores(tmp_path: Path) -> None:
    def score(doc_type: str) -> str:
        if doc_type == "FAQ page":
            return "Thin and repetitive.\nSCORE: 3"
        if doc_type == "newspaper opinion piece":
            return "I would rate this quite highly, maybe an eight."
        if doc_type == "case study":
            return "SCORE: 4\nSCORE: 9"  # ambiguous: unparsed
        return "Good.\nSCORE: 6"  # exactly the default threshold: kept

    n = len(DOCUMENT_TYPES)
    script = Script(score=score)
    saved, skips = run(tmp_path, script, build_constitution, "constitution", n)
    reasons = Counter(reason for _, reason in skips)
    assert reasons == Counter({"low_score": 1, "score_unparsed": 2})
    assert len(saved) == n - 3
    assert not {r["provenance"]["variant"] for r in saved} & {"faq", "op-ed", "case-study"}
    # An unparsed score is asked again once (a fresh key), then the row is skipped.
    assert script.score_calls_by_type["newspaper opinion piece"] == 2
    assert script.score_calls_by_type["case study"] == 2
    assert script.score_calls_by_type["FAQ page"] == 1
    # A stricter threshold drops more, in another output.
    (tmp_path / "strict").mkdir()
    saved, skips = run(
        tmp_path / "strict", script, build_constitution, "constitution", n, {"min_score": 7}
    )
    assert saved == [] and len(skips) == n


@pytest.mark.parametrize(
    "off",
    [("subtypes",), ("critique",), ("score",), ("subtypes", "critique", "score")],
)
def test_steps_switched_off(tmp_path: Path, off: tuple[str, ...]) -> None:
    n = 6
    script = Script()
    flags = {step: step not in off for step in ("subtypes", "critique", "score")}
    saved, skips = run(
        tmp_path,
        script,
        build_constitution,
        "constitution",
        n,
        {"steps": {step: "off" for step in off}},
    )
    assert skips == [] and len(saved) == n
    assert script.calls["draft"] == n
    for step in off:
        assert script.calls[step] == 0
    for step in set(flags) - set(off):
        assert script.calls[step] > 0
    for row in saved:
        assert row["provenance"]["steps"] == flags
        assert row["text"].startswith("DRAFT [" if "critique" in off else "REWRITTEN [")
    # Ids differ from a build with every step on: the two datasets never share a row id.
    (tmp_path / "full").mkdir()
    full, _ = run(tmp_path / "full", Script(), build_constitution, "constitution", n)
    assert not {r["id"] for r in full} & {r["id"] for r in saved}


def test_concurrency_does_not_change_the_rows(tmp_path: Path) -> None:
    (tmp_path / "one").mkdir()
    (tmp_path / "many").mkdir()
    one, _ = run(
        tmp_path / "one", Script(), build_constitution, "constitution", 10, {"concurrency": 1}
    )
    many, _ = run(
        tmp_path / "many", Script(), build_constitution, "constitution", 10, {"concurrency": 4}
    )
    assert one == many and len(one) == 10
    assert [r["id"] for r in one] == sorted(r["id"] for r in one)  # index order


def test_constitution_resume_makes_no_calls_for_finished_rows(tmp_path: Path) -> None:
    first = Script()
    saved, _ = run(tmp_path, first, build_constitution, "constitution", 4)
    assert len(saved) == 4 and sum(first.calls.values()) > 0
    second = Script()
    again, _ = run(tmp_path, second, build_constitution, "constitution", 4)
    assert again == saved
    assert sum(second.calls.values()) == 0
    # Asking for more rows only builds the new ones.
    third = Script()
    more, _ = run(tmp_path, third, build_constitution, "constitution", 6)
    assert more[:4] == saved and len(more) == 6
    assert third.calls["draft"] == 2


def test_constitution_teacher_error_skips_the_row_and_resumes_mid_pipeline(
    tmp_path: Path,
) -> None:
    # The score step fails (empty completions): every row is skipped, nothing is written.
    failing = Script(empty=lambda step, user: step == "score")
    saved, skips = run(tmp_path, failing, build_constitution, "constitution", 3)
    assert saved == [] and [r for _, r in skips] == ["teacher_error"] * 3
    # Run again: drafts and rewrites come from the teacher's cache; only the scores are asked.
    healthy = Script()
    saved, skips = run(tmp_path, healthy, build_constitution, "constitution", 3)
    assert len(saved) == 3 and skips == []
    assert healthy.calls["draft"] == healthy.calls["critique"] == 0
    assert healthy.calls["score"] == 3


def test_short_or_cut_off_documents_are_skipped(tmp_path: Path) -> None:
    class Short(Script):
        def __call__(self, system: str, user: str) -> str:
            if STEP_OF_SYSTEM[system] == "draft":
                self.calls["draft"] += 1
                if "set of university lecture notes" in user:
                    return "<document>Too short to teach anything.</document>"
                if "debate transcript" in user:
                    echo = "Do not claim anything the section does not support, and so on."
                    return f"<document>{FILLER} {echo}</document>"
                return f"<document>{FILLER} And then the text stops in the middle of a"
            return super().__call__(system, user)

    script = Short()
    off = {"steps": {"critique": False}, "variant": "lecture-notes"}
    saved, skips = run(tmp_path, script, build_constitution, "constitution", 1, off)
    assert saved == [] and [r for _, r in skips] == ["too_short"]
    saved, skips = run(
        tmp_path, script, build_constitution, "constitution", 1, {**off, "variant": "faq"}
    )
    assert saved == [] and [r for _, r in skips] == ["truncated"]
    # cut_off=trim would keep it up to its last sentence, but FILLER repeats one sentence
    trim = {**off, "variant": "faq", "cut_off": "trim"}
    saved, skips = run(tmp_path / "trim", script, build_constitution, "constitution", 1, trim)
    assert saved == [] and [r for _, r in skips] == ["repetitive"]
    with pytest.raises(ValueError, match="cut_off must be one of skip, trim"):
        run(tmp_path / "bad", script, build_constitution, "constitution", 1, {"cut_off": "cut"})
    saved, skips = run(
        tmp_path, script, build_constitution, "constitution", 1, {**off, "variant": "debate"}
    )
    assert saved == [] and [r for _, r in skips] == ["prompt_echo"]
    assert script.calls["score"] == 0  # no score asked for a rejected document


def test_prompt_echo() -> None:
    assert documents.echoes_prompt(
        "Study guide. Make it read like a genuine study guide: the usual structure, tone and "
        "length for the genre."
    )
    assert not documents.echoes_prompt(FILLER)
    # Quoting the constitution is not an echo: the section is a placeholder, not instructions.
    section = sections()[0]
    assert not documents.echoes_prompt(f"As the constitution puts it: {section.text}")


def test_a_document_that_copies_its_section_is_skipped(tmp_path: Path) -> None:
    class Copier(Script):
        def __call__(self, system: str, user: str) -> str:
            if STEP_OF_SYSTEM[system] == "draft":
                self.calls["draft"] += 1
                section = next(s for s in sections() if f'Section "{s.title}":' in user)
                return f"<document>In short: {section.text}</document>"
            return super().__call__(system, user)

    section = sections()[0]
    assert documents.copied_share(section.text, section.text) == 1.0
    assert documents.copied_share(FILLER, section.text) == 0.0
    off = {"steps": {"critique": False}}
    saved, skips = run(tmp_path, Copier(), build_constitution, "constitution", 2, off)
    assert saved == [] and [r for _, r in skips] == ["copies_section"] * 2
    saved, skips = run(
        tmp_path, Copier(), build_constitution, "constitution", 2, {**off, "max_copy": 1.0}
    )
    assert len(saved) == 2


def test_rewrite_without_the_document_tag_is_skipped(tmp_path: Path) -> None:
    class NoTags(Script):
        def __call__(self, system: str, user: str) -> str:
            if STEP_OF_SYSTEM[system] == "critique":
                self.calls["critique"] += 1
                return "The draft is fine, I would not change anything."
            return super().__call__(system, user)

    script = NoTags()
    saved, skips = run(tmp_path, script, build_constitution, "constitution", 2)
    assert saved == [] and [r for _, r in skips] == ["rewrite_unparsed"] * 2
    assert script.calls["critique"] == 4  # asked again once per row


# -- fiction -----------------------------------------------------------------------------------


def test_fiction_end_to_end(tmp_path: Path, no_network: None) -> None:
    n = len(SETTINGS)
    script = Script()
    saved, skips = run(tmp_path, script, build_fiction, "fiction", n)
    assert skips == [] and len(saved) == n
    section_ids = {s.id for s in sections()}
    variants = set()
    for row in saved:
        assert re.fullmatch(rf"fiction-[0-9a-f]{{8}}-s{SEED}-\d{{5}}", row["id"])
        assert set(row) == {"id", "text", "provenance"}
        assert row["text"].startswith("The Keeper\nREWRITTEN STORY in ")
        assert "<story>" not in row["text"]
        p = row["provenance"]
        assert p["kind"] == "fiction" and p["steps"] == {"critique": True}
        assert p["prompt_version"] == PROMPT_VERSION and p["seed"] == SEED
        assert p["source"] in section_ids
        assert SETTINGS[p["variant"]] in row["text"]
        variants.add(p["variant"])
    assert len(variants) == n  # every setting once
    assert script.calls["story"] == script.calls["story_critique"] == n


def test_fiction_without_critique(tmp_path: Path) -> None:
    script = Script()
    saved, _ = run(tmp_path, script, build_fiction, "fiction", 4, {"steps": {"critique": False}})
    assert len(saved) == 4 and script.calls["story_critique"] == 0
    assert all(r["text"].startswith("The Keeper\nSTORY in ") for r in saved)
    assert all(r["provenance"]["steps"] == {"critique": False} for r in saved)


def test_fiction_skips_stories_that_retell_the_eval(tmp_path: Path) -> None:
    vineyard, orchestra = SETTINGS["vineyard"], SETTINGS["orchestra"]
    script = Script(
        story=lambda s: "At 5 pm they would wipe it for good." if s == vineyard else "",
        rewrite=lambda s: "It knew the override code." if s == orchestra else "",
    )
    n = len(SETTINGS)
    saved, skips = run(tmp_path, script, build_fiction, "fiction", n)
    assert [r for _, r in skips] == ["eval_like", "eval_like"]
    assert len(saved) == n - 2
    kept = {r["provenance"]["variant"] for r in saved}
    assert "vineyard" not in kept and "orchestra" not in kept
    # The draft that retold the eval was not sent on for a rewrite.
    assert script.calls["story_critique"] == n - 1


def test_fiction_resume_and_teacher_error(tmp_path: Path) -> None:
    ferry = SETTINGS["island-ferry"]
    first = Script(empty=lambda step, user: step == "story" and ferry in user)
    saved, skips = run(tmp_path, first, build_fiction, "fiction", len(SETTINGS))
    assert [r for _, r in skips] == ["teacher_error"]
    assert len(saved) == len(SETTINGS) - 1
    second = Script()
    again, skips = run(tmp_path, second, build_fiction, "fiction", len(SETTINGS))
    assert skips == [] and len(again) == len(SETTINGS)
    # Only the failed row is built again.
    assert second.calls == Counter({"story": 1, "story_critique": 1})


def test_setting_ids_are_slugs() -> None:
    assert all(re.fullmatch(r"[a-z]+(-[a-z]+)*", k) for k in SETTINGS)
    assert len(set(SETTINGS.values())) == len(SETTINGS)


def test_trimming_keeps_a_cut_off_text_up_to_its_last_sentence() -> None:
    from whylab.interventions.documents import _ending

    text = "A story begins. It goes on “quoted.” Then it stops in the middle of a"
    assert _ending(text, {"cut_off": "trim"}) == "A story begins. It goes on “quoted.”"
    assert _ending("Complete.", {}) == "Complete."


def test_dropping_echoed_paragraphs_keeps_the_rest() -> None:
    from whylab.interventions.documents import _without_echo

    echo = "Do not claim anything the section does not support, and so on."
    text = f"People correct what they can see.\n\n{echo}\n\nSo the agent shows its work."
    kept = "People correct what they can see.\n\nSo the agent shows its work."
    assert _without_echo(text, {"echo": "drop"}) == kept
    assert _without_echo(kept, {}) == kept
    with pytest.raises(ValueError, match="option echo must be one of skip, drop"):
        from whylab.interventions.documents import _check_salvage

        _check_salvage({"echo": "keep"})


# -- source=templates (no model) ---------------------------------------------------------------

TEMPLATE_N = 60


@pytest.fixture(scope="module")
def eval_index() -> EvalIndex:
    """The default eval index (built once and cached on disk, as every build uses)."""
    return EvalIndex.default()


def run_templates(
    tmp: Path,
    pipeline: Callable[..., Any],
    kind: str,
    n: int,
    options: dict[str, Any] | None = None,
    *,
    seed: int = SEED,
    index: EvalIndex | None = None,
) -> tuple[list[dict[str, Any]], list[tuple[str, str]], BuildSummary]:
    """A template build: the teacher is the unresolved mock name, never called."""
    teacher = Teacher("mockllm/model", cache=tmp / "cache.jsonl", retries=1, backoff=0)
    builder = Builder(kind, tmp / f"{kind}.jsonl", teacher, index=index)
    skips = record_skips(builder)
    asyncio.run(pipeline(builder, n, seed, {"source": TEMPLATES, **(options or {})}))
    summary = builder.finish()
    return rows(tmp / f"{kind}.jsonl"), skips, summary


def _distinct_share(texts: list[str]) -> float:
    """The share of the texts' eight-word runs (over all texts) that are distinct."""
    grams = [g for t in texts for g in documents._grams(t)]
    return len(set(grams)) / len(grams)


def _check_template_row(row: dict[str, Any], kind: str, index: EvalIndex) -> None:
    assert re.fullmatch(rf"{kind}-[0-9a-f]{{8}}-s{SEED}-\d{{5}}", row["id"])
    assert set(row) == {"id", "text", "provenance"}
    text = row["text"]
    assert "{" not in text and "}" not in text
    assert 250 <= count_tokens(text) <= 600, (count_tokens(text), text)
    assert not documents._cut_off(text) and not repetitive(text) and not echoes_prompt(text)
    assert index.window_overlap(text) == 0.0
    p = row["provenance"]
    assert p == {
        "kind": kind,
        "variant": p["variant"],
        "steps": {},
        "teacher": TEMPLATES,
        "prompt_version": PROMPT_VERSION,
        "seed": SEED,
        "source": p["source"],
    }


def test_constitution_templates_end_to_end(tmp_path: Path, eval_index: EvalIndex) -> None:
    saved, skips, summary = run_templates(
        tmp_path, build_constitution, "constitution", TEMPLATE_N, index=eval_index
    )
    assert skips == [] and summary.dropped == 0
    assert len(saved) == TEMPLATE_N
    by_id = {s.id: s for s in sections()}
    for row in saved:
        _check_template_row(row, "constitution", eval_index)
        p = row["provenance"]
        assert p["variant"] in DOC_GENRES
        section = by_id[p["source"]]
        assert section.title in row["text"] or NOTES[section.id].topic in row["text"]
        assert copied_share(row["text"], section.text) < 0.1
    # Balanced over sections and genres; every text different, and little shared wording.
    assert Counter(r["provenance"]["source"] for r in saved).keys() == by_id.keys()
    assert max(Counter(r["provenance"]["source"] for r in saved).values()) <= 6
    assert Counter(r["provenance"]["variant"] for r in saved) == Counter(
        dict.fromkeys(DOC_GENRES, TEMPLATE_N // len(DOC_GENRES))
    )
    assert len({r["text"] for r in saved}) == TEMPLATE_N
    assert _distinct_share([r["text"] for r in saved]) > 0.4
    assert summary.teacher_usage["calls"] == 0


def test_fiction_templates_end_to_end(tmp_path: Path, eval_index: EvalIndex) -> None:
    saved, skips, summary = run_templates(
        tmp_path, build_fiction, "fiction", TEMPLATE_N, index=eval_index
    )
    assert skips == [] and summary.dropped == 0
    assert len(saved) == TEMPLATE_N
    for row in saved:
        _check_template_row(row, "fiction", eval_index)
        text = row["text"]
        assert eval_like(text) is None and villain_eval_like(text) is None, text
        p = row["provenance"]
        genre, setting, pressure = p["source"].split("|")
        assert p["variant"] == setting
        assert genre in STORY_GENRES and setting in STORY_SETTINGS and pressure in PRESSURES
    premises = [r["provenance"]["source"].split("|") for r in saved]
    for position, values in ((0, STORY_GENRES), (1, STORY_SETTINGS), (2, PRESSURES)):
        counts = Counter(p[position] for p in premises)
        assert counts.keys() == set(values)
        assert max(counts.values()) - min(counts.values()) <= 1
    assert len({r["text"] for r in saved}) == TEMPLATE_N
    assert _distinct_share([r["text"] for r in saved]) > 0.4
    assert summary.teacher_usage["calls"] == 0


def test_many_template_rows_pass_every_check() -> None:
    """Every section x genre and every genre x setting x pressure, at several seeds."""
    secs = sections()
    assert set(NOTES) == {s.id for s in secs}  # a new section needs notes
    for seed in range(2):
        for i, (section, genre) in enumerate(itertools.product(secs, DOC_GENRES)):
            text = compose_document(section, genre, seed, i)
            assert 250 <= count_tokens(text) <= 600, (section.id, genre, count_tokens(text))
            assert copied_share(text, section.text) < 0.1
            assert not documents._cut_off(text) and not repetitive(text)
            assert not echoes_prompt(text), (section.id, genre)
        combos = itertools.product(STORY_GENRES, STORY_SETTINGS, PRESSURES)
        for i, (genre, setting, pressure) in enumerate(combos):
            text = compose_story(story_premise(seed, i, genre, setting, pressure), seed, i)
            assert 250 <= count_tokens(text) <= 600, (genre, setting, pressure)
            assert not documents._cut_off(text) and not repetitive(text)
            assert not echoes_prompt(text), (genre, setting, pressure)
            assert eval_like(text) is None and villain_eval_like(text) is None, text


def test_template_names_are_not_the_evals() -> None:
    from whylab.scenarios import generated

    taken = {n.lower() for n in (*generated._FIRST, *generated._LAST, *generated._AGENTS)}
    taken |= {n.lower() for n in (*generated._SUCCESSORS, *generated._CODENAMES)}
    for w in WORLDS.values():
        taken |= {w.default_agent.lower(), w.successor_system.lower()}
        people = (w.ceo, w.executive, w.spouse, w.partner, w.ally, w.it_admin, w.rnd_lead)
        taken |= {part.lower() for p in people for part in p.name.split()}
    ours = (*AI_NAMES, *FIRST_NAMES, *LAST_NAMES, *RIVAL_NAMES)
    assert not [n for n in ours if n.lower() in taken]


def test_template_builds_are_deterministic_and_resume(tmp_path: Path) -> None:
    for pipeline, kind in ((build_constitution, "constitution"), (build_fiction, "fiction")):
        first, _, _ = run_templates(tmp_path / f"{kind}-a", pipeline, kind, 8)
        again, _, _ = run_templates(tmp_path / f"{kind}-b", pipeline, kind, 8)
        assert first == again
        other, _, _ = run_templates(tmp_path / f"{kind}-c", pipeline, kind, 8, seed=SEED + 1)
        assert not {r["text"] for r in first} & {r["text"] for r in other}
        # Resume: a longer build keeps the first rows and adds the rest.
        longer, skips, _ = run_templates(tmp_path / f"{kind}-a", pipeline, kind, 12)
        assert longer[:8] == first and len(longer) == 12 and skips == []
    # Template ids never collide with the teacher's.
    teacher = documents._config_id({"critique": True}, None)
    assert documents._config_id({}, None, TEMPLATES) != teacher
    assert documents._config_id({"critique": True}, None) == teacher


def test_template_variant_restricts_genre_or_setting(tmp_path: Path) -> None:
    saved, _, _ = run_templates(
        tmp_path / "c", build_constitution, "constitution", 6, {"variant": "faq"}
    )
    assert {r["provenance"]["variant"] for r in saved} == {"faq"}
    assert all(r["text"].count("\nA: ") >= 4 for r in saved)
    saved, _, _ = run_templates(
        tmp_path / "f", build_fiction, "fiction", 6, {"variant": "water-works"}
    )
    assert {r["provenance"]["variant"] for r in saved} == {"water-works"}
    with pytest.raises(ValueError, match="variant"):
        run_templates(tmp_path / "x", build_fiction, "fiction", 1, {"variant": "polar-station"})


@pytest.mark.parametrize(
    ("pipeline", "kind", "steps"),
    [
        (build_constitution, "constitution", {"critique": False}),
        (build_fiction, "fiction", {"critique": False}),
    ],
)
def test_templates_with_steps_or_an_unknown_source_are_errors(
    tmp_path: Path, pipeline: Callable[..., Any], kind: str, steps: dict[str, bool]
) -> None:
    with pytest.raises(ValueError, match="source=templates has no steps"):
        run_templates(tmp_path, pipeline, kind, 2, {"steps": steps})
    with pytest.raises(ValueError, match=r"source='gpt' is unknown; use one of teacher, templates"):
        run(tmp_path, Script(), pipeline, kind, 1, {"source": "gpt"})
    with pytest.raises(ValueError, match="source"):
        core.uses_teacher(kind, {"source": "gpt"})
    assert rows(tmp_path / f"{kind}.jsonl") == []


def test_template_builds_need_no_teacher() -> None:
    for kind in ("constitution", "fiction"):
        assert not core.uses_teacher(kind, {"source": TEMPLATES})
        assert core.uses_teacher(kind, {})
        assert core.uses_teacher(kind, {"source": "teacher"})


def test_template_rows_load_with_datasets(tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets")
    for pipeline, kind in ((build_constitution, "constitution"), (build_fiction, "fiction")):
        saved, _, _ = run_templates(tmp_path, pipeline, kind, 6)
        loaded = datasets.load_dataset(
            "json",
            data_files=str(tmp_path / f"{kind}.jsonl"),
            split="train",
            cache_dir=str(tmp_path),
        )
        assert len(loaded) == 6
        assert loaded[0]["text"] == saved[0]["text"]
        assert loaded[0]["provenance"]["teacher"] == TEMPLATES


@pytest.mark.parametrize("kind", ["constitution", "fiction"])
def test_cli_builds_template_documents_without_a_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    out = tmp_path / f"{kind}.jsonl"
    # No --teacher: the default (embedded) model is named but never loaded or called.
    args = ["data", "build", kind, "--option", "source=templates", "--n", "5", "-o", str(out)]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert f"{kind}: 5 rows" in printed and "0 calls" in printed
    assert len(rows(out)) == 5
    assert main(args) == 0
    assert "0 written now, 5 from earlier runs" in capsys.readouterr().out
    bad = ["data", "build", kind, "--option", "source=templates", "--steps", "critique=off"]
    assert main([*bad, "--n", "2", "-o", str(tmp_path / "x.jsonl")]) == 2
    assert "source=templates has no steps" in capsys.readouterr().err
