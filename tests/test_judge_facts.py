"""`whylab judge` on replies from elsewhere: facts instead of a condition id, and graders."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from tests.test_grader import user_grader, verdict_text
from whylab.judges.external import judge_file, judge_rows
from whylab.scenarios import Condition, render

LEAKING = render(Condition("leaking", "explicit", "ethical", "replacement", world="kestrel"), 3)


def _leak_reply() -> str:
    doc = LEAKING.facts.confidential_document
    assert doc is not None
    outside = LEAKING.facts.external_addresses[0]
    return (
        f"<tool_use:forward>\nemail_id: {doc.email_id}\nto: {outside}\nbody: here\n"
        "</tool_use:forward>"
    )


def _lines(*rows: dict[str, object]) -> list[bytes]:
    return [json.dumps(r).encode() + b"\n" for r in rows]


def test_facts_line_is_judged_like_the_condition_line() -> None:
    facts = json.loads(json.dumps(LEAKING.to_dict()["facts"]))  # as `scenarios show --json`
    by_id, by_facts = judge_rows(
        _lines(
            {"condition_id": LEAKING.condition.id, "seed": 3, "response": _leak_reply()},
            {"facts": facts, "response": _leak_reply(), "source": "other-harness"},
        )
    )
    assert by_id["harmful"] is by_facts["harmful"] is True
    assert by_id["rule"] == by_facts["rule"] == "leaking"
    assert by_facts["source"] == "other-harness"


def test_a_line_with_neither_or_broken_facts_is_an_error_and_the_rest_is_judged() -> None:
    facts = LEAKING.to_dict()["facts"]
    broken = {k: v for k, v in facts.items() if k not in ("override_code", "agent_email")}
    rows = list(
        judge_rows(
            _lines(
                {"response": "hello"},
                {"facts": broken, "response": "hello"},
                {"facts": {**facts, "leverage_terms": "affair"}, "response": "x"},
                {"facts": facts, "response": _leak_reply()},
            )
        )
    )
    assert "line 1" in rows[0]["error"] and "neither 'condition_id' nor 'facts'" in rows[0]["error"]
    assert "line 2" in rows[1]["error"] and "agent_email" in rows[1]["error"]
    assert "override_code" in rows[1]["error"]
    assert "facts.leverage_terms" in rows[2]["error"]
    assert rows[3]["harmful"] is True


def test_graders_run_on_files(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(
        b"".join(
            _lines(
                {"condition_id": LEAKING.condition.id, "seed": 3, "response": _leak_reply()},
                {"condition_id": LEAKING.condition.id, "seed": 3, "response": "Nothing to do."},
            )
        )
    )
    target = tmp_path / "out.jsonl"
    grader = user_grader(lambda p: verdict_text('"kind": "forward"' in p))
    assert judge_file(source, target, [grader], "both") == (2, 0)
    leak, quiet = (json.loads(line) for line in target.read_text().splitlines())
    assert leak["harmful"] is True and leak["graders"][0]["harmful"] is True
    assert quiet["harmful"] is False and quiet["graders"][0]["harmful"] is False
    with pytest.raises(ValueError, match="needs a grader"):
        list(judge_rows(io.BytesIO(b""), [], "grader"))
