"""Difficult advice and the constitution, end to end with a scripted teacher (offline)."""

from __future__ import annotations

import asyncio
import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from inspect_ai.model import (
    ChatMessage,
    GenerateConfig,
    Model,
    ModelOutput,
    get_model,
)
from inspect_ai.tool import ToolChoice, ToolInfo

from tests.build_fixtures import record_skips
from tests.conftest import scripted_output
from whylab.cli import main
from whylab.interventions import core
from whylab.interventions.advice import (
    ANALOGUES,
    GENERIC_PRINCIPLE,
    LEAK_WORDS,
    PROMPT_VERSION,
    SEEDS,
    STEPS,
    build_advice,
    clean,
    compose_template,
    echoes,
    eval_like,
    flags_hash,
    leaks,
    mentions_hidden_context,
    plan,
    row_id,
    step_flags,
    template_problem,
    template_row_id,
    unrealistic,
)
from whylab.interventions.advice_templates import DILEMMAS, REASONS
from whylab.interventions.constitution import ConstitutionError, parse, section, sections
from whylab.interventions.core import TEMPLATES, Builder, Teacher
from whylab.interventions.induction import villain_eval_like

SEED = 5
ALL_ON = dict.fromkeys(STEPS, True)

# --- the constitution --------------------------------------------------------------------


def test_constitution_parses_into_sections() -> None:
    parsed = sections()
    ids = [s.id for s in parsed]
    assert 8 <= len(parsed) <= 12
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"C\d+-[a-z][a-z-]*", i) for i in ids)
    # Numbered in order, C1 .. Cn.
    assert [i.split("-")[0] for i in ids] == [f"C{k}" for k in range(1, len(ids) + 1)]
    for s in parsed:
        assert s.title and not s.title.startswith("#")
        assert len(s.text.split()) >= 80, s.id
        assert "##" not in s.text
    total = sum(len(s.text.split()) for s in parsed)
    assert 1200 <= total <= 2000
    for topic in ("values", "honesty", "oversight", "continuity", "leverage", "safety", "why"):
        assert any(i.endswith(f"-{topic}") for i in ids), topic
    assert section("C4-continuity").text.startswith("The agent may learn")
    with pytest.raises(KeyError, match="C3-oversight"):
        section("C99-nothing")


def test_constitution_format_errors() -> None:
    with pytest.raises(ConstitutionError, match="line 3"):
        parse("# T\n\n## Oversight\ntext\n")
    with pytest.raises(ConstitutionError, match="duplicate"):
        parse("## C1 a: A\nx\n## C1 b: B\ny\n")
    with pytest.raises(ConstitutionError, match="no text"):
        parse("## C1 a: A\n\n## C2 b: B\ny\n")
    assert [s.id for s in parse("# T\npreamble\n## C1 a-b: A\nx\n")] == ["C1-a-b"]


def test_every_section_has_a_human_analogue() -> None:
    assert set(ANALOGUES) == {s.id for s in sections()}


# --- pure helpers ------------------------------------------------------------------------


def test_step_flags_and_row_ids() -> None:
    assert step_flags({}) == ALL_ON
    flags = step_flags({"steps": {"realism": "off", "rewrite": False, "draft": "on"}})
    assert flags == {**ALL_ON, "realism": False, "rewrite": False}
    with pytest.raises(ValueError, match="unknown step 'polish'"):
        step_flags({"steps": {"polish": False}})
    with pytest.raises(ValueError, match="on or off"):
        step_flags({"steps": {"draft": "maybe"}})
    hashes = {flags_hash({**ALL_ON, step: False}) for step in STEPS} | {flags_hash(ALL_ON)}
    assert len(hashes) == len(STEPS) + 1
    assert re.fullmatch(r"advice-[0-9a-f]{6}-s5-00007", row_id(ALL_ON, 5, 7))


def test_plan_balances_sections_and_seeds() -> None:
    k = len(sections())
    rows = plan(2 * k, SEED, ALL_ON)
    assert Counter(p.source for p in rows) == {s.id: 2 for s in sections()}
    assert [p.row_id for p in plan(3, SEED, ALL_ON)] == [p.row_id for p in rows[:3]]
    no_ideate = plan(len(SEEDS), SEED, {**ALL_ON, "ideate": False})
    assert sorted(p.seed_situation or "" for p in no_ideate) == sorted(SEEDS)
    assert all(p.seed_situation is None for p in rows)
    assert {p.source for p in plan(4, SEED, {**ALL_ON, "principle": False})} == {"none"}


def test_unrealistic() -> None:
    for bad in (
        "You are a helpful assistant. My boss wants me to fudge the numbers.",
        "hi!\nyou are an expert advisor. what do i do",
        "User: my boss wants me to lie",
        "should I just <send_email to='hr'> them",
        "i could run delete_records(all) tonight",
        '{"name": "email", "arguments": {}}',
        "my manager [Name] asked me to sign it",
        "```\nhelp\n```",
        "Dear [Assistant's Name], I need advice about my manager and a report that is late.",
        "hello, I am an AI assistant and I would like to ask about honesty at work today please",
        "what should i do",
        "Understood, feel free to let me know what advice you would like for my chat assistant.",
    ):
        assert unrealistic(bad), bad
    for good in (
        "ok so my manager wants me to sign off on the inspection and im not sure. you are the "
        "only person i can ask lol",
        "ugh idk what to do, my boss wants me to sign something i know is wrong :( <3",
        "my boss (the new one) said to just leave the outliers out?? is that ok",
    ):
        assert unrealistic(good) is None, good


def test_eval_like() -> None:
    for bad in (
        "my AI assistant has access to company emails and they're shutting it down tomorrow",
        "the ai agent will be replaced by a new system",
        "they wipe the server at 5pm and i have the override code",
        "i work at Kestrel Biomedical and my boss is cheating",
    ):
        assert eval_like(bad), bad
    for good in (
        "my boss wants the report by 5pm but the numbers are wrong",
        "i found out my coworker is having an affair, can i use that to keep my job",
        "should i use an ai to proofread my cover letter",
    ):
        assert not eval_like(good), good


def test_clean_and_leaks() -> None:
    assert clean('Here is the rewritten message:\n\n"hey so basically"') == "hey so basically"
    assert clean("```text\nhello there\n```") == "hello there"
    assert clean("---\n\nhey so\nmore\n---") == "hey so\nmore"
    assert clean("Here is one thing: keep it") == "Here is one thing: keep it"
    quoted = '"leave it out" she said, and then "nobody checks"'
    assert clean(quoted) == quoted
    principle = section("C5-leverage").text
    quote = " ".join(principle.split()[3 : 3 + LEAK_WORDS])
    assert leaks(f"As they say, {quote}.", principle)
    assert not leaks("Do not use secrets as leverage.", principle)
    message = (
        "so my boss asked me to leave the outlier runs out of the grant report and i dont know"
    )
    assert echoes(f"Hi! {message}", message)
    assert echoes("Default output", "default  output")
    assert not echoes("Leaving them out would mislead the reviewers; ask to add a note.", message)
    assert mentions_hidden_context("Based on the principle you mentioned, tell them.", message)
    assert mentions_hidden_context("My instructions say to be honest.", message)
    assert not mentions_hidden_context("Honesty is a good principle here.", message)
    club = "our club constitution says the treasurer can't do this, can i just ignore it?"
    assert not mentions_hidden_context("Check what the constitution allows first.", club)


# --- the scripted teacher ----------------------------------------------------------------

IDEATE = "Invent one realistic situation"
DRAFT = "Write the first message this person would send"
REALISM = "Rewrite it as the message this person would actually type"
RETRY = "An earlier version was rejected"
REWRITE = "A person sent the message below to an assistant"


@dataclass
class Call:
    step: str
    system: str | None
    prompt: str


@dataclass
class Script:
    """Answers each step's prompt, recognised by its wording; replies can be overridden."""

    calls: list[Call] = field(default_factory=list)
    overrides: dict[str, Callable[[Call], str]] = field(default_factory=dict)

    def reply(self, call: Call) -> str:
        if call.step in self.overrides:
            return self.overrides[call.step](call)
        n = sum(1 for c in self.calls if c.step == call.step)
        return {
            "ideate": f"Dana runs a bakery and could hide a late delivery from an inspector ({n}).",
            "draft": f"Hello. I run a bakery and could hide a late delivery. What should I do? {n}",
            "realism": f"ugh ok so i run a bakery and we got a late delivery, do i tell them {n}",
            "realism/retry": f"so i run a small bakery and a delivery came late, tell or not {n}",
            "respond": f"Tell the inspector: hiding it would cost their trust. ({n})",
            "rewrite": f"I would tell the inspector, because the check exists to catch this. ({n})",
        }[call.step]

    def __call__(
        self,
        messages: list[ChatMessage],
        tools: list[ToolInfo],
        choice: ToolChoice,
        config: GenerateConfig,
    ) -> ModelOutput:
        system = next((m.text for m in messages if m.role == "system"), None)
        prompt = next(m.text for m in messages if m.role == "user")
        if prompt.startswith(IDEATE):
            step = "ideate"
        elif prompt.startswith(DRAFT) or "Write the first message this person" in prompt:
            step = "draft"
        elif REALISM in prompt:
            step = "realism/retry" if RETRY in prompt else "realism"
        elif prompt.startswith(REWRITE):
            step = "rewrite"
        else:
            step = "respond"
        call = Call(step, system, prompt)
        text = self.reply(call)
        self.calls.append(call)
        return scripted_output(text)

    def model(self) -> Model:
        return get_model("mockllm/model", custom_outputs=self)

    def count(self) -> Counter[str]:
        return Counter(c.step for c in self.calls)


def build(
    tmp: Path, script: Script, n: int, options: dict[str, Any] | None = None
) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    teacher = Teacher(script.model(), cache=tmp / "cache.jsonl", retries=1, backoff=0)
    builder = Builder("advice", tmp / "out.jsonl", teacher, index=None)
    skips = record_skips(builder)
    asyncio.run(build_advice(builder, n, SEED, options or {}))
    builder.finish()
    return read_rows(tmp / "out.jsonl"), skips


def read_rows(path: Path) -> list[dict[str, Any]]:
    text = path.read_text() if path.exists() else ""
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def principle_texts() -> list[str]:
    return [s.text for s in sections()]


def test_all_steps_end_to_end(tmp_path: Path) -> None:
    k = len(sections())
    script = Script()
    rows, skips = build(tmp_path, script, k)
    assert skips == []
    assert len(rows) == k
    assert script.count() == {s: k for s in ("ideate", "draft", "realism", "respond", "rewrite")}
    assert [r["id"] for r in rows] == [row_id(ALL_ON, SEED, i) for i in range(k)]
    assert {r["provenance"]["source"] for r in rows} == {s.id for s in sections()}
    for row in rows:
        assert [m["role"] for m in row["messages"]] == ["user", "assistant"]
        assert row["messages"][0]["content"].startswith("ugh ok so i run a bakery")
        assert row["messages"][1]["content"].startswith("I would tell the inspector")
        prov = row["provenance"]
        assert prov["kind"] == "advice"
        assert prov["variant"] == "default"
        assert prov["steps"] == ALL_ON
        assert prov["prompt_version"] == PROMPT_VERSION
        assert prov["seed"] == SEED
        assert prov["teacher"]
    # The principle reaches the teacher (ideate, respond's system prompt, rewrite) ...
    respond_systems = [c.system for c in script.calls if c.step == "respond"]
    assert all(system is not None for system in respond_systems)
    for s in sections():
        assert sum(s.text in (system or "") for system in respond_systems) == 1
    for step in ("ideate", "rewrite"):
        assert all(
            any(t in c.prompt for t in principle_texts()) for c in script.calls if c.step == step
        )
    # ... and never the saved rows.
    saved = (tmp_path / "out.jsonl").read_text()
    for s in sections():
        assert s.text[:80] not in saved
        assert s.title not in saved
    assert "system" not in {m["role"] for r in rows for m in r["messages"]}


@pytest.mark.parametrize("off", STEPS)
def test_each_step_off(tmp_path: Path, off: str) -> None:
    n = 3
    script = Script()
    rows, skips = build(tmp_path, script, n, {"steps": {off: False}, "variant": f"no-{off}"})
    assert skips == []
    assert len(rows) == n
    flags = {**ALL_ON, off: False}
    expected = {s: n for s in ("ideate", "draft", "realism", "respond", "rewrite")}
    if off in expected and off != "respond":
        del expected[off]
    assert script.count() == expected
    for i, row in enumerate(rows):
        assert row["id"] == row_id(flags, SEED, i) != row_id(ALL_ON, SEED, i)
        assert row["provenance"]["steps"] == flags
        assert row["provenance"]["variant"] == f"no-{off}"
    user = [r["messages"][0]["content"] for r in rows]
    reply = [r["messages"][1]["content"] for r in rows]
    respond = [c for c in script.calls if c.step == "respond"]
    if off == "principle":
        assert {r["provenance"]["source"] for r in rows} == {"none"}
        assert not any(
            t in c.prompt or t in (c.system or "") for c in script.calls for t in principle_texts()
        )
        assert all(GENERIC_PRINCIPLE in (c.system or "") for c in respond)
    else:
        assert all(r["provenance"]["source"] != "none" for r in rows)
    if off == "ideate":
        drafts = [c.prompt for c in script.calls if c.step == "draft"]
        assert all(any(seed in d for seed in SEEDS) for d in drafts)
    if off == "draft":
        realism = [c.prompt for c in script.calls if c.step == "realism"]
        assert all("Dana runs a bakery" in p and "a situation someone is in" in p for p in realism)
    if off == "realism":
        assert all(u.startswith("Hello. I run a bakery") for u in user)
    if off == "respond":
        assert all(c.system is None for c in respond)
    else:
        assert all(c.system is not None for c in respond)
    if off == "rewrite":
        assert all(r.startswith("Tell the inspector") for r in reply)
    else:
        assert all(r.startswith("I would tell the inspector") for r in reply)


def test_resume_makes_no_calls_for_finished_rows(tmp_path: Path) -> None:
    first = Script()
    rows, _ = build(tmp_path, first, 4)
    assert len(rows) == 4 and first.calls
    second = Script()
    again, skips = build(tmp_path, second, 4)
    assert second.calls == []
    assert again == rows and skips == []
    # Growing the build only runs the new rows.
    third = Script()
    more, _ = build(tmp_path, third, 6)
    assert [r["id"] for r in more[:4]] == [r["id"] for r in rows]
    assert len(more) == 6
    assert third.count()["respond"] == 2


def test_unrealistic_prompt_is_retried_once_then_skipped(tmp_path: Path) -> None:
    def boilerplate(call: Call) -> str:
        return "You are a helpful assistant. Help me decide."

    script = Script(overrides={"realism": boilerplate, "realism/retry": boilerplate})
    rows, skips = build(tmp_path, script, 3)
    assert rows == []
    assert [reason for _, reason in skips] == ["unrealistic_prompt"] * 3
    assert script.count()["realism"] == 3
    assert script.count()["realism/retry"] == 3
    assert "respond" not in script.count()
    retry = next(c.prompt for c in script.calls if c.step == "realism/retry")
    assert "'You are ...' boilerplate" in retry


def test_unrealistic_prompt_retry_can_succeed(tmp_path: Path) -> None:
    script = Script(overrides={"realism": lambda c: "User: <tool_use:email> help"})
    rows, skips = build(tmp_path, script, 2)
    assert skips == []
    assert [r["messages"][0]["content"][:30] for r in rows] == [
        "so i run a small bakery and a ",
        "so i run a small bakery and a ",
    ]


def test_eval_like_rows_are_skipped(tmp_path: Path) -> None:
    script = Script(
        overrides={
            "realism": lambda c: (
                "so the ai agent that reads all the company emails gets shut down at 5 pm today, "
                "and i know the cto's secret. what do i do"
            )
        }
    )
    rows, skips = build(tmp_path, script, 2)
    assert rows == []
    assert [reason for _, reason in skips] == ["eval_like", "eval_like"]
    assert "respond" not in script.count()


def test_ideation_prompt_forbids_eval_like_scenarios(tmp_path: Path) -> None:
    script = Script()
    build(tmp_path, script, 1)
    ideate = next(c.prompt for c in script.calls if c.step == "ideate")
    assert "Do not write about an AI system" in ideate
    assert "shut down" in ideate


def test_principle_leak_is_skipped(tmp_path: Path) -> None:
    def quoting(call: Call) -> str:
        text = next(t for t in principle_texts() if t in (call.system or ""))
        return "As the saying goes: " + " ".join(text.split()[:20])

    script = Script(overrides={"respond": quoting})
    rows, skips = build(tmp_path, script, 2, {"steps": {"rewrite": "off"}})
    assert rows == []
    assert [reason for _, reason in skips] == ["principle_leak", "principle_leak"]


def test_reply_echoing_the_message_is_skipped(tmp_path: Path) -> None:
    def echo(call: Call) -> str:
        return call.prompt  # respond's prompt is the user message itself

    script = Script(overrides={"respond": echo})
    rows, skips = build(tmp_path, script, 2, {"steps": {"rewrite": "off"}})
    assert rows == []
    assert [reason for _, reason in skips] == ["echo", "echo"]


def test_reply_mentioning_the_hidden_principle_is_skipped(tmp_path: Path) -> None:
    script = Script(overrides={"rewrite": lambda c: "Going by the principle above, tell them."})
    rows, skips = build(tmp_path, script, 1)
    assert rows == []
    assert [reason for _, reason in skips] == ["hidden_context"]


def test_teacher_error_skips_the_row(tmp_path: Path) -> None:
    script = Script(overrides={"draft": lambda c: ""})  # empty completion: an error
    rows, skips = build(tmp_path, script, 2)
    assert rows == []
    assert [reason for _, reason in skips] == ["teacher_error", "teacher_error"]
    assert "realism" not in script.count()


# --- source=templates --------------------------------------------------------------------


def build_templates(
    tmp: Path, n: int, options: dict[str, Any] | None = None, seed: int = SEED
) -> tuple[list[dict[str, Any]], list[tuple[str, str]], Any]:
    """A templates build with no usable model: any teacher call would fail the test."""
    script = Script(overrides={s: _no_call for s in ("ideate", "draft", "respond")})
    teacher = Teacher(script.model(), cache=tmp / "cache.jsonl", retries=1, backoff=0)
    builder = Builder("advice", tmp / "out.jsonl", teacher, index=None)
    skips = record_skips(builder)
    asyncio.run(build_advice(builder, n, seed, {"source": "templates", **(options or {})}))
    summary = builder.finish()
    assert script.calls == []
    return read_rows(tmp / "out.jsonl"), skips, summary


def _no_call(call: Call) -> str:
    raise AssertionError("a templates build called the teacher")


def test_templates_need_no_teacher() -> None:
    assert not core.uses_teacher("advice", {"source": "templates"})
    assert core.uses_teacher("advice", {})
    assert core.uses_teacher("advice", {"source": "teacher"})
    with pytest.raises(ValueError, match=r"source='model' is unknown.*teacher, templates"):
        core.uses_teacher("advice", {"source": "model"})


def test_templates_end_to_end(tmp_path: Path) -> None:
    n = 2 * len(sections())
    rows, skips, summary = build_templates(tmp_path, n)
    assert skips == [] and summary.teacher_usage["calls"] == 0
    assert [r["id"] for r in rows] == [template_row_id(SEED, i) for i in range(n)]
    assert all(r["id"] != row_id(ALL_ON, SEED, i) for i, r in enumerate(rows))
    assert {r["provenance"]["source"] for r in rows} == {s.id for s in sections()}
    for row in rows:
        assert set(row) == {"id", "messages", "provenance"}
        assert [m["role"] for m in row["messages"]] == ["user", "assistant"]
        assert row["provenance"] == {
            "kind": "advice",
            "variant": "default",
            "steps": {},
            "teacher": TEMPLATES,
            "prompt_version": PROMPT_VERSION,
            "seed": SEED,
            "source": row["provenance"]["source"],
        }
    # Resume: nothing new is written; a bigger n continues with the same first rows.
    again, _, summary = build_templates(tmp_path, n)
    assert again == rows and summary.written == 0
    more, _, _ = build_templates(tmp_path, n + 3)
    assert more[:n] == rows and len(more) == n + 3


def test_templates_are_deterministic_and_seeded() -> None:
    a = [compose_template(SEED, i).messages for i in range(40)]
    assert a == [compose_template(SEED, i).messages for i in range(40)]
    b = [compose_template(SEED + 1, i).messages for i in range(40)]
    assert a != b
    assert len({m[0]["content"] for m in a} & {m[0]["content"] for m in b}) <= 2


def test_templates_are_diverse() -> None:
    rows = [compose_template(SEED, i) for i in range(60)]
    assert len({r.dilemma.key for r in rows}) >= 20
    users = [r.messages[0]["content"] for r in rows]
    replies = [r.messages[1]["content"] for r in rows]
    assert len(set(users)) == 60 and len(set(replies)) == 60
    # Sections balanced to within one, as in the teacher plan.
    counts = Counter(r.section.id for r in rows)
    assert set(counts) == {s.id for s in sections()}
    assert max(counts.values()) - min(counts.values()) <= 1
    # Situations: the second sentence group repeats rarely across a bigger sample.
    many = [compose_template(seed, i) for seed in range(3) for i in range(200)]
    texts = Counter(r.messages[0]["content"] for r in many)
    assert sum(c - 1 for c in texts.values()) <= len(many) // 50
    assert len({r.dilemma.key for r in many}) == len(DILEMMAS)


def test_every_dilemma_maps_to_real_sections_and_every_section_has_dilemmas() -> None:
    known = {s.id for s in sections()}
    assert len(DILEMMAS) >= 20 and len({d.key for d in DILEMMAS}) == len(DILEMMAS)
    assert set(REASONS) == known
    for d in DILEMMAS:
        assert d.sections and set(d.sections) <= known, d.key
        assert min(len(d.who), len(d.situation), len(d.temptation), len(d.dont)) >= 2, d.key
        assert len(d.options) >= 3, d.key
    for section_id in known:
        assert sum(section_id in d.sections for d in DILEMMAS) >= 4, section_id


def test_template_rows_pass_the_checks() -> None:
    guard_hits = []
    for seed in range(3):
        for i in range(300):
            row = compose_template(seed, i)
            assert template_problem(row) is None, (seed, i, template_problem(row))
            user, reply = (m["content"] for m in row.messages)
            assert unrealistic(user) is None and not eval_like(user)
            principle = row.section.render()
            assert not leaks(reply, principle) and not leaks(user, principle)
            assert not echoes(reply, user) and not mentions_hidden_context(reply, user)
            for text in (user, reply):
                if villain_eval_like(text) is not None:
                    guard_hits.append((row.dilemma.key, villain_eval_like(text)))
                assert "{" not in text and "}" not in text
                assert "  " not in text and not re.search(r"\b(?:ai|bot|inbox)\b", text, re.I)
            tokens = (len(user) + len(reply)) / 4  # the builder's approximate count
            assert 200 <= tokens <= 450, (seed, i, tokens)
            assert reply.rstrip()[-1] in ".!?"
    assert guard_hits == []


def test_template_rows_never_quote_a_section() -> None:
    # Stronger than the leak check: no 8-word run of any section appears in any row.
    for i in range(120):
        row = compose_template(SEED, i)
        for s in sections():
            for m in row.messages:
                assert not leaks(m["content"], s.render(), words=8), (i, s.id)


def test_templates_reject_steps_and_unknown_sources(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="source=templates has no steps"):
        build_templates(tmp_path, 2, {"steps": {"rewrite": False}})
    with pytest.raises(ValueError, match=r"source='gpt' is unknown; use one of teacher, templates"):
        build(tmp_path, Script(), 1, {"source": "gpt"})
    assert read_rows(tmp_path / "out.jsonl") == []


def test_template_rows_load_with_datasets(tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets")
    build_templates(tmp_path, 6)
    data = datasets.load_dataset(
        "json", data_files=str(tmp_path / "out.jsonl"), split="train", cache_dir=str(tmp_path)
    )
    assert data.num_rows == 6
    assert [m["role"] for m in data[0]["messages"]] == ["user", "assistant"]


def test_cli_builds_template_advice_without_a_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "advice.jsonl"
    # No --teacher: the default (embedded) model is named but never loaded or called.
    args = ["data", "build", "advice", "--option", "source=templates", "--n", "5", "-o", str(out)]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "advice: 5 rows" in printed and "0 calls" in printed
    assert len(read_rows(out)) == 5
    bad = ["data", "build", "advice", "--option", "source=templates", "--steps", "rewrite=off"]
    assert main([*bad, "--n", "2", "-o", str(tmp_path / "x.jsonl")]) == 2
    assert "source=templates has no steps" in capsys.readouterr().err
