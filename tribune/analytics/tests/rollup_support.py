"""Helpers for the ingestion and collection tests: published targets and readings."""

from __future__ import annotations

from datetime import UTC, datetime

from tribune.analytics.models import BestTimeCell, DailyRollup, NetworkDay
from tribune.analytics.rollups import Reading
from tribune.editorial.choices import PostState
from tribune.editorial.models import Post, Variant
from tribune.networks.models import Account
from tribune.publishing.models import Target, TargetState
from tribune.workspaces.models import Workspace

COUNTED = ("posts", "views", "likes", "comments", "shares", "clicks", "engagements",
           "followers", "new_followers")  # fmt: skip


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def make_account(workspace: Workspace, network: str = "mastodon", **fields) -> Account:
    defaults = {
        "name": f"Lumen on {network}",
        "handle": "lumen",
        "base_url": f"https://{network}.example",
        "token": "tok-secret-1",
        "remote_id": f"{network}-{Account.objects.count() + 1}",
    }
    return Account.objects.create(workspace=workspace, network=network, **{**defaults, **fields})


def published_target(
    account: Account,
    published_at: datetime,
    *,
    remote_id: str = "",
    variant: Variant | None = None,
    **post_fields,
) -> Target:
    """A post published on `account` at `published_at` (persona, pillar, format as given)."""
    if variant is None:
        post = Post.objects.create(
            workspace=account.workspace, title="Spring workshop", state=PostState.PUBLISHED,
            **post_fields,
        )  # fmt: skip
        variant = Variant.objects.create(post=post, network=account.network, text="Hello")
    count = Target.objects.count() + 1
    return Target.objects.create(
        workspace=account.workspace,
        post=variant.post,
        variant=variant,
        account=account,
        state=TargetState.PUBLISHED,
        due_at=published_at,
        next_attempt_at=published_at,
        published_at=published_at,
        remote_id=remote_id or f"10{count}",
        url=f"https://{account.network}.example/@lumen/10{count}",
    )


def reading(target: Target, taken_at: datetime, raw: dict | None = None, **values) -> Reading:
    return Reading(
        workspace_id=target.workspace_id,
        account_id=target.account_id,
        target_id=target.pk,
        taken_at=taken_at,
        values=values,
        raw=raw or {},
    )


def account_reading(account: Account, taken_at: datetime, followers: int | None) -> Reading:
    return Reading(
        workspace_id=account.workspace_id,
        account_id=account.pk,
        target_id=None,
        taken_at=taken_at,
        values={"followers": followers},
        raw={"followers_count": followers},
    )


def rollups(workspace: Workspace) -> list[dict]:
    """Every rollup row of the workspace, by day and key, with the columns tests look at."""
    rows = DailyRollup.objects.filter(workspace=workspace).order_by(
        "day", "account_id", "persona_id", "pillar_id", "format"
    )
    return [
        {"day": str(r.day), "format": r.format, **{c: getattr(r, c) for c in COUNTED}} for r in rows
    ]


def day_totals(workspace: Workspace, column: str) -> dict[str, int]:
    """Sum of one column per day (all accounts and mixes), without the zero days."""
    sums: dict[str, int] = {}
    for row in rollups(workspace):
        sums[row["day"]] = sums.get(row["day"], 0) + row[column]
    return {day: value for day, value in sums.items() if value}


NETWORK_DAY_COUNTED = ("posts", "views", "likes", "engagements", "new_followers", "accounts_read",
                       "followers_change", "first_levels")  # fmt: skip


def network_days(workspace: Workspace) -> list[dict]:
    """Every NetworkDay row of the workspace, by day, network and persona."""
    rows = NetworkDay.objects.filter(workspace=workspace).order_by("day", "network", "persona_id")
    return [
        {"day": str(r.day), "network": r.network, "persona_id": r.persona_id,
         **{c: getattr(r, c) for c in NETWORK_DAY_COUNTED}}
        for r in rows
    ]  # fmt: skip


def best_time_cells(workspace: Workspace) -> list[tuple]:
    """Every BestTimeCell of the workspace: (network, weekday, hour, posts, engagements)."""
    rows = BestTimeCell.objects.filter(workspace=workspace).order_by("network", "weekday", "hour")
    return list(rows.values_list("network", "weekday", "hour", "posts", "engagements"))
