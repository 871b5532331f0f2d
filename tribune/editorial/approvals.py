"""Approval policies: which posts need which approvals, and whether a post has them.

A policy applies to every post, to a format, to a network the post has a
version for, or to a tag. A post reaches "approved" only when every applicable
policy is satisfied; with no applicable policy, one approval by a member whose
role allows approving is enough. The author's own approval counts only under
a policy that allows self-approval.

A policy may require an approval from a role (for example the Strategist for
the tag "promo", even though that role cannot approve in general) or from a
named member: such members may approve the posts the policy covers. The
pseudo-role "client" asks for the approval of a client through a preview link;
client approvals count only for such policies.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tribune.workspaces.models import Membership, User
from tribune.workspaces.roles import Action, Role, allows

from .models import Approval, ApprovalPolicy, Post

CLIENT = "client"
CLIENT_LABEL = gettext_lazy("The client, through a preview link")


def default_policy() -> ApprovalPolicy:
    """The rule used when no policy applies: one approval, not by the author."""
    return ApprovalPolicy(name=_("Default"), applies_to=ApprovalPolicy.Applies.ALL)


def _tag(value: str) -> str:
    return value.strip().lstrip("#").casefold()


def applicable_policies(post: Post) -> list[ApprovalPolicy]:
    """Return the workspace's policies that cover `post`, or the default rule."""
    policies = ApprovalPolicy.objects.filter(workspace_id=post.workspace_id).select_related(
        "required_member__user"
    )
    networks = set(post.variants.values_list("network", flat=True))
    tags = {_tag(t) for t in post.tags or [] if isinstance(t, str)}
    A = ApprovalPolicy.Applies
    found = [
        p
        for p in policies
        if p.applies_to == A.ALL
        or (p.applies_to == A.FORMAT and p.value == post.format)
        or (p.applies_to == A.NETWORK and p.value in networks)
        or (p.applies_to == A.TAG and _tag(p.value) in tags)
    ]
    return found or [default_policy()]


def _named_by(policy: ApprovalPolicy, membership: Membership) -> bool:
    """True when the policy asks for this member, by role or by name."""
    if policy.required_member_id and policy.required_member_id == membership.pk:
        return True
    return bool(policy.required_role) and policy.required_role in membership.role_set


def _may_approve(membership: Membership, policies: list[ApprovalPolicy]) -> bool:
    scopes = membership.network_scopes or {}
    if allows(membership.role_set, scopes, Action.APPROVE_POSTS, None):
        return True
    return any(_named_by(p, membership) for p in policies)


def may_approve(membership: Membership, post: Post, policies: list[ApprovalPolicy]) -> bool:
    """True when the member may approve `post`: by role, or named by a policy covering it."""
    return _may_approve(membership, policies)


def self_approval_allowed(policies: list[ApprovalPolicy]) -> bool:
    """True when at least one applicable policy lets authors approve their own posts."""
    return any(p.allow_self_approval for p in policies)


def _counts(
    policy: ApprovalPolicy,
    approval: Approval,
    author_id: int | None,
    members: dict[int, Membership],
) -> bool:
    """True when `approval` counts towards `policy`."""
    if approval.approver_id is None:
        return policy.required_role == CLIENT and bool(approval.client_name)
    if approval.approver_id == author_id and not policy.allow_self_approval:
        return False
    membership = members.get(approval.approver_id)
    # Someone who left the workspace, or lost the role, no longer counts.
    return membership is not None and _may_approve(membership, [policy])


def _from_required(policy: ApprovalPolicy, approval: Approval, members: dict) -> bool:
    if policy.required_role == CLIENT:
        return approval.approver_id is None
    membership = members.get(approval.approver_id)
    return membership is not None and _named_by(policy, membership)


def required_label(policy: ApprovalPolicy) -> str:
    if policy.required_member_id:
        return policy.required_member.display_name
    if policy.required_role == CLIENT:
        return str(CLIENT_LABEL)
    if policy.required_role in Role.values:
        return str(Role(policy.required_role).label)
    return policy.required_role


def unmet(post: Post, policies: list[ApprovalPolicy], round_: int) -> list[str]:
    """Return what is still missing for `post` to be approved (empty when nothing)."""
    given = list(Approval.objects.filter(post=post, round=round_))
    approver_ids = {a.approver_id for a in given if a.approver_id}
    members = {
        m.user_id: m
        for m in Membership.objects.filter(workspace_id=post.workspace_id, user_id__in=approver_ids)
    }
    missing = []
    for policy in policies:
        counted = [a for a in given if _counts(policy, a, post.author_id, members)]
        if len(counted) < policy.approvals_needed:
            missing.append(
                _("%(policy)s: %(given)d of %(needed)d approvals")
                % {
                    "policy": policy.name,
                    "given": len(counted),
                    "needed": policy.approvals_needed,
                }
            )
        if (policy.required_role or policy.required_member_id) and not any(
            _from_required(policy, a, members) for a in counted
        ):
            missing.append(
                _("%(policy)s: an approval from %(who)s")
                % {"policy": policy.name, "who": required_label(policy)}
            )
    return missing


def reviewers(post: Post) -> list[User]:
    """Return the members who may approve `post`: those a review request goes to."""
    policies = applicable_policies(post)
    members = Membership.objects.filter(workspace_id=post.workspace_id).select_related("user")
    return [m.user for m in members if _may_approve(m, policies)]
