"""Pages of reports: schedules, runs and their files, templates, the team's comments.

Reading (runs, files, previews) needs VIEW_ANALYTICS; setting up needs
MANAGE_REPORTS. A run's PDF and HTML are served by a view that checks the
reader's role, never from a public media address.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tribune.workspaces.decorators import workspace_view
from tribune.workspaces.roles import Action

from . import actions_reports as actions
from .forms_reports import (
    PreviewForm,
    ReportCommentForm,
    ReportScheduleForm,
    ReportTemplateForm,
)
from .models import ReportComment, ReportRun, ReportSchedule, ReportTemplate
from .reports import SECTIONS, last_full_week, render_report_html, schedule_period

RUNS_PER_PAGE = 25
COMMENTS_SHOWN = 20
# A report is self-contained: inline styles, a data: logo, inline SVG, and no script.
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"


@require_GET
@workspace_view(Action.VIEW_ANALYTICS)
def report_list(request, access):
    workspace = access.workspace
    runs = ReportRun.objects.filter(workspace=workspace).select_related("schedule")
    page = Paginator(runs.order_by("-created_at", "-pk"), RUNS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "analytics/report_list.html",
        {
            "schedules": ReportSchedule.objects.filter(workspace=workspace).select_related(
                "template"
            ),
            "templates": ReportTemplate.objects.filter(workspace=workspace),
            "comments": ReportComment.objects.filter(workspace=workspace).select_related("author")[
                :COMMENTS_SHOWN
            ],
            "page": page,
            "section_titles": SECTIONS,
            "can_manage": access.can(Action.MANAGE_REPORTS),
        },
    )


# --- Templates --------------------------------------------------------------------------


@workspace_view(Action.MANAGE_REPORTS)
def template_edit(request, access, template_id: int | None = None):
    template = actions.access_template(access, template_id) if template_id else None
    initial = None if template else {"sections": list(SECTIONS)}
    form = ReportTemplateForm(
        request.POST or None, request.FILES or None, instance=template, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        template = actions.do_save_template(access, form)
        messages.success(request, _("Report template saved."))
        return redirect("report-template-edit", access.workspace.slug, template.pk)
    return render(
        request, "analytics/report_template_form.html", {"form": form, "template": template}
    )


@require_POST
@workspace_view(Action.MANAGE_REPORTS)
def template_delete(request, access, template_id: int):
    template = actions.access_template(access, template_id)
    try:
        actions.do_delete_template(access, template)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Report template deleted."))
    return redirect("report-list", access.workspace.slug)


def _report_page(html: str) -> HttpResponse:
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = REPORT_CSP
    response["Cache-Control"] = "private, no-store"
    return response


def _preview_overrides(request) -> tuple[tuple, dict]:
    """The preview's period (the last full week by default) and its valid overrides.

    The template editor posts its unsaved sections and colours here (a POST keeps
    the CSRF token out of the address); a link gives only the period, if any.
    """
    form = PreviewForm(request.POST if request.method == "POST" else request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    period = (data["start"], data["end"]) if data.get("start") else None
    if period is None:
        period = last_full_week(timezone.localdate())
    overrides = {
        "sections": data.get("sections") or None,
        "colour": data.get("colour") or None,
        "accent": data.get("accent") or None,
    }
    return period, overrides


@require_http_methods(["GET", "POST"])
@workspace_view(Action.VIEW_ANALYTICS)
def template_preview(request, access, template_id: int | None = None):
    """The report in the browser; from the editor, with its unsaved sections and colours.

    Nothing is saved: a preview writes nothing, whatever the method.
    """
    workspace = access.workspace
    if template_id:
        template = actions.access_template(access, template_id)
    else:
        template = ReportTemplate(workspace=workspace, name=_("New template"))
    name = (request.POST.get("name") or "").strip()[:120]
    if name:
        template.name = name
    period, overrides = _preview_overrides(request)
    if template.pk is None and overrides["sections"] is None:
        overrides["sections"] = list(SECTIONS)
    return _report_page(render_report_html(workspace, template, *period, **overrides))


# --- Schedules --------------------------------------------------------------------------


@workspace_view(Action.MANAGE_REPORTS)
def schedule_edit(request, access, schedule_id: int | None = None):
    schedule = actions.access_schedule(access, schedule_id) if schedule_id else None
    form = ReportScheduleForm(request.POST or None, instance=schedule, workspace=access.workspace)
    if request.method == "POST" and form.is_valid():
        actions.do_save_schedule(access, form)
        messages.success(request, _("Scheduled report saved."))
        return redirect("report-list", access.workspace.slug)
    return render(
        request, "analytics/report_schedule_form.html", {"form": form, "schedule": schedule}
    )


@require_POST
@workspace_view(Action.MANAGE_REPORTS)
def schedule_delete(request, access, schedule_id: int):
    actions.do_delete_schedule(access, actions.access_schedule(access, schedule_id))
    messages.success(request, _("Scheduled report deleted."))
    return redirect("report-list", access.workspace.slug)


@require_POST
@workspace_view(Action.MANAGE_REPORTS)
def schedule_send(request, access, schedule_id: int):
    schedule = actions.access_schedule(access, schedule_id)
    try:
        actions.do_send_now(access, schedule)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The report is being written and sent; it appears below within a minute."),
        )
    return redirect("report-list", access.workspace.slug)


@require_GET
@workspace_view(Action.VIEW_ANALYTICS)
def schedule_preview(request, access, schedule_id: int):
    """What "send now" would send: the schedule's latest period, in the browser."""
    schedule = actions.access_schedule(access, schedule_id)
    start, end = schedule_period(schedule, timezone.now())
    return _report_page(render_report_html(access.workspace, schedule.template, start, end))


# --- Comments ---------------------------------------------------------------------------


@workspace_view(Action.MANAGE_REPORTS)
def comment_edit(request, access, comment_id: int | None = None):
    comment = actions.access_comment(access, comment_id) if comment_id else None
    if comment is None and request.method == "GET":
        start, end = last_full_week(timezone.localdate())
        form = ReportCommentForm(initial={"period_start": start, "period_end": end})
    else:
        form = ReportCommentForm(request.POST or None, instance=comment)
    if request.method == "POST" and form.is_valid():
        actions.do_save_comment(access, form)
        messages.success(request, _("Comment saved."))
        return redirect("report-list", access.workspace.slug)
    return render(request, "analytics/report_comment_form.html", {"form": form, "comment": comment})


@require_POST
@workspace_view(Action.MANAGE_REPORTS)
def comment_delete(request, access, comment_id: int):
    actions.do_delete_comment(access, actions.access_comment(access, comment_id))
    messages.success(request, _("Comment deleted."))
    return redirect("report-list", access.workspace.slug)


# --- Files of a run ---------------------------------------------------------------------


@require_GET
@workspace_view(Action.VIEW_ANALYTICS)
def run_file(request, access, run_id: int, kind: str):
    """A run's PDF (downloaded) or HTML (read in the browser, sandboxed)."""
    run = actions.access_run(access, run_id)
    stored = run.pdf if kind == "pdf" else run.html
    if kind not in ("pdf", "html") or not stored:
        raise Http404
    try:
        handle = default_storage.open(stored.name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    filename = f"{access.workspace.slug}-{run.period_start}-{run.period_end}.{kind}"
    if kind == "pdf":
        response = FileResponse(
            handle, as_attachment=True, filename=filename, content_type="application/pdf"
        )
    else:
        response = FileResponse(handle, filename=filename, content_type="text/html; charset=utf-8")
        response["Content-Security-Policy"] = REPORT_CSP
    # The report names clients and figures: no shared cache keeps a copy.
    response["Cache-Control"] = "private, no-store"
    return response
