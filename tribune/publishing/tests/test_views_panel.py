"""The post's publishing panel: what it shows about each target, and every button's effect.

Targets get their states from the real engine (`drain`) answering through a
ScriptedNetwork, not from fields set by hand.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from django.urls import reverse
from django.utils import timezone

from tribune.editorial.choices import PostState
from tribune.editorial.models import Notification
from tribune.editorial.tests.workflow_support import english, huey_immediate, make_post  # noqa: F401
from tribune.networks.mastodon.connector import MastodonConnector
from tribune.networks.models import AccountStatus
from tribune.publishing.engine import drain
from tribune.publishing.models import Problem, Target, TargetState
from tribune.publishing.sweeper import sweep_missed
from tribune.testing.fixtures import set_roles

from .support import make_account, scheduled_post, status, targets

pytestmark = pytest.mark.usefixtures("english")


def panel_url(post) -> str:
    return reverse("post-publishing", args=[post.workspace.slug, post.pk])


def action_url(name: str, target) -> str:
    return reverse(name, args=[target.workspace.slug, target.pk])


def refused(message: str = "Text too long for this instance") -> httpx.Response:
    return httpx.Response(422, json={"error": message})


def failed_target(workspace, author, network, answer=None):
    """A post with one Mastodon target the network refused (or answered `answer`)."""
    account = make_account(workspace)
    post = scheduled_post(workspace, author, [account])
    network.answers = [answer or refused()]
    drain(account.pk)
    [target] = targets(post)
    return post, target


def unknown_target(workspace, author, network, monkeypatch):
    """A target whose outcome is unknown: a 503 from a network that cannot deduplicate."""
    monkeypatch.setattr(MastodonConnector, "idempotent_publish", False)
    return failed_target(workspace, author, network, httpx.Response(503))


def partly_published(workspace, author, network):
    """Two Mastodon accounts: the first publishes, the second refuses."""
    first = make_account(workspace, name="Lumen main")
    second = make_account(workspace, name="Lumen studio", remote_id="mastodon-2")
    post = scheduled_post(workspace, author, [first, second])
    network.answers = [status(1), refused()]
    drain(first.pk)
    drain(second.pk)
    return post, targets(post)


# ---- what the panel shows ----


def test_it_shows_each_target_with_its_state_due_time_and_address(
    client, workspace, alice, network
):
    post, (published, failed) = partly_published(workspace, alice, network)
    post.refresh_from_db()
    assert post.state == PostState.PARTIALLY_PUBLISHED
    client.force_login(alice)
    body = client.get(panel_url(post)).content.decode()
    assert "Mastodon · Lumen main" in body and "Mastodon · Lumen studio" in body
    assert "Partially published" in body
    # The state in words, never by colour alone.
    assert ">Published</span>" in body and ">Failed</span>" in body
    link = 'href="https://mastodon.example/@lumen/101" target="_blank"'
    assert link in body
    assert "Text too long for this instance" in body


def test_it_shows_the_due_time_in_the_workspace_time_zone(client, workspace, alice, network):
    account = make_account(workspace)
    due = datetime(2031, 7, 1, 8, 30, tzinfo=UTC)
    post = scheduled_post(workspace, alice, [account], due=due)
    client.force_login(alice)
    body = client.get(panel_url(post)).content.decode()
    # 08:30 UTC is 10:30 in Paris in summer.
    assert 'datetime="2031-07-01T10:30:00+02:00"' in body
    assert "10:30" in body and "08:30" not in body


def test_it_lists_the_attempts_of_a_target(client, workspace, alice, network):
    account = make_account(workspace)
    post = scheduled_post(workspace, alice, [account])
    network.answers = [httpx.Response(503, json={"error": "Busy, try later"}), status(7)]
    drain(account.pk)
    Target.objects.filter(post=post).update(next_attempt_at=timezone.now())
    drain(account.pk)
    client.force_login(alice)
    body = client.get(panel_url(post)).content.decode()
    assert "2 attempts" in body
    assert "Will retry" in body and "Busy, try later" in body and "<td>503</td>" in body
    assert ">Published</td>" in body and "<td>200</td>" in body
    assert 'href="https://mastodon.example/@lumen/107"' in body
    # The worker that made each attempt is named.
    assert f"<td>{Target.objects.get(post=post).attempts.first().worker}</td>" in body


@pytest.mark.parametrize(
    ("answer", "problem", "advice", "link"),
    [
        (httpx.Response(401), Problem.AUTH, "Reconnect the account, then retry.", "/accounts/"),
        (refused(), Problem.REJECTED, "Edit the text for this network, then retry.", "/edit/"),
    ],
)
def test_it_advises_what_to_do_about_a_failure(
    client, workspace, alice, network, answer, problem, advice, link
):
    post, target = failed_target(workspace, alice, network, answer)
    assert (target.state, target.problem) == (TargetState.FAILED, problem)
    client.force_login(alice)
    body = client.get(panel_url(post)).content.decode()
    assert "What to do:" in body and advice in body
    assert f"/w/lumen{link}" in body or f"/posts/{post.pk}{link}" in body


def test_it_advises_checking_the_network_when_the_outcome_is_unknown(
    client, workspace, alice, network, monkeypatch
):
    post, target = unknown_target(workspace, alice, network, monkeypatch)
    assert target.state == TargetState.UNKNOWN
    client.force_login(alice)
    body = client.get(panel_url(post)).content.decode()
    assert "Check the account on the network: if the post is there, paste its address" in body
    assert "Publish again" in body and "Mark as published" in body


def test_it_advises_publishing_a_missed_target_now(client, workspace, alice, network):
    account = make_account(workspace)
    post = scheduled_post(workspace, alice, [account])
    sweep_missed(timezone.now() + timedelta(hours=2))
    [target] = targets(post)
    assert target.problem == Problem.MISSED
    client.force_login(alice)
    body = client.get(panel_url(post)).content.decode()
    assert "Retry to publish it now. To choose a new time, move the post back to draft" in body
    assert f'action="{action_url("target-retry", target)}"' in body
    # Its retry button says what it does for a missed post.
    network.answers = [status(2)]
    client.post(action_url("target-retry", target))
    drain(account.pk)
    target.refresh_from_db()
    assert target.state == TargetState.PUBLISHED


def test_it_shows_thread_parts_and_the_first_comment(client, workspace, alice, network):
    account = make_account(workspace)
    post = scheduled_post(workspace, alice, [account])
    variant = post.variants.get()
    variant.options = {"thread": ["Second part", "Third part"]}
    variant.first_comment = "Tickets on our site"
    variant.save()
    replied = httpx.Response(200, json={"id": "900", "url": "https://mastodon.example/@lumen/900"})
    network.answers = [status(1), status(2), status(3), replied]
    drain(account.pk)
    client.force_login(alice)
    body = client.get(panel_url(post)).content.decode()
    assert "Thread" in body and "Second part" in body and "Third part" in body
    assert 'href="https://mastodon.example/@lumen/103"' in body
    assert "First comment" in body


def test_it_returns_the_panel_alone_to_htmx_and_polls_while_publishing_is_due(
    client, workspace, alice, network
):
    account = make_account(workspace)
    post = scheduled_post(workspace, alice, [account])
    client.force_login(alice)
    response = client.get(panel_url(post), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert b"<html" not in response.content and 'id="publishing-panel"' in body
    assert 'hx-trigger="every 5s' in body
    network.answers = [status(1)]
    drain(account.pk)
    body = client.get(panel_url(post), HTTP_HX_REQUEST="true").content.decode()
    # Once everything is out, "published" shows and the panel stops asking.
    assert ">Published</span>" in body and "hx-trigger" not in body


def test_it_polls_slowly_for_a_post_due_later(client, workspace, alice):
    account = make_account(workspace)
    post = scheduled_post(workspace, alice, [account], due=timezone.now() + timedelta(days=2))
    client.force_login(alice)
    body = client.get(panel_url(post)).content.decode()
    assert 'hx-trigger="every 60s' in body


def test_it_shows_a_summary_on_the_post_page(client, workspace, alice, network):
    post, _targets = partly_published(workspace, alice, network)
    client.force_login(alice)
    page = client.get(reverse("post-detail", args=[workspace.slug, post.pk])).content.decode()
    assert f'hx-get="{panel_url(post)}?summary=1"' in page
    summary = client.get(panel_url(post) + "?summary=1", HTTP_HX_REQUEST="true").content.decode()
    assert "Lumen main" in summary and "See it on Mastodon" in summary
    assert "Edit the text for this network, then retry." in summary
    assert "<table" not in summary


def test_it_reads_the_panel_in_a_fixed_number_of_queries(
    client, workspace, alice, network, django_assert_max_num_queries
):
    accounts = [make_account(workspace, remote_id=f"m-{n}", name=f"A{n}") for n in range(6)]
    post = scheduled_post(workspace, alice, accounts)
    network.answers = [refused()]
    for account in accounts:
        drain(account.pk)
    client.force_login(alice)
    with django_assert_max_num_queries(12):
        response = client.get(panel_url(post))
    assert response.content.decode().count("Edit the text for this network") == 6


# ---- the buttons ----


def test_it_retries_a_failed_target_and_publishes_it(client, workspace, alice, network):
    post, target = failed_target(workspace, alice, network)
    client.force_login(alice)
    response = client.post(action_url("target-retry", target), {"next": panel_url(post)})
    assert response.status_code == 302 and response["Location"] == panel_url(post)
    target.refresh_from_db()
    assert target.state == TargetState.SCHEDULED and target.problem == ""
    network.answers = [status(3)]
    drain(target.account_id)
    target.refresh_from_db()
    post.refresh_from_db()
    assert target.state == TargetState.PUBLISHED and post.state == PostState.PUBLISHED


def test_it_retries_only_the_failed_targets_of_a_post(client, workspace, alice, network):
    post, (published, failed) = partly_published(workspace, alice, network)
    client.force_login(alice)
    body = client.get(panel_url(post)).content.decode()
    assert "Retry all failed" in body
    response = client.post(
        reverse("post-retry-failed", args=[workspace.slug, post.pk]), follow=True
    )
    assert "1 failed publication will be tried again" in response.content.decode()
    published_before = published.attempt_count
    published.refresh_from_db()
    failed.refresh_from_db()
    assert published.state == TargetState.PUBLISHED
    assert published.attempt_count == published_before
    assert failed.state == TargetState.SCHEDULED


def test_it_marks_an_unknown_outcome_as_published(client, workspace, alice, network, monkeypatch):
    post, target = unknown_target(workspace, alice, network, monkeypatch)
    client.force_login(alice)
    url = "https://mastodon.example/@lumen/555"
    response = client.post(action_url("target-mark-published", target), {"url": url}, follow=True)
    assert "Marked as published." in response.content.decode()
    target.refresh_from_db()
    post.refresh_from_db()
    assert (target.state, target.url) == (TargetState.PUBLISHED, url)
    assert post.state == PostState.PUBLISHED
    assert target.attempts.last().outcome == "decided"


def test_it_sends_an_unknown_outcome_again_after_a_person_checked(
    client, workspace, alice, network, monkeypatch
):
    post, target = unknown_target(workspace, alice, network, monkeypatch)
    client.force_login(alice)
    client.post(action_url("target-publish-again", target))
    target.refresh_from_db()
    assert target.state == TargetState.SCHEDULED and not target.verify_first
    network.answers = [status(4)]
    drain(target.account_id)
    target.refresh_from_db()
    assert target.state == TargetState.PUBLISHED


def test_it_skips_a_failed_target_with_a_reason(client, workspace, alice, network):
    post, target = failed_target(workspace, alice, network)
    client.force_login(alice)
    response = client.post(
        action_url("target-skip", target), {"reason": "The offer ended"}, follow=True
    )
    body = response.content.decode()
    target.refresh_from_db()
    post.refresh_from_db()
    assert target.state == TargetState.SKIPPED and target.message == "The offer ended"
    assert post.state == PostState.PUBLISHED  # nothing left to publish
    assert "Why it was skipped" in body and "The offer ended" in body


def test_it_publishes_an_approved_post_now(client, workspace, alice, network):
    account = make_account(workspace)
    post = make_post(workspace, alice, networks=("mastodon",), state=PostState.APPROVED)
    client.force_login(alice)
    body = client.get(panel_url(post)).content.decode()
    assert "Publish now" in body
    response = client.post(reverse("post-publish-now", args=[workspace.slug, post.pk]))
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.state == PostState.SCHEDULED
    assert post.scheduled_at - timezone.now() < timedelta(seconds=10)
    [target] = targets(post)
    assert target.account == account and target.state == TargetState.SCHEDULED


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("target-mark-published", {}, "Give the address of the published post"),
        ("target-mark-published", {"url": "ftp://files.example/post"}, "Enter a valid URL."),
        ("target-mark-published", {"url": "javascript:alert(1)"}, "Enter a valid URL."),
        ("target-skip", {"reason": "   "}, "Say why it is skipped."),
    ],
)
def test_it_refuses_bad_input_with_a_message(
    client, workspace, alice, network, name, data, message
):
    post, target = failed_target(workspace, alice, network)
    client.force_login(alice)
    response = client.post(action_url(name, target), data, follow=True)
    assert response.status_code == 200
    assert message in response.content.decode()
    target.refresh_from_db()
    assert target.state == TargetState.FAILED


def test_it_refuses_a_decision_the_state_does_not_allow_with_a_message(
    client, workspace, alice, network
):
    account = make_account(workspace)
    post = scheduled_post(workspace, alice, [account])
    network.answers = [status(1)]
    drain(account.pk)
    [target] = targets(post)
    client.force_login(alice)
    for name, data, message in [
        ("target-retry", {}, "Only a failed publication can be retried."),
        ("target-publish-again", {}, "Only a publication whose outcome is unknown"),
        ("target-mark-published", {"url": "https://x.example/1"}, "not waiting for a decision"),
        ("target-skip", {"reason": "no"}, "not waiting for a decision"),
    ]:
        response = client.post(action_url(name, target), data, follow=True)
        assert response.status_code == 200 and message in response.content.decode(), name
    response = client.post(
        reverse("post-retry-failed", args=[workspace.slug, post.pk]), follow=True
    )
    assert "Nothing to retry" in response.content.decode()
    response = client.post(reverse("post-publish-now", args=[workspace.slug, post.pk]), follow=True)
    assert "Only an approved or scheduled post can be published now." in response.content.decode()
    target.refresh_from_db()
    assert target.state == TargetState.PUBLISHED and target.attempt_count == 1


def test_it_asks_to_reconnect_before_retrying_an_expired_account(client, workspace, alice, network):
    post, target = failed_target(workspace, alice, network, httpx.Response(401))
    assert target.account.__class__.objects.get(pk=target.account_id).status == (
        AccountStatus.RECONNECT
    )
    client.force_login(alice)
    response = client.post(action_url("target-retry", target), follow=True)
    assert "Reconnect the account first, then retry." in response.content.decode()
    target.refresh_from_db()
    assert target.state == TargetState.FAILED


def test_it_answers_404_for_an_unknown_target_or_post(client, workspace, alice):
    client.force_login(alice)
    for name in ("target-retry", "target-publish-again", "target-mark-published", "target-skip"):
        url = reverse(name, args=[workspace.slug, 999999])
        assert client.post(url, {"url": "https://x.example/", "reason": "r"}).status_code == 404
    assert client.get(reverse("post-publishing", args=[workspace.slug, 999999])).status_code == 404


# ---- who may see and do what ----


def test_it_shows_the_panel_without_buttons_to_a_member_who_cannot_publish(
    client, workspace, alice, bob, network
):
    post, target = failed_target(workspace, alice, network)
    for role in ("editor", "guest"):
        set_roles(bob, workspace, role)
        client.force_login(bob)
        response = client.get(panel_url(post))
        body = response.content.decode()
        assert response.status_code == 200 and ">Failed</span>" in body
        assert (
            "Retry" not in body and "Mark as published" not in body and 'name="reason"' not in body
        )


def test_it_forbids_a_guest_every_decision(client, workspace, alice, bob, network):
    post, target = failed_target(workspace, alice, network)
    set_roles(bob, workspace, "guest")
    client.force_login(bob)
    assert client.post(action_url("target-retry", target)).status_code == 403
    assert client.post(action_url("target-skip", target), {"reason": "x"}).status_code == 403
    url = reverse("post-retry-failed", args=[workspace.slug, post.pk])
    assert client.post(url).status_code == 403
    target.refresh_from_db()
    assert target.state == TargetState.FAILED


def test_it_forbids_a_publisher_of_another_network(client, workspace, alice, bob, network):
    post, target = failed_target(workspace, alice, network)
    set_roles(bob, workspace, "publisher", scopes={"publisher": ["bluesky"]})
    client.force_login(bob)
    body = client.get(panel_url(post)).content.decode()
    assert "Retry" not in body
    assert client.post(action_url("target-retry", target)).status_code == 403
    url = "https://mastodon.example/@lumen/1"
    assert client.post(action_url("target-mark-published", target), {"url": url}).status_code == 403
    assert client.post(action_url("target-skip", target), {"reason": "x"}).status_code == 403
    target.refresh_from_db()
    assert target.state == TargetState.FAILED
    # Scoped to Mastodon, the same publisher may act.
    set_roles(bob, workspace, "publisher", scopes={"publisher": ["mastodon"]})
    assert client.post(action_url("target-skip", target), {"reason": "x"}).status_code == 302
    target.refresh_from_db()
    assert target.state == TargetState.SKIPPED


def test_it_hides_another_workspace_s_publishing(client, workspace, alice, charlie, network):
    post, target = failed_target(workspace, alice, network)
    client.force_login(charlie)
    assert client.get(panel_url(post)).status_code == 404
    assert client.post(action_url("target-retry", target)).status_code == 404
    assert (
        client.post(reverse("post-publish-now", args=[workspace.slug, post.pk])).status_code == 404
    )
    # charlie's own workspace does not know alice's target either.
    url = reverse("target-retry", args=["other", target.pk])
    assert client.post(url).status_code == 404
    target.refresh_from_db()
    assert target.state == TargetState.FAILED


def test_it_ignores_a_next_address_outside_the_workspace(client, workspace, alice, network):
    post, target = failed_target(workspace, alice, network)
    client.force_login(alice)
    response = client.post(action_url("target-retry", target), {"next": "https://evil.example/"})
    assert response["Location"] == panel_url(post)


# ---- people are told ----


@pytest.mark.usefixtures("huey_immediate")
def test_it_tells_the_publisher_and_the_author_when_a_target_fails(
    client, workspace, alice, bob, network, mailoutbox, django_capture_on_commit_callbacks
):
    set_roles(bob, workspace, "editor")
    account = make_account(workspace)
    post = scheduled_post(workspace, bob, [account])
    network.answers = [refused("Too many hashtags")]
    with django_capture_on_commit_callbacks(execute=True):
        drain(account.pk)
    notes = Notification.objects.filter(kind="publish_failed").order_by("recipient__username")
    assert [n.recipient.username for n in notes] == ["alice", "bob"]
    assert "Too many hashtags" in notes[0].text and "Spring workshop" in notes[0].text
    assert notes[0].url == panel_url(post)
    assert sorted(m.to[0] for m in mailoutbox) == ["alice@example.org", "bob@example.org"]
    assert panel_url(post) in mailoutbox[0].body
    # The link leads to the panel, where the advice is.
    client.force_login(bob)
    body = client.get(notes[1].url).content.decode()
    assert "Edit the text for this network, then retry." in body
