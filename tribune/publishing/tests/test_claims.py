"""Claiming due targets: one winner per target, the account's pace, and many workers at once.

The concurrent tests run real database connections against one database: on PostgreSQL
the test database itself; on SQLite a file copy of it (the in-memory test database is
shared between threads only in SQLite's shared-cache mode, whose table locks fail at
once instead of waiting, unlike the file database Tribune runs on), opened with the
same settings as production (WAL, IMMEDIATE transactions, a busy timeout).
"""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
import time
from collections import Counter
from contextlib import ExitStack
from datetime import timedelta

import httpx
import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from tribune.editorial import workflow
from tribune.editorial.choices import PostState
from tribune.editorial.models import Post
from tribune.editorial.rules_table import rules_for
from tribune.networks.models import AccountStatus
from tribune.publishing import claims, engine
from tribune.publishing.engine import drain, execute, network_slot
from tribune.publishing.models import Attempt, Outcome, Problem, Target, TargetState
from tribune.publishing.sweeper import MAX_LATENESS, late_targets, sweep_missed

from .support import access_for, claim, make_account, make_due, scheduled_post, status, targets


def test_it_lets_only_one_of_two_claims_take_a_target(workspace, alice):
    account = make_account(workspace)
    [target] = targets(scheduled_post(workspace, alice, [account]))
    first = claim(account, "worker-a")
    assert first is not None and first.target.pk == target.pk
    assert claim(account, "worker-b") is None
    target.refresh_from_db()
    assert target.state == TargetState.PUBLISHING and target.lease_owner == "worker-a"
    assert target.lease_until > timezone.now() + claims.lease() - timedelta(minutes=1)
    [attempt] = Attempt.objects.filter(target=target)
    assert (attempt.number, attempt.worker, attempt.finished_at) == (1, "worker-a", None)


def test_it_refuses_a_claim_that_read_the_target_before_a_rival_took_it(
    workspace, alice, monkeypatch
):
    """Interleaves two claims by hand: B claims between A's read and A's UPDATE.

    This is the conditional UPDATE's guarantee on any database: A read the target as
    "scheduled", B took it meanwhile, A's UPDATE names the state it read and so moves
    no row: A sends nothing.
    """
    account = make_account(workspace)
    [target] = targets(scheduled_post(workspace, alice, [account]))
    real_lease = claims.lease
    rival: dict = {}

    def lease_after_a_rival_claimed():
        if "started" not in rival:
            rival["started"] = True
            rival["claim"] = claims.claim_next(account.pk, "worker-b", timezone.now())
        return real_lease()

    monkeypatch.setattr(claims, "lease", lease_after_a_rival_claimed)
    mine = claims.claim_next(account.pk, "worker-a", timezone.now())
    assert rival["claim"] is not None and rival["claim"].target.pk == target.pk
    assert mine is None
    target.refresh_from_db()
    assert target.lease_owner == "worker-b" and target.attempt_count == 1
    assert [a.worker for a in Attempt.objects.filter(target=target)] == ["worker-b"]


def test_it_publishes_one_target_at_a_time_per_account(workspace, alice):
    assert rules_for("mastodon").pace.account_concurrency == 1
    account = make_account(workspace)
    other_account = make_account(workspace, remote_id="mastodon-2", name="Second")
    first = scheduled_post(workspace, alice, [account, other_account])
    second = scheduled_post(workspace, alice, [account])
    taken = claim(account)
    assert taken.target.post_id == first.pk
    assert claim(account, "worker-b") is None, "the account is busy"
    assert claim(other_account, "worker-b") is not None, "another account is not held back"
    # Once the first is done, the second goes.
    Target.objects.filter(pk=taken.target.pk).update(state=TargetState.PUBLISHED)
    assert claim(account, "worker-b").target.post_id == second.pk


def test_it_does_not_count_a_dead_workers_claim_as_busy(workspace, alice):
    account = make_account(workspace)
    scheduled_post(workspace, alice, [account])
    scheduled_post(workspace, alice, [account])
    taken = claim(account)
    Target.objects.filter(pk=taken.target.pk).update(
        lease_until=timezone.now() - timedelta(seconds=1)
    )
    assert claim(account, "worker-b") is not None


def test_it_claims_the_most_overdue_target_first(workspace, alice):
    account = make_account(workspace)
    now = timezone.now()
    later = scheduled_post(workspace, alice, [account], due=now - timedelta(minutes=1))
    earlier = scheduled_post(workspace, alice, [account], due=now - timedelta(minutes=5))
    assert claim(account).target.post_id == earlier.pk
    assert later.pk != earlier.pk


def test_it_does_not_claim_for_a_paused_account(workspace, alice):
    account = make_account(workspace, paused_until=timezone.now() + timedelta(minutes=2))
    scheduled_post(workspace, alice, [account])
    assert claim(account) is None
    account.paused_until = timezone.now() - timedelta(seconds=1)
    account.save()
    assert claim(account) is not None


def test_it_keeps_to_the_networks_request_budget(workspace, alice):
    pace = rules_for("mastodon").pace
    assert (pace.requests, pace.per_seconds) == (300, 300)
    account = make_account(workspace)
    [done] = targets(scheduled_post(workspace, alice, [account]))
    scheduled_post(workspace, alice, [account])
    now = timezone.now()
    Attempt.objects.bulk_create(
        Attempt(target=done, account=account, number=n, started_at=now - timedelta(seconds=n))
        for n in range(pace.requests)
    )
    Target.objects.filter(pk=done.pk).update(state=TargetState.PUBLISHED)
    assert claim(account) is None, "300 requests in the last 5 minutes"
    # The oldest request leaves the window: one more is allowed.
    Attempt.objects.filter(number=pace.requests - 1).update(
        started_at=now - timedelta(seconds=pace.per_seconds + 1)
    )
    assert claim(account) is not None


def test_it_does_not_count_peoples_decisions_as_requests(workspace, alice):
    pace = rules_for("mastodon").pace
    account = make_account(workspace)
    [done] = targets(scheduled_post(workspace, alice, [account]))
    scheduled_post(workspace, alice, [account])
    Target.objects.filter(pk=done.pk).update(state=TargetState.PUBLISHED)
    Attempt.objects.bulk_create(
        Attempt(target=done, account=account, number=n, outcome=Outcome.DECIDED)
        for n in range(pace.requests)
    )
    assert claim(account) is not None


def test_it_cancels_and_never_claims_the_targets_of_a_post_taken_back_to_draft(
    workspace, alice, network
):
    account = make_account(workspace)
    post = scheduled_post(workspace, alice, [account])
    assert len(targets(post)) == 1
    workflow.do_transition(access_for(alice, workspace), post, PostState.DRAFT)
    assert targets(post) == []
    assert claim(account) is None
    assert drain(account.pk) == 0 and network.requests == []


def claim_while_someone_holds_the_post(account, monkeypatch):
    """A claim made while a person held the post's row (PostgreSQL): the claim leaves
    the post as it was, and execute() brings it in line, waiting for the row."""
    held = claims.rollup

    def post_held(post_id, reason="", wait=True):
        return None if not wait else held(post_id, reason, wait)

    monkeypatch.setattr(claims, "rollup", post_held)
    taken = claim(account)
    monkeypatch.setattr(claims, "rollup", held)
    assert taken is not None and taken.post_state is None
    return taken


def test_it_makes_the_post_publishing_within_the_claim(workspace, alice):
    """Once claimed, the post is "publishing": nobody can take it back to draft."""
    account = make_account(workspace)
    post = scheduled_post(workspace, alice, [account])
    taken = claim(account)
    assert taken.post_state == PostState.PUBLISHING
    post.refresh_from_db()
    assert post.state == PostState.PUBLISHING


def test_it_withdraws_a_target_claimed_just_before_its_post_went_back_to_draft(
    workspace, alice, network, monkeypatch
):
    account = make_account(workspace)
    post = scheduled_post(workspace, alice, [account])
    taken = claim_while_someone_holds_the_post(account, monkeypatch)
    workflow.do_transition(access_for(alice, workspace), post, PostState.DRAFT)
    network.answers = [status(1)]
    execute(taken)
    assert network.requests == [], "a withdrawn post never goes out"
    assert targets(post) == []
    post.refresh_from_db()
    assert post.state == PostState.DRAFT


def failed_then_scheduled_again(workspace, author, network):
    """A post refused everywhere, taken back to draft, approved and scheduled again."""
    account = make_account(workspace)
    post = scheduled_post(workspace, author, [account])
    network.answers = [httpx.Response(422, json={"error": "Too long"})]
    drain(account.pk)
    [target] = targets(post)
    assert target.state == TargetState.FAILED
    access = access_for(author, workspace)
    workflow.do_transition(access, post, PostState.DRAFT)
    Post.objects.filter(pk=post.pk).update(state=PostState.APPROVED)
    workflow.do_schedule(access, post, timezone.now() + timedelta(hours=1))
    target.refresh_from_db()
    assert (target.state, target.attempt_count) == (TargetState.SCHEDULED, 1)
    return account, post, target


def test_it_keeps_unclaimed_a_retried_target_whose_post_went_back_to_draft(
    workspace, alice, network
):
    account, post, target = failed_then_scheduled_again(workspace, alice, network)
    workflow.do_transition(access_for(alice, workspace), post, PostState.DRAFT)
    # It had an attempt: it stays, with its key, but nothing claims it.
    assert targets(post) == [target]
    make_due(target)
    assert claim(account) is None
    assert list(late_targets()) == []
    assert sweep_missed(timezone.now() + MAX_LATENESS * 2) == 0
    # Scheduled again: it goes at the new time, with the same key.
    Post.objects.filter(pk=post.pk).update(state=PostState.APPROVED)
    when = timezone.now() + timedelta(hours=3)
    workflow.do_schedule(access_for(alice, workspace), post, when)
    target.refresh_from_db()
    assert target.next_attempt_at == when
    make_due(target)
    network.answers = [status(1)]
    drain(account.pk)
    target.refresh_from_db()
    assert target.state == TargetState.PUBLISHED
    keys = {r.headers["Idempotency-Key"] for r in network.sent("POST", "/statuses")}
    assert keys == {target.idempotency_key}


def test_it_gives_back_a_claim_with_history_when_its_post_went_back_to_draft(
    workspace, alice, network, monkeypatch
):
    account, post, target = failed_then_scheduled_again(workspace, alice, network)
    make_due(target)
    taken = claim_while_someone_holds_the_post(account, monkeypatch)
    workflow.do_transition(access_for(alice, workspace), post, PostState.DRAFT)
    sent = len(network.requests)
    execute(taken)
    assert len(network.requests) == sent
    [kept] = targets(post)
    assert (kept.state, kept.attempt_count, kept.lease_owner) == (TargetState.SCHEDULED, 1, "")
    assert kept.idempotency_key == target.idempotency_key
    assert not Attempt.objects.filter(pk=taken.attempt.pk).exists()


def test_it_fails_the_targets_of_a_disconnected_account_instead_of_leaving_them(
    workspace, alice, network
):
    account = make_account(workspace)
    post = scheduled_post(workspace, alice, [account])
    account.status = AccountStatus.DISCONNECTED
    account.save()
    drain(account.pk)
    [target] = targets(post)
    assert target.state == TargetState.FAILED and target.problem == Problem.ACCOUNT
    assert target.message
    assert network.requests == []


def test_it_leaves_a_target_missed_by_over_an_hour_to_the_sweeper(workspace, alice, network):
    account = make_account(workspace)
    late = timezone.now() - MAX_LATENESS - timedelta(minutes=1)
    post = scheduled_post(workspace, alice, [account], due=late)
    assert claim(account) is None
    assert targets(post)[0].state == TargetState.SCHEDULED
    # A retry of a target that did start is not "missed": it goes.
    Target.objects.filter(post=post).update(attempt_count=1)
    assert claim(account) is not None


# ---- many workers at once ----------------------------------------------------------------


ACCOUNTS = 3
TARGETS_PER_ACCOUNT = 5


def shared_database(tmp_path):
    """Return a function that points the calling thread's default connection at the
    database every worker shares (see the module docstring)."""
    wrapper = type(connections["default"])
    if connection.vendor != "sqlite":
        settings = dict(connection.settings_dict)

        def fresh() -> None:
            # A connection object of its own: nothing inherited from the parent process
            # (a forked child reusing the parent's socket breaks both).
            connections["default"] = wrapper(settings, "default")

        return fresh
    path = tmp_path / "claims.sqlite3"
    connection.ensure_connection()
    copy = sqlite3.connect(path)
    connection.connection.backup(copy)
    copy.close()
    settings = {**connection.settings_dict, "NAME": str(path)}

    def use() -> None:
        connections["default"] = wrapper(settings, "default")

    return use


def claim_until_none_left(name: str, account_ids: list[int]) -> list[tuple]:
    """A worker's loop: claim, check the account holds only this one, finish, repeat.

    Returns (target id, attempt id, worker, how many of the account's targets were
    publishing at once) for each claim.
    """
    now = timezone.now()
    taken = []
    for _round in range(500):
        if not Target.objects.filter(state=TargetState.SCHEDULED).exists():
            break
        for account_id in account_ids:
            found = claims.claim_next(account_id, name, now)
            if found is not None:
                taken.append(finish(found, name))
    return taken


def finish(found, name: str) -> tuple:
    """Count what the claim's account has publishing now, then finish the claim."""
    running = Target.objects.filter(
        account_id=found.target.account_id, state=TargetState.PUBLISHING
    ).count()
    Target.objects.filter(pk=found.target.pk, lease_owner=name).update(
        state=TargetState.PUBLISHED, lease_owner="", lease_until=None
    )
    return (found.target.pk, found.attempt.pk, name, running)


def in_thread(use_db, work, *args):
    """Run `work` in a thread of its own with its own connection; return its result."""
    out: dict = {}

    def run() -> None:
        use_db()
        try:
            out["result"] = work(*args)
        except Exception as exc:  # noqa: BLE001 - reported to the test below
            out["error"] = repr(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=120)
    assert "error" not in out, out["error"]
    return out["result"]


def in_process(use_db, queue, name, account_ids) -> None:
    use_db()
    try:
        queue.put(claim_until_none_left(name, account_ids))
    except Exception as exc:  # noqa: BLE001 - reported to the test below
        queue.put(repr(exc))
    finally:
        connections.close_all()


def plan_many(workspace, author, monkeypatch) -> list[int]:
    # Committed data (transaction=True): planning would queue real publishing tasks.
    monkeypatch.setattr("tribune.publishing.tasks.enqueue", lambda *args: None)
    accounts = [
        make_account(workspace, remote_id=f"mastodon-{n}", name=f"Account {n}")
        for n in range(ACCOUNTS)
    ]
    for _n in range(TARGETS_PER_ACCOUNT):
        scheduled_post(workspace, author, accounts)
    return [a.pk for a in accounts]


def check_no_target_claimed_twice(taken: list[tuple], use_db) -> None:
    target_ids = [t[0] for t in taken]
    duplicates = [pk for pk, n in Counter(target_ids).items() if n > 1]
    assert not duplicates, f"claimed twice: {duplicates}"
    assert len(target_ids) == ACCOUNTS * TARGETS_PER_ACCOUNT
    assert max(t[3] for t in taken) == 1, "never two targets of one account at once"

    def recorded():
        rows = list(Attempt.objects.values_list("target_id", "number", "worker"))
        left = Target.objects.exclude(state=TargetState.PUBLISHED).count()
        return rows, left

    rows, left = in_thread(use_db, recorded)
    assert left == 0
    assert sorted(r[0] for r in rows) == sorted(target_ids), "one attempt row per claim"
    assert {r[1] for r in rows} == {1}
    assert {(t[0], t[2]) for t in taken} == {(r[0], r[2]) for r in rows}


def claim_from_threads(use_db, work, count: int = 4) -> dict[str, list]:
    """Run work(name) in `count` threads at once, each with its own connection; return
    each thread's result by name."""
    barrier = threading.Barrier(count)
    results: dict[str, list] = {}
    errors: list[str] = []

    def worker(name: str) -> None:
        use_db()
        try:
            barrier.wait(timeout=30)
            results[name] = work(name)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(f"thread-{n}",)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True)
def test_it_never_claims_a_target_twice_from_several_threads(
    workspace, alice, monkeypatch, tmp_path
):
    account_ids = plan_many(workspace, alice, monkeypatch)
    use_db = shared_database(tmp_path)

    def walk(name: str) -> list[tuple]:
        # Each worker walks the accounts in its own order, so they collide.
        order = account_ids[int(name[-1]) % ACCOUNTS :] + account_ids[: int(name[-1])]
        return claim_until_none_left(name, order)

    results = claim_from_threads(use_db, walk)
    taken = [row for rows in results.values() for row in rows]
    check_no_target_claimed_twice(taken, use_db)
    assert len(results) == 4


@pytest.mark.django_db(transaction=True)
def test_it_never_claims_a_target_twice_from_several_processes(
    workspace, alice, monkeypatch, tmp_path
):
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("needs fork() to share the test's settings with the worker processes")
    account_ids = plan_many(workspace, alice, monkeypatch)
    use_db = shared_database(tmp_path)
    # A forked child must not share the parent's open database socket.
    if connection.vendor != "sqlite":
        connections.close_all()
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    processes = [
        context.Process(target=in_process, args=(use_db, queue, f"process-{n}", account_ids))
        for n in range(3)
    ]
    for process in processes:
        process.start()
    answers = [queue.get(timeout=120) for _process in processes]
    for process in processes:
        process.join(timeout=30)
    assert [p.exitcode for p in processes] == [0, 0, 0]
    errors = [a for a in answers if isinstance(a, str)]
    assert not errors, errors
    taken = [row for rows in answers for row in rows]
    check_no_target_claimed_twice(taken, use_db)


def test_it_touches_the_network_only_for_claimed_targets(workspace, alice, network):
    account = make_account(workspace)
    scheduled_post(workspace, alice, [account])
    network.answers = [httpx.Response(200, json={"id": "1", "url": "https://m.example/1"})]
    assert drain(account.pk) == 1
    assert drain(account.pk) == 0
    assert len(network.requests) == 1


def test_it_holds_a_network_to_its_declared_concurrency_within_a_worker():
    """Calls to one network at once, per worker process (docs/publishing.md)."""
    limit = rules_for("mastodon").pace.network_concurrency
    with ExitStack() as stack:
        for _n in range(limit):
            stack.enter_context(network_slot("mastodon"))
        slots = engine._network_slots[("mastodon", "")]
        assert not slots.acquire(blocking=False), "one more call would wait"
        with network_slot("bluesky"):
            pass
        # Another Mastodon server has slots of its own.
        with network_slot("mastodon", "https://other.example/"):
            pass  # another network is not held back
    assert slots.acquire(blocking=False)
    slots.release()


def test_it_stops_draining_before_a_target_that_is_not_due_yet(workspace, alice, network):
    """That target has a task of its own for its time: drain() must not wait for it."""
    account = make_account(workspace)
    scheduled_post(workspace, alice, [account])
    later = scheduled_post(workspace, alice, [account], due=timezone.now() + timedelta(hours=1))
    network.answers = [status(1)]
    assert drain(account.pk) == 1
    assert [t.state for t in targets(later)] == [TargetState.SCHEDULED]
    assert len(network.requests) == 1


def test_it_goes_on_with_a_target_that_fell_due_while_it_published(workspace, alice, network):
    """Its own task may have found the account busy: drain() takes it once it is due."""
    account = make_account(workspace)
    scheduled_post(workspace, alice, [account])
    soon = timezone.now() + timedelta(milliseconds=300)
    next_one = scheduled_post(workspace, alice, [account], due=soon)

    def slow_answer(request: httpx.Request) -> httpx.Response:
        while timezone.now() <= soon:  # the network takes its time; the next one falls due
            time.sleep(0.05)
        return status(len(network.requests))

    network.answers = [slow_answer]
    assert drain(account.pk) == 2
    assert [t.state for t in targets(next_one)] == [TargetState.PUBLISHED]


def test_it_counts_in_the_tables_the_models_use():
    """The claim's counts are hand-written SQL: they must name Target's and Attempt's tables."""
    assert f"FROM {Target._meta.db_table} " in claims.RUNNING_SQL
    assert f"FROM {Attempt._meta.db_table} " in claims.USED_SQL


def claim_while_someone_holds_the_post_row(post, tmp_path, take):
    """Run `take()` while another connection holds the post's row (SELECT ... FOR UPDATE);
    return what it returned and how long it took."""
    use_db = shared_database(tmp_path)
    held, release = threading.Event(), threading.Event()

    def hold_the_post() -> None:
        use_db()
        try:
            with transaction.atomic():
                Post.objects.select_for_update().get(pk=post.pk)
                held.set()
                release.wait(timeout=20)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_the_post)
    holder.start()
    assert held.wait(timeout=20)
    began = time.monotonic()
    try:
        taken = take()
    finally:
        release.set()
        holder.join(timeout=30)
    return taken, time.monotonic() - began


@pytest.mark.django_db(transaction=True)
def test_it_never_waits_for_a_post_someone_holds(workspace, alice, tmp_path):
    """The claim holds the target; a person moving the post may hold the post and wait for
    the target. The claim must not wait for the post: it leaves the post to execute()."""
    if not connection.features.has_select_for_update_skip_locked:
        pytest.skip("row locks: PostgreSQL (SQLite's write transactions exclude each other)")
    account = make_account(workspace)
    post = scheduled_post(workspace, alice, [account])
    taken, took = claim_while_someone_holds_the_post_row(
        post, tmp_path, lambda: claims.claim_next(account.pk, "worker-a", timezone.now())
    )
    assert took < 5, "the claim waited for the post"
    assert taken is not None and taken.post_state is None
    post.refresh_from_db()
    assert post.state == PostState.SCHEDULED  # execute() brings it in line
