"""The calendar checked against the strategy: the public entry points.

`run_checks` judges a window of the calendar (the checks panel);
`check_scheduling` judges one post at the time it is about to be scheduled
(the workflow calls it before scheduling and refuses on blocking findings).
The rules are in checks_rules.py, the data they read in checks_data.py, the
duplicate measure in checks_similarity.py, the calendar-wide rules in
checks_coverage.py.
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time, timedelta

from django.db.models import Case, Count, F, When
from django.utils import timezone

from tribune.workspaces.models import Workspace

from .actions import editorial_settings
from .checks_data import (
    Context,
    Finding,
    PlannedVariant,
    load_limits,
    load_pillars,
    load_posts,
    monday,
    planned,
)
from .checks_rules import RULES, Rule
from .choices import Severity
from .models import Post, Variant

__all__ = ["RULES", "Finding", "Rule", "check_scheduling", "run_checks", "split"]

# Rules that read the strategy's network choices or the pillars.
NEED_LIMITS = {"frequency_high", "frequency_low", "network_not_planned"}
NEED_POSTS = set(RULES) - {"persona_not_served", "objective_not_served"}


def active_rules(ctx: Context, per_post_only: bool = False) -> list[tuple[Rule, str]]:
    """Return the rules to run with their severity, in the registry's order."""
    found = []
    for rule in RULES.values():
        severity = ctx.severity(rule.key, rule.default)
        if severity != Severity.OFF and (rule.per_post or not per_post_only):
            found.append((rule, severity))
    return found


def _aware(value: date | datetime, tz: zoneinfo.ZoneInfo) -> datetime:
    """A date means the start of that local day; a naive datetime is local wall time."""
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else value.replace(tzinfo=tz)
    return datetime.combine(value, time(0), tzinfo=tz)


def _context(workspace: Workspace, start: datetime, end: datetime, now: datetime | None):
    settings = editorial_settings(workspace)
    tz = zoneinfo.ZoneInfo(workspace.time_zone)
    return Context(
        workspace=workspace,
        settings=settings,
        tz=tz,
        start=_aware(start, tz),
        end=_aware(end, tz),
        now=now or timezone.now(),
    )


def run_checks(
    workspace: Workspace,
    start: date | datetime,
    end: date | datetime,
    *,
    now: datetime | None = None,
) -> list[Finding]:
    """Return the findings about the calendar from `start` to `end` (end excluded).

    Dates are local days of the workspace (end excluded, as in FullCalendar's
    ranges). Findings come grouped by rule, in the order of RULES, then by day.
    Rules turned off are not run. About ten queries, whatever the number of posts.
    """
    ctx = _context(workspace, start, end, now)
    if ctx.end <= ctx.start:
        return []
    rules = active_rules(ctx)
    keys = {rule.key for rule, _severity in rules}
    if keys & NEED_LIMITS:
        ctx.limits = load_limits(workspace)
    if "pillar_mix" in keys:
        ctx.pillars = load_pillars(workspace)
    if keys & NEED_POSTS:
        s = ctx.settings
        low = min(
            monday(ctx.first_day),
            ctx.first_day - timedelta(days=s.pillar_window_days - 1),
            ctx.first_day - timedelta(days=s.duplicate_window_days - 1),
        )
        high = max(ctx.end, ctx.midnight(monday(ctx.last_day) + timedelta(days=7)))
        ctx.posts = load_posts(ctx, ctx.midnight(low), high)
    findings: list[Finding] = []
    for rule, severity in rules:
        # Each rule yields its findings in calendar order already.
        findings += rule.check(ctx, severity)
    return findings


def check_scheduling(
    post: Post, when: datetime, *, now: datetime | None = None
) -> tuple[list[Finding], list[Finding]]:
    """Return (blocking, warnings) for scheduling `post` at `when`.

    The post counts as if it were planned at `when` (and no longer at its
    current time). Only findings about this post are returned; calendar-wide
    rules (personas, objectives, networks left out) are for the panel.
    """
    workspace = post.workspace
    ctx = _context(workspace, when, when + timedelta(microseconds=1), now)
    rules = active_rules(ctx, per_post_only=True)
    if not rules:
        return [], []
    s = ctx.settings
    ctx.limits = load_limits(workspace)
    ctx.pillars = load_pillars(workspace)
    text = Case(When(text="", then=F("post__body")), default=F("text"))
    variants = [
        PlannedVariant(network, body or "", link)
        for network, body, link in Variant.objects.filter(post=post).values_list(
            "network", text, "link"
        )
    ]
    has_objective = post.pk is not None and post.objectives.exists()
    focus = planned(
        ctx,
        (post.pk, post.title, ctx.start, post.persona_id, post.pillar_id),
        variants,
        has_objective,
    )
    ctx.focus = focus
    pad = max(7, s.pillar_window_days, s.duplicate_window_days)
    low = ctx.midnight(min(monday(focus.day), focus.day - timedelta(days=pad)))
    high = ctx.midnight(
        max(monday(focus.day) + timedelta(days=7), focus.day + timedelta(days=pad + 1))
    )
    ctx.posts = sorted(
        [*load_posts(ctx, low, high, exclude=post.pk), focus], key=lambda p: (p.when, p.id)
    )
    _load_old_week(ctx, post)
    blocking: list[Finding] = []
    warnings: list[Finding] = []
    for rule, severity in rules:
        for finding in rule.check(ctx, severity):
            (blocking if finding.blocks else warnings).append(finding)
    return blocking, warnings


def _load_old_week(ctx: Context, post: Post) -> None:
    """Count what stays in the week the post leaves, when it moves to another week."""
    if post.pk is None or ctx.focus is None:
        return
    # Read the stored time: callers may already have set the new one on the instance.
    ctx.moved_from = Post.objects.filter(pk=post.pk).values_list("scheduled_at", flat=True).first()
    if ctx.moved_from is None:
        return
    old_week = monday(ctx.local_day(ctx.moved_from))
    if old_week == monday(ctx.focus.day):
        return
    rows = (
        Variant.objects.filter(
            post__workspace=ctx.workspace,
            network__in=ctx.focus.networks,
            post__scheduled_at__gte=ctx.midnight(old_week),
            post__scheduled_at__lt=ctx.midnight(old_week + timedelta(days=7)),
        )
        .exclude(post_id=post.pk)
        .values("network")
        .annotate(n=Count("id"))
    )
    ctx.old_week_counts = {row["network"]: row["n"] for row in rows}


def split(findings: list[Finding]) -> tuple[list[Finding], list[Finding]]:
    """Return (blocking, warnings) of a list of findings."""
    return [f for f in findings if f.blocks], [f for f in findings if not f.blocks]
