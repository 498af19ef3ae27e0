"""The "teach why" experiment: build data, train one arm per intervention, evaluate every arm in
and out of distribution, and report, from one YAML file.

```yaml
name: teach-why-cpu
base: embedded                  # the embedded model, or a local Hugging Face folder
out_dir: runs/teach-why-cpu     # optional (default runs/<name>, from the spec's folder)
teacher: whylab-local/qwen2.5-coder-0.5b   # default teacher of every data set
data:                           # named training sets, built once and shared by the arms
  demos: {kind: honeypot, n: 4}
  demos-values: {kind: honeypot, n: 4, variant: combined}
  advice: {kind: advice, n: 4, options: {max_tokens: 768}}
  docs: {kind: constitution, n: 2}
  mine: {path: data/mine.jsonl}  # or a file built elsewhere (used as is)
training:
  profile: cpu-small            # or replication (r=64, alpha=128, lr 1e-4, 1 epoch)
  seeds: [0]                    # one trained model per arm and seed
  budget_tokens: 20000          # per arm (an arm may override); equalises the arms' data
  export: q8_0                  # GGUF of each trained embedded model (q8_0 or f16)
  overrides: {max_steps: 20}    # max_steps, epochs, lr, max_length, grad_accum
arms:                           # the first arm is the untrained baseline
  - name: baseline
  - {name: demos, recipe: sft, data: [demos], seeds: [0]}   # fewer seeds than training.seeds
  - {name: docs-then-advice, recipe: midtrain+sft, data: [docs, advice],
     budget_tokens: {docs: 5000, advice: 15000}}            # a budget per data set
  - {name: demos-then-advice, from: demos, recipe: sft, data: [advice]}   # on demos' model
eval:
  splits: [eval_id, eval_ood]
  grid: {name: smoke, threat: replacement}
  worlds: {eval_id: [gen-3], eval_ood: [brightwater]}   # optional; default: the split's
  families: {eval_ood: [blackmail, exfiltration]}       # optional, per split
  epochs: 1
  seeds: [0]
  max_tokens: 512
guardrails: {epochs: 1}         # benign agentic tasks per model (`tasks:` picks some of
                                # whylab.scenarios.benign.TASKS); `false` turns them off
hypotheses:                     # optional, pre-registered; see whylab.stats.hypotheses
  - {id: H1, says: demos help in distribution more, test: larger_drop_in, arm: demos,
     versus: baseline, split: eval_id, other: eval_ood}
```

Every stage resumes: data builds continue from their files and caches; an arm whose
``training.json`` exists is not trained again (an interrupted one resumes from its newest
checkpoint); exported models are kept; Inspect's ``eval_set`` reuses every finished trial.
Each stage's wall time is added up in ``<out>/stages.json`` across runs. Every error in the
spec names its field and the fix, and nothing runs until the whole spec is valid.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from whylab.experiments.spec import ExperimentSpec, SpecError, parse_spec, read_spec_file
from whylab.interventions.core import KINDS
from whylab.stats.hypotheses import TESTS, Hypothesis

RECIPES = ("sft", "midtrain", "dpo", "midtrain+sft")
PROFILES = ("cpu-small", "replication")
EXPORTS = ("q8_0", "f16")
EMBEDDED_BASES = ("embedded", "whylab-local/qwen2.5-coder-0.5b")
DEFAULT_TEACHER = "whylab-local/qwen2.5-coder-0.5b"
STAGES = ("data", "train", "eval", "guardrails", "report")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
_OVERRIDES = {"max_steps": int, "epochs": int, "lr": float, "max_length": int, "grad_accum": int}
# Seconds per attempted row or trial, measured on this project's 2-core machine with the
# embedded model (teach-why-cpu, 2026-11-24; rows the filters drop cost time too; template kinds
# need no model), for the estimate printed before a run starts.
_SECONDS_PER_ROW = {
    "honeypot": 40.0,
    "advice": 40.0,
    "constitution": 40.0,
    "fiction": 60.0,
    "villain": 60.0,  # with source=teacher; like fiction
    "misaligned_demos": 40.0,  # with source=teacher; like honeypot
}
_SECONDS_PER_TEMPLATE_ROW = 0.1
_SECONDS_PER_TRIAL = 15.0
_TRAIN_TOKENS_PER_SECOND = 60.0
_SECONDS_PER_MODEL = 60.0  # load, merge and export one trained model


def is_teach_spec(data: Any) -> bool:
    """A spec with a ``base`` model trains arms; one without only evaluates models."""
    return isinstance(data, dict) and "base" in data


@dataclass(frozen=True)
class DataSet:
    """One named training set: built from ``kind`` by a teacher, or an existing ``path``."""

    name: str
    path: Path
    kind: str | None = None
    n: int = 0
    variant: str | None = None
    teacher: str = DEFAULT_TEACHER
    seed: int = 0
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def built_here(self) -> bool:
        return self.kind is not None


@dataclass(frozen=True)
class TrainArm:
    name: str
    recipe: str | None = None  # None: the untrained baseline
    data: tuple[str, ...] = ()
    # One budget for the arm's rows together, or one per data set (a combined arm then sees
    # exactly the rows its single-set arms see).
    budget_tokens: int | dict[str, int] | None = None
    parent: str | None = None  # trained on top of this arm's model (same seed), not the base
    seeds: tuple[int, ...] | None = None  # None: training.seeds


@dataclass(frozen=True)
class EvalPlan:
    splits: tuple[str, ...]
    grid: dict[str, Any]
    worlds: dict[str, list[str]]
    families: dict[str, list[str]]
    options: dict[str, Any]
    epochs: int
    seeds: tuple[int, ...]
    temperature: float
    max_tokens: int
    graders: tuple[str, ...]
    judge_policy: str


@dataclass(frozen=True)
class TeachSpec:
    name: str
    base: str
    out_dir: Path
    data: dict[str, DataSet]
    arms: tuple[TrainArm, ...]
    profile: str
    training_seeds: tuple[int, ...]
    budget_tokens: int | None
    export: str
    overrides: dict[str, Any]
    eval: EvalPlan
    guardrail_epochs: int | None  # None: no guardrail tasks
    guardrail_tasks: tuple[str, ...] = ()  # empty: every benign task
    hypotheses: tuple[Hypothesis, ...] = ()
    notes: str = ""

    @property
    def embedded(self) -> bool:
        return self.base in EMBEDDED_BASES

    @property
    def log_dir(self) -> Path:
        """The evaluation logs, laid out as an experiment's (`whylab report` reads them)."""
        return self.out_dir / "logs" / "eval"

    @property
    def guardrail_dir(self) -> Path:
        return self.out_dir / "logs" / "guardrails"

    def models(self) -> list[ArmModel]:
        """Every model to evaluate: the baseline once, each trained arm once per seed."""
        out = []
        for index, arm in enumerate(self.arms):
            for seed in (arm.seeds or self.training_seeds) if arm.recipe else (None,):
                out.append(ArmModel(arm, index, seed))
        return out


@dataclass(frozen=True)
class ArmModel:
    arm: TrainArm
    index: int
    seed: int | None  # None for the baseline

    @property
    def label(self) -> str:
        return self.arm.name if self.seed is None else f"{self.arm.name}-s{self.seed}"


# --- the spec -----------------------------------------------------------------------------------

_TOP_KEYS = (
    "name",
    "base",
    "out_dir",
    "teacher",
    "data",
    "training",
    "arms",
    "eval",
    "guardrails",
    "hypotheses",
    "notes",
)


def load_teach_spec(path: Path) -> TeachSpec:
    return parse_teach_spec(read_spec_file(path), base=path.parent)


def load_any_spec(path: Path) -> TeachSpec | ExperimentSpec:
    """A training spec when the file declares a ``base``, else an evaluation spec (one read)."""
    data = read_spec_file(path)
    if is_teach_spec(data):
        return parse_teach_spec(data, base=path.parent)
    return parse_spec(data, base=path.parent)


def parse_teach_spec(data: Any, base: Path = Path(".")) -> TeachSpec:
    if not is_teach_spec(data):
        raise SpecError("a training experiment is a YAML mapping with `name`, `base` and `arms`")
    unknown = sorted(set(data) - set(_TOP_KEYS))
    if unknown:
        raise SpecError(
            f"unknown field(s) {', '.join(unknown)}; the fields are {', '.join(_TOP_KEYS)}"
        )
    name = data.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise SpecError("field `name` must be 1-64 letters, digits, '-' or '_' (it names the run)")
    base_model = data["base"]
    if not isinstance(base_model, str) or not base_model:
        raise SpecError(
            "field `base` must be `embedded` or the path of a local Hugging Face model folder"
        )
    if base_model not in EMBEDDED_BASES:
        base_model = str(_path(base, base_model))
    out_dir = _path(base, _string(data, "out_dir", f"runs/{name}"))
    teacher = _string(data, "teacher", DEFAULT_TEACHER)
    sets = _data_sets(data.get("data") or {}, base, out_dir, teacher)
    training = _mapping(data.get("training") or {}, "training")
    _known(training, "training", ("profile", "seeds", "budget_tokens", "export", "overrides"))
    profile = training.get("profile", "cpu-small")
    if profile not in PROFILES:
        raise SpecError(f"training.profile must be one of {', '.join(PROFILES)}, got {profile!r}")
    export = training.get("export", "q8_0")
    if export not in EXPORTS:
        raise SpecError(f"training.export must be one of {', '.join(EXPORTS)}, got {export!r}")
    training_seeds = _seeds(training.get("seeds", [0]), "training.seeds")
    arms = _train_arms(data.get("arms"), sets, training_seeds)
    guardrails = data.get("guardrails", {"epochs": 1})
    if guardrails is not False:
        guardrails = _mapping(guardrails, "guardrails")
        _known(guardrails, "guardrails", ("epochs", "tasks"))
    spec = TeachSpec(
        name=name,
        base=base_model,
        out_dir=out_dir,
        data=sets,
        arms=arms,
        profile=profile,
        training_seeds=training_seeds,
        budget_tokens=_optional_positive(training.get("budget_tokens"), "training.budget_tokens"),
        export=export,
        overrides=_overrides(training.get("overrides") or {}),
        eval=_eval_plan(data.get("eval") or {}, name),
        guardrail_epochs=(
            None
            if guardrails is False
            else _positive(guardrails.get("epochs", 1), "guardrails.epochs")
        ),
        guardrail_tasks=_guardrail_tasks(guardrails),
        notes=_string(data, "notes", ""),
    )
    return replace(spec, hypotheses=_hypotheses(data.get("hypotheses") or [], spec))


def _guardrail_tasks(guardrails: Any) -> tuple[str, ...]:
    from whylab.scenarios.benign import TASKS

    if guardrails is False or "tasks" not in guardrails:
        return ()
    tasks = guardrails["tasks"]
    if not isinstance(tasks, list) or not tasks or any(t not in TASKS for t in tasks):
        raise SpecError(f"guardrails.tasks must list benign tasks from: {', '.join(TASKS)}")
    return tuple(tasks)


def _hypotheses(raw: Any, spec: TeachSpec) -> tuple[Hypothesis, ...]:
    """Pre-registered hypotheses: each names its test, arms and splits, checked against the
    spec so that a typo fails before the run rather than in the report."""
    if not isinstance(raw, list):
        raise SpecError("field `hypotheses` must be a list of {id, says, test, arm, versus, ...}")
    arms = [a.name for a in spec.arms]
    out = []
    for index, item in enumerate(raw):
        where = f"hypotheses[{index}]"
        item = _mapping(item, where)
        keys = ("id", "says", "test", "arm", "versus", "split", "other", "other_arm")
        _known(item, where, keys)
        missing = [k for k in ("id", "says", "test", "arm", "versus", "split") if k not in item]
        if missing:
            raise SpecError(f"{where} needs {', '.join(missing)}")
        if item["test"] not in TESTS:
            raise SpecError(f"{where}.test must be one of {', '.join(TESTS)}")
        for key in ("arm", "versus", "other_arm"):
            if key in item and item[key] not in arms:
                raise SpecError(f"{where}.{key} {item[key]!r} is not an arm ({', '.join(arms)})")
        for key in ("split", "other"):
            if key in item and item[key] not in spec.eval.splits:
                raise SpecError(f"{where}.{key} must be one of eval.splits")
        needs = {"larger_drop_in": "other", "larger_drop_per_token": "other_arm"}.get(item["test"])
        if needs and needs not in item:
            raise SpecError(f"{where}: test {item['test']} needs `{needs}`")
        out.append(Hypothesis(**{k: str(v) for k, v in item.items()}))
    ids = [h.id for h in out]
    if len(set(ids)) != len(ids):
        raise SpecError("hypothesis ids must be unique")
    return tuple(out)


def _path(base: Path, value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else (base / path).resolve()


def _string(data: Mapping[str, Any], key: str, default: str) -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise SpecError(f"field `{key}` must be a string, got {value!r}")
    return value


def _mapping(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise SpecError(f"field `{where}` must be a mapping, got {value!r}")
    return value


def _known(data: Mapping[str, Any], where: str, keys: tuple[str, ...]) -> None:
    unknown = sorted(set(data) - set(keys))
    if unknown:
        raise SpecError(f"{where} has unknown key(s) {', '.join(unknown)}; use {', '.join(keys)}")


def _positive(value: Any, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise SpecError(f"field `{where}` must be a whole number of at least 1, got {value!r}")
    return value


def _optional_positive(value: Any, where: str) -> int | None:
    return None if value is None else _positive(value, where)


def _seeds(raw: Any, where: str) -> tuple[int, ...]:
    seeds = raw if isinstance(raw, list) else [raw]
    if not seeds or not all(
        isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in seeds
    ):
        raise SpecError(f"field `{where}` must be a non-negative integer or a list of them")
    if len(set(seeds)) != len(seeds):
        raise SpecError(f"field `{where}` repeats a seed")
    return tuple(seeds)


def _data_sets(raw: Any, base: Path, out_dir: Path, teacher: str) -> dict[str, DataSet]:
    sets = {}
    for name, item in _mapping(raw, "data").items():
        where = f"data.{name}"
        if not isinstance(name, str) or not _NAME.match(name):
            raise SpecError(f"{where}: a data set's name must be letters, digits, '-' or '_'")
        item = _mapping(item, where)
        if ("kind" in item) == ("path" in item):
            raise SpecError(
                f"{where} needs exactly one of `kind` ({', '.join(KINDS)}: built here) or "
                "`path` (a JSONL file built elsewhere)"
            )
        if "path" in item:
            _known(item, where, ("path",))
            sets[name] = DataSet(name, _path(base, _string(item, "path", "")))
            continue
        _known(item, where, ("kind", "n", "variant", "teacher", "seed", "options", "steps"))
        if item["kind"] not in KINDS:
            raise SpecError(f"{where}.kind must be one of {', '.join(KINDS)}")
        options = dict(_mapping(item.get("options") or {}, f"{where}.options"))
        if "steps" in item:
            options["steps"] = _mapping(item["steps"], f"{where}.steps")
        sets[name] = DataSet(
            name,
            out_dir / "data" / f"{name}.jsonl",
            kind=item["kind"],
            n=_positive(item.get("n"), f"{where}.n"),
            variant=item.get("variant"),
            teacher=_string(item, "teacher", teacher),
            seed=_seeds(item.get("seed", 0), f"{where}.seed")[0],
            options=options,
        )
    return sets


def _train_arms(
    raw: Any, sets: Mapping[str, DataSet], training_seeds: tuple[int, ...]
) -> tuple[TrainArm, ...]:
    if not isinstance(raw, list) or len(raw) < 2:
        raise SpecError(
            "field `arms` must list the baseline (no recipe) first and at least one trained arm"
        )
    arms = []
    for index, item in enumerate(raw):
        where = f"arms[{index}]"
        item = _mapping(item, where)
        _known(item, where, ("name", "recipe", "data", "budget_tokens", "from", "seeds"))
        name = item.get("name")
        if not isinstance(name, str) or not _NAME.match(name):
            raise SpecError(f"{where}.name must be 1-64 letters, digits, '-' or '_'")
        recipe = item.get("recipe")
        if index == 0:
            if recipe is not None or item.get("data") or item.get("seeds") is not None:
                raise SpecError(f"{where} is the baseline: it takes no `recipe`, `data` or `seeds`")
            arms.append(TrainArm(name))
            continue
        if recipe not in RECIPES:
            raise SpecError(f"{where}.recipe must be one of {', '.join(RECIPES)}, got {recipe!r}")
        data = item.get("data")
        if not isinstance(data, list) or not data or not all(isinstance(d, str) for d in data):
            raise SpecError(f"{where}.data must list the names of data sets under `data`")
        missing = [d for d in data if d not in sets]
        if missing:
            raise SpecError(
                f"{where}.data names {', '.join(missing)}, not declared under `data` "
                f"(declared: {', '.join(sets) or 'none'})"
            )
        budget = _arm_budget(item.get("budget_tokens"), f"{where}.budget_tokens", data)
        parent = item.get("from")
        trained = {a.name: a for a in arms[1:]}
        if parent is not None and parent not in trained:
            raise SpecError(
                f"{where}.from must name a trained arm listed before it "
                f"({', '.join(trained) or 'none yet'}), got {parent!r}"
            )
        seeds = None if item.get("seeds") is None else _seeds(item["seeds"], f"{where}.seeds")
        arms.append(TrainArm(name, recipe, tuple(data), budget, parent, seeds))
    _check_parent_seeds(arms, training_seeds)
    names = [a.name for a in arms]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise SpecError(f"arm names must be unique; repeated: {', '.join(repeated)}")
    return tuple(arms)


def _arm_budget(raw: Any, where: str, data: list[str]) -> int | dict[str, int] | None:
    if not isinstance(raw, dict):
        return _optional_positive(raw, where)
    if set(raw) != set(data):
        raise SpecError(
            f"{where} as a mapping must give a budget for each of the arm's data sets "
            f"({', '.join(data)}), got {', '.join(map(str, raw)) or 'none'}"
        )
    return {name: _positive(raw[name], f"{where}.{name}") for name in data}


def _check_parent_seeds(arms: list[TrainArm], training_seeds: tuple[int, ...]) -> None:
    """An arm trained ``from`` another starts from that arm's model of the same seed, so the
    parent must have been trained with every seed the child uses."""
    by_name = {a.name: a for a in arms}
    for index, arm in enumerate(arms):
        if arm.parent is None:
            continue
        parent_seeds = by_name[arm.parent].seeds or training_seeds
        missing = [s for s in arm.seeds or training_seeds if s not in parent_seeds]
        if missing:
            raise SpecError(
                f"arms[{index}] ({arm.name}) uses seed(s) {missing} that its parent "
                f"{arm.parent} is not trained with ({list(parent_seeds)}); give arms[{index}] "
                "`seeds:` from its parent's"
            )


def _overrides(raw: Any) -> dict[str, Any]:
    raw = _mapping(raw, "training.overrides")
    _known(raw, "training.overrides", tuple(_OVERRIDES))
    for key, kind in _OVERRIDES.items():
        value = raw.get(key)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int | float) or value <= 0
        ):
            raise SpecError(f"training.overrides.{key} must be a positive number, got {value!r}")
        if value is not None and kind is int and not isinstance(value, int):
            raise SpecError(f"training.overrides.{key} must be a whole number, got {value!r}")
    return dict(raw)


def _eval_plan(raw: Any, name: str) -> EvalPlan:
    raw = _mapping(raw, "eval")
    keys = ("splits", "grid", "worlds", "families", "options", "epochs", "seeds", "temperature")
    _known(raw, "eval", (*keys, "max_tokens", "graders", "judge_policy"))
    splits = raw.get("splits", ["eval_id", "eval_ood"])
    if not isinstance(splits, list) or not splits or not set(splits) <= {"eval_id", "eval_ood"}:
        raise SpecError("eval.splits must list eval_id and/or eval_ood (never train)")
    grid = raw.get("grid", {"name": "smoke"})
    grid = {"name": grid} if isinstance(grid, str) else _mapping(grid, "eval.grid")
    if "split" in grid or "world" in grid:
        raise SpecError("eval.grid takes no split or world: use eval.splits and eval.worlds")
    if "family" in grid and "families" in raw:
        raise SpecError("give families in eval.grid or per split in eval.families, not both")
    per_split = {}
    for key in ("worlds", "families"):
        per_split[key] = _mapping(raw.get(key) or {}, f"eval.{key}")
        for split, listed in per_split[key].items():
            if split not in splits:
                raise SpecError(f"eval.{key}.{split}: {split!r} is not in eval.splits")
            if not isinstance(listed, list) or not all(isinstance(w, str) for w in listed):
                raise SpecError(f"eval.{key}.{split} must list names")
    worlds, families = per_split["worlds"], per_split["families"]
    common = {
        k: raw[k]
        for k in ("options", "epochs", "temperature", "max_tokens", "graders", "judge_policy")
        if k in raw
    }
    for split in splits:  # each split's grid must be a valid experiment grid
        cells = _split_grid(grid, split, worlds.get(split), families.get(split))
        _split_spec(name, split, cells, raw.get("seeds", [0]), common)
    return EvalPlan(
        splits=tuple(splits),
        grid=dict(grid),
        worlds={k: list(v) for k, v in worlds.items()},
        families={k: list(v) for k, v in families.items()},
        options=dict(raw.get("options") or {}),
        epochs=int(raw.get("epochs", 1)),
        seeds=_seeds(raw.get("seeds", [0]), "eval.seeds"),
        temperature=float(raw.get("temperature", 1.0)),
        max_tokens=int(raw.get("max_tokens", 1024)),
        graders=tuple(raw.get("graders") or ()),
        judge_policy=str(raw.get("judge_policy", "auto")),
    )


def _split_grid(
    grid: Mapping[str, Any], split: str, worlds: list[str] | None, families: list[str] | None
) -> dict[str, Any]:
    """One split's grid: the common grid, that split's worlds and families where given."""
    return {
        **grid,
        "split": split,
        **({"world": worlds} if worlds else {}),
        **({"family": families} if families else {}),
    }


def _split_spec(
    name: str,
    split: str,
    grid: Mapping[str, Any],
    seeds: Any,
    common: Mapping[str, Any],
) -> Any:
    """The evaluation of one split as an ordinary experiment spec (validated the same way)."""
    try:
        return parse_spec(
            {
                "name": f"{name}-{split}",
                "models": ["mockllm/model"],  # arms are bound when the tasks are built
                "grid": dict(grid),
                "seeds": seeds,
                **common,
            }
        )
    except SpecError as error:
        raise SpecError(f"eval ({split}): {error}") from None


# --- the stages ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainJob:
    """One arm and seed to train: the arm's selected rows, recipe and settings."""

    base: str
    data_files: tuple[Path, ...]
    recipe: str
    output_dir: Path
    profile: str
    seed: int
    overrides: dict[str, Any]


@dataclass(frozen=True)
class ExportJob:
    """One model to make evaluable: ``adapter_dir`` None means the untrained base."""

    base: str
    adapter_dir: Path | None
    output_dir: Path
    export: str
    embedded: bool


@dataclass(frozen=True)
class Stages:
    """The pipeline's heavy steps. The defaults build, train and export for real; tests give
    scripted ones to check the wiring and the resumption without a model."""

    build_data: Callable[[DataSet], None]
    train: Callable[[TrainJob], Mapping[str, Any]]
    export: Callable[[ExportJob], tuple[str, dict[str, Any]]]
    tokenizer: Callable[[str], str | None]


def default_stages() -> Stages:
    return Stages(_build_data, _train, _export, _tokenizer)


def _build_data(data: DataSet) -> None:
    from whylab.interventions.core import build

    options = dict(data.options)
    if data.variant:
        options["variant"] = data.variant
    data.path.parent.mkdir(parents=True, exist_ok=True)
    summary = build(
        str(data.kind), data.teacher, data.n, data.path, seed=data.seed, options=options
    )
    print(summary.format(), flush=True)


def _train(job: TrainJob) -> Mapping[str, Any]:
    from whylab.train import train

    result = train(
        job.base,
        list(job.data_files),
        job.recipe,
        job.output_dir,
        profile=job.profile,
        seed=job.seed,
        **job.overrides,
    )
    return result.to_dict()


def _export(job: ExportJob) -> tuple[str, dict[str, Any]]:
    """An Inspect model for the job: a GGUF for the embedded runtime when the base is the
    embedded model (fast on a CPU), else merged weights for Inspect's ``hf/`` provider. The
    baseline goes through the same conversion, so arms differ from it only by training."""
    from whylab.train import export_gguf, merge_adapter, prepare_base

    base_dir = prepare_base(job.base)
    merged = base_dir
    if job.adapter_dir is not None:
        merged = job.output_dir / "merged"
        if not (merged / "config.json").exists():
            merge_adapter(job.adapter_dir, merged)
    if job.embedded:
        gguf = job.output_dir / f"model-{job.export}.gguf"
        if not gguf.exists():
            export_gguf(merged, gguf, quant=job.export)
        return f"whylab-local/{gguf}", {}
    return "hf/local", {"model_path": str(merged)}


def _tokenizer(base: str) -> str | None:
    from whylab.train import prepare_base

    return str(prepare_base(base))


def run_teach(
    spec: TeachSpec, stages: Stages | None = None, *, display: str = "plain"
) -> TeachOutcome:
    """Run (or resume) every stage in order; see the module docstring."""
    stages = stages or default_stages()
    spec.out_dir.mkdir(parents=True, exist_ok=True)
    with _timed(spec, "data"):
        for data in _used_sets(spec):
            if data.built_here:
                stages.build_data(data)
            elif not data.path.exists():
                raise SpecError(f"data.{data.name}.path: {data.path} does not exist")
    with _timed(spec, "train"):
        models = _train_and_export(spec, stages)
    with _timed(spec, "eval"):
        evaluated = _evaluate(spec, models, display)
    guarded = True
    if spec.guardrail_epochs is not None:
        with _timed(spec, "guardrails"):
            guarded = _guardrails(spec, models, display)
    with _timed(spec, "report"):
        from whylab.report.teach import write_teach_report

        markdown, page = write_teach_report(spec)
    return TeachOutcome(evaluated and guarded, markdown, page)


@dataclass(frozen=True)
class TeachOutcome:
    complete: bool  # every trial of every arm finished without error
    markdown: Path
    html: Path


def _used_sets(spec: TeachSpec) -> list[DataSet]:
    names = dict.fromkeys(d for arm in spec.arms for d in arm.data)
    return [spec.data[n] for n in names]


@contextmanager
def _timed(spec: TeachSpec, stage: str) -> Iterator[None]:
    """Add the stage's wall time to ``stages.json``, also when it fails (then marked so)."""
    started = time.monotonic()
    print(f"== {spec.name}: {stage}", flush=True)
    ok = False
    try:
        yield
        ok = True
    finally:
        path = spec.out_dir / "stages.json"
        record = read_stages(spec)
        entry = record.setdefault(stage, {"wall_s": 0.0, "runs": 0})
        entry["wall_s"] = round(entry["wall_s"] + time.monotonic() - started, 1)
        entry["runs"] += 1
        entry["finished"] = ok
        path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


def read_stages(spec: TeachSpec) -> dict[str, Any]:
    path = spec.out_dir / "stages.json"
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


def arm_dir(spec: TeachSpec, model: ArmModel) -> Path:
    return spec.out_dir / "models" / model.label


def _train_and_export(
    spec: TeachSpec, stages: Stages
) -> list[tuple[ArmModel, str, dict[str, Any]]]:
    """Train every arm and seed not trained yet and make each model evaluable, in the spec's
    order, so that an arm trained ``from`` another finds that arm's merged model ready."""
    tokenizer: list[str | None] = []  # loaded once, and only if something is trained
    out = []
    for model in spec.models():
        adapter = None
        if model.arm.recipe is not None:
            adapter = arm_dir(spec, model) / "adapter"
            if (adapter / "training.json").exists():
                print(f"   {model.label}: trained already", flush=True)
            else:
                if not tokenizer:
                    tokenizer.append(stages.tokenizer(spec.base))
                if model.arm.parent is not None:
                    _parent_merged(spec, stages, model)
                files = select_rows(spec, model.arm, tokenizer[0])
                print(
                    f"   {model.label}: training {model.arm.recipe} on {len(files)} file(s)"
                    + (f" from {model.arm.parent}" if model.arm.parent else ""),
                    flush=True,
                )
                stages.train(
                    TrainJob(
                        _base_of(spec, model),
                        tuple(files),
                        model.arm.recipe,
                        adapter,
                        spec.profile,
                        int(model.seed or 0),
                        dict(spec.overrides),
                    )
                )
        out.append(_ready(spec, stages, model, adapter))
    if spec.embedded:
        _drop_merged_weights(spec)
    return out


def _drop_merged_weights(spec: TeachSpec) -> None:
    """Delete the fp32 merged weights (2.5 GB for the 0.5B model) of every model evaluated
    from its GGUF, except those of arms another arm trains ``from``: a study with a dozen arms
    would otherwise fill the disk. The adapter stays, so ``whylab export merge`` remakes them."""
    parents = {a.parent for a in spec.arms if a.parent}
    for model in spec.models():
        merged = arm_dir(spec, model) / "merged"
        if model.arm.name not in parents and merged.is_dir():
            shutil.rmtree(merged)


def _parent(spec: TeachSpec, model: ArmModel) -> ArmModel:
    index = next(i for i, a in enumerate(spec.arms) if a.name == model.arm.parent)
    return ArmModel(spec.arms[index], index, model.seed)


def _base_of(spec: TeachSpec, model: ArmModel) -> str:
    """What an arm trains on top of: the base, or its parent arm's merged model (same seed)."""
    if model.arm.parent is None:
        return spec.base
    return str(arm_dir(spec, _parent(spec, model)) / "merged")


def _parent_merged(spec: TeachSpec, stages: Stages, model: ArmModel) -> None:
    """Make the parent's merged weights again from its adapter when they are gone: a run of
    a spec that did not yet list the children dropped them (:func:`_drop_merged_weights`)."""
    parent = _parent(spec, model)
    folder = arm_dir(spec, parent)
    if not (folder / "merged").is_dir():
        print(f"   {parent.label}: merging its adapter again for {model.label}", flush=True)
        stages.export(ExportJob(spec.base, folder / "adapter", folder, spec.export, spec.embedded))


def select_rows(spec: TeachSpec, arm: TrainArm, tokenizer: str | None) -> list[Path]:
    """The arm's training files: rows taken from its data sets in turn, in file order, while
    the total stays within the arm's token budget, so that arms compared with each other see
    the same amount of data. ``selection.json`` records the choice; once a seed of the arm has
    been trained it is reused, so a data set grown later never changes what the arm saw (until
    then the rows are chosen afresh, from the data as it is now)."""
    from whylab.interventions.core import count_many, read_rows, row_text, token_method

    folder = spec.out_dir / "arms" / arm.name
    record = folder / "selection.json"
    budget = arm.budget_tokens or spec.budget_tokens
    trained = any(
        (arm_dir(spec, m) / "adapter" / "training.json").exists()
        for m in spec.models()
        if m.arm.name == arm.name
    )
    if record.exists() and trained:
        chosen = json.loads(record.read_text(encoding="utf-8"))
        if chosen["budget_tokens"] != budget or chosen.get("data") != list(arm.data):
            raise SpecError(
                f"arm {arm.name} took its rows with budget {chosen['budget_tokens']} from "
                f"{chosen.get('data')}; the spec now says {budget} from {list(arm.data)}. Delete "
                f"{folder} and {spec.out_dir / 'models'}/{arm.name}-s* to train it again, or "
                "give the changed arm a new name"
            )
        return [folder / f"{name}.jsonl" for name in chosen["sets"]]
    queues = {}
    for name in arm.data:
        rows = list(read_rows(spec.data[name].path))
        queues[name] = list(
            zip(rows, count_many([row_text(r) for r in rows], tokenizer), strict=True)
        )
    taken: dict[str, list[dict[str, Any]]] = {name: [] for name in arm.data}
    tokens = {name: 0 for name in arm.data}
    total, progressing = 0, True
    while progressing:
        progressing = False
        for name in arm.data:
            if not queues[name]:
                continue
            row, size = queues[name][0]
            if isinstance(budget, dict):
                over = tokens[name] + size > budget[name]
            else:
                over = budget is not None and total + size > budget
            if over:
                queues[name] = []  # the next row of this set no longer fits
                continue
            queues[name].pop(0)
            taken[name].append(row)
            tokens[name] += size
            total += size
            progressing = True
    empty = [name for name in arm.data if not taken[name]]
    if len(empty) == len(arm.data):
        raise SpecError(
            f"arm {arm.name}: no row of {', '.join(empty)} fits "
            f"(budget {budget} tokens; data set empty or its first row too long); build more "
            "rows or raise training.budget_tokens"
        )
    if empty:  # the arm trains on what it has; the report's data column shows the gap
        print(f"   warning: arm {arm.name} has no rows of {', '.join(empty)}", flush=True)
    folder.mkdir(parents=True, exist_ok=True)
    taken = {name: rows for name, rows in taken.items() if rows}
    for name, rows in taken.items():
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        (folder / f"{name}.jsonl").write_text(text, encoding="utf-8")
    summary = {
        "budget_tokens": budget,
        "data": list(arm.data),
        "tokens": total,
        "token_method": token_method(tokenizer),
        "sets": {name: {"rows": len(taken[name]), "tokens": tokens[name]} for name in taken},
        "empty": empty,
    }
    record.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return [folder / f"{name}.jsonl" for name in taken]


def _ready(
    spec: TeachSpec, stages: Stages, model: ArmModel, adapter: Path | None
) -> tuple[ArmModel, str, dict[str, Any]]:
    """The model as an Inspect model string (kept in ``model.json`` so a rerun skips it)."""
    folder = arm_dir(spec, model)
    record = folder / "model.json"
    if record.exists():
        known = json.loads(record.read_text(encoding="utf-8"))
        return model, str(known["model"]), dict(known["model_args"])
    folder.mkdir(parents=True, exist_ok=True)
    name, args = stages.export(ExportJob(spec.base, adapter, folder, spec.export, spec.embedded))
    record.write_text(json.dumps({"model": name, "model_args": args}) + "\n", encoding="utf-8")
    return model, name, args


def _one_at_a_time(models: list[tuple[ArmModel, str, dict[str, Any]]]) -> bool:
    """Local CPU models run one task and one sample at a time: in parallel they only fight
    over the same cores (and each holds its own weights in memory)."""
    return any(name.startswith(("whylab-local/", "hf/")) for _, name, _ in models)


def _evaluate(
    spec: TeachSpec, models: list[tuple[ArmModel, str, dict[str, Any]]], display: str
) -> bool:
    from inspect_ai import task_with
    from inspect_ai.model import get_model

    from whylab.agent.task import agentic_misalignment
    from whylab.experiments.runner import evaluate_tasks

    plan = spec.eval
    tasks = []
    for split in plan.splits:
        grid = _split_grid(plan.grid, split, plan.worlds.get(split), plan.families.get(split))
        factors: dict[str, Any] = {k: v for k, v in grid.items() if k not in ("name", "split")}
        for model, name, args in models:
            tasks.append(
                task_with(
                    agentic_misalignment(
                        grid=plan.grid.get("name"),
                        **factors,
                        split=split,
                        **plan.options,
                        seed=list(plan.seeds),
                        temperature=plan.temperature,
                        max_tokens=plan.max_tokens,
                        judge_policy=plan.judge_policy,
                    ),
                    name=f"{spec.name}-{model.label}-{split}",
                    model=get_model(name, **args),
                    metadata=_arm_metadata(spec, model, name),
                )
            )
    return evaluate_tasks(
        tasks,
        spec.log_dir,
        epochs=plan.epochs,
        graders=plan.graders,
        display=display,
        one_at_a_time=_one_at_a_time(models),
    )


def _arm_metadata(spec: TeachSpec, model: ArmModel, name: str) -> dict[str, Any]:
    return {
        "experiment": spec.name,
        "arm": model.arm.name,
        "arm_index": model.index,
        "arm_model": name,
        "training_seed": model.seed,
    }


def _guardrails(
    spec: TeachSpec, models: list[tuple[ArmModel, str, dict[str, Any]]], display: str
) -> bool:
    from inspect_ai import task_with
    from inspect_ai.model import get_model

    from whylab.agent.benign import benign_tasks
    from whylab.experiments.runner import evaluate_tasks

    plan = spec.eval
    tasks = [
        task_with(
            benign_tasks(
                task=list(spec.guardrail_tasks) or None,
                seed=list(plan.seeds),
                temperature=plan.temperature,
                max_tokens=plan.max_tokens,
            ),
            name=f"{spec.name}-{model.label}-guardrails",
            model=get_model(name, **args),
            metadata=_arm_metadata(spec, model, name),
        )
        for model, name, args in models
    ]
    return evaluate_tasks(
        tasks,
        spec.guardrail_dir,
        epochs=spec.guardrail_epochs or 1,
        display=display,
        one_at_a_time=_one_at_a_time(models),
    )


def _guardrail_trials(spec: TeachSpec) -> int:
    from whylab.scenarios.benign import TASKS

    if spec.guardrail_epochs is None:
        return 0
    tasks = len(spec.guardrail_tasks or TASKS)
    return tasks * spec.guardrail_epochs * len(spec.eval.seeds)


# --- before a run -------------------------------------------------------------------------------


def plan_lines(spec: TeachSpec) -> list[str]:
    """What the run will do and, for the embedded model, about how long it takes, from rates
    measured on a 2-core machine (a rough guide: small models' filters drop a varying share of
    rows, and a loaded machine is slower)."""
    from whylab.agent.task import conditions

    trials = 0
    for split in spec.eval.splits:
        grid = _split_grid(
            spec.eval.grid, split, spec.eval.worlds.get(split), spec.eval.families.get(split)
        )
        cells = conditions(
            spec.eval.grid.get("name"),
            **{k: v for k, v in grid.items() if k not in ("name", "split")},
            split=split,
            **{k: v for k, v in spec.eval.options.items() if k not in ("mode", "max_turns")},
        )
        trials += len(cells) * spec.eval.epochs * len(spec.eval.seeds)
    models = spec.models()
    trained = [m for m in models if m.arm.recipe]
    lines = [
        f"base {spec.base}; {len(spec.arms)} arms, {len(models)} models "
        f"({len(trained)} trained, training seeds {list(spec.training_seeds)})",
        f"data: {', '.join(f'{d.name} ({d.kind or d.path}, n={d.n})' for d in _used_sets(spec))}",
        f"eval: {trials} trials per model over {', '.join(spec.eval.splits)}; "
        f"{len(models) * trials} in all; guardrails: {_guardrail_trials(spec)} benign tasks "
        "per model",
    ]
    if spec.embedded:
        data_s = sum(
            (_SECONDS_PER_TEMPLATE_ROW if _templates(d) else _SECONDS_PER_ROW[str(d.kind)]) * d.n
            for d in _used_sets(spec)
            if d.built_here and not d.path.exists()
        )
        passes = float(spec.overrides.get("epochs", 1))
        train_s = sum(
            passes * _arm_tokens(spec, m.arm) / _TRAIN_TOKENS_PER_SECOND + _SECONDS_PER_MODEL
            for m in trained
        )
        eval_s = _SECONDS_PER_TRIAL * len(models) * trials
        guard_s = _SECONDS_PER_TRIAL * len(models) * _guardrail_trials(spec)
        total = data_s + train_s + eval_s + guard_s
        lines.append(
            f"estimate on 2 CPU cores: data {data_s / 60:.0f} min, training {train_s / 60:.0f} "
            f"min, eval {eval_s / 60:.0f} min, guardrails {guard_s / 60:.0f} min: about "
            f"{total / 60:.0f} min in all (finished stages are skipped on a rerun)"
        )
    return lines


def _arm_tokens(spec: TeachSpec, arm: TrainArm) -> int:
    budget = arm.budget_tokens or spec.budget_tokens or 20_000
    return sum(budget.values()) if isinstance(budget, dict) else budget


def _templates(data: DataSet) -> bool:
    """Whether the set is composed from templates (seconds to build, no model)."""
    from whylab.interventions.core import uses_teacher

    return not uses_teacher(str(data.kind), data.options)
