"""Import and export pages: upload a CSV, follow its progress, download the calendar."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from tribune.workspaces.decorators import workspace_view
from tribune.workspaces.roles import Action

from . import actions_imports, exports, imports, tasks
from .forms_imports import ExportForm, ImportForm, default_export_range
from .models import ImportJob


@workspace_view(Action.WRITE_POSTS)
def import_posts(request, access):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["file"]
        try:
            job = actions_imports.do_start_import(
                access, upload.read(), upload.name, data["source_format"]
            )
        except imports.FileRefused as exc:
            form.add_error("file", str(exc))
        else:
            networks = list(data["networks"])
            if job.total_rows > actions_imports.BACKGROUND_ROWS:
                transaction.on_commit(lambda: tasks.run_import(job.pk, networks, data["day_first"]))
            else:
                actions_imports.run_job(job.pk, tuple(networks), data["day_first"])
            return redirect("import-job", access.workspace.slug, job.pk)
    recent = ImportJob.objects.filter(workspace=access.workspace).order_by("-created_at")[:10]
    return render(
        request,
        "editorial/import_form.html",
        {
            "form": form,
            "export_form": ExportForm(initial=default_export_range(timezone.localdate())),
            "recent": recent,
            "background_rows": actions_imports.BACKGROUND_ROWS,
        },
    )


@workspace_view(Action.WRITE_POSTS)
def import_job(request, access, job_id: int):
    job = actions_imports.access_job(access, job_id)
    context = {"job": job, "percent": _percent(job)}
    if request.htmx:
        return render(request, "editorial/import_progress.html", context)
    return render(request, "editorial/import_job.html", context)


def _percent(job: ImportJob) -> int:
    if job.status == ImportJob.Status.DONE:
        return 100
    return int(100 * job.done_rows / job.total_rows) if job.total_rows else 0


@workspace_view()
def export_posts(request, access):
    form = ExportForm(request.GET)
    if not form.is_valid():
        return HttpResponse(
            " ".join(str(e) for errors in form.errors.values() for e in errors) or _("Bad range."),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    start, end, kind = (form.cleaned_data[k] for k in ("start", "end", "format"))
    name = f"{access.workspace.slug}-calendar-{start:%Y%m%d}-{end:%Y%m%d}.{kind}"
    if kind == "json":
        body = exports.json_chunks(access.workspace, start, end)
        content_type = "application/json"
    else:
        body = exports.csv_lines(access.workspace, start, end)
        content_type = "text/csv; charset=utf-8"
    response = StreamingHttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
