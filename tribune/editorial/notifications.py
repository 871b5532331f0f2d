"""Notifications: a row each recipient sees in the app, and an e-mail sent after commit.

Texts are built in each recipient's own language: callers pass a lazy
message (see `lazy_text`), which `notify` renders once per recipient. The
e-mail goes through Django's configured backend from a Huey task queued with
`transaction.on_commit`, so a rolled-back change never sends mail.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.functional import Promise, lazy
from huey.contrib.djhuey import db_task

from tribune.workspaces.models import User, Workspace

from .models import Notification

TEXT_MAX = Notification._meta.get_field("text").max_length


def _interpolate(message: Any, params: dict) -> str:
    return str(message) % params


def lazy_text(message: Promise, params: dict) -> Promise:
    """Return `message % params` evaluated when rendered, in the active language then."""
    return lazy(_interpolate, str)(message, params)


def _shorten(text: str) -> str:
    return text if len(text) <= TEXT_MAX else text[: TEXT_MAX - 1] + "…"


def notify(
    workspace: Workspace, users: Iterable[User], kind: str, text: str | Promise, url: str
) -> list[Notification]:
    """Create one in-app notification per distinct user; e-mail them after commit.

    `text` may be lazy, so each recipient reads it in their language. Returns
    the notifications created.
    """
    created = []
    seen: set[int] = set()
    for user in users:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        with translation.override(user.language or settings.LANGUAGE_CODE):
            rendered = _shorten(str(text))
        created.append(
            Notification(workspace=workspace, recipient=user, kind=kind, text=rendered, url=url)
        )
    Notification.objects.bulk_create(created)
    ids = [n.pk for n in created if n.pk]
    if ids:
        transaction.on_commit(lambda: send_notification_emails(ids))
    return created


@db_task()
def send_notification_emails(notification_ids: list[int]) -> int:
    """E-mail each notification to its recipient; return how many messages were sent."""
    return deliver(notification_ids)


def deliver(notification_ids: list[int]) -> int:
    """Build and send the e-mails of these notifications through the configured backend."""
    found = Notification.objects.filter(pk__in=notification_ids).select_related(
        "recipient", "workspace"
    )
    messages = []
    for note in found:
        user = note.recipient
        if not user.email or not user.is_active:
            continue
        with translation.override(user.language or settings.LANGUAGE_CODE):
            context = {
                "note": note,
                "link": settings.SITE_URL + note.url if note.url else "",
                "workspace": note.workspace,
            }
            subject = f"[{note.workspace.name}] {note.text}".splitlines()[0][:150]
            body = render_to_string("editorial/notifications_email.txt", context)
        messages.append(mail.EmailMessage(subject, body, to=[user.email]))
    if not messages:
        return 0
    with mail.get_connection() as connection:
        return connection.send_messages(messages) or 0


def unread_count(user: User, workspace: Workspace) -> int:
    return Notification.objects.filter(
        recipient=user, workspace=workspace, read_at__isnull=True
    ).count()


def do_mark_read(user: User, workspace: Workspace, notification_id: int | None = None) -> int:
    """Mark one (or, with None, every) unread notification of the user as read.

    Only the recipient's own notifications in this workspace are touched;
    returns how many changed. No audit event: reading is not a change to
    the workspace.
    """
    mine = Notification.objects.filter(recipient=user, workspace=workspace, read_at__isnull=True)
    if notification_id is not None:
        mine = mine.filter(pk=notification_id)
    return mine.update(read_at=timezone.now())
