"""The figures of one report period, read from the network days and the latest totals.

Each function answers one section of a report in a fixed number of queries,
whatever the number of posts or days. A period is a range of whole days in the
workspace's time zone; instants (publication, due times) are compared with
its local midnights, so a week across a daylight-saving change still holds
exactly its seven days.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, Q, Sum, Value
from django.db.models.functions import Coalesce

from tribune.editorial.models import Post
from tribune.publishing.models import Target, TargetState
from tribune.strategy.catalog import network_name
from tribune.workspaces.models import Workspace

from .levels import follower_levels
from .models import NetworkDay, ReportComment, TargetTotals
from .vocabulary import engagement_rate

# Rows of the top and bottom posts tables.
POSTS_SHOWN = 5
# Beyond this many days, audience series show one point a week (and the last day).
DAILY_POINTS_MAX = 62
ENGAGEMENT_PARTS = ("likes", "comments", "shares", "saves", "clicks")


@dataclass(frozen=True)
class Period:
    """Whole days from `start` to `end`, both included, in the workspace's time zone."""

    start: date
    end: date
    tz: zoneinfo.ZoneInfo

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time(0), tzinfo=self.tz)

    @property
    def end_at(self) -> datetime:
        """The first instant after the period: midnight at the end of its last day."""
        return datetime.combine(self.end + timedelta(days=1), time(0), tzinfo=self.tz)

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]


def period_of(workspace: Workspace, start: date, end: date) -> Period:
    return Period(start, end, zoneinfo.ZoneInfo(workspace.time_zone))


# --- Audience ---------------------------------------------------------------------------


@dataclass(frozen=True)
class NetworkAudience:
    network: str
    name: str
    start: int | None
    end: int | None
    new_followers: int

    @property
    def change(self) -> int | None:
        return None if self.start is None or self.end is None else self.end - self.start


@dataclass(frozen=True)
class AudienceGrowth:
    points: list[date]
    # network key -> followers at each point (None before the first reading).
    series: dict[str, list[int | None]]
    rows: list[NetworkAudience]


def _sample(days: list[date]) -> list[date]:
    if len(days) <= DAILY_POINTS_MAX:
        return days
    weekly = days[::7]
    return weekly if weekly[-1] == days[-1] else [*weekly, days[-1]]


def audience_growth(workspace: Workspace, period: Period) -> AudienceGrowth:
    """Followers per network over the period: a series of levels and a summary row each.

    A network's level on a day is the sum of its accounts' last known levels
    (an account not read that day keeps its previous level): the running sum of
    NetworkDay's followers changes. Two queries.
    """
    days = period.days
    levels = follower_levels(workspace, days)
    gained, starts = levels.gained, levels.starts
    # A network never read up to the period's end has no line to draw.
    by_network = {n: line for n, line in levels.lines.items() if line[-1] is not None}
    points = _sample(days)
    index = {day: i for i, day in enumerate(days)}
    series, rows = {}, []
    for network in sorted(by_network, key=network_name):
        line = by_network[network]
        series[network] = [line[index[day]] for day in points]
        # The start is the level the period began with (the last count before it),
        # or, for an account first read during the period, its first count.
        start = starts.get(network)
        rows.append(
            NetworkAudience(
                network, network_name(network), start, line[-1], int(gained.get(network) or 0)
            )
        )
    return AudienceGrowth(points, series, rows)


# --- Networks ---------------------------------------------------------------------------


@dataclass(frozen=True)
class NetworkFigures:
    network: str
    name: str
    views: int
    reach: int
    engagements: int
    likes: int
    comments: int
    shares: int
    clicks: int
    new_followers: int

    @property
    def engagement_rate(self) -> float | None:
        return engagement_rate(self.engagements, self.views)


def network_breakdown(workspace: Workspace, period: Period) -> list[NetworkFigures]:
    """The period's increase of each counter per network, busiest first (one query)."""
    counters = ("views", "reach", "engagements", *ENGAGEMENT_PARTS, "new_followers")
    sums = (
        NetworkDay.objects.filter(workspace=workspace, day__range=(period.start, period.end))
        .values("network")
        .annotate(**{name: Coalesce(Sum(name), 0) for name in counters})
        .order_by("network")
    )
    rows = []
    for row in sums:
        # A network without its own total: engagements are the sum of their parts.
        engaged = row["engagements"] or sum(row[p] for p in ENGAGEMENT_PARTS)
        rows.append(
            NetworkFigures(
                row["network"],
                network_name(row["network"]),
                row["views"],
                row["reach"],
                engaged,
                row["likes"],
                row["comments"],
                row["shares"],
                row["clicks"],
                row["new_followers"],
            )
        )
    return sorted(rows, key=lambda r: (-r.engagements, r.name))


# --- Posts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PostFigures:
    title: str
    network: str
    published_at: datetime
    url: str
    views: int | None
    engagements: int

    @property
    def engagement_rate(self) -> float | None:
        return engagement_rate(self.engagements, self.views or 0)


@dataclass(frozen=True)
class RankedPosts:
    top: list[PostFigures] = field(default_factory=list)
    bottom: list[PostFigures] = field(default_factory=list)
    count: int = 0


def ranked_posts(workspace: Workspace, period: Period) -> RankedPosts:
    """The posts published in the period with the most and the fewest engagements.

    Ranked by their latest reading; the bottom list never repeats a top post,
    so a period with few posts shows each once. Four queries.
    """
    parts = sum((Coalesce(F(p), Value(0)) for p in ENGAGEMENT_PARTS[1:]), Coalesce("likes", 0))
    totals = TargetTotals.objects.filter(
        workspace=workspace, published_at__gte=period.start_at, published_at__lt=period.end_at
    ).annotate(engaged=Coalesce("engagements", parts))
    columns = ("target_id", "post_id", "network", "published_at", "views", "engaged")
    top = list(totals.order_by("-engaged", "-views", "target_id").values(*columns)[:POSTS_SHOWN])
    shown = [row["target_id"] for row in top]
    bottom = list(
        totals.exclude(target_id__in=shown)
        .order_by("engaged", "views", "target_id")
        .values(*columns)[:POSTS_SHOWN]
    )
    rows = top + bottom
    titles = dict(
        Post.objects.filter(pk__in={r["post_id"] for r in rows}).values_list("pk", "title")
    )
    urls = dict(
        Target.objects.filter(pk__in={r["target_id"] for r in rows}).values_list("pk", "url")
    )

    def figures(row: dict) -> PostFigures:
        return PostFigures(
            titles.get(row["post_id"], ""),
            network_name(row["network"]),
            row["published_at"],
            urls.get(row["target_id"], ""),
            row["views"],
            int(row["engaged"] or 0),
        )

    return RankedPosts([figures(r) for r in top], [figures(r) for r in bottom], totals.count())


# --- Published vs planned ---------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    network: str
    name: str
    planned: int
    published: int

    @property
    def missed(self) -> int:
        return self.planned - self.published


def published_vs_planned(workspace: Workspace, period: Period) -> list[Delivery]:
    """Per network: publications due in the period, and how many of them went out."""
    rows = (
        Target.objects.filter(
            workspace=workspace, due_at__gte=period.start_at, due_at__lt=period.end_at
        )
        .values("account__network")
        .annotate(planned=Count("pk"), published=Count("pk", filter=Q(state=TargetState.PUBLISHED)))
        .order_by("account__network")
    )
    found = [
        Delivery(
            r["account__network"], network_name(r["account__network"]), r["planned"], r["published"]
        )
        for r in rows
    ]
    return sorted(found, key=lambda d: d.name)


# --- Comments ---------------------------------------------------------------------------


def comments_for(workspace: Workspace, period: Period) -> list[ReportComment]:
    """The team's comments whose own period overlaps the report's, oldest period first."""
    return list(
        ReportComment.objects.filter(
            workspace=workspace, period_start__lte=period.end, period_end__gte=period.start
        )
        .select_related("author")
        .order_by("period_start", "created_at", "pk")
    )
