"""First comments after publishing, and threads published part by part.

The network is the scripted imitation of tests/support.py (httpx.MockTransport); Mastodon
through its real connector, plus the made-up connectors of tests/connectors.py.
"""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
from django.utils import timezone

from tribune.editorial.choices import PostState
from tribune.publishing.actions import do_retry
from tribune.publishing.engine import drain
from tribune.publishing.models import Outcome, Problem, Target, TargetState
from tribune.publishing.sweeper import sweep_expired_leases

from .support import (
    access_for,
    attempts,
    created,
    make_account,
    make_due,
    scheduled_post,
    search,
    status,
    targets,
)


def with_variant(post, **fields):
    variant = post.variants.get()
    for name, value in fields.items():
        setattr(variant, name, value)
    variant.save()
    return post


def body(request: httpx.Request) -> dict:
    return json.loads(request.content)


def test_it_posts_the_first_comment_as_a_reply_to_the_published_post(workspace, alice, network):
    account = make_account(workspace)
    post = with_variant(scheduled_post(workspace, alice, [account]), first_comment="Tickets: …")
    network.answers = [status(1), status(2)]
    drain(account.pk)
    [target] = targets(post)
    assert target.state == TargetState.PUBLISHED and target.remote_id == "101"
    publish, comment = network.sent("POST", "/statuses")
    assert "in_reply_to_id" not in body(publish)
    assert body(comment)["in_reply_to_id"] == "101"
    assert body(comment)["status"] == "Tickets: …"
    assert target.first_comment_url == "https://mastodon.example/@lumen/102"
    assert target.first_comment_problem == ""


def test_it_keeps_the_post_published_when_its_first_comment_fails(workspace, alice, network):
    account = make_account(workspace)
    post = with_variant(scheduled_post(workspace, alice, [account]), first_comment="Tickets")
    network.answers = [status(1), httpx.Response(422, json={"error": "Reply refused"})]
    drain(account.pk)
    [target] = targets(post)
    assert target.state == TargetState.PUBLISHED and target.url.endswith("/101")
    assert target.first_comment_problem == "Reply refused"
    assert target.first_comment_url == ""
    assert attempts(target)[-1].outcome == Outcome.PUBLISHED
    post.refresh_from_db()
    assert post.state == PostState.PUBLISHED
    make_due(target)
    assert drain(account.pk) == 0
    assert len(network.requests) == 2


def test_it_keeps_the_post_published_when_the_first_comment_breaks_unexpectedly(
    workspace, alice, network
):
    account = make_account(workspace)
    post = with_variant(scheduled_post(workspace, alice, [account]), first_comment="Tickets")
    # An answer the connector cannot read (no "id"): a bug, not a network error.
    network.answers = [status(1), httpx.Response(200, json={"unexpected": True})]
    drain(account.pk)
    [target] = targets(post)
    assert target.state == TargetState.PUBLISHED and not target.verify_first
    assert target.first_comment_problem


def test_it_sends_no_first_comment_where_the_network_takes_no_replies(
    workspace, alice, network, test_networks
):
    account = make_account(workspace, "blind")
    post = scheduled_post(workspace, alice, [account], networks=("blind",))
    with_variant(post, first_comment="Tickets")
    network.answers = [created(1, "blind")]
    drain(account.pk)
    [target] = targets(post)
    assert target.state == TargetState.PUBLISHED
    assert len(network.requests) == 1


def test_it_publishes_a_thread_in_order_each_part_replying_to_the_one_before(
    workspace, alice, network
):
    account = make_account(workspace)
    post = scheduled_post(workspace, alice, [account])
    with_variant(post, options={"thread": ["Part two", "  ", "Part three"]})
    network.answers = [status(1), status(2), status(3)]
    drain(account.pk)
    [target] = targets(post)
    assert target.state == TargetState.PUBLISHED
    assert (target.remote_id, target.url) == ("101", "https://mastodon.example/@lumen/101")
    first, second, third = network.sent("POST", "/statuses")
    assert [body(r)["status"] for r in (second, third)] == ["Part two", "Part three"]
    assert "in_reply_to_id" not in body(first)
    assert body(second)["in_reply_to_id"] == "101"
    assert body(third)["in_reply_to_id"] == "102"
    key = target.idempotency_key
    assert [r.headers["Idempotency-Key"] for r in (first, second, third)] == [
        key,
        f"{key}-1",
        f"{key}-2",
    ]
    assert [r["remote_id"] for r in target.thread_refs] == ["101", "102", "103"]


def test_it_names_the_threads_first_post_on_every_part(workspace, alice, network, test_networks):
    account = make_account(workspace, "findable")
    post = scheduled_post(workspace, alice, [account], networks=("findable",))
    with_variant(post, options={"thread": ["two", "three"]})
    network.answers = [created(1), created(2), created(3)]
    drain(account.pk)
    sent = [body(r) for r in network.sent("POST")]
    assert [(b.get("parent"), b.get("root")) for b in sent] == [
        (None, None),
        ("p1", "p1"),
        ("p2", "p1"),
    ]


def test_it_resumes_a_thread_from_the_part_that_failed(workspace, alice, network):
    account = make_account(workspace)
    post = scheduled_post(workspace, alice, [account])
    with_variant(post, options={"thread": ["Part two", "Part three"]})
    network.answers = [status(1), httpx.ConnectError("down"), status(2), status(3)]
    drain(account.pk)
    [target] = targets(post)
    assert target.state == TargetState.SCHEDULED
    assert [r["remote_id"] for r in target.thread_refs] == ["101"]
    post.refresh_from_db()
    assert post.state == PostState.PUBLISHING
    make_due(target)
    drain(account.pk)
    target.refresh_from_db()
    assert target.state == TargetState.PUBLISHED and target.remote_id == "101"
    texts = [body(r)["status"] for r in network.sent("POST", "/statuses")]
    assert texts.count("Part two") == 2, "the failed part is tried again"
    assert len(texts) == 4, "the first part is never sent again"
    assert body(network.sent("POST", "/statuses")[2])["in_reply_to_id"] == "101"


def test_it_resumes_a_thread_after_a_doubt_with_the_parts_own_key(workspace, alice, network):
    account = make_account(workspace)
    post = scheduled_post(workspace, alice, [account])
    with_variant(post, options={"thread": ["Part two"]})
    network.answers = [status(1), httpx.Response(503), status(2)]
    drain(account.pk)
    [target] = targets(post)
    assert target.state == TargetState.SCHEDULED and target.verify_first
    make_due(target)
    drain(account.pk)
    target.refresh_from_db()
    assert target.state == TargetState.PUBLISHED
    keys = [r.headers["Idempotency-Key"] for r in network.sent("POST", "/statuses")]
    key = target.idempotency_key
    assert keys == [key, f"{key}-1", f"{key}-1"]


def test_it_finds_a_thread_part_that_went_out_before_the_doubt(
    workspace, alice, network, test_networks
):
    account = make_account(workspace, "findable")
    post = scheduled_post(workspace, alice, [account], networks=("findable",))
    with_variant(post, options={"thread": ["two", "three"]})
    network.answers = [created(1), httpx.Response(502), search(2), created(3)]
    drain(account.pk)
    [target] = targets(post)
    make_due(target)
    drain(account.pk)
    target.refresh_from_db()
    assert target.state == TargetState.PUBLISHED
    assert [r["remote_id"] for r in target.thread_refs] == ["p1", "p2", "p3"]
    [looked] = network.sent("GET")
    assert looked.url.params["marker"] == f"{target.idempotency_key}-1"
    assert [b["text"] for b in map(body, network.sent("POST"))] == [
        post.variants.get().text,
        "two",
        "three",
    ]


def test_it_resumes_after_a_person_retries_a_thread_that_failed_midway(workspace, alice, network):
    account = make_account(workspace)
    post = scheduled_post(workspace, alice, [account])
    with_variant(post, options={"thread": ["Part two", "Part three"]})
    network.answers = [status(1), httpx.Response(422, json={"error": "Too long"})]
    drain(account.pk)
    [target] = targets(post)
    assert target.state == TargetState.FAILED and target.problem == Problem.REJECTED
    do_retry(access_for(alice, workspace), target.pk)
    network.answers = [status(2), status(3)]
    make_due(target)
    drain(account.pk)
    target.refresh_from_db()
    assert target.state == TargetState.PUBLISHED
    texts = [body(r)["status"] for r in network.sent("POST", "/statuses")]
    assert texts[1:] == ["Part two", "Part two", "Part three"]


def test_it_publishes_only_the_first_part_where_the_network_has_no_threads(
    workspace, alice, network, test_networks
):
    account = make_account(workspace, "blind")
    post = scheduled_post(workspace, alice, [account], networks=("blind",))
    with_variant(post, options={"thread": ["two", "three"]})
    network.answers = [created(1, "blind")]
    drain(account.pk)
    [target] = targets(post)
    assert target.state == TargetState.PUBLISHED
    [sent] = network.sent("POST")
    assert "parent" not in body(sent)
    assert len(target.thread_refs) == 1


def test_it_comments_under_the_first_post_of_a_thread(workspace, alice, network):
    account = make_account(workspace)
    post = scheduled_post(workspace, alice, [account])
    with_variant(post, options={"thread": ["Part two"]}, first_comment="Tickets")
    network.answers = [status(1), status(2), status(3)]
    drain(account.pk)
    comment = network.sent("POST", "/statuses")[-1]
    assert (body(comment)["status"], body(comment)["in_reply_to_id"]) == ("Tickets", "101")
    assert targets(post)[0].published_at <= timezone.now()


def test_it_stops_a_thread_once_its_lease_was_taken_back(workspace, alice, network, test_networks):
    """A slow worker whose lease ran out mid-thread sends no further part: the next attempt
    resumes, looking first, so no part goes out twice."""
    account = make_account(workspace, "findable")
    post = scheduled_post(workspace, alice, [account], networks=("findable",))
    with_variant(post, options={"thread": ["two", "three"]})
    [target] = targets(post)

    def first_part_while_the_lease_runs_out(request: httpx.Request) -> httpx.Response:
        Target.objects.filter(pk=target.pk).update(lease_until=timezone.now())
        sweep_expired_leases(timezone.now() + timedelta(seconds=1))
        return created(1)

    network.answers = [first_part_while_the_lease_runs_out, search(1), created(2), created(3)]
    drain(account.pk)
    assert len(network.sent("POST")) == 1, "the slow worker stopped after its part"
    target.refresh_from_db()
    assert target.state == TargetState.SCHEDULED and target.verify_first
    assert attempts(target)[0].outcome == Outcome.LEASE_EXPIRED
    make_due(target)
    drain(account.pk)
    target.refresh_from_db()
    assert target.state == TargetState.PUBLISHED
    assert [r["remote_id"] for r in target.thread_refs] == ["p1", "p2", "p3"]
    assert [b["text"] for b in map(body, network.sent("POST"))][1:] == ["two", "three"]
