"""Each objective's indicator measured against its target: step 6 of the method.

`series` gives the indicator's value day by day, `measure` where it stands today
(current value, progress from baseline to target, trend, forecast at the
deadline, status), `measure_all` / `measure_many` the same for many objectives
in a fixed number of queries (the objectives, their personas, then at most two
of network days and one of business figures).

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

import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import models
from django.db.models import Prefetch, Q, Sum
from django.db.models.functions import Cast
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tribune.strategy.catalog import network_name
from tribune.strategy.choices import LOWER_IS_BETTER, Kpi
from tribune.strategy.models import Objective, Persona
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
# What each of those totals counts, in words (kpis.definition).
COUNTED = {
    Kpi.NEW_FOLLOWERS: gettext_lazy("Followers gained by the accounts each day."),
    Kpi.LIKES: gettext_lazy("Likes, favourites and reactions on the posts."),
    Kpi.COMMENTS: gettext_lazy("Comments and replies on the posts."),
    Kpi.SHARES: gettext_lazy("Shares, reposts, boosts and reblogs of the posts."),
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
# (label, text): the methods shown under every objective after what its figure counts.
METHODS = (
    (gettext_lazy("Progress"), PROGRESS_METHOD),
    (gettext_lazy("Trend"), TREND_METHOD),
    (gettext_lazy("Forecast"), FORECAST_METHOD),
    (gettext_lazy("Status"), STATUS_METHOD),
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
        return [(_("What is counted"), self.definition)] + [
            (str(label), str(text)) for label, text in METHODS
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
        """Read what `objectives` need up to `until`: at most two queries of network days and
        one of business figures, whatever the number of objectives.

        Network figures come from NetworkDay (every account added up per day,
        network and persona): one query adds up each day and network over every
        persona, another reads as stored the rows of the personas some objectives
        are meant for. Each objective's figures are added up here from those
        rows, once per distinct series (indicator, networks, personas, start).
        Neither query grows with the objectives; the single query before had a
        filtered sum per objective and network (196 for 200 objectives), which
        Django built and the database checked on every row.
        """
        figures = cls(zoneinfo.ZoneInfo(workspace.time_zone))
        kinds = {o.kpi for o in objectives}
        if not objectives:
            return figures
        since = min(objective_start(o, figures.zone) for o in objectives)
        reads = [r for o in objectives if (r := _NetworkSeries.of(o, figures.zone))]
        if reads:
            days = NetworkDay.objects.filter(workspace=workspace, day__lte=until)
            whole = _whole_networks(days, [r for r in reads if not r.personas])
            split = _split_personas(days, [r for r in reads if r.personas])
            stores = {"audience": figures.audience, "rate": figures.rates}
            computed: dict[tuple, dict] = {}
            for r in reads:
                if r.key not in computed:
                    computed[r.key] = r.compute(split if r.personas else whole)
                # Objectives of one series share its days (history() only reads them).
                stores.get(r.kind, figures.totals)[r.pk] = computed[r.key]
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


# Besides the counters, what the network days give an engagement rate, and an audience:
# the followers of the account rows (persona 0) only.
RATE_COLUMNS = ("views", "engagements")
ACCOUNT_CHANGE, ACCOUNT_READ = "account_change", "account_read"


@dataclass
class _Rows:
    """Network days as read for some objectives: {atom: {day: values of `columns`}}, an
    atom being a network (every persona added up) or a (network, persona)."""

    columns: list[str]
    by_atom: dict = field(default_factory=lambda: defaultdict(dict))


@dataclass(frozen=True)
class _NetworkSeries:
    """What one objective reads from the network days. Objectives with the same `key`
    have the same figures: they are computed once."""

    pk: int
    kind: str  # "audience", "rate", or the NetworkDay column of a total
    networks: frozenset[str]  # empty: every network
    personas: frozenset[int]  # empty: every persona, and the account rows
    start: date | None  # None: every day (a level is the sum of all its changes)

    @classmethod
    def of(cls, objective: Objective, zone: zoneinfo.ZoneInfo) -> _NetworkSeries | None:
        kpi, networks = objective.kpi, frozenset(objective.networks)
        if kpi == Kpi.AUDIENCE:
            return cls(objective.pk, "audience", networks, frozenset(), None)
        if kpi not in COUNTERS and kpi != Kpi.ENGAGEMENT_RATE:
            return None
        personas = frozenset(
            () if kpi in ACCOUNT_COUNTERS else (p.pk for p in objective.personas.all())
        )
        kind = COUNTERS.get(kpi, "rate")
        return cls(objective.pk, kind, networks, personas, objective_start(objective, zone))

    @property
    def key(self) -> tuple:
        return (self.kind, self.networks, self.personas, self.start)

    def compute(self, rows: _Rows) -> dict:
        """{day: figure} from the rows this series counts, for each day with one at least."""
        by_day: dict = {}
        column = rows.columns.index
        for atom, days in rows.by_atom.items():
            network, persona = atom if self.personas else (atom, None)
            if (self.networks and network not in self.networks) or (
                self.personas and persona not in self.personas
            ):
                continue
            if self.kind == "audience":
                change, read = column(ACCOUNT_CHANGE), column(ACCOUNT_READ)
                for day, values in days.items():
                    # None: no account row on that network that day, so no followers reading.
                    if values[change] is not None:
                        was = by_day.get(day, (0, 0))
                        by_day[day] = (was[0] + values[change], was[1] + values[read])
            elif self.kind == "rate":
                # Per network, so that a network giving no views at all stays out of both sums.
                views, engaged = column("views"), column("engagements")
                for day, values in days.items():
                    if day >= self.start:
                        networks = by_day.setdefault(day, {})
                        was = networks.get(network, (0, 0))
                        networks[network] = (was[0] + values[views], was[1] + values[engaged])
            else:
                total = column(self.kind)
                for day, values in days.items():
                    if day >= self.start:
                        by_day[day] = by_day.get(day, 0) + values[total]
        if self.kind in ("audience", "rate"):
            return by_day
        return {day: float(total) for day, total in by_day.items()}


def _narrowed(days: models.QuerySet, series: list[_NetworkSeries]) -> models.QuerySet:
    """`days` without the rows none of `series` reads: before every start, or on a network
    none of them counts."""
    if all(s.start is not None for s in series):
        days = days.filter(day__gte=min(s.start for s in series))
    if all(s.networks for s in series):
        days = days.filter(network__in=sorted(set().union(*(s.networks for s in series))))
    return days


def _columns(series: list[_NetworkSeries]) -> list[str]:
    kinds = {s.kind for s in series}
    rates = set(RATE_COLUMNS) if "rate" in kinds else set()
    return sorted((kinds - {"audience", "rate"}) | rates)


def _whole_networks(days: models.QuerySet, series: list[_NetworkSeries]) -> _Rows:
    """Every persona's rows added up by day and network, for the series of no persona."""
    if not series:
        return _Rows([])
    sums = {column: Sum(column) for column in _columns(series)}
    if any(s.kind == "audience" for s in series):
        # NULL on a day and network without an account row: no followers reading there.
        sums[ACCOUNT_CHANGE] = Sum("followers_change", filter=Q(persona_id=0))
        sums[ACCOUNT_READ] = Sum("accounts_read", filter=Q(persona_id=0))
    # PostgreSQL adds bigints up as numeric (Decimal in Python): whole numbers they are.
    sums = {name: Cast(total, models.BigIntegerField()) for name, total in sums.items()}
    rows = _Rows(list(sums))
    found = _narrowed(days, series).values("day", "network").annotate(**sums).order_by()
    for network, day, *values in found.values_list("network", "day", *sums):
        rows.by_atom[network][day] = values
    return rows


def _split_personas(days: models.QuerySet, series: list[_NetworkSeries]) -> _Rows:
    """The rows of the personas the series of some personas count, as stored (one per day,
    network and persona)."""
    if not series:
        return _Rows([])
    rows = _Rows(_columns(series))
    personas = sorted(set().union(*(s.personas for s in series)))
    found = _narrowed(days, series).filter(persona_id__in=personas)
    for network, persona, day, *values in found.values_list(
        "network", "persona_id", "day", *rows.columns
    ):
        rows.by_atom[(network, persona)][day] = values
    return rows


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
    # Of the personas, the measures read only the ids and names: reading whole personas
    # (texts, JSON lists) took about a third of measure_all's time with 200 objectives.
    personas = Prefetch("personas", queryset=Persona.objects.only("id", "name"))
    objectives = list(
        Objective.objects.filter(workspace=workspace)
        .prefetch_related(personas)
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
    """Return in words what the objective's figure counts, in the active language.

    Only the parts the indicator's sentence uses are translated and formatted: it runs
    once per objective on the plan, and translating every part was a tenth of its time.
    """
    kpi = objective.kpi
    if kpi == Kpi.RESPONSE_TIME:
        return _("Minutes from a message's arrival in the inbox to the team's first answer.")
    if kpi in BUSINESS:
        since = _("Counted from %(date)s, added to the baseline.") % {
            "date": formats.date_format(start, "DATE_FORMAT")
        }
        if kpi == Kpi.SITE_TRAFFIC:
            counted = _(
                "Visits to the site, as entered, imported or sent to Tribune. Clicks on "
                "Tribune's short links are not added: they are counted with the posts."
            )
        else:
            counted = _("The figures entered, imported or sent to Tribune for this indicator.")
        return f"{counted} {since}"
    names = ", ".join(network_name(k) for k in objective.networks)
    where = (
        _("On %(networks)s.") % {"networks": names} if names else _("On every connected network.")
    )
    if kpi == Kpi.AUDIENCE:
        followers = _(
            "Followers of the accounts at the end of each day, added up; a day without "
            "a reading keeps the last known count."
        )
        return f"{followers} {where}"
    for_whom = ""
    if kpi not in ACCOUNT_COUNTERS and (
        personas := ", ".join(p.name for p in objective.personas.all())
    ):
        for_whom = " " + _("Posts meant for %(personas)s only.") % {"personas": personas}
    began = formats.date_format(start, "DATE_FORMAT")
    if kpi == Kpi.ENGAGEMENT_RATE:
        return (
            " ".join((str(ENGAGEMENT_RATE), _("Since %(date)s.") % {"date": began}, where))
            + for_whom
        )
    since = _("Counted from %(date)s, added to the baseline.") % {"date": began}
    return " ".join((str(COUNTED[kpi]), where, since)) + for_whom
