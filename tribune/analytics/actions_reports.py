"""Reports: templates, schedules, the team's comments, and sending reports by e-mail.

People with MANAGE_REPORTS set reports up; VIEW_ANALYTICS is enough to read
runs and download their files. Every write records an audit event.

Sending: each hour the worker claims the schedules that are due (a
conditional UPDATE moves their next run an hour ahead, so two workers never
send the same report and a worker that dies mid-run leaves it for the next
hour), writes the report of the period, stores its PDF and HTML, and e-mails
it to each recipient in a message of their own (recipients never see one
another's address). A failure is recorded on the run with its reason; the
owners are told on the first failure of a period and when Tribune gives up,
after MAX_ATTEMPTS attempts an hour apart. Giving up never loses the
schedule: a weekly or monthly one waits for its next period.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
from datetime import date, datetime, timedelta

from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.forms import ModelForm
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tribune.core.snapshot import snapshot
from tribune.editorial.notifications import lazy_text, notify
from tribune.strategy.actions import access_object
from tribune.workspaces.actions import Access, check_action, record
from tribune.workspaces.models import Membership, User, Workspace
from tribune.workspaces.roles import Action, Role

from .models import ReportComment, ReportFrequency, ReportRun, ReportSchedule, ReportTemplate
from .reports import ReportDocument, build_report, next_run_at, schedule_period

logger = logging.getLogger(__name__)

MAX_RECIPIENTS = 50
# The first attempt and three retries, an hour apart.
MAX_ATTEMPTS = 4
RETRY_AFTER = timedelta(hours=1)
PROBLEM_MAX = 1000
NOT_SENT_MESSAGE = gettext_lazy(
    "The report “%(name)s” for %(period)s could not be sent: %(problem)s"
)
RETRY_MESSAGE = gettext_lazy(
    "The report “%(name)s” for %(period)s could not be sent: %(problem)s Tribune tries again "
    "every hour, up to three times."
)
GAVE_UP_MESSAGE = gettext_lazy(
    "The report “%(name)s” for %(period)s could not be sent after %(attempts)s attempts: "
    "%(problem)s"
)


# --- Fetching ---------------------------------------------------------------------------


def access_template(access: Access, template_id: int) -> ReportTemplate:
    return access_object(access, ReportTemplate, template_id)


def access_schedule(access: Access, schedule_id: int) -> ReportSchedule:
    return access_object(access, ReportSchedule, schedule_id, select=("template", "workspace"))


def access_run(access: Access, run_id: int) -> ReportRun:
    return access_object(access, ReportRun, run_id)


def access_comment(access: Access, comment_id: int) -> ReportComment:
    return access_object(access, ReportComment, comment_id, select=("author",))


# --- Writes -----------------------------------------------------------------------------


def _forget_file(name: str) -> None:
    """Delete a stored file once the change that dropped it is committed."""
    if name:
        transaction.on_commit(lambda: default_storage.delete(name))


def _save(access: Access, form: ModelForm, **fields) -> object:
    """Save a validated form of a workspace's object, audited; return the object."""
    check_action(access, Action.MANAGE_REPORTS)
    instance = form.instance
    creating = instance.pk is None
    before = None if creating else snapshot(type(instance).objects.get(pk=instance.pk))
    obj = form.save(commit=False)
    obj.workspace = access.workspace
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.save()
    record(access, access.workspace, "create" if creating else "update", obj, before, snapshot(obj))
    return obj


@transaction.atomic
def do_save_template(access: Access, form: ModelForm) -> ReportTemplate:
    """Create or change a report template; a replaced or removed logo file is deleted."""
    old_logo = ""
    if form.instance.pk:
        old_logo = ReportTemplate.objects.get(pk=form.instance.pk).logo.name or ""
    template = _save(access, form)
    if old_logo and old_logo != (template.logo.name or ""):
        _forget_file(old_logo)
    return template


@transaction.atomic
def do_delete_template(access: Access, template: ReportTemplate) -> None:
    """Delete a template no schedule uses; ValidationError names how many still do."""
    check_action(access, Action.MANAGE_REPORTS)
    used = ReportSchedule.objects.filter(template=template).count()
    if used:
        raise ValidationError(
            _(
                "This template is used by %(count)s scheduled report(s): give them another "
                "template or delete them first."
            )
            % {"count": used},
            code="in_use",
        )
    record(access, access.workspace, "delete", template, snapshot(template))
    _forget_file(template.logo.name or "")
    template.delete()


@transaction.atomic
def do_save_schedule(access: Access, form: ModelForm) -> ReportSchedule:
    """Create or change a schedule and compute when it runs next."""
    schedule = form.instance
    fields: dict = {}
    if schedule.pk is None:
        fields["created_by"] = access.user
    timing = {"frequency", "period_start", "period_end", "active"}
    if schedule.pk is None or timing & set(form.changed_data):
        schedule.workspace = access.workspace
        fields["next_run_at"] = next_run_at(schedule, timezone.now()) if schedule.active else None
    return _save(access, form, **fields)


@transaction.atomic
def do_delete_schedule(access: Access, schedule: ReportSchedule) -> None:
    """Delete a schedule; its past runs and their files stay readable."""
    check_action(access, Action.MANAGE_REPORTS)
    record(access, access.workspace, "delete", schedule, snapshot(schedule))
    schedule.delete()


@transaction.atomic
def do_save_comment(access: Access, form: ModelForm) -> ReportComment:
    fields = {"author": access.user} if form.instance.pk is None else {}
    return _save(access, form, **fields)


@transaction.atomic
def do_delete_comment(access: Access, comment: ReportComment) -> None:
    check_action(access, Action.MANAGE_REPORTS)
    record(access, access.workspace, "delete", comment, snapshot(comment))
    comment.delete()


@transaction.atomic
def do_send_now(access: Access, schedule: ReportSchedule) -> None:
    """Queue the schedule's report of its latest period for its recipients, now."""
    check_action(access, Action.MANAGE_REPORTS)
    if not schedule.recipients:
        raise ValidationError(_("Add at least one recipient first."), code="no_recipients")
    record(access, access.workspace, "send_report_now", schedule)
    from .tasks_reports import send_report_now

    schedule_id = schedule.pk
    transaction.on_commit(lambda: send_report_now(schedule_id))


# --- Sending ----------------------------------------------------------------------------


def _long_day(day: date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def report_messages(
    schedule: ReportSchedule, document: ReportDocument, start: date, end: date
) -> list[mail.EmailMultiAlternatives]:
    """One message per recipient: the report as the HTML body, the PDF attached."""
    workspace = schedule.workspace
    with translation.override(workspace.language):
        params = {
            "workspace": workspace.name,
            "name": schedule.template.name,
            "start": _long_day(start),
            "end": _long_day(end),
        }
        subject = _("%(workspace)s — %(name)s, %(start)s to %(end)s") % params
        text = (
            _(
                "The report “%(name)s” of %(workspace)s for %(start)s to %(end)s is attached as a "
                "PDF. Open this message as HTML to read it here."
            )
            % params
        )
    filename = f"{workspace.slug}-{start:%Y-%m-%d}-{end:%Y-%m-%d}.pdf"
    messages = []
    for recipient in schedule.recipients:
        message = mail.EmailMultiAlternatives(" ".join(subject.split()), text, to=[recipient])
        message.attach_alternative(document.html, "text/html")
        message.attach(filename, document.pdf, "application/pdf")
        messages.append(message)
    return messages


def _problem(workspace: Workspace, error: Exception, building: bool) -> str:
    with translation.override(workspace.language):
        if building:
            lead = _("The report could not be written.")
        elif isinstance(error, ConnectionRefusedError):
            lead = _("The mail server refused the connection.")
        else:
            lead = _("The mail server did not accept the message.")
    return f"{lead} ({type(error).__name__}: {error})"[:PROBLEM_MAX]


def produce(schedule: ReportSchedule, start: date, end: date) -> ReportRun:
    """Write the report of `start`..`end`, store its files and e-mail it; return the run.

    Never raises for a report that cannot be written or sent: the run is then
    recorded as failed with the reason.
    """
    workspace = schedule.workspace
    run = ReportRun(
        schedule=schedule,
        workspace=workspace,
        period_start=start,
        period_end=end,
        status=ReportRun.Status.DONE,
    )
    try:
        document = build_report(workspace, schedule.template, start, end)
    except Exception as error:  # a broken report must not stop the other schedules
        logger.exception("report %s of schedule %s could not be written", start, schedule.pk)
        run.status, run.problem = ReportRun.Status.FAILED, _problem(workspace, error, True)
        run.save()
        return run
    store_files(run, document)
    try:
        with mail.get_connection(fail_silently=False) as connection:
            connection.send_messages(report_messages(schedule, document, start, end))
    except (OSError, smtplib.SMTPException) as error:
        logger.warning("report of schedule %s not sent: %s", schedule.pk, error)
        run.status, run.problem = ReportRun.Status.FAILED, _problem(workspace, error, False)
    run.save()
    return run


def store_files(run: ReportRun, document: ReportDocument) -> None:
    """Store the report's PDF and HTML on the (unsaved) run."""
    # Unguessable, should the media store ever be readable from outside.
    name = (
        f"{run.workspace.slug}-{run.period_start:%Y%m%d}-{run.period_end:%Y%m%d}-"
        f"{secrets.token_hex(8)}"
    )
    run.pdf.save(f"{name}.pdf", ContentFile(document.pdf), save=False)
    run.html.save(f"{name}.html", ContentFile(document.html.encode("utf-8")), save=False)


def failures_in_a_row(schedule: ReportSchedule, start: date, end: date) -> int:
    """How many of the schedule's latest runs failed for this period, without a success."""
    count = 0
    for status, run_start, run_end in schedule.runs.order_by("-created_at", "-pk").values_list(
        "status", "period_start", "period_end"
    )[: MAX_ATTEMPTS + 1]:
        if status != ReportRun.Status.FAILED or (run_start, run_end) != (start, end):
            break
        count += 1
    return count


def _owners(workspace: Workspace) -> list[User]:
    members = Membership.objects.filter(workspace=workspace).select_related("user")
    return [m.user for m in members if Role.OWNER.value in (m.roles or [])]


def _tell_owners(schedule: ReportSchedule, run: ReportRun, message, attempts: int) -> None:
    """Notify the workspace's owners that a run failed, in each owner's language."""
    workspace = schedule.workspace
    with translation.override(workspace.language):
        period = _("%(start)s to %(end)s") % {
            "start": _long_day(run.period_start),
            "end": _long_day(run.period_end),
        }
    params = {"name": schedule.name, "period": period, "problem": run.problem, "attempts": attempts}
    url = reverse("report-list", args=[workspace.slug])
    notify(workspace, _owners(workspace), "report_failed", lazy_text(message, params), url)


def run_schedule(schedule_id: int, due_at: datetime, now: datetime) -> ReportRun:
    """Send a claimed schedule's report for the period due at `due_at`; plan the next run."""
    schedule = ReportSchedule.objects.select_related("workspace", "template").get(pk=schedule_id)
    start, end = schedule_period(schedule, due_at)
    run = produce(schedule, start, end)
    claimed = ReportSchedule.objects.filter(pk=schedule.pk, next_run_at=now + RETRY_AFTER)
    campaign = schedule.frequency == ReportFrequency.CAMPAIGN
    if run.status == ReportRun.Status.DONE:
        following = None if campaign else next_run_at(schedule, now)
        claimed.update(next_run_at=following, active=not campaign)
        return run
    # Below MAX_ATTEMPTS the claim, which moved the next run an hour ahead, is the retry.
    attempts = failures_in_a_row(schedule, start, end)
    with transaction.atomic():
        if attempts >= MAX_ATTEMPTS:
            if campaign:
                claimed.update(next_run_at=None, active=False)
            else:
                claimed.update(next_run_at=next_run_at(schedule, now))
            _tell_owners(schedule, run, GAVE_UP_MESSAGE, attempts)
        elif attempts == 1:
            _tell_owners(schedule, run, RETRY_MESSAGE, attempts)
    return run


def run_due_schedules(now: datetime | None = None) -> list[ReportRun]:
    """Claim and run every active schedule whose next run is due; return their runs."""
    now = now or timezone.now()
    due = ReportSchedule.objects.filter(active=True, next_run_at__lte=now).order_by("next_run_at")
    runs = []
    for schedule_id, due_at in due.values_list("pk", "next_run_at"):
        claimed = ReportSchedule.objects.filter(
            pk=schedule_id, active=True, next_run_at=due_at
        ).update(next_run_at=now + RETRY_AFTER)
        if claimed:
            runs.append(run_schedule(schedule_id, due_at, now))
    return runs


def send_now(schedule_id: int) -> ReportRun | None:
    """Send the schedule's report of its latest period at once (the "send now" button).

    Its next planned run is left as it was. Returns None when the schedule was
    deleted meanwhile.
    """
    schedule = (
        ReportSchedule.objects.select_related("workspace", "template")
        .filter(pk=schedule_id)
        .first()
    )
    if schedule is None:
        return None
    start, end = schedule_period(schedule, timezone.now())
    run = produce(schedule, start, end)
    if run.status == ReportRun.Status.FAILED:
        with transaction.atomic():
            _tell_owners(schedule, run, NOT_SENT_MESSAGE, 1)
    return run
