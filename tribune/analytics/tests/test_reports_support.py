"""Data the report tests share: a workspace with objectives, accounts, published posts,
daily rollups, latest totals and the team's comments. Holds no test itself."""

from __future__ import annotations

import uuid
import zoneinfo
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from tribune.analytics.models import DailyRollup, ReportComment, ReportTemplate, TargetTotals
from tribune.analytics.reports import SECTIONS
from tribune.analytics.rollups import rebuild_network_days
from tribune.editorial.choices import PostState
from tribune.editorial.models import Post, Variant
from tribune.networks.models import Account
from tribune.publishing.models import Target, TargetState
from tribune.strategy.models import Objective
from tribune.workspaces.models import User, Workspace

# The period most tests report on: a full week in Europe/Paris (Monday to Sunday).
WEEK = (date(2025, 3, 3), date(2025, 3, 9))


def make_template(workspace: Workspace, **fields) -> ReportTemplate:
    values = {"name": "Client weekly", "sections": list(SECTIONS)} | fields
    return ReportTemplate.objects.create(workspace=workspace, **values)


def make_objective(workspace: Workspace, title: str = "Grow the Mastodon audience") -> Objective:
    return Objective.objects.create(
        workspace=workspace,
        title=title,
        lever="visibility",
        kpi="audience",
        baseline=Decimal("1000"),
        target=Decimal("1500"),
        deadline=date(2025, 12, 31),
    )


def make_account(workspace: Workspace, network: str) -> Account:
    return Account.objects.create(
        workspace=workspace, network=network, name=f"Lumen on {network}", handle="lumen"
    )


def local(day: date, hour: int, tz: str = "Europe/Paris") -> datetime:
    return datetime.combine(day, time(hour), tzinfo=zoneinfo.ZoneInfo(tz))


def publish(
    account: Account,
    title: str,
    at: datetime,
    *,
    state: str = TargetState.PUBLISHED,
    views: int | None = None,
    likes: int = 0,
    shares: int = 0,
) -> Target:
    """A post with one target on `account`, due at `at`; published then, with its totals."""
    workspace = account.workspace
    post = Post.objects.create(workspace=workspace, title=title, state=PostState.SCHEDULED)
    variant = Variant.objects.create(post=post, network=account.network, text=title)
    published = state == TargetState.PUBLISHED
    target = Target.objects.create(
        workspace=workspace,
        post=post,
        variant=variant,
        account=account,
        state=state,
        due_at=at,
        next_attempt_at=at,
        idempotency_key=uuid.uuid4().hex,
        published_at=at if published else None,
        url=f"https://{account.network}.example/{post.pk}" if published else "",
    )
    if published:
        TargetTotals.objects.create(
            target=target,
            workspace=workspace,
            account=account,
            network=account.network,
            post_id=post.pk,
            published_at=at,
            weekday=at.weekday(),
            hour=at.hour,
            taken_at=at + timedelta(days=1),
            views=views,
            likes=likes,
            shares=shares,
        )
    return target


def roll(account: Account, day: date, **figures) -> DailyRollup:
    """A hand-made rollup row, with the workspace's network days computed again from them."""
    row = DailyRollup.objects.create(
        workspace=account.workspace, account=account, network=account.network, day=day, **figures
    )
    rebuild_network_days(account.workspace_id)
    return row


def fill_week(workspace: Workspace, author: User | None = None) -> dict:
    """A week of activity on Mastodon and Bluesky, with one comment inside and one outside."""
    start, end = WEEK
    mastodon = make_account(workspace, "mastodon")
    bluesky = make_account(workspace, "bluesky")
    make_objective(workspace)
    # The level before the period, then three readings inside it.
    roll(mastodon, start - timedelta(days=2), followers=1000)
    roll(mastodon, start, followers=1010, new_followers=10, views=400, likes=30, engagements=40)
    roll(mastodon, start + timedelta(days=3), followers=1040, new_followers=30, views=600)
    roll(bluesky, start + timedelta(days=1), followers=200, new_followers=5, views=100, likes=4)
    posts = [
        publish(mastodon, "Spring workshop", local(start, 9), views=800, likes=50, shares=12),
        publish(mastodon, "Quiet Tuesday note", local(start + timedelta(days=1), 9), views=90),
        publish(bluesky, "Studio tour", local(start + timedelta(days=2), 18), views=300, likes=9),
        publish(bluesky, "Cancelled teaser", local(end, 10), state=TargetState.FAILED),
    ]
    inside = ReportComment.objects.create(
        workspace=workspace,
        period_start=start,
        period_end=end,
        body="The workshop post carried the week.",
        author=author,
    )
    outside = ReportComment.objects.create(
        workspace=workspace,
        period_start=end + timedelta(days=1),
        period_end=end + timedelta(days=7),
        body="Comment about the following week.",
        author=author,
    )
    return {"accounts": (mastodon, bluesky), "posts": posts, "comments": (inside, outside)}
