"""The permission layer and the writes of the workspaces domain.

`access_*` fetch and check; `do_*` write in one transaction and record an
audit event. Views, the API, commands and tasks call these, never each other.
A user who is not a member of a workspace gets Http404 for anything in it, so
that the existence of another workspace's objects is never revealed.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ApiToken, AuditEvent, Invitation, Membership, User, Workspace
from .roles import Action, Role, allows

INVITATION_LIFETIME = timedelta(days=7)


@dataclass(frozen=True)
class Access:
    """A checked membership: what the views and the API get back from access_*."""

    workspace: Workspace
    membership: Membership

    @property
    def user(self) -> User:
        return self.membership.user

    def can(self, action: Action, network: str | None = None) -> bool:
        m = self.membership
        return allows(m.role_set, m.network_scopes or {}, action, network)


def access_workspace(
    user: User, slug: str, action: Action = Action.VIEW_PLAN, network: str | None = None
) -> Access:
    """Return the user's Access to the workspace, checked for `action`.

    Raises Http404 when the user is not a member (or the workspace does not
    exist), PermissionDenied when the member's roles do not allow the action.
    """
    if not user.is_authenticated or not user.is_active:
        raise Http404
    membership = (
        Membership.objects.select_related("workspace", "user")
        .filter(workspace__slug=slug, user=user)
        .first()
    )
    if membership is None:
        raise Http404
    access = Access(membership.workspace, membership)
    if not access.can(action, network):
        raise PermissionDenied(_("Your role in this workspace does not allow this."))
    return access


def check_action(access: Access, action: Action, network: str | None = None) -> None:
    """Raise PermissionDenied unless the already-fetched access allows `action`."""
    if not access.can(action, network):
        raise PermissionDenied(_("Your role in this workspace does not allow this."))


def record(
    access: Access | None,
    workspace: Workspace,
    verb: str,
    obj: Any,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEvent:
    """Write one audit event. Call inside the transaction of the change it records."""
    actor = access.user if access else None
    return AuditEvent.objects.create(
        workspace=workspace,
        actor=actor,
        actor_name=actor.username if actor else "tribune",
        verb=verb,
        object_type=obj._meta.model_name,
        object_id=str(obj.pk or ""),
        object_repr=str(obj)[:200],
        before=before,
        after=after,
    )


def workspace_version(workspace: Workspace) -> int:
    """Return a number that changes whenever anything in the workspace is written.

    Every write records an audit event, so the newest event's id serves; caches
    of derived data key on it (one indexed query instead of the derivation).
    """
    newest = (
        AuditEvent.objects.filter(workspace=workspace)
        .order_by("-at", "-id")
        .values_list("id", flat=True)
        .first()
    )
    return newest or 0


def user_workspaces(user: User) -> list[Workspace]:
    """Return the workspaces the user belongs to, by name."""
    return list(Workspace.objects.filter(memberships__user=user).order_by("name"))


def clean_roles(roles: list[str], scopes: dict[str, list[str]] | None) -> tuple[list[str], dict]:
    """Validate a role list and its network limits; return them normalised."""
    unknown = [r for r in roles if r not in Role.values]
    if unknown or not roles:
        raise ValidationError({"roles": _("Choose at least one role from the list.")})
    ordered = [r for r in Role.values if r in roles]
    scoped = {}
    for role, networks in (scopes or {}).items():
        if role not in ordered or role not in {"publisher", "responder", "moderator"}:
            continue
        if networks:
            scoped[role] = sorted(set(networks))
    return ordered, scoped


def membership_snapshot(m: Membership) -> dict:
    return {"user": m.user.username, "roles": list(m.roles), "network_scopes": m.network_scopes}


@transaction.atomic
def do_create_workspace(
    user: User, name: str, slug: str, language: str, time_zone: str
) -> Workspace:
    """Create a workspace with `user` as its Owner."""
    workspace = Workspace(name=name, slug=slug, language=language, time_zone=time_zone)
    workspace.full_clean()
    workspace.save()
    membership = Membership.objects.create(workspace=workspace, user=user, roles=[Role.OWNER.value])
    access = Access(workspace, membership)
    record(access, workspace, "create", workspace, after={"name": name, "slug": slug})
    return workspace


@transaction.atomic
def do_update_workspace(access: Access, **fields: Any) -> Workspace:
    check_action(access, Action.MANAGE_WORKSPACE)
    workspace = Workspace.objects.select_for_update().get(pk=access.workspace.pk)
    before = {k: getattr(workspace, k) for k in fields}
    for key, value in fields.items():
        setattr(workspace, key, value)
    workspace.full_clean()
    workspace.save()
    record(access, workspace, "update", workspace, before=before, after=fields)
    return workspace


@transaction.atomic
def do_set_roles(
    access: Access, membership: Membership, roles: list[str], scopes: dict | None = None
) -> Membership:
    """Change a member's roles. The last Owner cannot lose the Owner role."""
    check_action(access, Action.MANAGE_MEMBERS)
    if membership.workspace_id != access.workspace.pk:
        raise Http404
    roles, scopes = clean_roles(roles, scopes)
    if Role.OWNER.value in membership.roles and Role.OWNER.value not in roles:
        _guard_last_owner(access.workspace, membership)
    before = membership_snapshot(membership)
    membership.roles = roles
    membership.network_scopes = scopes
    membership.save(update_fields=["roles", "network_scopes"])
    record(
        access,
        access.workspace,
        "change_roles",
        membership,
        before,
        membership_snapshot(membership),
    )
    return membership


@transaction.atomic
def do_remove_member(access: Access, membership: Membership) -> None:
    check_action(access, Action.MANAGE_MEMBERS)
    if membership.workspace_id != access.workspace.pk:
        raise Http404
    if Role.OWNER.value in membership.roles:
        _guard_last_owner(access.workspace, membership)
    record(access, access.workspace, "remove_member", membership, membership_snapshot(membership))
    membership.delete()


def _guard_last_owner(workspace: Workspace, membership: Membership) -> None:
    owners = [
        m.pk for m in Membership.objects.filter(workspace=workspace) if Role.OWNER.value in m.roles
    ]
    if owners == [membership.pk]:
        raise ValidationError(_("A workspace needs at least one Owner."))


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def do_create_invitation(
    access: Access, roles: list[str], scopes: dict | None = None, email: str = ""
) -> tuple[Invitation, str]:
    """Create an invitation; return it with the clear token (shown once, never stored)."""
    check_action(access, Action.MANAGE_MEMBERS)
    roles, scopes = clean_roles(roles, scopes)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        workspace=access.workspace,
        token_hash=_hash(token),
        email=email,
        roles=roles,
        network_scopes=scopes,
        created_by=access.user,
        expires_at=timezone.now() + INVITATION_LIFETIME,
    )
    record(access, access.workspace, "invite", invitation, after={"roles": roles, "email": email})
    return invitation, token


def find_invitation(token: str) -> Invitation:
    """Return the usable invitation for a clear token; Http404 for any other."""
    invitation = (
        Invitation.objects.select_related("workspace").filter(token_hash=_hash(token)).first()
    )
    if invitation is None or not invitation.is_usable:
        raise Http404
    return invitation


@transaction.atomic
def do_accept_invitation(user: User, token: str) -> Membership:
    """Make `user` a member. Single use: a second acceptance gets Http404."""
    invitation = find_invitation(token)
    # Claim it with a conditional update, so two clicks cannot both succeed.
    claimed = Invitation.objects.filter(pk=invitation.pk, used_at__isnull=True).update(
        used_at=timezone.now(), used_by=user
    )
    if not claimed:
        raise Http404
    membership, created = Membership.objects.get_or_create(
        workspace=invitation.workspace,
        user=user,
        defaults={"roles": invitation.roles, "network_scopes": invitation.network_scopes},
    )
    if not created:
        merged = sorted(set(membership.roles) | set(invitation.roles), key=Role.values.index)
        membership.roles = merged
        membership.save(update_fields=["roles"])
    access = Access(invitation.workspace, membership)
    record(access, invitation.workspace, "join", membership, after=membership_snapshot(membership))
    return membership


@transaction.atomic
def do_revoke_invitation(access: Access, invitation: Invitation) -> None:
    check_action(access, Action.MANAGE_MEMBERS)
    if invitation.workspace_id != access.workspace.pk:
        raise Http404
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    record(access, access.workspace, "revoke_invitation", invitation)


def do_create_api_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Create a personal access token; return it with the clear token (shown once)."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name.")})
    clear = "trb_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:80], prefix=clear[:12], token_hash=_hash(clear)
    )
    return token, clear


def do_revoke_api_token(user: User, token_id: int) -> None:
    updated = ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if not updated:
        raise Http404


def authenticate_api_token(clear: str) -> User | None:
    """Return the active user owning this token, or None."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=_hash(clear), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    # Coarse last-use tracking: at most one write a minute per token.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
