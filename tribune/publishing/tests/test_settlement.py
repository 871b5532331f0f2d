"""Settling many outcomes at once (settlement.settle_many), as the worker's loop does.

It must leave exactly what settle() leaves one by one: the targets moved, the attempts
finished, the posts' states and transitions, the people told, the retries queued, and
nothing moved that this worker no longer holds.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import OperationalError
from django.utils import timezone

from tribune.editorial.choices import PostState
from tribune.networks.base import RemoteRef
from tribune.publishing import settlement
from tribune.publishing.batch import claim_batch
from tribune.publishing.models import Attempt, Outcome, Problem, Target, TargetState
from tribune.publishing.settlement import Settlement, settle_many

from .support import make_account, notified, scheduled_post


@pytest.fixture
def retries_queued(monkeypatch) -> list:
    queued: list = []
    monkeypatch.setattr(
        "tribune.publishing.tasks.enqueue", lambda account_id, when: queued.append(account_id)
    )
    return queued


def three_claims(workspace, author):
    """Three posts, one target each on its own account, all claimed by one batch."""
    accounts = [make_account(workspace, remote_id=f"m-{n}", name=f"A{n}") for n in range(3)]
    for account in accounts:
        post = scheduled_post(workspace, author, [account])
        Target.objects.filter(post=post).exclude(account=account).delete()
    claims = sorted(claim_batch("worker-a", timezone.now(), 10), key=lambda c: c.target.pk)
    assert len(claims) == 3
    return claims


def outcomes_for(claims):
    published = Settlement(
        TargetState.PUBLISHED, Outcome.PUBLISHED, status_code=200,
        ref=RemoteRef("101", "https://mastodon.example/@lumen/101", {}))  # fmt: skip
    retry = Settlement(
        TargetState.SCHEDULED, Outcome.RETRY, message="503", status_code=503,
        next_at=timezone.now() + timedelta(seconds=5))  # fmt: skip
    failed = Settlement(
        TargetState.FAILED, Outcome.FAILED, problem=Problem.REJECTED, message="too long",
        status_code=422)  # fmt: skip
    return list(zip(claims, (published, retry, failed), strict=True))


def check_settled(claims, retries_queued) -> None:
    first, second, third = (Target.objects.get(pk=c.target.pk) for c in claims)
    assert (first.state, first.remote_id, first.lease_owner) == (TargetState.PUBLISHED, "101", "")
    assert first.published_at is not None
    assert (second.state, second.message) == (TargetState.SCHEDULED, "503")
    assert second.next_attempt_at > timezone.now()
    assert (third.state, third.problem) == (TargetState.FAILED, Problem.REJECTED)
    attempts = [Attempt.objects.get(pk=c.attempt.pk) for c in claims]
    assert [a.outcome for a in attempts] == [Outcome.PUBLISHED, Outcome.RETRY, Outcome.FAILED]
    assert all(a.finished_at is not None for a in attempts)
    assert [a.status_code for a in attempts] == [200, 503, 422]
    assert [c.target.post.__class__.objects.get(pk=c.target.post_id).state for c in claims] == [
        PostState.PUBLISHED, PostState.PUBLISHING, PostState.FAILED]  # fmt: skip
    assert len(notified("publish_failed")) == 1
    assert retries_queued == [claims[1].target.account_id]


def test_it_settles_many_outcomes_in_one_go(workspace, alice, retries_queued):
    claims = three_claims(workspace, alice)
    retries_queued.clear()  # what scheduling the posts queued
    settle_many(outcomes_for(claims))
    check_settled(claims, retries_queued)


def test_it_settles_each_on_its_own_when_the_batch_fails(
    workspace, alice, retries_queued, monkeypatch
):
    claims = three_claims(workspace, alice)
    retries_queued.clear()  # what scheduling the posts queued

    def deadlock(post_ids):
        raise OperationalError("deadlock detected")

    monkeypatch.setattr(settlement, "rollup_many", deadlock)
    settle_many(outcomes_for(claims))
    check_settled(claims, retries_queued)


def test_it_moves_no_target_this_worker_lost(workspace, alice, retries_queued):
    claims = three_claims(workspace, alice)
    retries_queued.clear()  # what scheduling the posts queued
    # The sweeper took the second back after its lease ran out: another attempt owns it.
    Target.objects.filter(pk=claims[1].target.pk).update(
        state=TargetState.SCHEDULED, lease_owner="", lease_until=None, verify_first=True
    )
    settle_many(outcomes_for(claims))
    second = Target.objects.get(pk=claims[1].target.pk)
    assert (second.state, second.verify_first, second.message) == (TargetState.SCHEDULED, True, "")
    assert Attempt.objects.get(pk=claims[1].attempt.pk).outcome == Outcome.RETRY
    assert retries_queued == [], "no retry queued for a target this worker no longer holds"
    assert Target.objects.get(pk=claims[0].target.pk).state == TargetState.PUBLISHED
