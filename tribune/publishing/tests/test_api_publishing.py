"""The publishing API: a post's targets with their attempts, and people's decisions."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from django.utils import timezone

from tribune.editorial.choices import PostState
from tribune.editorial.tests.workflow_support import english, make_post  # noqa: F401
from tribune.networks.mastodon.connector import MastodonConnector
from tribune.publishing.engine import drain
from tribune.publishing.models import TargetState
from tribune.testing import api_client
from tribune.testing.api_client import assert_problem
from tribune.testing.fixtures import set_roles

from .support import make_account, scheduled_post, status, targets

pytestmark = pytest.mark.usefixtures("english")
api_as = api_client.api_as  # the fixture, under its own name
BASE = "/api/v1/workspaces/lumen"


def refused() -> httpx.Response:
    return httpx.Response(422, json={"error": "Text too long"})


def failed(workspace, author, network, answer=None):
    account = make_account(workspace)
    post = scheduled_post(workspace, author, [account])
    network.answers = [answer or refused()]
    drain(account.pk)
    [target] = targets(post)
    return post, target


def target_url(post, target, verb: str = "") -> str:
    return f"{BASE}/posts/{post.pk}/targets/{target.pk}" + (f"/{verb}" if verb else "")


def test_it_lists_the_targets_with_their_attempts_and_advice(api_as, workspace, alice, network):
    post, target = failed(workspace, alice, network)
    response = api_as(alice).get(f"{BASE}/posts/{post.pk}/targets")
    assert response.status_code == 200, response.content
    [body] = response.json()
    assert body["id"] == target.pk and body["state"] == "failed" and body["problem"] == "rejected"
    assert (
        body["account"]["network"] == "mastodon" and body["account"]["name"] == "Lumen on mastodon"
    )
    assert "token" not in str(body["account"])
    assert body["message"] == "Text too long"
    assert body["advice"] == "Edit the text for this network, then retry."
    [attempt] = body["attempts"]
    assert (attempt["number"], attempt["outcome"], attempt["status_code"]) == (1, "failed", 422)


def test_it_retries_a_failed_target(api_as, workspace, alice, network):
    post, target = failed(workspace, alice, network)
    response = api_as(alice).post(target_url(post, target, "retry"))
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "scheduled" and response.json()["advice"] is None
    network.answers = [status(2)]
    drain(target.account_id)
    body = api_as(alice).get(f"{BASE}/posts/{post.pk}/targets").json()[0]
    assert body["state"] == "published" and body["url"] == "https://mastodon.example/@lumen/102"
    assert [a["outcome"] for a in body["attempts"]] == ["failed", "decided", "published"]


def test_it_marks_a_target_published_and_checks_the_address(api_as, workspace, alice, network):
    post, target = failed(workspace, alice, network)
    for bad in ("", "ftp://files.example/x", "javascript:alert(1)"):
        response = api_as(alice).post(target_url(post, target, "mark-published"), {"url": bad})
        body = assert_problem(response, 422)
        assert body["errors"][0]["loc"][-1] == "url"
    assert_problem(api_as(alice).post(target_url(post, target, "mark-published"), {}), 422)
    url = "https://mastodon.example/@lumen/9"
    response = api_as(alice).post(target_url(post, target, "mark-published"), {"url": url})
    assert response.status_code == 200 and response.json()["url"] == url
    post.refresh_from_db()
    assert post.state == PostState.PUBLISHED
    # Published now: a second decision clashes with the state.
    response = api_as(alice).post(target_url(post, target, "skip"), {"reason": "x"})
    assert "not waiting for a decision" in assert_problem(response, 409)["detail"]


def test_it_publishes_an_unknown_outcome_again(api_as, workspace, alice, network, monkeypatch):
    monkeypatch.setattr(MastodonConnector, "idempotent_publish", False)
    post, target = failed(workspace, alice, network, httpx.Response(503))
    assert target.state == TargetState.UNKNOWN
    body = api_as(alice).get(f"{BASE}/posts/{post.pk}/targets").json()[0]
    assert body["advice"].startswith("Check the account on the network")
    response = api_as(alice).post(target_url(post, target, "publish-again"))
    assert response.status_code == 200 and response.json()["state"] == "scheduled"
    assert_problem(api_as(alice).post(target_url(post, target, "publish-again")), 409)


def test_it_skips_a_target_with_a_reason(api_as, workspace, alice, network):
    post, target = failed(workspace, alice, network)
    assert_problem(api_as(alice).post(target_url(post, target, "skip"), {"reason": "  "}), 422)
    response = api_as(alice).post(target_url(post, target, "skip"), {"reason": "Offer ended"})
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["message"]) == ("skipped", "Offer ended")


def test_it_retries_the_failed_targets_of_a_post(api_as, workspace, alice, network):
    first = make_account(workspace, name="Main")
    second = make_account(workspace, name="Studio", remote_id="mastodon-2")
    post = scheduled_post(workspace, alice, [first, second])
    network.answers = [status(1), refused()]
    drain(first.pk)
    drain(second.pk)
    response = api_as(alice).post(f"{BASE}/posts/{post.pk}/retry-failed")
    assert response.status_code == 200
    assert [t["state"] for t in response.json()] == ["published", "scheduled"]
    assert_problem(api_as(alice).post(f"{BASE}/posts/{post.pk}/retry-failed"), 409)


def test_it_publishes_an_approved_post_now(api_as, workspace, alice, network):
    make_account(workspace)
    post = make_post(workspace, alice, networks=("mastodon",), state=PostState.APPROVED)
    response = api_as(alice).post(f"{BASE}/posts/{post.pk}/publish-now")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "scheduled" and [t["state"] for t in body["targets"]] == ["scheduled"]
    post.refresh_from_db()
    assert post.scheduled_at - timezone.now() < timedelta(seconds=10)
    draft = make_post(workspace, alice, networks=("mastodon",))
    response = api_as(alice).post(f"{BASE}/posts/{draft.pk}/publish-now")
    assert "approved or scheduled" in assert_problem(response, 409)["detail"]


def test_it_checks_roles_networks_and_workspaces(api_as, workspace, alice, bob, charlie, network):
    post, target = failed(workspace, alice, network)
    set_roles(bob, workspace, "guest")
    assert api_as(bob).get(f"{BASE}/posts/{post.pk}/targets").status_code == 200
    assert_problem(api_as(bob).post(target_url(post, target, "retry")), 403)
    set_roles(bob, workspace, "publisher", scopes={"publisher": ["bluesky"]})
    response = api_as(bob).post(target_url(post, target, "retry"))
    assert "Mastodon" in assert_problem(response, 403)["detail"]
    assert_problem(api_as(bob).post(target_url(post, target, "skip"), {"reason": "x"}), 403)
    approved = make_post(workspace, alice, networks=("mastodon",), state=PostState.APPROVED)
    assert_problem(api_as(bob).post(f"{BASE}/posts/{approved.pk}/publish-now"), 403)
    assert_problem(api_as(charlie).get(f"{BASE}/posts/{post.pk}/targets"), 404)
    assert_problem(api_as(charlie).post(target_url(post, target, "retry")), 404)
    assert_problem(api_as(None).post(target_url(post, target, "retry")), 401)
    target.refresh_from_db()
    assert target.state == TargetState.FAILED


def test_it_answers_404_for_a_target_of_another_post(api_as, workspace, alice, network):
    post, target = failed(workspace, alice, network)
    other = make_post(workspace, alice, networks=("mastodon",))
    assert_problem(api_as(alice).post(f"{BASE}/posts/{other.pk}/targets/{target.pk}/retry"), 404)
    assert_problem(api_as(alice).post(f"{BASE}/posts/{post.pk}/targets/999999/retry"), 404)
    assert_problem(api_as(alice).get(f"{BASE}/posts/999999/targets"), 404)
    target.refresh_from_db()
    assert target.state == TargetState.FAILED


def test_it_reads_the_targets_in_a_fixed_number_of_queries(
    api_as, workspace, alice, network, django_assert_max_num_queries
):
    accounts = [make_account(workspace, remote_id=f"m-{n}", name=f"A{n}") for n in range(5)]
    post = scheduled_post(workspace, alice, accounts)
    network.answers = [refused()]
    for account in accounts:
        drain(account.pk)
    client = api_as(alice)
    with django_assert_max_num_queries(8):
        response = client.get(f"{BASE}/posts/{post.pk}/targets")
    assert len(response.json()) == 5
