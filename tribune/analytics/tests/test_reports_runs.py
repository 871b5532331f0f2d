"""Runs of scheduled reports: claims, retries and giving up, campaigns sent once,
"send now", and the run files served to readers only.

Most tests replace the PDF rendering with a stand-in document (rendering takes a
second and is tested in test_reports_content.py); mail goes to Django's locmem
backend, or to a closed port for failures.
"""

from __future__ import annotations

import socket
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.urls import reverse

from tribune.analytics import actions_reports
from tribune.analytics.actions_reports import MAX_ATTEMPTS, run_due_schedules
from tribune.analytics.models import ReportRun, ReportSchedule
from tribune.analytics.reports import ReportDocument
from tribune.editorial.models import Notification
from tribune.editorial.tests.workflow_support import huey_immediate  # noqa: F401
from tribune.testing.fixtures import set_roles
from tribune.workspaces.models import AuditEvent, Workspace
from tribune.workspaces.roles import Role

from .test_reports_support import WEEK, fill_week, local, make_template

pytestmark = pytest.mark.django_db

DUE = local(WEEK[1] + timedelta(days=1), 7)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def quick_report(monkeypatch) -> list:
    """Replace rendering with a stand-in document; returns the periods asked for."""
    asked = []

    def build(workspace, template, start, end):
        asked.append((start, end))
        return ReportDocument(f"<html><body>{workspace.name} {start}</body></html>", b"%PDF-1.7")

    monkeypatch.setattr(actions_reports, "build_report", build)
    return asked


@pytest.fixture
def refusing_smtp(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port


def make_schedule(workspace, frequency: str = "weekly", **fields) -> ReportSchedule:
    values = {
        "workspace": workspace,
        "template": make_template(workspace),
        "name": "Client report",
        "frequency": frequency,
        "recipients": ["client@example.org"],
        "next_run_at": DUE,
    } | fields
    return ReportSchedule.objects.create(**values)


def test_it_sends_a_due_report_once_even_when_asked_twice(workspace, alice, quick_report):
    schedule = make_schedule(workspace)
    now = DUE + timedelta(minutes=3)
    assert len(run_due_schedules(now)) == 1
    assert run_due_schedules(now) == []  # the schedule was claimed, then moved on
    assert quick_report == [WEEK]
    assert len(mail.outbox) == 1
    schedule.refresh_from_db()
    assert schedule.next_run_at == DUE + timedelta(days=7)


def test_it_leaves_inactive_and_future_schedules_alone(workspace, alice, quick_report):
    make_schedule(workspace, active=False)
    make_schedule(workspace, next_run_at=DUE + timedelta(hours=2))
    assert run_due_schedules(DUE) == []


def test_it_retries_every_hour_then_waits_for_the_next_week(
    workspace, alice, quick_report, refusing_smtp
):
    schedule = make_schedule(workspace)
    now = DUE
    for attempt in range(1, MAX_ATTEMPTS + 1):
        [run] = run_due_schedules(now)
        assert run.status == ReportRun.Status.FAILED
        assert (run.period_start, run.period_end) == WEEK  # the same week each time
        schedule.refresh_from_db()
        assert schedule.active
        if attempt < MAX_ATTEMPTS:
            assert schedule.next_run_at == now + timedelta(hours=1)
            now = schedule.next_run_at
    # Given up after the first attempt and three retries: next Monday at 07:00.
    assert schedule.next_run_at == DUE + timedelta(days=7)
    assert ReportRun.objects.filter(schedule=schedule).count() == MAX_ATTEMPTS
    # The owner heard of the first failure and of giving up, not of every hour.
    texts = list(Notification.objects.filter(recipient=alice).values_list("text", flat=True))
    assert len(texts) == 2
    assert any("after 4 attempts" in text for text in texts)


def test_it_sends_a_campaign_report_once_then_stops(workspace, alice, quick_report):
    schedule = make_schedule(
        workspace,
        "campaign",
        period_start=date(2025, 2, 10),
        period_end=date(2025, 3, 9),
    )
    [run] = run_due_schedules(DUE)
    assert (run.period_start, run.period_end) == (date(2025, 2, 10), date(2025, 3, 9))
    schedule.refresh_from_db()
    assert (schedule.active, schedule.next_run_at) == (False, None)
    assert run_due_schedules(DUE + timedelta(days=30)) == []


def test_it_stops_a_campaign_report_that_never_goes_out(
    workspace, alice, quick_report, refusing_smtp
):
    schedule = make_schedule(
        workspace, "campaign", period_start=date(2025, 2, 10), period_end=date(2025, 3, 9)
    )
    now = DUE
    for _attempt in range(MAX_ATTEMPTS):
        run_due_schedules(now)
        now += timedelta(hours=1)
    schedule.refresh_from_db()
    assert (schedule.active, schedule.next_run_at) == (False, None)
    assert ReportSchedule.objects.filter(pk=schedule.pk).exists()


def test_it_records_a_report_that_cannot_be_written(workspace, alice, monkeypatch):
    def broken(*args):
        raise ValueError("no such figure")

    monkeypatch.setattr(actions_reports, "build_report", broken)
    make_schedule(workspace)
    [run] = run_due_schedules(DUE)
    assert run.status == ReportRun.Status.FAILED
    # In the workspace's language (French here).
    assert run.problem.startswith("Le rapport n’a pas pu être généré.")
    assert not run.pdf and mail.outbox == []


def test_it_sends_now_the_latest_period_with_the_real_report(
    client,
    workspace,
    alice,
    bob,
    huey_immediate,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    fill_week(workspace, alice)
    schedule = make_schedule(
        workspace, "campaign", period_start=WEEK[0], period_end=WEEK[1], next_run_at=None
    )
    set_roles(bob, workspace, Role.ANALYST)
    client.force_login(bob)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("report-schedule-send", args=[workspace.slug, schedule.pk]))
    assert response.status_code == 302
    run = ReportRun.objects.get(schedule=schedule)
    assert run.status == ReportRun.Status.DONE
    [message] = mail.outbox
    assert message.to == ["client@example.org"]
    assert message.attachments[0][2] == "application/pdf"
    assert message.attachments[0][1].startswith(b"%PDF-")
    assert AuditEvent.objects.filter(verb="send_report_now", actor=bob).exists()
    schedule.refresh_from_db()
    assert schedule.next_run_at is None  # "send now" plans nothing


def test_it_refuses_to_send_without_recipients(client, workspace, alice):
    schedule = make_schedule(workspace, recipients=[])
    client.force_login(alice)
    response = client.post(
        reverse("report-schedule-send", args=[workspace.slug, schedule.pk]), follow=True
    )
    assert "Add at least one recipient first." in response.content.decode()
    assert not AuditEvent.objects.filter(verb="send_report_now").exists()


# --- files of a run -------------------------------------------------------------------


@pytest.fixture
def run(workspace) -> ReportRun:
    run = ReportRun(workspace=workspace, period_start=WEEK[0], period_end=WEEK[1], status="done")
    run.pdf.save("r.pdf", ContentFile(b"%PDF-1.7 report"), save=False)
    run.html.save("r.html", ContentFile(b"<html>report</html>"), save=False)
    run.save()
    return run


def file_url(workspace: Workspace, run: ReportRun, kind: str) -> str:
    return reverse(f"report-run-{kind}", args=[workspace.slug, run.pk])


def test_it_serves_a_run_s_files_to_an_analyst(client, workspace, bob, run):
    set_roles(bob, workspace, Role.ANALYST)
    client.force_login(bob)
    response = client.get(file_url(workspace, run, "pdf"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.7 report"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    response = client.get(file_url(workspace, run, "html"))
    assert response.status_code == 200
    assert "sandbox" in response["Content-Security-Policy"]


def test_it_refuses_a_run_s_files_to_an_editor_and_to_another_workspace(
    client, workspace, bob, charlie, run
):
    set_roles(bob, workspace, Role.EDITOR)
    client.force_login(bob)
    assert client.get(file_url(workspace, run, "pdf")).status_code == 403
    client.force_login(charlie)
    other = Workspace.objects.get(slug="other")
    assert client.get(file_url(workspace, run, "pdf")).status_code == 404
    assert client.get(file_url(other, run, "pdf")).status_code == 404
    assert client.get(file_url(other, run, "html")).status_code == 404


def test_it_answers_404_for_a_failed_run_without_files(client, workspace, alice):
    failed = ReportRun.objects.create(
        workspace=workspace, period_start=WEEK[0], period_end=WEEK[1], status="failed"
    )
    client.force_login(alice)
    assert client.get(file_url(workspace, failed, "pdf")).status_code == 404
