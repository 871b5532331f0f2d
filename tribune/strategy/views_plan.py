"""The strategy plan: steps 1–4 on one page, and the same as a PDF for a client."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from tribune.workspaces.decorators import workspace_view

from .pdf import render_plan_pdf
from .plan import gather_plan


@workspace_view()
def plan(request, access):
    return render(request, "strategy/plan.html", {"plan": gather_plan(access.workspace)})


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
