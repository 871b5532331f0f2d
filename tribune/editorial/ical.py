"""The calendar as an iCalendar (RFC 5545) file, for a subscription in any calendar app.

Built with the `icalendar` package rather than by hand: line folding at 75
octets, escaping of commas and semicolons, and the required DTSTAMP/UID are
exactly where hand-written feeds break in Google Calendar, Apple Calendar and
Outlook.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import icalendar
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from tribune.strategy.catalog import network_name
from tribune.workspaces.models import Workspace

from .choices import PostState
from .models import Post, Variant

# What the feed covers: recent history for context, and the year ahead.
PAST = timedelta(days=90)
FUTURE = timedelta(days=366)
# Posts are instants; calendar apps draw a short block so they stay visible.
DURATION = timedelta(minutes=15)


def _event(
    post: Post, network: str | None, text: str, stamp: datetime, url: str
) -> icalendar.Event:
    event = icalendar.Event()
    uid_tail = network or "post"
    event.add("uid", f"tribune-post-{post.pk}-{uid_tail}@{post.workspace.slug}")
    event.add("dtstamp", stamp)
    event.add("dtstart", post.scheduled_at.astimezone(UTC))
    event.add("duration", DURATION)
    where = network_name(network) if network else _("no network yet")
    event.add("summary", f"[{post.get_state_display()}] {post.title} · {where}")
    if text:
        event.add("description", text)
    if url:
        event.add("url", url)
    # Scheduled posts are firm; everything else is a plan that may still move.
    event.add("status", "CONFIRMED" if post.state == PostState.SCHEDULED else "TENTATIVE")
    event.add("last-modified", post.updated_at.astimezone(UTC))
    return event


def build(workspace: Workspace, post_url: Callable[[Post], str]) -> bytes:
    """Return the workspace's calendar as iCalendar bytes: one VEVENT per timed variant.

    A timed post with no variant yet still gets one VEVENT, so nothing planned
    is missing from the subscriber's calendar.
    """
    now = timezone.now()
    posts = (
        Post.objects.filter(
            workspace=workspace, scheduled_at__gte=now - PAST, scheduled_at__lt=now + FUTURE
        )
        .select_related("workspace")
        .prefetch_related(
            Prefetch("variants", Variant.objects.only("id", "post_id", "network", "text"))
        )
        .order_by("scheduled_at", "pk")
    )
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Tribune//Editorial calendar//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", _("%(workspace)s · editorial calendar") % {"workspace": workspace.name})
    cal.add("x-wr-timezone", workspace.time_zone)
    for post in posts:
        url = post_url(post)
        variants = list(post.variants.all())
        if not variants:
            cal.add_component(_event(post, None, post.body, now, url))
        for variant in variants:
            cal.add_component(_event(post, variant.network, variant.text or post.body, now, url))
    return cal.to_ical()
