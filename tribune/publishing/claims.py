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
from django.db.models import F

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


def _budget_left(account: Account, now: datetime) -> bool:
    pace = rules_for(account.network).pace
    if pace.requests is None:
        return True
    since = now - timedelta(seconds=pace.per_seconds)
    # People's decisions and reminders are recorded as attempts but send nothing.
    used = (
        Attempt.objects.filter(account=account, started_at__gte=since)
        .exclude(outcome__in=(Outcome.DECIDED, Outcome.REMINDED))
        .count()
    )
    return used < pace.requests


def _busy(account: Account, now: datetime) -> bool:
    pace = rules_for(account.network).pace
    running = Target.objects.filter(
        account=account, state=TargetState.PUBLISHING, lease_until__gt=now
    ).count()
    return running >= pace.account_concurrency


def claim_next(account_id: int, worker: str, now: datetime) -> Claim | None:
    """Claim the account's most overdue target, or None (nothing due, busy, paused, over budget)."""
    with transaction.atomic():
        # Secrets stay unread until execute() needs them: one that no key opens (a lost
        # key) must fail the target there, visibly, not break every claim of the account.
        account = (
            Account.objects.select_for_update().defer(*SECRET_FIELDS).filter(pk=account_id).first()
        )
        # A disconnected account's targets are still claimed: execute() fails them with
        # the account's problem, instead of leaving them "scheduled" for ever.
        if account is None:
            return None
        if account.paused_until and account.paused_until > now:
            return None
        if _busy(account, now) or not _budget_left(account, now):
            return None
        due = (
            Target.objects.filter(
                account=account,
                state=TargetState.SCHEDULED,
                next_attempt_at__lte=now,
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
            due = due.select_for_update(skip_locked=True, of=("self",))
        target = due.first()
        if target is None:
            return None
        taken = Target.objects.filter(pk=target.pk, state=TargetState.SCHEDULED).update(
            state=TargetState.PUBLISHING,
            lease_owner=worker,
            lease_until=now + lease(),
            attempt_count=F("attempt_count") + 1,
        )
        if not taken:
            return None
        target.refresh_from_db()
        target.account = account
        attempt = Attempt.objects.create(
            target=target,
            account=account,
            number=target.attempt_count,
            worker=worker,
            started_at=now,
        )
        return Claim(target=target, attempt=attempt)


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
