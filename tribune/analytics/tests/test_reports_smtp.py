"""The e-mail path of scheduled reports against a REAL local SMTP server (aiosmtpd),
through Django's SMTP backend: what arrives is parsed back with the email package.

The server runs in a thread of the test process (aiosmtpd's Controller) on a free
port of 127.0.0.1, one per test, so xdist workers never share one.
"""

from __future__ import annotations

import email
import socket
from datetime import timedelta
from email.policy import default as default_policy

import pytest
from django.test import override_settings

from tribune.analytics.actions_reports import run_due_schedules
from tribune.analytics.models import ReportRun, ReportSchedule
from tribune.editorial.models import Notification
from tribune.testing.fixtures import require

from .test_reports_support import WEEK, fill_week, local, make_template

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

# Monday 10 March 2025 at 07:00 in Paris: the weekly report of 3–9 March is due.
DUE = local(WEEK[1] + timedelta(days=1), 7)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    """aiosmtpd handler keeping every message it accepts."""

    def __init__(self) -> None:
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's name)
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    try:
        from aiosmtpd.controller import Controller
    except ImportError:
        require("aiosmtpd is not installed (pip install -e '.[dev]')")
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
            EMAIL_TIMEOUT=10,
        ):
            yield mailbox
    finally:
        controller.stop()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def weekly(workspace, recipients: list[str]) -> ReportSchedule:
    return ReportSchedule.objects.create(
        workspace=workspace,
        template=make_template(workspace),
        name="Weekly for the client",
        frequency="weekly",
        recipients=recipients,
        next_run_at=DUE,
    )


def test_it_mails_each_recipient_the_report_with_its_pdf(workspace, alice, smtp_server):
    fill_week(workspace, alice)
    schedule = weekly(workspace, ["client@example.org", "boss@example.org"])
    [run] = run_due_schedules(DUE + timedelta(minutes=5))
    assert run.status == ReportRun.Status.DONE, run.problem
    assert len(smtp_server.envelopes) == 2
    # One message each: no recipient sees the other's address.
    assert sorted(tuple(e.rcpt_tos) for e in smtp_server.envelopes) == [
        ("boss@example.org",),
        ("client@example.org",),
    ]
    message = email.message_from_bytes(
        smtp_server.envelopes[0].original_content, policy=default_policy
    )
    # The workspace speaks French: dates in French, whoever reads it.
    # (A long encoded subject is folded: compare its words.)
    subject = " ".join(message["Subject"].split())
    assert subject == "Atelier Lumen — Client weekly, du 3 mars 2025 au 9 mars 2025"
    parts = {part.get_content_type(): part for part in message.walk()}
    pdf = parts["application/pdf"]
    assert pdf.get_filename() == "lumen-2025-03-03-2025-03-09.pdf"
    assert pdf.get_content().startswith(b"%PDF-")
    html = parts["text/html"].get_content()
    assert "Atelier Lumen" in html
    assert "Grow the Mastodon audience" in html
    assert '<html lang="fr">' in html
    assert "text/plain" in parts
    # Stored, and the next report planned for next Monday at 07:00 in Paris.
    run.refresh_from_db()
    assert run.pdf.name.endswith(".pdf") and run.html.name.endswith(".html")
    schedule.refresh_from_db()
    assert schedule.next_run_at == DUE + timedelta(days=7)
    assert schedule.active


def test_it_marks_the_run_failed_when_the_server_refuses_and_keeps_the_schedule(
    workspace, alice, smtp_server, settings
):
    settings.EMAIL_PORT = free_port()  # nothing listens there
    schedule = weekly(workspace, ["client@example.org"])
    now = DUE + timedelta(minutes=5)
    [run] = run_due_schedules(now)
    assert run.status == ReportRun.Status.FAILED
    # Written in the workspace's language (French here).
    assert "a refusé la connexion" in run.problem
    assert smtp_server.envelopes == []
    # The report itself was written: it can still be downloaded.
    assert run.pdf.name and run.html.name
    schedule.refresh_from_db()
    assert schedule.active
    assert schedule.next_run_at == now + timedelta(hours=1)  # tried again within the hour
    note = Notification.objects.get(recipient=alice, kind="report_failed")
    assert "Weekly for the client" in note.text and "a refusé la connexion" in note.text
