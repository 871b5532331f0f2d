"""Writes around the workflow: comments with mentions, client preview links,
approval policies. The state machine itself is in workflow.py."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tribune.core.snapshot import snapshot
from tribune.workspaces.actions import Access, check_action, record
from tribune.workspaces.models import Membership
from tribune.workspaces.roles import Action

from . import workflow
from .forms_workflow import ApprovalPolicyForm
from .models import ApprovalPolicy, Post, PostComment, PreviewLink
from .notifications import lazy_text, notify

# Django usernames are letters, digits and @ . + - _; a trailing full stop
# ends a sentence rather than a name.
MENTION = re.compile(r"(?<![\w@])@([\w.@+-]+)")
PREVIEW_DAYS_MAX = 90


def check_comment(access: Access) -> None:
    """Writers and reviewers discuss a post; other roles only read."""
    if not (access.can(Action.WRITE_POSTS) or access.can(Action.APPROVE_POSTS)):
        raise PermissionDenied(_("Your role in this workspace does not allow this."))


def mentioned_members(workspace_id: int, body: str) -> list[Membership]:
    """Return the workspace's members named with @username in `body`."""
    names = {m.rstrip(".") for m in MENTION.findall(body)}
    if not names:
        return []
    return list(
        Membership.objects.filter(workspace_id=workspace_id, user__username__in=names)
        .select_related("user")
        .order_by("user__username")
    )


@transaction.atomic
def do_add_comment(access: Access, post: Post, body: str) -> PostComment:
    """Add an internal comment; notify the members it mentions. Returns the comment."""
    check_comment(access)
    if post.workspace_id != access.workspace.pk:
        raise Http404
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write a comment.")})
    comment = PostComment.objects.create(post=post, author=access.user, body=body)
    members = mentioned_members(post.workspace_id, body)
    comment.mentions.set(members)
    record(access, access.workspace, "comment", post, after={"comment": body[:500]})
    params = {"who": access.user.username, "title": post.title}
    text = lazy_text(gettext_lazy("%(who)s mentioned you on “%(title)s”."), params)
    others = [m.user for m in members if m.user_id != access.user.pk]
    notify(access.workspace, others, "mention", text, workflow.post_url(post) + "#comments")
    return comment


def check_preview_links(access: Access) -> None:
    check_action(access, Action.WRITE_POSTS)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def do_create_preview_link(
    access: Access, post: Post, client_name: str, days: int
) -> tuple[PreviewLink, str]:
    """Create a client preview link; return it with the clear token (shown once, not stored)."""
    check_preview_links(access)
    if post.workspace_id != access.workspace.pk:
        raise Http404
    if not 1 <= days <= PREVIEW_DAYS_MAX:
        raise ValidationError({"days": _("Choose between 1 and 90 days.")})
    token = secrets.token_urlsafe(32)
    link = PreviewLink.objects.create(
        post=post,
        token_hash=_hash(token),
        client_name=client_name.strip(),
        created_by=access.user,
        expires_at=timezone.now() + timedelta(days=days),
    )
    record(access, access.workspace, "create", link, after={"post": post.pk, "days": days})
    return link, token


@transaction.atomic
def do_revoke_preview_link(access: Access, post: Post, link_id: int) -> PreviewLink:
    """Stop a preview link of `post` from working; Http404 for any other post's link."""
    check_preview_links(access)
    link = PreviewLink.objects.filter(
        pk=link_id, post=post, post__workspace=access.workspace
    ).first()
    if link is None:
        raise Http404
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
        record(access, access.workspace, "revoke_preview_link", link)
    return link


def find_preview_link(token: str) -> PreviewLink:
    """Return the usable link for a clear token; Http404 when unknown, expired or revoked."""
    link = (
        PreviewLink.objects.select_related("post__workspace")
        .filter(token_hash=_hash(token))
        .first()
    )
    if link is None or not link.is_usable:
        raise Http404
    return link


@transaction.atomic
def do_client_decision(token: str, client_name: str, approve: bool, reason: str) -> Post:
    """Record a client's approval or change request through a preview link; return the post.

    Raises Http404 for an unusable link, ValidationError when the post is not
    in review, the name is missing, or a change request has no reason.
    """
    link = find_preview_link(token)
    client_name = client_name.strip()[:120]
    if not client_name:
        raise ValidationError({"client_name": _("Give your name.")})
    post = Post.objects.select_for_update().get(pk=link.post_id)
    workflow.client_decision(post, client_name, approve, reason.strip())
    params = {"who": client_name, "title": post.title}
    if approve:
        message = gettext_lazy("%(who)s (client) approved “%(title)s”.")
    else:
        message = gettext_lazy("%(who)s (client) requested changes to “%(title)s”.")
    # The author hears about a change request from the transition itself.
    people = [link.created_by] if not approve else [link.created_by, post.author]
    notify(post.workspace, people, "client", lazy_text(message, params), workflow.post_url(post))
    return post


@transaction.atomic
def do_save_policy(access: Access, form: ApprovalPolicyForm) -> ApprovalPolicy:
    """Save a validated policy form (owners only); return the policy."""
    check_action(access, Action.MANAGE_WORKSPACE)
    policy = form.instance
    creating = policy.pk is None
    before = None if creating else snapshot(ApprovalPolicy.objects.get(pk=policy.pk))
    policy = form.save(commit=False)
    policy.workspace = access.workspace
    policy.save()
    record(
        access,
        access.workspace,
        "create" if creating else "update",
        policy,
        before,
        snapshot(policy),
    )
    return policy


@transaction.atomic
def do_delete_policy(access: Access, policy_id: int) -> None:
    check_action(access, Action.MANAGE_WORKSPACE)
    policy = access_policy(access, policy_id)
    record(access, access.workspace, "delete", policy, snapshot(policy))
    policy.delete()


def access_policy(access: Access, policy_id: int) -> ApprovalPolicy:
    policy = ApprovalPolicy.objects.filter(workspace=access.workspace, pk=policy_id).first()
    if policy is None:
        raise Http404
    return policy
