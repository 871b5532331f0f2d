"""Claiming due targets: atomically, with a lease, so no two workers ever take the same one.

Claims go account by account. The account's row is locked for the claim
(SELECT ... FOR UPDATE on PostgreSQL; on SQLite every write transaction is
IMMEDIATE, so claims are serialised outright), which makes the account's
concurrency and request budget exact across any number of workers. The
target itself moves scheduled → publishing with a conditional UPDATE that
names its current state: if another claim got there first, it updates no row.
"""

from __future__ import annotations

import os
import socket
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from tribune.editorial.rules_table import rules_for
from tribune.networks.models import SECRET_FIELDS, Account

from .models import Attempt, Outcome, Target, TargetState
from .rollup import PUBLISHING_STATES
from .sweeper import MAX_LATENESS


def lease() -> timedelta:
    """Longer than any single publish can take (connector timeouts are 30 s per request; a
    video upload makes several). Past it, the sweeper presumes the worker died and resolves
    the target the safe way. TRIBUNE_PUBLISH_LEASE_SECONDS, 10 minutes by default."""
    return timedelta(seconds=settings.PUBLISH_LEASE_SECONDS)


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident() % 100000}"


@dataclass
class Claim:
    target: Target
    attempt: Attempt
    # When the account's next waiting target is due (None: nothing waits).
    next_due: datetime | None = None


def _count(queryset) -> Coalesce:
    """A COUNT(*) of `queryset` as a subquery, so that several counts take one query."""
    counted = queryset.order_by().values("account_id").annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _locked_account(account_id: int, now: datetime) -> Account | None:
    """Lock the account, then count its running publishes (`running`) and the requests of
    its budget's window (`used`; None when the network sets no budget).

    The counts are a statement of their own, after the lock: on PostgreSQL a statement
    sees the database as it was when the statement began, so counts taken in the
    locking statement would miss the claim that held the lock while it waited (two
    requests of one account at once, seen in bench/publishing.py)."""
    # Secrets stay unread until execute() needs them: one that no key opens (a lost
    # key) must fail the target there, visibly, not break every claim of the account.
    account = (
        Account.objects.select_for_update().defer(*SECRET_FIELDS).filter(pk=account_id).first()
    )
    if account is None:
        return None
    pace = rules_for(account.network).pace
    counts = {
        "running": _count(
            Target.objects.filter(
                account_id=OuterRef("pk"), state=TargetState.PUBLISHING, lease_until__gt=now
            )
        )
    }
    if pace.requests is not None:
        since = now - timedelta(seconds=pace.per_seconds)
        # People's decisions and reminders are recorded as attempts but send nothing.
        counts["used"] = _count(
            Attempt.objects.filter(account_id=OuterRef("pk"), started_at__gte=since).exclude(
                outcome__in=(Outcome.DECIDED, Outcome.REMINDED)
            )
        )
    found = Account.objects.filter(pk=account_id).order_by().annotate(**counts)
    values = found.values(*counts).first() or {}
    account.running = values.get("running", 0)
    account.used = values.get("used")
    return account


def _may_send(account: Account, now: datetime) -> bool:
    """Not paused after a 429, under its concurrency, within its request budget."""
    if account.paused_until and account.paused_until > now:
        return False
    pace = rules_for(account.network).pace
    if account.running >= pace.account_concurrency:
        return False
    return pace.requests is None or account.used < pace.requests


def claim_next(account_id: int, worker: str, now: datetime) -> Claim | None:
    """Claim the account's most overdue target, or None (nothing due, busy, paused, over budget)."""
    with transaction.atomic():
        account = _locked_account(account_id, now)
        # A disconnected account's targets are still claimed: execute() fails them with
        # the account's problem, instead of leaving them "scheduled" for ever.
        if account is None or not _may_send(account, now):
            return None
        waiting = (
            Target.objects.filter(
                account=account,
                state=TargetState.SCHEDULED,
                # A post back in draft keeps the targets that already had attempts (their
                # key and doubt matter when it is scheduled again): they wait, unclaimed.
                post__state__in=PUBLISHING_STATES,
            )
            # Never tried and over an hour late: the sweeper fails it as "missed" and tells
            # people; a task that ran late (a worker back after hours) must not publish it.
            .exclude(attempt_count=0, next_attempt_at__lt=now - MAX_LATENESS)
            .order_by("next_attempt_at", "pk")
        )
        if connection.features.has_select_for_update_skip_locked:
            waiting = waiting.select_for_update(skip_locked=True, of=("self",))
        # The second in line tells drain() whether to go on: its own task may have found
        # the account busy with this one.
        first_two = list(waiting[:2])
        if not first_two or first_two[0].next_attempt_at > now:
            return None
        target = first_two[0]
        until = now + lease()
        taken = Target.objects.filter(pk=target.pk, state=TargetState.SCHEDULED).update(
            state=TargetState.PUBLISHING,
            lease_owner=worker,
            lease_until=until,
            attempt_count=F("attempt_count") + 1,
        )
        if not taken:
            return None
        # What the UPDATE wrote: the row is ours (locked on PostgreSQL; on SQLite the
        # write transaction excludes every other), so no need to read it back.
        target.state, target.lease_owner, target.lease_until = (
            TargetState.PUBLISHING, worker, until)  # fmt: skip
        target.attempt_count += 1
        target.account = account
        attempt = Attempt.objects.create(
            target=target,
            account=account,
            number=target.attempt_count,
            worker=worker,
            started_at=now,
        )
        after = first_two[1].next_attempt_at if len(first_two) > 1 else None
        return Claim(target=target, attempt=attempt, next_due=after)


def due_accounts(now: datetime, limit: int = 5000) -> list[int]:
    """Accounts with at least one target due now, most overdue first."""
    rows = (
        Target.objects.filter(
            state=TargetState.SCHEDULED,
            next_attempt_at__lte=now,
            post__state__in=PUBLISHING_STATES,
        )
        .order_by("next_attempt_at")
        .values_list("account_id", flat=True)[: limit * 4]
    )
    seen: dict[int, None] = {}
    for account_id in rows:
        seen.setdefault(account_id, None)
        if len(seen) >= limit:
            break
    return list(seen)
