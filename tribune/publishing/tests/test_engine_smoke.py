"""The engine end to end on the database, with a scripted network."""

from __future__ import annotations

import httpx

from tribune.editorial.choices import PostState
from tribune.publishing.engine import drain
from tribune.publishing.models import Attempt, TargetState

from .support import make_account, scheduled_post, status, targets


def test_it_publishes_a_due_target_once(workspace, alice, network):
    account = make_account(workspace)
    post = scheduled_post(workspace, alice, [account])
    network.answers = [status(1)]
    assert drain(account.pk) == 1
    [target] = targets(post)
    assert target.state == TargetState.PUBLISHED
    assert target.url == "https://mastodon.example/@lumen/101"
    post.refresh_from_db()
    assert post.state == PostState.PUBLISHED
    assert drain(account.pk) == 0
    assert len(network.requests) == 1
    attempt = Attempt.objects.get(target=target)
    assert attempt.outcome == "published" and attempt.finished_at


def test_it_retries_a_5xx_with_the_same_idempotency_key(workspace, alice, network):
    account = make_account(workspace)
    post = scheduled_post(workspace, alice, [account])
    network.answers = [httpx.Response(503), status(1)]
    drain(account.pk)
    [target] = targets(post)
    assert target.state == TargetState.SCHEDULED and target.verify_first
    target.next_attempt_at = target.due_at
    target.save()
    drain(account.pk)
    target.refresh_from_db()
    assert target.state == TargetState.PUBLISHED
    keys = {r.headers["Idempotency-Key"] for r in network.requests}
    assert keys == {target.idempotency_key}


def test_it_sends_a_failed_publication_at_the_new_time_when_scheduled_again(
    workspace, alice, network
):
    from datetime import timedelta

    from django.utils import timezone

    from tribune.editorial import workflow
    from tribune.publishing.sweeper import sweep_missed
    from tribune.testing.fixtures import set_roles

    from .support import access_for

    set_roles(alice, workspace, "owner")
    account = make_account(workspace)
    post = scheduled_post(workspace, alice, [account], due=timezone.now() - timedelta(hours=2))
    sweep_missed()
    [target] = targets(post)
    assert target.state == TargetState.FAILED and target.problem == "missed"
    post.refresh_from_db()
    assert post.state == PostState.FAILED
    access = access_for(alice, workspace)
    workflow.do_transition(access, post, PostState.DRAFT)
    post.refresh_from_db()
    post.state = PostState.APPROVED
    post.save()
    when = timezone.now() + timedelta(hours=1)
    workflow.do_schedule(access, post, when)
    target.refresh_from_db()
    assert (target.state, target.next_attempt_at, target.problem) == (
        TargetState.SCHEDULED, when, "")  # fmt: skip
