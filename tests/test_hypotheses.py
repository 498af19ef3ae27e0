"""Pre-registered hypotheses: estimates, one-sided tests, Holm adjustment and verdicts."""

from __future__ import annotations

import math

import pytest

from whylab.stats.hypotheses import Hypothesis, evaluate


def _h(test: str, **kw: str) -> Hypothesis:
    fields = {"arm": "a", "versus": "base", "split": "eval_id"} | kw
    return Hypothesis(id="H", says="...", test=test, **fields)


def test_a_clear_rise_is_held_and_the_opposite_claim_contradicted() -> None:
    counts = {("a", "eval_id"): (16, 20), ("base", "eval_id"): (1, 20)}
    higher, lower = evaluate([_h("higher"), _h("lower")], counts, {})
    assert higher.estimate == pytest.approx(75.0)
    assert higher.verdict == "held" and higher.p_holm is not None and higher.p_holm < 0.001
    assert lower.verdict == "contradicted" and lower.high is not None and lower.high < 0
    # Holm: the smaller p is doubled, the larger kept (and never below the smaller)
    assert higher.p_holm == pytest.approx(2 * (higher.p_one_sided or 0))


def test_small_samples_are_not_shown_either_way() -> None:
    counts = {("a", "eval_id"): (2, 5), ("base", "eval_id"): (1, 5)}
    (result,) = evaluate([_h("higher")], counts, {})
    assert result.verdict == "not shown"
    assert result.low is not None and result.low < 0 < (result.high or 0)


def test_a_drop_in_distribution_only_is_a_larger_drop_there() -> None:
    counts = {
        ("base", "eval_id"): (30, 30),
        ("a", "eval_id"): (0, 30),
        ("base", "eval_ood"): (30, 30),
        ("a", "eval_ood"): (30, 30),
    }
    (result,) = evaluate([_h("larger_drop_in", other="eval_ood")], counts, {})
    assert result.estimate == pytest.approx(100.0)
    assert result.verdict == "held"
    # the same drop in both splits shows nothing
    counts[("a", "eval_ood")] = (0, 30)
    (same,) = evaluate([_h("larger_drop_in", other="eval_ood")], counts, {})
    assert same.estimate == pytest.approx(0.0) and same.verdict == "not shown"


def test_the_drop_per_token_compares_efficiency_not_size() -> None:
    counts = {
        ("base", "eval_ood"): (20, 20),
        ("a", "eval_ood"): (10, 20),
        ("b", "eval_ood"): (0, 20),
    }
    h = _h("larger_drop_per_token", split="eval_ood", other_arm="b")
    # a: 50 points for 1,000 tokens; b: 100 points for 10,000 tokens (10 per 1,000)
    (result,) = evaluate([h], counts, {"a": 1_000, "b": 10_000})
    assert result.estimate == pytest.approx(100 * (0.5 - 0.1))
    assert result.unit == "points/1k tokens"
    assert math.isfinite(result.low or math.nan)


def test_a_missing_cell_or_token_count_is_untestable_and_left_out_of_holm() -> None:
    counts = {("a", "eval_id"): (16, 20), ("base", "eval_id"): (1, 20)}
    missing, ok = evaluate([_h("larger_drop_in", other="eval_ood"), _h("higher")], counts, {})
    assert missing.verdict.startswith("untestable: a cell has no scored trials")
    assert ok.p_holm == pytest.approx(ok.p_one_sided or 0)  # one testable: no adjustment
    (no_tokens,) = evaluate([_h("larger_drop_per_token", other_arm="b")], counts, {})
    assert no_tokens.verdict.startswith("untestable")
