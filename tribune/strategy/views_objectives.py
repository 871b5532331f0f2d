"""Pages of step 2: objectives with their KPI, baseline, target and deadline."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tribune.analytics.kpis import measure_many
from tribune.workspaces.decorators import workspace_view
from tribune.workspaces.roles import Action

from . import actions
from .actions_objectives import objectives_for, progress, workspace_today
from .catalog import network_name
from .choices import Lever
from .forms_objectives import ObjectiveForm
from .models import Objective

# Objectives per page: a long list stays quick to render and to read.
PAGE_SIZE = 50


def _decorate(objective: Objective) -> Objective:
    """Attach what templates cannot compute: network names and progress direction."""
    objective.network_names = [network_name(k) for k in objective.networks]
    objective.progress = progress(objective)
    return objective


@workspace_view()
def objective_list(request, access):
    lever = request.GET.get("lever") or ""
    if lever not in Lever.values:
        lever = ""
    page = Paginator(objectives_for(access, lever or None), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    objectives = [_decorate(o) for o in page.object_list]
    # Where each stands: a fixed number of queries for the whole page (kpis.measure_many).
    measures = measure_many(access.workspace, objectives, workspace_today(access.workspace))
    for objective in objectives:
        objective.measure = measures[objective.pk]
    # Grouped by lever in the method's order; a lever with no objective is left out.
    groups = [
        (value, label, [o for o in objectives if o.lever == value])
        for value, label in Lever.choices
    ]
    return render(
        request,
        "strategy/objective_list.html",
        {
            "groups": [g for g in groups if g[2]],
            "count": page.paginator.count,
            "page": page,
            "levers": Lever.choices,
            "lever": lever,
            "can_edit": access.can(Action.EDIT_STRATEGY),
        },
    )


@workspace_view()
def objective_detail(request, access, objective_id: int):
    objective = actions.access_object(access, Objective, objective_id, select=("owner__user",))
    today = workspace_today(access.workspace)
    objective.measure = measure_many(access.workspace, [objective], today)[objective.pk]
    return render(
        request,
        "strategy/objective_detail.html",
        {
            "objective": _decorate(objective),
            "personas": objective.personas.all(),
            "can_edit": access.can(Action.EDIT_STRATEGY),
        },
    )


@workspace_view(Action.EDIT_STRATEGY)
def objective_edit(request, access, objective_id: int | None = None):
    objective = actions.access_object(access, Objective, objective_id) if objective_id else None
    form = ObjectiveForm(request.POST or None, instance=objective, workspace=access.workspace)
    if request.method == "POST" and form.is_valid():
        objective = actions.do_save_form(access, form)
        messages.success(request, _("Objective saved."))
        return redirect("objective-detail", access.workspace.slug, objective.pk)
    return render(request, "strategy/objective_form.html", {"form": form, "objective": objective})


@require_POST
@workspace_view(Action.EDIT_STRATEGY)
def objective_delete(request, access, objective_id: int):
    objective = actions.access_object(access, Objective, objective_id)
    actions.do_delete(access, objective)
    messages.success(request, _("Objective deleted."))
    return redirect("objective-list", access.workspace.slug)
