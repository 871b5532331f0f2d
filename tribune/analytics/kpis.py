"""Each objective's indicator measured against its target: step 6 of the method.

`series` gives the indicator's value day by day, `measure` where it stands today
(current value, progress from baseline to target, trend, forecast at the
deadline, status), `measure_all` / `measure_many` the same for many objectives
in a fixed number of queries (the objectives, their personas, then at most one
query per source: rollup counters, follower levels, business figures).

Two kinds of indicator (docs/analytics.md, "Objectives: target versus actual"):

- levels, read as they stand on a day: audience (followers), engagement rate,
  response time. The target is the level to reach by the deadline.
- totals, counted from the objective's start (the day it was created, in the
  workspace's time zone) and added to the baseline: new followers, likes,
  comments, shares, and the business figures (site traffic, downloads, press
  coverage, sales, contacts, custom). The target is the total to reach by the
  deadline ("500 new followers by June": baseline 0, target 500).

A day without figures keeps the last level (levels) or adds nothing (totals);
`series` carries the last value on to its `end`. A measure, though, stops at the
last day that has figures (its `as_of`): the days after it are unknown, and a
flat tail of them would bend the trend and the forecast.
"""

from __future__ import annotations

import functools
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import models
from django.db.models import Q, Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tribune.strategy.catalog import network_name
from tribune.strategy.choices import LOWER_IS_BETTER, Kpi
from tribune.strategy.models import Objective
from tribune.workspaces.models import Workspace

from . import forecast as ols
from .models import BUSINESS_KPIS, IndicatorValue, NetworkDay
from .vocabulary import ENGAGEMENT_RATE, engagement_rate

Point = tuple[date, float]

LEVELS = frozenset({Kpi.AUDIENCE, Kpi.ENGAGEMENT_RATE, Kpi.RESPONSE_TIME})
# Totals read from the daily rollups, with the rollup column that holds them.
COUNTERS = {
    Kpi.NEW_FOLLOWERS: "new_followers",
    Kpi.LIKES: "likes",
    Kpi.COMMENTS: "comments",
    Kpi.SHARES: "shares",
}
# Counted on the account, not on posts: a persona cannot be told apart.
ACCOUNT_COUNTERS = frozenset({Kpi.NEW_FOLLOWERS})
BUSINESS = frozenset(BUSINESS_KPIS)
# Figures shown as whole numbers; the others (rates, money, business figures) with 2 decimals.
WHOLE = frozenset({Kpi.AUDIENCE, Kpi.NEW_FOLLOWERS, Kpi.LIKES, Kpi.COMMENTS, Kpi.SHARES})

TREND_DAYS = 28
FORECAST_MAX_DAYS = 60
FORECAST_MIN_DAYS = 7
# A trend is flat when four weeks move the value less than this share of baseline → target.
FLAT_SHARE = 0.01

# The methods, shown wherever the figures are. "Per cent" in words: a bare "%" in text
# that is never %-formatted reads to gettext's tools as a directive ("0 % at": "% a").
PROGRESS_METHOD = gettext_lazy(
    "Progress, in per cent = (current value − baseline) ÷ (target − baseline) × 100: 0 at the "
    "baseline, 100 at the target, whichever way the indicator should go."
)
TREND_METHOD = gettext_lazy(
    "Trend: the slope of a straight line fitted to the last 28 days, per week. Flat when four "
    "weeks move the value by less than a hundredth of the way from baseline to target."
)
FORECAST_METHOD = gettext_lazy(
    "Forecast: a straight line fitted by least squares to the last 60 days of figures (at "
    "least 7), extended to the deadline. The range is a 95 per cent prediction interval: "
    "where the value should fall if the recent pace goes on. Totals never fall below their "
    "current value."
)
STATUS_METHOD = gettext_lazy(
    "Achieved: the target is reached. On track: the forecast reaches the target. At risk: it "
    "does not, but the target is within the range. Off track: the target is beyond the range. "
    "After the deadline: achieved or missed, by the value at the deadline."
)


class Status(models.TextChoices):
    ACHIEVED = "achieved", gettext_lazy("Achieved")
    ON_TRACK = "on_track", gettext_lazy("On track")
    AT_RISK = "at_risk", gettext_lazy("At risk")
    OFF_TRACK = "off_track", gettext_lazy("Off track")
    MISSED = "missed", gettext_lazy("Missed")
    UNKNOWN = "unknown", gettext_lazy("Not known yet")


class Direction(models.TextChoices):
    UP = "up", gettext_lazy("Rising")
    DOWN = "down", gettext_lazy("Falling")
    FLAT = "flat", gettext_lazy("Flat")


ARROWS = {Direction.UP: "↗", Direction.DOWN: "↘", Direction.FLAT: "→"}
BADGES = {Status.ACHIEVED: "ok", Status.ON_TRACK: "ok", Status.AT_RISK: "warn",
          Status.OFF_TRACK: "closed", Status.MISSED: "closed", Status.UNKNOWN: ""}  # fmt: skip


@dataclass(frozen=True)
class Trend:
    per_week: float
    direction: Direction

    @property
    def arrow(self) -> str:
        return ARROWS[self.direction]

    @property
    def size(self) -> float:
        """The change per week without its sign (the direction says it in words)."""
        return abs(self.per_week)


@dataclass(frozen=True)
class Forecast:
    value: float
    low: float
    high: float
    days: int  # how many days of figures the line was fitted to


@dataclass(frozen=True)
class Measure:
    objective: Objective = field(compare=False, repr=False)
    kpi: str
    cumulative: bool  # a total counted from `start`; else a level
    lower_is_better: bool
    baseline: float
    target: float
    start: date
    deadline: date
    current: float | None  # None: no figures yet
    as_of: date | None  # the day of `current`
    progress: float | None  # percent from baseline to target, may pass 0 or 100
    trend: Trend | None
    forecast: Forecast | None
    status: Status
    deadline_passed: bool
    reason: str  # why there is no current value, or no forecast; "" when there are both
    definition: str  # what the figure counts, in the active language

    @property
    def status_label(self) -> str:
        return str(self.status.label)

    @property
    def badge(self) -> str:
        return BADGES[self.status]

    @property
    def progress_bar(self) -> int:
        """The progress clamped to 0–100, for a bar (the text says the real figure)."""
        return round(min(100.0, max(0.0, self.progress or 0.0)))

    @property
    def number_format(self) -> str:
        """The floatformat argument for this indicator's values."""
        return "0g" if self.kpi in WHOLE else "-2g"

    @property
    def method(self) -> list[tuple[str, str]]:
        """(label, text) pairs: how each figure shown is computed, in the active language."""
        return [
            (_("What is counted"), self.definition),
            (_("Progress"), str(PROGRESS_METHOD)),
            (_("Trend"), str(TREND_METHOD)),
            (_("Forecast"), str(FORECAST_METHOD)),
            (_("Status"), str(STATUS_METHOD)),
        ]

    @property
    def trend_is_good(self) -> bool | None:
        if self.trend is None or self.trend.direction == Direction.FLAT:
            return None
        return (self.trend.direction == Direction.DOWN) == self.lower_is_better


def objective_start(objective: Objective, zone: zoneinfo.ZoneInfo) -> date:
    """The day counting starts: the objective's creation, in the workspace's time zone."""
    return timezone.localtime(objective.created_at, zone).date()


def _days(first: date, last: date) -> Iterable[date]:
    for offset in range((last - first).days + 1):
        yield first + timedelta(days=offset)


@dataclass
class Figures:
    """The workspace's figures objectives read, loaded once for many objectives."""

    zone: zoneinfo.ZoneInfo
    # Objective id -> {day: the day's increase} of a total read from the networks.
    totals: dict[int, dict[date, float]] = field(default_factory=dict)
    # Objective id -> {day: {network: (views, engagements)}} of an engagement rate.
    rates: dict[int, dict[date, dict[str, tuple[int, int]]]] = field(default_factory=dict)
    # Objective id -> {day: (change of the followers, accounts read)} of an audience.
    audience: dict[int, dict[date, tuple[int, int]]] = field(default_factory=dict)
    # (kpi, objective id for a custom one else None) -> {day: total}.
    indicators: dict[tuple[str, int | None], dict[date, float]] = field(default_factory=dict)

    @classmethod
    def load(cls, workspace: Workspace, objectives: Sequence[Objective], until: date) -> Figures:
        """Read what `objectives` need up to `until`: one query per source in use.

        Network figures come from NetworkDay (every account added up per day,
        network and persona): one query grouped by day, each objective's sums
        filtered by its networks, personas and start in the database, so the
        rows read grow with the days, not with the posts or the objectives.
        """
        figures = cls(zoneinfo.ZoneInfo(workspace.time_zone))
        kinds = {o.kpi for o in objectives}
        if not objectives:
            return figures
        since = min(objective_start(o, figures.zone) for o in objectives)
        days = NetworkDay.objects.filter(workspace=workspace, day__lte=until)
        sums, read = figures._network_sums(objectives, days)
        if sums:
            for row in days.values("day").annotate(**sums).order_by("day"):
                for store, key, value in read(row):
                    store.setdefault(key, {})[row["day"]] = value
        if kinds & BUSINESS:
            rows = (
                IndicatorValue.objects.filter(
                    workspace=workspace, kpi__in=kinds & BUSINESS, day__gte=since, day__lte=until
                )
                .values("kpi", "objective_id", "day")
                .annotate(total=Sum("value"))
            )
            for r in rows:
                # Only a custom figure belongs to one objective; the others are the workspace's.
                key = (r["kpi"], r["objective_id"] if r["kpi"] == Kpi.CUSTOM else None)
                day_totals = figures.indicators.setdefault(key, defaultdict(float))
                day_totals[r["day"]] += float(r["total"])
        return figures

    def _network_sums(self, objectives: Sequence[Objective], days) -> tuple[dict, Callable]:
        """Return the sums to compute per day (name -> aggregate), and a function turning one
        result row into (store, objective id, value) for each objective with figures that day.

        A sum is NULL on a day without a matching row: that day has no figure.
        """
        sums: dict[str, Sum] = {}
        readers: list[Callable[[dict], tuple | None]] = []
        all_networks: list[str] | None = None
        for o in objectives:
            where = Q(network__in=o.networks) if o.networks else Q()
            if o.kpi == Kpi.AUDIENCE:
                # Every day up to `until`, earlier ones too: a level is the sum of all changes.
                name = f"o{o.pk}"
                where &= Q(persona_id=0)
                sums[f"{name}_change"] = Sum("followers_change", filter=where)
                sums[f"{name}_read"] = Sum("accounts_read", filter=where)
                readers.append(functools.partial(_audience_of, self.audience, o.pk, name))
                continue
            if o.kpi not in COUNTERS and o.kpi != Kpi.ENGAGEMENT_RATE:
                continue
            where &= Q(day__gte=objective_start(o, self.zone))
            if o.kpi not in ACCOUNT_COUNTERS and (personas := [p.pk for p in o.personas.all()]):
                where &= Q(persona_id__in=personas)
            if o.kpi in COUNTERS:
                sums[f"o{o.pk}"] = Sum(COUNTERS[o.kpi], filter=where)
                readers.append(functools.partial(_total_of, self.totals, o.pk, f"o{o.pk}"))
                continue
            # Per network, so that a network giving no views at all stays out of both sums.
            if o.networks:
                networks = list(o.networks)
            else:
                if all_networks is None:
                    all_networks = sorted(set(days.values_list("network", flat=True).distinct()))
                networks = all_networks
            names = {}
            for i, network in enumerate(networks):
                names[network] = f"o{o.pk}_{i}"
                sums[f"o{o.pk}_{i}_views"] = Sum("views", filter=where & Q(network=network))
                sums[f"o{o.pk}_{i}_engaged"] = Sum("engagements", filter=where & Q(network=network))
            readers.append(functools.partial(_rates_of, self.rates, o.pk, names))

        def read(row: dict) -> Iterable[tuple]:
            for reader in readers:
                found = reader(row)
                if found is not None:
                    yield found

        return sums, read

    def history(self, objective: Objective, end: date) -> list[Point]:
        """The indicator's daily values from its first figure to the last one on or before `end`.

        Totals start at the objective's start; levels at their first reading.
        """
        kpi = objective.kpi
        start = objective_start(objective, self.zone)
        baseline = float(objective.baseline)
        if kpi == Kpi.AUDIENCE:
            return self._audience(self.audience.get(objective.pk, {}), end)
        if kpi == Kpi.ENGAGEMENT_RATE:
            return self._engagement_rate(self.rates.get(objective.pk, {}), end)
        if kpi in COUNTERS:
            return _running_totals(self.totals.get(objective.pk, {}), start, end, baseline)
        if kpi in BUSINESS:
            key = (kpi, objective.pk if kpi == Kpi.CUSTOM else None)
            return _running_totals(self.indicators.get(key, {}), start, end, baseline)
        # Response time: the inbox will give it; nothing to read yet.
        return []

    def _audience(self, by_day: dict[date, tuple[int, int]], end: date) -> list[Point]:
        """The followers of the accounts added up, from the first day a level was read to
        the last one on or before `end`; a day without a reading keeps the last known
        level (its change is 0)."""
        read = [day for day, (_change, accounts) in by_day.items() if accounts and day <= end]
        if not read:
            return []
        first, last = min(read), max(read)
        level = sum(change for day, (change, _accounts) in by_day.items() if day < first)
        points = []
        for day in _days(first, last):
            level += by_day.get(day, (0, 0))[0]
            points.append((day, float(level)))
        return points

    def _engagement_rate(
        self, by_day: dict[date, dict[str, tuple[int, int]]], end: date
    ) -> list[Point]:
        days = [day for day in by_day if day <= end]
        if not days:
            return []
        views: dict[str, int] = defaultdict(int)
        engaged: dict[str, int] = defaultdict(int)
        points = []
        for day in _days(min(days), max(days)):
            for network, (v, e) in by_day.get(day, {}).items():
                views[network] += v
                engaged[network] += e
            counted = [n for n in views if views[n] > 0]
            rate = engagement_rate(sum(engaged[n] for n in counted), sum(views[n] for n in counted))
            if rate is not None:
                points.append((day, rate))
        return points


def _total_of(store: dict, pk: int, name: str, row: dict) -> tuple | None:
    value = row[name]
    return None if value is None else (store, pk, float(value))


def _audience_of(store: dict, pk: int, name: str, row: dict) -> tuple | None:
    change = row[f"{name}_change"]
    return None if change is None else (store, pk, (change, row[f"{name}_read"] or 0))


def _rates_of(store: dict, pk: int, names: dict[str, str], row: dict) -> tuple | None:
    found = {}
    for network, name in names.items():
        views, engaged = row[f"{name}_views"], row[f"{name}_engaged"]
        if views is not None or engaged is not None:
            found[network] = (views or 0, engaged or 0)
    return (store, pk, found) if found else None


def _running_totals(
    increments: dict[date, float], start: date, end: date, baseline: float
) -> list[Point]:
    days = [d for d in increments if start <= d <= end]
    if not days:
        return []
    total = baseline
    points = []
    for day in _days(start, max(days)):
        total += increments.get(day, 0.0)
        points.append((day, total))
    return points


def series(objective: Objective, start: date, end: date) -> list[Point]:
    """Return [(day, value)] of the objective's indicator for each day of [start, end] from
    its first figure on, the last value carried to `end` (see the module's docstring).

    Empty without any figure, and for response time, which is not measured yet.
    """
    figures = Figures.load(objective.workspace, [objective], end)
    points = figures.history(objective, end)
    if points:
        last_day, last_value = points[-1]
        points += [(d, last_value) for d in _days(last_day + timedelta(days=1), end)]
    return [(day, value) for day, value in points if start <= day]


def measure(objective: Objective, today: date) -> Measure:
    """Return where `objective` stands on `today` (in the workspace's time zone)."""
    return measure_many(objective.workspace, [objective], today)[objective.pk]


def measure_all(workspace: Workspace, today: date) -> list[Measure]:
    """Return the measure of every objective of the workspace, nearest deadline first."""
    objectives = list(
        Objective.objects.filter(workspace=workspace)
        .prefetch_related("personas")
        .order_by("deadline", "id")
    )
    measures = measure_many(workspace, objectives, today)
    return [measures[o.pk] for o in objectives]


def measure_many(
    workspace: Workspace, objectives: Sequence[Objective], today: date
) -> dict[int, Measure]:
    """Return {objective id: Measure}; the objectives' personas are best prefetched."""
    objectives = list(objectives)
    figures = Figures.load(workspace, objectives, today)
    return {o.pk: _measure(o, figures, today) for o in objectives}


def _measure(objective: Objective, figures: Figures, today: date) -> Measure:
    kpi = objective.kpi
    lower = kpi in LOWER_IS_BETTER
    baseline, target = float(objective.baseline), float(objective.target)
    cumulative = kpi not in LEVELS
    start = objective_start(objective, figures.zone)
    passed = today > objective.deadline
    # After the deadline the objective is judged by the value it had then.
    history = figures.history(objective, min(today, objective.deadline))
    current, as_of = (history[-1][1], history[-1][0]) if history else (None, None)

    def reached(value: float) -> bool:
        return value <= target if lower else value >= target

    trend = _trend(history, baseline, target)
    prediction, reason = None, ""
    if current is None:
        reason = _no_figures(kpi)
    elif not passed:
        prediction, reason = _forecast(history, objective.deadline, cumulative)

    if current is None:
        status = Status.UNKNOWN
    elif passed:
        status = Status.ACHIEVED if reached(current) else Status.MISSED
    elif reached(current):
        status = Status.ACHIEVED
    elif prediction is None:
        status = Status.UNKNOWN
    elif reached(prediction.value):
        status = Status.ON_TRACK
    elif prediction.low <= target <= prediction.high:
        status = Status.AT_RISK
    else:
        status = Status.OFF_TRACK

    progress = None
    if current is not None and target != baseline:
        progress = (current - baseline) / (target - baseline) * 100
    return Measure(
        objective=objective,
        kpi=kpi,
        cumulative=cumulative,
        lower_is_better=lower,
        baseline=baseline,
        target=target,
        start=start,
        deadline=objective.deadline,
        current=current,
        as_of=as_of,
        progress=progress,
        trend=trend,
        forecast=prediction,
        status=status,
        deadline_passed=passed,
        reason=reason,
        definition=definition(objective, start),
    )


def _trend(history: list[Point], baseline: float, target: float) -> Trend | None:
    if not history:
        return None
    last = history[-1][0]
    window = [(d, v) for d, v in history if (last - d).days < TREND_DAYS]
    if len(window) < 2:
        return None
    line = ols.fit([(d - window[0][0]).days for d, _v in window], [v for _d, v in window])
    per_week = line.slope * 7
    if abs(per_week * 4) < FLAT_SHARE * abs(target - baseline):
        return Trend(per_week, Direction.FLAT)
    return Trend(per_week, Direction.UP if per_week > 0 else Direction.DOWN)


def _forecast(
    history: list[Point], deadline: date, cumulative: bool
) -> tuple[Forecast | None, str]:
    # The history has one point a day, so the last N points are the last N days.
    window = history[-FORECAST_MAX_DAYS:]
    if len(window) < FORECAST_MIN_DAYS:
        return None, _(
            "Not enough figures yet for a forecast: %(days)d days, at least %(needed)d needed."
        ) % {"days": len(window), "needed": FORECAST_MIN_DAYS}
    first = window[0][0]
    line = ols.fit([(d - first).days for d, _v in window], [v for _d, v in window])
    x = (deadline - first).days
    value = line.at(x)
    low, high = line.prediction_interval(x)
    if cumulative:
        # A total only grows: nothing below what is already counted.
        floor = window[-1][1]
        value, low, high = max(value, floor), max(low, floor), max(high, floor)
    return Forecast(value, low, high, len(window)), ""


def _no_figures(kpi: str) -> str:
    if kpi == Kpi.RESPONSE_TIME:
        return _("Response times will come from the inbox, in a later version of Tribune.")
    if kpi in BUSINESS:
        return _("No figures yet: enter or import them as business figures.")
    return _("No figures collected yet from the networks.")


def definition(objective: Objective, start: date) -> str:
    """Return in words what the objective's figure counts, in the active language."""
    kpi = objective.kpi
    names = ", ".join(network_name(k) for k in objective.networks)
    where = (
        _("On %(networks)s.") % {"networks": names} if names else _("On every connected network.")
    )
    personas = ", ".join(p.name for p in objective.personas.all())
    for_whom = (
        " " + _("Posts meant for %(personas)s only.") % {"personas": personas}
        if personas and kpi in (set(COUNTERS) - ACCOUNT_COUNTERS) | {Kpi.ENGAGEMENT_RATE}
        else ""
    )
    began = formats.date_format(start, "DATE_FORMAT")
    since = _("Counted from %(date)s, added to the baseline.") % {"date": began}
    if kpi == Kpi.AUDIENCE:
        return " ".join(
            (
                _("Followers of the accounts at the end of each day, added up; a day without "
                  "a reading keeps the last known count."),
                where,
            )
        )  # fmt: skip
    if kpi == Kpi.ENGAGEMENT_RATE:
        return (
            " ".join((str(ENGAGEMENT_RATE), _("Since %(date)s.") % {"date": began}, where))
            + for_whom
        )
    if kpi in COUNTERS:
        what = {
            Kpi.NEW_FOLLOWERS: _("Followers gained by the accounts each day."),
            Kpi.LIKES: _("Likes, favourites and reactions on the posts."),
            Kpi.COMMENTS: _("Comments and replies on the posts."),
            Kpi.SHARES: _("Shares, reposts, boosts and reblogs of the posts."),
        }[Kpi(kpi)]
        return " ".join((what, where, since)) + for_whom
    if kpi == Kpi.SITE_TRAFFIC:
        return " ".join(
            (
                _("Visits to the site, as entered, imported or sent to Tribune. Clicks on "
                  "Tribune's short links are not added: they are counted with the posts."),
                since,
            )
        )  # fmt: skip
    if kpi in BUSINESS:
        return " ".join(
            (_("The figures entered, imported or sent to Tribune for this indicator."), since)
        )
    return _("Minutes from a message's arrival in the inbox to the team's first answer.")
