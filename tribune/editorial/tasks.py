"""Background work of the editorial calendar: large CSV imports, notification e-mails.

Huey's worker imports each app's `tasks` module; a task defined elsewhere must be
imported here to be known to the worker."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from . import actions_imports
from .notifications import send_notification_emails  # noqa: F401  (registers the e-mail task)


@db_task()
def run_import(job_id: int, networks: list[str], day_first: bool = True) -> str:
    """Run the import job `job_id`; returns its final status."""
    return actions_imports.run_job(job_id, tuple(networks), day_first).status
