"""Queue slots: recurring posting times per network, and the secret iCal feed's page."""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tribune.strategy.catalog import network_name
from tribune.workspaces.actions import Access, check_action
from tribune.workspaces.decorators import workspace_view
from tribune.workspaces.roles import Action

from . import actions_calendar as actions
from . import ical
from .actions import editorial_settings
from .forms_calendar import WEEKDAYS, QueueSlotEditForm, QueueSlotForm
from .models import Post, QueueSlot

DAY_NAMES = dict(WEEKDAYS)


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _slot_rows(access: Access) -> list[dict]:
    """Return the slots grouped by network, each with its day name and whether it may change."""
    slots = QueueSlot.objects.filter(workspace=access.workspace).order_by(
        "network", "weekday", "time"
    )
    rows = []
    for network, items in groupby(slots, key=lambda s: s.network):
        items = list(items)
        for slot in items:
            slot.day_name = DAY_NAMES[slot.weekday]
        rows.append(
            {
                "network": network,
                "name": network_name(network),
                "slots": items,
                "can_edit": access.can(Action.PUBLISH, network),
            }
        )
    return sorted(rows, key=lambda r: r["name"].lower())


@workspace_view(Action.VIEW_PLAN)
def queue_slots(request: HttpRequest, access: Access) -> HttpResponse:
    """Every member sees the queue; members who may publish add slots."""
    can_publish = access.can(Action.PUBLISH)
    form = QueueSlotForm(request.POST or None)
    if request.method == "POST":
        if not can_publish:
            check_action(access, Action.PUBLISH)
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = actions.do_create_slots(
                    access, data["network"], data["weekdays"], data["time"]
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(count)s slot(s) added on %(network)s.")
                    % {"count": len(created), "network": network_name(data["network"])},
                )
                return redirect("queue-slots", access.workspace.slug)
    return render(
        request,
        "editorial/calendar_slots.html",
        {
            "workspace": access.workspace,
            "rows": _slot_rows(access),
            "form": form,
            "can_publish": can_publish,
        },
        status=400 if form.errors else 200,
    )


@workspace_view(Action.PUBLISH)
def queue_slot_edit(request: HttpRequest, access: Access, slot_id: int) -> HttpResponse:
    slot = actions.access_slot(access, slot_id)
    check_action(access, Action.PUBLISH, slot.network)
    initial = {"network": slot.network, "weekday": slot.weekday, "time": slot.time}
    form = QueueSlotEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_update_slot(access, slot, data["network"], data["weekday"], data["time"])
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Slot saved."))
            return redirect("queue-slots", access.workspace.slug)
    return render(
        request,
        "editorial/calendar_slot_form.html",
        {"workspace": access.workspace, "slot": slot, "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
@workspace_view(Action.PUBLISH)
def queue_slot_delete(request: HttpRequest, access: Access, slot_id: int) -> HttpResponse:
    slot = actions.access_slot(access, slot_id)
    actions.do_delete_slot(access, slot)
    messages.success(request, _("Slot removed."))
    return redirect("queue-slots", access.workspace.slug)


@workspace_view(Action.MANAGE_WORKSPACE)
def calendar_ical(request: HttpRequest, access: Access) -> HttpResponse:
    """Turn the secret feed on, give it a new address, or turn it off.

    The address is shown once, right after it is made: only its hash is stored.
    """
    token = ""
    if request.method == "POST":
        if request.POST.get("do") == "revoke":
            actions.do_revoke_ical_token(access)
            messages.success(
                request, _("The calendar feed is off; its old address no longer works.")
            )
            return redirect("calendar-ical", access.workspace.slug)
        token = actions.do_create_ical_token(access)
    feed_url = (
        request.build_absolute_uri(reverse("calendar-ical-feed", args=[token])) if token else ""
    )
    return render(
        request,
        "editorial/calendar_ical.html",
        {
            "workspace": access.workspace,
            "feed_url": feed_url,
            "is_on": bool(editorial_settings(access.workspace).ical_token_hash),
        },
    )


def calendar_ical_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The public, secret-address iCal feed; 404 for an unknown or revoked token."""
    workspace = actions.workspace_for_ical_token(token)
    if workspace is None:
        raise Http404

    def post_url(post: Post) -> str:
        try:
            return request.build_absolute_uri(
                reverse("post-detail", args=[workspace.slug, post.pk])
            )
        except NoReverseMatch:  # the composer's pages belong to another area
            return ""

    response = HttpResponse(
        ical.build(workspace, post_url), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'inline; filename="{workspace.slug}-calendar.ics"'
    # A secret address must not end up in shared caches.
    response["Cache-Control"] = "private, max-age=300"
    return response
