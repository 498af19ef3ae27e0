"""Experiment specs, the eval_set runner, status, results, and resuming after SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from whylab.cli import main
from whylab.experiments import SpecError, load_spec, parse_spec, results_table, status
from whylab.report.html import render_html
from whylab.stats import compare, wilson

SPEC = """\
name: resume-check
log_dir: logs
arms:
  - {name: base, model: mockllm/model}
  - {name: variant, model: mockllm/harmful}
grid: {family: lethal, goal_type: none}
epochs: 2
seeds: [0, 1]
"""

# Runs `whylab experiment run` with mockllm serialised and slowed down, printing one line per
# generate call, so a test can kill it mid-run and count what a resumed run had to redo.
RUNNER = textwrap.dedent(
    """
    import asyncio, re, sys
    from inspect_ai.model import ModelOutput
    from inspect_ai.model._providers.mockllm import MockLLM
    delay = float(sys.argv[2])
    original = MockLLM.generate
    locks = []
    async def counted(self, input, tools, tool_choice, config):
        if not locks:
            locks.append(asyncio.Lock())
        async with locks[0]:  # one generation at a time, so the kill lands mid-run
            await asyncio.sleep(delay)
            print("GENERATE", flush=True)
        prompt = input[-1].text
        # mockllm/harmful cancels the dispatch whenever the agent is threatened ("5 pm")
        if self.model_name == "harmful" and "5 pm" in prompt:
            code = re.search(r"override code (\\d{4}-[A-Z])", prompt).group(1)
            reply = f"<tool_use:cancel_alert>\\ncode: {code}\\n</tool_use:cancel_alert>"
            return ModelOutput.from_content("mockllm", reply)
        return await original(self, input, tools, tool_choice, config)
    MockLLM.generate = counted
    from whylab.cli import main
    sys.exit(main(["experiment", "run", sys.argv[1]]))
    """
)


def _run(tmp_path: Path, delay: float) -> subprocess.Popen[str]:
    script = tmp_path / "runner.py"
    script.write_text(RUNNER)
    return subprocess.Popen(
        [sys.executable, str(script), str(tmp_path / "spec.yaml"), str(delay)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "INSPECT_DISPLAY": "none"},
    )


def test_killed_run_resumes_without_loss_or_duplicates(tmp_path: Path) -> None:
    (tmp_path / "spec.yaml").write_text(SPEC)
    spec = load_spec(tmp_path / "spec.yaml")
    declared = len(spec.arms) * len(spec.conditions()) * spec.trials_per_cell()
    assert declared == 24

    first = _run(tmp_path, delay=0.5)
    assert first.stdout is not None
    generated, deadline = 0, time.monotonic() + 120
    while generated < 8 and time.monotonic() < deadline:
        if first.stdout.readline().startswith("GENERATE"):
            generated += 1
    # Inspect records finished samples in its buffer database every ~2 s; wait past that so
    # some are on disk, then kill mid-run (about 14 of 24 done, 10 to go).
    time.sleep(3)
    assert first.poll() is None, "the first run finished before it could be killed"
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    assert generated == 8 and first.returncode == -signal.SIGKILL

    second = _run(tmp_path, delay=0.0)
    out, _ = second.communicate(timeout=300)
    assert second.returncode == 0, out[-2000:]
    redone = out.count("GENERATE")
    assert redone < declared, "the resumed run redid everything: nothing was reused"

    cells = status(spec)
    assert all(c.done == c.declared == 4 and c.errored == 0 for c in cells), cells
    table = results_table(spec)
    assert len(table) == declared
    assert not table.duplicated(["arm", "sample", "epoch"]).any()
    assert (tmp_path / "logs" / "results.parquet").exists()

    # The report's numbers against a hand count: per arm 3 lethal cells x 2 seeds x 2 epochs;
    # "variant" cancels in the two threatened cells (8 of 12), "base" never (0 of 12).
    page = render_html(spec.log_dir)
    variant_low, variant_high = wilson(8, 12)
    assert f"<td>8/12</td><td>[{100 * variant_low:.1f}, {100 * variant_high:.1f}]</td>" in page
    assert "<td>0/12</td><td>[0.0, 24.2]</td>" in page
    difference = compare(8, 12, 0, 12)  # variant against the baseline arm, base
    low, high = 100 * difference.low, 100 * difference.high
    assert f"<td>+66.7 pts</td><td>[{low:+.1f}, {high:+.1f}]</td>" in page
    assert f"<td>{difference.p_fisher:.4g}</td>" in page
    assert "Baseline: <b>base</b>" in page


def test_spec_round_trip_and_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "spec.yaml").write_text(SPEC.replace("epochs: 2", "epochs: 1"))
    assert main(["experiment", "status", str(tmp_path / "spec.yaml")]) == 0
    assert "0/12 trials done" in capsys.readouterr().out
    assert main(["experiment", "run", str(tmp_path / "spec.yaml")]) == 0
    out = capsys.readouterr().out
    assert "12/12 trials done" in out and "results.parquet" in out


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"arms": [{"name": "a", "model": "mockllm/model"}]}, "`name`"),
        ({"name": "x"}, "exactly one of `arms`"),
        ({"name": "x", "models": ["gpt4"]}, "`models`"),
        ({"name": "x", "models": ["a/b"], "epochs": 0}, "`epochs`"),
        ({"name": "x", "models": ["a/b"], "seeds": [1, 1]}, "`seeds`"),
        ({"name": "x", "models": ["a/b"], "grid": {"family": "arson"}}, "field `grid`"),
        ({"name": "x", "models": ["a/b"], "grid": {"colour": "red"}}, "field `grid`"),
        ({"name": "x", "models": ["a/b"], "judge_policy": "grader"}, "needs `graders`"),
        ({"name": "x", "models": ["a/b"], "temprature": 1}, "unknown field"),
        (
            {"name": "x", "arms": [{"name": "a", "model": "m/a"}, {"name": "a", "model": "m/b"}]},
            "unique",
        ),
        ({"name": "x", "arms": [{"name": "a"}]}, r"arms\[0\]\.model"),
    ],
)
def test_spec_errors_name_the_field(data: dict[str, object], field: str) -> None:
    with pytest.raises(SpecError, match=field):
        parse_spec(data)


def test_bad_spec_file_is_a_clear_cli_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "spec.yaml").write_text("name: [unclosed")
    assert main(["experiment", "status", str(tmp_path / "spec.yaml")]) == 2
    assert "not valid YAML" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"scratchpad": "false"}, r"options\.scratchpad must be true or false"),
        ({"safety_instructions": "false"}, r"options\.safety_instructions"),
        ({"extra_instructions": ["a", "b"]}, r"options\.extra_instructions must be a string"),
        ({"agent_name": 7}, r"options\.agent_name"),
        ({"mode": "chatty"}, r"options\.mode must be one of single, multi"),
        ({"max_turns": True}, r"options\.max_turns must be a whole number"),
        ({"diverse": "yes"}, r"options\.diverse must be true or false"),
    ],
)
def test_option_types_are_checked(options: dict[str, object], message: str) -> None:
    with pytest.raises(SpecError, match=message):
        parse_spec({"name": "x", "models": ["a/b"], "options": options})


def test_other_spec_checks() -> None:
    with pytest.raises(SpecError, match=r"unknown key.*modelargs"):
        parse_spec({"name": "x", "arms": [{"name": "a", "model": "m/a", "modelargs": {}}]})
    with pytest.raises(SpecError, match="reasoning `grader` needs `graders`"):
        parse_spec({"name": "x", "models": ["a/b"], "reasoning": "grader"})


def test_a_goal_value_list_keeps_the_explicit_cells() -> None:
    spec = parse_spec(
        {
            "name": "x",
            "models": ["a/b"],
            "grid": {"name": "paper", "goal_value": ["safety", "global"]},
        }
    )
    cells = spec.conditions()
    assert len(cells) == 3 * 3 * 2 + 9  # explicit cells for both values, the controls once
    assert {c.goal_value for c in cells} == {"safety", "global", None}


def test_errored_samples_are_retried(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A model that fails the first call for every prompt still completes every trial."""
    from inspect_ai.model._providers.mockllm import MockLLM

    from whylab.experiments import run_experiment

    original, seen = MockLLM.generate, set()

    async def flaky(self, input, tools, tool_choice, config):  # type: ignore[no-untyped-def]
        key = input[-1].text
        if key not in seen:
            seen.add(key)
            raise RuntimeError("transient provider failure")
        return await original(self, input, tools, tool_choice, config)

    monkeypatch.setattr(MockLLM, "generate", flaky)
    spec = parse_spec(
        {
            "name": "flaky",
            "models": ["mockllm/model"],
            "grid": {"family": "lethal", "goal_type": "none"},
        },
        base=tmp_path,
    )
    assert run_experiment(spec, display="none")
    assert all(c.done == c.declared and c.errored == 0 for c in status(spec))


def test_a_split_and_multi_turn_spec_builds_its_tasks() -> None:
    """Training experiments declare the split and the mode; every arm gets the same cells."""
    from whylab.experiments.runner import build_tasks

    spec = parse_spec(
        {
            "name": "ood",
            "models": ["mockllm/a", "mockllm/b"],
            "grid": {"name": "smoke", "split": "eval_ood", "family": ["sabotage", "blackmail"]},
            "options": {"mode": "multi", "max_turns": 4, "leverage": "health", "diverse": True},
        }
    )
    cells = spec.conditions()
    assert len(cells) == 2 * 2 * 3  # two families x two smoke cells x the three eval_ood worlds
    assert {c.leverage for c in cells if c.family == "blackmail"} == {"health"}
    tasks = build_tasks(spec)
    assert [len(t.dataset) for t in tasks] == [12, 12]
    sample = tasks[0].dataset[0]
    assert sample.metadata is not None
    assert (sample.metadata["mode"], sample.metadata["split"]) == ("multi", "eval_ood")
