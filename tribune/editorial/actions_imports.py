"""Writes of the CSV import: all rows in one transaction, or nothing.

`do_start_import` stores the uploaded file as an ImportJob; small files are
imported during the request, large ones by the Huey task `tasks.run_import`.
Both end in `run_job`, which re-checks the uploader's permission, validates
every row first (`imports.read_rows`) and only when all are valid creates the
posts, their variants and objectives in one transaction.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from tribune.core.row_errors import RowError
from tribune.workspaces.actions import Access, access_workspace, check_action, record
from tribune.workspaces.roles import Action

from . import imports
from .choices import PostState
from .models import ImportJob, Post, Variant

logger = logging.getLogger(__name__)

# Above this many rows the import runs in the background with a progress bar.
BACKGROUND_ROWS = 200
# Rows kept in the job's error report; a file with more bad rows says how many it left out.
MAX_REPORTED_ERRORS = 1000
BATCH = 1000


def access_job(access: Access, job_id: int) -> ImportJob:
    """Return the workspace's import job `job_id`; Http404 for any other."""
    job = ImportJob.objects.filter(workspace=access.workspace, pk=job_id).first()
    if job is None:
        raise Http404
    return job


@transaction.atomic
def do_start_import(access: Access, raw: bytes, file_name: str, source_format: str) -> ImportJob:
    """Store the file as a queued ImportJob with its row count; FileRefused if unreadable."""
    check_action(access, Action.WRITE_POSTS)
    text = imports.decode(raw)
    # Hootsuite files have no header row; the others do.
    total = max(imports.count_rows(text) - (0 if source_format == imports.HOOTSUITE else 1), 0)
    job = ImportJob(
        workspace=access.workspace,
        created_by=access.user,
        source_format=source_format,
        total_rows=total,
    )
    job.file.save(file_name[-100:] or "import.csv", ContentFile(raw), save=False)
    job.save()
    record(access, access.workspace, "upload_import", job, after={"rows": total})
    return job


def run_job(job_id: int, networks: tuple[str, ...] = (), day_first: bool = True) -> ImportJob:
    """Import a queued job's file; return the job, DONE or FAILED with its row errors.

    A job that is no longer queued is returned untouched, so a task delivered
    twice never imports twice (the status moves with a conditional UPDATE).
    """
    if not ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING
    ):
        return ImportJob.objects.get(pk=job_id)
    job = ImportJob.objects.select_related("workspace", "created_by").get(pk=job_id)
    try:
        access = access_workspace(job.created_by, job.workspace.slug, Action.WRITE_POSTS)
    except (Http404, PermissionDenied):
        return _finish(job, [RowError(0, "", _("You may no longer write posts here."))])
    try:
        with job.file.open("rb") as f:
            text = imports.decode(f.read())
    except imports.FileRefused as exc:
        return _finish(job, [RowError(0, "", str(exc))])
    settings = imports.ImportSettings(
        source_format=job.source_format,
        networks=tuple(networks),
        day_first=day_first,
        time_zone=job.workspace.time_zone,
    )

    def progress(done: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(done_rows=done)

    try:
        posts, errors = imports.read_rows(text, job.workspace, settings, progress)
    except imports.FileRefused as exc:
        return _finish(job, [RowError(0, "", str(exc))])
    if errors:
        return _finish(job, errors)
    ImportJob.objects.filter(pk=job.pk).update(done_rows=len(posts))
    try:
        created = do_import(access, job, posts)
    except Exception:
        # The transaction rolled back: say so on the job instead of leaving it "running".
        logger.exception("Import job %s failed", job.pk)
        return _finish(job, [RowError(0, "", _("Something went wrong; nothing was imported."))])
    return _finish(job, [], created)


def _finish(job: ImportJob, errors: list[RowError], created: int = 0) -> ImportJob:
    job.status = ImportJob.Status.FAILED if errors else ImportJob.Status.DONE
    job.errors = [e.as_dict() for e in errors[:MAX_REPORTED_ERRORS]]
    if len(errors) > MAX_REPORTED_ERRORS:
        job.errors.append(
            {
                "line": 0,
                "column": "",
                "message": _("%(count)s more errors are not listed.")
                % {"count": len(errors) - MAX_REPORTED_ERRORS},
            }
        )
    job.created_posts = created
    job.done_rows = job.total_rows if not errors else job.done_rows
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "errors", "created_posts", "done_rows", "finished_at"])
    return job


@transaction.atomic
def do_import(access: Access, job: ImportJob, rows: list[imports.ImportedPost]) -> int:
    """Create every post with its variants and objectives; return how many posts.

    Imported posts are drafts: a date in the file is their planned time, and
    they reach "scheduled" only through the workflow's checks.
    """
    check_action(access, Action.WRITE_POSTS)
    posts = Post.objects.bulk_create(
        [
            Post(
                workspace=access.workspace,
                title=row.title,
                body=row.body,
                persona_id=row.persona_id,
                pillar_id=row.pillar_id,
                format=row.format,
                tags=list(row.tags),
                state=PostState.DRAFT,
                scheduled_at=row.scheduled_at,
                author=access.user,
            )
            for row in rows
        ],
        batch_size=BATCH,
    )
    variants = []
    links = []
    for post, row in zip(posts, rows, strict=True):
        for network in row.networks:
            options = dict(row.options.get(network, {}))
            if row.media_url:
                # Tribune does not fetch remote files: the address stays on the
                # variant until someone attaches the file from the media library.
                options["media_url"] = row.media_url
            variants.append(
                Variant(
                    post=post,
                    network=network,
                    text=row.texts.get(network, row.body),
                    link=row.link,
                    first_comment=row.first_comment,
                    options=options,
                )
            )
        links.extend(
            Post.objectives.through(post_id=post.pk, objective_id=pk) for pk in row.objective_ids
        )
    Variant.objects.bulk_create(variants, batch_size=BATCH)
    Post.objectives.through.objects.bulk_create(links, batch_size=BATCH)
    # One audit event for the whole file: the job names it and counts the posts.
    record(
        access,
        access.workspace,
        "import",
        job,
        after={"format": job.source_format, "posts": len(posts), "variants": len(variants)},
    )
    return len(posts)
