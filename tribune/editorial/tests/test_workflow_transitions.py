"""The state machine, role by role: every edge, its permission, its record."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from tribune.editorial import workflow
from tribune.editorial.choices import PostState as S
from tribune.editorial.models import Approval, Notification, Transition
from tribune.testing.fixtures import make_user, set_roles
from tribune.workspaces.models import AuditEvent, Membership, Workspace

from .workflow_support import access_for, english, make_post  # noqa: F401

pytestmark = pytest.mark.usefixtures("english")

WRITERS = ["owner", "strategist", "editor"]
NOT_WRITERS = ["approver", "publisher", "responder", "moderator", "analyst", "guest"]
REVIEWERS = ["owner", "approver"]
NOT_REVIEWERS = ["strategist", "editor", "publisher", "responder", "moderator", "analyst", "guest"]


@pytest.mark.parametrize("role", WRITERS)
def test_it_sends_a_draft_for_review_as_a_writer(workspace, alice, bob, role):
    set_roles(bob, workspace, role)
    post = make_post(workspace, bob)
    workflow.do_transition(access_for(bob, workspace), post, S.IN_REVIEW)
    post.refresh_from_db()
    assert post.state == S.IN_REVIEW
    step = Transition.objects.get(post=post)
    assert (step.from_state, step.to_state, step.actor) == (S.DRAFT, S.IN_REVIEW, bob)
    event = AuditEvent.objects.get(verb="transition", object_id=str(post.pk))
    assert event.before["state"] == S.DRAFT and event.after["state"] == S.IN_REVIEW
    assert event.actor == bob


@pytest.mark.parametrize("role", NOT_WRITERS)
def test_it_refuses_sending_for_review_without_the_writer_role(workspace, alice, bob, role):
    set_roles(bob, workspace, role)
    post = make_post(workspace, alice)
    with pytest.raises(PermissionDenied):
        workflow.do_transition(access_for(bob, workspace), post, S.IN_REVIEW)
    post.refresh_from_db()
    assert post.state == S.DRAFT
    assert not Transition.objects.exists()


def test_it_notifies_the_members_who_can_approve_of_a_review_request(workspace, alice, bob):
    carol = make_user("carol")
    Membership.objects.create(workspace=workspace, user=carol, roles=["approver"])
    dave = make_user("dave")
    Membership.objects.create(workspace=workspace, user=dave, roles=["analyst"])
    post = make_post(workspace, bob)
    workflow.do_transition(access_for(bob, workspace), post, S.IN_REVIEW)
    notified = set(
        Notification.objects.filter(kind="review_requested").values_list(
            "recipient__username", flat=True
        )
    )
    assert notified == {"alice", "carol"}


@pytest.mark.parametrize("role", REVIEWERS)
def test_it_requests_changes_with_a_reason_as_a_reviewer(workspace, alice, bob, role):
    set_roles(bob, workspace, role)
    post = make_post(workspace, alice, state=S.IN_REVIEW)
    workflow.do_transition(access_for(bob, workspace), post, S.CHANGES_REQUESTED, "Shorter.")
    post.refresh_from_db()
    assert post.state == S.CHANGES_REQUESTED
    step = Transition.objects.filter(post=post).last()
    assert (step.to_state, step.reason, step.actor) == (S.CHANGES_REQUESTED, "Shorter.", bob)
    # The author hears about it, with the reason.
    if role != "owner":
        note = Notification.objects.get(recipient=alice, kind="changes_requested")
        assert "Shorter." in note.text


@pytest.mark.parametrize("role", NOT_REVIEWERS)
def test_it_refuses_a_change_request_without_the_reviewer_role(workspace, alice, bob, role):
    set_roles(bob, workspace, role)
    post = make_post(workspace, alice, state=S.IN_REVIEW)
    with pytest.raises(PermissionDenied):
        workflow.do_transition(access_for(bob, workspace), post, S.CHANGES_REQUESTED, "No.")
    post.refresh_from_db()
    assert post.state == S.IN_REVIEW


def test_it_requires_a_reason_to_request_changes(workspace, alice, bob):
    post = make_post(workspace, bob, state=S.IN_REVIEW)
    with pytest.raises(ValidationError) as caught:
        workflow.do_transition(access_for(alice, workspace), post, S.CHANGES_REQUESTED, "  ")
    assert "reason" in caught.value.error_dict
    post.refresh_from_db()
    assert post.state == S.IN_REVIEW


def test_it_sends_an_edited_post_back_to_review_in_a_new_round(workspace, alice, bob):
    set_roles(alice, workspace, "owner")
    post = make_post(workspace, bob, state=S.IN_REVIEW)
    carol = make_user("carol")
    Membership.objects.create(workspace=workspace, user=carol, roles=["approver"])
    Approval.objects.create(post=post, approver=carol, round=1)
    workflow.do_transition(access_for(alice, workspace), post, S.CHANGES_REQUESTED, "Typo.")
    workflow.do_transition(access_for(bob, workspace), post, S.IN_REVIEW)
    post.refresh_from_db()
    assert post.state == S.IN_REVIEW
    assert workflow.current_round(post) == 2
    # carol's approval was for the first version: it does not carry over.
    workflow.do_transition(access_for(alice, workspace), post, S.APPROVED)
    post.refresh_from_db()
    assert post.state == S.APPROVED
    assert list(Approval.objects.filter(round=2).values_list("approver__username", flat=True)) == [
        "alice"
    ]


@pytest.mark.parametrize("start", [S.IN_REVIEW, S.CHANGES_REQUESTED, S.APPROVED, S.SCHEDULED])
def test_it_lets_a_writer_take_a_post_back_to_draft(workspace, alice, bob, start):
    post = make_post(workspace, bob, state=start)
    workflow.do_transition(access_for(bob, workspace), post, S.DRAFT)
    post.refresh_from_db()
    assert post.state == S.DRAFT
    assert Transition.objects.filter(post=post, from_state=start, to_state=S.DRAFT).exists()


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (S.DRAFT, S.APPROVED),
        (S.DRAFT, S.SCHEDULED),
        (S.DRAFT, S.CHANGES_REQUESTED),
        (S.CHANGES_REQUESTED, S.APPROVED),
        (S.APPROVED, S.IN_REVIEW),
        (S.SCHEDULED, S.IN_REVIEW),
        (S.DRAFT, "published"),
    ],
)
def test_it_refuses_a_move_the_state_machine_does_not_have(workspace, alice, start, end):
    post = make_post(workspace, alice, state=start)
    with pytest.raises(ValidationError) as caught:
        workflow.do_transition(access_for(alice, workspace), post, end, "why")
    assert "cannot go from" in caught.value.messages[0] or "approved" in caught.value.messages[0]
    post.refresh_from_db()
    assert post.state == start


@pytest.mark.parametrize("role", ["owner", "publisher"])
def test_it_unschedules_back_to_approved_with_publish_rights(workspace, alice, bob, role):
    set_roles(bob, workspace, role)
    post = make_post(workspace, alice, state=S.SCHEDULED, networks=("linkedin", "bluesky"))
    workflow.do_transition(access_for(bob, workspace), post, S.APPROVED)
    post.refresh_from_db()
    assert post.state == S.APPROVED
    assert Transition.objects.filter(post=post, to_state=S.APPROVED, actor=bob).exists()


@pytest.mark.parametrize("role", ["strategist", "editor", "approver", "analyst", "guest"])
def test_it_refuses_unscheduling_without_publish_rights(workspace, alice, bob, role):
    set_roles(bob, workspace, role)
    post = make_post(workspace, alice, state=S.SCHEDULED)
    with pytest.raises(PermissionDenied):
        workflow.do_transition(access_for(bob, workspace), post, S.APPROVED)
    post.refresh_from_db()
    assert post.state == S.SCHEDULED


def test_it_refuses_unscheduling_by_a_publisher_limited_to_other_networks(workspace, alice, bob):
    set_roles(bob, workspace, "publisher", scopes={"publisher": ["linkedin"]})
    post = make_post(workspace, alice, state=S.SCHEDULED, networks=("linkedin", "bluesky"))
    with pytest.raises(PermissionDenied) as caught:
        workflow.do_transition(access_for(bob, workspace), post, S.APPROVED)
    assert "Bluesky" in str(caught.value)
    post.refresh_from_db()
    assert post.state == S.SCHEDULED


@pytest.mark.parametrize("start", [S.APPROVED, S.SCHEDULED])
def test_it_sends_an_approved_or_scheduled_post_back_to_draft_when_edited(
    workspace, alice, bob, start
):
    post = make_post(workspace, bob, state=start)
    workflow.do_reopen_after_edit(access_for(bob, workspace), post)
    post.refresh_from_db()
    assert post.state == S.DRAFT
    step = Transition.objects.filter(post=post).last()
    assert step.to_state == S.DRAFT and "edited" in step.reason


@pytest.mark.parametrize("start", [S.DRAFT, S.IN_REVIEW, S.CHANGES_REQUESTED])
def test_it_leaves_other_states_alone_when_edited(workspace, alice, bob, start):
    post = make_post(workspace, bob, state=start)
    before = Transition.objects.filter(post=post).count()
    workflow.do_reopen_after_edit(access_for(bob, workspace), post)
    post.refresh_from_db()
    assert post.state == start
    assert Transition.objects.filter(post=post).count() == before


def test_it_hides_another_workspaces_post(workspace, alice, charlie):
    post = make_post(workspace, alice)
    other = Workspace.objects.get(slug="other")
    with pytest.raises(Http404):
        workflow.do_transition(access_for(charlie, other), post, S.IN_REVIEW)
    post.refresh_from_db()
    assert post.state == S.DRAFT
