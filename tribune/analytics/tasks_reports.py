"""Background work of reports (Huey): scheduled reports every hour, and "send now".

Huey's worker only imports each app's `tasks` module: tribune/analytics/tasks.py
imports this one so that these tasks are registered.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import actions_reports


@db_periodic_task(crontab(minute="5"))
def send_due_reports() -> int:
    """Send every scheduled report that is due; return how many runs were made."""
    return len(actions_reports.run_due_schedules())


@db_task()
def send_report_now(schedule_id: int) -> str:
    """Send one schedule's latest report at once; return the run's status ("" if deleted)."""
    run = actions_reports.send_now(schedule_id)
    return run.status if run else ""
