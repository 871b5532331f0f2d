"""Roles and the role × action table: the single source of who may do what.

Every permission check in views, the API and tasks goes through
`tribune.workspaces.actions.access_workspace`, which reads this table.
docs/ARCHITECTURE.md renders the same table for people.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    STRATEGIST = "strategist", _("Strategist")
    EDITOR = "editor", _("Editor")
    APPROVER = "approver", _("Approver")
    PUBLISHER = "publisher", _("Publisher")
    RESPONDER = "responder", _("Responder")
    MODERATOR = "moderator", _("Moderator")
    ANALYST = "analyst", _("Analyst")
    GUEST = "guest", _("Guest")


# Roles whose work happens on one network at a time, and so can be limited
# to some networks (the seed's "qui publie, qui répond, qui modère").
NETWORK_SCOPED_ROLES = frozenset({Role.PUBLISHER, Role.RESPONDER, Role.MODERATOR})


class Action(models.TextChoices):
    VIEW_PLAN = "view_plan", _("Read the strategy plan")
    EDIT_STRATEGY = "edit_strategy", _("Edit personas, objectives and network choices")
    EDIT_SPEAKING_POLICY = "edit_speaking_policy", _("Edit the speaking policy")
    WRITE_POSTS = "write_posts", _("Write posts")
    APPROVE_POSTS = "approve_posts", _("Approve posts")
    PUBLISH = "publish", _("Schedule and publish")
    RESPOND = "respond", _("Answer messages")
    MODERATE = "moderate", _("Hide or delete comments")
    VIEW_ANALYTICS = "view_analytics", _("Read analytics and reports")
    ENTER_FIGURES = "enter_figures", _("Enter and import business figures")
    MANAGE_REPORTS = "manage_reports", _("Set up reports and comment on them")
    MANAGE_MEMBERS = "manage_members", _("Invite, change roles, remove members")
    MANAGE_WORKSPACE = "manage_workspace", _("Change workspace settings")
    VIEW_AUDIT = "view_audit", _("Read the audit log")


ALL = frozenset(Role)

PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.VIEW_PLAN: ALL,
    Action.EDIT_STRATEGY: frozenset({Role.OWNER, Role.STRATEGIST}),
    Action.EDIT_SPEAKING_POLICY: frozenset({Role.OWNER, Role.STRATEGIST}),
    Action.WRITE_POSTS: frozenset({Role.OWNER, Role.STRATEGIST, Role.EDITOR}),
    Action.APPROVE_POSTS: frozenset({Role.OWNER, Role.APPROVER}),
    Action.PUBLISH: frozenset({Role.OWNER, Role.PUBLISHER}),
    Action.RESPOND: frozenset({Role.OWNER, Role.RESPONDER}),
    Action.MODERATE: frozenset({Role.OWNER, Role.MODERATOR}),
    Action.VIEW_ANALYTICS: frozenset({Role.OWNER, Role.STRATEGIST, Role.ANALYST}),
    Action.ENTER_FIGURES: frozenset({Role.OWNER, Role.STRATEGIST, Role.ANALYST}),
    Action.MANAGE_REPORTS: frozenset({Role.OWNER, Role.STRATEGIST, Role.ANALYST}),
    Action.MANAGE_MEMBERS: frozenset({Role.OWNER}),
    Action.MANAGE_WORKSPACE: frozenset({Role.OWNER}),
    Action.VIEW_AUDIT: frozenset({Role.OWNER}),
}

# Which role grants an action on one network only, when the member's role is scoped.
SCOPED_ACTIONS: dict[Action, Role] = {
    Action.PUBLISH: Role.PUBLISHER,
    Action.RESPOND: Role.RESPONDER,
    Action.MODERATE: Role.MODERATOR,
}


def allows(
    roles: set[str], scopes: dict[str, list[str]], action: Action, network: str | None
) -> bool:
    """Return True when a member holding `roles` may do `action` (on `network`, if given).

    Owners are never scoped. A scoped role with an empty or missing scope covers
    every network. When `network` is None the check asks "on at least one network".
    """
    granted = PERMISSIONS[action]
    if Role.OWNER in roles:
        return True
    holders = {Role(r) for r in roles if r in Role.values} & granted
    if not holders:
        return False
    scoped_role = SCOPED_ACTIONS.get(action)
    if network is None or scoped_role is None or scoped_role not in holders:
        return True
    limited_to = scopes.get(scoped_role.value) or []
    return not limited_to or network in limited_to
