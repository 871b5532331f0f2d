"""The worker's side of publishing (Huey).

- `publish_due()`: run this process's publishing loop (runner.py), which claims
  and sends whatever is due, across accounts. Queued for each due time when a
  post is scheduled, and after each retry delay; due times close together share
  one task (DUE_SLOT).
- `publish_account(account_id)`: publish one account's due targets, one after
  another (kept for tasks queued before the loop existed, and for tests).
- `dispatch` (every minute): sweep expired leases and missed targets, then
  start the loop if anything is due: the safety net when a queued task was lost
  (a Redis flush, a crash before enqueueing).
"""

from __future__ import annotations

import math
import threading
from datetime import UTC, datetime

from django.db import transaction
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from . import runner
from .claims import due_accounts
from .engine import drain
from .sweeper import sweep_expired_leases, sweep_missed

# Due times within the same quarter of a second share one task: 10,000 targets in a
# minute need 240 tasks, not 10,000.
DUE_SLOT = 0.25
# The task starts this long before the quarter's end. Huey's scheduler looks once a
# second, and an idle thread of the SQLite queue looks for queued tasks every half second
# (core.config), so a task queued for the due time started up to 1.5 s after it; started
# before, the loop waits for the due time (runner.LOOKAHEAD) and claims on the dot.
# It never claims a target before its time.
HEAD_START = 1.5


@HUEY.on_startup()
def warm_publishing() -> None:
    """Each worker process gets its publishing threads ready when it starts (runner.warm)."""
    runner.warm()


@HUEY.on_shutdown()
def stop_publishing() -> None:
    runner.stop()


@db_task()
def publish_due() -> int:
    return runner.publish_due(inline=HUEY.immediate)


@db_task()
def publish_account(account_id: int) -> int:
    return drain(account_id)


class _Slots:
    """The due slots this process has queued a task for, so it queues each one once.

    Per Huey storage: tests swap in a fresh in-memory storage, which holds no task."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.storage = None
        self.queued: set[float] = set()

    def first_time(self, slot: float) -> bool:
        with self.lock:
            if self.storage is not HUEY.storage:
                self.storage, self.queued = HUEY.storage, set()
            if slot in self.queued:
                return False
            # Slots in the past have run (or will: they are queued); forget them.
            horizon = timezone.now().timestamp() - 60
            self.queued = {s for s in self.queued if s > horizon}
            self.queued.add(slot)
            return True


_slots = _Slots()


def enqueue(account_id: int, when: datetime) -> None:
    """Queue the publishing loop for `when` (HEAD_START ahead), once the current
    transaction commits.

    `account_id` names whose target is due; the loop claims every due target anyway."""

    def send() -> None:
        slot = math.ceil(when.timestamp() / DUE_SLOT) * DUE_SLOT
        start = slot - HEAD_START
        if start <= timezone.now().timestamp():
            publish_due()
        elif _slots.first_time(slot):
            publish_due.schedule(eta=datetime.fromtimestamp(start, UTC))

    transaction.on_commit(send)


@db_periodic_task(crontab(minute="*"))
def dispatch() -> int:
    now = timezone.now()
    sweep_expired_leases(now)
    sweep_missed(now)
    accounts = due_accounts(now)
    if accounts:
        publish_due()
    return len(accounts)
