"""The demo workspace's reports: a monthly template and schedule, and last month's report.

Called by tribune.workspaces.demo.create_demo after the analytics history
(tribune/analytics/demo.py): last month's report is written from it the way the
worker writes one on the 1st, so a newcomer finds a PDF to download. It is stored,
not e-mailed: the demo's addresses are on an `.example` domain.
"""

from __future__ import annotations

import zoneinfo

from django.utils import timezone

from tribune.workspaces.models import Membership, Workspace

from .actions_reports import store_files
from .models import ReportComment, ReportFrequency, ReportRun, ReportSchedule, ReportTemplate
from .reports import SECTIONS, at_send_time, build_report, last_full_month, next_run_at

COMMENT = (
    "LinkedIn tient son rythme : les témoignages de clients ont amené des demandes de devis "
    "de deux cafés. Instagram progresse moins vite que prévu ; nous essayons des vidéos "
    "courtes le jeudi soir, le créneau qui marche le mieux."
)


def create_demo_reports(workspace: Workspace, members: dict[str, Membership]) -> ReportRun:
    """Add the template, the monthly schedule, a comment and last month's report; return it."""
    hugo = members["hugo"].user
    template = ReportTemplate.objects.create(
        workspace=workspace,
        name="Rapport mensuel",
        sections=list(SECTIONS),
        colour="#5b3a29",  # roasted-coffee brown; white headings on it
        accent="#c8741f",
    )
    schedule = ReportSchedule.objects.create(
        workspace=workspace,
        template=template,
        name="Bilan du mois pour l'équipe",
        frequency=ReportFrequency.MONTHLY,
        recipients=[members[name].user.email for name in ("claire", "hugo")],
        created_by=hugo,
    )
    schedule.next_run_at = next_run_at(schedule, timezone.now())
    schedule.save(update_fields=["next_run_at"])
    zone = zoneinfo.ZoneInfo(workspace.time_zone)
    today = timezone.localdate(timezone=zone)
    start, end = last_full_month(today)
    ReportComment.objects.create(
        workspace=workspace, period_start=start, period_end=end, body=COMMENT, author=hugo
    )
    document = build_report(workspace, template, start, end)
    run = ReportRun(
        schedule=schedule,
        workspace=workspace,
        period_start=start,
        period_end=end,
        status=ReportRun.Status.DONE,
        # Sent on the 1st, as the schedule would have (now, on the 1st before 07:00).
        created_at=min(at_send_time(today.replace(day=1), zone), timezone.now()),
    )
    store_files(run, document)
    run.save()
    return run
