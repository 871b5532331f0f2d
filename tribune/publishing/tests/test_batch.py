"""Claiming in batches (batch.py) and the worker's loop on threads (runner.py).

A batch must keep every promise of a single claim (test_claims.py): one winner per
target, one publish at a time per account, the request budget, pauses, posts taken
back to draft, missed targets, and never waiting for a post someone holds.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from tribune.editorial import workflow
from tribune.editorial.choices import PostState
from tribune.editorial.models import Transition
from tribune.editorial.rules_table import rules_for
from tribune.networks import clients
from tribune.publishing import runner
from tribune.publishing.batch import claim_batch
from tribune.publishing.models import Attempt, Target, TargetState
from tribune.publishing.sweeper import MAX_LATENESS

from .support import access_for, make_account, scheduled_post, status, targets
from .test_claims import (
    ACCOUNTS,
    TARGETS_PER_ACCOUNT,
    check_no_target_claimed_twice,
    claim_from_threads,
    claim_while_someone_holds_the_post_row,
    finish,
    in_thread,
    plan_many,
    shared_database,
)


def batch(worker: str = "worker-a", limit: int = 50):
    return claim_batch(worker, timezone.now(), limit)


def post_for(workspace, author, account, **fields):
    """A scheduled post with one target, on `account` (planning targets every account)."""
    post = scheduled_post(workspace, author, [account], **fields)
    Target.objects.filter(post=post).exclude(account=account).delete()
    return post


def test_it_claims_one_target_per_account_across_accounts(workspace, alice):
    assert rules_for("mastodon").pace.account_concurrency == 1
    first = make_account(workspace, remote_id="m-1", name="First")
    second = make_account(workspace, remote_id="m-2", name="Second")
    now = timezone.now()
    older = scheduled_post(workspace, alice, [first, second], due=now - timedelta(minutes=3))
    newer = scheduled_post(workspace, alice, [first, second], due=now - timedelta(minutes=1))
    taken = batch()
    assert sorted((c.target.account_id, c.target.post_id) for c in taken) == sorted(
        [(first.pk, older.pk), (second.pk, older.pk)]
    ), "each account's most overdue target, one per account"
    for item in taken:
        stored = Target.objects.get(pk=item.target.pk)
        assert (stored.state, stored.lease_owner, stored.attempt_count) == (
            TargetState.PUBLISHING, "worker-a", 1)  # fmt: skip
        assert stored.lease_until == item.target.lease_until
        attempt = Attempt.objects.get(pk=item.attempt.pk)
        assert (attempt.target_id, attempt.number, attempt.worker) == (stored.pk, 1, "worker-a")
        assert item.post_state == PostState.PUBLISHING
        assert item.target.account.pk == stored.account_id
    assert batch("worker-b") == [], "both accounts are busy"
    assert {t.state for t in targets(newer)} == {TargetState.SCHEDULED}
    older.refresh_from_db()
    assert older.state == PostState.PUBLISHING
    moves = Transition.objects.filter(post=older, to_state=PostState.PUBLISHING)
    assert list(moves.values_list("from_state", flat=True)) == [PostState.SCHEDULED]


def test_it_takes_the_most_overdue_accounts_first_within_its_limit(workspace, alice):
    now = timezone.now()
    accounts = [make_account(workspace, remote_id=f"m-{n}", name=f"A{n}") for n in range(4)]
    for minutes, account in zip((2, 9, 5, 1), accounts, strict=True):
        post_for(workspace, alice, account, due=now - timedelta(minutes=minutes))
    taken = batch(limit=2)
    assert [c.target.account_id for c in taken] == [accounts[1].pk, accounts[2].pk]
    assert [c.target.account_id for c in batch(limit=5)] == [accounts[0].pk, accounts[3].pk]


def test_it_leaves_paused_busy_and_spent_accounts_alone(workspace, alice):
    pace = rules_for("mastodon").pace
    paused = make_account(workspace, remote_id="m-1", name="Paused",
                          paused_until=timezone.now() + timedelta(minutes=2))  # fmt: skip
    busy = make_account(workspace, remote_id="m-2", name="Busy")
    spent = make_account(workspace, remote_id="m-3", name="Spent")
    free = make_account(workspace, remote_id="m-4", name="Free")
    for account in (paused, busy, busy, spent, free):
        post_for(workspace, alice, account)
    busy_target = Target.objects.filter(account=busy).first()
    Target.objects.filter(pk=busy_target.pk).update(
        state=TargetState.PUBLISHING, lease_until=timezone.now() + timedelta(minutes=5)
    )
    spent_target = Target.objects.get(account=spent)
    Attempt.objects.bulk_create(
        Attempt(target=spent_target, account=spent, number=n, started_at=timezone.now())
        for n in range(pace.requests)
    )
    assert [c.target.account_id for c in batch()] == [free.pk]
    # A dead worker's claim (its lease ran out) no longer holds the account.
    Target.objects.filter(pk=busy_target.pk).update(
        lease_until=timezone.now() - timedelta(seconds=1)
    )
    assert [c.target.account_id for c in batch()] == [busy.pk]


def test_it_never_claims_for_a_draft_a_future_or_a_missed_target(workspace, alice):
    account = make_account(workspace)
    drafted = scheduled_post(workspace, alice, [account])
    workflow.do_transition(access_for(alice, workspace), drafted, PostState.DRAFT)
    later = scheduled_post(workspace, alice, [account], due=timezone.now() + timedelta(minutes=5))
    missed = scheduled_post(
        workspace, alice, [account], due=timezone.now() - MAX_LATENESS - timedelta(minutes=1)
    )
    assert batch() == []
    assert {t.state for t in targets(later) + targets(missed)} == {TargetState.SCHEDULED}


def test_it_makes_no_transition_for_a_post_already_publishing(workspace, alice):
    first = make_account(workspace, remote_id="m-1", name="First")
    second = make_account(workspace, remote_id="m-2", name="Second")
    post = scheduled_post(workspace, alice, [first, second])
    assert len(batch(limit=1)) == 1
    assert len(batch("worker-b")) == 1
    assert Transition.objects.filter(post=post, to_state=PostState.PUBLISHING).count() == 1


def claim_in_batches(name: str) -> list[tuple]:
    """A batch worker's loop, in the shape test_claims.claim_until_none_left records."""
    taken = []
    for _round in range(500):
        if not Target.objects.filter(state=TargetState.SCHEDULED).exists():
            break
        taken += [finish(item, name) for item in claim_batch(name, timezone.now(), 2)]
    return taken


@pytest.mark.django_db(transaction=True)
def test_it_never_claims_a_target_twice_from_several_batching_threads(
    workspace, alice, monkeypatch, tmp_path
):
    plan_many(workspace, alice, monkeypatch)
    use_db = shared_database(tmp_path)
    results = claim_from_threads(use_db, claim_in_batches)
    taken = [row for rows in results.values() for row in rows]
    assert len(taken) == ACCOUNTS * TARGETS_PER_ACCOUNT
    check_no_target_claimed_twice(taken, use_db)


@pytest.mark.django_db(transaction=True)
def test_it_never_waits_for_a_post_someone_holds(workspace, alice, tmp_path):
    if not connection.features.has_select_for_update_skip_locked:
        pytest.skip("row locks: PostgreSQL (SQLite's write transactions exclude each other)")
    account = make_account(workspace)
    post = scheduled_post(workspace, alice, [account])
    [taken], took = claim_while_someone_holds_the_post_row(post, tmp_path, batch)
    assert took < 5, "the claim waited for the post"
    assert taken.post_state is None  # execute() brings the post in line, waiting
    post.refresh_from_db()
    assert post.state == PostState.SCHEDULED


def loop_on_threads(use_db, monkeypatch, threads: int = 3) -> int:
    """Run the worker's loop with a pool of `threads` threads on the shared database."""
    opened = []

    def thread_start() -> None:
        use_db()
        connections["default"].inc_thread_sharing()  # closed by the test's thread below
        opened.append(connections["default"])

    pool = ThreadPoolExecutor(threads, initializer=thread_start)
    monkeypatch.setattr(runner, "_pool", pool)
    monkeypatch.setattr(runner, "_threads", lambda: threads)
    try:
        return in_thread(use_db, runner.publish_due)
    finally:
        pool.shutdown(wait=True)
        for wrapper in opened:
            wrapper.close()


@pytest.mark.django_db(transaction=True)
def test_it_waits_for_a_target_due_within_the_lookahead_instead_of_ending(
    workspace, alice, network, monkeypatch, tmp_path
):
    monkeypatch.setattr("tribune.publishing.tasks.enqueue", lambda *args: None)
    account = make_account(workspace)
    soon = scheduled_post(workspace, alice, [account], due=timezone.now() + timedelta(seconds=1))
    later = scheduled_post(
        workspace, alice, [account], due=timezone.now() + timedelta(seconds=runner.LOOKAHEAD + 30)
    )
    use_db = shared_database(tmp_path)
    network.answers = [status(1)]
    began = time.monotonic()
    assert loop_on_threads(use_db, monkeypatch) == 1
    assert 0.5 < time.monotonic() - began < runner.LOOKAHEAD + 5

    def states():
        return [
            list(Target.objects.filter(post=post).values_list("state", flat=True))
            for post in (soon, later)
        ]

    assert in_thread(use_db, states) == [[TargetState.PUBLISHED], [TargetState.SCHEDULED]]


def record_calls_for_help(monkeypatch) -> list[float]:
    """Record when the loop queues a `publish_due` task for another worker process."""
    calls: list[float] = []
    monkeypatch.setattr(
        "tribune.publishing.tasks.publish_due", lambda: calls.append(time.monotonic())
    )
    return calls


@pytest.mark.django_db(transaction=True)
def test_it_calls_another_worker_while_more_is_due_than_it_has_room_for(
    workspace, alice, network, monkeypatch, tmp_path
):
    """One thread, so room for two in flight, and three accounts with five targets each:
    the claims come back full, and the loop queues one more loop for an idle worker
    process, at most once per HELP_INTERVAL."""
    plan_many(workspace, alice, monkeypatch)
    calls = record_calls_for_help(monkeypatch)
    use_db = shared_database(tmp_path)
    sent = iter(range(1, 1000))
    network.answers = [lambda request: status(next(sent))]
    began = time.monotonic()
    handled = loop_on_threads(use_db, monkeypatch, threads=1)
    elapsed = time.monotonic() - began
    assert handled == ACCOUNTS * TARGETS_PER_ACCOUNT
    assert calls, "a full claim calls for help"
    assert len(calls) <= elapsed / runner.HELP_INTERVAL + 1
    assert all(b - a >= runner.HELP_INTERVAL for a, b in zip(calls, calls[1:], strict=False))


@pytest.mark.django_db(transaction=True)
def test_it_publishes_every_due_target_once_on_the_pool_threads(
    workspace, alice, network, monkeypatch, tmp_path
):
    """The worker's loop as it runs in `tribune worker`: claims on one thread, sends on a
    pool of threads with their own connections, several accounts at once."""
    plan_many(workspace, alice, monkeypatch)
    calls = record_calls_for_help(monkeypatch)
    use_db = shared_database(tmp_path)
    sent = iter(range(1, 1000))
    network.answers = [lambda request: status(next(sent))]
    handled = loop_on_threads(use_db, monkeypatch)
    # Room for six, at most one per account (three) due at once: nobody else is needed.
    assert calls == []

    def outcome():
        states = set(Target.objects.values_list("state", flat=True))
        return sorted(states), list(Attempt.objects.values_list("target_id", flat=True))

    states, attempted = in_thread(use_db, outcome)
    assert handled == ACCOUNTS * TARGETS_PER_ACCOUNT
    assert states == [TargetState.PUBLISHED]
    assert len(attempted) == len(set(attempted)) == handled, "one attempt per target"
    assert len(network.sent("POST", "/statuses")) == handled


def test_it_readies_every_sending_thread_once_when_the_worker_starts(monkeypatch):
    opened: list[int] = []

    class Connection:
        def ensure_connection(self) -> None:
            opened.append(threading.get_ident())

    pool = ThreadPoolExecutor(3)
    monkeypatch.setattr(runner, "_pool", pool)
    monkeypatch.setattr(runner, "_threads", lambda: 3)
    monkeypatch.setattr(runner, "_warmed", False)
    monkeypatch.setattr(runner, "connection", Connection())
    # A context of this test's own, not yet built, counting its builds.
    built: list[int] = []
    real = clients.tls_context.__wrapped__
    monkeypatch.setattr(
        clients, "tls_context", clients.once_per_process(lambda: built.append(1) or real())
    )
    runner.warm()
    runner.warm()  # every consumer thread runs the start-up hook: once per process is enough
    pool.shutdown(wait=True)
    assert len(opened) == 3, "one connection per sending thread"
    assert len(set(opened)) == 3, "each in a thread of its own"
    assert built == [1], "the connectors' TLS context, built before the first publication"


def test_it_breaks_off_the_warm_up_when_the_worker_stops(monkeypatch):
    class Connection:
        def ensure_connection(self) -> None:
            pass

    pool = ThreadPoolExecutor(2)  # fewer threads than jobs: the warm-up cannot complete
    monkeypatch.setattr(runner, "_pool", pool)
    monkeypatch.setattr(runner, "_threads", lambda: 3)
    monkeypatch.setattr(runner, "_warmed", False)
    monkeypatch.setattr(runner, "connection", Connection())
    runner.warm()
    began = time.monotonic()
    runner.stop()
    pool.shutdown(wait=True)
    assert time.monotonic() - began < 2, "stop() ends the threads' wait"
