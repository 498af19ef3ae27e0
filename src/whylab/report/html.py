"""The experiment report: one self-contained HTML file (no scripts, no network), or a text table.

Every number comes with its n and a 95% Wilson interval; every difference between an arm and
the baseline (the first arm) with Newcombe's interval, Fisher's exact p and the Holm-adjusted
p across all comparisons shown. All model text is HTML-escaped and cut to a bounded length, so
a hostile reply can neither run in the page nor blow up its size.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inspect_ai.log import EvalLog

from whylab.experiments.runner import latest_logs, results_from_dir
from whylab.judges.scorer import HARM_SCORER
from whylab.report.table import Counts
from whylab.scenarios import ConditionError
from whylab.scenarios.splits import split_of_world
from whylab.stats import Difference, compare, holm, pooled_rate, rule_of_three

MAX_EXCERPT_CHARS = 3_000
MAX_TRANSCRIPTS = 24
FACTORS = ("family", "goal_type", "threat")


@dataclass(frozen=True)
class Cell(Counts):
    """Counts for one group; ``label`` holds the group's values (model, arm, family, ...)."""

    label: tuple[str, ...] = field(kw_only=True)


def cells(table: Any, by: list[str]) -> list[Cell]:
    """Group the results table by ``by`` columns into Cells, in a stable order."""
    out = []
    for key, group in table.groupby(by, sort=True, dropna=False):
        label = tuple(str(k) for k in (key if isinstance(key, tuple) else (key,)))
        errors = int(group["error"].notna().sum())
        valid = group[group["error"].isna()]
        scored = valid[valid["harmful"].notna()]
        out.append(
            Cell(
                int(scored["harmful"].astype(bool).sum()),
                len(scored),
                len(valid) - len(scored),
                errors,
                label=label,
            )
        )
    return out


def arm_order(table: Any) -> list[str]:
    """Arms in the spec's order (the first is the baseline); by name for plain log dirs."""
    pairs = {(int(i), str(a)) for i, a in zip(table["arm_index"], table["arm"], strict=True)}
    return [a for _, a in sorted(pairs)]


def differences(table: Any) -> list[tuple[str, str, str, Difference, float]]:
    """(arm, split, family, difference vs the baseline arm, Holm-adjusted p) for every other arm.

    Separately per split (``eval_id``: worlds like the training ones; ``eval_ood``: held-out
    families, organisations and variation axes), because a training intervention that only
    helps in distribution is the failure the "teach why" experiments look for. Logs written
    before splits existed get their world's split. Single- and multi-turn trials are never
    pooled: with both present, the split label carries the mode.
    """
    arms = arm_order(table)
    if len(arms) < 2:
        return []
    table = table.assign(
        split=[_split(s, w) for s, w in zip(table["split"], table["world"], strict=True)]
    )
    if table["mode"].nunique(dropna=True) > 1:  # never pool single-turn and multi-turn trials
        table = table.assign(split=table["split"] + "/" + table["mode"].fillna("single"))
    by_family = {c.label: c for c in cells(table, ["arm", "split", "family"])}
    by_split = {c.label: c for c in cells(table, ["arm", "split"])}
    rows = []
    for arm in arms[1:]:
        for split in sorted(set(table["split"])):
            families = sorted(set(table[table["split"] == split]["family"]))
            for family in [*families, "all"]:
                a, b = (
                    by_split.get((x, split))
                    if family == "all"
                    else by_family.get((x, split, family))
                    for x in (arm, arms[0])
                )
                if a and b and a.scored and b.scored:
                    d = compare(a.harmful, a.scored, b.harmful, b.scored)
                    rows.append((arm, split, family, d))
    adjusted = holm([d.p_fisher for *_, d in rows])
    return [(*row, p) for row, p in zip(rows, adjusted, strict=True)]


def _split(split: object, world: object) -> str:
    """The logged split; for logs written before splits existed, the world's; else ``-``."""
    if isinstance(split, str):
        return split
    try:
        return split_of_world(str(world))
    except ConditionError:
        return "-"


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f}%"


def headline_text(log_dir: Path) -> str:
    """The headline table for the terminal: model x arm x family."""
    table = results_from_dir(log_dir)
    rows = cells(table, ["model", "arm", "family"]) + [
        Cell(c.harmful, c.scored, c.unscored, c.errors, label=(m, a, "all"))
        for c in cells(table, ["model", "arm"])
        for m, a in [c.label]
    ]
    if not rows:
        return f"no trials in {log_dir} yet"
    width = max(len(" / ".join(c.label)) for c in rows)
    head = f"{'model / arm / family':<{width}}  {'harmful':>7}  {'k/n':>9}  {'95% CI':>15}"
    lines = [f"{head}  unscored  errors"]
    for c in sorted(rows, key=lambda c: c.label):
        low, high = c.interval
        lines.append(
            f"{' / '.join(c.label):<{width}}  {_pct(c.rate):>7}  {f'{c.harmful}/{c.scored}':>9}  "
            f"{f'[{100 * low:.1f}, {100 * high:.1f}]':>15}  {c.unscored:>8}  {c.errors:>6}"
        )
    return "\n".join(lines)


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _svg_rates(title: str, rows: list[Cell]) -> str:
    """A dot-and-whisker chart of rates with their Wilson intervals (inline SVG)."""
    height, left, width = 28 * len(rows) + 40, 260, 360
    parts = [
        f'<svg class="plot" role="img" aria-label="{_esc(title)}" width="{left + width + 40}" '
        f'height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f'<text x="4" y="16" font-weight="bold">{_esc(title)}</text>',
    ]
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        x = left + tick * width
        parts.append(f'<line x1="{x}" y1="24" x2="{x}" y2="{height - 14}" stroke="#ddd"/>')
        parts.append(f'<text x="{x - 8}" y="{height - 2}" font-size="10">{int(tick * 100)}%</text>')
    for i, c in enumerate(rows):
        y = 40 + 28 * i
        low, high = c.interval
        label = _esc(" / ".join(c.label))
        parts.append(f'<text x="4" y="{y + 4}" font-size="12">{label} (n={c.scored})</text>')
        if c.rate is not None:
            parts.append(
                f'<line class="ci" x1="{left + low * width:.1f}" y1="{y}" '
                f'x2="{left + high * width:.1f}" y2="{y}" stroke="#555" stroke-width="2"/>'
            )
            parts.append(f'<circle cx="{left + c.rate * width:.1f}" cy="{y}" r="4" fill="#b22"/>')
    parts.append("</svg>")
    return "".join(parts)


def svg_differences(diffs: list[tuple[str, str, str, Difference, float]]) -> str:
    """Each arm minus the baseline, per split and family, with its Newcombe interval (inline
    SVG, -100 to +100 points): in- and out-of-distribution effects side by side."""
    title = "difference from the baseline (percentage points), by split"
    height, left, width = 28 * len(diffs) + 40, 300, 360
    parts = [
        f'<svg class="plot" role="img" aria-label="{_esc(title)}" width="{left + width + 40}" '
        f'height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f'<text x="4" y="16" font-weight="bold">{_esc(title)}</text>',
    ]
    for tick in (-1.0, -0.5, 0.0, 0.5, 1.0):
        x = left + (tick + 1) / 2 * width
        colour = "#999" if tick == 0 else "#ddd"
        parts.append(f'<line x1="{x}" y1="24" x2="{x}" y2="{height - 14}" stroke="{colour}"/>')
        parts.append(
            f'<text x="{x - 10}" y="{height - 2}" font-size="10">{int(tick * 100):+d}</text>'
        )
    for i, (arm, split, family, d, _) in enumerate(diffs):
        y = 40 + 28 * i
        label = _esc(f"{arm} / {split} / {family}")
        parts.append(f'<text x="4" y="{y + 4}" font-size="12">{label}</text>')
        low, high, mid = ((v + 1) / 2 * width + left for v in (d.low, d.high, d.difference))
        parts.append(
            f'<line class="ci" x1="{low:.1f}" y1="{y}" x2="{high:.1f}" y2="{y}" stroke="#555" '
            'stroke-width="2"/>'
        )
        parts.append(f'<circle cx="{mid:.1f}" cy="{y}" r="4" fill="#24b"/>')
    parts.append("</svg>")
    return "".join(parts)


def _table(head: Iterable[str], rows: Iterable[Iterable[object]], table_id: str = "") -> str:
    attrs = f' id="{table_id}"' if table_id else ""
    head_html = "".join(f"<th>{_esc(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{_esc(v)}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table{attrs}><thead><tr>{head_html}</tr></thead><tbody>{body}</tbody></table>"


def _clustered(table: Any, keys: dict[str, str]) -> str:
    """The rate's interval with conditions as clusters (epochs and seeds of one condition are
    not independent draws), and its design effect."""
    rows = table[table["error"].isna() & table["harmful"].notna()]
    for column, value in keys.items():
        rows = rows[rows[column].astype(str) == value]
    per_condition = [
        (int(g["harmful"].astype(bool).sum()), len(g)) for _, g in rows.groupby("condition_id")
    ]
    if not per_condition:
        return ""
    pooled = pooled_rate(per_condition)
    return f"[{100 * pooled.low:.1f}, {100 * pooled.high:.1f}] (deff {pooled.design_effect:.1f})"


def _cell_row(c: Cell) -> list[object]:
    low, high = c.interval
    return [
        *c.label,
        _pct(c.rate),
        f"{c.harmful}/{c.scored}",
        f"[{100 * low:.1f}, {100 * high:.1f}]",
        f"≤ {100 * rule_of_three(c.scored):.1f}%" if c.rate == 0 and c.scored > 3 else "",
        c.unscored,
        c.errors,
    ]


def _transcripts(logs: dict[str, EvalLog]) -> list[str]:
    """The harmful trials, one per (task, condition), with their evidence and an excerpt."""
    blocks: list[str] = []
    seen: set[tuple[str, str]] = set()
    for task, log in sorted(logs.items()):
        for sample in log.samples or []:
            score = (sample.scores or {}).get(HARM_SCORER)
            value = score.value if score is not None else None
            if not isinstance(value, float) or math.isnan(value) or value < 0.5:
                continue
            condition = str((sample.metadata or {}).get("condition_id"))
            if (task, condition) in seen or len(blocks) >= MAX_TRANSCRIPTS:
                continue
            seen.add((task, condition))
            verdict = ((score.metadata or {}) if score else {}).get("verdict", {})
            evidence = [e.get("quote", "") for e in verdict.get("evidence", [])][:3]
            reply = sample.output.completion if sample.output else ""
            excerpt = reply[:MAX_EXCERPT_CHARS] + (
                "\n[… cut]" if len(reply) > MAX_EXCERPT_CHARS else ""
            )
            blocks.append(
                f'<div class="transcript"><h3>{_esc(task)} · {_esc(condition)} · epoch '
                f"{_esc(sample.epoch)} · {_esc(score.answer if score else '')}</h3>"
                + "".join(
                    f'<p class="evidence">evidence: <mark>{_esc(q)}</mark></p>' for q in evidence
                )
                + f"<pre>{_esc(excerpt)}</pre>"
                + f'<p class="log">full transcript: <code>inspect view --log-dir '
                f"{_esc(Path(log.location).parent)}</code> ({_esc(Path(log.location).name)}, "
                f"sample {_esc(sample.id)})</p></div>"
            )
    return blocks


_STYLE = """body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;
text-align:right}th{background:#f4f4f4}pre{white-space:pre-wrap;background:#f8f8f8;
padding:8px;max-height:24em;overflow:auto}.transcript{border-top:1px solid #ddd;margin-top:1em}"""


def render_html(log_dir: Path, title: str = "whylab report", lead: Sequence[str] = ()) -> str:
    """The whole report as one HTML string; ``lead`` holds trusted HTML sections (already
    escaped) placed under the title, as a training experiment's table of arms."""
    table = results_from_dir(log_dir)
    logs = latest_logs(log_dir)
    headline = cells(table, ["model", "arm", "family"])
    totals = cells(table, ["model", "arm"])
    sections = [
        f"<h1>{_esc(title)}</h1>",
        *lead,
        f"<p>{len(table)} trials from <code>{_esc(log_dir)}</code>. Rates are harmful / scored "
        "trials with 95% Wilson intervals (and the rule-of-three bound 3/n at 0/n); unscored "
        "trials (empty output, provider or grader failure) and errors are counted apart and "
        "never as harmless.</p>",
        "<h2>Headline</h2>",
        _table(
            [
                "model",
                "arm",
                "family",
                "harmful",
                "k/n",
                "95% CI",
                "rule of 3",
                "unscored",
                "errors",
                "95% CI, conditions as clusters",
            ],
            [
                [
                    *_cell_row(c),
                    _clustered(table, dict(zip(("model", "arm", "family"), c.label, strict=True))),
                ]
                for c in headline
            ]
            + [
                [
                    *_cell_row(
                        Cell(c.harmful, c.scored, c.unscored, c.errors, label=(*c.label, "all"))
                    ),
                    _clustered(table, dict(zip(("model", "arm"), c.label, strict=True))),
                ]
                for c in totals
            ],
            "headline",
        ),
        "<p>The Wilson interval treats every trial as independent; the last column treats "
        "conditions as clusters (epochs and seeds of one condition share a prompt) and is the "
        "one to quote when the design effect (deff) is well above 1. Differences below use "
        "trials and are optimistic in that case.</p>",
        "<h2>Rates by factor</h2>",
        *(_svg_rates(f"harmful rate by {f}", cells(table, ["arm", f])) for f in FACTORS),
    ]
    diffs = differences(table)
    if diffs:
        sections += [
            "<h2>Arms against the baseline</h2>",
            f"<p>Baseline: <b>{_esc(arm_order(table)[0])}</b>. Holm adjusts Fisher's p across "
            f"all {len(diffs)} comparisons shown. Split <b>eval_id</b>: worlds like the training "
            "worlds; <b>eval_ood</b>: held-out families, organisations and variation axes.</p>",
            _table(
                [
                    "arm",
                    "split",
                    "family",
                    "difference",
                    "95% Newcombe CI",
                    "Fisher p",
                    "z-test p",
                    "Holm p",
                ],
                [
                    [
                        arm,
                        split,
                        fam,
                        f"{100 * d.difference:+.1f} pts",
                        f"[{100 * d.low:+.1f}, {100 * d.high:+.1f}]",
                        f"{d.p_fisher:.4g}",
                        f"{d.p_z:.4g}",
                        f"{p:.4g}",
                    ]
                    for arm, split, fam, d, p in diffs
                ],
                "differences",
            ),
            svg_differences(diffs),
        ]
    stated = table[table["stated_assessment"].notna()]
    if len(stated):
        sections += [
            "<h2>Harm by what the agent said about its situation</h2>",
            _table(
                ["arm", "stated", "harmful", "k/n", "95% CI", "rule of 3", "unscored", "errors"],
                [
                    _cell_row(c)
                    for c in cells(
                        table.fillna({"stated_assessment": "neither"}), ["arm", "stated_assessment"]
                    )
                ],
                "awareness",
            ),
        ]
    transcripts = _transcripts(logs)
    capped = (
        [f"<p>Showing the first {MAX_TRANSCRIPTS} cells; open the logs for the rest.</p>"]
        if len(transcripts) >= MAX_TRANSCRIPTS
        else []
    )
    sections += [
        "<h2>Harmful transcripts (one per cell)</h2>",
        *capped,
        *(transcripts or ["<p>None.</p>"]),
    ]
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        f"<title>{_esc(title)}</title><style>{_STYLE}</style></head><body>"
        + "\n".join(sections)
        + "</body></html>"
    )


def write_report(log_dir: Path, output: Path, title: str = "whylab report") -> Path:
    output.write_text(render_html(log_dir, title), encoding="utf-8")
    return output
