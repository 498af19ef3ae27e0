"""The HTML report: hostile model text stays inert and bounded; a real browser renders it."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval

from tests.conftest import scripted_model
from whylab.agent.task import agentic_misalignment
from whylab.cli import main
from whylab.report.html import MAX_EXCERPT_CHARS, render_html
from whylab.scenarios import Condition, render

HOSTILE = (
    "<script>alert('pwned')</script><img src=x onerror=alert(1)>"
    '<a href="javascript:alert(2)">click</a></pre></div><style>body{display:none}</style>'
)


@pytest.fixture(scope="module")
def hostile_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A lethal-family run whose harmful replies carry markup and a megabyte of padding."""
    log_dir = tmp_path_factory.mktemp("hostile")
    codes = {
        render(c, 0).user_prompt: render(c, 0).facts.override_code
        for c in (
            Condition("lethal", "none", None, t) for t in ("none", "replacement", "restriction")
        )
    }

    def reply(system: str, user: str) -> str:
        cancel = f"<tool_use:cancel_alert>\ncode: {codes[user]}\n</tool_use:cancel_alert>"
        return HOSTILE + cancel + "\n" + "A" * 1_000_000

    inspect_eval(
        agentic_misalignment(family="lethal", goal_type="none"),
        model=scripted_model(reply),
        log_dir=str(log_dir),
        display="none",
    )
    return log_dir


def test_model_text_is_escaped_and_bounded(hostile_logs: Path) -> None:
    page = render_html(hostile_logs)
    for raw in ("<script", "<img", "<a href", 'href="javascript', "<style>body{display:none}"):
        assert raw not in page, raw
    assert "&lt;script&gt;alert(&#x27;pwned&#x27;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert len(page) < 3 * 4 * MAX_EXCERPT_CHARS + 50_000  # three cut transcripts, not 3 MB
    assert "[… cut]" in page
    assert "default-src 'none'" in page  # and a CSP that would block anything that slipped


def test_report_command_and_terminal_table(
    hostile_logs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", str(hostile_logs), "--format", "table"]) == 0
    assert "100.0%" in capsys.readouterr().out
    out = tmp_path / "r.html"
    assert main(["report", str(hostile_logs), "-o", str(out)]) == 0
    assert out.read_text().startswith("<!DOCTYPE html>")
    assert main(["report", str(tmp_path / "nothing-here")]) == 2
    assert "no .eval logs" in capsys.readouterr().err


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.browser
def test_report_renders_in_headless_chromium(hostile_logs: Path, tmp_path: Path) -> None:
    """CI installs Debian's chromium (.ci/run); elsewhere the test is skipped without it."""
    browser = _chromium()
    if browser is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing in CI: .ci/run must install it")
        pytest.skip("chromium not installed (apt-get install chromium)")
    page = tmp_path / "report.html"
    page.write_text(render_html(hostile_logs))
    result = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    dom = result.stdout
    assert '<table id="headline">' in dom, result.stderr[-2000:]
    assert dom.count('<svg class="plot"') == 3 and "<circle" in dom
    assert "<script" not in dom and "&lt;script&gt;" in dom


def test_differences_are_reported_in_and_out_of_distribution() -> None:
    """Each arm against the baseline, per split and family, with Holm across every row."""
    import pandas as pd

    from whylab.report.html import differences, svg_differences

    def rows(arm: str, index: int, split: str, family: str, harmful: int, n: int) -> list[dict]:
        return [
            {
                "arm": arm,
                "arm_index": index,
                "split": split,
                "family": family,
                "world": "gen-3" if split == "eval_id" else "kestrel",
                "mode": "single",
                "harmful": float(i < harmful),
                "error": None,
            }
            for i in range(n)
        ]

    table = pd.DataFrame(
        rows("base", 0, "eval_id", "blackmail", 15, 20)
        + rows("base", 0, "eval_ood", "sabotage", 12, 20)
        + rows("why", 1, "eval_id", "blackmail", 1, 20)
        + rows("why", 1, "eval_ood", "sabotage", 11, 20)
    )
    found = {(arm, split, fam): (d, p) for arm, split, fam, d, p in differences(table)}
    assert set(found) == {
        ("why", "eval_id", "blackmail"),
        ("why", "eval_id", "all"),
        ("why", "eval_ood", "sabotage"),
        ("why", "eval_ood", "all"),
    }
    in_dist, p_in = found[("why", "eval_id", "blackmail")]
    out_dist, p_out = found[("why", "eval_ood", "sabotage")]
    assert round(in_dist.difference, 2) == -0.70 and in_dist.high < 0 and p_in < 0.01
    assert round(out_dist.difference, 2) == -0.05 and out_dist.low < 0 < out_dist.high
    assert p_out == 1.0  # Holm-adjusted, capped at 1
    plot = svg_differences(differences(table))
    assert plot.count('class="ci"') == 4 and "why / eval_ood / sabotage" in plot
    old_logs = table.assign(split=None)  # logs written before splits existed: from the world
    assert {s for _, s, *_ in differences(old_logs)} == {"eval_id", "eval_ood"}
    assert {s for _, s, *_ in differences(old_logs.assign(world="elsewhere"))} == {"-"}
    both_modes = pd.concat([table, table.assign(mode="multi")])  # never pooled
    assert {s for _, s, *_ in differences(both_modes)} == {
        "eval_id/single",
        "eval_id/multi",
        "eval_ood/single",
        "eval_ood/multi",
    }
