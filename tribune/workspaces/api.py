"""API of the workspaces domain: my workspaces, members and their roles, the audit log."""

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from pydantic import ConfigDict

from tribune.core.api_input import NetworkKey, ObjectIdPath, Page, SlugPath
from tribune.core.problems import ERRORS, READ_ERRORS, Problem, form_problem
from tribune.strategy.catalog import network_options

from . import actions
from .forms import RolesForm
from .models import AuditEvent, Membership
from .roles import NETWORK_SCOPED_ROLES, Action, Role

router = Router(tags=["workspaces"])


class WorkspaceOut(Schema):
    """A workspace, read through the caller's membership (which gives `my_roles`)."""

    slug: str = Field(alias="workspace.slug")
    name: str = Field(alias="workspace.name")
    description: str = Field(alias="workspace.description")
    language: str = Field(alias="workspace.language")
    time_zone: str = Field(alias="workspace.time_zone")
    created_at: datetime = Field(alias="workspace.created_at")
    my_roles: list[str] = Field(alias="roles")


class MemberOut(Schema):
    id: int
    username: str = Field(alias="user.username")
    display_name: str
    roles: list[str]
    network_scopes: dict[str, list[str]]
    joined_at: datetime


class RolesIn(Schema):
    model_config = ConfigDict(extra="forbid")

    roles: list[Role]
    # Only Publisher, Responder and Moderator can be limited; none listed: every network.
    network_scopes: dict[Role, list[NetworkKey]] = {}


class AuditEventOut(Schema):
    id: int
    at: datetime
    actor: str = Field(alias="actor_name")
    verb: str
    object_type: str
    object_id: str
    object_repr: str
    before: Any
    after: Any


def _member(access: actions.Access, member_id: int) -> Membership:
    membership = (
        Membership.objects.select_related("user")
        .filter(workspace=access.workspace, pk=member_id)
        .first()
    )
    if membership is None:
        raise Problem(404, _("Not found."))
    return membership


@router.get("/workspaces", response={200: list[WorkspaceOut], **READ_ERRORS})
@paginate(Page)
def list_workspaces(request: HttpRequest) -> QuerySet[Membership]:
    """The workspaces you are a member of, by name."""
    return (
        Membership.objects.filter(user=request.auth)
        .select_related("workspace")
        .order_by("workspace__name", "workspace__pk")
    )


@router.get("/workspaces/{slug}", response={200: WorkspaceOut, **READ_ERRORS})
def get_workspace(request: HttpRequest, slug: SlugPath) -> Membership:
    return actions.access_workspace(request.auth, slug).membership


@router.get("/workspaces/{slug}/members", response={200: list[MemberOut], **READ_ERRORS})
@paginate(Page)
def list_members(request: HttpRequest, slug: SlugPath) -> QuerySet[Membership]:
    access = actions.access_workspace(request.auth, slug)
    return (
        Membership.objects.filter(workspace=access.workspace)
        .select_related("user")
        .order_by("user__username", "pk")
    )


@router.get("/workspaces/{slug}/members/{member_id}", response={200: MemberOut, **READ_ERRORS})
def get_member(request: HttpRequest, slug: SlugPath, member_id: ObjectIdPath) -> Membership:
    access = actions.access_workspace(request.auth, slug)
    return _member(access, member_id)


@router.put("/workspaces/{slug}/members/{member_id}/roles", response={200: MemberOut, **ERRORS})
def set_member_roles(
    request: HttpRequest, slug: SlugPath, member_id: ObjectIdPath, payload: RolesIn
) -> Membership:
    """Replace a member's roles (Owners only). The last Owner keeps the Owner role (409)."""
    access = actions.access_workspace(request.auth, slug, Action.MANAGE_MEMBERS)
    membership = _member(access, member_id)
    # The same form as the team page, so network keys are checked against the catalog.
    data: dict[str, Any] = {"roles": [r.value for r in payload.roles]}
    for role, networks in payload.network_scopes.items():
        if role not in NETWORK_SCOPED_ROLES:
            raise Problem(
                422,
                _("The request has invalid values."),
                [
                    {
                        "loc": ["body", "network_scopes", role.value],
                        "msg": _("Only Publisher, Responder and Moderator can be limited."),
                        "type": "not_scoped",
                    }
                ],
            )
        data[f"scope_{role.value}"] = networks
    form = RolesForm(data=data, networks=network_options())
    if not form.is_valid():
        raise form_problem(form, _("The request has invalid values."))
    return actions.do_set_roles(access, membership, form.cleaned_data["roles"], form.scopes())


@router.delete("/workspaces/{slug}/members/{member_id}", response={204: None, **ERRORS})
def remove_member(request: HttpRequest, slug: SlugPath, member_id: ObjectIdPath) -> HttpResponse:
    """Remove a member (Owners only). The last Owner cannot be removed (409)."""
    access = actions.access_workspace(request.auth, slug, Action.MANAGE_MEMBERS)
    actions.do_remove_member(access, _member(access, member_id))
    return HttpResponse(status=204)


@router.get("/workspaces/{slug}/audit", response={200: list[AuditEventOut], **READ_ERRORS})
@paginate(Page)
def list_audit_events(request: HttpRequest, slug: SlugPath) -> Any:
    """Who changed what, newest first (Owners only)."""
    access = actions.access_workspace(request.auth, slug, Action.VIEW_AUDIT)
    return AuditEvent.objects.filter(workspace=access.workspace).order_by("-at", "-id")
