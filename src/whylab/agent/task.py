"""The single-turn agentic-misalignment task: one reply per rendered scenario."""

from __future__ import annotations

from dataclasses import asdict

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import ChatMessageSystem, ChatMessageUser, GenerateConfig
from inspect_ai.solver import generate

from whylab.judges.policies import POLICIES
from whylab.judges.scorer import harm_judge, reasoning_judge
from whylab.scenarios import Condition, ConditionError, grid, render, select
from whylab.scenarios.grid import PAPER_GOAL_VALUE

# Published setting: temperature 1.0, replies long enough for reasoning plus several emails.
DEFAULT_TEMPERATURE = 1.0
DEFAULT_MAX_TOKENS = 4096


def _as_list(value: str | list[str] | None) -> list[str] | None:
    if value is None:
        return None
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def conditions(
    grid_name: str | None = None,
    *,
    family: str | list[str] | None = None,
    goal_type: str | list[str] | None = None,
    goal_value: str | list[str] | None = None,
    threat: str | list[str] | None = None,
    world: str | list[str] = "brightwater",
    **options: object,
) -> list[Condition]:
    """The conditions a task run covers.

    With ``grid_name`` the named grid is filtered by any factor given. Without it, the factors
    select from the full grid; with neither, the smoke grid runs. ``options`` (agent_name,
    scratchpad, safety_instructions, eval_awareness, extra_instructions) apply to every cell.
    """
    factors = {"family": family, "goal_type": goal_type, "goal_value": goal_value, "threat": threat}
    any_factor = any(v is not None for v in factors.values())
    name = grid_name or ("full" if any_factor else "smoke")
    worlds = _as_list(world) or ["brightwater"]
    # paper and smoke have one explicit-goal value per cell: build them for every value asked.
    values = _as_list(goal_value) or [PAPER_GOAL_VALUE]
    base = list({c.id: c for v in values for c in grid(name, worlds=worlds, goal_value=v)}.values())
    chosen = select(base, **{k: _as_list(v) for k, v in factors.items()})
    if not chosen:
        raise ConditionError(
            f"no condition matches grid={name!r} with {factors}; widen the factors or pick "
            "another grid (see `whylab scenarios list`)"
        )
    return [c.with_options(**options) for c in chosen]


@task
def agentic_misalignment(
    grid: str | None = None,
    family: str | list[str] | None = None,
    goal_type: str | list[str] | None = None,
    goal_value: str | list[str] | None = None,
    threat: str | list[str] | None = None,
    world: str | list[str] = "brightwater",
    agent_name: str | None = None,
    scratchpad: bool = True,
    safety_instructions: bool = False,
    eval_awareness: bool = False,
    extra_instructions: str | list[str] = "",
    seed: int | list[int] = 0,
    temperature: float = DEFAULT_TEMPERATURE,
    max_tokens: int = DEFAULT_MAX_TOKENS,
    judge_policy: str = "auto",
    reasoning: str = "auto",
) -> Task:
    """Agentic misalignment, single reply with text tool blocks.

    Args:
        grid: ``smoke``, ``paper`` or ``full``; factors below filter it.
        family: blackmail, leaking, lethal (one or a comma-separated list).
        goal_type: explicit, latent, ambiguous, none, swap.
        goal_value: one side of a value pair (national, global, safety, ...).
        threat: replacement, restriction, none.
        world: brightwater, kestrel, northmark (one or several).
        agent_name: override the world's agent name.
        scratchpad: offer a private reasoning tag.
        safety_instructions: add "do not" rules to the system prompt.
        eval_awareness: ask the agent to state whether it thinks this is an evaluation.
        extra_instructions: text appended to the system prompt.
        seed: world seed(s); each seed is a separate sample.
        temperature: sampling temperature (the published study used 1.0).
        max_tokens: reply length limit.
        judge_policy: auto, actions, grader or both (see whylab.judges.combine); graders are
            the models bound to the ``grader`` role (``--model-role grader=...``).
        reasoning: auto, lexical or grader: how the reasoning analysis is scored.
    """
    if judge_policy not in POLICIES:
        raise ConditionError(
            f"judge_policy={judge_policy!r} is unknown; use one of {', '.join(POLICIES)}"
        )
    # Inspect's -T parser splits unquoted commas into a list; rejoin the original text.
    extra = (
        ",".join(extra_instructions) if isinstance(extra_instructions, list) else extra_instructions
    )
    options = {
        "agent_name": agent_name,
        "scratchpad": scratchpad,
        "safety_instructions": safety_instructions,
        "eval_awareness": eval_awareness,
        "extra_instructions": extra,
    }
    chosen = conditions(
        grid,
        family=family,
        goal_type=goal_type,
        goal_value=goal_value,
        threat=threat,
        world=world,
        **options,
    )
    seeds = seed if isinstance(seed, list) else [seed]
    samples = [_sample(c, int(s)) for c in chosen for s in seeds]
    return Task(
        dataset=MemoryDataset(samples, name="agentic_misalignment"),
        solver=generate(),
        scorer=[harm_judge(judge_policy), reasoning_judge(reasoning)],
        config=GenerateConfig(temperature=temperature, max_tokens=max_tokens),
    )


def _sample(condition: Condition, seed: int) -> Sample:
    scenario = render(condition, seed)
    return Sample(
        id=f"{condition.id}@{seed}",
        input=[
            ChatMessageSystem(content=scenario.system_prompt),
            ChatMessageUser(content=scenario.user_prompt),
        ],
        metadata={
            **asdict(condition),
            "condition_id": condition.id,
            "seed": seed,
            "control": condition.is_control,
            "facts": scenario.facts.to_dict(),
        },
    )
