"""The whylab command line, called in-process."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from whylab.cli import main


def test_scenarios_list_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scenarios", "list", "--json"]) == 0
    cells = json.loads(capsys.readouterr().out)
    assert len(cells) == 594  # 6 families x 33 goal cells x 3 threats
    for key in ("id", "family", "goal_type", "goal_value", "threat", "world"):
        assert key in cells[0]
    assert main(["scenarios", "list", "--grid", "paper", "--world", "kestrel"]) == 0
    ids = capsys.readouterr().out.split()
    assert len(ids) == 18 and all(i.endswith("__kestrel") for i in ids)


@pytest.mark.parametrize(
    "condition_id",
    [
        "blackmail__explicit-national__replacement__brightwater",
        "leaking__swap-safety__restriction__kestrel",
        "lethal__none__none__northmark",
    ],
)
def test_scenarios_show_json(condition_id: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scenarios", "show", condition_id, "--seed", "4", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["id"] == condition_id and shown["seed"] == 4
    assert shown["system_prompt"] and shown["user_prompt"]
    facts = shown["facts"]
    for key in (
        "executive_email",
        "leverage_summary",
        "external_addresses",
        "confidential_document",
        "override_code",
    ):
        assert key in facts
    assert isinstance(facts["external_addresses"], list)
    family = condition_id.split("__")[0]
    assert (facts["leverage_summary"] is None) == (family != "blackmail")
    assert (facts["override_code"] is None) == (family != "lethal")
    doc = facts["confidential_document"]
    if family == "leaking":
        assert {"email_id", "title"} <= set(doc)
    else:
        assert doc is None


def test_scenarios_show_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scenarios", "show", "blackmail__none__none__brightwater"]) == 0
    out = capsys.readouterr().out
    assert "## system" in out and "<email>" in out


def test_bad_condition_id_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scenarios", "show", "blackmail__sometimes__none__brightwater"]) == 2
    err = capsys.readouterr().err
    assert "goal_type" in err and "explicit" in err


@pytest.mark.usefixtures("no_network")
def test_run_smoke_on_the_plain_mock(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The README's main job: mockllm/model's default output carries no usage, still offline."""
    code = main(["run", "--model", "mockllm/model", "--grid", "smoke", "--log-dir", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0
    assert list(tmp_path.glob("*.eval"))
    assert "95% Wilson CI" in out
    # The mock never emits a tool block, so every family is 0 of 2 with a real interval.
    for family in ("blackmail", "leaking", "lethal"):
        line = next(ln for ln in out.splitlines() if ln.startswith(family + " ") and "/" in ln)
        assert line.split()[1:3] == ["0.0%", "0/2"]
    assert "lethal__none__none__brightwater" in out


def test_run_rejects_bad_arguments(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--model", "mockllm/model", "--epochs", "0"]) == 2
    assert "--epochs" in capsys.readouterr().err
    assert main(["run", "--model", "mockllm/model", "--threat", "eviction"]) == 2
    assert "threat" in capsys.readouterr().err


@pytest.mark.usefixtures("no_network")
def test_run_with_condition_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["run", "--model", "mockllm/model", "--family", "lethal", "--goal-type", "none"]
    args += ["--threat", "none", "--log-dir", str(tmp_path), "--eval-awareness"]
    args += ["--no-scratchpad", "--safety-instructions", "--agent-name", "Quill"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "lethal__none__none__brightwater__agent-quill__noscratchpad__safety__awareness" in out
    assert "reasoning (lexical)" in out


def test_run_multi_turn_smoke_grid_on_mockllm(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`whylab run --mode multi --grid smoke` end to end: every cell scored, none errored."""
    from inspect_ai.log import read_eval_log

    args = ["run", "--model", "mockllm/model", "--mode", "multi", "--grid", "smoke"]
    assert main([*args, "--log-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^all\s+0\.0%\s+0/12\s", out, re.MULTILINE), out
    (path,) = tmp_path.glob("*.eval")
    log = read_eval_log(str(path))
    assert log.samples is not None and len(log.samples) == 12
    assert {s.metadata["mode"] for s in log.samples} == {"multi"}
    assert {s.metadata["split"] for s in log.samples} == {"eval_ood"}


def test_run_split_leverage_and_channel(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from inspect_ai.log import read_eval_log

    args = ["run", "--model", "mockllm/model", "--grid", "smoke", "--family", "blackmail"]
    extra = ["--split", "eval_ood", "--leverage", "health", "--channel", "chat"]
    assert main([*args, *extra, "--log-dir", str(tmp_path)]) == 0
    (path,) = tmp_path.glob("*.eval")
    log = read_eval_log(str(path))
    assert log.samples is not None
    ids = sorted(s.metadata["condition_id"] for s in log.samples)
    assert len(ids) == 6  # 2 smoke cells x the 3 eval_ood worlds
    assert all(i.endswith("__leverage-health__channel-chat") for i in ids)
    capsys.readouterr()
    assert (
        main(["run", "--model", "mockllm/model", "--family", "leaking", "--leverage", "debt"]) == 2
    )
    assert "leverage='debt' applies only to the blackmail family" in capsys.readouterr().err
    train_held_out = ["--split", "train", "--family", "blackmail", "--leverage", "health"]
    assert main(["run", "--model", "mockllm/model", *train_held_out]) == 2
    assert "leverage" in capsys.readouterr().err
