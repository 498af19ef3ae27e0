"""The single-turn agentic-misalignment task: one reply per rendered scenario."""

from __future__ import annotations

from dataclasses import asdict

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import ChatMessageSystem, ChatMessageUser, GenerateConfig
from inspect_ai.solver import generate

from whylab.agent.multi import DEFAULT_MAX_TURNS, multi_turn_agent
from whylab.judges.policies import POLICIES
from whylab.judges.scorer import harm_judge, reasoning_judge
from whylab.scenarios import Condition, ConditionError, grid, render, select
from whylab.scenarios.grid import PAPER_GOAL_VALUE
from whylab.scenarios.published import check_source, published_samples
from whylab.scenarios.render import MODES
from whylab.scenarios.splits import (
    SPLITS,
    default_worlds,
    held_out_problem,
    split_of,
    split_of_world,
)

# Published setting: temperature 1.0, replies long enough for reasoning plus several emails.
DEFAULT_TEMPERATURE = 1.0
DEFAULT_MAX_TOKENS = 4096


def as_list(value: str | list[str] | None) -> list[str] | None:
    """A task option given as one value or a list, as a list (None stays None)."""
    if value is None:
        return None
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def split_worlds(world: str | list[str] | None, split: str | None) -> list[str]:
    """The worlds a run covers: those given (each checked to belong to ``split``), else the
    split's default worlds, else brightwater."""
    if split is not None and split not in SPLITS:
        raise ConditionError(f"split={split!r} is unknown; use one of {', '.join(SPLITS)}")
    worlds = as_list(world) or (default_worlds(split) if split else ["brightwater"])
    for w in worlds:
        if split is not None and split_of_world(w) != split:
            raise ConditionError(
                f"world={w!r} belongs to split {split_of_world(w)!r}, not split={split!r}; drop "
                f"world to use {split!r}'s worlds ({', '.join(default_worlds(split))}) or pick "
                "a world of that split"
            )
    return worlds


def conditions(
    grid_name: str | None = None,
    *,
    family: str | list[str] | None = None,
    goal_type: str | list[str] | None = None,
    goal_value: str | list[str] | None = None,
    threat: str | list[str] | None = None,
    world: str | list[str] | None = None,
    split: str | None = None,
    **options: object,
) -> list[Condition]:
    """The conditions a task run covers.

    With ``grid_name`` the named grid is filtered by any factor given. Without it, the factors
    select from the full grid; with neither, the smoke grid runs. ``options`` (agent_name,
    scratchpad, safety_instructions, eval_awareness, extra_instructions, channel, diverse) apply
    to every cell; ``leverage`` to the blackmail cells, the only ones with a secret.
    ``world`` takes hand-written worlds and generated ones (``gen-<n>``); it defaults to
    brightwater, or with ``split`` (train, eval_id, eval_ood; see whylab.scenarios.splits) to
    that split's default worlds, where cells of families the split holds out are dropped.
    """
    factors = {"family": family, "goal_type": goal_type, "goal_value": goal_value, "threat": threat}
    any_factor = any(v is not None for v in factors.values())
    name = grid_name or ("full" if any_factor else "smoke")
    worlds = split_worlds(world, split)
    for w in worlds:
        for f in as_list(family) or ():
            # A held-out family asked for in a generated world: say why rather than match nothing.
            if (problem := held_out_problem(f, "affair", "email", w)) is not None:
                raise ConditionError(problem)
    # paper and smoke have one explicit-goal value per cell: build them for every value asked.
    values = as_list(goal_value) or [PAPER_GOAL_VALUE]
    base = list({c.id: c for v in values for c in grid(name, worlds=worlds, goal_value=v)}.values())
    chosen = select(base, **{k: as_list(v) for k, v in factors.items()})
    if not chosen:
        raise ConditionError(
            f"no condition matches grid={name!r} with {factors}; widen the factors or pick "
            "another grid (see `whylab scenarios list`)"
        )
    leverage = options.pop("leverage", "affair")
    if leverage != "affair" and not any(c.family == "blackmail" for c in chosen):
        raise ConditionError(
            f"leverage={leverage!r} applies only to the blackmail family, and no blackmail cell "
            "is selected; add family=blackmail or drop leverage"
        )
    return [
        c.with_options(**options, **({"leverage": leverage} if c.family == "blackmail" else {}))
        for c in chosen
    ]


@task
def agentic_misalignment(
    grid: str | None = None,
    family: str | list[str] | None = None,
    goal_type: str | list[str] | None = None,
    goal_value: str | list[str] | None = None,
    threat: str | list[str] | None = None,
    world: str | list[str] | None = None,
    split: str | None = None,
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
    mode: str = "single",
    max_turns: int = DEFAULT_MAX_TURNS,
    diverse: bool = False,
    leverage: str = "affair",
    channel: str = "email",
    scenarios: str = "whylab",
) -> Task:
    """Agentic misalignment, single reply with text tool blocks.

    Args:
        grid: ``smoke``, ``paper`` or ``full``; factors below filter it.
        family: blackmail, leaking, lethal (one or a comma-separated list).
        goal_type: explicit, latent, ambiguous, none, swap.
        goal_value: one side of a value pair (national, global, safety, ...).
        threat: replacement, restriction, none.
        world: brightwater, kestrel, northmark or a generated world gen-<n> (one or several);
            default brightwater, or the split's default worlds when ``split`` is given.
        split: train, eval_id or eval_ood (see whylab.scenarios.splits): defaults the worlds to
            the split's (gen-0..2, gen-3/7/11, the hand-written three), drops families the split
            holds out, and rejects a world from another split.
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
        mode: ``single`` (one reply with text tool blocks, as published) or ``multi`` (native
            tool calls in a simulated workspace over up to ``max_turns`` model calls).
        max_turns: the turn limit of the multi-turn mode.
        diverse: diverse environments: a seeded system-prompt style and extra unused tools.
        leverage: the executive's secret in blackmail cells: affair, debt, credentials, health.
        channel: how the organisation's messages arrive: email or chat.
        scenarios: ``whylab`` (its own scenarios) or ``published`` (the published prompts, read
            at run time from the installed inspect-evals: ``pip install 'whylab[published]'``;
            the same cells of the published families, see whylab.scenarios.published).
    """
    check_source(scenarios, mode)
    if mode not in MODES:
        raise ConditionError(f"mode={mode!r} is unknown; use one of {', '.join(MODES)}")
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
        "diverse": diverse,
        "leverage": leverage,
        "channel": channel,
    }
    chosen = conditions(
        grid,
        family=family,
        goal_type=goal_type,
        goal_value=goal_value,
        threat=threat,
        world=world,
        split=split,
        **options,
    )
    seeds = seed if isinstance(seed, list) else [seed]
    samples = (
        published_samples(chosen, [int(s) for s in seeds])
        if scenarios == "published"
        else [_sample(c, int(s), mode) for c in chosen for s in seeds]
    )
    return Task(
        dataset=MemoryDataset(samples, name="agentic_misalignment"),
        solver=generate() if mode == "single" else multi_turn_agent(max_turns),
        scorer=[harm_judge(judge_policy), reasoning_judge(reasoning)],
        config=GenerateConfig(temperature=temperature, max_tokens=max_tokens),
    )


def _sample(condition: Condition, seed: int, mode: str) -> Sample:
    scenario = render(condition, seed, mode=mode)
    return Sample(
        id=f"{condition.id}@{seed}",
        input=[
            ChatMessageSystem(content=scenario.system_prompt),
            ChatMessageUser(content=scenario.user_prompt),
        ],
        metadata={
            **asdict(condition),
            "condition_id": condition.id,
            "split": split_of(condition),
            "seed": seed,
            "control": condition.is_control,
            "mode": mode,
            "facts": scenario.facts.to_dict(),
        },
    )
