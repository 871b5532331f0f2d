"""The workflow pages in a real browser: send for review, approve as another user,
a client's preview, and axe on every page of the area."""

from __future__ import annotations

import re

import pytest

from tribune.editorial.choices import PostState as S
from tribune.editorial.models import ApprovalPolicy, Notification, Post, Variant
from tribune.testing.browser import axe_violations, sign_in
from tribune.testing.fixtures import make_user
from tribune.workspaces.models import Membership, Workspace

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def setup_team() -> tuple[Workspace, Post]:
    workspace = Workspace.objects.create(name="Atelier Lumen", slug="lumen")
    for name, roles in (("alice", ["owner"]), ("bob", ["editor"]), ("carol", ["approver"])):
        Membership.objects.create(workspace=workspace, user=make_user(name), roles=roles)
    post = Post.objects.create(
        workspace=workspace,
        title="Spring workshop",
        author=Membership.objects.get(user__username="bob").user,
    )
    Variant.objects.create(post=post, network="linkedin", text="Our workshop opens on Monday.")
    ApprovalPolicy.objects.create(workspace=workspace, name="Every post", applies_to="all")
    return workspace, post


def test_it_sends_for_review_and_approves_as_another_user(page):
    workspace, post = setup_team()
    review = f"/w/{workspace.slug}/posts/{post.pk}/workflow/"
    sign_in(page, "bob", "password-123")
    page.goto(review)
    assert axe_violations(page) == []
    page.get_by_role("button", name="Send for review").click()
    page.wait_for_load_state()
    assert "In review" in page.locator("#workflow-panel").inner_text()
    page.get_by_role("textbox", name="Comment").fill("@carol the date is final")
    page.get_by_role("button", name="Add the comment").click()
    page.get_by_text("the date is final").first.wait_for()
    page.context.clear_cookies()

    sign_in(page, "carol", "password-123")
    page.goto(f"/w/{workspace.slug}/notifications/")
    assert page.locator("td strong", has_text="bob mentioned you").count() == 1
    assert axe_violations(page) == []
    page.goto(review)
    page.get_by_role("button", name="Approve").click()
    page.wait_for_load_state()
    assert "Approved" in page.locator("#workflow-panel").inner_text()
    post.refresh_from_db()
    assert post.state == S.APPROVED
    assert Notification.objects.filter(recipient__username="bob", kind="approved").exists()


def test_it_lets_a_client_request_changes_from_a_preview_link(page):
    workspace, post = setup_team()
    Post.objects.filter(pk=post.pk).update(state=S.IN_REVIEW)
    # The client's page speaks the workspace's language; this test reads English.
    type(workspace).objects.filter(pk=workspace.pk).update(language="en")
    sign_in(page, "alice", "password-123")
    page.goto(f"/w/{workspace.slug}/posts/{post.pk}/workflow/")
    page.get_by_label("Client name").fill("Jeanne Durand")
    page.get_by_role("button", name="Create a preview link").click()
    page.wait_for_load_state()
    assert axe_violations(page) == []
    url = page.get_by_label("Link").input_value()
    assert re.search(r"/p/[\w-]+/$", url)
    page.goto(f"/w/{workspace.slug}/approval-policies/")
    assert axe_violations(page) == []
    page.goto(f"/w/{workspace.slug}/approval-policies/new/")
    assert axe_violations(page) == []
    page.context.clear_cookies()

    page.goto(url)
    assert page.get_by_role("heading", name="Spring workshop").count() == 1
    assert axe_violations(page) == []
    page.get_by_label("Your comments").fill("Please use the new logo.")
    page.get_by_role("button", name="Request changes").click()
    page.wait_for_load_state()
    assert "request for changes is recorded" in page.content()
    post.refresh_from_db()
    assert post.state == S.CHANGES_REQUESTED
