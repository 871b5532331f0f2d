"""Pages of the workspaces domain: home, workspace settings, team, audit, account."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tribune.strategy.catalog import network_name, network_options

from . import actions
from .decorators import workspace_view
from .forms import ApiTokenForm, InvitationForm, LanguageForm, RolesForm, WorkspaceForm
from .models import ApiToken, AuditEvent, Invitation, Membership
from .roles import Action, Role
from .signup import SignupForm


@login_required
def home(request):
    """Open the workspace asked for, the only one, or the list to choose from."""
    workspaces = actions.user_workspaces(request.user)
    wanted = request.GET.get("w")
    if wanted and any(w.slug == wanted for w in workspaces):
        return redirect("workspace-overview", wanted)
    if len(workspaces) == 1:
        return redirect("workspace-overview", workspaces[0].slug)
    return render(request, "workspaces/home.html", {"workspaces": workspaces})


@login_required
def workspace_create(request):
    form = WorkspaceForm(request.POST or None, initial={"time_zone": "Europe/Paris"})
    if request.method == "POST" and form.is_valid():
        ws = actions.do_create_workspace(
            request.user,
            **{k: form.cleaned_data[k] for k in ("name", "slug", "language", "time_zone")},
        )
        messages.success(request, _("Workspace created."))
        return redirect("workspace-overview", ws.slug)
    return render(request, "workspaces/workspace_form.html", {"form": form})


@workspace_view(Action.MANAGE_WORKSPACE)
def workspace_settings(request, access):
    form = WorkspaceForm(request.POST or None, instance=access.workspace)
    if request.method == "POST" and form.is_valid():
        fields = {k: form.cleaned_data[k] for k in form.changed_data}
        try:
            ws = actions.do_update_workspace(access, **fields)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("workspace-settings", ws.slug)
    return render(request, "workspaces/settings.html", {"form": form})


@workspace_view()
def team(request, access):
    members = list(Membership.objects.filter(workspace=access.workspace).select_related("user"))
    for m in members:
        m.scope_lines = [
            {"role": Role(role).label, "networks": ", ".join(network_name(n) for n in nets)}
            for role, nets in sorted((m.network_scopes or {}).items())
            if nets and role in Role.values
        ]
    invitations = Invitation.objects.none()
    if access.can(Action.MANAGE_MEMBERS):
        invitations = Invitation.objects.filter(
            workspace=access.workspace, used_at__isnull=True, revoked_at__isnull=True
        )
    return render(
        request,
        "workspaces/team.html",
        {
            "members": members,
            "invitations": [i for i in invitations if i.is_usable],
            "can_manage": access.can(Action.MANAGE_MEMBERS),
        },
    )


@workspace_view(Action.MANAGE_MEMBERS)
def member_edit(request, access, member_id: int):
    membership = get_object_or_404(
        Membership.objects.select_related("user"), pk=member_id, workspace=access.workspace
    )
    initial = {"roles": membership.roles}
    initial.update({f"scope_{r}": n for r, n in (membership.network_scopes or {}).items()})
    form = RolesForm(request.POST or None, initial=initial, networks=network_options())
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_set_roles(access, membership, form.cleaned_data["roles"], form.scopes())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("Roles of %(name)s saved.") % {"name": membership.display_name}
            )
            return redirect("team", access.workspace.slug)
    return render(request, "workspaces/member_form.html", {"form": form, "member": membership})


@require_POST
@workspace_view(Action.MANAGE_MEMBERS)
def member_remove(request, access, member_id: int):
    membership = get_object_or_404(Membership, pk=member_id, workspace=access.workspace)
    try:
        actions.do_remove_member(access, membership)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Member removed."))
    return redirect("team", access.workspace.slug)


@workspace_view(Action.MANAGE_MEMBERS)
def invitation_create(request, access):
    form = InvitationForm(request.POST or None, networks=network_options())
    link = None
    if request.method == "POST" and form.is_valid():
        _inv, token = actions.do_create_invitation(
            access, form.cleaned_data["roles"], form.scopes(), form.cleaned_data["email"]
        )
        link = request.build_absolute_uri(reverse("invitation-accept", args=[token]))
        form = InvitationForm(networks=network_options())
    return render(request, "workspaces/invitation_form.html", {"form": form, "link": link})


@require_POST
@workspace_view(Action.MANAGE_MEMBERS)
def invitation_revoke(request, access, invitation_id: int):
    invitation = get_object_or_404(Invitation, pk=invitation_id, workspace=access.workspace)
    actions.do_revoke_invitation(access, invitation)
    messages.success(request, _("Invitation revoked."))
    return redirect("team", access.workspace.slug)


def invitation_accept(request, token: str):
    """Show the invitation; an account holder joins, a newcomer signs up first."""
    invitation = actions.find_invitation(token)
    if request.method == "POST":
        if not request.user.is_authenticated:
            form = SignupForm(request.POST)
            if not form.is_valid():
                return render(
                    request,
                    "workspaces/invitation_accept.html",
                    {"invitation": invitation, "form": form},
                )
            user = form.save()
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        membership = actions.do_accept_invitation(request.user, token)
        messages.success(request, _("Welcome to %(ws)s.") % {"ws": membership.workspace.name})
        return redirect("workspace-overview", membership.workspace.slug)
    form = None
    if not request.user.is_authenticated:
        form = SignupForm()
    return render(
        request, "workspaces/invitation_accept.html", {"invitation": invitation, "form": form}
    )


@workspace_view(Action.VIEW_AUDIT)
def audit_log(request, access):
    events = AuditEvent.objects.filter(workspace=access.workspace).select_related("actor")
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "workspaces/audit.html", {"page": page})


@login_required
def account(request):
    form = ApiTokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        _token, new_token = actions.do_create_api_token(request.user, form.cleaned_data["name"])
        form = ApiTokenForm()
    tokens = ApiToken.objects.filter(user=request.user, revoked_at__isnull=True)
    return render(
        request, "workspaces/account.html", {"form": form, "tokens": tokens, "new_token": new_token}
    )


@require_POST
@login_required
def api_token_revoke(request, token_id: int):
    actions.do_revoke_api_token(request.user, token_id)
    messages.success(request, _("Token revoked."))
    return redirect("account")


@require_POST
def set_language(request):
    """Switch language: saved on the user when signed in, in a cookie otherwise."""
    form = LanguageForm(request.POST)
    if not form.is_valid():
        raise Http404
    language = form.cleaned_data["language"]
    target = form.cleaned_data["next"] or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/"
    if request.user.is_authenticated:
        request.user.language = language
        request.user.save(update_fields=["language"])
    response = redirect(target)
    response.set_cookie("django_language", language, max_age=365 * 24 * 3600, samesite="Lax")
    return response
