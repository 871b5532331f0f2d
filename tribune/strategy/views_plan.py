"""The strategy plan: steps 1–4 on one page, and the same as a PDF for a client."""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from tribune.workspaces.actions import workspace_version
from tribune.workspaces.decorators import workspace_view

from .pdf import render_plan_pdf
from .plan import gather_plan

# A rendered plan is kept until the workspace changes: every write to the
# strategy records an audit event, so the newest event's id versions the plan.
PLAN_CACHE_SECONDS = 3600


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
