"""Background work of the editorial calendar: large CSV imports."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from . import actions_imports


@db_task()
def run_import(job_id: int, networks: list[str], day_first: bool = True) -> str:
    """Run the import job `job_id`; returns its final status."""
    return actions_imports.run_job(job_id, tuple(networks), day_first).status
