"""Posts and dates for the calendar tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from django.utils import timezone

from tribune.editorial.choices import PostState
from tribune.editorial.models import Post, Variant
from tribune.workspaces.models import User, Workspace


def make_post(
    workspace: Workspace,
    title: str = "Launch",
    when: datetime | None = None,
    networks: tuple[str, ...] = ("linkedin",),
    state: str = PostState.DRAFT,
    author: User | None = None,
    **fields,
) -> Post:
    post = Post.objects.create(
        workspace=workspace, title=title, scheduled_at=when, state=state, author=author, **fields
    )
    for network in networks:
        Variant.objects.create(post=post, network=network, text=f"{title} on {network}")
    return post


def future(days: int = 10, hour: int = 10) -> datetime:
    """A UTC instant `days` ahead at `hour`:00 UTC (never in quiet hours by default)."""
    day = (timezone.now() + timedelta(days=days)).date()
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC)


def last_sunday(year: int, month: int) -> date:
    """The day Europe changes its clocks: the last Sunday of March or October."""
    day = date(year, month + 1, 1) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() - 6) % 7)


def dst_year() -> int:
    """A year whose DST changes are still ahead of us, so moves there are not 'in the past'."""
    return timezone.now().year + 2
