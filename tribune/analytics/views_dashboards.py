"""The dashboards: overview, breakdowns and the best-time heatmap, each figure with its
chart, its table and its CSV (`?format=csv&table=<slug>` on the same address).

Reading them needs VIEW_ANALYTICS; turning suggested times into queue slots goes
through the calendar's own action, which asks for PUBLISH on the network.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tribune.editorial import actions_calendar
from tribune.strategy.catalog import network_name
from tribune.workspaces.actions import Access, check_action
from tribune.workspaces.decorators import workspace_view
from tribune.workspaces.roles import Action

from . import dashboards, exports
from .exports import Table
from .forms_dashboards import BestTimeForm, BreakdownForm, PeriodForm, SlotSuggestionForm


def _wants_csv(request: HttpRequest) -> bool:
    return request.GET.get("format") == "csv"


def _csv(
    request: HttpRequest,
    access: Access,
    builders: dict[str, Callable[[], Table]],
    form,
    suffix: str,
) -> HttpResponse:
    """Answer a CSV download: one table, named by `?table=`, or a 400 with the reason."""
    build = builders.get(request.GET.get("table", ""))
    if build is None:
        raise Http404
    if form is not None and form.errors:
        reasons = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return HttpResponse(reasons, status=400, content_type="text/plain; charset=utf-8")
    table = build()
    return exports.csv_response(table, f"{access.workspace.slug}-{table.slug}{suffix}.csv")


def _link_csv(tables: list[Table], query: dict[str, str]) -> None:
    for table in tables:
        table.csv_url = "?" + urlencode({**query, "format": "csv", "table": table.slug})


def _period_context(form: PeriodForm) -> dict:
    return {"form": form, "period": form.period()}


@workspace_view(Action.VIEW_ANALYTICS)
def overview(request: HttpRequest, access: Access) -> HttpResponse:
    """Objectives' status, audience growth, top posts, and published vs planned."""
    workspace, today = access.workspace, timezone.localdate()
    form = PeriodForm(request.GET or None, today=today)
    period = form.period()
    # Each builder runs its queries once, however many tables it gives.
    audience = cache(lambda: dashboards.audience(workspace, period))
    rhythm = cache(lambda: dashboards.rhythm(workspace, period))
    builders = {
        "objectives": lambda: dashboards.objectives(workspace, today),
        "audience": lambda: audience()[0],
        "audience-growth": lambda: audience()[1],
        "top-posts": lambda: dashboards.top_posts(workspace, period),
        "rhythm": lambda: rhythm()[0],
        "rhythm-weeks": lambda: rhythm()[1],
    }
    suffix = f"-{period.start.isoformat()}-{period.end.isoformat()}"
    if _wants_csv(request):
        return _csv(request, access, builders, form, suffix)
    tables = {slug.replace("-", "_"): build() for slug, build in builders.items()}
    _link_csv(list(tables.values()), form.query())
    # The objectives do not depend on the period: their CSV link needs none.
    tables["objectives"].csv_url = "?" + urlencode({"format": "csv", "table": "objectives"})
    return render(
        request,
        "analytics/dashboard_overview.html",
        {"workspace": workspace, **_period_context(form), **tables, "today": today},
        status=400 if form.errors else 200,
    )


@workspace_view(Action.VIEW_ANALYTICS)
def breakdown(request: HttpRequest, access: Access) -> HttpResponse:
    """The period's posts by network, persona, pillar or format."""
    workspace, today = access.workspace, timezone.localdate()
    form = BreakdownForm(request.GET or None, today=today)
    period, by = form.period(), form.grouping()
    builders = {f"breakdown-{by}": lambda: dashboards.breakdown(workspace, period, by)}
    suffix = f"-{period.start.isoformat()}-{period.end.isoformat()}"
    if _wants_csv(request):
        return _csv(request, access, builders, form, suffix)
    table = builders[f"breakdown-{by}"]()
    _link_csv([table], form.query())
    return render(
        request,
        "analytics/dashboard_breakdown.html",
        {
            "workspace": workspace,
            **_period_context(form),
            "table": table,
            "by": by,
            "groupings": dashboards.BREAKDOWNS,
        },
        status=400 if form.errors else 200,
    )


@workspace_view(Action.VIEW_ANALYTICS)
def best_time(request: HttpRequest, access: Access) -> HttpResponse:
    """The day × hour heatmap of one network (or all), and queue slots suggested from it."""
    workspace = access.workspace
    form = BestTimeForm(request.GET or None, dashboards.networks_with_posts(workspace))
    network = form.chosen_network()
    grid, table = dashboards.heatmap(workspace, network)
    suffix = f"-{network}" if network else ""
    if _wants_csv(request):
        return _csv(request, access, {table.slug: lambda: table}, None, suffix)
    _link_csv([table], {"network": network} if network else {})
    suggestions = [
        {
            "network": key,
            "name": network_name(key),
            "cells": cells,
            "can_add": access.can(Action.PUBLISH, key),
            "all_exist": all(c.slot_exists for c in cells),
        }
        for key, cells in dashboards.slot_suggestions(workspace).items()
    ]
    return render(
        request,
        "analytics/dashboard_best_time.html",
        {
            "workspace": workspace,
            "form": form,
            "network": network,
            "network_label": network_name(network) if network else "",
            "grid": grid,
            "table": table,
            "hours": range(24),
            "suggestions": suggestions,
            "min_posts": dashboards.MIN_POSTS,
        },
    )


@require_POST
@workspace_view(Action.VIEW_ANALYTICS)
def suggest_slots(request: HttpRequest, access: Access) -> HttpResponse:
    """Add the chosen suggested times of one network to the calendar's queue."""
    suggestions = dashboards.slot_suggestions(access.workspace)
    form = SlotSuggestionForm(request.POST, suggestions)
    back = reverse("analytics-best-time", args=[access.workspace.slug])
    if not form.is_valid():
        messages.error(request, _("Choose at least one of the suggested times."))
        return redirect(back)
    network = form.cleaned_data["network"]
    check_action(access, Action.PUBLISH, network)
    existing = {c.key for c in suggestions[network] if c.slot_exists}
    chosen = [c for c in suggestions[network] if c.key in form.cleaned_data["cells"]]
    added = 0
    try:
        # All or nothing: a refused slot leaves the queue as it was.
        with transaction.atomic():
            for cell in chosen:
                if cell.key in existing:
                    continue
                actions_calendar.do_create_slots(access, network, [cell.weekday], cell.time)
                added += 1
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    messages.success(
        request,
        _("%(count)s queue slot(s) added on %(network)s.")
        % {"count": added, "network": network_name(network)},
    )
    return redirect(back)
