"""Pages of the strategy domain: overview and personas (steps 1 of the method).

Objectives, networks and the plan have their own modules (views_*.py)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tribune.editorial.models import Post
from tribune.workspaces.decorators import workspace_view
from tribune.workspaces.models import Membership
from tribune.workspaces.roles import Action

from . import actions
from .catalog import network_name
from .choices import ContentFormat
from .forms import PersonaForm
from .models import NetworkChoice, Objective, Persona


@workspace_view()
def overview(request, access):
    ws = access.workspace
    now = timezone.now()
    counts = {
        "personas": Persona.objects.filter(workspace=ws).count(),
        "objectives": Objective.objects.filter(workspace=ws).count(),
        "networks": NetworkChoice.objects.filter(workspace=ws).count(),
        "policies": NetworkChoice.objects.filter(workspace=ws, policy__isnull=False).count(),
        "members": Membership.objects.filter(workspace=ws).count(),
        "planned": Post.objects.filter(
            workspace=ws, scheduled_at__gte=now, scheduled_at__lt=now + timedelta(weeks=4)
        ).count(),
    }
    return render(request, "strategy/overview.html", {"counts": counts})


@workspace_view()
def persona_list(request, access):
    personas = (
        Persona.objects.filter(workspace=access.workspace)
        .annotate(objective_count=Count("objectives", distinct=True))
        .order_by("name", "id")
    )
    return render(
        request,
        "strategy/persona_list.html",
        {
            "personas": personas,
            "can_edit": access.can(Action.EDIT_STRATEGY),
        },
    )


@workspace_view()
def persona_detail(request, access, persona_id: int):
    persona = actions.access_object(access, Persona, persona_id)
    return render(
        request,
        "strategy/persona_detail.html",
        {
            "persona": persona,
            "network_names": [network_name(k) for k in persona.networks],
            "format_labels": [
                ContentFormat(f).label for f in persona.formats if f in ContentFormat.values
            ],
            "objectives": persona.objectives.all(),
            "can_edit": access.can(Action.EDIT_STRATEGY),
        },
    )


@workspace_view(Action.EDIT_STRATEGY)
def persona_edit(request, access, persona_id: int | None = None):
    persona = actions.access_object(access, Persona, persona_id) if persona_id else None
    form = PersonaForm(request.POST or None, instance=persona, workspace=access.workspace)
    if request.method == "POST" and form.is_valid():
        persona = actions.do_save_form(access, form)
        messages.success(request, _("Persona saved."))
        return redirect("persona-detail", access.workspace.slug, persona.pk)
    return render(request, "strategy/persona_form.html", {"form": form, "persona": persona})


@require_POST
@workspace_view(Action.EDIT_STRATEGY)
def persona_delete(request, access, persona_id: int):
    persona = actions.access_object(access, Persona, persona_id)
    actions.do_delete(access, persona)
    messages.success(request, _("Persona deleted."))
    return redirect("persona-list", access.workspace.slug)
