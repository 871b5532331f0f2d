"""Seeding for bench/analytics.py: the workspace, its publications, and the volume of readings.

Every reading follows one formula, so the part ingested through `rollups.ingest()`
and the part filled in SQL give the same rollups the real path would have
given: reading k (1-based) of target t holds k × c(t) for each counter, so
each reading, the first included, adds exactly c(t) to its day.
"""

from __future__ import annotations

import random
from bisect import bisect_left
from datetime import UTC, date, datetime, timedelta

NETWORKS = ["linkedin", "instagram", "bluesky", "mastodon", "facebook", "threads"]
START = datetime(2024, 11, 1, tzinfo=UTC)
NOW = datetime(2026, 11, 1, tzinfo=UTC)  # two years of history end here
TODAY = date(2026, 10, 31)  # the day the dashboards are looked at
# The collection schedule: 1 h, 6 h, 24 h, 3 days, 7 days, then weekly; 48 readings at most.
HOUR, DAY = 3600, 86400
OFFSETS = [HOUR, 6 * HOUR, DAY, 3 * DAY] + [7 * DAY * w for w in range(1, 45)]
COUNTER_COLUMNS = ("views", "reach", "engagements", "likes", "comments", "shares", "clicks")


def values_at(target_id: int, k: int) -> dict[str, int]:
    """Counters of reading k of a target: k times the target's per-reading increase."""
    base = 1 + target_id % 50
    likes, comments, shares, clicks = base * k, (target_id % 3) * k, (target_id % 2) * k, k
    return {
        "views": 10 * base * k,
        "reach": 7 * base * k,
        "likes": likes,
        "comments": comments,
        "shares": shares,
        "clicks": clicks,
    }


def seed_workspace(accounts: int, targets: int) -> tuple:
    """One workspace (UTC) with `accounts` accounts and `targets` published targets, two
    per post, published over the two years; objectives and a report template."""
    from django.contrib.auth import get_user_model

    from tribune.analytics.models import ReportTemplate
    from tribune.analytics.reports import SECTIONS
    from tribune.editorial.choices import PostFormat, PostState
    from tribune.editorial.models import ContentPillar, Post, Variant
    from tribune.networks.models import Account
    from tribune.publishing.models import Target, TargetState
    from tribune.strategy.models import Objective, Persona
    from tribune.workspaces.models import Membership, Workspace
    from tribune.workspaces.roles import Role

    rng = random.Random(5)
    ws = Workspace.objects.create(name="Bench", slug="bench", time_zone="UTC", language="en")
    owner = get_user_model().objects.create_user("bench-owner", "b@example.org", "bench-pw")
    Membership.objects.create(workspace=ws, user=owner, roles=[Role.OWNER])
    personas = [Persona.objects.create(workspace=ws, name=f"Persona {i}") for i in range(5)]
    pillars = [
        ContentPillar.objects.create(workspace=ws, name=n, target_share=s)
        for n, s in (("Product", 40), ("Team", 30), ("Advice", 30))
    ]
    formats = PostFormat.values
    accs = Account.objects.bulk_create(
        Account(workspace=ws, network=NETWORKS[i % 6], name=f"Account {i}", handle=f"a{i}")
        for i in range(accounts)
    )
    by_network = {n: [a for a in accs if a.network == n] for n in NETWORKS}
    span = int((NOW - START).total_seconds())
    posts, moments = [], []
    for i in range(targets // 2):
        moments.append(START + timedelta(seconds=rng.randrange(span)))
        posts.append(
            Post(
                workspace=ws,
                title=f"Post {i}",
                body=f"Body {i}",
                persona=personas[i % 5],
                pillar=pillars[i % 3],
                format=formats[i % len(formats)],
                state=PostState.PUBLISHED,
                scheduled_at=moments[-1],
                author=owner,
            )
        )
    Post.objects.bulk_create(posts, batch_size=5000)
    variants = []
    for i, post in enumerate(posts):
        for j in range(2):
            variants.append(Variant(post=post, network=NETWORKS[(i + j) % 6], text=post.body))
    Variant.objects.bulk_create(variants, batch_size=5000)
    rows = []
    for n, variant in enumerate(variants):
        account = rng.choice(by_network[variant.network] or accs)
        published = moments[n // 2]
        rows.append(
            Target(
                workspace=ws,
                post_id=variant.post_id,
                variant=variant,
                account=account,
                state=TargetState.PUBLISHED,
                due_at=published,
                next_attempt_at=published,
                published_at=published,
                idempotency_key=f"{n:032x}",
            )
        )
    Target.objects.bulk_create(rows, batch_size=5000)
    kpis = ["audience", "new_followers", "likes", "comments", "shares", "engagement_rate"]
    for i, kpi in enumerate(kpis * 2):
        objective = Objective.objects.create(
            workspace=ws,
            title=f"Objective {i}",
            lever="visibility",
            kpi=kpi,
            baseline=1 if kpi == "engagement_rate" else 1000,
            target=5 if kpi == "engagement_rate" else 100_000,
            deadline=date(2027, 6, 30),
            networks=[NETWORKS[i % 6]] if i >= 6 else [],
            created_at=START + timedelta(days=30 * i),
        )
        if i % 3 == 0:
            objective.personas.add(personas[i % 5])
    template = ReportTemplate.objects.create(workspace=ws, name="Monthly", sections=list(SECTIONS))
    return ws, template


def sample_readings(ws_id: int, limit: int):
    """Readings of the first targets (by id), all of their schedule before NOW, up to `limit`;
    returns (readings, the largest target id used)."""
    from tribune.analytics.rollups import Reading
    from tribune.publishing.models import Target

    readings, last = [], 0
    rows = Target.objects.filter(workspace_id=ws_id).order_by("pk")
    for pk, account_id, published in rows.values_list("pk", "account_id", "published_at"):
        due = [s for s in OFFSETS if published + timedelta(seconds=s) < NOW]
        if len(readings) + len(due) > limit:
            break
        for k, secs in enumerate(due, 1):
            values = values_at(pk, k)
            raw = {"impressions": values["views"], "favourites": values["likes"]}
            taken = published + timedelta(seconds=secs)
            readings.append(Reading(ws_id, account_id, pk, taken, values, raw))
        last = pk
    return readings, last


# -- the production-shaped sample: collection rounds after NOW --------------------------------
ROUND = 600  # tasks.collect runs every 10 minutes
EARLY = 600  # collect.EARLY: a plan due within 10 minutes is read with the round
LEVEL_EVERY = 23.5 * HOUR  # collect.ACCOUNT_EVERY: followers once a day, by an hourly task
LEVEL_MINUTE = 23  # tasks.read_levels runs at minute 23 of each hour


def _round_of(due: float) -> int:
    """The first round (1, 2, ... after NOW) whose run reads a plan due `due` s after NOW."""
    return max(1, -(-int(due - EARLY) // ROUND))


def collection_rounds(ws_id: int, limit: int, per_account: int) -> list:
    """What the worker ingests after NOW, in its own calls, until about `limit` readings.

    Returns [(seconds after NOW, calls)] in time order; `calls` is a list of reading
    lists, one per `rollups.ingest()` call the worker makes: per round, one call per
    account with that account's due targets (collect.collect_account), and per hourly
    levels run, one call per account read (collect.read_account_level). Every reading
    continues its target's or account's history after the fill and the worst-case
    sample: reading k of a target holds k × c(t), account reading n holds
    1000 + 10 × id + 2n (analytics_fill).
    """
    from tribune.networks.models import Account
    from tribune.publishing.models import Target

    targets = list(
        Target.objects.filter(workspace_id=ws_id).values_list("pk", "account_id", "published_at")
    )
    accounts = list(Account.objects.filter(workspace_id=ws_id).values_list("pk", flat=True))
    horizon = 8 * DAY
    while True:
        events = _events(ws_id, targets, sorted(accounts), per_account, horizon, limit)
        taken = sum(len(call) for _, calls in events for call in calls)
        if taken >= limit or horizon > OFFSETS[-1]:
            return events
        horizon *= 2


def _events(ws_id, targets, accounts, per_account, horizon, limit) -> list:
    from tribune.analytics.rollups import Reading

    start = NOW.timestamp()
    due: list[tuple[int, int, int, int]] = []  # (round, account, target, k) within horizon
    for pk, account_id, published in targets:
        after = published.timestamp() - start
        for k in range(bisect_left(OFFSETS, -after) + 1, len(OFFSETS) + 1):
            if after + OFFSETS[k - 1] > horizon:
                break
            due.append((_round_of(after + OFFSETS[k - 1]), account_id, pk, k))
    due.sort()
    rounds: dict[int, dict[int, list]] = {}
    for r, account_id, pk, k in due:
        # Read a few seconds apart, account after account, within the round's minutes.
        moment = datetime.fromtimestamp(start + r * ROUND + account_id % 300, UTC)
        values = values_at(pk, k)
        raw = {"impressions": values["views"], "favourites": values["likes"]}
        reading = Reading(ws_id, account_id, pk, moment, values, raw)
        rounds.setdefault(r, {}).setdefault(account_id, []).append(reading)
    events = [(r * ROUND, list(by_account.values())) for r, by_account in rounds.items()]
    # Followers: the fill read each account last at START + (per_account - 1) × step; the
    # hourly task reads it again at the first minute 23 past LEVEL_EVERY, then each day.
    step = int((NOW - START).total_seconds()) // per_account
    due_level = START.timestamp() + (per_account - 1) * step - start + LEVEL_EVERY
    at = due_level - due_level % HOUR + LEVEL_MINUTE * 60
    at += HOUR if at < due_level else 0
    for n in range(per_account, per_account + int(horizon // DAY) + 1):
        calls = []
        for account_id in accounts:
            level = 1000 + 10 * account_id + 2 * n
            moment = datetime.fromtimestamp(start + at + account_id % 300, UTC)
            reading = Reading(ws_id, account_id, None, moment, {"followers": level},
                              {"followers_count": level})  # fmt: skip
            calls.append([reading])
        events.append((at, calls))
        at += DAY
    events.sort(key=lambda event: event[0])
    kept, taken = [], 0
    for event in events:
        if taken >= limit:
            break
        kept.append(event)
        taken += sum(len(call) for call in event[1])
    return kept
