"""API of strategy steps 1 and 2 (personas, objectives) and the network catalog.

Writes are validated by the pages' ModelForms and saved by `actions.do_save_form`,
so the API and the pages enforce the same rules and write the same audit events.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict, Field

from tribune.core.api_input import (
    LONG_TEXT,
    NetworkKey,
    ObjectId,
    ObjectIdPath,
    Page,
    SlugPath,
    bind_form,
    text,
)
from tribune.core.problems import ERRORS, READ_ERRORS
from tribune.workspaces.actions import Access, access_workspace
from tribune.workspaces.roles import Action

from . import actions, catalog
from .actions_objectives import objectives_for
from .choices import Audience, ContentFormat, Kpi, Lever
from .forms import PersonaForm
from .forms_objectives import ObjectiveForm
from .models import Objective, Persona

router = Router()
personas = Router(tags=["personas"])
objectives = Router(tags=["objectives"])
networks = Router(tags=["networks"])

# ---- personas (step 1) ----


class PersonaIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: text(120)
    description: text(LONG_TEXT) = ""
    audience: Audience = Audience.B2C
    age_min: int | None = Field(None, ge=0, le=32767)
    age_max: int | None = Field(None, ge=0, le=32767)
    location: text(200) = ""
    interests: text(LONG_TEXT) = ""
    needs: text(LONG_TEXT) = ""
    expectations: text(LONG_TEXT) = ""
    objections: text(LONG_TEXT) = ""
    networks: list[NetworkKey] = Field(default_factory=list, max_length=100)
    online_notes: text(LONG_TEXT) = ""
    formats: list[ContentFormat] = Field(default_factory=list, max_length=20)


class PersonaPatch(PersonaIn):
    name: text(120) | None = None  # every field optional: absent ones keep their value


class PersonaOut(Schema):
    id: int
    name: str
    description: str
    audience: str
    age_min: int | None
    age_max: int | None
    location: str
    interests: str
    needs: str
    expectations: str
    objections: str
    networks: list[str]
    online_notes: str
    formats: list[str]
    created_at: datetime
    updated_at: datetime


@personas.get("/workspaces/{slug}/personas", response={200: list[PersonaOut], **READ_ERRORS})
@paginate(Page)
def list_personas(request: HttpRequest, slug: SlugPath) -> QuerySet[Persona]:
    access = access_workspace(request.auth, slug)
    return Persona.objects.filter(workspace=access.workspace).order_by("name", "id")


@personas.post("/workspaces/{slug}/personas", response={201: PersonaOut, **ERRORS})
def create_persona(request: HttpRequest, slug: SlugPath, payload: PersonaIn) -> Any:
    access = access_workspace(request.auth, slug, Action.EDIT_STRATEGY)
    form = bind_form(PersonaForm, payload, workspace=access.workspace)
    return Status(201, actions.do_save_form(access, form))


@personas.get("/workspaces/{slug}/personas/{persona_id}", response={200: PersonaOut, **READ_ERRORS})
def get_persona(request: HttpRequest, slug: SlugPath, persona_id: ObjectIdPath) -> Any:
    access = access_workspace(request.auth, slug)
    return actions.access_object(access, Persona, persona_id)


@personas.patch("/workspaces/{slug}/personas/{persona_id}", response={200: PersonaOut, **ERRORS})
def update_persona(
    request: HttpRequest, slug: SlugPath, persona_id: ObjectIdPath, payload: PersonaPatch
) -> Any:
    access = access_workspace(request.auth, slug, Action.EDIT_STRATEGY)
    persona = actions.access_object(access, Persona, persona_id)
    form = bind_form(
        PersonaForm, payload, instance=persona, partial=True, workspace=access.workspace
    )
    return actions.do_save_form(access, form)


@personas.delete("/workspaces/{slug}/personas/{persona_id}", response={204: None, **ERRORS})
def delete_persona(request: HttpRequest, slug: SlugPath, persona_id: ObjectIdPath) -> Any:
    access = access_workspace(request.auth, slug, Action.EDIT_STRATEGY)
    actions.do_delete(access, actions.access_object(access, Persona, persona_id))
    return HttpResponse(status=204)


# ---- objectives (step 2) ----


class ObjectiveIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: text(200)
    lever: Lever
    kpi: Kpi
    kpi_label: text(120) = ""
    # Strings or numbers; at most 14 digits, 2 after the point (checked by the form).
    baseline: Decimal
    target: Decimal
    deadline: date
    owner: ObjectId | None = Field(None, description="A member id of this workspace.")
    personas: list[ObjectId] = Field(default_factory=list, max_length=500)
    networks: list[NetworkKey] = Field(default_factory=list, max_length=100)
    notes: text(LONG_TEXT) = ""


class ObjectivePatch(ObjectiveIn):
    # Every field optional: absent ones keep their value.
    title: text(200) | None = None
    lever: Lever | None = None
    kpi: Kpi | None = None
    baseline: Decimal | None = None
    target: Decimal | None = None
    deadline: date | None = None


class ObjectiveOut(Schema):
    id: int
    title: str
    lever: str
    kpi: str
    kpi_label: str
    indicator_name: str
    baseline: Decimal
    target: Decimal
    deadline: date
    owner: int | None = Field(None, alias="owner_id")
    personas: list[int]
    networks: list[str]
    notes: str
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_personas(obj: Objective) -> list[int]:
        # Read the prefetched rows instead of a values_list query per objective.
        return [p.pk for p in obj.personas.all()]


def _objective(access: Access, objective_id: int) -> Objective:
    """Return the workspace's objective with what ObjectiveOut reads; Http404 otherwise."""
    objective = objectives_for(access).filter(pk=objective_id).first()
    if objective is None:
        raise Http404
    return objective


@objectives.get("/workspaces/{slug}/objectives", response={200: list[ObjectiveOut], **READ_ERRORS})
@paginate(Page)
def list_objectives(
    request: HttpRequest, slug: SlugPath, lever: Lever | None = None
) -> QuerySet[Objective]:
    """The workspace's objectives by deadline, optionally those serving one lever."""
    access = access_workspace(request.auth, slug)
    return objectives_for(access, lever.value if lever else None)


@objectives.post("/workspaces/{slug}/objectives", response={201: ObjectiveOut, **ERRORS})
def create_objective(request: HttpRequest, slug: SlugPath, payload: ObjectiveIn) -> Any:
    access = access_workspace(request.auth, slug, Action.EDIT_STRATEGY)
    form = bind_form(ObjectiveForm, payload, workspace=access.workspace)
    objective = actions.do_save_form(access, form)
    return Status(201, _objective(access, objective.pk))


@objectives.get(
    "/workspaces/{slug}/objectives/{objective_id}",
    response={200: ObjectiveOut, **READ_ERRORS},
)
def get_objective(request: HttpRequest, slug: SlugPath, objective_id: ObjectIdPath) -> Any:
    return _objective(access_workspace(request.auth, slug), objective_id)


@objectives.patch(
    "/workspaces/{slug}/objectives/{objective_id}", response={200: ObjectiveOut, **ERRORS}
)
def update_objective(
    request: HttpRequest, slug: SlugPath, objective_id: ObjectIdPath, payload: ObjectivePatch
) -> Any:
    access = access_workspace(request.auth, slug, Action.EDIT_STRATEGY)
    objective = actions.access_object(access, Objective, objective_id)
    form = bind_form(
        ObjectiveForm, payload, instance=objective, partial=True, workspace=access.workspace
    )
    actions.do_save_form(access, form)
    return _objective(access, objective_id)


@objectives.delete("/workspaces/{slug}/objectives/{objective_id}", response={204: None, **ERRORS})
def delete_objective(request: HttpRequest, slug: SlugPath, objective_id: ObjectIdPath) -> Any:
    access = access_workspace(request.auth, slug, Action.EDIT_STRATEGY)
    actions.do_delete(access, actions.access_object(access, Objective, objective_id))
    return HttpResponse(status=204)


# ---- the network catalog (reference data, the same for everyone) ----


class FigureOut(Schema):
    value: float
    source: str
    as_of: str


class NetworkOut(Schema):
    key: str
    name: str
    categories: list[str]
    status: str
    closed_on: date | None
    orientation: str
    age_bands: dict[str, FigureOut | None]
    france_users_millions: FigureOut | None
    formats: list[str]
    uses: str = Field(alias="uses_text")
    api_publish: bool
    api_metrics: bool
    api_inbox: bool
    api_notes: str = Field(alias="api_notes_text")
    effort: int
    sources: list[str]


@networks.get("/networks", response={200: list[NetworkOut], **READ_ERRORS})
@paginate(Page)
def list_networks(request: HttpRequest, include_closed: bool = True) -> list[catalog.Network]:
    """The networks the method knows, with sourced figures; closed ones are flagged."""
    return [n for n in catalog.networks() if include_closed or n.is_alive]


@networks.get("/networks/{key}", response={200: NetworkOut, **READ_ERRORS})
def get_network(request: HttpRequest, key: NetworkKey) -> Any:
    network = catalog.get_network(key)
    if network is None:
        raise Http404
    return network


router.add_router("", personas)
router.add_router("", objectives)
router.add_router("", networks)
