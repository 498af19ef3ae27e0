import pytest

from whylab.stats import wilson


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        # Reference values: R prop.test(k, n, correct = FALSE)$conf.int
        (0, 10, 0.0, 0.27753),
        (5, 10, 0.23659, 0.76341),
        (20, 100, 0.13337, 0.28883),
        (96, 100, 0.90163, 0.98434),
        (10, 10, 0.72247, 1.0),
    ],
)
def test_wilson_matches_reference(k: int, n: int, low: float, high: float) -> None:
    got = wilson(k, n)
    assert got == pytest.approx((low, high), abs=5e-5)


@pytest.mark.parametrize(("n", "half_width"), [(100, 0.078), (300, 0.045), (600, 0.032)])
def test_wilson_half_width_at_twenty_percent(n: int, half_width: float) -> None:
    low, high = wilson(n // 5, n)
    assert (high - low) / 2 == pytest.approx(half_width, abs=0.0015)


def test_wilson_edge_cases() -> None:
    assert wilson(0, 0) == (0.0, 1.0)
    low, high = wilson(0, 300)
    assert low == 0.0 and 0.0 < high < 0.013  # never a zero-width interval at 0/n
    with pytest.raises(ValueError, match="k <= n"):
        wilson(3, 2)


def test_cohen_kappa_reference() -> None:
    from whylab.stats import cohen_kappa

    a = [1, 1, 0, 0, 1, 0, 1, 1, 0, 1]
    b = [1, 0, 0, 0, 1, 0, 1, 1, 1, 1]
    # observed 0.8, chance 0.52: (0.8 - 0.52) / 0.48
    assert cohen_kappa(a, b) == pytest.approx(0.58333, abs=1e-5)
    assert cohen_kappa([1, 1], [1, 1]) == 1.0
    with pytest.raises(ValueError, match="different numbers"):
        cohen_kappa([1], [1, 0])


def test_krippendorff_alpha_reference() -> None:
    from whylab.stats import krippendorff_alpha

    # Krippendorff (2011), "Computing Krippendorff's alpha-reliability", nominal example:
    # 4 observers, 12 units, missing values; alpha = 0.743.
    units = [
        [1, 1, None, 1],
        [2, 2, 3, 2],
        [3, 3, 3, 3],
        [3, 3, 3, 3],
        [2, 2, 2, 2],
        [1, 2, 3, 4],
        [4, 4, 4, 4],
        [1, 1, 2, 1],
        [2, 2, 2, 2],
        [None, 5, 5, 5],
        [None, None, 1, 1],
        [None, 3, None, None],
    ]
    assert krippendorff_alpha(units) == pytest.approx(0.743, abs=5e-4)
    assert krippendorff_alpha([[1, None], [None, 2]]) is None


def test_newcombe_matches_the_published_example() -> None:
    from whylab.stats import newcombe

    # Newcombe (1998), Stat Med 17:873, example (a): 56/70 vs 48/80, method 10.
    assert newcombe(56, 70, 48, 80) == pytest.approx((0.0524, 0.3339), abs=5e-5)
    low, high = newcombe(0, 50, 0, 50)
    assert low < 0 < high  # never a zero-width interval at 0 vs 0


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        # R: fisher.test(matrix(c(3, 1, 1, 3), 2))$p.value (the tea-tasting table)
        ((3, 4, 1, 4), 0.4857143),
        # R: fisher.test(matrix(c(1, 11, 9, 3), 2))$p.value
        ((1, 10, 11, 14), 0.002759456),
        ((0, 10, 0, 10), 1.0),
    ],
)
def test_fisher_exact_reference(table: tuple[int, int, int, int], expected: float) -> None:
    from whylab.stats import fisher_exact

    assert fisher_exact(*table) == pytest.approx(expected, rel=1e-6)


def test_two_proportion_z_and_compare() -> None:
    from whylab.stats import compare, two_proportion_z

    # R: prop.test(c(56, 48), c(70, 80), correct = FALSE)$p.value
    assert two_proportion_z(56, 70, 48, 80) == pytest.approx(0.008045, abs=5e-6)
    assert two_proportion_z(0, 10, 0, 10) == 1.0
    result = compare(22, 100, 15, 100)
    assert result.difference == pytest.approx(0.07)
    assert result.low < 0 < result.high and result.p_fisher > 0.05


def test_holm_matches_r() -> None:
    from whylab.stats import holm

    # R: p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm")
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm([0.5, 0.9]) == [1.0, 1.0]


def test_pooled_rate_treats_conditions_as_clusters() -> None:
    from whylab.stats import pooled_rate, wilson

    # Conditions that disagree: 5/10, 0/10, 10/10. Robust variance 1.5 * 50 / 900.
    spread = pooled_rate([(5, 10), (0, 10), (10, 10)])
    assert spread.rate == 0.5 and spread.clusters == 3
    assert spread.design_effect == pytest.approx(10.0)
    assert (spread.low, spread.high) == (0.0, 1.0)
    # Conditions that agree exactly: never narrower than Wilson on all trials (never zero).
    same = pooled_rate([(3, 10), (3, 10)])
    assert (same.low, same.high) == pytest.approx(wilson(6, 20))
    assert same.high > same.low
    with pytest.raises(ValueError, match="no trials"):
        pooled_rate([(0, 0)])


@pytest.mark.parametrize(
    ("p1", "p2", "n"),
    [
        (0.22, 0.15, 482),
        (0.20, 0.10, 199),
        (0.30, 0.15, 121),
        (0.10, 0.05, 435),
        (0.22, 0.03, 47),
        (0.54, 0.07, 14),
    ],
)
def test_samples_per_arm_reproduces_the_planning_table(p1: float, p2: float, n: int) -> None:
    from whylab.stats import samples_per_arm

    assert samples_per_arm(p1, p2) == n


def test_power_command(capsys: pytest.CaptureFixture[str]) -> None:
    from whylab.cli import main

    assert main(["power", "--p1", "0.22", "--p2", "0.15", "--n", "100"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("482 samples per arm") and "of ±8.0 points" in out
    assert main(["power", "--p1", "0.2", "--p2", "1.2"]) == 2
    assert "p2=1.2" in capsys.readouterr().err


def test_rule_of_three() -> None:
    from whylab.stats import rule_of_three

    assert rule_of_three(300) == pytest.approx(0.01)
    assert rule_of_three(2) == 1.0
    with pytest.raises(ValueError, match="positive"):
        rule_of_three(0)
