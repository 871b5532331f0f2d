"""Hand-made figures for the dashboard tests: accounts, published posts with their
latest totals, daily rollups. Written straight into the tables ingestion fills, so
each test knows every number the page should show.
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime

from tribune.analytics.models import DailyRollup, TargetTotals
from tribune.analytics.rollups import rebuild_best_time, rebuild_network_days
from tribune.editorial.choices import PostState
from tribune.editorial.models import ContentPillar, Post, Variant
from tribune.networks.models import Account
from tribune.publishing.models import Target, TargetState
from tribune.strategy.models import Persona
from tribune.workspaces.models import Workspace

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def account(workspace: Workspace, network: str = "mastodon", name: str = "") -> Account:
    return Account.objects.create(
        workspace=workspace, network=network, name=name or f"Lumen on {network}", handle="lumen"
    )


def persona(workspace: Workspace, name: str) -> Persona:
    return Persona.objects.create(workspace=workspace, name=name)


def pillar(workspace: Workspace, name: str) -> ContentPillar:
    return ContentPillar.objects.create(workspace=workspace, name=name, target_share=25)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    """An instant given in the test workspace's zone (Europe/Paris)."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


def published(
    workspace: Workspace,
    on: Account,
    title: str,
    when: datetime,
    *,
    persona_obj: Persona | None = None,
    pillar_obj: ContentPillar | None = None,
    format: str = "organic",
    **readings: int | None,
) -> TargetTotals:
    """A post published on `on` at `when`, with its latest reading (`readings`)."""
    post = Post.objects.create(
        workspace=workspace,
        title=title,
        scheduled_at=when,
        state=PostState.PUBLISHED,
        persona=persona_obj,
        pillar=pillar_obj,
        format=format,
    )
    variant = Variant.objects.create(post=post, network=on.network, text=title)
    target = Target.objects.create(
        workspace=workspace,
        post=post,
        variant=variant,
        account=on,
        state=TargetState.PUBLISHED,
        due_at=when,
        next_attempt_at=when,
        published_at=when,
        url=f"https://{on.network}.example/@lumen/{post.pk}",
    )
    at = when.astimezone(PARIS)
    totals = TargetTotals.objects.create(
        target=target,
        workspace=workspace,
        account=on,
        network=on.network,
        post_id=post.pk,
        persona_id=persona_obj.pk if persona_obj else 0,
        pillar_id=pillar_obj.pk if pillar_obj else 0,
        format=format,
        published_at=when,
        weekday=at.weekday(),
        hour=at.hour,
        taken_at=when,
        **readings,
    )
    rebuild_best_time(workspace.pk)
    return totals


def planned(workspace: Workspace, title: str, when: datetime, networks: tuple[str, ...]) -> Post:
    """A post on the calendar (not published) with a version per network."""
    post = Post.objects.create(
        workspace=workspace, title=title, scheduled_at=when, state=PostState.SCHEDULED
    )
    for network in networks:
        Variant.objects.create(post=post, network=network, text=title)
    return post


def rollup(
    workspace: Workspace, on: Account, day: date, persona_id: int = 0, **totals: int
) -> DailyRollup:
    """A hand-made rollup row, with the workspace's network days computed again from them."""
    row = DailyRollup.objects.create(
        workspace=workspace, account=on, network=on.network, day=day, persona_id=persona_id,
        **totals,
    )  # fmt: skip
    rebuild_network_days(workspace.pk)
    return row
