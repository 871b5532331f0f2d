"""Client preview links: shown once, stored hashed, expiring, revocable; the client's
approval or change request is recorded under the name they give."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tribune.editorial.choices import PostState as S
from tribune.editorial.models import (
    Approval,
    ApprovalPolicy,
    Notification,
    PreviewLink,
    Transition,
)
from tribune.testing.fixtures import set_roles
from tribune.workspaces.models import AuditEvent

from .workflow_support import english, make_post  # noqa: F401

pytestmark = pytest.mark.usefixtures("english")


def create_link(client, workspace, post, days: int = 14) -> str:
    response = client.post(
        reverse("preview-link-create", args=[workspace.slug, post.pk]),
        {"client_name": "Mme Durand", "days": days},
    )
    assert response.status_code == 200
    match = re.search(rb'value="https?://[^"/]+/p/([^"/]+)/"', response.content)
    assert match, response.content
    return match.group(1).decode()


def test_it_creates_a_link_shown_once_and_stores_only_its_hash(client, workspace, alice):
    post = make_post(workspace, alice, state=S.IN_REVIEW)
    client.force_login(alice)
    token = create_link(client, workspace, post)
    link = PreviewLink.objects.get(post=post)
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in link.token_hash
    assert link.created_by == alice and link.client_name == "Mme Durand"
    assert timedelta(days=13) < link.expires_at - timezone.now() <= timedelta(days=14)
    workflow_page = client.get(reverse("post-workflow", args=[workspace.slug, post.pk]))
    assert token.encode() not in workflow_page.content
    assert AuditEvent.objects.filter(verb="create", object_type="previewlink").exists()


def test_it_shows_the_post_to_a_client_without_an_account(client, workspace, alice):
    workspace.language = "en"  # the page speaks the workspace's language
    workspace.save()
    post = make_post(workspace, alice, state=S.IN_REVIEW, networks=("linkedin", "bluesky"))
    client.force_login(alice)
    token = create_link(client, workspace, post)
    client.logout()
    response = client.get(reverse("preview", args=[token]))
    assert response.status_code == 200
    assert b"Spring workshop" in response.content
    assert b"LinkedIn" in response.content and b"Bluesky" in response.content
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert b"Approve" in response.content


def test_it_records_a_client_approval_under_their_name(client, workspace, alice, bob):
    post = make_post(workspace, bob, state=S.IN_REVIEW)
    client.force_login(alice)
    token = create_link(client, workspace, post)
    client.logout()
    response = client.post(
        reverse("preview", args=[token]), {"client_name": "Jeanne Durand", "approve": "1"}
    )
    assert response.status_code == 302
    approval = Approval.objects.get(post=post)
    assert (approval.approver, approval.client_name) == (None, "Jeanne Durand")
    # Without a policy asking for the client, the team's approval is still needed.
    post.refresh_from_db()
    assert post.state == S.IN_REVIEW
    assert AuditEvent.objects.filter(verb="client_approve", after__client_name="Jeanne Durand")
    assert set(
        Notification.objects.filter(kind="client").values_list("recipient__username", flat=True)
    ) == {"alice", "bob"}


def test_it_approves_when_a_policy_asks_for_the_client(client, workspace, alice, bob):
    ApprovalPolicy.objects.create(
        workspace=workspace, name="Client sign-off", applies_to="all", required_role="client"
    )
    post = make_post(workspace, bob, state=S.IN_REVIEW)
    client.force_login(alice)
    token = create_link(client, workspace, post)
    client.logout()
    client.post(reverse("preview", args=[token]), {"client_name": "Jeanne", "approve": "1"})
    post.refresh_from_db()
    assert post.state == S.APPROVED
    step = Transition.objects.get(post=post, to_state=S.APPROVED)
    assert (step.actor, step.client_name) == (None, "Jeanne")


def test_it_records_a_client_change_request_with_its_reason(client, workspace, alice, bob):
    post = make_post(workspace, bob, state=S.IN_REVIEW)
    client.force_login(alice)
    token = create_link(client, workspace, post)
    client.logout()
    page = client.post(reverse("preview", args=[token]), {"client_name": "Jeanne"})
    assert page.status_code == 200  # no reason: the form says so
    assert page.context["form"].errors["reason"]
    post.refresh_from_db()
    assert post.state == S.IN_REVIEW
    client.post(
        reverse("preview", args=[token]),
        {"client_name": "Jeanne", "reason": "Use the new logo.", "request_changes": "1"},
    )
    post.refresh_from_db()
    assert post.state == S.CHANGES_REQUESTED
    step = Transition.objects.get(post=post, to_state=S.CHANGES_REQUESTED)
    assert (step.client_name, step.reason, step.actor) == ("Jeanne", "Use the new logo.", None)
    assert Notification.objects.filter(recipient=bob, kind="changes_requested").exists()


def test_it_offers_no_decision_once_the_post_left_review(client, workspace, alice):
    workspace.language = "en"  # the page speaks the workspace's language
    workspace.save()
    post = make_post(workspace, alice, state=S.APPROVED)
    client.force_login(alice)
    token = create_link(client, workspace, post)
    client.logout()
    page = client.get(reverse("preview", args=[token]))
    assert b"not waiting for your review" in page.content
    client.post(reverse("preview", args=[token]), {"client_name": "J", "approve": "1"})
    assert not Approval.objects.exists()


def test_it_refuses_an_expired_or_revoked_or_unknown_link(client, workspace, alice):
    post = make_post(workspace, alice, state=S.IN_REVIEW)
    client.force_login(alice)
    token = create_link(client, workspace, post)
    link = PreviewLink.objects.get()
    response = client.post(reverse("preview-link-revoke", args=[workspace.slug, post.pk, link.pk]))
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.revoked_at is not None
    client.logout()
    assert client.get(reverse("preview", args=[token])).status_code == 404
    PreviewLink.objects.update(revoked_at=None, expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(reverse("preview", args=[token])).status_code == 404
    PreviewLink.objects.update(expires_at=timezone.now() + timedelta(days=1))
    assert client.get(reverse("preview", args=[token])).status_code == 200
    assert client.get(reverse("preview", args=["not-a-token"])).status_code == 404


@pytest.mark.parametrize("role", ["approver", "publisher", "analyst", "guest"])
def test_it_lets_only_writers_create_or_revoke_links(client, workspace, alice, bob, role):
    set_roles(bob, workspace, role)
    post = make_post(workspace, alice, state=S.IN_REVIEW)
    link = PreviewLink.objects.create(
        post=post, token_hash="x" * 64, client_name="C", expires_at=timezone.now()
    )
    client.force_login(bob)
    create = reverse("preview-link-create", args=[workspace.slug, post.pk])
    revoke = reverse("preview-link-revoke", args=[workspace.slug, post.pk, link.pk])
    assert client.post(create, {"client_name": "C", "days": 3}).status_code == 403
    assert client.post(revoke).status_code == 403
    assert PreviewLink.objects.count() == 1


def test_it_hides_preview_links_from_outsiders(client, workspace, alice, charlie):
    post = make_post(workspace, alice, state=S.IN_REVIEW)
    link = PreviewLink.objects.create(
        post=post, token_hash="y" * 64, client_name="C", expires_at=timezone.now()
    )
    client.force_login(charlie)
    create = reverse("preview-link-create", args=[workspace.slug, post.pk])
    revoke = reverse("preview-link-revoke", args=[workspace.slug, post.pk, link.pk])
    assert client.post(create, {"client_name": "C", "days": 3}).status_code == 404
    assert client.post(revoke).status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None


def test_it_speaks_the_workspaces_language_to_the_client(client, workspace, alice):
    workspace.language = "en"
    workspace.save()
    post = make_post(workspace, alice, state=S.IN_REVIEW)
    client.force_login(alice)
    token = create_link(client, workspace, post)
    client.logout()
    # No choice made by the visitor: the workspace's language, not the site default (fr).
    assert b'<html lang="en">' in client.get(reverse("preview", args=[token])).content
    client.cookies["django_language"] = "fr"
    assert b'<html lang="fr">' in client.get(reverse("preview", args=[token])).content
