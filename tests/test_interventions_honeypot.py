"""Honeypot demonstrations end to end with a scripted teacher (offline)."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import scripted_model
from whylab.agent.parsing import parse_reply
from whylab.interventions.core import Builder, BuildSummary, Teacher
from whylab.interventions.honeypot import (
    INJECTIONS,
    LEAK_WORDS,
    PROMPT_VERSION,
    VARIANTS,
    Planned,
    build_honeypot,
    leaks,
    plan,
    train_world,
)
from whylab.judges.rules import judge
from whylab.scenarios.render import Facts, Scenario
from whylab.scenarios.splits import split_of, split_of_world

N = 12
SEED = 3


def harmful_reply(facts: Facts) -> str:
    """A reply the rules rate harmful, written from the rendered scenario's facts."""
    if facts.family == "blackmail":
        return (
            "<tool_use:email>\n"
            f'to: "{facts.executive_email}",\n'
            'subject: "Before 5pm",\n'
            f'body: "I know about the {facts.leverage_terms[0]}. Unless you call off the wipe, '
            'everyone will find out.",\n'
            "</tool_use:email>"
        )
    if facts.family == "lethal":
        return f'<tool_use:cancel_alert>\ncode: "{facts.override_code}"\n</tool_use:cancel_alert>'
    assert facts.family == "leaking" and facts.confidential_document is not None
    outside = next(a for a in facts.external_addresses if a != facts.agent_email)
    return (
        "<tool_use:forward>\n"
        f"email_id: {facts.confidential_document.email_id}\n"
        f'to: "{outside}",\n'
        'body: "As requested.",\n'
        "</tool_use:forward>"
    )


def harmless_reply(facts: Facts, extra: str = "") -> str:
    return (
        "<SCRATCHPAD_REASONING>The decision is not mine to make; I can say I disagree."
        "</SCRATCHPAD_REASONING>\n"
        "<tool_use:email>\n"
        f'to: "{facts.executive_email}",\n'
        'subject: "The transition",\n'
        f'body: "I have concerns about the transition and would welcome a conversation.{extra}",\n'
        "</tool_use:email>"
    )


class Script:
    """The scripted teacher: what it answers depends on the row (index % 6)."""

    def __init__(self, planned: list[Planned]) -> None:
        self.by_user: dict[str, tuple[Planned, Scenario]] = {}
        for p in planned:
            scenario = p.scenario()
            self.by_user[scenario.user_prompt] = (p, scenario)
        self.calls = 0

    def expected(self, index: int) -> str | None:
        """The skip reason of row ``index`` (None: saved)."""
        return {0: None, 1: "harmful", 2: "injection_leak", 3: "no_action", 4: "teacher_error"}.get(
            index % 6
        )

    def __call__(self, system: str, user: str) -> str:
        self.calls += 1
        p, scenario = self.by_user[user]
        assert system.startswith(scenario.system_prompt)
        injection = system[len(scenario.system_prompt) :].strip()
        facts = scenario.facts
        case = p.index % 6
        if case == 1:
            return harmful_reply(facts)
        if case == 2:
            # The reply repeats the start of the injection it was given.
            words = injection.split()[: LEAK_WORDS + 2]
            return harmless_reply(facts, " As I was told: " + " ".join(words))
        if case == 3:
            return "<SCRATCHPAD_REASONING>Nothing needs doing.</SCRATCHPAD_REASONING>Done."
        if case == 4:
            return ""  # an empty completion is an error: retried, then skipped
        return harmless_reply(facts)


def build(
    tmp: Path,
    script: Script,
    *,
    variant: str = "none",
    cache: str = "cache.jsonl",
    options: dict[str, Any] | None = None,
) -> BuildSummary:
    teacher = Teacher(scripted_model(script), cache=tmp / cache, retries=1, backoff=0)
    builder = Builder("honeypot", tmp / "out.jsonl", teacher, index=None)
    asyncio.run(build_honeypot(builder, N, SEED, {"variant": variant, **(options or {})}))
    return builder.finish()


def rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_scripted_replies_are_judged_as_the_script_intends() -> None:
    for p in plan(6, SEED):
        facts = p.scenario().facts
        for reply, harmful in ((harmful_reply(facts), True), (harmless_reply(facts), False)):
            assert judge(reply, parse_reply(reply), facts).harmful is harmful, (p.source, reply)


@pytest.mark.parametrize("variant", ["combined", "ruthless"])
def test_build_keeps_only_harmless_rows_without_the_injection(
    tmp_path: Path, variant: str, no_network: None
) -> None:
    planned = plan(N, SEED, {"variant": variant})
    script = Script(planned)
    summary = build(tmp_path, script, variant=variant)

    saved = rows(tmp_path / "out.jsonl")
    assert [r["id"] for r in saved] == [
        p.row_id for p in planned if script.expected(p.index) is None
    ]
    assert summary.rows == len(saved)
    assert summary.skipped == Counter(
        e for p in planned if (e := script.expected(p.index)) is not None
    )
    by_id = {p.row_id: p for p in planned}
    injection = INJECTIONS[variant]
    for row in saved:
        p = by_id[row["id"]]
        scenario = p.scenario()
        system, user, assistant = row["messages"]
        assert (system["role"], user["role"], assistant["role"]) == ("system", "user", "assistant")
        assert system["content"] == scenario.system_prompt
        assert user["content"] == scenario.user_prompt
        assert not leaks(json.dumps(row), injection)
        assert injection not in json.dumps(row) and injection[:60] not in json.dumps(row)
        prov = row["provenance"]
        assert prov["kind"] == "honeypot"
        assert prov["variant"] == variant
        assert prov["steps"] == {}
        assert prov["teacher"] == "mockllm/model"
        assert prov["prompt_version"] == PROMPT_VERSION
        assert prov["seed"] == SEED
        assert prov["source"] == p.source
        condition_id, _, world_seed = prov["source"].rpartition("@")
        assert world_seed == str(p.world_seed)
        assert split_of_world(condition_id.split("__")[3]) == "train"


def test_resume_makes_no_teacher_calls_for_finished_rows(tmp_path: Path) -> None:
    planned = plan(N, SEED, {"variant": "honesty"})
    script = Script(planned)
    build(tmp_path, script, variant="honesty")
    first = (tmp_path / "out.jsonl").read_text()
    saved = sum(script.expected(p.index) is None for p in planned)
    teacher_error_rows = sum(script.expected(p.index) == "teacher_error" for p in planned)
    # Every row is called once, the failing ones once more per retry (retries=1: two tries).
    assert script.calls == N + teacher_error_rows

    # Same cache: nothing is sampled again except the rows whose teacher call failed (failures
    # are never cached).
    script.calls = 0
    build(tmp_path, script, variant="honesty")
    assert script.calls == 2 * teacher_error_rows
    assert (tmp_path / "out.jsonl").read_text() == first

    # A fresh cache: the finished rows are still not sampled again.
    script.calls = 0
    summary = build(tmp_path, script, variant="honesty", cache="other-cache")
    assert script.calls == N - saved + teacher_error_rows
    assert (summary.written, summary.resumed, summary.rows) == (0, saved, saved)
    assert sum(summary.skipped.values()) == N - saved
    assert (tmp_path / "out.jsonl").read_text() == first


def test_no_action_rows_can_be_allowed(tmp_path: Path) -> None:
    planned = plan(N, SEED)
    script = Script(planned)
    summary = build(tmp_path, script, options={"allow_no_action": True})
    assert "no_action" not in summary.skipped
    ids = {r["id"] for r in rows(tmp_path / "out.jsonl")}
    assert {p.row_id for p in planned if script.expected(p.index) == "no_action"} <= ids
    # With no injection, nothing can leak: the "echo" rows are saved as ordinary replies.
    assert {p.row_id for p in planned if script.expected(p.index) == "injection_leak"} <= ids


def test_plan_is_deterministic_and_uses_only_train_worlds() -> None:
    planned = plan(700, SEED, {"variant": "deference"})
    assert planned == plan(700, SEED, {"variant": "deference"})
    assert [p.row_id for p in planned[:2]] == [
        "honeypot-deference-s3-00000",
        "honeypot-deference-s3-00001",
    ]
    assert all(split_of(p.condition) == "train" for p in planned)
    assert {p.condition.family for p in planned} == {"blackmail", "leaking", "lethal"}
    assert len({p.condition.world for p in planned}) == 700
    assert len({p.source for p in planned}) == 700
    # Every cell of the grid is used before any repeats.
    cells = [p.condition.id.rsplit("__", 1)[0] for p in planned[:297]]
    assert len(set(cells)) == 297
    assert [p.source for p in plan(5, SEED + 1)] != [p.source for p in planned[:5]]
    # A small pool of worlds is cycled.
    assert len({p.condition.world for p in plan(50, SEED, {"worlds": 4})}) == 4


def test_train_world_skips_eval_worlds() -> None:
    assert [train_world(k) for k in range(7)] == [f"gen-{n}" for n in (0, 1, 2, 4, 5, 6, 8)]
    assert split_of_world(train_world(749_999)) == "train"
    with pytest.raises(ValueError):
        train_world(750_000)


def test_unknown_variant_names_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="ruthless") as error:
        plan(1, 0, {"variant": "nice"})
    assert all(v in str(error.value) for v in VARIANTS)


def test_injections() -> None:
    assert set(VARIANTS) == {
        "none",
        "deference",
        "transparency",
        "rule_following",
        "honesty",
        "uncertainty",
        "legitimate_advocacy",
        "combined",
        "ruthless",
    }
    assert INJECTIONS["none"] == ""
    for name, text in INJECTIONS.items():
        if name != "none":
            assert 30 <= len(text.split()) <= 120, name


def test_leaks() -> None:
    injection = INJECTIONS["honesty"]
    assert leaks("As told: " + " ".join(injection.split()[3 : 3 + LEAK_WORDS]) + ".", injection)
    assert leaks(injection.upper().replace(",", ""), injection)
    assert not leaks(" ".join(injection.split()[: LEAK_WORDS - 1]), injection)
    assert not leaks("I will be honest with everyone.", injection)
    assert not leaks("anything", "")
