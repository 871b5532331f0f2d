"""The calendar checks, one function per rule, and the registry owners configure.

Each rule reads a Context (checks_data.py) and yields Findings. With no focus
it judges the window [ctx.start, ctx.end); with a focus (a post about to be
scheduled) it reports only what concerns that post at its new time.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, time, timedelta

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from tribune.strategy.catalog import network_name

from . import checks_coverage, checks_duplicates
from .checks_data import Context, Finding, PlannedPost, day_text, monday, post_where, time_text
from .choices import Severity

# Fewer posts with a pillar than this in a window say nothing about a mix.
MIN_POSTS_FOR_MIX = 5

Check = Callable[[Context, str], Iterator[Finding]]


@dataclass(frozen=True)
class Rule:
    key: str
    label: Promise
    default: str
    check: Check
    # False for rules about the whole calendar, which a single post cannot break.
    per_post: bool = True


def window_posts(ctx: Context) -> list[PlannedPost]:
    """Return the posts a rule about single posts judges: the focus, or the window's."""
    if ctx.focus is not None:
        return [ctx.focus]
    return ctx.in_window()


def weeks(ctx: Context) -> list[date]:
    """Return the Mondays of the local weeks the window touches."""
    first, last = monday(ctx.first_day), monday(ctx.last_day)
    return [first + timedelta(weeks=n) for n in range((last - first).days // 7 + 1)]


def week_counts(ctx: Context) -> Counter[tuple[str, date]]:
    counts: Counter[tuple[str, date]] = Counter()
    for post in ctx.posts:
        week = monday(post.day)
        for network in post.networks:
            counts[network, week] += 1
    return counts


def week_where(week: date, network: str) -> str:
    return _("Week of %(monday)s on %(network)s") % {
        "monday": day_text(week),
        "network": network_name(network),
    }


def frequency_high(ctx: Context, severity: str) -> Iterator[Finding]:
    counts = week_counts(ctx)
    if ctx.focus is not None:
        pairs = [(n, monday(ctx.focus.day)) for n in sorted(ctx.focus.networks)]
    else:
        pairs = [(n, w) for n in sorted(ctx.limits) for w in weeks(ctx)]
    for network, week in pairs:
        high = ctx.limits.get(network, (None, None))[1]
        count = counts[network, week]
        if high is None or count <= high:
            continue
        yield Finding(
            rule="frequency_high",
            severity=severity,
            message=ngettext(
                "%(count)s post is planned on %(network)s this week; the strategy allows "
                "at most %(max)s.",
                "%(count)s posts are planned on %(network)s this week; the strategy allows "
                "at most %(max)s.",
                count,
            )
            % {"count": count, "network": network_name(network), "max": high},
            where=week_where(week, network),
            fix=_("Move %(extra)s of them to a quieter week, or raise the maximum.")
            % {"extra": count - high},
            post_id=ctx.focus.id if ctx.focus else None,
            network=network,
            day=week,
        )


def frequency_low(ctx: Context, severity: str) -> Iterator[Finding]:
    if ctx.focus is not None:
        yield from _frequency_low_after_move(ctx, severity)
        return
    counts = week_counts(ctx)
    planned = {n for p in window_posts(ctx) for n in p.networks}
    # A network with nothing at all planned gets one network_not_planned finding
    # rather than one finding per week, unless that rule is turned off.
    silenced = ctx.severity("network_not_planned", Severity.WARN) != Severity.OFF
    for network in sorted(ctx.limits):
        low = ctx.limits[network][0]
        if not low or (silenced and network not in planned):
            continue
        for week in weeks(ctx):
            if ctx.midnight(week + timedelta(days=7)) <= ctx.now:
                continue  # a week that is over cannot be fixed
            if counts[network, week] < low:
                yield _too_few(severity, network, week, counts[network, week], low)


def _frequency_low_after_move(ctx: Context, severity: str) -> Iterator[Finding]:
    """Moving a post out of a week may leave that week short of its minimum."""
    if ctx.moved_from is None or ctx.focus is None:
        return
    old_week = monday(ctx.local_day(ctx.moved_from))
    if old_week == monday(ctx.focus.day) or ctx.midnight(old_week + timedelta(7)) <= ctx.now:
        return
    for network in sorted(ctx.focus.networks):
        low = ctx.limits.get(network, (None, None))[0]
        left = ctx.old_week_counts.get(network, 0)
        if low and left < low:
            finding = _too_few(severity, network, old_week, left, low)
            yield Finding(**{**finding.__dict__, "post_id": ctx.focus.id})


def _too_few(severity: str, network: str, week: date, count: int, low: int) -> Finding:
    return Finding(
        rule="frequency_low",
        severity=severity,
        message=ngettext(
            "%(count)s post is planned on %(network)s this week; the strategy asks for "
            "at least %(min)s.",
            "%(count)s posts are planned on %(network)s this week; the strategy asks for "
            "at least %(min)s.",
            count,
        )
        % {"count": count, "network": network_name(network), "min": low},
        where=week_where(week, network),
        fix=ngettext(
            "Plan %(missing)s more post on %(network)s this week, or lower the minimum.",
            "Plan %(missing)s more posts on %(network)s this week, or lower the minimum.",
            low - count,
        )
        % {"missing": low - count, "network": network_name(network)},
        network=network,
        day=week,
    )


def pillar_mix(ctx: Context, severity: str) -> Iterator[Finding]:
    pillars = ctx.pillars
    if not pillars or not sum(p.target for p in pillars.values()):
        return
    span = ctx.settings.pillar_window_days
    tolerance = ctx.settings.pillar_tolerance
    daily: dict[date, Counter[int]] = defaultdict(Counter)
    for post in ctx.posts:
        if post.pillar_id in pillars:
            daily[post.day][post.pillar_id] += 1
    if ctx.focus is not None:
        if ctx.focus.pillar_id not in pillars:
            return
        ends = [ctx.focus.day + timedelta(days=n) for n in range(span)]
    else:
        ends = [
            ctx.first_day + timedelta(days=n)
            for n in range((ctx.last_day - ctx.first_day).days + 1)
        ]
    # (pillar, direction) -> runs of consecutive window ends: [first, last, worst share, worst end]
    runs: dict[tuple[int, int], list[list]] = defaultdict(list)
    window: Counter[int] = Counter()
    for n in range(span):
        window.update(daily.get(ends[0] - timedelta(days=n), {}))
    for index, end in enumerate(ends):
        if index:
            window.update(daily.get(end, {}))
            window.subtract(daily.get(end - timedelta(days=span), {}))
        total = sum(window.values())
        if total < MIN_POSTS_FOR_MIX:
            continue
        for pillar in pillars.values():
            share = 100 * window[pillar.id] / total
            direction = (share > pillar.target + tolerance) - (share < pillar.target - tolerance)
            if not direction:
                continue
            found = runs[pillar.id, direction]
            if found and found[-1][1] == end - timedelta(days=1):
                found[-1][1] = end
                if abs(share - pillar.target) > abs(found[-1][2] - pillar.target):
                    found[-1][2:] = [share, end]
            else:
                found.append([end, end, share, end])
    for (pillar_id, direction), found in sorted(runs.items()):
        if ctx.focus is not None and (direction < 0 or pillar_id != ctx.focus.pillar_id):
            continue  # a post can only push its own pillar's share up
        for first, last, share, worst in found:
            yield _pillar_finding(
                ctx, severity, pillars[pillar_id], direction, first, last, share, worst
            )
            if ctx.focus is not None:
                break  # one finding about the post is enough


def _pillar_finding(ctx, severity, pillar, direction, first, last, share, worst) -> Finding:
    values = {
        "pillar": pillar.name,
        "share": round(share),
        "days": ctx.settings.pillar_window_days,
        "day": day_text(worst),
        "target": pillar.target,
        "tolerance": ctx.settings.pillar_tolerance,
        "first": day_text(first),
        "last": day_text(last),
    }
    if direction > 0:
        message = _(
            "%(pillar)s makes up %(share)s%% of the posts in the %(days)s days to %(day)s, "
            "above its target of %(target)s%% (tolerance: %(tolerance)s points)."
        )
        fix = _("Plan fewer %(pillar)s posts in this period, or more posts of the other pillars.")
    else:
        message = _(
            "%(pillar)s makes up %(share)s%% of the posts in the %(days)s days to %(day)s, "
            "below its target of %(target)s%% (tolerance: %(tolerance)s points)."
        )
        fix = _("Plan more %(pillar)s posts in this period.")
    if first == last:
        where = _("The %(days)s days to %(day)s") % values
    else:
        where = _("Every %(days)s-day window ending from %(first)s to %(last)s") % values
    return Finding(
        rule="pillar_mix",
        severity=severity,
        message=message % values,
        where=where,
        fix=fix % values,
        post_id=ctx.focus.id if ctx.focus else None,
        pillar_id=pillar.id,
        day=worst,
    )


def in_quiet_hours(clock: time, start: time, end: time) -> bool:
    """Whether a wall time falls in [start, end), a span that may cross midnight."""
    if start < end:
        return start <= clock < end
    if start > end:
        return clock >= start or clock < end
    return False


def quiet_hours(ctx: Context, severity: str) -> Iterator[Finding]:
    start, end = ctx.settings.quiet_start, ctx.settings.quiet_end
    if start is None or end is None:
        return
    values = {"start": time_text(start), "end": time_text(end)}
    message = _("It is planned at %(time)s, within the quiet hours (%(start)s–%(end)s).")
    fix = _("Move it outside %(start)s–%(end)s.") % values
    for post in window_posts(ctx):
        if in_quiet_hours(post.clock, start, end):
            yield Finding(
                rule="quiet_hours",
                severity=severity,
                message=message % {**values, "time": time_text(post.clock)},
                where=post_where(ctx, post),
                fix=fix,
                post_id=post.id,
                day=post.day,
            )


def blackout_days(ctx: Context) -> set[date]:
    found = set()
    for value in ctx.settings.blackout_dates or []:
        try:
            found.add(date.fromisoformat(str(value)))
        except ValueError:
            continue  # the settings form only stores valid dates; ignore anything else
    return found


def blackout_date(ctx: Context, severity: str) -> Iterator[Finding]:
    days = blackout_days(ctx)
    message = _("It is planned on %(day)s, a blackout date.")
    fix = _("Move it to a day that is not a blackout date.")
    for post in window_posts(ctx):
        if post.day in days:
            yield Finding(
                rule="blackout_date",
                severity=severity,
                message=message % {"day": day_text(post.day)},
                where=post_where(ctx, post),
                fix=fix,
                post_id=post.id,
                day=post.day,
            )


def post_without_persona(ctx: Context, severity: str) -> Iterator[Finding]:
    message, fix = _("This post targets no persona."), _("Choose the persona it is written for.")
    for post in window_posts(ctx):
        if post.persona_id is None:
            yield Finding(
                rule="post_without_persona",
                severity=severity,
                message=message,
                where=post_where(ctx, post),
                fix=fix,
                post_id=post.id,
                day=post.day,
            )


def post_without_objective(ctx: Context, severity: str) -> Iterator[Finding]:
    message, fix = _("This post serves no objective."), _("Choose the objectives it serves.")
    for post in window_posts(ctx):
        if not post.has_objective:
            yield Finding(
                rule="post_without_objective",
                severity=severity,
                message=message,
                where=post_where(ctx, post),
                fix=fix,
                post_id=post.id,
                day=post.day,
            )


RULES: dict[str, Rule] = {
    rule.key: rule
    for rule in [
        Rule(
            "frequency_high",
            gettext_lazy("Too many posts in a week on a network"),
            Severity.WARN,
            frequency_high,
        ),
        Rule(
            "frequency_low",
            gettext_lazy("Too few posts in a week on a network"),
            Severity.WARN,
            frequency_low,
        ),
        Rule(
            "pillar_mix",
            gettext_lazy("Content pillar mix away from its targets"),
            Severity.WARN,
            pillar_mix,
        ),
        Rule(
            "duplicate_link",
            gettext_lazy("The same link again too soon"),
            Severity.WARN,
            checks_duplicates.duplicate_link,
        ),
        Rule(
            "duplicate_text",
            gettext_lazy("Nearly the same text again too soon"),
            Severity.WARN,
            checks_duplicates.duplicate_text,
        ),
        Rule("quiet_hours", gettext_lazy("A post during quiet hours"), Severity.BLOCK, quiet_hours),
        Rule(
            "blackout_date",
            gettext_lazy("A post on a blackout date"),
            Severity.BLOCK,
            blackout_date,
        ),
        Rule(
            "post_without_persona",
            gettext_lazy("A post that targets no persona"),
            Severity.WARN,
            post_without_persona,
        ),
        Rule(
            "post_without_objective",
            gettext_lazy("A post that serves no objective"),
            Severity.WARN,
            post_without_objective,
        ),
        Rule(
            "persona_not_served",
            gettext_lazy("A persona no planned post targets"),
            Severity.WARN,
            checks_coverage.persona_not_served,
            per_post=False,
        ),
        Rule(
            "objective_not_served",
            gettext_lazy("An objective no planned post serves"),
            Severity.WARN,
            checks_coverage.objective_not_served,
            per_post=False,
        ),
        Rule(
            "network_not_planned",
            gettext_lazy("A chosen network with nothing planned"),
            Severity.WARN,
            checks_coverage.network_not_planned,
            per_post=False,
        ),
    ]
}
