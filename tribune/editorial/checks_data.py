"""What the calendar checks read: the planned posts of a window and the strategy.

Everything a check needs is loaded here with one query per kind of data
(posts, variants, objective links, choices, pillars, personas, objectives),
never one query per post, so that a three-month window of a large workspace
stays fast. The rules themselves (checks_rules.py) only read these records.

A post is "planned" when it has a publication time, whatever its state: a
draft placed on the calendar is part of the plan the checks judge.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import NamedTuple

from django.db.models import Case, F, When
from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tribune.strategy.catalog import network_name
from tribune.strategy.models import NetworkChoice, Objective, Persona
from tribune.workspaces.models import Workspace

from .choices import Severity
from .models import ContentPillar, EditorialSettings, Post, Variant


@dataclass(frozen=True)
class Finding:
    """One thing wrong with the calendar: what, where, and what would fix it.

    `rule` is a key of checks_rules.RULES; `severity` a Severity value chosen
    by the workspace's owners. The ids say which post or strategy object the
    finding concerns, so that a page can link to it; `day` is the local date
    it is about, for ordering.
    """

    rule: str
    severity: str
    message: str
    where: str
    fix: str
    post_id: int | None = None
    network: str | None = None
    persona_id: int | None = None
    objective_id: int | None = None
    pillar_id: int | None = None
    day: date | None = None

    @property
    def blocks(self) -> bool:
        return self.severity == Severity.BLOCK


class PlannedVariant(NamedTuple):
    network: str
    text: str
    link: str


# Tuples, not dataclasses: a three-month window of a big workspace holds
# ten thousand of them, and tuples are several times cheaper to build.
class PlannedPost(NamedTuple):
    id: int
    title: str
    when: datetime  # aware
    day: date  # in the workspace's time zone
    clock: time  # local wall time
    persona_id: int | None
    pillar_id: int | None
    has_objective: bool
    variants: tuple[PlannedVariant, ...]

    @property
    def networks(self) -> set[str]:
        return {v.network for v in self.variants}


@dataclass(frozen=True)
class Pillar:
    id: int
    name: str
    target: int


@dataclass
class Context:
    """The data of one run: settings, strategy, and the posts around the window.

    `start`/`end` bound the window checked (aware, end excluded); `posts` may
    reach beyond it, because weeks, rolling windows and duplicate windows do.
    In a scheduling check `focus` is the post being scheduled, already placed
    at its new time among `posts`, and `moved_from` its previous time.
    """

    workspace: Workspace
    settings: EditorialSettings
    tz: zoneinfo.ZoneInfo
    start: datetime
    end: datetime
    now: datetime
    posts: list[PlannedPost] = field(default_factory=list)
    limits: dict[str, tuple[int | None, int | None]] = field(default_factory=dict)
    pillars: dict[int, Pillar] = field(default_factory=dict)
    focus: PlannedPost | None = None
    moved_from: datetime | None = None
    # network -> posts left in the week the focus leaves (scheduling checks only).
    old_week_counts: dict[str, int] = field(default_factory=dict)
    # (persona ids, objective ids) served in the coming weeks, loaded once per run.
    coverage: tuple[set[int], set[int]] | None = None
    # The language findings are written in, read once per run.
    language: str | None = field(default_factory=get_language)
    window_cache: list[PlannedPost] | None = None
    offsets: dict[int, timedelta | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Posts come from the database in UTC; comparing datetimes of one zone is cheaper.
        self.start = self.start.astimezone(UTC)
        self.end = self.end.astimezone(UTC)

    def in_window(self) -> list[PlannedPost]:
        """Return the posts planned in [start, end), computed once per run."""
        if self.window_cache is None:
            start, end = self.start, self.end
            self.window_cache = [p for p in self.posts if start <= p.when < end]
        return self.window_cache

    def severity(self, rule: str, default: str) -> str:
        value = self.settings.severities.get(rule, default)
        return value if value in Severity.values else default

    def offset(self, moment: datetime) -> timedelta:
        """Return the zone's UTC offset at an aware moment.

        A dense calendar has thousands of posts but a few thousand hours: the
        offset is looked up once per UTC hour, at its first and last second.
        An hour holding a transition (they can fall on the half hour) gets
        None in the cache and is resolved post by post.
        """
        hour = int(moment.timestamp()) // 3600
        if hour not in self.offsets:
            first = datetime.fromtimestamp(hour * 3600, UTC)
            before = first.astimezone(self.tz).utcoffset()
            after = (first + timedelta(seconds=3599)).astimezone(self.tz).utcoffset()
            self.offsets[hour] = before if before == after else None
        found = self.offsets[hour]
        if found is None:
            found = moment.astimezone(self.tz).utcoffset()
        return found or timedelta(0)

    def local_day(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()

    def midnight(self, day: date) -> datetime:
        """Return the aware start of a local day."""
        return datetime.combine(day, time(0), tzinfo=self.tz)

    @property
    def first_day(self) -> date:
        return self.local_day(self.start)

    @property
    def last_day(self) -> date:
        return self.local_day(self.end - timedelta(microseconds=1))


# Findings can number in the thousands: dates, times and the "where" patterns
# are formatted once per language and value, not once per finding.
@lru_cache(maxsize=4096)
def _day_text(language: str | None, day: date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


@lru_cache(maxsize=4096)
def _time_text(language: str | None, clock: time) -> str:
    return formats.time_format(clock, "TIME_FORMAT")


@lru_cache(maxsize=16)
def _where_patterns(language: str | None) -> tuple[str, str, str]:
    return (
        _("“%(title)s” on %(network)s, %(when)s"),
        _("“%(title)s”, %(when)s"),
        _("%(day)s at %(time)s"),
    )


def day_text(day: date) -> str:
    return _day_text(get_language(), day)


def time_text(clock: time) -> str:
    return _time_text(get_language(), clock)


def post_where(ctx: Context, post: PlannedPost, network: str | None = None) -> str:
    """Return "“title” on Network, day at time", the post's place in the calendar."""
    language = ctx.language
    on_network, alone, moment = _where_patterns(language)
    when = moment % {"day": _day_text(language, post.day), "time": _time_text(language, post.clock)}
    if network:
        return on_network % {"title": post.title, "network": network_name(network), "when": when}
    return alone % {"title": post.title, "when": when}


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def load_limits(workspace: Workspace) -> dict[str, tuple[int | None, int | None]]:
    """Return the chosen networks with their (minimum, maximum) posts per week."""
    rows = NetworkChoice.objects.filter(workspace=workspace).values_list(
        "network", "min_posts_per_week", "max_posts_per_week"
    )
    return {network: (low, high) for network, low, high in rows}


def load_pillars(workspace: Workspace) -> dict[int, Pillar]:
    rows = ContentPillar.objects.filter(workspace=workspace).values_list(
        "id", "name", "target_share"
    )
    return {pk: Pillar(pk, name, target) for pk, name, target in rows}


def load_posts(
    ctx: Context, low: datetime, high: datetime, exclude: int | None = None
) -> list[PlannedPost]:
    """Return the planned posts in [low, high), ordered by time, with their variants.

    Three queries whatever the number of posts: posts, variants, objective links.
    """
    ws = ctx.workspace
    posts = Post.objects.filter(workspace=ws, scheduled_at__gte=low, scheduled_at__lt=high)
    variants = Variant.objects.filter(
        post__workspace=ws, post__scheduled_at__gte=low, post__scheduled_at__lt=high
    )
    links = Post.objectives.through.objects.filter(
        post__workspace=ws, post__scheduled_at__gte=low, post__scheduled_at__lt=high
    )
    if exclude is not None:
        posts = posts.exclude(pk=exclude)
        variants = variants.exclude(post_id=exclude)
        links = links.exclude(post_id=exclude)
    # An empty variant text means "the master text", as in the composer.
    text = Case(When(text="", then=F("post__body")), default=F("text"))
    by_post: dict[int, list[PlannedVariant]] = {}
    for post_id, network, body, link in variants.values_list("post_id", "network", text, "link"):
        by_post.setdefault(post_id, []).append(PlannedVariant(network, body or "", link))
    with_objective = set(links.values_list("post_id", flat=True).distinct())
    rows = posts.order_by("scheduled_at", "id").values_list(
        "id", "title", "scheduled_at", "persona_id", "pillar_id"
    )
    return [planned(ctx, row, by_post.get(row[0], ()), row[0] in with_objective) for row in rows]


def planned(ctx: Context, row: tuple, variants, has_objective: bool) -> PlannedPost:
    pk, title, when, persona_id, pillar_id = row
    local = when.replace(tzinfo=None) + ctx.offset(when)
    return PlannedPost(
        id=pk,
        title=title,
        when=when,
        day=local.date(),
        clock=local.time(),
        persona_id=persona_id,
        pillar_id=pillar_id,
        has_objective=has_objective,
        variants=tuple(variants),
    )


def served(workspace: Workspace, low: datetime, high: datetime) -> tuple[set[int], set[int]]:
    """Return the persona ids and objective ids served by posts planned in [low, high)."""
    personas = set(
        Post.objects.filter(workspace=workspace, scheduled_at__gte=low, scheduled_at__lt=high)
        .exclude(persona=None)
        .values_list("persona_id", flat=True)
        .distinct()
    )
    objectives = set(
        Post.objectives.through.objects.filter(
            post__workspace=workspace, post__scheduled_at__gte=low, post__scheduled_at__lt=high
        )
        .values_list("objective_id", flat=True)
        .distinct()
    )
    return personas, objectives


def personas_of(workspace: Workspace) -> list[tuple[int, str]]:
    return list(Persona.objects.filter(workspace=workspace).values_list("id", "name"))


def open_objectives(workspace: Workspace, today: date) -> list[tuple[int, str]]:
    """Return the objectives whose deadline has not passed: only those still need posts."""
    return list(
        Objective.objects.filter(workspace=workspace, deadline__gte=today).values_list(
            "id", "title"
        )
    )
