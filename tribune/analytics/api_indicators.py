"""API of business indicators: /api/v1/workspaces/{slug}/indicators.

Figures are read by members who may read analytics and written by those who
may enter figures, through the same form and action as the page: the same
rules, the same messages, the same audit events. A figure sent for an
indicator, objective and day that the API already gave replaces it (200);
a new one answers 201.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict, Field, StrictFloat, StrictInt, StrictStr, StringConstraints

from tribune.core.api_input import ObjectId, ObjectIdPath, Page, SlugPath, text
from tribune.core.problems import ERRORS, READ_ERRORS, form_problem
from tribune.strategy.models import Objective
from tribune.workspaces.actions import access_workspace
from tribune.workspaces.roles import Action

from . import actions_indicators
from .forms_indicators import FigureForm, Lookups
from .models import IndicatorSource, IndicatorValue

router = Router(tags=["indicators"])

BusinessKpi = Literal["site_traffic", "downloads", "press_coverage", "sales", "contacts", "custom"]


class IndicatorOut(Schema):
    id: int
    indicator: str = Field(alias="kpi")
    objective: int | None = Field(None, alias="objective_id")
    date: dt.date = Field(alias="day")
    value: Decimal
    source: str
    note: str
    created_by: int | None = Field(None, alias="created_by_id")
    created_at: dt.datetime


class IndicatorIn(Schema):
    model_config = ConfigDict(extra="forbid")

    indicator: BusinessKpi
    date: dt.date = Field(description="The day the figure is for, YYYY-MM-DD.")
    value: Annotated[StrictStr, StringConstraints(max_length=40)] | StrictInt | StrictFloat = Field(
        description='A number, or a string such as "1250.50" or "1250,50"; two decimals at most.'
    )
    objective: ObjectId | text(200) | None = Field(
        None, description="For a custom indicator only: the objective's id or title."
    )
    note: text(300) = ""


class IndicatorFilters(Schema):
    indicator: BusinessKpi | None = None
    objective: ObjectId | None = None
    source: IndicatorSource | None = None
    since: dt.date | None = Field(None, description="First day included.")
    until: dt.date | None = Field(None, description="Last day included.")


@router.get("/workspaces/{slug}/indicators", response={200: list[IndicatorOut], **READ_ERRORS})
@paginate(Page)
def list_indicators(
    request: HttpRequest, slug: SlugPath, filters: Query[IndicatorFilters]
) -> QuerySet[IndicatorValue]:
    access = access_workspace(request.auth, slug, Action.VIEW_ANALYTICS)
    figures = IndicatorValue.objects.filter(workspace=access.workspace)
    if filters.indicator:
        figures = figures.filter(kpi=filters.indicator)
    if filters.objective:
        figures = figures.filter(objective_id=filters.objective)
    if filters.source:
        figures = figures.filter(source=filters.source)
    if filters.since:
        figures = figures.filter(day__gte=filters.since)
    if filters.until:
        figures = figures.filter(day__lte=filters.until)
    return figures.order_by("-day", "kpi", "pk")


@router.post(
    "/workspaces/{slug}/indicators", response={200: IndicatorOut, 201: IndicatorOut, **ERRORS}
)
def create_indicator(request: HttpRequest, slug: SlugPath, payload: IndicatorIn) -> Any:
    access = access_workspace(request.auth, slug, Action.ENTER_FIGURES)
    lookups = Lookups.for_workspace(access.workspace)
    cells = {
        "indicator": payload.indicator,
        "date": payload.date.isoformat(),
        "value": str(payload.value),
        "objective": "" if payload.objective is None else str(payload.objective),
        "note": payload.note,
    }
    form = FigureForm(cells, lookups=lookups)
    if not form.is_valid():
        raise form_problem(form, _("The request has invalid values."))
    figure = form.figure
    objective = Objective.objects.filter(workspace=access.workspace, pk=figure.objective_id).first()
    stored, created = actions_indicators.do_enter(
        access,
        figure.kpi,
        figure.day,
        figure.value,
        objective if figure.objective_id else None,
        figure.note,
        source=IndicatorSource.API,
    )
    return Status(201 if created else 200, stored)


@router.delete("/workspaces/{slug}/indicators/{figure_id}", response={204: None, **ERRORS})
def delete_indicator(request: HttpRequest, slug: SlugPath, figure_id: ObjectIdPath) -> Any:
    access = access_workspace(request.auth, slug, Action.ENTER_FIGURES)
    actions_indicators.do_delete(access, actions_indicators.access_figure(access, figure_id))
    return HttpResponse(status=204)
