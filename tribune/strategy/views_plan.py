"""The strategy plan: steps 1–4 on one page, and the same as a PDF for a client."""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from tribune.analytics.kpis import measure_all
from tribune.workspaces.actions import workspace_version
from tribune.workspaces.decorators import workspace_view

from .pdf import render_plan_pdf
from .plan import gather_plan

# A rendered plan is kept until the workspace changes: every write to the
# strategy records an audit event, so the newest event's id versions the plan.
PLAN_CACHE_SECONDS = 3600
# Where the measures of the objectives go in the cached body (escaping keeps
# any text typed by users from forging it: "<" never reaches the page raw).
MEASURES_MARK = "<!-- tribune:measures -->"


@workspace_view()
def plan(request, access):
    workspace = access.workspace
    today = timezone.localdate()
    version = workspace_version(workspace)
    key = f"plan:{workspace.pk}:{version}:{get_language()}:{workspace.time_zone}:{today}"
    body = cache.get(key)
    if body is None:
        body = render_to_string(
            "strategy/plan_body.html", {"plan": gather_plan(workspace), "workspace": workspace}
        )
        cache.set(key, body, PLAN_CACHE_SECONDS)
    # The measures move with the figures collected and entered, which record no
    # audit event (a reading arrives every hour): the audit-versioned cache would
    # show stale ones. They are computed on every request instead (a handful of
    # aggregate queries, whatever the number of objectives) and put in their place.
    measures = render_to_string(
        "strategy/plan_measures.html",
        {"measures": measure_all(workspace, today), "workspace": workspace},
    )
    body = body.replace(MEASURES_MARK, measures, 1)
    return render(
        request,
        "strategy/plan.html",
        {"plan_body": mark_safe(body), "today": today},  # noqa: S308
    )


@workspace_view()
def plan_pdf(request, access):
    workspace = access.workspace
    response = HttpResponse(render_plan_pdf(workspace), content_type="application/pdf")
    # The slug is a SlugField: safe inside a quoted filename without escaping.
    response["Content-Disposition"] = f'attachment; filename="{workspace.slug}-strategy.pdf"'
    response["Content-Language"] = workspace.language
    # The plan names people and figures: keep it out of shared caches.
    response["Cache-Control"] = "private, no-store"
    return response
