"""Pages of business indicators: figures by indicator and month, entry by hand, file import,
and the webhook's secret. Thin: the rules are in forms_indicators and actions_indicators.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tribune.strategy.choices import Kpi
from tribune.strategy.models import Objective
from tribune.workspaces.actions import Access
from tribune.workspaces.decorators import workspace_view
from tribune.workspaces.roles import Action

from . import actions_indicators
from .forms_indicators import FigureForm, ImportForm, Lookups
from .models import BUSINESS_KPIS, IndicatorValue

MONTHS_LISTED = 24


@dataclass(frozen=True)
class Shown:
    """Which indicator and month the list shows."""

    kpi: str
    objective_id: int | None
    month: date
    label: str

    @property
    def key(self) -> str:
        return f"{Kpi.CUSTOM}:{self.objective_id}" if self.objective_id else self.kpi

    def query(self, month: date | None = None) -> str:
        return urlencode({"indicator": self.key, "month": f"{month or self.month:%Y-%m}"})


def _options(lookups: Lookups) -> list[tuple[str, str]]:
    options = [(k.value, str(k.label)) for k in BUSINESS_KPIS if k != Kpi.CUSTOM]
    options += [
        (f"{Kpi.CUSTOM}:{pk}", _("Custom: %(objective)s") % {"objective": title})
        for pk, title in sorted(lookups.objectives.items())
    ]
    return options


def _month(text: str) -> date | None:
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1) if 2000 <= year <= 9999 else None
    except ValueError:
        return None


def _shown(access: Access, params: QueryDict, lookups: Lookups) -> Shown:
    """Read ?indicator= and ?month=; by default the latest figure's indicator and month."""
    labels = dict(_options(lookups))
    key = params.get("indicator", "")
    month = _month(params.get("month", ""))
    if key not in labels:
        latest = (
            IndicatorValue.objects.filter(workspace=access.workspace)
            .order_by("-day", "-pk")
            .values_list("kpi", "objective_id", "day")
            .first()
        )
        kpi, objective_id, day = latest or (Kpi.SITE_TRAFFIC.value, None, lookups.today)
        key = f"{Kpi.CUSTOM}:{objective_id}" if kpi == Kpi.CUSTOM else kpi
        month = month or day.replace(day=1)
        if key not in labels:  # a figure of an objective that is no longer custom
            key = Kpi.SITE_TRAFFIC.value
    kpi, _sep, objective = key.partition(":")
    return Shown(
        kpi=kpi,
        objective_id=int(objective) if objective else None,
        month=month or lookups.today.replace(day=1),
        label=labels[key],
    )


def _list_page(
    request: HttpRequest, access: Access, lookups: Lookups, form: FigureForm | None = None
) -> HttpResponse:
    shown = _shown(access, request.GET, lookups)
    following = (shown.month + timedelta(days=32)).replace(day=1)
    previous = (shown.month - timedelta(days=1)).replace(day=1)
    same_indicator = IndicatorValue.objects.filter(
        workspace=access.workspace, kpi=shown.kpi, objective_id=shown.objective_id
    )
    figures = (
        same_indicator.filter(day__gte=shown.month, day__lt=following)
        .select_related("created_by")
        .order_by("day", "source")
    )
    months = (
        same_indicator.annotate(month=TruncMonth("day"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by("-month")[:MONTHS_LISTED]
    )
    can_enter = access.can(Action.ENTER_FIGURES)
    if can_enter and form is None:
        initial = {
            "indicator": shown.kpi,
            "objective": shown.objective_id or "",
            "date": lookups.today.isoformat(),
        }
        form = FigureForm(lookups=lookups, initial=initial)
    return render(
        request,
        "analytics/indicators.html",
        {
            "shown": shown,
            "figures": figures,
            "months": [{**m, "query": shown.query(m["month"])} for m in months],
            "indicator_options": _options(lookups),
            "previous_query": shown.query(previous),
            "next_query": shown.query(following),
            "form": form,
            "can_enter": can_enter,
        },
    )


@workspace_view(Action.VIEW_ANALYTICS)
def indicator_list(request: HttpRequest, access: Access) -> HttpResponse:
    return _list_page(request, access, Lookups.for_workspace(access.workspace))


@require_POST
@workspace_view(Action.ENTER_FIGURES)
def indicator_add(request: HttpRequest, access: Access) -> HttpResponse:
    lookups = Lookups.for_workspace(access.workspace)
    form = FigureForm(request.POST, lookups=lookups)
    if form.is_valid():
        figure = form.figure
        objective = (
            Objective.objects.filter(workspace=access.workspace, pk=figure.objective_id).first()
            if figure.objective_id
            else None
        )
        try:
            _stored, created = actions_indicators.do_enter(
                access, figure.kpi, figure.day, figure.value, objective, figure.note
            )
        except ValidationError as error:
            for column, messages_ in error.message_dict.items():
                for message in messages_:
                    form.add_error(column if column in form.fields else None, message)
        else:
            if created:
                messages.success(request, _("Figure saved."))
            else:
                messages.success(request, _("Figure saved; it replaces the one entered before."))
            key = f"{Kpi.CUSTOM}:{figure.objective_id}" if figure.objective_id else figure.kpi
            query = urlencode({"indicator": key, "month": f"{figure.day:%Y-%m}"})
            return redirect(reverse("indicator-list", args=[access.workspace.slug]) + "?" + query)
    return _list_page(request, access, lookups, form)


@require_POST
@workspace_view(Action.ENTER_FIGURES)
def indicator_delete(request: HttpRequest, access: Access, figure_id: int) -> HttpResponse:
    figure = actions_indicators.access_figure(access, figure_id)
    key = f"{Kpi.CUSTOM}:{figure.objective_id}" if figure.objective_id else figure.kpi
    query = urlencode({"indicator": key, "month": f"{figure.day:%Y-%m}"})
    actions_indicators.do_delete(access, figure)
    messages.success(request, _("Figure deleted."))
    return redirect(reverse("indicator-list", args=[access.workspace.slug]) + "?" + query)


@workspace_view(Action.ENTER_FIGURES)
def indicator_import(request: HttpRequest, access: Access) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        result = actions_indicators.do_import_csv(
            access,
            data["file"],
            data["format"],
            ga4_metric=data["ga4_metric"],
            plausible_metric=data["plausible_metric"],
        )
        return render(
            request,
            "analytics/indicators_result.html",
            {"result": result, "format_label": dict(form.fields["format"].choices)[result.fmt]},
            status=200 if result.ok else 422,
        )
    return render(request, "analytics/indicators_import.html", {"form": form})


@workspace_view(Action.ENTER_FIGURES)
def indicator_webhook(request: HttpRequest, access: Access) -> HttpResponse:
    new_secret = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            actions_indicators.do_revoke_webhook_secret(access)
            messages.success(request, _("The webhook is off: every request is refused."))
            return redirect("indicator-webhook", access.workspace.slug)
        new_secret = actions_indicators.do_rotate_webhook_secret(access)
    secret = actions_indicators.webhook_secret(access.workspace)
    response = render(
        request,
        "analytics/indicators_webhook.html",
        {
            "endpoint": request.build_absolute_uri(
                reverse("indicator-hook", args=[access.workspace.slug])
            ),
            "state": "unreadable" if secret is None else ("on" if secret else "off"),
            "new_secret": new_secret,
        },
    )
    # The secret is shown once: neither the browser nor a proxy may keep the page.
    response["Cache-Control"] = "no-store"
    return response
