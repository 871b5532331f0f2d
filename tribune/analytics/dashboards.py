"""The dashboards' figures, each a Table (exports.py) its page, its charts and its CSV
share.

Every query reads the summaries ingestion keeps up to date (NetworkDay,
TargetTotals, BestTimeCell) or the publications themselves (Target), never the
raw snapshots: a page costs the same few queries on ten million readings as on
ten. Two sources, two meanings, said on each page:
- audience growth reads the network days (what happened on each day);
- top posts and breakdowns read TargetTotals: the posts published in the
  period, with their counters as last read; the best-time heatmap reads the
  same counters added up per network, weekday and hour (BestTimeCell).
"""

from __future__ import annotations

import functools
import operator
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import BigIntegerField, Count, F, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.urls import reverse
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from tribune.editorial.choices import PostFormat
from tribune.editorial.models import ContentPillar, QueueSlot, Variant
from tribune.publishing.models import Target, TargetState
from tribune.strategy.catalog import network_name
from tribune.strategy.models import NetworkChoice, Persona
from tribune.workspaces.models import Workspace

from . import vocabulary
from .exports import Badge, Chart, Column, Link, Table
from .levels import follower_levels
from .models import BestTimeCell, TargetTotals
from .vocabulary import Metric

BREAKDOWNS = [
    ("network", gettext_lazy("Network")),
    ("persona", gettext_lazy("Persona")),
    ("pillar", gettext_lazy("Content pillar")),
    ("format", gettext_lazy("Format")),
]
_GROUP_FIELDS = {"network": "network", "persona": "persona_id", "pillar": "pillar_id",
                 "format": "format"}  # fmt: skip
TOP_POSTS = 10
# A heatmap cell with fewer posts says more about those posts than about the hour.
MIN_POSTS = 3
SUGGESTED_CELLS = 3
_PARTS = ("likes", "comments", "shares", "saves", "clicks")


@dataclass(frozen=True)
class Period:
    """Days of the workspace's calendar, both ends included."""

    start: date
    end: date

    @classmethod
    def last(cls, today: date, days: int) -> Period:
        return cls(today - timedelta(days=days - 1), today)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def dates(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range(self.days)]

    def bounds(self, workspace: Workspace) -> tuple[datetime, datetime]:
        """Return the period as instants: the first day's midnight to the day after's."""
        zone = zoneinfo.ZoneInfo(workspace.time_zone)
        return (
            datetime.combine(self.start, time.min, zone),
            datetime.combine(self.end + timedelta(days=1), time.min, zone),
        )


def engagement_expression() -> Coalesce:
    """vocabulary.engagements() in SQL: the network's own total, else the sum of its parts."""
    parts = functools.reduce(operator.add, (Coalesce(F(p), Value(0)) for p in _PARTS))
    return Coalesce(F("engagements"), parts, output_field=BigIntegerField())


def definition(metric: Metric) -> tuple[str, str]:
    return (str(metric.label), str(vocabulary.DEFINITIONS[metric]))


def rate_definition() -> tuple[str, str]:
    return (_("Engagement rate"), str(vocabulary.ENGAGEMENT_RATE))


def _published_in(workspace: Workspace, period: Period):
    since, until = period.bounds(workspace)
    return TargetTotals.objects.filter(
        workspace=workspace, published_at__gte=since, published_at__lt=until
    )


# --- Audience -------------------------------------------------------------------------


def audience(workspace: Workspace, period: Period) -> tuple[Table, Table]:
    """Return followers per day per network (a line chart), and each network's growth.

    The levels are levels.follower_levels(): an account not read on a day keeps its
    last count, and days before a network's first reading are left out (None).
    """
    days = period.dates()
    levels = follower_levels(workspace, days)
    series, gained = levels.lines, levels.gained
    networks = sorted(series, key=lambda n: network_name(n).lower())
    per_day = Table(
        slug="audience",
        caption=_("Followers per day and network"),
        columns=[Column("day", _("Day"))]
        + [Column(n, network_name(n), numeric=True) for n in networks],
        rows=[[day] + [series[n][i] for n in networks] for i, day in enumerate(days)]
        if networks
        else [],
        definitions=[definition(Metric.FOLLOWERS)],
    )
    per_day.charts = [
        Chart(
            "line",
            _("Followers per network"),
            labels=[day.isoformat() for day in days],
            datasets=[{"label": network_name(n), "data": series[n]} for n in networks],
        )
    ]
    growth = Table(
        slug="audience-growth",
        caption=_("Audience growth over the period"),
        columns=[
            Column("network", _("Network")),
            Column("first", _("Followers at the first reading"), numeric=True),
            Column("last", _("Followers at the last reading"), numeric=True),
            Column("change", pgettext("difference", "Change"), numeric=True),
            Column("new_followers", str(Metric.NEW_FOLLOWERS.label), numeric=True),
        ],
        rows=[],
        definitions=[
            definition(Metric.FOLLOWERS),
            (
                pgettext("difference", "Change"),
                _("Followers at the last reading minus followers at the first."),
            ),
            definition(Metric.NEW_FOLLOWERS),
        ],
    )
    for n in networks:
        known = [v for v in series[n] if v is not None]
        first, last = (known[0], known[-1]) if known else (None, None)
        change = last - first if known else None
        growth.rows.append([network_name(n), first, last, change, gained.get(n, 0)])
    return per_day, growth


# --- Top posts ------------------------------------------------------------------------


def top_posts(workspace: Workspace, period: Period, limit: int = TOP_POSTS) -> Table:
    """Return the posts published in the period with the most engagements so far."""
    rows = (
        _published_in(workspace, period)
        .annotate(engaged=engagement_expression())
        .order_by("-engaged", "-published_at", "target_id")
        .values(
            "post_id", "network", "published_at", "views", "likes", "comments", "shares",
            "clicks", "engaged", "target__url", "target__post__title",
        )[:limit]
    )  # fmt: skip
    table = Table(
        slug="top-posts",
        caption=_("Top posts by engagements"),
        columns=[
            Column("post", _("Post")),
            Column("network", _("Network")),
            Column("published_at", _("Published")),
            Column("views", str(Metric.VIEWS.label), numeric=True),
            Column("likes", str(Metric.LIKES.label), numeric=True),
            Column("comments", str(Metric.COMMENTS.label), numeric=True),
            Column("shares", str(Metric.SHARES.label), numeric=True),
            Column("clicks", str(Metric.CLICKS.label), numeric=True),
            Column("engagements", str(Metric.ENGAGEMENTS.label), numeric=True),
            Column("rate", _("Engagement rate (%)"), numeric=True),
            Column("url", _("Published address")),
        ],
        rows=[],
        definitions=[definition(Metric.ENGAGEMENTS), rate_definition()],
    )
    opens = _("Open on %(network)s")
    for row in rows:
        url, name = row["target__url"], network_name(row["network"])
        rate = vocabulary.engagement_rate(row["engaged"], row["views"] or 0)
        table.rows.append(
            [
                Link(
                    row["target__post__title"],
                    reverse("post-detail", args=[workspace.slug, row["post_id"]]),
                ),
                name,
                row["published_at"],
                row["views"],
                row["likes"],
                row["comments"],
                row["shares"],
                row["clicks"],
                row["engaged"],
                rate,
                Link(opens % {"network": name}, url, external=True, csv=url) if url else None,
            ]
        )
    return table


# --- Published vs planned -------------------------------------------------------------


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _verdict(per_week: float, low: int | None, high: int | None) -> str:
    if low is None and high is None:
        return _("no rhythm planned")
    if low is not None and per_week < low:
        return _("below the plan")
    if high is not None and per_week > high:
        return _("above the plan")
    return _("as planned")


def _rhythm_text(low: int | None, high: int | None) -> str:
    if low is None and high is None:
        return "—"
    if high is None:
        return _("at least %(low)s") % {"low": low}
    if low is None:
        return _("at most %(high)s") % {"high": high}
    return f"{low}–{high}"


def rhythm(workspace: Workspace, period: Period) -> tuple[Table, Table]:
    """Return posts published vs planned per network: a summary and week by week.

    Published: publications that went out in the period. On the calendar: the
    per-network variants of posts planned in the period, whatever their state.
    Planned rhythm: the network choice's minimum and maximum posts per week.
    """
    since, until = period.bounds(workspace)
    zone = zoneinfo.ZoneInfo(workspace.time_zone)
    published = (
        Target.objects.filter(
            workspace=workspace,
            state=TargetState.PUBLISHED,
            published_at__gte=since,
            published_at__lt=until,
        )
        .annotate(day=TruncDate("published_at", tzinfo=zone))
        .values("day", network=F("account__network"))
        .annotate(n=Count("pk"))
        .order_by()
    )
    planned = (
        Variant.objects.filter(
            post__workspace=workspace, post__scheduled_at__gte=since, post__scheduled_at__lt=until
        )
        .annotate(day=TruncDate("post__scheduled_at", tzinfo=zone))
        .values("day", "network")
        .annotate(n=Count("pk"))
        .order_by()
    )
    plan = {
        network: (low, high)
        for network, low, high in NetworkChoice.objects.filter(workspace=workspace).values_list(
            "network", "min_posts_per_week", "max_posts_per_week"
        )
    }
    counts: dict[tuple[str, str, date], int] = defaultdict(int)
    for kind, rows in (("published", published), ("planned", planned)):
        for row in rows:
            counts[kind, row["network"], _week_start(row["day"])] += row["n"]
    networks = sorted(
        set(plan) | {network for _kind, network, _week in counts},
        key=lambda n: network_name(n).lower(),
    )
    weeks = sorted({_week_start(day) for day in period.dates()})
    week_days = {w: sum(1 for d in period.dates() if _week_start(d) == w) for w in weeks}
    summary = _rhythm_summary(networks, weeks, plan, counts, period)
    by_week = Table(
        slug="rhythm-weeks",
        caption=_("Published vs planned, week by week"),
        columns=[
            Column("week", _("Week of")),
            Column("days", _("Days of the week in the period"), numeric=True),
            Column("network", _("Network")),
            Column("published", _("Published"), numeric=True),
            Column("planned", _("On the calendar"), numeric=True),
            Column("rhythm", _("Planned per week")),
            Column("verdict", _("Compared with the plan")),
        ],
        rows=[],
        definitions=_rhythm_definitions(),
    )
    for week in weeks:
        for n in networks:
            low, high = plan.get(n, (None, None))
            done = counts.get(("published", n, week), 0)
            full = week_days[week] == 7
            verdict = _verdict(done, low, high) if full else _("partial week")
            by_week.rows.append(
                [week, week_days[week], network_name(n), done,
                 counts.get(("planned", n, week), 0), _rhythm_text(low, high), verdict]
            )  # fmt: skip
    return summary, by_week


def _rhythm_definitions() -> list[tuple[str, str]]:
    return [
        (_("Published"), _("Publications that went out in the period, on each network.")),
        (
            _("On the calendar"),
            _("Posts planned in the period with a version for the network, whatever their state."),
        ),
        (
            _("Per week"),
            _(
                "Posts ÷ (days in the period ÷ 7), so periods that do not start on a Monday "
                "compare fairly."
            ),
        ),  # fmt: skip
        (
            _("Planned per week"),
            _("The minimum and maximum posts per week set when the network was chosen."),
        ),
    ]


def _rhythm_summary(networks, weeks, plan, counts, period: Period) -> Table:
    table = Table(
        slug="rhythm",
        caption=_("Published vs planned per network"),
        columns=[
            Column("network", _("Network")),
            Column("rhythm", _("Planned per week")),
            Column("published", _("Published"), numeric=True),
            Column("published_per_week", _("Published per week"), numeric=True),
            Column("planned", _("On the calendar"), numeric=True),
            Column("planned_per_week", _("On the calendar per week"), numeric=True),
            Column("verdict", _("Compared with the plan")),
        ],
        rows=[],
        definitions=_rhythm_definitions(),
    )
    series: dict[str, list] = defaultdict(list)
    for n in networks:
        low, high = plan.get(n, (None, None))
        done = sum(counts.get(("published", n, w), 0) for w in weeks)
        planned = sum(counts.get(("planned", n, w), 0) for w in weeks)
        done_weekly = round(done * 7 / period.days, 1)
        planned_weekly = round(planned * 7 / period.days, 1)
        table.rows.append(
            [network_name(n), _rhythm_text(low, high), done, done_weekly, planned,
             planned_weekly, _verdict(done_weekly, low, high)]
        )  # fmt: skip
        series["published"].append(done_weekly)
        series["planned"].append(planned_weekly)
        series["low"].append(low)
        series["high"].append(high)
    table.charts = [
        Chart(
            "bar",
            _("Posts per week: published, on the calendar and planned"),
            labels=[network_name(n) for n in networks],
            datasets=[
                {"label": _("Published per week"), "data": series["published"]},
                {"label": _("On the calendar per week"), "data": series["planned"]},
                {"label": _("Planned minimum per week"), "data": series["low"]},
                {"label": _("Planned maximum per week"), "data": series["high"]},
            ],
        )
    ]
    return table


# --- Breakdowns -----------------------------------------------------------------------


def _group_names(workspace: Workspace, by: str, keys: list) -> dict:
    none = _("none")
    if by == "network":
        return {k: network_name(k) for k in keys}
    if by == "format":
        labels = dict(PostFormat.choices)
        return {k: str(labels.get(k, k)) if k else none for k in keys}
    model = Persona if by == "persona" else ContentPillar
    names = dict(
        model.objects.filter(workspace=workspace, pk__in=[k for k in keys if k]).values_list(
            "pk", "name"
        )
    )
    # A persona or pillar deleted since keeps its figures under a plain label.
    gone = _("deleted (#%(id)s)")
    return {k: names.get(k, gone % {"id": k}) if k else none for k in keys}


def breakdown(workspace: Workspace, period: Period, by: str) -> Table:
    """Return the period's posts grouped by network, persona, pillar or format."""
    key = _GROUP_FIELDS[by]
    engaged = engagement_expression()
    groups = list(
        _published_in(workspace, period)
        .values(key)
        # Named apart from the columns: an annotation called "views" would be read by the
        # later expressions instead of the column.
        .annotate(
            posts=Count("pk"),
            engaged=Sum(engaged),
            engaged_seen=Sum(engaged, filter=Q(views__isnull=False)),
            **{f"sum_{c}": Sum(c) for c in ("views", "likes", "comments", "shares", "clicks")},
        )
        .order_by()
    )
    names = _group_names(workspace, by, [g[key] for g in groups])
    groups.sort(key=lambda g: (-(g["engaged"] or 0), names[g[key]].lower()))
    label = str(dict(BREAKDOWNS)[by])
    table = Table(
        slug=f"breakdown-{by}",
        caption=_("Posts published in the period by %(group)s") % {"group": label.lower()},
        columns=[
            Column(by, label),
            Column("posts", _("Posts"), numeric=True),
            Column("views", str(Metric.VIEWS.label), numeric=True),
            Column("engagements", str(Metric.ENGAGEMENTS.label), numeric=True),
            Column("rate", _("Engagement rate (%)"), numeric=True),
            Column("likes", str(Metric.LIKES.label), numeric=True),
            Column("comments", str(Metric.COMMENTS.label), numeric=True),
            Column("shares", str(Metric.SHARES.label), numeric=True),
            Column("clicks", str(Metric.CLICKS.label), numeric=True),
        ],
        rows=[],
        definitions=[
            (_("Posts"), _("Publications that went out in the period (one per network).")),
            definition(Metric.VIEWS),
            definition(Metric.ENGAGEMENTS),
            rate_definition(),
            definition(Metric.LIKES),
            definition(Metric.COMMENTS),
            definition(Metric.SHARES),
            definition(Metric.CLICKS),
        ],
    )
    for g in groups:
        rate = vocabulary.engagement_rate(g["engaged_seen"] or 0, g["sum_views"] or 0)
        table.rows.append(
            [names[g[key]], g["posts"], g["sum_views"], g["engaged"], rate, g["sum_likes"],
             g["sum_comments"], g["sum_shares"], g["sum_clicks"]]
        )  # fmt: skip
    labels = [row[0] for row in table.rows]
    table.charts = [
        Chart(
            "bar",
            _("Engagements by %(group)s") % {"group": label.lower()},
            labels=labels,
            datasets=[{"label": str(Metric.ENGAGEMENTS.label), "data": [r[3] for r in table.rows]}],
        ),
        Chart(
            "bar",
            _("Engagement rate by %(group)s (%%)") % {"group": label.lower()},
            labels=labels,
            datasets=[{"label": _("Engagement rate (%)"), "data": [r[4] for r in table.rows]}],
            percent=True,
        ),
    ]
    return table


# --- Best time ------------------------------------------------------------------------


@dataclass
class Cell:
    weekday: int
    hour: int
    posts: int = 0
    engaged: int = 0
    level: int = 0  # shade 0 (no post) to 5 (the best cell)
    slot_exists: bool = False

    @property
    def average(self) -> float | None:
        return round(self.engaged / self.posts, 1) if self.posts else None

    @property
    def reliable(self) -> bool:
        return self.posts >= MIN_POSTS

    @property
    def key(self) -> str:
        return f"{self.weekday}-{self.hour}"

    @property
    def day_name(self) -> str:
        return str(WEEKDAYS[self.weekday])

    @property
    def hour_label(self) -> str:
        return f"{self.hour:02d}:00"

    @property
    def time(self) -> time:
        return time(self.hour, 0)


def _cells(rows) -> dict[tuple[int, int], Cell]:
    return {
        (r["weekday"], r["hour"]): Cell(r["weekday"], r["hour"], r["posts"], r["engaged"] or 0)
        for r in rows
    }


def heatmap(workspace: Workspace, network: str = "") -> tuple[list[list[Cell]], Table]:
    """Return the day × hour grid of average engagements per post, and it as a table.

    Reads every post published so far (the workspace's whole history), at the
    weekday and hour of publication in the workspace's time zone.
    """
    cells = BestTimeCell.objects.filter(workspace=workspace)
    if network:
        cells = cells.filter(network=network)
    found = _cells(
        cells.values("weekday", "hour")
        .annotate(posts=Sum("posts"), engaged=Sum("engagements"))
        .order_by()
    )
    best = max((c.average for c in found.values()), default=0) or 0
    grid = []
    for weekday in range(7):
        line = []
        for hour in range(24):
            cell = found.get((weekday, hour)) or Cell(weekday, hour)
            if cell.posts:
                # 1 to 5 by the share of the best average: the shade says "how good", the
                # text gives the figure.
                cell.level = 1 + min(4, int((cell.average or 0) * 5 / best)) if best else 1
            line.append(cell)
        grid.append(line)
    table = Table(
        slug="best-time",
        caption=_("Average engagements per post by day and hour of publication"),
        columns=[
            Column("day", _("Day")),
            Column("hour", _("Hour")),
            Column("posts", _("Posts"), numeric=True),
            Column("average", _("Average engagements per post"), numeric=True),
            Column("reliable", _("Enough posts to rely on")),
        ],
        rows=[
            [
                c.day_name,
                f"{c.hour:02d}:00",
                c.posts,
                c.average,
                _("yes") if c.reliable else _("no"),
            ]
            for line in grid
            for c in line
        ],
        definitions=[best_time_definition(), definition(Metric.ENGAGEMENTS)],
    )
    return grid, table


def best_time_definition() -> tuple[str, str]:
    return (
        _("Average engagements per post"),
        _("The engagements of the posts published in that hour of that day of the week, "
          "divided by their number. Fewer than %(n)s posts: not reliable.") % {"n": MIN_POSTS},
    )  # fmt: skip


def slot_suggestions(workspace: Workspace) -> dict[str, list[Cell]]:
    """Return, per network, its best cells among those with enough posts (best first)."""
    rows = BestTimeCell.objects.filter(workspace=workspace, posts__gte=MIN_POSTS).values(
        "network", "weekday", "hour", "posts", engaged=F("engagements")
    )
    by_network: dict[str, list[Cell]] = defaultdict(list)
    for row in rows:
        by_network[row["network"]].append(
            Cell(row["weekday"], row["hour"], row["posts"], row["engaged"] or 0)
        )
    taken = set(
        (network, weekday, at.hour)
        for network, weekday, at in QueueSlot.objects.filter(workspace=workspace).values_list(
            "network", "weekday", "time"
        )
    )
    suggestions = {}
    for network in sorted(by_network, key=lambda n: network_name(n).lower()):
        cells = sorted(
            by_network[network], key=lambda c: (-(c.average or 0), -c.posts, c.weekday, c.hour)
        )[:SUGGESTED_CELLS]
        for cell in cells:
            cell.slot_exists = (network, cell.weekday, cell.hour) in taken
        suggestions[network] = cells
    return suggestions


def networks_with_posts(workspace: Workspace) -> list[tuple[str, str]]:
    """Return (key, name) of the networks the workspace has published on, by name."""
    keys = (
        BestTimeCell.objects.filter(workspace=workspace, posts__gt=0)
        .values_list("network", flat=True)
        .distinct()
        .order_by()
    )
    return sorted(((k, network_name(k)) for k in keys), key=lambda pair: pair[1].lower())


# --- Objectives -----------------------------------------------------------------------


def objectives(workspace: Workspace, today: date) -> Table:
    """Return each objective's status from the KPIs (kpis.measure_all), nearest deadline first."""
    from . import kpis  # the KPI area is written beside this one; keep the import late

    measures = kpis.measure_all(workspace, today)
    table = Table(
        slug="objectives",
        caption=_("Objectives: target versus actual"),
        columns=[
            Column("objective", _("Objective")),
            Column("indicator", _("Indicator")),
            Column("baseline", _("Baseline"), numeric=True),
            Column("current", _("Current value"), numeric=True),
            Column("target", _("Target"), numeric=True),
            Column("deadline", _("Deadline")),
            Column("progress", _("Progress (%)"), numeric=True),
            Column("trend", _("Trend per week"), numeric=True),
            Column("forecast", _("Forecast at the deadline"), numeric=True),
            Column("status", _("Status")),
        ],
        rows=[],
        definitions=[
            (_("Progress"), str(kpis.PROGRESS_METHOD)),
            (_("Trend"), str(kpis.TREND_METHOD)),
            (_("Forecast"), str(kpis.FORECAST_METHOD)),
            (_("Status"), str(kpis.STATUS_METHOD)),
        ],
    )
    for m in measures:
        o = m.objective
        table.rows.append(
            [
                Link(o.title, reverse("objective-detail", args=[workspace.slug, o.pk])),
                o.indicator_name,
                m.baseline,
                m.current,
                m.target,
                m.deadline,
                round(m.progress, 1) if m.progress is not None else None,
                round(m.trend.per_week, 2) if m.trend else None,
                round(m.forecast.value, 2) if m.forecast else None,
                Badge(m.status_label, m.badge),
            ]
        )
        table.definitions.append((o.title, " ".join(t for t in (m.definition, m.reason) if t)))
    return table
