"""The sweepers: workers that died mid-attempt, and targets nobody published in time.

A dead worker is a claim whose lease is moved into the past; the network is the scripted
imitation of tests/support.py; the made-up connectors are in tests/connectors.py.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from django.utils import timezone

from tribune.editorial.choices import PostState
from tribune.editorial.models import Transition
from tribune.editorial.tests.workflow_support import make_post
from tribune.networks.base import RemoteRef
from tribune.publishing import retry, tasks
from tribune.publishing.engine import _save_progress, drain, execute
from tribune.publishing.models import Outcome, Problem, Target, TargetState
from tribune.publishing.sweeper import (
    LATE_AFTER,
    MAX_LATENESS,
    late_targets,
    sweep_expired_leases,
    sweep_missed,
)

from .support import (
    age_attempts,
    attempts,
    claim,
    created,
    make_account,
    notified,
    scheduled_post,
    search,
    status,
    targets,
)


def died_mid_attempt(workspace, author, network_key="mastodon"):
    """A target claimed by a worker that then stopped: its lease has run out."""
    account = make_account(workspace, network_key)
    post = scheduled_post(workspace, author, [account], networks=(network_key,))
    dead = claim(account, "dead-worker")
    Target.objects.filter(pk=dead.target.pk).update(
        lease_until=timezone.now() - timedelta(seconds=1)
    )
    return account, post, dead


def test_it_returns_an_expired_lease_to_scheduled_with_verify_first(workspace, alice):
    _account, post, dead = died_mid_attempt(workspace, alice)
    assert sweep_expired_leases() == 1
    [target] = targets(post)
    assert target.state == TargetState.SCHEDULED and target.verify_first
    assert (target.lease_owner, target.lease_until) == ("", None)
    assert target.next_attempt_at <= timezone.now()
    [attempt] = attempts(target)
    assert attempt.pk == dead.attempt.pk
    assert attempt.outcome == Outcome.LEASE_EXPIRED and attempt.finished_at
    assert sweep_expired_leases() == 0


def test_it_leaves_a_live_lease_alone(workspace, alice):
    account = make_account(workspace)
    post = scheduled_post(workspace, alice, [account])
    claim(account)
    assert sweep_expired_leases() == 0
    assert targets(post)[0].state == TargetState.PUBLISHING


def test_it_resends_the_same_key_to_mastodon_after_a_dead_worker(workspace, alice, network):
    account, post, _dead = died_mid_attempt(workspace, alice)
    sweep_expired_leases()
    network.answers = [status(1)]
    drain(account.pk)
    [target] = targets(post)
    assert target.state == TargetState.PUBLISHED
    [sent] = network.sent("POST", "/statuses")
    assert sent.headers["Idempotency-Key"] == target.idempotency_key


def test_it_hands_a_dead_workers_mastodon_target_to_a_person_after_the_hour(
    workspace, alice, network
):
    account, post, _dead = died_mid_attempt(workspace, alice)
    age_attempts(targets(post)[0], timedelta(hours=1))
    sweep_expired_leases()
    drain(account.pk)
    [target] = targets(post)
    assert target.state == TargetState.UNKNOWN
    assert network.requests == []
    assert notified("publish_unknown")


def test_it_looks_first_after_a_dead_worker_and_settles_on_what_it_finds(
    workspace, alice, network, test_networks
):
    account, post, _dead = died_mid_attempt(workspace, alice, "findable")
    sweep_expired_leases()
    network.answers = [search(4)]
    drain(account.pk)
    [target] = targets(post)
    assert target.state == TargetState.PUBLISHED and target.remote_id == "p4"
    assert attempts(target)[-1].outcome == Outcome.FOUND
    assert network.sent("POST") == []


def test_it_publishes_after_a_dead_worker_when_the_search_finds_nothing(
    workspace, alice, network, test_networks
):
    account, post, _dead = died_mid_attempt(workspace, alice, "findable")
    sweep_expired_leases()
    network.answers = [search(), created(5)]
    drain(account.pk)
    [target] = targets(post)
    assert target.state == TargetState.PUBLISHED and target.remote_id == "p5"
    assert len(network.sent("POST")) == 1


def test_it_hands_a_dead_workers_target_to_a_person_when_nothing_can_check(
    workspace, alice, network, test_networks
):
    account, post, _dead = died_mid_attempt(workspace, alice, "blind")
    sweep_expired_leases()
    drain(account.pk)
    [target] = targets(post)
    assert target.state == TargetState.UNKNOWN and target.problem == Problem.UNKNOWN
    assert network.requests == [], "never sent blindly"
    [note] = notified("publish_unknown")
    assert note.recipient == alice
    post.refresh_from_db()
    assert post.state == PostState.OUTCOME_UNKNOWN


def test_it_settles_without_a_request_when_the_dead_worker_had_saved_the_publication(
    workspace, alice, network, test_networks
):
    account, post, dead = died_mid_attempt(workspace, alice, "blind")
    # The worker saw the network publish it and saved it, then died before settling.
    _save_progress(dead, [RemoteRef("p9", "https://blind.example/p/9")])
    sweep_expired_leases()
    drain(account.pk)
    [target] = targets(post)
    assert target.state == TargetState.PUBLISHED
    assert (target.remote_id, target.url) == ("p9", "https://blind.example/p/9")
    assert attempts(target)[-1].outcome == Outcome.FOUND
    assert network.requests == []


def test_it_lets_a_late_worker_that_saw_success_record_it(workspace, alice, network):
    _account, post, dead = died_mid_attempt(workspace, alice)
    sweep_expired_leases()
    # The "dead" worker was only slow: its request went through after all.
    network.answers = [status(3)]
    execute(dead)
    [target] = targets(post)
    assert target.state == TargetState.PUBLISHED and target.remote_id == "103"
    assert not target.verify_first
    post.refresh_from_db()
    assert post.state == PostState.PUBLISHED


def test_it_keeps_the_late_workers_success_when_another_worker_took_over(workspace, alice, network):
    account, post, dead = died_mid_attempt(workspace, alice)
    sweep_expired_leases()
    second = claim(account, "worker-b")
    network.answers = [status(3)]
    execute(dead)
    # Mastodon answers the same key with the status it already made.
    execute(second)
    [target] = targets(post)
    assert target.state == TargetState.PUBLISHED and target.remote_id == "103"
    keys = {r.headers["Idempotency-Key"] for r in network.sent("POST", "/statuses")}
    assert keys == {target.idempotency_key}


def test_it_does_not_let_a_late_worker_that_saw_a_failure_overwrite(workspace, alice, network):
    _account, post, dead = died_mid_attempt(workspace, alice)
    sweep_expired_leases()
    network.answers = [httpx.Response(422, json={"error": "Too long"})]
    execute(dead)
    [target] = targets(post)
    assert target.state == TargetState.SCHEDULED and target.verify_first
    assert target.problem == ""
    assert notified("publish_failed") == []


def test_it_does_not_let_a_late_failure_overwrite_the_worker_that_took_over(
    workspace, alice, network
):
    account, post, dead = died_mid_attempt(workspace, alice)
    sweep_expired_leases()
    second = claim(account, "worker-b")
    network.answers = [httpx.Response(422, json={"error": "Too long"})]
    execute(dead)
    [target] = targets(post)
    assert target.state == TargetState.PUBLISHING and target.lease_owner == "worker-b"
    network.answers = [status(1)]
    execute(second)
    target.refresh_from_db()
    assert target.state == TargetState.PUBLISHED


def test_it_stops_retrying_a_target_whose_workers_keep_dying(workspace, alice, network):
    account, post, dead = died_mid_attempt(workspace, alice)
    Target.objects.filter(pk=dead.target.pk).update(attempt_count=retry.MAX_ATTEMPTS)
    assert sweep_expired_leases() == 1
    [target] = targets(post)
    assert target.state == TargetState.UNKNOWN and target.verify_first
    assert notified("publish_unknown")
    assert drain(account.pk) == 0


def test_it_publishes_a_target_missed_by_less_than_an_hour_at_the_next_dispatch(
    workspace, alice, network, huey_immediate
):
    account = make_account(workspace)
    post = scheduled_post(workspace, alice, [account], due=timezone.now() - timedelta(minutes=40))
    assert list(late_targets()) == targets(post)
    network.answers = [status(1)]
    tasks.dispatch()
    [target] = targets(post)
    assert target.state == TargetState.PUBLISHED
    assert list(late_targets()) == []


def test_it_fails_a_target_missed_by_more_than_an_hour_and_tells_people(
    workspace, alice, network, huey_immediate
):
    workspace.time_zone = "America/Montreal"  # not the server's zone
    workspace.save()
    account = make_account(workspace)
    due = timezone.now() - MAX_LATENESS - timedelta(minutes=5)
    post = scheduled_post(workspace, alice, [account], due=due)
    tasks.dispatch()
    [target] = targets(post)
    assert target.state == TargetState.FAILED and target.problem == Problem.MISSED
    assert "no worker was running" in target.message
    # In the workspace's time zone, as its people planned it.
    planned = due.astimezone(ZoneInfo("America/Montreal")).strftime("%Y-%m-%d %H:%M %Z")
    assert planned in target.message
    assert network.requests == []
    [note] = notified("publish_failed")
    assert post.title in note.text
    post.refresh_from_db()
    assert post.state == PostState.FAILED


def test_it_fails_a_scheduled_post_with_no_target_and_says_why(workspace, alice):
    post = make_post(workspace, alice, networks=("mastodon",), state=PostState.SCHEDULED)
    post.scheduled_at = timezone.now() - LATE_AFTER - timedelta(seconds=1)
    post.save()
    assert sweep_missed() == 1
    post.refresh_from_db()
    assert post.state == PostState.FAILED
    last = Transition.objects.filter(post=post).latest("pk")
    assert (last.from_state, last.to_state) == (PostState.SCHEDULED, PostState.FAILED)
    assert "No account was connected" in last.reason


def test_it_waits_before_failing_a_post_with_no_target(workspace, alice):
    post = make_post(workspace, alice, networks=("mastodon",), state=PostState.SCHEDULED)
    post.scheduled_at = timezone.now() - timedelta(seconds=30)
    post.save()
    assert sweep_missed() == 0
    post.refresh_from_db()
    assert post.state == PostState.SCHEDULED


@pytest.mark.parametrize("late", [timedelta(minutes=1), timedelta(minutes=3)])
def test_it_reports_a_target_as_late_only_after_the_dispatcher_had_its_chance(
    workspace, alice, late
):
    account = make_account(workspace)
    post = scheduled_post(workspace, alice, [account], due=timezone.now() - late)
    assert (list(late_targets()) == targets(post)) == (late > LATE_AFTER)
