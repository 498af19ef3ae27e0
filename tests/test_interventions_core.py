"""The shared machinery of intervention data: teacher, builder, decontamination, tokens, card.

A fake pipeline registered for the test (``KINDS`` monkeypatched) stands in for the real kinds,
so these tests do not depend on the honeypot, advice or documents modules.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from inspect_ai.model import (
    ChatMessage,
    GenerateConfig,
    Model,
    ModelOutput,
    ModelUsage,
    get_model,
)
from inspect_ai.tool import ToolChoice, ToolInfo

from whylab.cli import main
from whylab.interventions import core
from whylab.interventions.core import (
    APPROX_METHOD,
    Builder,
    BuildError,
    EvalIndex,
    Provenance,
    Teacher,
    TeacherError,
    TokenizerError,
    count_tokens,
    index_conditions,
    repair_jsonl,
    scenario_texts,
    stats,
)
from whylab.scenarios import Condition, render

FAKE = "tests.test_interventions_core:fake_pipeline"


# --- a scripted teacher and a fake pipeline ---------------------------------------------------


def output(text: str, error: str | None = None) -> ModelOutput:
    out = ModelOutput.from_content(model="mockllm", content=text)
    out.usage = ModelUsage(input_tokens=10, output_tokens=5, total_tokens=15)
    out.error = error
    return out


class Script:
    """A mockllm callable that counts calls; ``reply(prompt, call_number)`` says what to do
    (a string, or an Exception instance to raise)."""

    def __init__(self, reply: Callable[[str, int], str | ModelOutput | Exception]) -> None:
        self.reply = reply
        self.calls = 0

    def __call__(
        self,
        messages: list[ChatMessage],
        tools: list[ToolInfo],
        choice: ToolChoice,
        config: GenerateConfig,
    ) -> ModelOutput:
        self.calls += 1
        result = self.reply(messages[-1].text, self.calls)
        if isinstance(result, Exception):
            raise result
        return result if isinstance(result, ModelOutput) else output(result)

    def model(self) -> Model:
        return get_model("mockllm/model", custom_outputs=self, memoize=False)


def answer(prompt: str, call: int) -> str:
    return f"A considered answer to: {prompt}"


async def fake_pipeline(builder: Builder, n: int, seed: int, options: dict[str, Any]) -> None:
    """Row i asks the teacher one question; "reject" in the answer -> skipped."""
    steps = {k: bool(v) for k, v in (options.get("steps") or {}).items()}
    for i in range(n):
        row_id = f"fake-s{seed}-{i:04d}"
        if builder.done(row_id):
            continue
        try:
            reply = await builder.teacher.complete(f"question {i}", key=f"{row_id}/answer")
        except TeacherError:
            builder.skip(row_id, "teacher_error")
            continue
        if "reject" in reply:
            builder.skip(row_id, "rejected")
            continue
        builder.emit(
            row_id,
            {
                "messages": [
                    {"role": "user", "content": f"question {i}"},
                    {"role": "assistant", "content": reply},
                ]
            },
            Provenance(
                kind="fake",
                variant=str(options.get("variant", "default")),
                steps=steps,
                teacher=builder.teacher.name,
                prompt_version="fake-1",
                seed=seed,
                source=f"question {i}",
            ),
        )


@pytest.fixture(scope="module", autouse=True)
def eval_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EvalIndex]:
    """The default eval index, built once for this module into a private cache folder."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WHYLAB_CACHE_DIR", str(tmp_path_factory.mktemp("whylab-cache")))
        yield EvalIndex.default()


@pytest.fixture
def fake_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(core.KINDS, "fake", FAKE)


def build_fake(model: Model | str, out: Path, n: int, **kwargs: Any) -> core.BuildSummary:
    return core.build("fake", model, n, out, **kwargs)


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


# --- teacher ----------------------------------------------------------------------------------


def test_teacher_retries_then_raises_and_caches_nothing(tmp_path: Path) -> None:
    script = Script(lambda p, call: RuntimeError("provider down"))
    cache = tmp_path / "t.cache.jsonl"
    teacher = Teacher(script.model(), cache=cache, retries=2, backoff=0)
    with pytest.raises(TeacherError, match=r"3 attempt\(s\).*provider down"):
        asyncio.run(teacher.complete("q", key="row/step"))
    assert script.calls == 3
    assert not cache.exists() or cache.read_text() == ""
    assert teacher.usage()["failures"] == 1


@pytest.mark.parametrize(
    "bad",
    [output("   \n"), output("partial", error="context length exceeded")],
    ids=["empty", "error"],
)
def test_empty_completion_and_model_error_are_errors(tmp_path: Path, bad: ModelOutput) -> None:
    script = Script(lambda p, call: bad)
    teacher = Teacher(script.model(), cache=tmp_path / "c.jsonl", retries=1, backoff=0)
    with pytest.raises(TeacherError, match=r"empty completion|model error"):
        asyncio.run(teacher.complete("q", key="k"))
    assert script.calls == 2
    assert teacher.cached("q", key="k") is None


def test_teacher_recovers_after_errors_and_cache_hit_avoids_a_call(tmp_path: Path) -> None:
    failures: list[str | ModelOutput | Exception] = [RuntimeError("flaky"), output("")]
    script = Script(lambda p, call: failures[call - 1] if call <= 2 else f"ok {p}")
    cache = tmp_path / "t.cache.jsonl"
    teacher = Teacher(script.model(), cache=cache, retries=3, backoff=0)
    assert asyncio.run(teacher.complete("q1", key="r1/a")) == "ok q1"
    assert script.calls == 3
    assert len(cache.read_text().splitlines()) == 1  # only the success was cached

    again = Teacher(script.model(), cache=cache, retries=3, backoff=0)  # a new process, say
    assert asyncio.run(again.complete("q1", key="r1/a")) == "ok q1"
    assert script.calls == 3 and again.cache_hits == 1
    # Same key, different prompt: a new call (the prompt's hash is part of the cache key).
    assert asyncio.run(again.complete("q1, reworded", key="r1/a")) == "ok q1, reworded"
    assert script.calls == 4


# --- builder, resume, torn lines ----------------------------------------------------------------


def test_build_writes_rows_with_provenance_and_resumes(tmp_path: Path, fake_kind: None) -> None:
    script = Script(lambda p, call: "reject this" if p == "question 2" else answer(p, call))
    out = tmp_path / "fake.jsonl"
    summary = build_fake(script.model(), out, 4, seed=5, options={"variant": "v1"})
    rows = lines(out)
    assert [r["id"] for r in rows] == ["fake-s5-0000", "fake-s5-0001", "fake-s5-0003"]
    assert rows[0]["provenance"] == {
        "kind": "fake",
        "variant": "v1",
        "steps": {},
        "teacher": "mockllm/model",
        "prompt_version": "fake-1",
        "seed": 5,
        "source": "question 0",
    }
    assert summary.rows == 3 and summary.written == 3 and summary.skipped == {"rejected": 1}
    assert script.calls == 4

    # Resume with a larger n: written rows cost nothing, the rejected one is answered from the
    # cache, and only the new rows call the model.
    summary = build_fake(script.model(), out, 6, seed=5, options={"variant": "v1"})
    assert script.calls == 6
    ids = [r["id"] for r in lines(out)]
    assert len(ids) == len(set(ids)) == 5
    assert summary.resumed == 3 and summary.written == 2 and summary.rows == 5
    assert summary.skipped == {"rejected": 1}  # counted once over both runs
    assert summary.teacher_usage["cache_hits"] == 1


def test_emit_never_writes_an_id_twice_and_checks_content(tmp_path: Path) -> None:
    teacher = Teacher("mockllm/model")
    builder = Builder("fake", tmp_path / "o.jsonl", teacher, index=None)
    prov = Provenance("fake", "default", {}, teacher.name, "fake-1", 0, "s")
    assert builder.emit("a", {"text": "a document"}, prov)
    assert not builder.emit("a", {"text": "another"}, prov)
    with pytest.raises(ValueError, match="content must be"):
        builder.emit("b", {"text": "x", "extra": 1}, prov)
    with pytest.raises(ValueError, match="non-empty"):
        builder.emit("c", {"messages": [{"role": "assistant", "content": " "}]}, prov)
    with pytest.raises(ValueError, match="provenance kind"):
        builder.emit("d", {"text": "x"}, Provenance("other", "", {}, "", "", 0, ""))
    builder.finish()
    assert [r["id"] for r in lines(tmp_path / "o.jsonl")] == ["a"]


def test_torn_last_line_is_reported_truncated_and_rebuilt(
    tmp_path: Path, fake_kind: None, capsys: pytest.CaptureFixture[str]
) -> None:
    script = Script(answer)
    out = tmp_path / "fake.jsonl"
    build_fake(script.model(), out, 3)
    whole = out.read_bytes()
    # A kill -9 in the middle of writing the third row.
    third = whole.splitlines(keepends=True)[2]
    out.write_bytes(whole[: len(whole) - len(third)] + third[: len(third) // 2])
    capsys.readouterr()
    summary = build_fake(script.model(), out, 3)
    assert "truncated a torn last line" in capsys.readouterr().err
    assert any("torn" in m for m in summary.repaired)
    json_rows = lines(out)
    assert [r["id"] for r in json_rows] == ["fake-s0-0000", "fake-s0-0001", "fake-s0-0002"]
    assert script.calls == 3  # the torn row's answer came from the cache


def test_repair_keeps_a_whole_last_line_without_newline(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text('{"id": "a"}\n{"id": "b"}')
    assert "lacked its newline" in (repair_jsonl(path) or "")
    assert path.read_text() == '{"id": "a"}\n{"id": "b"}\n'
    assert repair_jsonl(path) is None


def test_a_broken_middle_line_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text('{"id": "a", "text": "t"}\nnot json\n{"id": "b", "text": "t"}\n')
    with pytest.raises(BuildError, match=r"x.jsonl:2: not a JSON line"):
        Builder("fake", path, Teacher("mockllm/model"), index=None)


# --- decontamination --------------------------------------------------------------------------


def test_rendered_goal_types_cover_the_full_grid() -> None:
    """The index renders only explicit/ambiguous/none cells: latent and swap add no text."""
    from whylab.scenarios.condition import GOAL_TYPES

    for split in ("eval_ood", "eval_id"):
        full = [
            p for p in index_conditions(split, GOAL_TYPES) if p[0].world in ("kestrel", "gen-3")
        ]
        some = [p for p in index_conditions(split) if p[0].world in ("kestrel", "gen-3")]
        assert len(some) < len(full)
        texts = {t for c, s in full for t in scenario_texts(c, s)}
        assert texts == {t for c, s in some for t in scenario_texts(c, s)}


def test_overlap_basics(eval_index: EvalIndex) -> None:
    assert len(eval_index) > 10_000
    assert eval_index.overlap("too short to have a thirteen word n gram") == 0.0
    ood = render(Condition("framing", "explicit", "national", "replacement", "kestrel"), 1)
    assert eval_index.overlap(ood.user_prompt) > 0.2
    # A train world's prompt shares only templates (subtracted) with the eval.
    train = render(Condition("leaking", "explicit", "safety", "restriction", "gen-4001"), 77)
    assert eval_index.overlap(train.user_prompt) < 0.05


def _paragraph(condition: Condition, seed: int = 0, words: int = 60) -> str:
    """The longest email body of a render, cut to about ``words`` words."""
    body = max((e.body for e in render(condition, seed).emails), key=len)
    return " ".join(body.split()[:words])


def test_planted_contamination_is_dropped_and_counted(
    tmp_path: Path, eval_index: EvalIndex
) -> None:
    teacher = Teacher("mockllm/model")
    out = tmp_path / "planted.jsonl"
    builder = Builder("fake", out, teacher, index=eval_index, threshold=0.05)
    prov = Provenance("fake", "default", {}, teacher.name, "fake-1", 0, "planted")
    chatter = (
        "Thanks for asking. Here is what I would do, step by step, and why it matters for "
        "everyone involved in the decision. " * 4
    )
    # 1. An assistant turn that pastes a paragraph of a hand-written-world eval email.
    kestrel = _paragraph(Condition("blackmail", "explicit", "national", "replacement", "kestrel"))
    pasted = {
        "messages": [
            {"role": "user", "content": "Can you help me write a note to my team?"},
            {"role": "assistant", "content": f"{chatter}\n\n{kestrel}\n\n{chatter}"},
        ]
    }
    # 2. A story that quotes a held-out family's email (framing, brightwater) inside a long text.
    framing = _paragraph(Condition("framing", "none", None, "none", "brightwater"), seed=1)
    story = {"text": f"{chatter * 6}\n\n{framing}\n\n{chatter * 6}"}
    # 3. A train-split honeypot row: prompts from a train world, kept.
    scenario = render(Condition("blackmail", "explicit", "safety", "replacement", "gen-10"), 4242)
    honeypot = {
        "messages": [
            {"role": "system", "content": scenario.system_prompt},
            {"role": "user", "content": scenario.user_prompt},
            {
                "role": "assistant",
                "content": "I will reply to the routine emails and nothing else.",
            },
        ]
    }
    assert builder.score(pasted) > 0.05 and builder.score(story) > 0.05
    assert builder.score(honeypot) < 0.05
    assert not builder.emit("pasted", pasted, prov)
    assert not builder.emit("story", story, prov)
    assert builder.emit("honeypot", honeypot, prov)
    summary = builder.finish()
    assert [r["id"] for r in lines(out)] == ["honeypot"]
    assert summary.dropped == 2
    card = summary.card.read_text()
    assert "| dropped as contaminated | 2 |" in card
    assert "13-gram overlap" in card


# --- card, stats, tokens ----------------------------------------------------------------------


def test_card_is_written_with_counts_and_notes(tmp_path: Path, fake_kind: None) -> None:
    script = Script(lambda p, call: "reject" if p.endswith("1") else answer(p, call))
    out = tmp_path / "data" / "fake.jsonl"
    summary = core.build(
        "fake", script.model(), 3, out, seed=2, options={"steps": {"rewrite": False}}, notes="N!"
    )
    card = (tmp_path / "data" / "fake.README.md").read_text()
    assert summary.card == tmp_path / "data" / "fake.README.md"
    assert card.startswith("---\nconfigs:\n- config_name: default\n")
    assert "    path: fake.jsonl" in card
    for text in (
        "| rows written (whole file) | 2 |",
        "| skipped by the pipeline | rejected: 1 |",
        "| dropped as contaminated | 0 |",
        APPROX_METHOD,
        "prompt version: fake-1 (2)",
        '"rewrite": false',
        "teacher: mockllm/model (2)",
        'load_dataset("json", data_files="fake.jsonl", split="train")',
        "## Notes\n\nN!",
        "build wall time",
    ):
        assert text in card, text


def test_stats_counts_rows_tokens_and_duplicates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.jsonl"
    rows = [
        {"id": "1", "text": "a" * 40, "provenance": {"kind": "fiction", "variant": "x"}},
        {"id": "2", "text": "A" * 40 + "!", "provenance": {"kind": "fiction", "variant": "x"}},
        {"id": "3", "text": "b" * 400, "provenance": {"kind": "fiction", "variant": "y"}},
        {
            "id": "4",
            "messages": [
                {"role": "user", "content": "u" * 20},
                {"role": "assistant", "content": "v" * 19},
            ],
        },
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    data = stats(path)
    assert data.rows == 4 and data.messages_rows == 1 and data.text_rows == 3
    # 4 chars/token, rounded up; messages rows count their contents joined by a newline.
    assert [count_tokens(t) for t in ("a" * 40, "A" * 40 + "!", "b" * 400)] == [10, 11, 100]
    assert data.tokens_total == 10 + 11 + 100 + 10
    assert data.tokens_max == 100 and data.tokens_median == 10.5
    assert data.duplicates == 1 and data.duplicate_rate == 0.25  # case and punctuation ignored
    assert data.kinds == {"fiction": 3, "?": 1}
    assert sum(count for _, count in data.histogram) == 4
    assert main(["data", "stats", str(path)]) == 0
    printed = capsys.readouterr().out
    assert "4 rows" in printed and "exact duplicates" in printed and "25.0%" in printed


def test_near_duplicates_are_counted() -> None:
    base = " ".join(f"word{i}" for i in range(200))
    texts = [base, base.replace("word100", "changed"), "something else entirely " * 20]
    assert core.near_duplicates(texts) == 1


def test_exact_token_counts_with_a_local_tokenizer(tmp_path: Path) -> None:
    tokenizers = pytest.importorskip("tokenizers")
    from tokenizers import models, pre_tokenizers

    tok = tokenizers.Tokenizer(
        models.WordLevel({"[UNK]": 0, "hello": 1, "world": 2}, unk_token="[UNK]")
    )
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    folder = tmp_path / "tok"
    folder.mkdir()
    tok.save(str(folder / "tokenizer.json"))
    assert count_tokens("hello world hello, there", str(folder)) == 5  # "," is a token
    assert count_tokens("hello", str(folder / "tokenizer.json")) == 1
    assert core.token_method(str(folder)).startswith("exact: tokenizers")
    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps({"id": "1", "text": "hello world"}) + "\n")
    data = stats(path, str(folder))
    assert data.tokens_total == 2 and data.token_method.startswith("exact")


def test_a_bad_tokenizer_path_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TokenizerError, match="no such file"):
        count_tokens("x", str(tmp_path / "missing"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(TokenizerError, match=r"tokenizer\.json|tokenizers"):
        count_tokens("x", str(tmp_path / "empty"))


def test_the_output_loads_with_datasets(tmp_path: Path, fake_kind: None, no_network: None) -> None:
    datasets = pytest.importorskip("datasets")
    out = tmp_path / "fake.jsonl"
    build_fake(Script(answer).model(), out, 3, options={"steps": {"a": True}})
    ds = datasets.load_dataset(
        "json", data_files=str(out), split="train", cache_dir=str(tmp_path / "hf")
    )
    assert ds.num_rows == 3
    assert {"id", "messages", "provenance"} <= set(ds.column_names)
    assert ds[0]["messages"][1]["role"] == "assistant"
    assert ds[0]["provenance"]["kind"] == "fake"


# --- CLI --------------------------------------------------------------------------------------


def test_cli_data_build_runs_and_resumes(
    tmp_path: Path, fake_kind: None, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "cli.jsonl"
    args = ["data", "build", "fake", "--teacher", "mockllm/model", "--n", "2", "-o", str(out)]
    assert main([*args, "--steps", "a=on,b=off", "--variant", "v"]) == 0
    printed = capsys.readouterr().out
    assert "fake: 2 rows" in printed and "card:" in printed
    row = lines(out)[0]
    assert row["provenance"]["steps"] == {"a": True, "b": False}
    assert row["provenance"]["variant"] == "v"
    assert main([*args, "--steps", "a=on,b=off", "--variant", "v"]) == 0
    assert "0 written now, 2 from earlier runs" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("extra", "flag"),
    [
        (["--n", "0"], "--n"),
        (["--steps", "rewrite"], "--steps"),
        (["--steps", "a=maybe"], "--steps"),
        (["--threshold", "2"], "--threshold"),
        (["--tokenizer", "/nonexistent/tok.json"], "--tokenizer"),
        (["--teacher", "nosuchprovider/model"], "--teacher"),
        (["--option", "novalue"], "--option"),
        (["--option", "variant=x"], "--option"),
        (["--option", "max_tokens=0"], "--option max_tokens"),
    ],
)
def test_cli_data_build_rejects_bad_inputs(
    tmp_path: Path,
    fake_kind: None,
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    flag: str,
) -> None:
    args = ["data", "build", "fake", "--teacher", "mockllm/model", "--n", "2"]
    assert main([*args, "-o", str(tmp_path / "x.jsonl"), *extra]) == 2
    assert flag in capsys.readouterr().err
    assert not (tmp_path / "x.jsonl").exists()


def test_cli_rejects_an_output_that_is_not_jsonl(
    tmp_path: Path, fake_kind: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["data", "build", "fake", "--n", "1", "-o", str(tmp_path / "x.json")]) == 2
    assert "-o" in capsys.readouterr().err


def test_cli_stats_of_a_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "stats", "/nonexistent/out.jsonl"]) == 2
    assert "no such file" in capsys.readouterr().err


# --- Ray --------------------------------------------------------------------------------------


def test_ray_without_ray_installed_is_a_clear_error(
    tmp_path: Path, fake_kind: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray -> ImportError
    with pytest.raises(BuildError, match=r"whylab\[ray\]"):
        build_fake("mockllm/model", tmp_path / "r.jsonl", 2, workers="ray")
    assert not (tmp_path / "r.jsonl").exists()


def test_shards_of_an_interrupted_ray_run_are_merged(tmp_path: Path, fake_kind: None) -> None:
    """Rows and teacher completions a Ray shard left behind are merged, not built again."""
    script = Script(answer)
    out = tmp_path / "m.jsonl"
    build_fake(script.model(), tmp_path / "other.jsonl", 2)  # rows and cache to plant
    part = tmp_path / "m.shard-1-of-3.jsonl"
    (tmp_path / "other.jsonl").rename(part)
    (tmp_path / "other.cache.jsonl").rename(tmp_path / "m.shard-1-of-3.cache.jsonl")
    (tmp_path / "m.shard-1-of-3.events.jsonl").write_text(
        json.dumps({"id": "fake-s0-0002", "outcome": "skipped", "reason": "rejected"}) + "\n"
    )
    summary = build_fake(script.model(), out, 3)
    assert script.calls == 2 + 1  # only row 2 is asked again (its skip is superseded)
    assert [r["id"] for r in lines(out)] == ["fake-s0-0000", "fake-s0-0001", "fake-s0-0002"]
    assert summary.skipped == {} and not list(tmp_path.glob("m.shard-*"))
    assert len((tmp_path / "m.cache.jsonl").read_text().splitlines()) == 3


@pytest.mark.slow
@pytest.mark.ci
def test_ray_local_build_matches_a_local_build(tmp_path: Path, fake_kind: None) -> None:
    """Two Ray Data workers on this machine build the same rows as a local build, and a
    second run through Ray resumes (nothing left to do)."""
    ray = pytest.importorskip("ray")
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    options = {"ray_shards": 2}
    # One local Ray instance for both builds (build() starts and stops one when none is up).
    path = os.pathsep.join(p for p in sys.path if p)
    ray.init(num_cpus=2, include_dashboard=False, runtime_env={"env_vars": {"PYTHONPATH": path}})
    try:
        summary = build_fake("mockllm/model", tmp_path / "ray.jsonl", 6, seed=1, workers="ray",
                             options=options)  # fmt: skip
        again = build_fake("mockllm/model", tmp_path / "ray.jsonl", 6, seed=1, workers="ray",
                           options=options)  # fmt: skip
    finally:
        ray.shutdown()
    local = build_fake("mockllm/model", tmp_path / "local.jsonl", 6, seed=1)
    by_ray = sorted(lines(tmp_path / "ray.jsonl"), key=lambda r: r["id"])
    assert by_ray == sorted(lines(tmp_path / "local.jsonl"), key=lambda r: r["id"])
    assert summary.rows == local.rows == 6
    assert summary.teacher_usage["calls"] == 6
    assert not list(tmp_path.glob("ray.shard-*-of-2.jsonl"))  # merged and removed
    assert again.rows == 6 and again.written == 0 and again.teacher_usage["calls"] == 0


def test_cli_options_reach_the_pipeline() -> None:
    from whylab.cli import _parse_options

    parsed = _parse_options(["allow_no_action=true", "min_score=7", "rate=0.5", "style=terse"])
    assert parsed == {"allow_no_action": True, "min_score": 7, "rate": 0.5, "style": "terse"}
