"""Writes of the calendar: moving a post, the queue and its slots, the secret iCal feed.

Each `do_*` re-checks permission, runs in one transaction and records an audit
event. Who may move what (the issue's permission table):
- a scheduled post: PUBLISH on every network it has a variant on;
- any other post (its planned time): WRITE_POSTS;
- queue slots and "add to queue": PUBLISH on the network(s) concerned;
- the iCal feed: MANAGE_WORKSPACE.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, time

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from tribune.core.snapshot import snapshot
from tribune.strategy.catalog import get_network, network_name
from tribune.workspaces.actions import Access, check_action, record
from tribune.workspaces.models import Workspace
from tribune.workspaces.roles import Action

from . import calendar, timezones
from .actions import access_post, editorial_settings, post_networks
from .choices import PostState
from .models import EditorialSettings, Post, QueueSlot

# How many free slots "add to queue" tries when the calendar checks block the first ones.
QUEUE_ATTEMPTS = 20


def check_move(access: Access, post: Post, networks: list[str]) -> None:
    """Raise PermissionDenied unless the member may change the post's time."""
    if post.state == PostState.SCHEDULED:
        missing = [n for n in networks or [None] if not access.can(Action.PUBLISH, n)]
        if missing:
            names = ", ".join(network_name(n) for n in missing if n) or _("any network")
            raise PermissionDenied(
                _("Moving a scheduled post needs the right to publish on %(networks)s.")
                % {"networks": names}
            )
    elif not access.can(Action.WRITE_POSTS):
        raise PermissionDenied(_("Changing a post's planned time needs the right to write posts."))


def blocking_findings(post: Post, when: datetime) -> list:
    """Return the calendar-check findings that forbid timing `post` at `when`.

    The rules themselves (quiet hours, blackout dates, frequency...) and which
    of them block are the checks area's (checks.check_scheduling).
    """
    from . import checks  # the checks area imports this module's callers; keep the cycle lazy

    blocking, _warnings = checks.check_scheduling(post, when)
    return list(blocking)


def check_time(post: Post, when: datetime) -> None:
    """Raise ValidationError when `when` is in the past or a blocking check refuses it."""
    if timezone.is_naive(when):
        raise ValueError("do_reschedule needs an aware datetime")
    if when <= timezone.now():
        raise ValidationError(
            _("%(when)s is in the past: choose a later time.")
            % {"when": timezones.wall_clock_text(when, timezones.zone(post.workspace.time_zone))},
            code="past",
        )
    blocking = blocking_findings(post, when)
    if blocking:
        raise ValidationError(
            [
                ValidationError(
                    " ".join(part for part in (str(f.message), str(f.fix or "")) if part),
                    code=f.rule,
                )
                for f in blocking
            ]
        )


@transaction.atomic
def do_reschedule(access: Access, post: Post, when: datetime) -> Post:
    """Move the post to `when` (aware) and return it.

    Raises PermissionDenied (see check_move) and ValidationError when the time
    is in the past or a calendar check set to block refuses it. The state does
    not change: a scheduled post stays scheduled, a draft keeps its planned time.
    """
    post = access_post(access, post.pk, for_update=True)
    networks = post_networks(post)
    check_move(access, post, networks)
    check_time(post, when)
    before = snapshot(post)
    post.scheduled_at = when
    post.save(update_fields=["scheduled_at", "updated_at"])
    record(access, access.workspace, "reschedule", post, before, snapshot(post))
    return post


def check_queue(access: Access, networks: list[str]) -> None:
    if not networks:
        raise ValidationError(_("Add a network to this post before queueing it."))
    for network in networks:
        if not access.can(Action.PUBLISH, network):
            raise PermissionDenied(
                _("Queueing on %(network)s needs the right to publish there.")
                % {"network": network_name(network)}
            )


@transaction.atomic
def do_add_to_queue(access: Access, post: Post) -> Post:
    """Time the post at the next free queue slot of its networks; return it.

    A slot counts as free when no other post is timed then on any of the post's
    networks. Slots refused by a blocking calendar check are skipped. An approved
    post becomes scheduled (through the workflow); any other keeps its state.
    Raises ValidationError when no usable slot exists in the queue's horizon.
    """
    post = access_post(access, post.pk, for_update=True)
    networks = post_networks(post)
    check_queue(access, networks)
    candidates = calendar.free_slot_times(
        access.workspace, networks, timezone.now(), exclude_post=post
    )
    for attempt, when in enumerate(candidates):
        if attempt >= QUEUE_ATTEMPTS:
            break
        if blocking_findings(post, when):
            continue
        if post.state == PostState.APPROVED:
            from . import workflow  # the workflow area owns the move to "scheduled"

            workflow.do_schedule(access, post, when)
            post.refresh_from_db()
            return post
        return do_reschedule(access, post, when)
    raise ValidationError(
        _(
            "No free queue slot in the next %(days)s days for %(networks)s. "
            "Add queue slots or choose a time yourself."
        )
        % {
            "days": calendar.QUEUE_HORIZON_DAYS,
            "networks": ", ".join(network_name(n) for n in networks),
        },
        code="no_slot",
    )


def access_slot(access: Access, slot_id: int) -> QueueSlot:
    """Return the workspace's queue slot; Http404 for another workspace's or none."""
    slot = QueueSlot.objects.filter(workspace=access.workspace, pk=slot_id).first()
    if slot is None:
        raise Http404
    return slot


def _check_slot(access: Access, network: str) -> None:
    if get_network(network) is None:
        raise ValidationError({"network": _("Choose a network from the list.")})
    check_action(access, Action.PUBLISH, network)


def _duplicate() -> ValidationError:
    return ValidationError(_("This network already has a slot at that time on that day."))


@transaction.atomic
def do_create_slots(access: Access, network: str, weekdays: list[int], at: time) -> list[QueueSlot]:
    """Create one slot per weekday at `at` ("Tuesdays and Thursdays 09:30"); return them."""
    _check_slot(access, network)
    at = at.replace(second=0, microsecond=0)
    created = []
    for weekday in sorted(set(weekdays)):
        if not 0 <= weekday <= 6:
            raise ValidationError({"weekdays": _("Choose days of the week from the list.")})
        if QueueSlot.objects.filter(
            workspace=access.workspace, network=network, weekday=weekday, time=at
        ).exists():
            raise _duplicate()
        slot = QueueSlot.objects.create(
            workspace=access.workspace, network=network, weekday=weekday, time=at
        )
        record(access, access.workspace, "create", slot, None, snapshot(slot))
        created.append(slot)
    return created


@transaction.atomic
def do_update_slot(
    access: Access, slot: QueueSlot, network: str, weekday: int, at: time
) -> QueueSlot:
    """Change a slot; the member needs PUBLISH on both its old and its new network."""
    slot = access_slot(access, slot.pk)
    check_action(access, Action.PUBLISH, slot.network)
    _check_slot(access, network)
    before = snapshot(slot)
    slot.network, slot.weekday, slot.time = network, weekday, at.replace(second=0, microsecond=0)
    try:
        with transaction.atomic():
            slot.full_clean(exclude=["workspace"])
            slot.save()
    except IntegrityError as error:
        raise _duplicate() from error
    record(access, access.workspace, "update", slot, before, snapshot(slot))
    return slot


@transaction.atomic
def do_delete_slot(access: Access, slot: QueueSlot) -> None:
    slot = access_slot(access, slot.pk)
    check_action(access, Action.PUBLISH, slot.network)
    record(access, access.workspace, "delete", slot, snapshot(slot))
    slot.delete()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def do_create_ical_token(access: Access) -> str:
    """Return a new secret feed token; only its hash is stored, any older one stops working."""
    check_action(access, Action.MANAGE_WORKSPACE)
    found = editorial_settings(access.workspace)
    found = EditorialSettings.objects.select_for_update().get(pk=found.pk)
    token = secrets.token_urlsafe(32)
    was_on = bool(found.ical_token_hash)
    found.ical_token_hash = hash_token(token)
    found.save(update_fields=["ical_token_hash"])
    # The audit log says that the feed changed, never the hash itself.
    record(access, access.workspace, "ical_rotate" if was_on else "ical_enable", found)
    return token


@transaction.atomic
def do_revoke_ical_token(access: Access) -> None:
    check_action(access, Action.MANAGE_WORKSPACE)
    found = editorial_settings(access.workspace)
    if found.ical_token_hash:
        EditorialSettings.objects.filter(pk=found.pk).update(ical_token_hash="")
        record(access, access.workspace, "ical_revoke", found)


def workspace_for_ical_token(token: str) -> Workspace | None:
    """Return the workspace whose feed token this is, or None (unknown or revoked)."""
    if not token:
        return None
    found = (
        EditorialSettings.objects.select_related("workspace")
        .filter(ical_token_hash=hash_token(token))
        .first()
    )
    return found.workspace if found else None
