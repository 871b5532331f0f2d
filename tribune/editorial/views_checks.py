"""Pages of the calendar checks: the checks panel, editorial settings, content pillars."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tribune.workspaces.decorators import workspace_view
from tribune.workspaces.roles import Action

from . import actions_checks
from .actions import editorial_settings
from .forms_checks import EditorialSettingsForm, PillarForm
from .models import ContentPillar

DEFAULT_DAYS = 28
# A busy quarter can hold thousands of findings of one kind; the page shows the
# first ones of each rule and says how many more there are.
SHOWN_PER_RULE = 50
# A longer window is refused: the panel must stay fast.
MAX_DAYS = 366


def parse_day(value: str | None) -> date | None:
    """Read a date from a query parameter: `2025-03-01`, or FullCalendar's
    `2025-03-01T00:00:00+01:00` (its local date)."""
    try:
        return date.fromisoformat((value or "")[:10])
    except ValueError:
        return None


def checked_range(request) -> tuple[date, date, str]:
    """Return (start, end excluded, error) from the query.

    The calendar sends `start` and `end` (excluded, FullCalendar's convention);
    the page's form sends `start` and `until` (included, as people say it).
    """
    today = timezone.localdate()
    start = parse_day(request.GET.get("start")) or today
    until = parse_day(request.GET.get("until"))
    end = parse_day(request.GET.get("end")) or (until + timedelta(days=1) if until else None)
    end = end or start + timedelta(days=DEFAULT_DAYS)
    if end <= start:
        return start, start + timedelta(days=DEFAULT_DAYS), _("The end must be after the start.")
    if (end - start).days > MAX_DAYS:
        return start, start + timedelta(days=MAX_DAYS), _("At most 366 days are checked at once.")
    return start, end, ""


def link_for(slug: str, finding) -> str:
    """Return the page where the finding can be fixed: the post, or the strategy object."""
    try:
        if finding.post_id:
            return reverse("post-detail", args=[slug, finding.post_id])
        if finding.persona_id:
            return reverse("persona-detail", args=[slug, finding.persona_id])
        if finding.objective_id:
            return reverse("objective-detail", args=[slug, finding.objective_id])
        if finding.pillar_id:
            return reverse("pillar-list", args=[slug])
        if finding.network:
            return reverse("network-list", args=[slug])
    except NoReverseMatch:
        return ""
    return ""


@workspace_view()
def calendar_checks(request, access):
    start, end, error = checked_range(request)
    groups = actions_checks.grouped_findings(access, start, end)
    slug = access.workspace.slug
    rows = [
        (
            group,
            [(f, link_for(slug, f)) for f in group.findings[:SHOWN_PER_RULE]],
            max(0, len(group.findings) - SHOWN_PER_RULE),
        )
        for group in groups
    ]
    context = {
        "groups": rows,
        "count": sum(len(g.findings) for g in groups),
        "start": start,
        "last": end - timedelta(days=1),
        "error": error,
        "can_configure": access.can(Action.MANAGE_WORKSPACE),
    }
    if request.headers.get("HX-Request"):
        return render(request, "editorial/checks_panel.html", context)
    return render(request, "editorial/checks.html", context)


@workspace_view(Action.MANAGE_WORKSPACE)
def settings_edit(request, access):
    form = EditorialSettingsForm(
        request.POST or None, instance=editorial_settings(access.workspace)
    )
    if request.method == "POST" and form.is_valid():
        actions_checks.do_save_settings(access, form)
        messages.success(request, _("Calendar rules saved."))
        return redirect("editorial-settings", access.workspace.slug)
    return render(request, "editorial/checks_settings.html", {"form": form})


@workspace_view()
def pillar_list(request, access):
    pillars = ContentPillar.objects.filter(workspace=access.workspace).order_by("name")
    total = actions_checks.pillar_total(access)
    return render(
        request,
        "editorial/checks_pillars.html",
        {
            "pillars": pillars,
            "total": total,
            "can_edit": access.can(Action.EDIT_STRATEGY),
        },
    )


@workspace_view(Action.EDIT_STRATEGY)
def pillar_edit(request, access, pillar_id: int | None = None):
    pillar = actions_checks.access_pillar(access, pillar_id) if pillar_id else None
    form = PillarForm(request.POST or None, instance=pillar, workspace=access.workspace)
    if request.method == "POST" and form.is_valid():
        actions_checks.do_save_pillar(access, form)
        total = actions_checks.pillar_total(access)
        messages.success(request, _("Content pillar saved."))
        if total != 100:
            messages.warning(
                request,
                _("The pillar targets add up to %(total)s%%, not 100%%.") % {"total": total},
            )
        return redirect("pillar-list", access.workspace.slug)
    return render(request, "editorial/checks_pillar_form.html", {"form": form, "pillar": pillar})


@require_POST
@workspace_view(Action.EDIT_STRATEGY)
def pillar_delete(request, access, pillar_id: int):
    pillar = actions_checks.access_pillar(access, pillar_id)
    actions_checks.do_delete_pillar(access, pillar)
    messages.success(request, _("Content pillar deleted."))
    return redirect("pillar-list", access.workspace.slug)
