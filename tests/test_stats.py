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
