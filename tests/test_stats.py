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
