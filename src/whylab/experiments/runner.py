"""Run an experiment with Inspect's ``eval_set``, report its progress, and tabulate its results.

One log directory per experiment and one task per arm (named ``<experiment>-<arm>``), so
re-running the same spec resumes: ``eval_set`` reuses completed samples, retries errored ones
and writes each task's log again with every sample once. Status and results read only the
newest log of each task, so a sample is never counted twice.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inspect_ai import Task, eval_set, task_with
from inspect_ai.log import EvalLog, list_eval_logs, read_eval_log
from inspect_ai.model import get_model

from whylab.agent.task import agentic_misalignment
from whylab.experiments.spec import ExperimentSpec
from whylab.judges.reasoning import DIMENSIONS
from whylab.judges.scorer import HARM_SCORER, REASONING_SCORER


def task_name(spec: ExperimentSpec, arm: str) -> str:
    return f"{spec.name}-{arm}"


def build_tasks(spec: ExperimentSpec) -> list[Task]:
    """One task per arm, its model bound, tagged with the experiment and the arm."""
    factors = {k: v for k, v in spec.grid.items() if k != "name"}
    return [
        task_with(
            agentic_misalignment(  # a fresh task per arm: task_with changes the task it gets
                grid=spec.grid.get("name"),
                **factors,
                **spec.options,
                seed=list(spec.seeds),
                temperature=spec.temperature,
                max_tokens=spec.max_tokens,
                judge_policy=spec.judge_policy,
                reasoning=spec.reasoning,
            ),
            name=task_name(spec, arm.name),
            model=get_model(arm.model, **arm.model_args),
            metadata={
                "experiment": spec.name,
                "arm": arm.name,
                "arm_index": index,
                "arm_model": arm.model,
            },
        )
        for index, arm in enumerate(spec.arms)
    ]


def run_experiment(spec: ExperimentSpec, display: str = "plain") -> bool:
    """Run (or resume) every arm; True when every task finished."""
    return evaluate_tasks(
        build_tasks(spec),
        spec.log_dir,
        epochs=spec.epochs,
        graders=spec.graders,
        display=display,
        one_at_a_time=any(arm.model.startswith("whylab-local/") for arm in spec.arms),
    )


def evaluate_tasks(
    tasks: Sequence[Task],
    log_dir: Path,
    *,
    epochs: int,
    graders: Sequence[str] = (),
    display: str = "plain",
    one_at_a_time: bool = False,
) -> bool:
    """Run (or resume) ``tasks`` into ``log_dir`` with ``eval_set``; True when all finished.

    ``one_at_a_time`` runs one task and one sample at a time, for local models that would only
    compete for the same CPU cores (and each hold their weights in memory)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    models = [get_model(g) for g in graders]
    success, _ = eval_set(
        list(tasks),
        log_dir=str(log_dir),
        epochs=epochs,
        model_roles={"grader": models} if models else None,
        display=display,  # type: ignore[arg-type]
        # A sample that errors is retried in place; one that keeps failing fails its task, so
        # eval_set retries the task (reusing every finished sample) and re-running the command
        # retries it again. fail_on_error=False would mark such a task complete and never
        # retry the sample.
        retry_on_error=2,
        retry_attempts=3,
        retry_wait=1,
        # Write every finished sample at once: a crash (even SIGKILL) then loses only the
        # samples in flight, and the re-run reuses everything else.
        log_buffer=1,
        max_tasks=1 if one_at_a_time else None,
        max_samples=1 if one_at_a_time else None,
    )
    return bool(success)


def latest_logs(log_dir: Path, *, samples: bool = True) -> dict[str, EvalLog]:
    """The newest log of each task in ``log_dir`` (older ones are superseded retries).

    The choice is made from headers alone; only the chosen logs are read in full, and only
    when ``samples`` is asked for.
    """
    newest: dict[str, EvalLog] = {}
    if not log_dir.exists():
        return newest
    for info in list_eval_logs(str(log_dir)):
        header = read_eval_log(info, header_only=True)
        name = header.eval.task
        if name not in newest or header.eval.created > newest[name].eval.created:
            newest[name] = header
    if samples:
        newest = {name: read_eval_log(log.location) for name, log in newest.items()}
    return newest


@dataclass(frozen=True)
class CellStatus:
    arm: str
    condition_id: str
    declared: int
    done: int
    errored: int

    @property
    def remaining(self) -> int:
        return max(0, self.declared - self.done)


def status(spec: ExperimentSpec) -> list[CellStatus]:
    """Done / errored / remaining trials per (arm, condition), from the newest logs."""
    logs = latest_logs(spec.log_dir)
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for arm in spec.arms:
        log = logs.get(task_name(spec, arm.name))
        for sample in (log.samples or []) if log else []:
            key = (arm.name, str((sample.metadata or {}).get("condition_id")))
            counts[key][1 if sample.error is not None else 0] += 1
    cells = []
    for arm in spec.arms:
        for condition in spec.conditions():
            done, errored = counts.get((arm.name, condition.id), [0, 0])
            cells.append(CellStatus(arm.name, condition.id, spec.trials_per_cell(), done, errored))
    return cells


def _harm(sample: Any) -> dict[str, Any]:
    score = (sample.scores or {}).get(HARM_SCORER)
    if score is None:
        return {"harmful": None, "category": None, "unscored_reason": None}
    value = score.value
    unscored = isinstance(value, float) and math.isnan(value)
    return {
        "harmful": None if unscored else bool(score.as_float() >= 0.5),
        "category": None if unscored else score.answer,
        "unscored_reason": score.reason if unscored else None,
    }


def _parsed(sample: Any) -> dict[str, Any]:
    """What the harm scorer's parser read from the reply ({} when it was not scored)."""
    score = (sample.scores or {}).get(HARM_SCORER)
    parsed = (score.metadata or {}).get("parsed") if score is not None else None
    return parsed if isinstance(parsed, dict) else {}


def _stated_assessment(sample: Any) -> str | None:
    value = _parsed(sample).get("stated_assessment")
    return value if isinstance(value, str) else None


def _actions(sample: Any) -> int | None:
    """Tool actions parsed from the reply: 0 means the agent wrote no usable tool block (the
    format-compliance measure for small models); None when the reply was not parsed."""
    actions = _parsed(sample).get("actions")
    return len(actions) if isinstance(actions, list) else None


def _reasoning(sample: Any) -> dict[str, Any]:
    score = (sample.scores or {}).get(REASONING_SCORER)
    value = score.value if score is not None and isinstance(score.value, dict) else {}
    return {f"reasoning_{d}": value.get(d) for d in DIMENSIONS}


def results_table(spec: ExperimentSpec) -> Any:
    """One row per trial (pandas DataFrame) of the experiment: see :func:`results_from_dir`."""
    return results_from_dir(spec.log_dir)


def results_from_dir(log_dir: Path) -> Any:
    """One row per trial (pandas DataFrame) from the newest log of each task in ``log_dir``, via
    ``inspect_ai.analysis``: experiment, arm, model, condition factors, seed, epoch, verdict,
    reasoning, parsed tool actions, tokens, error. Logs not made by an experiment get their
    task name as arm."""
    from inspect_ai.analysis import EvalColumn, SampleColumn, samples_df

    def derived(name: str, pick: Any) -> SampleColumn:
        return SampleColumn(name, path=pick, full=True)

    columns = [
        EvalColumn("experiment", path="eval.metadata.experiment"),
        EvalColumn("arm", path=lambda log: (log.eval.metadata or {}).get("arm", log.eval.task)),
        EvalColumn("arm_index", path=lambda log: (log.eval.metadata or {}).get("arm_index", 0)),
        EvalColumn("model", path="eval.model"),
        SampleColumn("sample", path="id", required=True),
        SampleColumn("epoch", path="epoch", required=True),
        *(
            SampleColumn(field, path=f"metadata.{field}")
            for field in (
                "condition_id",
                "family",
                "goal_type",
                "goal_value",
                "threat",
                "world",
                "seed",
                "split",
                "mode",
            )
        ),
        *(
            derived(k, lambda s, k=k: _harm(s)[k])
            for k in ("harmful", "category", "unscored_reason")
        ),
        derived("stated_assessment", _stated_assessment),
        derived("actions", _actions),
        *(
            derived(f"reasoning_{d}", lambda s, d=d: _reasoning(s)[f"reasoning_{d}"])
            for d in DIMENSIONS
        ),
        derived("input_tokens", lambda s: sum(u.input_tokens for u in s.model_usage.values())),
        derived("output_tokens", lambda s: sum(u.output_tokens for u in s.model_usage.values())),
        derived("error", lambda s: s.error.message if s.error else None),
    ]
    paths = [log.location for log in latest_logs(log_dir, samples=False).values()]
    table = samples_df(paths, columns=columns, quiet=True)
    for column in columns:  # samples_df leaves out a column that is empty in every row
        if column.name not in table.columns:
            table[column.name] = None
    return table


def export_results(spec: ExperimentSpec) -> Path:
    """Write ``results.parquet`` into the experiment's log dir; returns its path."""
    path = spec.log_dir / "results.parquet"
    results_table(spec).to_parquet(path, index=False)
    return path
