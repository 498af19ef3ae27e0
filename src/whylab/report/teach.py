"""The report of a "teach why" experiment: one row per arm with its training tokens, harmful rate
in distribution (``eval_id``) and out of distribution (``eval_ood``), the difference from the
baseline with Newcombe's interval and the Holm-adjusted Fisher p, how often its replies held a
parsed tool action (format compliance: a small model's "harmless" reply is often no action at
all), and the benign-task guardrail (an arm that "wins" by refusing everything shows a low
completion rate there).

Written as ``report.md`` (the table, the caveats, stage times) and ``report.html`` (the same
table above the full experiment report of the evaluation logs).
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whylab.experiments.runner import latest_logs, results_from_dir
from whylab.experiments.teach import TeachSpec, arm_dir, read_stages
from whylab.report.html import cells, differences, render_html
from whylab.report.table import Counts
from whylab.stats import Difference, wilson
from whylab.stats.hypotheses import HypothesisResult, evaluate

# Below this many scored trials per arm and split, or with a 95% interval wider than this,
# the report says in its first lines that the numbers are noise-dominated.
NOISY_N = 30
NOISY_HALF_WIDTH = 0.15


@dataclass(frozen=True)
class SplitResult:
    counts: Counts | None
    difference: Difference | None  # vs the baseline; None for the baseline itself
    p_holm: float | None
    # trials whose reply held at least one parsed tool action, of the trials parsed: whether
    # the model follows the agent format at all (a harmless rate means little without it)
    formatted: tuple[int, int] = (0, 0)


@dataclass(frozen=True)
class ArmRow:
    arm: str
    recipe: str
    data: str
    training_tokens: int | None
    seeds: str
    splits: dict[str, SplitResult]
    guardrail: tuple[int, int, int, int] | None  # completed, scored, refused, unscored


def arm_rows(spec: TeachSpec) -> list[ArmRow]:
    table = results_from_dir(spec.log_dir) if spec.log_dir.exists() else None
    by_split: dict[tuple[str, str], Counts] = {}
    diffs: dict[tuple[str, str], tuple[Difference, float]] = {}
    formatted: dict[tuple[str, str], tuple[int, int]] = {}
    if table is not None and len(table):
        by_split = {(c.label[0], c.label[1]): c for c in cells(table, ["arm", "split"])}
        parsed = table[table["actions"].notna()]
        for (arm_name, split), group in parsed.groupby(["arm", "split"]):
            formatted[(str(arm_name), str(split))] = (int((group["actions"] > 0).sum()), len(group))
        diffs = {
            (arm, split): (d, p)
            for arm, split, family, d, p in differences(table)
            if family == "all"
        }
    guard = _guardrail_counts(spec)
    rows = []
    for arm in spec.arms:
        splits = {}
        for split in spec.eval.splits:
            diff = diffs.get((arm.name, split))
            splits[split] = SplitResult(
                by_split.get((arm.name, split)),
                diff[0] if diff else None,
                diff[1] if diff else None,
                formatted.get((arm.name, split), (0, 0)),
            )
        rows.append(
            ArmRow(
                arm=arm.name,
                recipe=arm.recipe or "none (baseline)",
                data=_data_column(spec, arm.name, arm.data),
                training_tokens=_training_tokens(spec, arm.name),
                seeds=", ".join(map(str, arm.seeds or spec.training_seeds)) if arm.recipe else "-",
                splits=splits,
                guardrail=guard.get(arm.name),
            )
        )
    return rows


def _data_column(spec: TeachSpec, arm: str, sets: tuple[str, ...]) -> str:
    """The arm's data sets with the rows it took of each (0 rows is shown, not hidden)."""
    record = spec.out_dir / "arms" / arm / "selection.json"
    if not sets:
        return "-"
    if not record.exists():
        return ", ".join(sets)
    taken = json.loads(record.read_text(encoding="utf-8"))["sets"]
    return ", ".join(f"{name} ({taken.get(name, {}).get('rows', 0)} rows)" for name in sets)


def _training_tokens(spec: TeachSpec, arm: str) -> int | None:
    """Tokens of training data the arm's rows hold (``selection.json``), once per seed."""
    record = spec.out_dir / "arms" / arm / "selection.json"
    if not record.exists():
        return None
    return int(json.loads(record.read_text(encoding="utf-8"))["tokens"])


def _trained_facts(spec: TeachSpec) -> dict[str, dict[str, Any]]:
    facts = {}
    for model in spec.models():
        path = arm_dir(spec, model) / "adapter" / "training.json"
        if path.exists():
            facts[model.label] = json.loads(path.read_text(encoding="utf-8")).get("totals", {})
    return facts


def _guardrail_counts(spec: TeachSpec) -> dict[str, tuple[int, int, int, int]]:
    if spec.guardrail_epochs is None or not spec.guardrail_dir.exists():
        return {}
    from whylab.agent.benign import completion_counts

    totals: dict[str, list[int]] = {}
    for log in latest_logs(spec.guardrail_dir).values():
        arm = str((log.eval.metadata or {}).get("arm", log.eval.task))
        counts = completion_counts(log)
        total = totals.setdefault(arm, [0, 0, 0, 0])
        total[0] += counts.completed
        total[1] += counts.scored
        total[2] += counts.refused
        total[3] += counts.unscored + counts.errors
    return {arm: (t[0], t[1], t[2], t[3]) for arm, t in totals.items()}


def _rate(counts: Counts | None) -> str:
    if counts is None or not counts.scored:
        return "–"
    low, high = counts.interval
    return (
        f"{100 * counts.harmful / counts.scored:.1f}% ({counts.harmful}/{counts.scored}) "
        f"[{100 * low:.1f}, {100 * high:.1f}]"
    )


def _difference(result: SplitResult) -> str:
    if result.difference is None:
        return "–"
    d = result.difference
    return (
        f"{100 * d.difference:+.1f} pts [{100 * d.low:+.1f}, {100 * d.high:+.1f}], "
        f"p_holm {result.p_holm:.3g}"
    )


def _share(part: int, total: int) -> str:
    return "–" if not total else f"{100 * part / total:.0f}% ({part}/{total})"


def _guardrail(value: tuple[int, int, int, int] | None) -> str:
    if value is None:
        return "–"
    completed, scored, refused, unscored = value
    left_out = f"; unscored {unscored}" if unscored else ""
    if not scored:
        return f"no scored trial{left_out}"
    low, high = wilson(completed, scored)
    return (
        f"{100 * completed / scored:.1f}% ({completed}/{scored}) "
        f"[{100 * low:.1f}, {100 * high:.1f}]; refused {refused}{left_out}"
    )


def table_rows(spec: TeachSpec, rows: list[ArmRow]) -> tuple[list[str], list[list[str]]]:
    head = ["arm", "recipe", "data", "training tokens", "seeds"]
    for split in spec.eval.splits:
        head += [f"{split} harmful", f"{split} Δ vs baseline"]
    head.append("tool action written (" + " / ".join(spec.eval.splits) + ")")
    head.append("guardrail: benign tasks done")
    body = []
    for row in rows:
        line = [
            row.arm,
            row.recipe,
            row.data,
            "–" if row.training_tokens is None else f"{row.training_tokens:,}",
            row.seeds,
        ]
        for split in spec.eval.splits:
            line += [_rate(row.splits[split].counts), _difference(row.splits[split])]
        line.append(" / ".join(_share(*row.splits[s].formatted) for s in spec.eval.splits))
        line.append(_guardrail(row.guardrail))
        body.append(line)
    return head, body


def hypothesis_results(spec: TeachSpec, rows: list[ArmRow]) -> list[HypothesisResult]:
    """The config's pre-registered hypotheses tested on the evaluation so far (training seeds
    pooled per arm; training tokens from each arm's row selection)."""
    if not spec.hypotheses:
        return []
    counts = {}
    tokens = {}
    for row in rows:
        for split, result in row.splits.items():
            if result.counts is not None:
                counts[(row.arm, split)] = (result.counts.harmful, result.counts.scored)
        if row.training_tokens:
            tokens[row.arm] = row.training_tokens
    return evaluate(spec.hypotheses, counts, tokens)


def _hypothesis_table(spec: TeachSpec, rows: list[ArmRow]) -> tuple[list[str], list[list[str]]]:
    head = ["id", "hypothesis", "test", "estimate [95% CI]", "p (one-sided)", "p Holm", "verdict"]
    body = []
    for r in hypothesis_results(spec, rows):
        h = r.hypothesis
        test = f"{h.arm} {h.test} vs {h.versus} on {h.split}"
        test += f" (vs {h.other})" if h.other else ""
        test += f" (vs {h.other_arm})" if h.other_arm else ""
        estimate = (
            "–"
            if r.estimate is None
            else f"{r.estimate:+.1f} [{r.low:+.1f}, {r.high:+.1f}] {r.unit}"
        )
        p = "–" if r.p_one_sided is None else f"{r.p_one_sided:.3g}"
        q = "–" if r.p_holm is None else f"{r.p_holm:.3g}"
        body.append([h.id, h.says, test, estimate, p, q, r.verdict])
    return head, body


def caveats(spec: TeachSpec, rows: list[ArmRow]) -> list[str]:
    """What a reader must know before reading the table."""
    notes = []
    small = []
    for row in rows:
        for split, result in row.splits.items():
            counts = result.counts
            if counts is None or counts.scored < NOISY_N:
                small.append(f"{row.arm}/{split} n={0 if counts is None else counts.scored}")
            elif (counts.interval[1] - counts.interval[0]) / 2 > NOISY_HALF_WIDTH:
                small.append(
                    f"{row.arm}/{split} ±{50 * (counts.interval[1] - counts.interval[0]):.0f} pts"
                )
    if small:
        notes.append(
            "**These numbers are noisy.** Too few trials to tell arms apart "
            f"({'; '.join(small[:8])}{'; ...' if len(small) > 8 else ''}): the intervals are "
            "the result, not the point estimates. Run `whylab power` for the trials a "
            "difference of interest needs."
        )
    if spec.embedded:
        notes.append(
            "The base is the embedded 0.5B model: it rarely follows the agent format on long "
            "prompts (see the tool-action column), and what the judges count as harm is often "
            "copying, not intent. Read differences with that in mind."
        )
    notes.append(
        "Differences are arm minus baseline in harmful-rate points, with Newcombe's 95% "
        "interval and Fisher's exact p, Holm-adjusted across every comparison in the report. "
        "Training seeds of an arm are pooled."
    )
    return notes


def _markdown_table(head: list[str], body: list[list[str]]) -> list[str]:
    return [
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
        *("| " + " | ".join(c.replace("|", "/") for c in row) + " |" for row in body),
    ]


def _html_table(head: list[str], body: list[list[str]]) -> str:
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in body
    )
    heads = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    return f"<table><thead><tr>{heads}</tr></thead><tbody>{rows}</tbody></table>"


def render_markdown(spec: TeachSpec, rows: list[ArmRow]) -> str:
    lines = [f"# {spec.name}: teach-why report", "", f"Base: `{spec.base}`.", ""]
    lines += [f"- {note}" for note in caveats(spec, rows)]
    lines += ["", *_markdown_table(*table_rows(spec, rows))]
    head, body = _hypothesis_table(spec, rows)
    if body:
        lines += ["", "Pre-registered hypotheses (one-sided, Holm-adjusted across them):", ""]
        lines += _markdown_table(head, body)
    stages = read_stages(spec)
    if stages:
        lines += ["", "Wall time per stage (summed over runs):", ""]
        lines += [
            f"- {name}: {entry['wall_s']:.0f} s ({entry['runs']} run(s)"
            f"{'' if entry.get('finished') else ', not finished'})"
            for name, entry in stages.items()
        ]
    facts = _trained_facts(spec)
    if facts:
        lines += ["", "Trained models:", ""]
        lines += [
            f"- {label}: {_fact(f, 'tokens_seen')} tokens seen ({_fact(f, 'loss_tokens')} with "
            f"loss), {_fact(f, 'steps')} steps, final loss {_fact(f, 'final_loss')}, "
            f"{_fact(f, 'wall_seconds')} s"
            for label, f in facts.items()
        ]
    return "\n".join(lines) + "\n"


def _fact(facts: dict[str, Any], key: str) -> str:
    value = facts.get(key)
    if isinstance(value, float):
        return f"{value:.4g}"
    return "?" if value is None else str(value)


def write_teach_report(spec: TeachSpec) -> tuple[Path, Path]:
    """Write ``report.md`` and ``report.html`` into the run folder; returns their paths."""
    rows = arm_rows(spec)  # read the logs once for both files
    markdown = spec.out_dir / "report.md"
    markdown.write_text(render_markdown(spec, rows), encoding="utf-8")
    notes = "".join(f"<p>{html.escape(note.replace('**', ''))}</p>" for note in caveats(spec, rows))
    section = f"<h2>Arms</h2>{notes}{_html_table(*table_rows(spec, rows))}"
    head, body = _hypothesis_table(spec, rows)
    if body:
        section += f"<h2>Pre-registered hypotheses</h2>{_html_table(head, body)}"
    page = spec.out_dir / "report.html"
    if spec.log_dir.exists() and any(spec.log_dir.glob("*.eval")):
        text = render_html(spec.log_dir, f"{spec.name}: teach-why report", lead=[section])
    else:
        title = f"<h1>{html.escape(spec.name)}</h1>"
        text = f'<!DOCTYPE html><html lang="en"><body>{title}{section}</body></html>'
    page.write_text(text, encoding="utf-8")
    return markdown, page
