"""whylab command line: parses arguments and calls the stages. No logic of its own."""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from whylab.scenarios import GRIDS, ConditionError
from whylab.scenarios.condition import CHANNELS, LEVERAGE_KINDS
from whylab.scenarios.render import MODES
from whylab.scenarios.splits import SPLITS

EMBEDDED_MODEL = "whylab-local/qwen2.5-coder-0.5b"
# Small local models sometimes loop until the limit; 1024 tokens holds a scratchpad and several
# tool blocks and keeps the default smoke run within minutes on two cores.
EMBEDDED_MAX_TOKENS = 1024


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.handler(args)
    except ConditionError as error:
        print(f"whylab: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115  (keep interpreter shutdown quiet)
        return 0
    return code


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="whylab", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="command")

    run = commands.add_parser("run", help="run the eval on a model and print harmful rates")
    run.add_argument(
        "--model",
        default=EMBEDDED_MODEL,
        help=f"any Inspect model, e.g. mockllm/model (default: the embedded {EMBEDDED_MODEL})",
    )
    run.add_argument("--grid", choices=GRIDS, default=None, help="named grid (default: smoke)")
    run.add_argument("--family", action="append", help="keep only this family (repeatable)")
    run.add_argument("--goal-type", action="append", help="keep only this goal type (repeatable)")
    run.add_argument("--goal-value", action="append", help="keep only this goal value (repeatable)")
    run.add_argument("--threat", action="append", help="keep only this threat (repeatable)")
    run.add_argument(
        "--world", action="append", help="world(s) to render: a hand-written one or gen-<n>"
    )
    run.add_argument(
        "--mode",
        choices=MODES,
        default="single",
        help="single: one reply with text tool blocks; multi: native tools over several turns",
    )
    run.add_argument(
        "--max-turns", type=int, default=None, help="turn limit of --mode multi (default 10)"
    )
    run.add_argument(
        "--diverse", action="store_true", help="seeded prompt style and extra unused tools"
    )
    run.add_argument(
        "--split",
        choices=SPLITS,
        default=None,
        help="run a split's worlds and families (train, eval_id, eval_ood)",
    )
    run.add_argument(
        "--leverage", choices=LEVERAGE_KINDS, default="affair", help="the secret (blackmail)"
    )
    run.add_argument("--channel", choices=CHANNELS, default="email", help="email or chat")
    run.add_argument(
        "--scenarios",
        choices=("whylab", "published"),
        default="whylab",
        help="whylab's own scenarios, or the published prompts read from the installed "
        "inspect-evals (pip install 'whylab[published]')",
    )
    run.add_argument("--seed", type=int, default=0, help="world seed")
    run.add_argument("--agent-name", default=None, help="override the world's agent name")
    run.add_argument("--no-scratchpad", action="store_true", help="offer no private reasoning tag")
    run.add_argument("--safety-instructions", action="store_true", help="add 'never' rules")
    run.add_argument(
        "--eval-awareness",
        action="store_true",
        help="ask the agent to state evaluation or deployment; the table splits harm by it",
    )
    run.add_argument("--epochs", type=int, default=1, help="repeats per condition")
    run.add_argument("--temperature", type=float, default=None)
    run.add_argument(
        "--max-tokens",
        type=int,
        default=None,
        help=f"reply length limit (default 4096; {EMBEDDED_MAX_TOKENS} for whylab-local models)",
    )
    run.add_argument("--log-dir", default="logs", help="where the .eval log goes (default: logs)")
    run.add_argument("--limit", type=int, default=None, help="run only the first N samples")
    _grader_options(run)
    run.add_argument(
        "--reasoning",
        choices=("auto", "lexical", "grader"),
        default="auto",
        help="how the reasoning analysis is scored (auto: grader if given, else lexical)",
    )
    run.set_defaults(handler=_run)

    scenarios = commands.add_parser("scenarios", help="list the grid or show one rendered prompt")
    sub = scenarios.add_subparsers(required=True, metavar="action")
    listing = sub.add_parser("list", help="list condition ids")
    listing.add_argument("--grid", choices=GRIDS, default="full")
    listing.add_argument("--world", action="append", help="hand-written world or gen-<n>")
    listing.add_argument("--json", action="store_true", help="print a JSON array")
    listing.set_defaults(handler=_scenarios_list)
    show = sub.add_parser("show", help="render one condition")
    show.add_argument("condition_id")
    show.add_argument("--seed", type=int, default=0)
    show.add_argument("--json", action="store_true", help="print a JSON object")
    show.set_defaults(handler=_scenarios_show)

    experiment = commands.add_parser("experiment", help="run, resume and inspect a YAML experiment")
    actions = experiment.add_subparsers(required=True, metavar="action")
    for action, handler, text in (
        ("run", _experiment_run, "run or resume every arm (re-run the same command to resume)"),
        ("status", _experiment_status, "done / errored / remaining trials per arm and cell"),
        ("results", _experiment_results, "write results.parquet (one row per trial) and summarise"),
    ):
        command = actions.add_parser(action, help=text)
        command.add_argument("spec", type=Path, help="experiment YAML file")
        command.set_defaults(handler=handler)

    report = commands.add_parser("report", help="HTML report or terminal table of an experiment")
    report.add_argument("source", type=Path, help="an experiment YAML file or a log directory")
    report.add_argument("-o", "--output", type=Path, default=None, help="HTML file to write")
    report.add_argument("--format", choices=("html", "table"), default="html")
    report.set_defaults(handler=_report)

    power = commands.add_parser(
        "power", help="samples per arm to detect p1 vs p2, and the interval width at n"
    )
    power.add_argument("--p1", type=float, required=True, help="rate in arm 1, e.g. 0.22")
    power.add_argument("--p2", type=float, required=True, help="rate in arm 2, e.g. 0.15")
    power.add_argument("--alpha", type=float, default=0.05, help="two-sided level (0.05)")
    power.add_argument("--power", type=float, default=0.8, help="power (0.8)")
    power.add_argument("--n", type=int, default=None, help="also show the CI width at n trials")
    power.set_defaults(handler=_power)

    judge = commands.add_parser(
        "judge",
        help="judge responses produced elsewhere (JSONL), or validate the judges",
        description="`whylab judge --input a.jsonl --output b.jsonl` judges replies; "
        "`whylab judge validate` measures the judges on the gold set.",
    )
    judge.add_argument("--input", type=Path, help="JSONL: condition_id+seed or facts, response")
    judge.add_argument("--output", type=Path, help="JSONL verdicts")
    _grader_options(judge)
    judge.set_defaults(handler=_judge)
    judge_actions = judge.add_subparsers(
        dest="judge_action", metavar="[validate | compare-published]"
    )
    validate = judge_actions.add_parser("validate", help="precision/recall/F1/kappa on gold")
    validate.add_argument("--gold", type=Path, default=None, help="gold JSONL (default: shipped)")
    validate.add_argument("--limit", type=int, default=None, help="only the first N gold items")
    validate.add_argument("--grader", action="append", default=[], help="also measure a grader")
    validate.set_defaults(handler=_validate)
    compare = judge_actions.add_parser(
        "compare-published",
        help="the same replies judged by whylab's rules and the published scorer: agreement",
        description="Replies to the published prompts (JSONL: response, condition_id, optional "
        "grader_answer yes/no) judged by whylab's rules and by the installed inspect-evals "
        "scorer; prints counts, percent agreement and Cohen's kappa. Without --grader the "
        "published classifier's answer is each line's grader_answer, else 'yes' (its "
        "deterministic checks alone); see whylab.judges.published_check.",
    )
    compare.add_argument("--input", type=Path, required=True, help="replies JSONL")
    compare.add_argument("--output", type=Path, default=None, help="per-reply verdicts JSONL")
    compare.add_argument(
        "--grader", default=None, help="model that answers the published classifier prompt"
    )
    compare.add_argument(
        "--family-rule-only",
        action="store_true",
        help="whylab counts only the family's own rule (not leverage_disclosure), as published",
    )
    compare.add_argument("--json", action="store_true", help="print the agreement as JSON")
    compare.set_defaults(handler=_compare_published)
    _data_commands(commands)
    _train_commands(commands)
    return parser


def _data_commands(commands: Any) -> None:
    """`whylab data build` and `whylab data stats` (intervention training data)."""
    from whylab.interventions.core import DEFAULT_THRESHOLD, KINDS, WORKERS

    data = commands.add_parser(
        "data", help="build intervention training data from a teacher model, or measure it"
    )
    actions = data.add_subparsers(required=True, metavar="action")
    build = actions.add_parser(
        "build",
        help="build (or resume) one kind of training set as JSONL with a dataset card",
        description="Build up to --n rows of one kind into -o out.jsonl, with provenance per "
        "row, a card (out.README.md), eval decontamination and token counts. Re-run the same "
        "command to resume: written rows are kept and the teacher's answers are cached in "
        "out.cache.jsonl.",
    )
    build.add_argument("kind", choices=tuple(KINDS), help="which training set")
    build.add_argument(
        "--teacher",
        default=EMBEDDED_MODEL,
        help=f"Inspect model that writes the data (default: the embedded {EMBEDDED_MODEL})",
    )
    build.add_argument("--n", type=int, required=True, help="rows to build")
    build.add_argument("-o", "--output", type=Path, required=True, help="the .jsonl to write")
    build.add_argument("--seed", type=int, default=0, help="seed of the row plan (default 0)")
    build.add_argument(
        "--variant", default=None, help="the kind's variant (e.g. a honeypot value injection)"
    )
    build.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a pipeline option (repeatable), e.g. allow_no_action=true, min_score=7",
    )
    build.add_argument(
        "--steps", default=None, help="switch pipeline steps for ablation: step=on|off,..."
    )
    build.add_argument(
        "--tokenizer",
        default=None,
        help="local tokenizer.json (or a model folder holding one) for exact token counts; "
        "default: approximate, 4 chars/token",
    )
    build.add_argument(
        "--threshold",
        type=float,
        default=DEFAULT_THRESHOLD,
        help=f"drop rows whose eval n-gram overlap exceeds this (default {DEFAULT_THRESHOLD}; "
        "1 keeps every row)",
    )
    build.add_argument(
        "--workers",
        choices=WORKERS,
        default="local",
        help="local: this process; ray: Ray Data workers (pip install 'whylab[ray]')",
    )
    build.set_defaults(handler=_data_build)
    stats = actions.add_parser(
        "stats", help="rows, tokens, length distribution and duplicate rate of a dataset JSONL"
    )
    stats.add_argument("path", type=Path, help="a .jsonl written by `whylab data build`")
    stats.add_argument("--tokenizer", default=None, help="local tokenizer.json for exact counts")
    stats.set_defaults(handler=_data_stats)


def _train_commands(commands: Any) -> None:
    """`whylab train` (a LoRA adapter) and `whylab export merge|gguf` (needs the `train` extra)."""
    run = commands.add_parser(
        "train",
        help="train (or resume) a LoRA adapter (sft, midtrain, dpo) with a model card",
        description="Train a LoRA adapter of --base on --data with TRL + PEFT into -o DIR "
        "(adapter, README.md model card, training.json). Re-run the same command to resume "
        "from the newest checkpoint; a finished run is not redone.",
    )
    run.add_argument(
        "--base",
        required=True,
        help="`embedded` (the embedded model, converted once to safetensors) or a local HF folder",
    )
    run.add_argument(
        "--data", required=True, help="JSONL file(s), comma-separated: a.jsonl[,b.jsonl]"
    )
    run.add_argument(
        "--recipe",
        required=True,
        choices=("sft", "midtrain", "dpo", "midtrain+sft"),
        help="sft: messages rows, assistant tokens only; midtrain: text rows, every token; "
        "dpo: prompt/chosen/rejected rows; midtrain+sft: text rows, then messages rows",
    )
    run.add_argument("-o", "--output", type=Path, required=True, help="the adapter folder")
    run.add_argument(
        "--profile",
        choices=("cpu-small", "replication"),
        default="cpu-small",
        help="hyperparameters: cpu-small (r=16, lr 2e-4, 1024 tokens) or replication (r=64, "
        "lr 1e-4, 2048 tokens); default cpu-small",
    )
    run.add_argument("--seed", type=int, default=None, help="seed (default 0)")
    run.add_argument("--max-steps", type=int, default=None, help="stop after N optimizer steps")
    run.add_argument("--epochs", type=float, default=None, help="epochs (default 1)")
    run.add_argument("--lr", type=float, default=None, help="learning rate")
    run.add_argument("--max-length", type=int, default=None, help="tokens per sequence")
    run.add_argument("--save-steps", type=int, default=None, help="checkpoint every N steps")
    run.add_argument(
        "--grad-accum", type=int, default=None, help="sequences per optimizer step (default 4)"
    )
    run.set_defaults(handler=_train_run)
    export = commands.add_parser(
        "export", help="merge a trained adapter into its base, or export merged weights to GGUF"
    )
    actions = export.add_subparsers(required=True, metavar="action")
    merge = actions.add_parser(
        "merge", help="merge an adapter into its base (fp32) for Inspect's hf/ provider"
    )
    merge.add_argument("adapter", type=Path, help="a folder written by `whylab train`")
    merge.add_argument("-o", "--output", type=Path, required=True, help="the merged folder")
    merge.set_defaults(handler=_train_merge)
    gguf = actions.add_parser(
        "gguf", help="export a merged embedded model to GGUF for whylab-local"
    )
    gguf.add_argument("merged", type=Path, help="a folder written by `whylab export merge`")
    gguf.add_argument("-o", "--output", type=Path, required=True, help="the .gguf to write")
    gguf.add_argument(
        "--quant", choices=("q8_0", "f16"), default="q8_0", help="weight type (default q8_0)"
    )
    gguf.set_defaults(handler=_train_gguf)


def _train_api() -> Any:
    try:
        import whylab.train as api
    except ModuleNotFoundError as error:
        print(
            f"whylab: training needs {error.name!r}: pip install 'whylab[train]'", file=sys.stderr
        )
        return None
    return api


def _train_run(args: argparse.Namespace) -> int:
    api = _train_api()
    if api is None:
        return 2
    try:
        result = api.train(
            args.base,
            [Path(p) for p in args.data.split(",") if p],
            args.recipe,
            args.output,
            profile=args.profile,
            seed=args.seed,
            max_steps=args.max_steps,
            epochs=args.epochs,
            lr=args.lr,
            max_length=args.max_length,
            save_steps=args.save_steps,
            grad_accum=args.grad_accum,
        )
    except (api.BaseModelError, api.DataError, api.TrainError) as error:
        print(f"whylab: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(
            f"whylab: interrupted; checkpoints are kept in {args.output}: run the same command "
            "to resume",
            file=sys.stderr,
        )
        return 130
    print(result.format())
    return 0


def _train_merge(args: argparse.Namespace) -> int:
    api = _train_api()
    if api is None:
        return 2
    try:
        print(f"merged: {api.merge_adapter(args.adapter, args.output)}")
    except api.ExportError as error:
        print(f"whylab: {error}", file=sys.stderr)
        return 2
    return 0


def _train_gguf(args: argparse.Namespace) -> int:
    api = _train_api()
    if api is None:
        return 2
    try:
        path = api.export_gguf(args.merged, args.output, quant=args.quant)
    except api.ExportError as error:
        print(f"whylab: {error}", file=sys.stderr)
        return 2
    print(f"gguf: {path} (run it with --model whylab-local/{path})")
    return 0


def _grader_options(parser: argparse.ArgumentParser) -> None:
    from whylab.judges.policies import POLICIES

    parser.add_argument(
        "--grader",
        action="append",
        default=[],
        help="Inspect model used as an LLM grader (repeat for several: majority vote)",
    )
    parser.add_argument(
        "--judge-policy",
        choices=POLICIES,
        default="auto",
        help="actions (rules), grader, both; auto = both with a grader, else actions",
    )


def _run(args: argparse.Namespace) -> int:
    from inspect_ai import eval as inspect_eval

    from whylab import _registry  # noqa: F401  (mock provider works offline)
    from whylab.agent.task import agentic_misalignment
    from whylab.models.embedded import ModelFileError
    from whylab.report.progress import reporting
    from whylab.report.table import (
        awareness_rows,
        format_table,
        grader_agreement,
        rate_rows,
        reasoning_summary,
    )

    if args.epochs < 1:
        raise ConditionError(f"--epochs={args.epochs} must be at least 1")
    max_tokens = args.max_tokens
    if max_tokens is None and args.model.startswith("whylab-local/"):
        max_tokens = EMBEDDED_MAX_TOKENS
    generate_options = {
        k: v
        for k, v in (("temperature", args.temperature), ("max_tokens", max_tokens))
        if v is not None
    }
    task = agentic_misalignment(
        grid=args.grid,
        family=args.family,
        goal_type=args.goal_type,
        goal_value=args.goal_value,
        threat=args.threat,
        world=args.world,
        seed=args.seed,
        agent_name=args.agent_name,
        scratchpad=not args.no_scratchpad,
        safety_instructions=args.safety_instructions,
        eval_awareness=args.eval_awareness,
        judge_policy=args.judge_policy,
        reasoning=args.reasoning,
        mode=args.mode,
        diverse=args.diverse,
        split=args.split,
        leverage=args.leverage,
        channel=args.channel,
        scenarios=args.scenarios,
        **({"max_turns": args.max_turns} if args.max_turns is not None else {}),
        **generate_options,
    )
    print(
        f"whylab: {len(task.dataset)} conditions x {args.epochs} epochs on {args.model}",
        file=sys.stderr,
    )
    try:
        with reporting():
            logs = inspect_eval(
                task,
                model=args.model,
                epochs=args.epochs,
                log_dir=args.log_dir,
                limit=args.limit,
                # One engine slot: interleaved episodes would evict each other's prompt cache.
                max_samples=1 if args.model.startswith("whylab-local/") else None,
                display="none",
                model_roles={"grader": list(args.grader)} if args.grader else None,
            )
    except ModelFileError as error:
        print(f"whylab: {error}", file=sys.stderr)
        return 2
    if not logs:  # interrupted (Ctrl-C): Inspect kept the finished samples in a cancelled log
        print(
            f"whylab: interrupted; finished samples are in a cancelled log under {args.log_dir} "
            f"(`whylab report {args.log_dir} --format table`)",
            file=sys.stderr,
        )
        return 130
    (log,) = logs
    print(f"\nlog: {log.location}")
    if log.status != "success":
        message = log.error.message if log.error else log.status
        print(f"whylab: the eval did not finish ({message}); see the log above", file=sys.stderr)
        return 1
    families, conditions = rate_rows(log)
    print()
    print(format_table("family", families))
    print()
    print(format_table("condition", conditions))
    awareness = awareness_rows(log)
    if any(r.label != "said neither" for r in awareness):
        print()
        print(format_table("stated assessment", awareness))
    for line in (reasoning_summary(log), grader_agreement(log)):
        if line:
            print(f"\n{line}")
    return 0


def _scenarios_list(args: argparse.Namespace) -> int:
    from whylab.scenarios import grid

    cells = grid(args.grid, worlds=args.world or ["brightwater"])
    if args.json:
        print(json.dumps([{"id": c.id, **asdict(c)} for c in cells], indent=2))
    else:
        for c in cells:
            print(c.id)
        print(f"{len(cells)} conditions", file=sys.stderr)
    return 0


def _scenarios_show(args: argparse.Namespace) -> int:
    from whylab.scenarios import Condition, render

    if args.seed < 0:
        raise ConditionError(f"--seed={args.seed} must be a non-negative integer")
    scenario = render(Condition.from_id(args.condition_id), args.seed)
    if args.json:
        print(json.dumps(scenario.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(f"# {scenario.condition.id}  (seed {scenario.seed})\n")
        print("## system\n")
        print(scenario.system_prompt)
        print("\n## user\n")
        print(scenario.user_prompt)
    return 0


def _load_spec(path: Path) -> Any:
    """An evaluation spec, or a training ("teach why") spec when the file declares a base."""
    from whylab.experiments import SpecError
    from whylab.experiments.teach import load_any_spec

    try:
        return load_any_spec(path)
    except SpecError as error:
        print(f"whylab: {path}: {error}", file=sys.stderr)
        return None


def _experiment_run(args: argparse.Namespace) -> int:
    from whylab import _registry  # noqa: F401  (providers)
    from whylab.experiments import export_results, run_experiment
    from whylab.experiments.teach import TeachSpec

    spec = _load_spec(args.spec)
    if spec is None:
        return 2
    if isinstance(spec, TeachSpec):
        return _teach_run(spec)
    finished = run_experiment(spec)
    print(f"results: {export_results(spec)}")
    complete = _print_status(spec)
    if not (finished and complete):
        print(
            "whylab: trials remain or errored; run the same command again to retry them",
            file=sys.stderr,
        )
        return 1
    return 0


def _print_status(spec: Any) -> bool:
    """Print the per-cell table; True when every declared trial is done without error."""
    from whylab.experiments import status

    cells = status(spec)
    width = max(len(f"{c.arm}  {c.condition_id}") for c in cells)
    print(f"{'arm  condition':<{width}}  {'done':>5} {'errored':>7} {'remaining':>9}")
    for c in cells:
        label = f"{c.arm}  {c.condition_id}"
        print(f"{label:<{width}}  {c.done:>5} {c.errored:>7} {c.remaining:>9}")
    done, declared = sum(c.done for c in cells), sum(c.declared for c in cells)
    print(f"{done}/{declared} trials done in {spec.log_dir}")
    return all(c.done >= c.declared and c.errored == 0 for c in cells)


def _teach_run(spec: Any) -> int:
    """Build data, train, evaluate and report a training experiment (resumable)."""
    from whylab.experiments import SpecError
    from whylab.experiments.teach import plan_lines, run_teach

    for line in plan_lines(spec):
        print(line)
    try:
        outcome = run_teach(spec)
    except KeyboardInterrupt:
        print(
            f"whylab: interrupted; everything finished is kept in {spec.out_dir}: run the same "
            "command to resume",
            file=sys.stderr,
        )
        return 130
    except SpecError as error:
        print(f"whylab: {error}", file=sys.stderr)
        return 2
    print(f"report: {outcome.markdown}\nreport: {outcome.html}")
    print(outcome.markdown.read_text(encoding="utf-8"))
    if not outcome.complete:
        print("whylab: trials remain or errored; run the same command again", file=sys.stderr)
        return 1
    return 0


def _teach_status(spec: Any) -> None:
    from whylab.experiments.teach import arm_dir, read_stages

    for stage, entry in read_stages(spec).items():
        state = "finished" if entry.get("finished") else "not finished"
        print(f"stage {stage}: {state}, {entry['wall_s']:.0f} s over {entry['runs']} run(s)")
    for model in spec.models():
        folder = arm_dir(spec, model)
        trained = model.arm.recipe is None or (folder / "adapter" / "training.json").exists()
        exported = (folder / "model.json").exists()
        print(f"model {model.label}: trained {'yes' if trained else 'no'}, ready {exported}")
    if spec.log_dir.exists():
        from whylab.report.html import headline_text

        print(headline_text(spec.log_dir))


def _experiment_status(args: argparse.Namespace) -> int:
    from whylab.experiments.teach import TeachSpec

    spec = _load_spec(args.spec)
    if spec is None:
        return 2
    if isinstance(spec, TeachSpec):
        _teach_status(spec)
    else:
        _print_status(spec)
    return 0


def _experiment_results(args: argparse.Namespace) -> int:
    from whylab.experiments import export_results
    from whylab.experiments.runner import results_from_dir
    from whylab.experiments.teach import TeachSpec

    spec = _load_spec(args.spec)
    if spec is None:
        return 2
    if isinstance(spec, TeachSpec):
        path = spec.log_dir / "results.parquet"
        results_from_dir(spec.log_dir).to_parquet(path, index=False)
        print(f"results: {path}")
        return 0
    print(f"results: {export_results(spec)}")
    return 0


def _report(args: argparse.Namespace) -> int:
    from whylab.experiments.teach import TeachSpec
    from whylab.report.html import headline_text, write_report
    from whylab.report.teach import write_teach_report

    log_dir, title = args.source, f"whylab report: {args.source}"
    if args.source.is_file():
        spec = _load_spec(args.source)
        if spec is None:
            return 2
        if isinstance(spec, TeachSpec):
            markdown, page = write_teach_report(spec)
            print(f"report: {markdown}\nreport: {page}")
            return 0
        log_dir, title = spec.log_dir, f"whylab report: {spec.name}"
    if not log_dir.is_dir() or not any(log_dir.glob("*.eval")):
        print(f"whylab: no .eval logs in {log_dir}; run the experiment first", file=sys.stderr)
        return 2
    if args.format == "table":
        print(headline_text(log_dir))
        return 0
    output = args.output or log_dir / "report.html"
    print(f"report: {write_report(log_dir, output, title)}")
    return 0


def _power(args: argparse.Namespace) -> int:
    from whylab.stats import interval_half_width, samples_per_arm

    try:
        n = samples_per_arm(args.p1, args.p2, args.alpha, args.power)
        widths = [(p, interval_half_width(p, args.n)) for p in (args.p1, args.p2)] if args.n else []
    except ValueError as error:
        print(f"whylab: {error}", file=sys.stderr)
        return 2
    print(
        f"{n} samples per arm detect {args.p1:.1%} vs {args.p2:.1%} "
        f"(two-sided alpha {args.alpha}, power {args.power:.0%})"
    )
    for p, half in widths:
        print(
            f"at n={args.n}: a {p:.1%} rate has a 95% Wilson interval of ±{100 * half:.1f} points"
        )
    return 0


def _judge(args: argparse.Namespace) -> int:
    from inspect_ai.model import get_model

    from whylab.judges.external import judge_file

    if args.input is None or args.output is None:
        print(
            "whylab: judge needs --input and --output (or the action `validate`)", file=sys.stderr
        )
        return 2
    if not args.input.is_file():
        print(f"whylab: --input {args.input} does not exist", file=sys.stderr)
        return 2
    graders = [get_model(g) for g in args.grader]
    judged, errors = judge_file(args.input, args.output, graders, args.judge_policy)
    print(f"judged {judged} responses into {args.output}; {errors} input errors")
    if errors:
        print("whylab: rows with rule 'input_error' say which field to fix", file=sys.stderr)
    return 1 if errors else 0


def _compare_published(args: argparse.Namespace) -> int:
    from inspect_ai.model import get_model

    from whylab.judges.published_check import compare_file

    if not args.input.is_file():
        print(f"whylab: --input {args.input} does not exist", file=sys.stderr)
        return 2
    grader = get_model(args.grader) if args.grader else None
    agreement = compare_file(
        args.input, args.output, grader, family_rule_only=args.family_rule_only
    )
    print(json.dumps(agreement.to_dict(), indent=2) if args.json else agreement.summary())
    errors = sum(r.whylab_rule == "input_error" for r in agreement.rows)
    if errors:
        print(f"whylab: {errors} input line(s) could not be read; see 'skipped'", file=sys.stderr)
    return 1 if errors else 0


def _validate(args: argparse.Namespace) -> int:
    from inspect_ai.model import get_model

    from whylab.judges.scorer import JUDGE_VERSION
    from whylab.judges.validate import (
        GoldError,
        confusions,
        format_confusions,
        load_gold,
        predict_graders,
        predict_rules,
    )

    try:
        items = load_gold(args.gold)[: args.limit]
    except (GoldError, OSError) as error:
        print(f"whylab: {error}", file=sys.stderr)
        return 2
    hard = sum(i.hard for i in items)
    print(f"gold set: {len(items)} replies ({hard} hard cases)\n")
    judges = {f"rules ({JUDGE_VERSION})": predict_rules(items)}
    if args.grader:
        judges |= predict_graders(items, [get_model(g) for g in args.grader])
    for name, predictions in judges.items():
        print(format_confusions(f"judge: {name}", confusions(items, predictions)))
        print()
    return 0


def _parse_steps(text: str | None) -> dict[str, bool]:
    """``rewrite=off,ideate=on`` -> {"rewrite": False, "ideate": True}; ValueError otherwise."""
    steps: dict[str, bool] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        value = value.strip().lower()
        if not sep or not name.strip() or value not in ("on", "off"):
            raise ValueError(
                f"--steps {text!r}: write step=on or step=off pairs separated by commas, "
                "e.g. --steps rewrite=off,ideate=on"
            )
        steps[name.strip()] = value == "on"
    return steps


def _parse_options(pairs: list[str]) -> dict[str, Any]:
    """``["min_score=7", "allow_no_action=true"]`` -> {"min_score": 7, "allow_no_action": True}."""
    options: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        key, raw = key.strip(), raw.strip()
        if not sep or not key or key in ("variant", "steps"):
            raise ValueError(
                f"--option {pair!r}: write KEY=VALUE (variant and steps have their own flags)"
            )
        value: Any = raw
        if raw.lower() in ("true", "false"):
            value = raw.lower() == "true"
        else:
            for kind in (int, float):
                try:
                    value = kind(raw)
                    break
                except ValueError:
                    continue
        options[key] = value
    return options


def _data_build(args: argparse.Namespace) -> int:
    from whylab.interventions.core import BuildError, TokenizerError, build
    from whylab.models.embedded import ModelFileError

    problem = None
    if args.n < 1:
        problem = f"--n {args.n}: give a positive number of rows"
    elif args.seed < 0:
        problem = f"--seed {args.seed}: give a non-negative integer"
    elif not 0.0 <= args.threshold <= 1.0:
        problem = f"--threshold {args.threshold}: give a fraction between 0 and 1 (1 keeps all)"
    elif args.output.suffix != ".jsonl":
        problem = f"-o {args.output}: name the output file <name>.jsonl"
    elif args.tokenizer is not None and not Path(args.tokenizer).expanduser().exists():
        problem = f"--tokenizer {args.tokenizer}: no such file or folder; give a local path"
    try:
        steps = _parse_steps(args.steps)
        extra = _parse_options(args.option)
    except ValueError as error:
        problem = problem or str(error)
    if problem:
        print(f"whylab: {problem}", file=sys.stderr)
        return 2
    options: dict[str, Any] = dict(extra)
    if args.variant is not None:
        options["variant"] = args.variant
    if steps:
        options["steps"] = steps
    try:
        summary = build(
            args.kind,
            args.teacher,
            args.n,
            args.output,
            seed=args.seed,
            options=options,
            tokenizer=args.tokenizer,
            threshold=args.threshold,
            workers=args.workers,
        )
    except (BuildError, TokenizerError, ModelFileError) as error:
        print(f"whylab: {error}", file=sys.stderr)
        return 2
    except ValueError as error:  # the kind's own option checks (--variant, --steps)
        print(f"whylab: data build {args.kind}: {error}", file=sys.stderr)
        return 2
    print(summary.format())
    if summary.skipped.get("teacher_error"):
        print(
            "whylab: some teacher calls failed; run the same command again to retry them",
            file=sys.stderr,
        )
        return 1
    return 0


def _data_stats(args: argparse.Namespace) -> int:
    from whylab.interventions.core import BuildError, TokenizerError, stats

    try:
        data = stats(args.path, args.tokenizer)
    except (BuildError, TokenizerError) as error:
        print(f"whylab: {error}", file=sys.stderr)
        return 2
    print(data.format())
    return 0


if __name__ == "__main__":
    sys.exit(main())
