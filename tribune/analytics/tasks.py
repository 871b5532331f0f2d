"""The worker's side of analytics (Huey). Tasks take ids and call collect.py / rollups.py.

- `collect` (every 10 minutes): make the plans of newly published targets, then
  start `collect_account` for every account with plans due.
- `read_levels` (every hour): start `read_account_level` for every account whose
  followers were not read in the last day.
- `prune_snapshots` (every night): delete raw snapshots past each workspace's
  retention; rollups and totals stay.
"""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import collect as collection
from .rollups import prune


@db_task()
def collect_account(account_id: int) -> int:
    return collection.collect_account(account_id, timezone.now())


@db_task()
def read_account_level(account_id: int) -> int:
    return collection.read_account_level(account_id, timezone.now())


@db_periodic_task(crontab(minute="*/10"))
def collect() -> int:
    now = timezone.now()
    collection.plan_published(now)
    accounts = collection.due_accounts(now)
    for account_id in accounts:
        collect_account(account_id)
    return len(accounts)


@db_periodic_task(crontab(minute="23"))
def read_levels() -> int:
    accounts = collection.due_account_levels(timezone.now())
    for account_id in accounts:
        read_account_level(account_id)
    return len(accounts)


@db_periodic_task(crontab(hour="3", minute="41"))
def prune_snapshots() -> int:
    return prune(timezone.now())


# Reports: their tasks live in tasks_reports.py; importing it registers them with the worker.
from . import tasks_reports  # noqa: E402, F401
