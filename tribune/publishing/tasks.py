"""The worker's side of publishing (Huey).

- `publish_account(account_id)`: publish the account's due targets. Enqueued
  for the due time when a post is scheduled, and after each retry delay.
- `dispatch` (every minute): sweep expired leases and missed targets, then
  start `publish_account` for every account with something due — the safety
  net when a queued task was lost (a Redis flush, a crash before enqueueing).
Claims are atomic, so a task that finds nothing to claim costs one query.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .claims import due_accounts
from .engine import drain
from .sweeper import sweep_expired_leases, sweep_missed


@db_task()
def publish_account(account_id: int) -> int:
    return drain(account_id)


def enqueue(account_id: int, when: datetime) -> None:
    """Queue publish_account for `when`, once the current transaction commits."""

    def send() -> None:
        if when <= timezone.now():
            publish_account(account_id)
        else:
            publish_account.schedule(args=(account_id,), eta=when)

    transaction.on_commit(send)


@db_periodic_task(crontab(minute="*"))
def dispatch() -> int:
    now = timezone.now()
    sweep_expired_leases(now)
    sweep_missed(now)
    accounts = due_accounts(now)
    for account_id in accounts:
        publish_account(account_id)
    return len(accounts)
