"""API of strategy steps 3 and 4: network choices, recommendations, speaking policies.

Validation is the pages' NetworkChoiceForm and SpeakingPolicyForm; writes are
`actions_networks.do_*`, so permissions and audit events are the pages' own.
"""

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict

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
from tribune.core.problems import ERRORS, READ_ERRORS, Problem
from tribune.workspaces.actions import Access, access_workspace
from tribune.workspaces.roles import Action

from . import actions_networks as actions
from .catalog import get_network, network_name
from .forms_networks import NetworkChoiceForm, SpeakingPolicyForm
from .models import NetworkChoice, RecommendationDecision, SpeakingPolicy

router = Router()
choices = Router(tags=["network choices"])
policies = Router(tags=["speaking policies"])
recommendations = Router(tags=["recommendations"])

CHOICE = "/workspaces/{slug}/network-choices/{choice_id}"
RECOMMENDATION = "/workspaces/{slug}/personas/{persona_id}/recommendations/{network}"

# ---- network choices (step 3) ----


class NetworkChoicePatch(Schema):
    model_config = ConfigDict(extra="forbid")

    rationale: text(LONG_TEXT) | None = None
    personas: list[ObjectId] = Field(default_factory=list, max_length=500)
    objectives: list[ObjectId] = Field(default_factory=list, max_length=500)
    min_posts_per_week: int | None = Field(None, ge=0, le=32767)
    max_posts_per_week: int | None = Field(None, ge=0, le=32767)


class NetworkChoiceIn(NetworkChoicePatch):
    network: NetworkKey = Field(description="A key of /api/v1/networks, alive and not chosen yet.")
    rationale: text(LONG_TEXT)


class NetworkChoiceOut(Schema):
    id: int
    network: str
    network_name: str
    rationale: str
    personas: list[int]
    objectives: list[int]
    min_posts_per_week: int | None
    max_posts_per_week: int | None
    chosen_by: str | None
    chosen_at: datetime
    has_speaking_policy: bool

    @staticmethod
    def resolve_network_name(obj: NetworkChoice) -> str:
        return network_name(obj.network)

    @staticmethod
    def resolve_personas(obj: NetworkChoice) -> list[int]:
        return [p.pk for p in obj.personas.all()]  # prefetched

    @staticmethod
    def resolve_objectives(obj: NetworkChoice) -> list[int]:
        return [o.pk for o in obj.objectives.all()]  # prefetched

    @staticmethod
    def resolve_chosen_by(obj: NetworkChoice) -> str | None:
        return obj.chosen_by.username if obj.chosen_by else None

    @staticmethod
    def resolve_has_speaking_policy(obj: NetworkChoice) -> bool:
        return hasattr(obj, "policy")


def _choices(access: Access) -> QuerySet[NetworkChoice]:
    """The workspace's choices with what NetworkChoiceOut reads, in a fixed number of queries."""
    return (
        NetworkChoice.objects.filter(workspace=access.workspace)
        .select_related("chosen_by", "policy")
        .prefetch_related("personas", "objectives")
        .order_by("network", "id")
    )


def _choice(access: Access, choice_id: int) -> NetworkChoice:
    choice = _choices(access).filter(pk=choice_id).first()
    if choice is None:
        raise Http404
    return choice


@choices.get(
    "/workspaces/{slug}/network-choices", response={200: list[NetworkChoiceOut], **READ_ERRORS}
)
@paginate(Page)
def list_network_choices(request: HttpRequest, slug: SlugPath) -> QuerySet[NetworkChoice]:
    return _choices(access_workspace(request.auth, slug))


@choices.post("/workspaces/{slug}/network-choices", response={201: NetworkChoiceOut, **ERRORS})
def create_network_choice(request: HttpRequest, slug: SlugPath, payload: NetworkChoiceIn) -> Any:
    """Choose a network (409 when the workspace already chose it)."""
    access = access_workspace(request.auth, slug, Action.EDIT_STRATEGY)
    if NetworkChoice.objects.filter(workspace=access.workspace, network=payload.network).exists():
        raise Problem(409, _("This network is already chosen."))
    form = bind_form(NetworkChoiceForm, payload, workspace=access.workspace)
    choice = actions.do_save_choice(access, form)
    return Status(201, _choice(access, choice.pk))


@choices.get(CHOICE, response={200: NetworkChoiceOut, **READ_ERRORS})
def get_network_choice(request: HttpRequest, slug: SlugPath, choice_id: ObjectIdPath) -> Any:
    return _choice(access_workspace(request.auth, slug), choice_id)


@choices.patch(CHOICE, response={200: NetworkChoiceOut, **ERRORS})
def update_network_choice(
    request: HttpRequest, slug: SlugPath, choice_id: ObjectIdPath, payload: NetworkChoicePatch
) -> Any:
    """Change the rationale, links or frequency; the network itself never changes."""
    access = access_workspace(request.auth, slug, Action.EDIT_STRATEGY)
    choice = actions.access_choice(access, choice_id)
    form = bind_form(
        NetworkChoiceForm, payload, instance=choice, partial=True, workspace=access.workspace
    )
    actions.do_save_choice(access, form)
    return _choice(access, choice_id)


@choices.delete(CHOICE, response={204: None, **ERRORS})
def delete_network_choice(request: HttpRequest, slug: SlugPath, choice_id: ObjectIdPath) -> Any:
    """Remove a chosen network and its speaking policy."""
    access = access_workspace(request.auth, slug, Action.EDIT_STRATEGY)
    actions.do_delete_choice(access, actions.access_choice(access, choice_id))
    return HttpResponse(status=204)


# ---- speaking policy (step 4), one per chosen network ----


class SpeakingPolicyIn(Schema):
    model_config = ConfigDict(extra="forbid")

    publishers: list[ObjectId] = Field(default_factory=list, max_length=500)
    responders: list[ObjectId] = Field(default_factory=list, max_length=500)
    moderators: list[ObjectId] = Field(default_factory=list, max_length=500)
    tone: text(LONG_TEXT) = ""
    response_time_minutes: int | None = Field(None, ge=0, le=2**31 - 1)
    escalation_contact: ObjectId | None = None
    escalation_notes: text(LONG_TEXT) = ""
    confirm_roles: bool = Field(
        False, description="Save even if a named member lacks the matching role."
    )


class SpeakingPolicyOut(Schema):
    network_choice: int
    publishers: list[int]
    responders: list[int]
    moderators: list[int]
    tone: str
    response_time_minutes: int | None
    escalation_contact: int | None
    escalation_notes: str
    updated_at: datetime | None


def _policy_out(choice: NetworkChoice, policy: SpeakingPolicy | None) -> dict[str, Any]:
    if policy is None:  # not written yet: the empty policy
        policy = SpeakingPolicy(choice=choice)
        columns: dict[str, list[int]] = {"publishers": [], "responders": [], "moderators": []}
    else:
        columns = {
            name: sorted(getattr(policy, name).values_list("pk", flat=True))
            for name in ("publishers", "responders", "moderators")
        }
    return {
        "network_choice": choice.pk,
        **columns,
        "tone": policy.tone,
        "response_time_minutes": policy.response_time_minutes,
        "escalation_contact": policy.escalation_contact_id,
        "escalation_notes": policy.escalation_notes,
        "updated_at": policy.updated_at,
    }


@policies.get(f"{CHOICE}/policy", response={200: SpeakingPolicyOut, **READ_ERRORS})
def get_speaking_policy(request: HttpRequest, slug: SlugPath, choice_id: ObjectIdPath) -> Any:
    """Who publishes, responds and moderates on this network; empty until written."""
    choice = actions.access_choice(access_workspace(request.auth, slug), choice_id)
    return _policy_out(choice, SpeakingPolicy.objects.filter(choice=choice).first())


@policies.put(f"{CHOICE}/policy", response={200: SpeakingPolicyOut, **ERRORS})
def put_speaking_policy(
    request: HttpRequest, slug: SlugPath, choice_id: ObjectIdPath, payload: SpeakingPolicyIn
) -> Any:
    """Write the whole policy. Members without the matching role need `confirm_roles`."""
    access = access_workspace(request.auth, slug, Action.EDIT_SPEAKING_POLICY)
    choice = actions.access_choice(access, choice_id)
    policy = SpeakingPolicy.objects.filter(choice=choice).first() or SpeakingPolicy(choice=choice)
    form = bind_form(SpeakingPolicyForm, payload, instance=policy, workspace=access.workspace)
    return _policy_out(choice, actions.do_save_policy(access, form))


# ---- recommendations: which network for which persona ----


class FactorOut(Schema):
    key: str
    points: int
    text: str


class RecommendationOut(Schema):
    network: str
    network_name: str
    score: int
    factors: list[FactorOut]
    decision: str | None = Field(description="accepted, rejected, or null while undecided.")
    chosen: bool = Field(description="The network is chosen and linked to this persona.")


class RejectIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: text(LONG_TEXT) = ""


class DecisionOut(Schema):
    network: str
    decision: str
    score: int
    reason: str
    network_choice: int | None = None


def _catalog_network(key: str) -> str:
    if get_network(key) is None:
        raise Http404
    return key


@recommendations.get(
    "/workspaces/{slug}/personas/{persona_id}/recommendations",
    response={200: list[RecommendationOut], **READ_ERRORS},
)
@paginate(Page)
def list_recommendations(
    request: HttpRequest, slug: SlugPath, persona_id: ObjectIdPath
) -> list[dict[str, Any]]:
    """Networks ranked for the persona, each score with the factors that make it up."""
    access = access_workspace(request.auth, slug)
    persona = actions.access_persona(access, persona_id)
    decided = dict(
        RecommendationDecision.objects.filter(persona=persona).values_list("network", "decision")
    )
    linked = set(
        NetworkChoice.objects.filter(workspace=access.workspace, personas=persona).values_list(
            "network", flat=True
        )
    )
    return [
        {
            "network": rec.key,
            "network_name": rec.network.name,
            "score": rec.score,
            "factors": [{"key": f.key, "points": f.points, "text": f.text} for f in rec.factors],
            "decision": decided.get(rec.key),
            "chosen": rec.key in linked,
        }
        for rec in actions.recommendations_for(persona)
    ]


@recommendations.post(f"{RECOMMENDATION}/accept", response={200: DecisionOut, **ERRORS})
def accept_recommendation(
    request: HttpRequest, slug: SlugPath, persona_id: ObjectIdPath, network: NetworkKey
) -> Any:
    """Choose the network for the persona (creating the choice, or linking the persona)."""
    access = access_workspace(request.auth, slug, Action.EDIT_STRATEGY)
    persona = actions.access_persona(access, persona_id)
    choice, decision = actions.do_accept_recommendation(access, persona, _catalog_network(network))
    return {**_decision_out(decision), "network_choice": choice.pk}


@recommendations.post(f"{RECOMMENDATION}/reject", response={200: DecisionOut, **ERRORS})
def reject_recommendation(
    request: HttpRequest,
    slug: SlugPath,
    persona_id: ObjectIdPath,
    network: NetworkKey,
    payload: RejectIn | None = None,
) -> Any:
    access = access_workspace(request.auth, slug, Action.EDIT_STRATEGY)
    persona = actions.access_persona(access, persona_id)
    reason = payload.reason if payload else ""
    decision = actions.do_reject_recommendation(access, persona, _catalog_network(network), reason)
    return _decision_out(decision)


@recommendations.delete(f"{RECOMMENDATION}/decision", response={204: None, **ERRORS})
def reconsider_recommendation(
    request: HttpRequest, slug: SlugPath, persona_id: ObjectIdPath, network: NetworkKey
) -> Any:
    """Forget the decision so the network is suggested afresh; a chosen network stays."""
    access = access_workspace(request.auth, slug, Action.EDIT_STRATEGY)
    persona = actions.access_persona(access, persona_id)
    actions.do_reconsider_recommendation(access, persona, network)
    return HttpResponse(status=204)


def _decision_out(decision: RecommendationDecision) -> dict[str, Any]:
    return {
        "network": decision.network,
        "decision": decision.decision,
        "score": decision.score,
        "reason": decision.reason,
    }


router.add_router("", choices)
router.add_router("", policies)
router.add_router("", recommendations)
