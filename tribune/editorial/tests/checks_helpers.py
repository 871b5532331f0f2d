"""Helpers for the calendar check tests: posts placed at local Paris times."""

from __future__ import annotations

import zoneinfo
from datetime import datetime

from tribune.editorial.actions import editorial_settings
from tribune.editorial.models import Post, Variant
from tribune.strategy.models import NetworkChoice

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
# A Saturday morning: the week of Monday 3 March 2025 is still ahead.
NOW = datetime(2025, 3, 1, 8, 0, tzinfo=PARIS)


def at(day: int, hour: int = 10, minute: int = 0, month: int = 3) -> datetime:
    """Return a wall time in Paris in 2025."""
    return datetime(2025, month, day, hour, minute, tzinfo=PARIS)


def post(workspace, when, networks=("linkedin",), *, title="Post", text="", link="", **fields):
    created = Post.objects.create(workspace=workspace, title=title, scheduled_at=when, **fields)
    for network in networks:
        Variant.objects.create(post=created, network=network, text=text, link=link)
    return created


def choose(workspace, network="linkedin", low=None, high=None) -> NetworkChoice:
    return NetworkChoice.objects.create(
        workspace=workspace,
        network=network,
        rationale="Our buyers are there",
        min_posts_per_week=low,
        max_posts_per_week=high,
    )


def only(workspace, *rules: str, **values):
    """Turn every rule off but `rules` (warn), and set other settings fields."""
    from tribune.editorial.checks import RULES

    settings = editorial_settings(workspace)
    settings.severities = {key: ("warn" if key in rules else "off") for key in RULES}
    for name, value in values.items():
        setattr(settings, name, value)
    settings.save()
    return settings
