"""The forecast's maths against values worked out by hand (and Student's t tables)."""

from __future__ import annotations

import math

import pytest

from tribune.analytics.forecast import fit, t_quantile

# Seven days: x = 0..6. By hand: x̄ = 3, ȳ = 4, Sxx = 28, Sxy = 26,
# slope = 26/28 = 13/14, intercept = 4 - 3·13/14 = 17/14.
# Residuals (in fourteenths): -3, 12, -15, 14, -13, 2, 3 → SSE = 756/196 = 27/7.
XS = [0, 1, 2, 3, 4, 5, 6]
YS = [1, 3, 2, 5, 4, 6, 7]


def test_it_fits_the_least_squares_line():
    line = fit(XS, YS)
    assert line.slope == pytest.approx(13 / 14)
    assert line.intercept == pytest.approx(17 / 14)
    assert line.x_mean == 3 and line.sxx == 28 and line.n == 7
    assert line.sse == pytest.approx(27 / 7)
    assert line.residual_sd == pytest.approx(math.sqrt(27 / 35))  # SSE / (n - 2)
    assert line.at(13) == pytest.approx(186 / 14)


def test_it_gives_the_95_percent_prediction_interval():
    # At x = 13: ŷ = 186/14 = 13.2857; half width = t(0.975, 5) · s · sqrt(1 + 1/7 + 100/28)
    # = 2.5706 × 0.87831 × 2.17124 = 4.9023 (t from the tables).
    low, high = fit(XS, YS).prediction_interval(13)
    assert low == pytest.approx(13.2857 - 4.9023, abs=2e-3)
    assert high == pytest.approx(13.2857 + 4.9023, abs=2e-3)


def test_it_widens_the_interval_further_from_the_data():
    line = fit(XS, YS)
    near, far = line.prediction_interval(6), line.prediction_interval(30)
    assert far[1] - far[0] > near[1] - near[0]


def test_it_gives_a_zero_width_interval_on_a_perfect_line():
    line = fit([0, 1, 2, 3], [10, 12, 14, 16])
    assert line.slope == 2 and line.sse == 0
    assert line.prediction_interval(10) == (pytest.approx(30), pytest.approx(30))


@pytest.mark.parametrize(
    ("df", "table"),
    [(5, 2.5706), (6, 2.4469), (10, 2.2281), (20, 2.0860), (30, 2.0423), (58, 2.0017)],
)
def test_it_matches_students_t_tables(df, table):
    assert t_quantile(0.975, df) == pytest.approx(table, abs=5e-4)


def test_it_refuses_a_line_through_too_few_or_vertical_points():
    with pytest.raises(ValueError):
        fit([1], [1])
    with pytest.raises(ValueError):
        fit([2, 2, 2], [1, 2, 3])
    with pytest.raises(ValueError):
        fit([0, 1], [1, 2]).prediction_interval(3)
