"""The calendar page, its JSON feed, drag-and-drop moves and the keyboard "move to" form."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tribune.workspaces.actions import Access
from tribune.workspaces.decorators import workspace_view
from tribune.workspaces.roles import Action

from . import actions_calendar as actions
from . import calendar, timezones
from .actions import access_post
from .forms_calendar import CalendarFilterForm, MoveForm

# A feed request may span at most this much (FullCalendar asks for ~6 weeks at a time).
MAX_RANGE = timedelta(days=400)


def _locale() -> str:
    # FullCalendar's English locale file for Tribune is en-gb (Monday, 24-hour clock).
    return "fr" if translation.get_language().startswith("fr") else "en-gb"


def _day(raw: str):
    try:
        return parse_date(raw[:10]) if raw else None
    except ValueError:  # well-formed but impossible, like 2031-02-31
        return None


@workspace_view(Action.VIEW_PLAN)
def calendar_page(request: HttpRequest, access: Access) -> HttpResponse:
    form = CalendarFilterForm(access.workspace, request.GET or None)
    colour_by = form.colour_by_value() if request.GET else "network"
    slug = access.workspace.slug
    # ?date=YYYY-MM-DD opens the calendar on that day's month (links from other pages).
    initial_date = _day(request.GET.get("date", ""))
    return render(
        request,
        "editorial/calendar.html",
        {
            "workspace": access.workspace,
            "form": form,
            "legend": calendar.colours(access.workspace, colour_by).legend,
            "colour_by": colour_by,
            "config": {
                "feedUrl": reverse("calendar-feed", args=[slug]),
                "dropUrl": reverse("calendar-drop", args=[slug, 0]),
                "moveUrl": reverse("calendar-move", args=[slug, 0]),
                "timeZone": access.workspace.time_zone,
                "locale": _locale(),
                "initialDate": initial_date.isoformat() if initial_date else None,
                "canWrite": access.can(Action.WRITE_POSTS) or access.can(Action.PUBLISH),
            },
            "can_publish": access.can(Action.PUBLISH),
            "can_manage": access.can(Action.MANAGE_WORKSPACE),
        },
    )


def _range_bound(raw: str, tz) -> datetime | None:
    """Parse a FullCalendar range bound: a date, or a wall-clock or offset date-time."""
    try:
        moment = parse_datetime(raw) if "T" in raw else None
    except ValueError:
        return None
    if moment is None:
        day = _day(raw)
        if day is None:
            return None
        moment = datetime.combine(day, datetime.min.time())
    if moment.tzinfo is None:
        # A range edge never needs the DST choice: either instant bounds the same days.
        moment = moment.replace(tzinfo=tz)
    return moment


@workspace_view(Action.VIEW_PLAN)
def calendar_feed(request: HttpRequest, access: Access) -> HttpResponse:
    """Return the events between `start` and `end` as JSON, filtered as the page asks."""
    tz = timezones.zone(access.workspace.time_zone)
    start = _range_bound(request.GET.get("start", ""), tz)
    end = _range_bound(request.GET.get("end", ""), tz)
    if start is None or end is None or not start < end or end - start > MAX_RANGE:
        return HttpResponseBadRequest(_("Give a start and an end less than 400 days apart."))
    form = CalendarFilterForm(access.workspace, request.GET)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    events = calendar.feed(access, start, end, form.filters(), form.colour_by_value())
    return JsonResponse(events, safe=False)


def _refusal(error: Exception, status: int) -> JsonResponse:
    if isinstance(error, ValidationError):
        text = " ".join(error.messages)
    else:
        text = str(error) or _("Your role in this workspace does not allow this.")
    return JsonResponse(
        {"ok": False, "message": _("Not moved: %(why)s") % {"why": text}}, status=status
    )


@require_POST
@workspace_view(Action.VIEW_PLAN)
def calendar_drop(request: HttpRequest, access: Access, post_id: int) -> JsonResponse:
    """Move a post dropped on the calendar; `start` is a wall-clock time in the workspace's zone.

    On the night the clocks go back, a dropped time that happens twice means
    the first one (still on summer time); the answer shows the offset, and the
    "move to" form lets the member pick the second.
    """
    post = access_post(access, post_id)
    tz = timezones.zone(access.workspace.time_zone)
    try:
        local = parse_datetime(request.POST.get("start", ""))
    except ValueError:  # well-formed but impossible, like 2031-02-31T10:00
        local = None
    if local is None:
        return JsonResponse(
            {"ok": False, "message": _("Not moved: no valid time given.")}, status=400
        )
    try:
        if local.tzinfo is not None:
            local = local.astimezone(tz).replace(tzinfo=None)
        fold = 1 if request.POST.get("occurrence") == "1" else 0
        when = timezones.to_utc(local, tz, fold)
        post = actions.do_reschedule(access, post, when)
    except PermissionDenied as error:
        return _refusal(error, 403)
    except ValidationError as error:
        return _refusal(error, 400)
    text = _("“%(title)s” moved to %(when)s.") % {
        "title": post.title,
        "when": timezones.wall_clock_text(post.scheduled_at, tz),
    }
    return JsonResponse({"ok": True, "message": text})


def _back(request: HttpRequest, access: Access) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("calendar", args=[access.workspace.slug])


@workspace_view(Action.VIEW_PLAN)
def calendar_move(request: HttpRequest, access: Access, post_id: int) -> HttpResponse:
    """The keyboard and no-JavaScript way to reschedule: a date, a time, and the DST choice."""
    post = access_post(access, post_id)
    tz = timezones.zone(access.workspace.time_zone)
    initial = {}
    if post.scheduled_at:
        local = post.scheduled_at.astimezone(tz)
        initial = {"date": local.date(), "time": local.time().replace(second=0, microsecond=0)}
    form = MoveForm(tz, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            post = actions.do_reschedule(access, post, form.when)
        except ValidationError as error:  # PermissionDenied goes on to the 403 page
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("“%(title)s” moved to %(when)s.")
                % {"title": post.title, "when": timezones.wall_clock_text(post.scheduled_at, tz)},
            )
            return redirect(_back(request, access))
    current = timezones.wall_clock_text(post.scheduled_at, tz) if post.scheduled_at else ""
    return render(
        request,
        "editorial/calendar_move.html",
        {
            "workspace": access.workspace,
            "post": post,
            "form": form,
            "current": current,
            "next": _back(request, access),
        },
        status=400 if form.errors else 200,
    )


@require_POST
@workspace_view(Action.VIEW_PLAN)
def calendar_add_to_queue(request: HttpRequest, access: Access, post_id: int) -> HttpResponse:
    """Put the post in the next free queue slot of its networks."""
    post = access_post(access, post_id)
    tz = timezones.zone(access.workspace.time_zone)
    try:
        post = actions.do_add_to_queue(access, post)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("“%(title)s” queued for %(when)s.")
            % {"title": post.title, "when": timezones.wall_clock_text(post.scheduled_at, tz)},
        )
    return redirect(_back(request, access))
