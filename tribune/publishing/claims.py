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
from functools import lru_cache

from django.conf import settings
from django.db import connection, transaction

from tribune.core import fastsql
from tribune.editorial.models import Post
from tribune.editorial.rules_table import rules_for
from tribune.networks.models import SECRET_FIELDS, Account

from .models import Attempt, Outcome, Target, TargetState
from .rollup import PUBLISHING_STATES, rollup
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
    # The post's state, when the claim already brought it in line (None: not yet).
    post_state: str | None = None


# The tables are Target's and Attempt's (test_claims checks the names still hold).
RUNNING_SQL = (
    "SELECT (SELECT COUNT(*) FROM publishing_target"
    " WHERE account_id = %s AND state = %s AND lease_until > %s)"
)
# People's decisions and reminders are recorded as attempts but send nothing.
USED_SQL = (
    ", (SELECT COUNT(*) FROM publishing_attempt"
    " WHERE account_id = %s AND started_at >= %s AND outcome NOT IN (%s, %s))"
)


def _counts(account_id: int, since: datetime | None, now: datetime) -> tuple[int, int | None]:
    """The account's running publishes, and its requests since `since` (None: not counted).

    Hand-written SQL, one statement: this runs for every claim, and building the same
    counts with the ORM's subqueries cost more CPU than the rest of the claim (py-spy
    on a bench/publishing.py worker). Dates are adapted as the ORM adapts them."""
    adapt = connection.ops.adapt_datetimefield_value
    sql = RUNNING_SQL
    params: list = [account_id, TargetState.PUBLISHING.value, adapt(now)]
    if since is not None:
        sql += USED_SQL
        params += [account_id, adapt(since), Outcome.DECIDED.value, Outcome.REMINDED.value]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return row[0], (row[1] if since is not None else None)


@lru_cache(maxsize=4)
def account_columns(vendor: str) -> str:
    """An account's columns for a claim's SELECT, its secrets still sealed.

    Secrets are decrypted only when execute() needs them: one that no key opens (a lost
    key) must fail the target there, visibly, not break every claim of the account. So
    their columns come under other names (Account.SEALED), which leaves the fields
    deferred and the ciphertext at hand: no second query to read them."""
    q = connection.ops.quote_name
    fields = Account._meta.concrete_fields
    return ", ".join(
        [q(f.column) for f in fields if f.attname not in SECRET_FIELDS]
        + [f"{q(f.column)} AS {q(Account.SEALED + f.attname)}"
           for f in fields if f.attname in SECRET_FIELDS]
    )  # fmt: skip


@lru_cache(maxsize=4)
def _lock_account_sql(vendor: str) -> str:
    """The account's row, locked, its secrets still sealed (account_columns)."""
    q = connection.ops.quote_name
    columns = account_columns(vendor)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    table, pk = q(Account._meta.db_table), q(Account._meta.pk.column)
    return f"SELECT {columns} FROM {table} WHERE {pk} = %s{lock}"  # noqa: S608


def _locked_account(account_id: int, now: datetime) -> Account | None:
    """Lock the account, then count its running publishes (`running`) and the requests of
    its budget's window (`used`; None when the network sets no budget).

    The counts are a statement of their own, after the lock: on PostgreSQL a statement
    sees the database as it was when the statement began, so counts taken in the
    locking statement would miss the claim that held the lock while it waited (two
    requests of one account at once, seen in bench/publishing.py).
    Raw SQL built once (fastsql's reason): the ORM compiled this on every claim."""
    found = Account.objects.raw(_lock_account_sql(connection.vendor), [account_id])
    account = next(iter(found), None)
    if account is None:
        return None
    pace = rules_for(account.network).pace
    since = now - timedelta(seconds=pace.per_seconds) if pace.requests is not None else None
    account.running, account.used = _counts(account_id, since, now)
    return account


def _may_send(account: Account, now: datetime) -> bool:
    """Not paused after a 429, under its concurrency, within its request budget."""
    if account.paused_until and account.paused_until > now:
        return False
    pace = rules_for(account.network).pace
    if account.running >= pace.account_concurrency:
        return False
    return pace.requests is None or account.used < pace.requests


@lru_cache(maxsize=4)
def _waiting_sql(vendor: str) -> str:
    """The account's targets in line: scheduled, of a post in a publishing state, not
    missed, most overdue first, locked without waiting for rows others hold (PostgreSQL).

    - A post back in draft keeps the targets that already had attempts (their key and
      doubt matter when it is scheduled again): they wait, unclaimed.
    - Never tried and over an hour late: the sweeper fails it as "missed" and tells
      people; a task that ran late (a worker back after hours) must not publish it."""
    q = connection.ops.quote_name
    columns = ", ".join(f"t.{q(f.column)}" for f in Target._meta.concrete_fields)
    states = ", ".join(["%s"] * len(PUBLISHING_STATES))
    lock = ""
    if connection.features.has_select_for_update_skip_locked:
        lock = " FOR UPDATE OF t SKIP LOCKED"
    return (
        f"SELECT {columns} FROM {q(Target._meta.db_table)} t "  # noqa: S608
        f"INNER JOIN {q(Post._meta.db_table)} p ON p.id = t.post_id "
        f"WHERE t.account_id = %s AND t.state = %s AND p.state IN ({states}) "
        "AND NOT (t.attempt_count = 0 AND t.next_attempt_at < %s) "
        f"ORDER BY t.next_attempt_at, t.id LIMIT %s{lock}"
    )


def _first_waiting(account: Account, now: datetime, count: int) -> list[Target]:
    """The account's next targets in line, most overdue first, locked (PostgreSQL)."""
    missed_before = connection.ops.adapt_datetimefield_value(now - MAX_LATENESS)
    states = sorted(s.value for s in PUBLISHING_STATES)
    params = [account.pk, TargetState.SCHEDULED.value, *states, missed_before, count]
    return list(Target.objects.raw(_waiting_sql(connection.vendor), params))


def claim_next(account_id: int, worker: str, now: datetime) -> Claim | None:
    """Claim the account's most overdue target, or None (nothing due, busy, paused, over budget)."""
    with transaction.atomic():
        account = _locked_account(account_id, now)
        # A disconnected account's targets are still claimed: execute() fails them with
        # the account's problem, instead of leaving them "scheduled" for ever.
        if account is None or not _may_send(account, now):
            return None
        # The second in line tells drain() whether to go on: its own task may have found
        # the account busy with this one.
        first_two = _first_waiting(account, now, 2)
        if not first_two or first_two[0].next_attempt_at > now:
            return None
        target = first_two[0]
        until = now + lease()
        taken = fastsql.update(
            Target,
            {"id": target.pk, "state": TargetState.SCHEDULED},
            {"state": TargetState.PUBLISHING, "lease_owner": worker, "lease_until": until,
             "attempt_count": fastsql.Add(1)},
        )  # fmt: skip
        if not taken:
            return None
        # What the UPDATE wrote: the row is ours (locked on PostgreSQL; on SQLite the
        # write transaction excludes every other), so no need to read it back.
        target.state, target.lease_owner, target.lease_until = (
            TargetState.PUBLISHING, worker, until)  # fmt: skip
        target.attempt_count += 1
        target.account = account
        attempt = fastsql.insert(Attempt(
            target=target, account=account, number=target.attempt_count, worker=worker,
            started_at=now))  # fmt: skip
        # The post goes "publishing" in this same transaction when no one holds its row:
        # one transaction less per publication. Never wait for it here: this transaction
        # holds the target, and whoever holds the post (a person moving it back to
        # draft) may be waiting for the target. execute() then does it, waiting.
        post_state = rollup(target.post_id, wait=False)
        if post_state is not None and post_state not in PUBLISHING_STATES:
            transaction.set_rollback(True)  # it left the schedule meanwhile: no claim
            return None
        after = first_two[1].next_attempt_at if len(first_two) > 1 else None
        return Claim(target=target, attempt=attempt, next_due=after, post_state=post_state)


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
