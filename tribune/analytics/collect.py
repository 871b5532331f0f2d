"""Collecting the numbers: when each published target is read, and reading it.

- A plan per published target (CollectionPlan), made by a sweep
  (`plan_published`) rather than by publishing itself: publishing never
  depends on analytics. The sweep runs before each collection.
- The schedule tightens after publication (SCHEDULE): 1 h, 6 h, 24 h, 3 days,
  7 days, then every week until WEEKS weeks; then the plan is done. A plan
  read late (a worker down for a day) skips the steps already past.
- Reading goes account by account: one fetch_metrics call with every due
  target of the account (plans due within EARLY are read with them, so an
  account is not called again a few minutes later). Claimed plans are pushed
  LEASE ahead first, so a parallel run skips them.
- Budget: the network's Pace for one account (tribune/editorial/rules_table.py)
  is shared with publishing. Collection takes at most half of it, and never
  what publishing has already used of the whole (see `allowance`).
- Outcomes: a reading moves the plan to its next step. NotSupported (or a
  network without the METRICS capability, an account that publishes by
  reminder, a post marked published by hand without a network id) closes the
  plan after one empty reading (so the publication is counted and grouped),
  unless Tribune's own short-link clicks are there to read. A target the
  network leaves out of its answer (deleted), a refused token (AuthExpired:
  the account's state is publishing's to show, nothing else is marked here),
  a rate limit or any other error count a failure and wait (BACKOFF, doubling,
  at most BACKOFF_MAX; a rate limit's own delay when longer); after
  MAX_FAILURES the plan is closed.
- Tribune's short-link clicks: ShortLink.clicks summed per variant are added
  to the `clicks` of the reading of the variant's FIRST published target
  (a short link cannot tell which of a variant's accounts a click came from,
  so counting it on every one would count it several times). The network's
  own clicks, where it gives any, are added to them; raw keeps both apart.
- Account levels (followers) are read once a day per account, by their own
  hourly task (`due_account_levels`, `read_account_level`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from math import ceil

from django.db import connection, transaction
from django.db.models import Min, Sum
from django.utils.translation import gettext as _

from tribune.editorial.models import ShortLink
from tribune.editorial.rules_table import rules_for
from tribune.networks.base import Capability, Connector, MetricSnapshot, RemoteRef
from tribune.networks.bluesky.connector import GET_POSTS_MAX
from tribune.networks.clients import connector_for, publishes_by_api
from tribune.networks.errors import ConnectorError, NotSupported, RateLimited
from tribune.networks.models import SECRET_FIELDS, Account, AccountMode, AccountStatus
from tribune.networks.registry import CONNECTORS, connector_class
from tribune.publishing.models import Attempt, Outcome, Target, TargetState

from .models import AccountLatest, CollectionPlan
from .rollups import Reading, ingest

log = logging.getLogger(__name__)

WEEKS = 12
SCHEDULE = (
    timedelta(hours=1),
    timedelta(hours=6),
    timedelta(hours=24),
    timedelta(days=3),
    timedelta(days=7),
    *(timedelta(weeks=n) for n in range(2, WEEKS + 1)),
)
DONE = len(SCHEDULE)  # the step of a closed plan
EARLY = timedelta(minutes=10)
LEASE = timedelta(minutes=15)
BACKOFF = timedelta(minutes=15)
BACKOFF_MAX = timedelta(days=1)
MAX_FAILURES = 20
# Targets read per run for a network that documents no budget.
UNBUDGETED_MAX = 200
# Targets one request reads (Bluesky's getPosts takes 25 at once; Mastodon one a request).
REFS_PER_REQUEST = {"bluesky": GET_POSTS_MAX}
ACCOUNT_EVERY = timedelta(hours=23, minutes=30)
SHORT_LINK_CLICKS = "tribune_short_link_clicks"


def step_after(published_at: datetime, moment: datetime) -> int:
    """The first step of the schedule still ahead at `moment`; DONE when none is."""
    for step, offset in enumerate(SCHEDULE):
        if published_at + offset > moment:
            return step
    return DONE


def plan_published(now: datetime, limit: int = 5000) -> int:
    """Create the plans of published targets that have none; return how many were made."""
    rows = (
        Target.objects.filter(state=TargetState.PUBLISHED, collection__isnull=True)
        .order_by("pk")
        .values_list("pk", "workspace_id", "published_at")[:limit]
    )
    plans = [
        CollectionPlan(target_id=pk, workspace_id=ws, next_at=(published or now) + SCHEDULE[0])
        for pk, ws, published in rows
    ]
    # A parallel sweep may make the same plan: the second one is ignored.
    CollectionPlan.objects.bulk_create(plans, ignore_conflicts=True)
    return len(plans)


def due_accounts(now: datetime) -> list[int]:
    """Usable accounts with at least one plan due (or due within EARLY)."""
    return list(
        CollectionPlan.objects.filter(next_at__lte=now + EARLY, step__lt=DONE)
        .filter(target__account__status=AccountStatus.ACTIVE)
        .exclude(target__account__paused_until__gt=now)
        .values_list("target__account_id", flat=True)
        .distinct()
        .order_by("target__account_id")
    )


def allowance(account: Account, now: datetime) -> int:
    """How many targets collection may read for `account` now.

    Estimated in requests over the network's Pace window: collection's own
    (plans tried in the window, a request per REFS_PER_REQUEST targets, plus
    the account's level read in it) must stay under half the budget, and with
    publishing's attempts under the whole of it.
    """
    pace = rules_for(account.network).pace
    if pace.requests is None:
        return UNBUDGETED_MAX
    since = now - timedelta(seconds=pace.per_seconds)
    per_request = REFS_PER_REQUEST.get(account.network, 1)
    published = (
        Attempt.objects.filter(account=account, started_at__gte=since)
        .exclude(outcome__in=(Outcome.DECIDED, Outcome.REMINDED))
        .count()
    )
    tried = CollectionPlan.objects.filter(target__account=account, last_at__gte=since).count()
    levels = AccountLatest.objects.filter(account=account, taken_at__gte=since).count()
    collected = ceil(tried / per_request) + levels
    left = min(pace.requests // 2 - collected, pace.requests - published - collected)
    return max(0, left) * per_request


@dataclass
class _Due:
    plan: CollectionPlan
    target: Target
    snapshot: MetricSnapshot | None = None
    problem: str = ""
    unsupported: bool = False
    retry_after: float = 0.0


def collect_account(account_id: int, now: datetime) -> int:
    """Read the account's due targets, ingest what came back, move the plans.

    Returns the number of readings stored.
    """
    account = Account.objects.defer(*SECRET_FIELDS).filter(pk=account_id).first()
    if account is None or account.status != AccountStatus.ACTIVE:
        return 0
    if account.paused_until and account.paused_until > now:
        return 0
    reads_network = _reads_network(account)
    limit = allowance(account, now) if reads_network else UNBUDGETED_MAX
    if limit <= 0:
        return 0
    due = _claim(account, now, limit)
    if not due:
        return 0
    if reads_network:
        _fetch(account, due)
    else:
        for item in due:
            item.unsupported = True
    clicks = short_link_clicks([item.target for item in due])
    readings = []
    for item in due:
        reading = _reading(item, clicks.get(item.target.pk), now)
        if reading is not None:
            readings.append(reading)
    with transaction.atomic():
        stored = ingest(readings)
        _move(due, {r.target_id for r in readings}, clicks, now)
    return stored


def _reads_network(account: Account) -> bool:
    if not publishes_by_api(account):
        return False
    return Capability.METRICS in connector_class(account.network).capabilities


def _claim(account: Account, now: datetime, limit: int) -> list[_Due]:
    with transaction.atomic():
        plans = CollectionPlan.objects.filter(
            target__account=account, next_at__lte=now + EARLY, step__lt=DONE
        ).order_by("next_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            plans = plans.select_for_update(skip_locked=True, of=("self",))
        plans = list(plans.select_related("target")[:limit])
        CollectionPlan.objects.filter(pk__in=[p.pk for p in plans]).update(next_at=now + LEASE)
    return [_Due(plan=p, target=p.target) for p in plans]


def _fetch(account: Account, due: list[_Due]) -> None:
    """Ask the network for every due target that has an id there; note each one's outcome."""
    asked = [item for item in due if item.target.remote_id]
    for item in due:
        if not item.target.remote_id:  # marked published by hand: nothing to ask for
            item.unsupported = True
    if not asked:
        return
    refs = [
        RemoteRef(item.target.remote_id, item.target.url, item.target.remote_extra or {})
        for item in asked
    ]
    connector: Connector | None = None
    try:
        connector = connector_for(account)
        snapshots = connector.fetch_metrics(refs)
    except NotSupported:
        for item in asked:
            item.unsupported = True
        return
    except ConnectorError as failure:
        wait = failure.retry_after if isinstance(failure, RateLimited) else 0.0
        for item in asked:
            item.problem, item.retry_after = failure.message[:2000], wait
        return
    except Exception as failure:  # noqa: BLE001 - an unreadable secret, a bug: noted, not fatal
        log.exception("collecting account %s failed", account.pk)
        for item in asked:
            item.problem = type(failure).__name__
        return
    finally:
        if connector is not None:
            connector.http.close()
    by_id = {snapshot.ref.remote_id: snapshot for snapshot in snapshots}
    for item in asked:
        item.snapshot = by_id.get(item.target.remote_id)
        if item.snapshot is None:
            item.problem = _("The network did not give this post's numbers (deleted?).")


def short_link_clicks(targets: list[Target]) -> dict[int, int]:
    """Tribune's short-link clicks by target id: a variant's clicks on its first published
    target only (two queries)."""
    variant_ids = {t.variant_id for t in targets}
    per_variant = dict(
        ShortLink.objects.filter(variant_id__in=variant_ids)
        .values("variant_id")
        .annotate(clicks=Sum("clicks"))
        .values_list("variant_id", "clicks")
    )
    if not per_variant:
        return {}
    first = (
        Target.objects.filter(variant_id__in=per_variant, state=TargetState.PUBLISHED)
        .values("variant_id")
        .annotate(first=Min("pk"))
        .values_list("variant_id", "first")
    )
    return {target_id: int(per_variant[variant_id] or 0) for variant_id, target_id in first}


def _reading(item: _Due, tribune_clicks: int | None, now: datetime) -> Reading | None:
    """The target's reading; None after a failure. Where the network gives nothing, the
    reading holds Tribune's clicks, or nothing at all: the publication is still counted
    and grouped (posts per day, the best-time heatmap) like any other."""
    if item.snapshot is None and not item.unsupported:
        return None
    values: dict[str, int | None] = dict(item.snapshot.values) if item.snapshot else {}
    raw: dict = dict(item.snapshot.raw) if item.snapshot else {}
    if tribune_clicks is not None:
        values["clicks"] = (values.get("clicks") or 0) + tribune_clicks
        raw[SHORT_LINK_CLICKS] = tribune_clicks
    target = item.target
    return Reading(
        workspace_id=target.workspace_id,
        account_id=target.account_id,
        target_id=target.pk,
        # The network's time of the reading; Tribune's own clicks alone are read now.
        taken_at=item.snapshot.taken_at if item.snapshot else now,
        values=values,
        raw=raw,
    )


def _move(due: list[_Due], read: set[int], clicks: dict[int, int], now: datetime) -> None:
    """Each plan's next step, or a failure and a wait, or its end (one bulk update)."""
    plans = []
    for item in due:
        plan, target = item.plan, item.target
        plan.last_at = now
        published = target.published_at or now
        if item.unsupported and target.pk not in clicks:
            plan.step, plan.next_at = DONE, now
            plan.last_problem = _("This network gives no numbers Tribune can read.")
        elif target.pk in read:
            plan.failures, plan.last_problem = 0, ""
            plan.step = step_after(published, now + EARLY)
            plan.next_at = published + SCHEDULE[plan.step] if plan.step < DONE else now
        else:
            plan.failures += 1
            plan.last_problem = item.problem
            if plan.failures >= MAX_FAILURES:
                plan.step = DONE
            wait = min(BACKOFF * 2 ** (plan.failures - 1), BACKOFF_MAX)
            plan.next_at = now + max(wait, timedelta(seconds=item.retry_after))
        plans.append(plan)
    CollectionPlan.objects.bulk_update(
        plans, ["step", "next_at", "last_at", "failures", "last_problem"]
    )


# -- account levels (followers), once a day -------------------------------------------------


def level_networks() -> list[str]:
    """Networks whose connector reads an account's followers."""
    return [
        key
        for key in CONNECTORS
        if connector_class(key).fetch_account_metrics is not Connector.fetch_account_metrics
    ]


def due_account_levels(now: datetime) -> list[int]:
    """Usable API accounts whose followers were not read in the last day."""
    return list(
        Account.objects.filter(
            network__in=level_networks(), status=AccountStatus.ACTIVE, mode=AccountMode.API
        )
        .exclude(paused_until__gt=now)
        .exclude(latest_reading__taken_at__gte=now - ACCOUNT_EVERY)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def read_account_level(account_id: int, now: datetime) -> int:
    """Read one account's followers and ingest them; return the readings stored (0 or 1).

    A failure is logged and tried again at the next hourly run.
    """
    account = Account.objects.filter(pk=account_id, status=AccountStatus.ACTIVE).first()
    if account is None or allowance(account, now) <= 0:
        return 0
    connector = connector_for(account)
    try:
        snapshot = connector.fetch_account_metrics()
    except ConnectorError as failure:
        log.warning("reading account %s followers: %s", account.pk, failure.message)
        return 0
    finally:
        connector.http.close()
    reading = Reading(
        workspace_id=account.workspace_id,
        account_id=account.pk,
        target_id=None,
        taken_at=snapshot.taken_at,
        values=dict(snapshot.values),
        raw=dict(snapshot.raw),
    )
    return ingest([reading])
