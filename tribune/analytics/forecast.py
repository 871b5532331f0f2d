"""A straight line through recent days, and how far the deadline may fall from it.

The method is deliberately simple so that it can be written down in one
sentence beside every forecast (docs/analytics.md, "Objectives: target versus
actual"): an ordinary least squares line through the last days of an indicator,
extended to the deadline, with a 95 % prediction interval from Student's t
distribution. It assumes the recent pace goes on and the days scatter around the
line independently; consecutive days of a carried-forward level do not, so the
interval is a guide, not a guarantee.

Plain Python (statistics module): a few dozen points need no numpy.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist, fmean

# Both sides of a 95 % interval.
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Line:
    """y = intercept + slope * x, fitted to n points."""

    slope: float
    intercept: float
    n: int
    x_mean: float
    sxx: float  # sum of (x - x_mean)²
    sse: float  # sum of squared residuals

    def at(self, x: float) -> float:
        return self.intercept + self.slope * x

    @property
    def residual_sd(self) -> float:
        """The residuals' standard deviation, s = sqrt(SSE / (n - 2))."""
        return math.sqrt(self.sse / (self.n - 2)) if self.n > 2 else 0.0

    def prediction_interval(self, x: float) -> tuple[float, float]:
        """Return (low, high): where one new point at `x` falls 95 times in 100.

        ŷ ± t(0.975, n - 2) · s · sqrt(1 + 1/n + (x - x̄)² / Sxx). Needs n ≥ 3.
        """
        if self.n < 3:
            raise ValueError("a prediction interval needs at least three points")
        centre = self.at(x)
        half = (
            t_quantile(1 - (1 - CONFIDENCE) / 2, self.n - 2)
            * self.residual_sd
            * math.sqrt(1 + 1 / self.n + (x - self.x_mean) ** 2 / self.sxx)
        )
        return centre - half, centre + half


def fit(xs: Sequence[float], ys: Sequence[float]) -> Line:
    """Return the ordinary least squares line through (xs, ys).

    Raises ValueError with fewer than two points or when every x is the same.
    """
    if len(xs) != len(ys) or len(xs) < 2:
        raise ValueError("a line needs at least two points, as many x as y")
    x_mean, y_mean = fmean(xs), fmean(ys)
    sxx = math.fsum((x - x_mean) ** 2 for x in xs)
    if sxx == 0:
        raise ValueError("every point is at the same x")
    sxy = math.fsum((x - x_mean) * (y - y_mean) for x, y in zip(xs, ys, strict=True))
    slope = sxy / sxx
    intercept = y_mean - slope * x_mean
    sse = math.fsum((y - (intercept + slope * x)) ** 2 for x, y in zip(xs, ys, strict=True))
    return Line(slope, intercept, len(xs), x_mean, sxx, sse)


def t_quantile(p: float, df: int) -> float:
    """Return Student's t quantile for probability `p` with `df` degrees of freedom.

    The Cornish-Fisher expansion of the normal quantile (Abramowitz and Stegun
    26.7.5): within 0.0005 of the tables from 5 degrees of freedom up (the
    forecast needs at least 7 points, so 5), which the standard library lacks.
    """
    if df < 1:
        raise ValueError("degrees of freedom must be at least 1")
    z = NormalDist().inv_cdf(p)
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    g4 = (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160
    return z + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4
