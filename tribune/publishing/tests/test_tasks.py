"""The worker's side (tasks.py): queueing after commit, and the dispatcher's minute.

Huey runs in immediate mode (in-memory queue, tasks run in the test's process); tasks
scheduled for later stay in its in-memory schedule, where the tests read them. The network
is the scripted imitation of tests/support.py (httpx.MockTransport).
"""

from __future__ import annotations

from datetime import UTC, timedelta

import httpx
import pytest
from django.db import transaction
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from tribune.editorial import workflow
from tribune.editorial.choices import PostState
from tribune.editorial.tests.workflow_support import make_post
from tribune.publishing import tasks
from tribune.publishing.models import Problem, Target, TargetState
from tribune.publishing.sweeper import MAX_LATENESS

from .support import access_for, claim, make_account, scheduled_post, status, targets

pytestmark = pytest.mark.usefixtures("huey_immediate")


def queued_for_later() -> list:
    """The etas (aware, UTC) of the publishing tasks scheduled, in order; none has args."""
    found = [t for t in HUEY.scheduled() if t.name.endswith("publish_due")]
    assert all(t.args == () for t in found)
    return sorted(t.eta.replace(tzinfo=UTC) for t in found)


def runs_for(when) -> bool:
    """Whether exactly one publishing task is queued for `when`: HEAD_START ahead of it, or
    up to a slot later than that."""
    etas = queued_for_later()
    start = when - timedelta(seconds=tasks.HEAD_START)
    return len(etas) == 1 and start <= etas[0] < start + timedelta(seconds=tasks.DUE_SLOT)


def test_it_queues_publishing_only_once_the_transaction_commits(
    workspace, django_capture_on_commit_callbacks
):
    account = make_account(workspace)
    when = timezone.now() + timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        tasks.enqueue(account.pk, when)
        assert queued_for_later() == [], "nothing before the commit"
    assert len(callbacks) == 1
    assert runs_for(when)


def test_it_queues_one_task_for_due_times_that_share_a_slot(
    workspace, django_capture_on_commit_callbacks
):
    account = make_account(workspace)
    slot = timedelta(seconds=tasks.DUE_SLOT)
    start = timezone.now().replace(microsecond=0) + timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.enqueue(account.pk, start + slot / 10)
        tasks.enqueue(account.pk, start + slot / 2)
        tasks.enqueue(account.pk, start + slot)  # the slot's very end: still the same task
    ahead = timedelta(seconds=tasks.HEAD_START)
    assert queued_for_later() == [start + slot - ahead]
    with django_capture_on_commit_callbacks(execute=True):
        tasks.enqueue(account.pk, start + slot * 1.5)
        tasks.enqueue(account.pk, start + timedelta(minutes=3))
    assert queued_for_later() == [
        start + slot - ahead,
        start + 2 * slot - ahead,
        start + timedelta(minutes=3) - ahead,
    ]


def test_it_queues_nothing_when_the_transaction_rolls_back(
    workspace, django_capture_on_commit_callbacks
):
    account = make_account(workspace)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        tasks.enqueue(account.pk, timezone.now() + timedelta(hours=1))
        raise RuntimeError("the scheduling failed")
    assert callbacks == []
    assert queued_for_later() == []


def test_it_publishes_at_once_what_is_already_due(
    workspace, alice, network, django_capture_on_commit_callbacks
):
    account = make_account(workspace)
    post = scheduled_post(workspace, alice, [account])
    network.answers = [status(1)]
    with django_capture_on_commit_callbacks(execute=True):
        tasks.enqueue(account.pk, timezone.now() - timedelta(seconds=1))
    assert targets(post)[0].state == TargetState.PUBLISHED
    assert queued_for_later() == []


def test_it_queues_the_account_for_the_time_a_post_is_scheduled(
    workspace, alice, network, django_capture_on_commit_callbacks
):
    make_account(workspace)
    post = make_post(workspace, alice, networks=("mastodon",), state=PostState.APPROVED)
    when = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.do_schedule(access_for(alice, workspace), post, when)
    assert runs_for(when)
    assert targets(post)[0].next_attempt_at == when
    assert network.requests == []


def test_it_queues_the_retry_for_its_backoff_time(
    workspace, alice, network, django_capture_on_commit_callbacks
):
    account = make_account(workspace)
    post = scheduled_post(workspace, alice, [account])
    network.answers = [httpx.Response(429, headers={"Retry-After": "90"})]
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.publish_account.call_local(account.pk) == 1
    [target] = targets(post)
    assert runs_for(target.next_attempt_at)


def test_it_dispatches_every_account_with_something_due(workspace, alice, network):
    first = make_account(workspace, name="First", remote_id="m-1")
    second = make_account(workspace, name="Second", remote_id="m-2")
    later = make_account(workspace, name="Later", remote_id="m-3")
    due_now = scheduled_post(workspace, alice, [first, second])
    not_yet = scheduled_post(workspace, alice, [later], due=timezone.now() + timedelta(hours=1))
    Target.objects.filter(post=not_yet).exclude(account=later).delete()
    Target.objects.filter(post=due_now, account=later).delete()
    network.answers = [status(1)]
    assert tasks.dispatch.call_local() == 2
    assert {t.state for t in targets(due_now)} == {TargetState.PUBLISHED}
    assert targets(not_yet)[0].state == TargetState.SCHEDULED
    assert len(network.requests) == 2


def test_it_sweeps_before_dispatching(workspace, alice, network):
    account = make_account(workspace)
    crashed = scheduled_post(workspace, alice, [account])
    dead = claim(account, "dead-worker")
    Target.objects.filter(pk=dead.target.pk).update(
        lease_until=timezone.now() - timedelta(seconds=1)
    )
    missed = make_account(workspace, name="Missed", remote_id="m-2")
    gone_by = scheduled_post(
        workspace, alice, [missed], due=timezone.now() - MAX_LATENESS - timedelta(minutes=1)
    )
    Target.objects.filter(post=gone_by).exclude(account=missed).delete()
    Target.objects.filter(post=crashed, account=missed).delete()
    network.answers = [status(1)]
    tasks.dispatch.call_local()
    [swept] = targets(crashed)
    # Back to "scheduled, verify first", then published with the same key (Mastodon).
    assert swept.state == TargetState.PUBLISHED
    assert network.requests[0].headers["Idempotency-Key"] == swept.idempotency_key
    [late] = targets(gone_by)
    assert (late.state, late.problem) == (TargetState.FAILED, Problem.MISSED)
    assert len(network.requests) == 1


def test_it_dispatches_a_paused_account_without_sending_anything(workspace, alice, network):
    account = make_account(workspace, paused_until=timezone.now() + timedelta(minutes=5))
    post = scheduled_post(workspace, alice, [account])
    assert tasks.dispatch.call_local() == 1
    assert tasks.publish_account.call_local(account.pk) == 0
    assert targets(post)[0].state == TargetState.SCHEDULED
    assert network.requests == []
