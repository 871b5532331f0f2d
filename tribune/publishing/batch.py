"""Claiming many due targets at once, across accounts: what a busy worker does.

claim_next() claims one target of one account in about seven statements; at
thousands of targets a minute those statements were most of the workers' and
the database's CPU (bench/publishing.py). claim_batch() gives the same
guarantees for a whole batch in about eight statements:

- the accounts' rows are locked (PostgreSQL: FOR UPDATE SKIP LOCKED, so two
  workers claim for different accounts instead of waiting on each other;
  SQLite: the IMMEDIATE write transaction excludes every other), then their
  running publishes and used request budgets are counted, after the lock, as
  claim_next() counts them;
- each account gets at most what its concurrency and budget leave free;
- the targets move scheduled → publishing in one UPDATE that names their state,
  with one attempt row each;
- their posts become "publishing" in the same transaction, unless someone holds
  a post's row: never waited for, execute() then does it (claims.py says why).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from functools import lru_cache

from django.db import connection, transaction
from django.utils import timezone

from tribune.core import fastsql
from tribune.editorial.choices import PostState
from tribune.editorial.models import Transition
from tribune.editorial.rules_table import rules_for
from tribune.networks.models import Account

from .claims import Claim, account_columns, lease
from .models import Attempt, Outcome, Target, TargetState
from .rollup import PUBLISHING_STATES
from .sweeper import MAX_LATENESS


def _skip_locked() -> str:
    skips = connection.features.has_select_for_update_skip_locked
    return " FOR UPDATE SKIP LOCKED" if skips else ""


def _adapt(moment: datetime):
    return connection.ops.adapt_datetimefield_value(moment)


def _scheduled_of_live_posts() -> tuple[str, list]:
    """The condition every query here shares: a scheduled target (t) of a post (p) in a
    publishing state; a post back in draft keeps its targets, unclaimed."""
    states = sorted(s.value for s in PUBLISHING_STATES)
    marks = ", ".join(["%s"] * len(states))
    return f"t.state = %s AND p.state IN ({marks})", [TargetState.SCHEDULED.value, *states]


def _due_accounts(now: datetime, count: int) -> list[int]:
    """Accounts not paused with a target due now, most overdue first (before any lock: the
    claim checks each again once the account is locked)."""
    live, params = _scheduled_of_live_posts()
    sql = (
        "SELECT t.account_id FROM publishing_target t "  # noqa: S608
        "INNER JOIN editorial_post p ON p.id = t.post_id "
        "INNER JOIN networks_account a ON a.id = t.account_id "
        f"WHERE {live} AND t.next_attempt_at <= %s "
        "AND NOT (t.attempt_count = 0 AND t.next_attempt_at < %s) "
        "AND (a.paused_until IS NULL OR a.paused_until <= %s) "
        "GROUP BY t.account_id ORDER BY MIN(t.next_attempt_at) LIMIT %s"
    )
    params += [_adapt(now), _adapt(now - MAX_LATENESS), _adapt(now), count]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def next_due_after(now: datetime) -> datetime | None:
    """When the next target falls due, strictly after `now` (None: nothing scheduled)."""
    live, params = _scheduled_of_live_posts()
    # Through raw(): the model's field turns the stored value into an aware datetime.
    sql = (
        "SELECT t.id, t.next_attempt_at FROM publishing_target t "  # noqa: S608
        "INNER JOIN editorial_post p ON p.id = t.post_id "
        f"WHERE {live} AND t.next_attempt_at > %s ORDER BY t.next_attempt_at LIMIT 1"
    )
    found = Target.objects.raw(sql, [*params, _adapt(now)])
    first = next(iter(found), None)
    return first.next_attempt_at if first else None


def _lock_accounts(ids: list[int]) -> list[Account]:
    where, params = fastsql.among("id", ids)
    sql = f"SELECT {account_columns(connection.vendor)} FROM networks_account WHERE {where}"  # noqa: S608
    return list(Account.objects.raw(sql + _skip_locked(), params))


def _count(sql: str, params: list) -> dict[int, int]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())


def _free_slots(accounts: list[Account], now: datetime) -> dict[int, int]:
    """How many publishes each locked account may start now: its concurrency less what
    runs, within its request budget; accounts paused after a 429 get none."""
    ids = [a.pk for a in accounts]
    where, params = fastsql.among("account_id", ids)
    running = _count(
        f"SELECT account_id, COUNT(*) FROM publishing_target WHERE {where} "  # noqa: S608
        "AND state = %s AND lease_until > %s GROUP BY account_id",
        [*params, TargetState.PUBLISHING.value, _adapt(now)],
    )
    # One count per budget window in use (usually one: the networks share few windows).
    windows: dict[int, list[int]] = defaultdict(list)
    for account in accounts:
        pace = rules_for(account.network).pace
        if pace.requests is not None:
            windows[pace.per_seconds].append(account.pk)
    used: dict[int, int] = {}
    for seconds, members in windows.items():
        where, params = fastsql.among("account_id", members)
        # People's decisions and reminders are recorded as attempts but send nothing.
        used |= _count(
            f"SELECT account_id, COUNT(*) FROM publishing_attempt WHERE {where} "  # noqa: S608
            "AND started_at >= %s AND outcome NOT IN (%s, %s) GROUP BY account_id",
            [*params, _adapt(now - timedelta(seconds=seconds)), Outcome.DECIDED.value,
             Outcome.REMINDED.value],
        )  # fmt: skip
    slots = {}
    for account in accounts:
        if account.paused_until and account.paused_until > now:
            continue
        pace = rules_for(account.network).pace
        free = pace.account_concurrency - running.get(account.pk, 0)
        if pace.requests is not None:
            free = min(free, pace.requests - used.get(account.pk, 0))
        if free > 0:
            slots[account.pk] = free
    return slots


@lru_cache(maxsize=4)
def _target_columns(vendor: str) -> tuple[str, str]:
    q = connection.ops.quote_name
    names = [q(f.column) for f in Target._meta.concrete_fields]
    return ", ".join(f"t.{n}" for n in names), ", ".join(f"w.{n}" for n in names)


def _waiting(slots: dict[int, int], now: datetime) -> list[Target]:
    """Each account's first due targets in line (as many as its free slots, at most),
    most overdue first; the same line as claims._waiting_sql."""
    inner, outer = _target_columns(connection.vendor)
    where, params = fastsql.among("t.account_id", list(slots))
    live, live_params = _scheduled_of_live_posts()
    sql = (
        f"SELECT {outer} FROM (SELECT {inner}, ROW_NUMBER() OVER ("  # noqa: S608
        "PARTITION BY t.account_id ORDER BY t.next_attempt_at, t.id) AS place "
        "FROM publishing_target t INNER JOIN editorial_post p ON p.id = t.post_id "
        f"WHERE {where} AND {live} AND t.next_attempt_at <= %s "
        "AND NOT (t.attempt_count = 0 AND t.next_attempt_at < %s)) w "
        "WHERE w.place <= %s ORDER BY w.next_attempt_at, w.id"
    )
    params += [*live_params, _adapt(now), _adapt(now - MAX_LATENESS), max(slots.values())]
    taken: dict[int, int] = defaultdict(int)
    line = []
    for target in Target.objects.raw(sql, params):
        if taken[target.account_id] < slots[target.account_id]:
            taken[target.account_id] += 1
            line.append(target)
    return line


def _lock_rows(table: str, ids: list[int], columns: str, extra: str = "", extra_params=()):
    """Rows of `table` among `ids` that nobody else holds, locked (PostgreSQL); on SQLite
    the write transaction already holds everything."""
    where, params = fastsql.among("id", ids)
    sql = f"SELECT {columns} FROM {table} WHERE {where}{extra}{_skip_locked()}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *extra_params])
        return cursor.fetchall()


def _posts_to_publishing(post_states: dict[int, str]) -> dict[int, str]:
    """Bring the claimed targets' posts to "publishing" (what rollup() would derive with a
    target publishing), with their transitions; return each post's state now."""
    moving = {pk: state for pk, state in post_states.items() if state != PostState.PUBLISHING}
    if moving:
        Transition.objects.bulk_create(
            [Transition(post_id=pk, from_state=state, to_state=PostState.PUBLISHING, reason="")
             for pk, state in moving.items()]
        )  # fmt: skip
        where, params = fastsql.among("id", list(moving))
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE editorial_post SET state = %s, updated_at = %s WHERE {where}",  # noqa: S608
                [PostState.PUBLISHING.value, _adapt(timezone.now()), *params],
            )
    return {pk: PostState.PUBLISHING for pk in post_states}


def claim_batch(worker: str, now: datetime, limit: int) -> list[Claim]:
    """Claim up to `limit` due targets across accounts, most overdue first; [] when none."""
    with transaction.atomic():
        # More accounts than needed: some are busy, held by another claim or over budget.
        candidates = _due_accounts(now, 2 * limit)
        if not candidates:
            return []
        accounts = {a.pk: a for a in _lock_accounts(candidates)}
        if not accounts:
            return []
        slots = _free_slots(list(accounts.values()), now)
        if not slots:
            return []
        line = _waiting(slots, now)[:limit]
        if not line:
            return []
        # Rows a person holds (moving a post back to draft) are left for the next claim.
        free = {row[0] for row in _lock_rows(
            "publishing_target", [t.pk for t in line], "id", " AND state = %s",
            [TargetState.SCHEDULED.value])}  # fmt: skip
        posts = dict(_lock_rows("editorial_post", sorted({t.post_id for t in line}), "id, state"))
        # A post that left the schedule meanwhile keeps its targets unclaimed.
        line = [t for t in line if t.pk in free and posts.get(t.post_id, PostState.PUBLISHING)
                in PUBLISHING_STATES]  # fmt: skip
        if not line:
            return []
        until = now + lease()
        where, params = fastsql.among("id", [t.pk for t in line])
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE publishing_target SET state = %s, lease_owner = %s, lease_until = %s, "  # noqa: S608
                f"attempt_count = attempt_count + 1 WHERE {where} AND state = %s",
                [TargetState.PUBLISHING.value, worker, _adapt(until), *params,
                 TargetState.SCHEDULED.value],
            )  # fmt: skip
            if cursor.rowcount != len(line):
                # Cannot happen while the rows are ours; if it does, claim nothing.
                transaction.set_rollback(True)
                return []
        for target in line:
            target.state, target.lease_owner, target.lease_until = (
                TargetState.PUBLISHING, worker, until)  # fmt: skip
            target.attempt_count += 1
            target.account = accounts[target.account_id]
        attempts = Attempt.objects.bulk_create(
            [Attempt(target=t, account=t.account, number=t.attempt_count, worker=worker,
                     started_at=now) for t in line]
        )  # fmt: skip
        # Posts someone holds are not in `posts`: their claims carry no post state.
        claimed = {t.post_id for t in line}
        states = _posts_to_publishing({pk: s for pk, s in posts.items() if pk in claimed})
        return [
            Claim(target=t, attempt=a, post_state=states.get(t.post_id))
            for t, a in zip(line, attempts, strict=True)
        ]
