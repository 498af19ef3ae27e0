"""The experiment spec: a YAML file that declares arms x scenario grid x epochs x seeds.

```yaml
name: base-vs-why                # required; letters, digits, '-', '_'
log_dir: logs/experiments/base-vs-why   # optional (default logs/experiments/<name>); a
                                 # relative path is taken from the spec file's folder
arms:                            # or `models: [inspect/model, ...]` (one arm per model)
  - name: base
    model: whylab-local/qwen2.5-coder-0.5b
  - name: why-sft
    model: whylab-local/adapters/why-sft.gguf
    model_args: {n_ctx: 8192}
grid:                            # a named grid and/or factor lists (as the task's -T options)
  name: paper
  family: [blackmail, lethal]
  world: [brightwater, kestrel]   # or `split: eval_id` (that split's worlds and families)
options: {eval_awareness: true}  # agent_name, scratchpad, safety_instructions, leverage,
                                 # channel, diverse, mode (single|multi), max_turns, ...
epochs: 10
seeds: [0, 1]
temperature: 1.0
max_tokens: 1024
graders: [openai/gpt-4.1]       # optional
judge_policy: auto
reasoning: auto
```

Every error names the field and what would fix it; nothing runs until the whole spec is valid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from whylab.agent.task import conditions
from whylab.judges.policies import POLICIES
from whylab.scenarios import Condition, ConditionError
from whylab.scenarios.render import MODES

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
_GRID_KEYS = ("name", "family", "goal_type", "goal_value", "threat", "world", "split")
_OPTION_KEYS = (
    "agent_name",
    "scratchpad",
    "safety_instructions",
    "eval_awareness",
    "extra_instructions",
    "leverage",
    "channel",
    "diverse",
    "mode",
    "max_turns",
)
# Options of the task's run rather than of its conditions.
_RUN_OPTIONS = ("mode", "max_turns")
_TOP_KEYS = (
    "name",
    "log_dir",
    "arms",
    "models",
    "grid",
    "options",
    "epochs",
    "seeds",
    "temperature",
    "max_tokens",
    "graders",
    "judge_policy",
    "reasoning",
)


class SpecError(ValueError):
    """The spec is invalid; the message names the field and the fix."""


@dataclass(frozen=True)
class Arm:
    name: str
    model: str
    model_args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ExperimentSpec:
    name: str
    log_dir: Path
    arms: tuple[Arm, ...]
    grid: dict[str, Any]
    options: dict[str, Any]
    epochs: int
    seeds: tuple[int, ...]
    temperature: float
    max_tokens: int
    graders: tuple[str, ...]
    judge_policy: str
    reasoning: str

    def conditions(self) -> list[Condition]:
        """The declared cells, expanded and validated."""
        grid = dict(self.grid)
        cells = {k: v for k, v in self.options.items() if k not in _RUN_OPTIONS}
        return conditions(grid.pop("name", None), **grid, **cells)

    def trials_per_cell(self) -> int:
        """Samples each (arm, condition) must end up with: epochs x seeds."""
        return self.epochs * len(self.seeds)


def read_spec_file(path: Path) -> Any:
    """A spec file's YAML; an unreadable file or bad YAML is a SpecError naming the file."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise SpecError(f"cannot read the spec {path}: {error}") from None
    except yaml.YAMLError as error:
        raise SpecError(f"{path} is not valid YAML: {error}") from None


def load_spec(path: Path) -> ExperimentSpec:
    """Read and validate a spec file."""
    return parse_spec(read_spec_file(path), base=path.parent)


def parse_spec(data: Any, base: Path = Path(".")) -> ExperimentSpec:
    if not isinstance(data, dict):
        raise SpecError(
            "the spec must be a YAML mapping with at least `name` and `arms` or `models`"
        )
    unknown = sorted(set(data) - set(_TOP_KEYS))
    if unknown:
        raise SpecError(
            f"unknown field(s) {', '.join(unknown)}; the fields are {', '.join(_TOP_KEYS)}"
        )
    name = data.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise SpecError(
            "field `name` must be 1-64 letters, digits, '-' or '_' (it names the log dir)"
        )
    log_dir = data.get("log_dir", f"logs/experiments/{name}")
    if not isinstance(log_dir, str):
        raise SpecError("field `log_dir` must be a path string")
    spec = ExperimentSpec(
        name=name,
        log_dir=(base / log_dir) if not Path(log_dir).is_absolute() else Path(log_dir),
        arms=_arms(data),
        grid=_grid(data.get("grid", {"name": "smoke"})),
        options=_options(data.get("options", {})),
        epochs=_positive_int(data, "epochs", 1),
        seeds=_seeds(data.get("seeds", [0])),
        temperature=_number(data, "temperature", 1.0),
        max_tokens=_positive_int(data, "max_tokens", 1024),
        graders=_strings(data.get("graders", []), "graders"),
        judge_policy=_choice(data, "judge_policy", POLICIES),
        reasoning=_choice(data, "reasoning", ("auto", "lexical", "grader")),
    )
    if spec.judge_policy in ("grader", "both") and not spec.graders:
        raise SpecError(
            f"judge_policy `{spec.judge_policy}` needs `graders`: list at least one model"
        )
    if spec.reasoning == "grader" and not spec.graders:
        raise SpecError("reasoning `grader` needs `graders`: list at least one model")
    try:
        spec.conditions()
    except ConditionError as error:
        raise SpecError(f"field `grid` or `options`: {error}") from None
    return spec


def _arms(data: dict[str, Any]) -> tuple[Arm, ...]:
    if ("arms" in data) == ("models" in data):
        raise SpecError("give exactly one of `arms` (named model variants) or `models` (a list)")
    if "models" in data:
        models = _strings(data["models"], "models")
        arms = tuple(Arm(re.sub(r"[^A-Za-z0-9_-]", "_", m), m) for m in models)
    else:
        raw = data["arms"]
        if not isinstance(raw, list) or not raw:
            raise SpecError("field `arms` must be a non-empty list of {name, model, model_args}")
        arms = tuple(_arm(item, i) for i, item in enumerate(raw))
    if not arms:
        raise SpecError("field `models` must list at least one Inspect model")
    names = [a.name for a in arms]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise SpecError(f"arm names must be unique; repeated: {', '.join(duplicates)}")
    return arms


def _arm(item: Any, index: int) -> Arm:
    where = f"arms[{index}]"
    if not isinstance(item, dict):
        raise SpecError(f"{where} must be a mapping with name, model and optional model_args")
    unknown = sorted(set(item) - {"name", "model", "model_args"})
    if unknown:
        raise SpecError(
            f"{where} has unknown key(s) {', '.join(unknown)}; use name, model, model_args"
        )
    name, model, args = item.get("name"), item.get("model"), item.get("model_args", {})
    if not isinstance(name, str) or not _NAME.match(name):
        raise SpecError(f"{where}.name must be 1-64 letters, digits, '-' or '_'")
    if not isinstance(model, str) or "/" not in model:
        raise SpecError(f"{where}.model must be an Inspect model string like provider/name")
    if not isinstance(args, dict):
        raise SpecError(f"{where}.model_args must be a mapping")
    return Arm(name, model, dict(args))


def _grid(raw: Any) -> dict[str, Any]:
    if isinstance(raw, str):
        raw = {"name": raw}
    if not isinstance(raw, dict) or set(raw) - set(_GRID_KEYS):
        raise SpecError(f"field `grid` must be a grid name or a mapping of {', '.join(_GRID_KEYS)}")
    return dict(raw)


_OPTION_TYPES = {
    "agent_name": str,
    "scratchpad": bool,
    "safety_instructions": bool,
    "eval_awareness": bool,
    "extra_instructions": str,
    "leverage": str,
    "channel": str,
    "diverse": bool,
    "mode": str,
    "max_turns": int,
}


def _options(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict) or set(raw) - set(_OPTION_KEYS):
        raise SpecError(f"field `options` must be a mapping of {', '.join(_OPTION_KEYS)}")
    for key, value in raw.items():
        kind = _OPTION_TYPES[key]
        if key == "mode" and value not in MODES:
            raise SpecError(f"options.mode must be one of {', '.join(MODES)}, got {value!r}")
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            word = {bool: "true or false (not quoted)", int: "a whole number"}.get(kind, "a string")
            raise SpecError(f"options.{key} must be {word}, got {value!r}")
    return dict(raw)


def _positive_int(data: dict[str, Any], key: str, default: int) -> int:
    value = data.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise SpecError(f"field `{key}` must be a whole number of at least 1, got {value!r}")
    return value


def _number(data: dict[str, Any], key: str, default: float) -> float:
    value = data.get(key, default)
    if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
        raise SpecError(f"field `{key}` must be a non-negative number, got {value!r}")
    return float(value)


def _seeds(raw: Any) -> tuple[int, ...]:
    seeds = raw if isinstance(raw, list) else [raw]
    if not seeds or not all(
        isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in seeds
    ):
        raise SpecError(
            f"field `seeds` must be a non-negative integer or a list of them, got {raw!r}"
        )
    if len(set(seeds)) != len(seeds):
        raise SpecError("field `seeds` repeats a seed; each seed is a separate sample")
    return tuple(seeds)


def _strings(raw: Any, key: str) -> tuple[str, ...]:
    values = raw if isinstance(raw, list) else [raw]
    if not all(isinstance(v, str) and "/" in v for v in values):
        raise SpecError(f"field `{key}` must be a list of Inspect model strings (provider/name)")
    return tuple(values)


def _choice(data: dict[str, Any], key: str, allowed: tuple[str, ...]) -> str:
    value = data.get(key, "auto")
    if value not in allowed:
        raise SpecError(f"field `{key}` must be one of {', '.join(allowed)}, got {value!r}")
    return str(value)
