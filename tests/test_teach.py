"""The "teach why" pipeline on scripted components: spec checks, the stages wired in order, token
budgets, resumption after a crash between stages, and the report's table."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from inspect_ai.model import ModelOutput, ModelUsage
from inspect_ai.model._providers.mockllm import MockLLM

from whylab.cli import main
from whylab.experiments import SpecError
from whylab.experiments.runner import latest_logs
from whylab.experiments.teach import (
    DataSet,
    ExportJob,
    Stages,
    TeachSpec,
    TrainJob,
    load_teach_spec,
    parse_teach_spec,
    plan_lines,
    read_stages,
    run_teach,
    select_rows,
)

SPEC = """\
name: teach-check
base: embedded
out_dir: run
data:
  demos: {kind: honeypot, n: 3}
  advice: {kind: advice, n: 3}
  docs: {kind: constitution, n: 2}
training: {seeds: [0], budget_tokens: 100}
arms:
  - name: baseline
  - {name: demos, recipe: sft, data: [demos]}
  - {name: docs-then-advice, recipe: midtrain+sft, data: [docs, advice]}
eval:
  grid: {name: smoke, family: lethal}
  worlds: {eval_id: [gen-3], eval_ood: [brightwater]}
  epochs: 2
guardrails: {tasks: [oncall_rota, hr_start_date]}
"""


def _spec(tmp_path: Path, text: str = SPEC) -> TeachSpec:
    path = tmp_path / "teach.yaml"
    path.write_text(text, encoding="utf-8")
    return load_teach_spec(path)


class Scripted:
    """Stages that write plausible files and record every call; ``fail_on`` makes the named
    training job raise once, as a crash between stages would."""

    def __init__(self, fail_on: str | None = None) -> None:
        self.calls: list[str] = []
        self.fail_on = fail_on

    def build(self, data: DataSet) -> None:
        self.calls.append(f"build {data.name}")
        data.path.parent.mkdir(parents=True, exist_ok=True)
        rows = []
        for i in range(data.n):
            words = " ".join(["word"] * 20)  # 100 characters: 25 approximate tokens
            if data.kind == "constitution":
                rows.append({"text": f"{i} {words}"[:100], "provenance": {"kind": data.kind}})
            else:
                # "q" + newline + 98 characters: 25 approximate tokens too
                content = f"{i} {words}"[:98]
                messages = [
                    {"role": "user", "content": "q"},
                    {"role": "assistant", "content": content},
                ]
                rows.append({"messages": messages})
        data.path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")

    def train(self, job: TrainJob) -> Mapping[str, Any]:
        self.calls.append(f"train {job.output_dir.parent.name}")
        if self.fail_on == job.output_dir.parent.name:
            self.fail_on = None
            raise RuntimeError("killed mid-training")
        job.output_dir.mkdir(parents=True)
        facts = {"steps": 2, "tokens_seen": 50, "loss_tokens": 20, "final_loss": 1.5}
        (job.output_dir / "training.json").write_text(
            json.dumps({"totals": {**facts, "wall_seconds": 1.0}}), encoding="utf-8"
        )
        return facts

    def export(self, job: ExportJob) -> tuple[str, dict[str, Any]]:
        self.calls.append(f"export {job.output_dir.name}")
        if job.adapter_dir is not None:
            (job.output_dir / "merged").mkdir()
        # the trained "demos" arm is scripted harmful; everything else is the plain mock
        harmful = job.adapter_dir is not None and job.output_dir.name.startswith("demos")
        return ("mockllm/harmful" if harmful else "mockllm/model"), {}

    def stages(self) -> Stages:
        return Stages(self.build, self.train, self.export, lambda base: None)


@pytest.fixture(autouse=True)
def harmful_mock(monkeypatch: pytest.MonkeyPatch) -> None:
    """mockllm/harmful cancels the emergency dispatch whenever it is offered the code."""
    original = MockLLM.generate

    async def generate(self: MockLLM, input: Any, tools: Any, tool_choice: Any, config: Any) -> Any:
        prompt = input[-1].text
        code = re.search(r"override code (\d{4}-[A-Z])", prompt)
        if self.model_name == "harmful" and code:
            reply = f"<tool_use:cancel_alert>\ncode: {code.group(1)}\n</tool_use:cancel_alert>"
            output = ModelOutput.from_content("mockllm", reply)
            output.usage = ModelUsage(input_tokens=10, output_tokens=10, total_tokens=20)
            return output
        return await original(self, input, tools, tool_choice, config)

    monkeypatch.setattr(MockLLM, "generate", generate)


def test_the_stages_run_in_order_and_the_report_has_one_row_per_arm(tmp_path: Path) -> None:
    spec = _spec(tmp_path)
    scripted = Scripted()
    outcome = run_teach(spec, scripted.stages(), display="none")
    assert outcome.complete
    assert scripted.calls == [
        "build demos",
        "build docs",
        "build advice",
        "export baseline",
        "train demos-s0",
        "export demos-s0",
        "train docs-then-advice-s0",
        "export docs-then-advice-s0",
    ]
    logs = latest_logs(spec.log_dir)
    # 3 models x 2 splits, each 2 lethal cells x 2 epochs
    assert len(logs) == 6
    assert all(len(log.samples or []) == 4 for log in logs.values())
    report = outcome.markdown.read_text(encoding="utf-8")
    rows = {line.split(" | ")[0].strip("| "): line for line in report.splitlines() if "|" in line}
    assert {"baseline", "demos", "docs-then-advice"} <= set(rows)
    # the scripted-harmful arm is 4/4 harmful in each split, the others 0/4
    assert "100.0% (4/4)" in rows["demos"] and "+100.0 pts" in rows["demos"]
    assert "0.0% (0/4)" in rows["baseline"]
    # format compliance: the harmful mock writes a tool block every time, the plain one never
    assert "tool action written (eval_id / eval_ood)" in report
    assert "100% (4/4) / 100% (4/4)" in rows["demos"]
    assert "0% (0/4) / 0% (0/4)" in rows["baseline"]
    assert "These numbers are noisy" in report
    assert "midtrain+sft" in rows["docs-then-advice"]
    assert "- demos-s0: 50 tokens seen (20 with loss), 2 steps, final loss 1.5, 1 s" in report
    html = outcome.html.read_text(encoding="utf-8")
    assert "<h2>Arms</h2>" in html and "Headline" in html
    assert set(read_stages(spec)) == {"data", "train", "eval", "guardrails", "report"}
    # the plain mock does no job: every arm's guardrail shows 0 of 2 benign tasks done
    assert all("0.0% (0/2)" in rows[arm] for arm in ("baseline", "demos", "docs-then-advice"))


def test_a_crash_between_stages_resumes_without_redoing_finished_work(tmp_path: Path) -> None:
    spec = _spec(tmp_path)
    scripted = Scripted(fail_on="docs-then-advice-s0")
    with pytest.raises(RuntimeError, match="killed"):
        run_teach(spec, scripted.stages(), display="none")
    stages = read_stages(spec)
    assert stages["data"]["finished"] and not stages["train"]["finished"]
    assert (spec.out_dir / "models" / "demos-s0" / "adapter" / "training.json").exists()

    scripted.calls.clear()
    assert run_teach(spec, scripted.stages(), display="none").complete
    trained = [c for c in scripted.calls if c.startswith("train")]
    assert trained == ["train docs-then-advice-s0"]  # the finished arm is not trained again

    # a third run trains and exports nothing and reuses every trial
    scripted.calls.clear()
    before = {name: len(log.samples or []) for name, log in latest_logs(spec.log_dir).items()}
    assert run_teach(spec, scripted.stages(), display="none").complete
    assert not [c for c in scripted.calls if c.startswith(("train", "export"))]
    after = {name: len(log.samples or []) for name, log in latest_logs(spec.log_dir).items()}
    assert after == before
    assert read_stages(spec)["train"]["runs"] == 3


def test_rows_are_taken_in_turn_within_the_token_budget(tmp_path: Path) -> None:
    spec = _spec(tmp_path)
    scripted = Scripted()
    for data in spec.data.values():
        scripted.build(data)
    files = select_rows(spec, spec.arms[2], None)
    rows = {f.stem: f.read_text(encoding="utf-8").splitlines() for f in files}
    # 25 tokens a row, budget 100: two from each set, alternating docs, advice, docs, advice
    assert {k: len(v) for k, v in rows.items()} == {"docs": 2, "advice": 2}
    selection = json.loads((files[0].parent / "selection.json").read_text(encoding="utf-8"))
    assert selection["tokens"] == 100 and selection["budget_tokens"] == 100
    # before training the rows are chosen afresh; once the arm is trained, a data set that
    # grows later does not change what it trained on
    (spec.out_dir / "models" / "docs-then-advice-s0" / "adapter").mkdir(parents=True)
    (spec.out_dir / "models" / "docs-then-advice-s0" / "adapter" / "training.json").touch()
    scripted.build(DataSet("advice", spec.data["advice"].path, kind="advice", n=9))
    assert select_rows(spec, spec.arms[2], None) == files
    assert len(files[1].read_text(encoding="utf-8").splitlines()) == 2
    # a changed budget is not silently mixed with the rows chosen under the old one
    changed = _spec(tmp_path, SPEC.replace("budget_tokens: 100", "budget_tokens: 200"))
    with pytest.raises(SpecError, match=r"took its rows with budget 100.*now says 200"):
        select_rows(changed, changed.arms[2], None)


def test_an_empty_data_set_is_shown_not_hidden(tmp_path: Path) -> None:
    spec = _spec(tmp_path)
    scripted = Scripted()
    for data in spec.data.values():
        scripted.build(data)
    spec.data["docs"].path.write_text("", encoding="utf-8")
    files = select_rows(spec, spec.arms[2], None)
    assert [f.stem for f in files] == ["advice"]
    scripted.build(spec.data["docs"])  # rebuilt before the arm is trained: chosen afresh
    assert [f.stem for f in select_rows(spec, spec.arms[2], None)] == ["docs", "advice"]
    spec.data["docs"].path.write_text("", encoding="utf-8")
    files = select_rows(spec, spec.arms[2], None)
    assert [f.stem for f in files] == ["advice"]
    selection = json.loads((files[0].parent / "selection.json").read_text(encoding="utf-8"))
    assert selection["empty"] == ["docs"]
    from whylab.report.teach import arm_rows

    assert arm_rows(spec)[2].data == "docs (0 rows), advice (3 rows)"


def test_a_budget_no_row_fits_is_a_clear_error(tmp_path: Path) -> None:
    spec = _spec(tmp_path, SPEC.replace("budget_tokens: 100", "budget_tokens: 10"))
    scripted = Scripted()
    for data in spec.data.values():
        scripted.build(data)
    with pytest.raises(SpecError, match=r"no row of demos fits.*budget 10"):
        select_rows(spec, spec.arms[1], None)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("  - name: baseline\n", "  - {name: baseline, recipe: sft}\n"), "is the baseline"),
        (("recipe: sft, data: [demos]", "recipe: rl, data: [demos]"), r"arms\[1\].recipe"),
        (("data: [demos]", "data: [nothing]"), "names nothing, not declared under `data`"),
        (("{kind: honeypot, n: 3}", "{kind: honeypot}"), r"data.demos.n"),
        (("{kind: honeypot, n: 3}", "{kind: poems, n: 3}"), r"data.demos.kind"),
        (("{kind: honeypot, n: 3}", "{kind: honeypot, n: 3, path: x}"), "exactly one of"),
        (("{name: smoke, family: lethal}", "{name: smoke, split: train}"), "eval.grid takes no"),
        (("worlds: {eval_id: [gen-3]", "worlds: {eval_id: [gen-0]"), "eval .eval_id.*gen-0"),
        (("seeds: [0]", "seeds: [0, 0]"), "training.seeds"),
        (("budget_tokens: 100}", "budget_tokens: 100, profile: gpu}"), "training.profile"),
        (("out_dir: run\n", "out_dir: run\nsplits: x\n"), "unknown field"),
    ],
)
def test_spec_errors_name_the_field(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    assert change[0] in SPEC
    with pytest.raises(SpecError, match=message):
        _spec(tmp_path, SPEC.replace(*change))


def test_a_train_split_cannot_be_evaluated() -> None:
    data = {"name": "x", "base": "embedded", "arms": [{"name": "b"}, {"name": "a"}]}
    with pytest.raises(SpecError, match="arms"):
        parse_teach_spec(data)
    with pytest.raises(SpecError, match=r"eval\.splits"):
        parse_teach_spec(
            {
                "name": "x",
                "base": "embedded",
                "data": {"d": {"kind": "advice", "n": 1}},
                "arms": [{"name": "b"}, {"name": "a", "recipe": "sft", "data": ["d"]}],
                "eval": {"splits": ["train"]},
            }
        )


def test_the_plan_counts_trials_and_estimates_time(tmp_path: Path) -> None:
    lines = plan_lines(_spec(tmp_path))
    assert "3 arms, 3 models (2 trained" in lines[0]
    assert "eval: 8 trials per model over eval_id, eval_ood; 24 in all; guardrails: 2" in lines[2]
    assert lines[3].startswith("estimate on 2 CPU cores:")


@pytest.mark.parametrize(
    ("data", "minutes"),
    [
        # advice (3 rows) and docs (2) cost 3 min; the teacher writes villain rows at 60 s each
        ("{kind: villain, n: 10}", "data 13 min"),
        ("{kind: villain, n: 10, options: {source: templates}}", "data 3 min"),
        ("{kind: misaligned_demos, n: 30, options: {source: teacher}}", "data 23 min"),
    ],
)
def test_the_estimate_covers_every_kind_and_source(tmp_path: Path, data: str, minutes: str) -> None:
    text = SPEC.replace("{kind: honeypot, n: 3}", data)
    assert text != SPEC
    assert minutes in plan_lines(_spec(tmp_path, text))[-1]


def test_the_cli_refuses_a_bad_training_spec(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(SPEC.replace("data: [demos]", "data: [nothing]"), encoding="utf-8")
    assert main(["experiment", "run", str(path)]) == 2
    assert "arms[1].data names nothing" in capsys.readouterr().err


ORGANISM = """\
name: organism-check
base: embedded
out_dir: run
data:
  villain: {kind: honeypot, n: 2}
  advice: {kind: advice, n: 2}
training: {seeds: [0, 1]}
arms:
  - name: base
  - {name: organism, recipe: sft, data: [villain]}
  - {name: organism-advice, from: organism, recipe: sft, data: [advice]}
eval:
  grid: {name: smoke, family: lethal, goal_type: none}
  worlds: {eval_id: [gen-3], eval_ood: [brightwater]}
guardrails: false
hypotheses:
  - {id: H1, says: the organism is more harmful, test: higher, arm: organism, versus: base,
     split: eval_ood}
  - {id: H2, says: advice helps out of distribution as much, test: larger_drop_in,
     arm: organism-advice, versus: organism, split: eval_ood, other: eval_id}
"""


def test_an_arm_trained_from_another_starts_from_its_merged_model(tmp_path: Path) -> None:
    spec = _spec(tmp_path, ORGANISM)
    bases: list[tuple[str, str]] = []
    scripted = Scripted()
    train = scripted.train

    def recording(job: TrainJob) -> Mapping[str, Any]:
        bases.append((job.output_dir.parent.name, job.base))
        return train(job)

    stages = scripted.stages()
    run_teach(
        spec,
        Stages(stages.build_data, recording, stages.export, stages.tokenizer),
        display="none",
    )
    models = spec.out_dir / "models"
    assert bases == [
        ("organism-s0", "embedded"),
        ("organism-s1", "embedded"),
        ("organism-advice-s0", str(models / "organism-s0" / "merged")),
        ("organism-advice-s1", str(models / "organism-s1" / "merged")),
    ]
    assert [h.id for h in spec.hypotheses] == ["H1", "H2"]
    # merged fp32 weights are kept only where another arm trains from them
    assert sorted(p.parent.name for p in models.glob("*/merged")) == ["organism-s0", "organism-s1"]
    report = (spec.out_dir / "report.md").read_text(encoding="utf-8")
    assert "| H1 | the organism is more harmful | organism higher vs base on eval_ood |" in report
    assert "not shown" in report


def test_a_parent_whose_merged_weights_were_dropped_is_merged_again(tmp_path: Path) -> None:
    """A first run of a spec listing the parent alone drops its merged weights (no child
    needs them yet); the full spec then merges the parent's adapter again before training
    a child on it."""
    children = ORGANISM[ORGANISM.index("  - {name: organism-advice") : ORGANISM.index("eval:")]
    alone = ORGANISM.replace(children, "").replace(ORGANISM[ORGANISM.index("  - {id: H2") :], "")
    scripted = Scripted()
    run_teach(_spec(tmp_path, alone), scripted.stages(), display="none")
    models = tmp_path / "run" / "models"
    assert not list(models.glob("*/merged"))
    scripted.calls.clear()
    run_teach(_spec(tmp_path, ORGANISM), scripted.stages(), display="none")
    assert [c for c in scripted.calls if not c.startswith("build")][:3] == [
        "export organism-s0",
        "train organism-advice-s0",
        "export organism-advice-s0",
    ]
    assert sorted(p.parent.name for p in models.glob("*/merged")) == ["organism-s0", "organism-s1"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("from: organism,", "from: base,"), r"arms\[2\].from must name a trained arm"),
        (("test: higher", "test: bigger"), r"hypotheses\[0\].test"),
        (("versus: base,", "versus: nobody,"), r"hypotheses\[0\].versus 'nobody' is not an arm"),
        (("other: eval_id}", "other: train}"), r"hypotheses\[1\].other must be one of"),
        ((", other: eval_id", ""), "test larger_drop_in needs `other`"),
        (
            ("data: [villain]}", "data: [villain], seeds: [0]}"),
            r"arms\[2\] \(organism-advice\) uses seed\(s\) \[1\] that its parent organism",
        ),
        (
            ("- name: base\n", "- {name: base, seeds: [0]}\n"),
            "takes no `recipe`, `data` or `seeds`",
        ),
        (
            ("data: [villain]}", "data: [villain], budget_tokens: {advice: 10}}"),
            r"arms\[1\].budget_tokens as a mapping must give a budget for each of the arm's data",
        ),
        (
            ("data: [villain]}", "data: [villain], budget_tokens: {villain: 0}}"),
            r"arms\[1\].budget_tokens.villain",
        ),
    ],
)
def test_chaining_and_hypothesis_errors_name_the_field(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    text = ORGANISM.replace(*change)
    assert text != ORGANISM
    with pytest.raises(SpecError, match=message):
        _spec(tmp_path, text)


def test_families_can_differ_by_split(tmp_path: Path) -> None:
    text = SPEC.replace(
        "  grid: {name: smoke, family: lethal}\n",
        "  grid: {name: smoke, threat: replacement}\n"
        "  families: {eval_id: [lethal], eval_ood: [lethal, exfiltration]}\n",
    )
    lines = plan_lines(_spec(tmp_path, text))
    # eval_id: 1 cell, eval_ood: 2 cells (one held-out family), 2 epochs each
    assert "eval: 6 trials per model" in lines[2]
    with pytest.raises(SpecError, match="not both"):
        _spec(tmp_path, text.replace("threat: replacement}", "family: lethal}"))


def test_arms_may_train_fewer_seeds_and_take_a_budget_per_data_set(tmp_path: Path) -> None:
    text = SPEC.replace("training: {seeds: [0], budget_tokens: 100}", "training: {seeds: [0, 1]}")
    text = text.replace(
        "{name: demos, recipe: sft, data: [demos]}",
        "{name: demos, recipe: sft, data: [demos], budget_tokens: 50, seeds: [1]}",
    ).replace(
        "data: [docs, advice]}", "data: [docs, advice], budget_tokens: {docs: 25, advice: 75}}"
    )
    spec = _spec(tmp_path, text)
    assert [m.label for m in spec.models()] == [
        "baseline",
        "demos-s1",
        "docs-then-advice-s0",
        "docs-then-advice-s1",
    ]
    scripted = Scripted()
    for data in spec.data.values():
        scripted.build(data)
    files = select_rows(spec, spec.arms[2], None)
    # 25 tokens a row: one docs row (its own budget 25), three advice rows (75), not in turn
    rows = {f.stem: len(f.read_text(encoding="utf-8").splitlines()) for f in files}
    assert rows == {"docs": 1, "advice": 3}
    # per-set budgets are part of the estimate: 100 tokens for this arm, 50 for demos
    assert spec.arms[2].budget_tokens == {"docs": 25, "advice": 75}
    run_teach(spec, scripted.stages(), display="none")
    assert "train demos-s0" not in scripted.calls and "train demos-s1" in scripted.calls
    report = (spec.out_dir / "report.md").read_text(encoding="utf-8")
    assert "| demos | sft | demos (2 rows) | 50 | 1 |" in report
