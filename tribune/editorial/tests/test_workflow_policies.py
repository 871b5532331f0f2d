"""Approval policies: who may approve, how many approvals, self-approval, network rules."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tribune.editorial import approvals, workflow
from tribune.editorial.choices import PostFormat
from tribune.editorial.choices import PostState as S
from tribune.editorial.models import Approval, ApprovalPolicy, Notification, Transition
from tribune.testing.fixtures import make_user, set_roles
from tribune.workspaces.models import AuditEvent, Membership

from .workflow_support import access_for, english, make_post  # noqa: F401

pytestmark = pytest.mark.usefixtures("english")


def member(workspace, name: str, *roles: str):
    user = make_user(name)
    Membership.objects.create(workspace=workspace, user=user, roles=list(roles))
    return user


def approve(user, workspace, post):
    return workflow.do_transition(access_for(user, workspace), post, S.APPROVED)


@pytest.mark.parametrize("role", ["owner", "approver"])
def test_it_approves_with_one_approval_when_no_policy_applies(workspace, alice, bob, role):
    reviewer = member(workspace, "carol", role)
    post = make_post(workspace, bob, state=S.IN_REVIEW)
    approve(reviewer, workspace, post)
    post.refresh_from_db()
    assert post.state == S.APPROVED
    assert Approval.objects.get(post=post).approver == reviewer
    assert Transition.objects.filter(post=post, to_state=S.APPROVED, actor=reviewer).exists()
    assert AuditEvent.objects.filter(verb="approve", actor=reviewer).exists()
    assert Notification.objects.filter(recipient=bob, kind="approved").exists()


@pytest.mark.parametrize(
    "role", ["strategist", "editor", "publisher", "responder", "moderator", "analyst", "guest"]
)
def test_it_refuses_approval_by_a_role_that_cannot_approve(workspace, alice, bob, role):
    set_roles(bob, workspace, role)
    post = make_post(workspace, alice, state=S.IN_REVIEW)
    with pytest.raises(PermissionDenied):
        approve(bob, workspace, post)
    post.refresh_from_db()
    assert post.state == S.IN_REVIEW
    assert not Approval.objects.exists()


@pytest.mark.parametrize("roles", [("owner",), ("editor", "approver")])
def test_it_refuses_approving_ones_own_post_without_a_policy_allowing_it(workspace, bob, roles):
    set_roles(bob, workspace, *roles)
    post = make_post(workspace, bob, state=S.IN_REVIEW)
    with pytest.raises(PermissionDenied) as caught:
        approve(bob, workspace, post)
    assert "own post" in str(caught.value)
    assert not Approval.objects.exists()


def test_it_lets_an_author_approve_when_the_policy_allows_it(workspace, alice, bob):
    set_roles(bob, workspace, "editor", "approver")
    ApprovalPolicy.objects.create(
        workspace=workspace, name="Team", applies_to="all", allow_self_approval=True
    )
    post = make_post(workspace, bob, state=S.IN_REVIEW)
    approve(bob, workspace, post)
    post.refresh_from_db()
    assert post.state == S.APPROVED


def test_it_needs_two_approvals_for_a_sponsored_post(workspace, alice, bob):
    ApprovalPolicy.objects.create(
        workspace=workspace,
        name="Sponsored",
        applies_to="format",
        value=PostFormat.SPONSORED,
        approvals_needed=2,
    )
    carol = member(workspace, "carol", "approver")
    post = make_post(workspace, bob, state=S.IN_REVIEW, format=PostFormat.SPONSORED)
    approve(carol, workspace, post)
    post.refresh_from_db()
    assert post.state == S.IN_REVIEW
    assert approvals.unmet(post, approvals.applicable_policies(post), 1) == [
        "Sponsored: 1 of 2 approvals"
    ]
    assert "Still needed" in Notification.objects.get(recipient=bob, kind="approval").text
    with pytest.raises(ValidationError):
        approve(carol, workspace, post)  # the same person twice is still one approval
    approve(alice, workspace, post)
    post.refresh_from_db()
    assert post.state == S.APPROVED


def test_it_ignores_a_format_policy_for_other_formats(workspace, alice, bob):
    ApprovalPolicy.objects.create(
        workspace=workspace,
        name="Sponsored",
        applies_to="format",
        value="sponsored",
        approvals_needed=2,
    )
    post = make_post(workspace, bob, state=S.IN_REVIEW, format=PostFormat.ORGANIC)
    approve(alice, workspace, post)
    post.refresh_from_db()
    assert post.state == S.APPROVED


def test_it_needs_the_strategist_for_a_promo_post_and_lets_them_approve(workspace, alice, bob):
    ApprovalPolicy.objects.create(
        workspace=workspace,
        name="Promotions",
        applies_to="tag",
        value="promo",
        required_role="strategist",
    )
    sam = member(workspace, "sam", "strategist")
    post = make_post(workspace, bob, state=S.IN_REVIEW, tags=["#Promo", "spring"])
    approve(alice, workspace, post)
    post.refresh_from_db()
    assert post.state == S.IN_REVIEW
    assert approvals.unmet(post, approvals.applicable_policies(post), 1) == [
        "Promotions: an approval from Strategist"
    ]
    # The Strategist cannot approve in general, but this policy asks for them.
    approve(sam, workspace, post)
    post.refresh_from_db()
    assert post.state == S.APPROVED


def test_it_keeps_a_strategist_from_approving_posts_no_policy_names_them_for(workspace, alice, bob):
    ApprovalPolicy.objects.create(
        workspace=workspace,
        name="Promotions",
        applies_to="tag",
        value="promo",
        required_role="strategist",
    )
    sam = member(workspace, "sam", "strategist")
    post = make_post(workspace, bob, state=S.IN_REVIEW, tags=["spring"])
    with pytest.raises(PermissionDenied):
        approve(sam, workspace, post)


def test_it_needs_a_named_member_for_a_network(workspace, alice, bob):
    nina = member(workspace, "nina", "approver")
    ApprovalPolicy.objects.create(
        workspace=workspace,
        name="LinkedIn voice",
        applies_to="network",
        value="linkedin",
        required_member=Membership.objects.get(user=nina),
    )
    post = make_post(workspace, bob, state=S.IN_REVIEW, networks=("linkedin", "bluesky"))
    approve(alice, workspace, post)
    post.refresh_from_db()
    assert post.state == S.IN_REVIEW
    approve(nina, workspace, post)
    post.refresh_from_db()
    assert post.state == S.APPROVED


def test_it_requires_every_applicable_policy(workspace, alice, bob):
    ApprovalPolicy.objects.create(workspace=workspace, name="All", applies_to="all")
    ApprovalPolicy.objects.create(
        workspace=workspace,
        name="Bluesky",
        applies_to="network",
        value="bluesky",
        required_role="approver",
    )
    post = make_post(workspace, bob, state=S.IN_REVIEW, networks=("bluesky",))
    approve(alice, workspace, post)
    post.refresh_from_db()
    assert post.state == S.IN_REVIEW
    assert [p.name for p in approvals.applicable_policies(post)] == ["All", "Bluesky"]
    approve(member(workspace, "carol", "approver"), workspace, post)
    post.refresh_from_db()
    assert post.state == S.APPROVED


def test_it_stops_counting_an_approver_who_left(workspace, alice, bob):
    ApprovalPolicy.objects.create(
        workspace=workspace, name="Two", applies_to="all", approvals_needed=2
    )
    carol = member(workspace, "carol", "approver")
    post = make_post(workspace, bob, state=S.IN_REVIEW)
    approve(carol, workspace, post)
    Membership.objects.filter(user=carol).delete()
    approve(alice, workspace, post)
    post.refresh_from_db()
    assert post.state == S.IN_REVIEW


def test_it_refuses_to_approve_a_variant_that_breaks_a_network_rule(workspace, alice, bob):
    post = make_post(workspace, bob, state=S.IN_REVIEW, networks=("bluesky",), text="a" * 310)
    with pytest.raises(ValidationError) as caught:
        approve(alice, workspace, post)
    message = " ".join(caught.value.messages)
    assert message.startswith("Bluesky:")
    assert "300" in message and "10" in message
    post.refresh_from_db()
    assert post.state == S.IN_REVIEW
    assert not Approval.objects.exists()


def test_it_refuses_to_approve_a_post_not_in_review(workspace, alice, bob):
    post = make_post(workspace, bob, state=S.CHANGES_REQUESTED)
    with pytest.raises(ValidationError):
        workflow.do_approve(access_for(alice, workspace), post)
    assert not Approval.objects.exists()
