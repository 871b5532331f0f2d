"""Telling people when a target needs them: failed, outcome unknown, or to post by hand.

The publishers of the target's network (owners, and publishers whose scope
covers it) and the post's author get an in-app notification and an e-mail,
each in their own language, after the transaction commits.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy

from tribune.editorial.notifications import lazy_text, notify
from tribune.networks.models import SECRET_FIELDS
from tribune.strategy.catalog import network_name
from tribune.workspaces.models import Membership, User
from tribune.workspaces.roles import Action, allows

from .models import Target, TargetState

MESSAGES = {
    TargetState.FAILED: (
        "publish_failed",
        gettext_lazy("“%(title)s” could not be published on %(account)s: %(message)s"),
    ),
    TargetState.UNKNOWN: (
        "publish_unknown",
        gettext_lazy("“%(title)s” may or may not be on %(account)s: check it and tell Tribune."),
    ),
    TargetState.AWAITING: (
        "publish_by_hand",
        gettext_lazy("Time to post “%(title)s” on %(account)s by hand."),
    ),
}


def publishers(workspace_id: int, network: str) -> list[User]:
    members = Membership.objects.filter(workspace_id=workspace_id).select_related("user")
    return [
        m.user
        for m in members
        if allows(set(m.roles), m.network_scopes or {}, Action.PUBLISH, network)
    ]


def target_url(target: Target) -> str:
    if target.state == TargetState.AWAITING:
        return reverse("publishing-reminder", args=[target.post.workspace.slug, target.pk])
    return reverse("post-publishing", args=[target.post.workspace.slug, target.post_id])


def needs_people(state: str) -> bool:
    """Whether a target settled in `state` is told to people (a failure, a doubt...)."""
    return state in MESSAGES


def after_settled(target_id: int, state: str) -> None:
    """Notify the people concerned when a target ends in a state that needs a person."""
    if not needs_people(state):
        return
    # The account's secrets are not needed, and may be unreadable (the very failure told).
    target = (
        Target.objects.select_related("post__workspace", "post__author", "account")
        .defer(*(f"account__{name}" for name in SECRET_FIELDS))
        .get(pk=target_id)
    )
    kind, message = MESSAGES[state]
    account = f"{target.account.name} ({network_name(target.account.network)})"
    params = {"title": target.post.title, "account": account, "message": target.message[:200]}
    users = publishers(target.workspace_id, target.account.network)
    if target.post.author_id:
        users.append(target.post.author)
    notify(target.post.workspace, users, kind, lazy_text(message, params), target_url(target))
