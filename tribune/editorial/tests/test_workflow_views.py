"""The workflow pages: a post's review page, moves and scheduling by form, policies."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from tribune.editorial.choices import PostState as S
from tribune.editorial.models import ApprovalPolicy, PostComment, Transition
from tribune.testing.fixtures import make_user, set_roles
from tribune.workspaces.models import AuditEvent, Membership

from .workflow_support import english, make_post  # noqa: F401

pytestmark = pytest.mark.usefixtures("english")
ROLES = ["strategist", "editor", "approver", "publisher", "responder", "moderator", "analyst"]


def page_url(workspace, post) -> str:
    return reverse("post-workflow", args=[workspace.slug, post.pk])


def move(client, workspace, post, to: str, reason: str = ""):
    url = reverse("post-transition", args=[workspace.slug, post.pk])
    return client.post(url, {"to_state": to, "reason": reason}, follow=True)


def test_it_shows_the_review_page_to_the_owner_with_every_action(
    client, workspace, alice, bob, django_assert_max_num_queries
):
    post = make_post(workspace, bob, state=S.IN_REVIEW, networks=("linkedin", "bluesky"))
    for n in range(10):
        PostComment.objects.create(post=post, author=bob, body=f"c{n}")
        Transition.objects.create(post=post, from_state=S.DRAFT, to_state=S.IN_REVIEW, actor=bob)
    client.force_login(alice)
    with django_assert_max_num_queries(25):
        response = client.get(page_url(workspace, post))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="approved"' in body and 'value="changes_requested"' in body
    assert "Bluesky, LinkedIn" in body
    assert "Create a preview link" in body


@pytest.mark.parametrize("role", [*ROLES, "guest"])
def test_it_shows_the_review_page_to_every_member_with_their_actions(
    client, workspace, alice, bob, role
):
    set_roles(bob, workspace, role)
    post = make_post(workspace, alice, state=S.IN_REVIEW)
    client.force_login(bob)
    response = client.get(page_url(workspace, post))
    assert response.status_code == 200
    body = response.content.decode()
    assert ('value="approved"' in body) == (role == "approver")
    assert ('value="draft"' in body) == (role in ("strategist", "editor"))


def test_it_returns_the_panel_alone_to_htmx(client, workspace, alice):
    post = make_post(workspace, alice)
    client.force_login(alice)
    response = client.get(page_url(workspace, post), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b"<html" not in response.content and b'id="workflow-panel"' in response.content


def test_it_hides_the_review_page_from_outsiders(client, workspace, alice, charlie):
    post = make_post(workspace, alice, state=S.IN_REVIEW)
    client.force_login(charlie)
    assert client.get(page_url(workspace, post)).status_code == 404
    assert move(client, workspace, post, S.APPROVED).status_code == 404
    url = reverse("post-schedule", args=[workspace.slug, post.pk])
    assert client.post(url, {"when": "2030-01-01T10:00"}).status_code == 404
    post.refresh_from_db()
    assert post.state == S.IN_REVIEW


def test_it_walks_a_post_through_review_by_form(client, workspace, alice, bob):
    carol = make_user("carol")
    Membership.objects.create(workspace=workspace, user=carol, roles=["approver"])
    post = make_post(workspace, bob)
    client.force_login(bob)
    response = move(client, workspace, post, S.IN_REVIEW)
    assert "now “In review”" in response.content.decode()
    client.force_login(carol)
    response = move(client, workspace, post, S.CHANGES_REQUESTED)
    assert "Say what should change." in response.content.decode()
    move(client, workspace, post, S.CHANGES_REQUESTED, "Add the date.")
    post.refresh_from_db()
    assert post.state == S.CHANGES_REQUESTED
    client.force_login(bob)
    move(client, workspace, post, S.IN_REVIEW)
    client.force_login(carol)
    move(client, workspace, post, S.APPROVED)
    post.refresh_from_db()
    assert post.state == S.APPROVED
    assert list(Transition.objects.filter(post=post).values_list("to_state", flat=True)) == [
        S.IN_REVIEW,
        S.CHANGES_REQUESTED,
        S.IN_REVIEW,
        S.APPROVED,
    ]


def test_it_shows_a_refused_move_as_a_message(client, workspace, alice, bob):
    set_roles(bob, workspace, "editor")
    post = make_post(workspace, alice, state=S.IN_REVIEW)
    client.force_login(bob)
    assert move(client, workspace, post, S.APPROVED).status_code == 403
    client.force_login(alice)
    response = move(client, workspace, post, S.SCHEDULED)
    assert "cannot go from" in response.content.decode()


def test_it_schedules_by_form_in_the_workspace_time_zone(client, workspace, alice):
    post = make_post(workspace, alice, state=S.APPROVED)
    client.force_login(alice)
    day = (timezone.now() + timedelta(days=10)).date()
    url = reverse("post-schedule", args=[workspace.slug, post.pk])
    response = client.post(url, {"when": f"{day.isoformat()}T09:30"}, follow=True)
    assert "The post is scheduled." in response.content.decode()
    post.refresh_from_db()
    assert post.state == S.SCHEDULED
    paris = post.scheduled_at.astimezone(ZoneInfo("Europe/Paris"))
    assert (paris.hour, paris.minute) == (9, 30)


def test_it_refuses_a_local_time_that_does_not_exist(client, workspace, alice):
    post = make_post(workspace, alice, state=S.APPROVED)
    client.force_login(alice)
    url = reverse("post-schedule", args=[workspace.slug, post.pk])
    # 02:30 on the last Sunday of March 2030 does not exist in Europe/Paris.
    response = client.post(url, {"when": "2030-03-31T02:30"}, follow=True)
    assert "Europe/Paris" in response.content.decode()
    post.refresh_from_db()
    assert post.state == S.APPROVED


@pytest.mark.parametrize("role", ["editor", "approver", "analyst"])
def test_it_refuses_scheduling_by_form_without_publish_rights(client, workspace, alice, bob, role):
    set_roles(bob, workspace, role)
    post = make_post(workspace, alice, state=S.APPROVED)
    client.force_login(bob)
    url = reverse("post-schedule", args=[workspace.slug, post.pk])
    assert client.post(url, {"when": "2030-01-02T10:00"}).status_code == 403
    post.refresh_from_db()
    assert post.state == S.APPROVED


def policies_url(workspace, name="approval-policies", *args) -> str:
    return reverse(name, args=[workspace.slug, *args])


def test_it_lets_the_owner_create_edit_and_delete_a_policy(
    client, workspace, alice, bob, django_assert_max_num_queries
):
    client.force_login(alice)
    data = {
        "name": "Sponsored",
        "applies_to": "format",
        "value": "sponsored",
        "approvals_needed": 2,
        "required_role": "strategist",
        "required_member": Membership.objects.get(user=bob).pk,
    }
    response = client.post(policies_url(workspace, "approval-policy-create"), data)
    assert response.status_code == 302
    policy = ApprovalPolicy.objects.get()
    assert (policy.workspace, policy.approvals_needed, policy.required_role) == (
        workspace,
        2,
        "strategist",
    )
    for n in range(10):
        ApprovalPolicy.objects.create(workspace=workspace, name=f"p{n}", applies_to="all")
    with django_assert_max_num_queries(10):
        listing = client.get(policies_url(workspace))
    assert b"Sponsored" in listing.content and b"bob" in listing.content
    edit = policies_url(workspace, "approval-policy-edit", policy.pk)
    client.post(edit, {**data, "approvals_needed": 3, "required_member": ""})
    policy.refresh_from_db()
    assert policy.approvals_needed == 3 and policy.required_member is None
    client.post(policies_url(workspace, "approval-policy-delete", policy.pk))
    assert not ApprovalPolicy.objects.filter(pk=policy.pk).exists()
    verbs = set(
        AuditEvent.objects.filter(object_type="approvalpolicy").values_list("verb", flat=True)
    )
    assert verbs == {"create", "update", "delete"}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"applies_to": "format", "value": "flyer"}, "value"),
        ({"applies_to": "network", "value": "myspace-2"}, "value"),
        ({"applies_to": "tag", "value": ""}, "value"),
        ({"applies_to": "all", "approvals_needed": 9}, "approvals_needed"),
        ({"applies_to": "all", "required_role": "king"}, "required_role"),
    ],
)
def test_it_refuses_an_invalid_policy(client, workspace, alice, data, field):
    client.force_login(alice)
    base = {"name": "X", "approvals_needed": 1, "value": ""}
    response = client.post(policies_url(workspace, "approval-policy-create"), {**base, **data})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not ApprovalPolicy.objects.exists()


def test_it_refuses_a_member_of_another_workspace_as_required_approver(
    client, workspace, alice, charlie
):
    client.force_login(alice)
    stranger = Membership.objects.get(user=charlie)
    data = {"name": "X", "applies_to": "all", "approvals_needed": 1, "required_member": stranger.pk}
    response = client.post(policies_url(workspace, "approval-policy-create"), data)
    assert "required_member" in response.context["form"].errors


@pytest.mark.parametrize("role", [*ROLES, "guest"])
def test_it_keeps_policies_to_owners(client, workspace, alice, bob, role):
    set_roles(bob, workspace, role)
    policy = ApprovalPolicy.objects.create(workspace=workspace, name="All", applies_to="all")
    client.force_login(bob)
    assert client.get(policies_url(workspace)).status_code == 403
    assert client.get(policies_url(workspace, "approval-policy-create")).status_code == 403
    delete = policies_url(workspace, "approval-policy-delete", policy.pk)
    assert client.post(delete).status_code == 403
    assert ApprovalPolicy.objects.filter(pk=policy.pk).exists()


def test_it_hides_policies_from_outsiders(client, workspace, alice, charlie):
    policy = ApprovalPolicy.objects.create(workspace=workspace, name="All", applies_to="all")
    client.force_login(charlie)
    assert client.get(policies_url(workspace)).status_code == 404
    edit = policies_url(workspace, "approval-policy-edit", policy.pk)
    assert client.get(edit).status_code == 404
    # charlie's own workspace cannot reach alice's policy by id either.
    other_edit = reverse("approval-policy-edit", args=["other", policy.pk])
    assert client.get(other_edit).status_code == 404
