"""Writes of step 3 (network choices, recommendation decisions) and step 4 (speaking policy).

Every `do_*` checks permission, runs in one transaction and records an audit
event. Recommendations are always recomputed here from the database: the
score and explanation a browser sends back are never trusted.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from tribune.core.snapshot import snapshot
from tribune.workspaces.actions import Access, check_action, record
from tribune.workspaces.models import Membership
from tribune.workspaces.roles import Action, Role, allows

from .catalog import Network, catalog, get_network
from .models import NetworkChoice, Persona, RecommendationDecision, SpeakingPolicy
from .recommend import Recommendation, objectives_of, profile_of, recommend

# Which role a member needs to be named in each column of the speaking policy.
POLICY_ROLES: dict[str, tuple[Role, Action]] = {
    "publishers": (Role.PUBLISHER, Action.PUBLISH),
    "responders": (Role.RESPONDER, Action.RESPOND),
    "moderators": (Role.MODERATOR, Action.MODERATE),
}


def access_choice(access: Access, choice_id: int) -> NetworkChoice:
    """Return the workspace's NetworkChoice `choice_id`; Http404 for any other."""
    choice = NetworkChoice.objects.filter(workspace=access.workspace, pk=choice_id).first()
    if choice is None:
        raise Http404
    return choice


def access_persona(access: Access, persona_id: int) -> Persona:
    persona = (
        Persona.objects.filter(workspace=access.workspace, pk=persona_id)
        .prefetch_related("objectives")
        .first()
    )
    if persona is None:
        raise Http404
    return persona


def alive_network(key: str) -> Network:
    """Return the alive catalog network `key`; ValidationError for unknown or closed ones."""
    network = get_network(key)
    if network is None or not network.is_alive:
        raise ValidationError(_("Choose a network that is still open."))
    return network


def recommendations_for(persona: Persona) -> list[Recommendation]:
    """Return the ranked recommendations for a persona (its objectives prefetched or not)."""
    return recommend(profile_of(persona), objectives_of(persona.objectives.all()), catalog())


def recommendation_for(persona: Persona, network_key: str) -> Recommendation:
    alive_network(network_key)
    for item in recommendations_for(persona):
        if item.key == network_key:
            return item
    raise Http404


def _choice_snapshot(choice: NetworkChoice) -> dict:
    return snapshot(choice)


@transaction.atomic
def do_accept_recommendation(
    access: Access, persona: Persona, network_key: str
) -> tuple[NetworkChoice, RecommendationDecision]:
    """Choose the network for the persona; return the choice and the recorded decision.

    Creates the NetworkChoice with the explanation as its rationale, or, when
    the network is already chosen, links the persona and appends the
    explanation, so nothing a person wrote is lost.
    """
    check_action(access, Action.EDIT_STRATEGY)
    if persona.workspace_id != access.workspace.pk:
        raise Http404
    item = recommendation_for(persona, network_key)
    reason = _("Recommended for %(persona)s (score %(score)s/100): %(why)s") % {
        "persona": persona.name,
        "score": item.score,
        "why": item.explanation,
    }
    choice = (
        NetworkChoice.objects.select_for_update()
        .filter(workspace=access.workspace, network=network_key)
        .first()
    )
    if choice is None:
        choice = NetworkChoice.objects.create(
            workspace=access.workspace,
            network=network_key,
            rationale=reason,
            chosen_by=access.user,
        )
        choice.personas.add(persona)
        record(access, access.workspace, "create", choice, None, _choice_snapshot(choice))
    else:
        before = _choice_snapshot(choice)
        if reason not in choice.rationale:
            choice.rationale = f"{choice.rationale.rstrip()}\n\n{reason}".strip()
            choice.save(update_fields=["rationale"])
        choice.personas.add(persona)
        record(access, access.workspace, "update", choice, before, _choice_snapshot(choice))
    decision = _decide(access, persona, item, RecommendationDecision.Decision.ACCEPTED, reason)
    return choice, decision


@transaction.atomic
def do_reject_recommendation(
    access: Access, persona: Persona, network_key: str, reason: str = ""
) -> RecommendationDecision:
    """Record that the network is not wanted for this persona; return the decision."""
    check_action(access, Action.EDIT_STRATEGY)
    if persona.workspace_id != access.workspace.pk:
        raise Http404
    item = recommendation_for(persona, network_key)
    return _decide(access, persona, item, RecommendationDecision.Decision.REJECTED, reason)


def _decide(
    access: Access, persona: Persona, item: Recommendation, decision: str, reason: str
) -> RecommendationDecision:
    existing = RecommendationDecision.objects.filter(persona=persona, network=item.key).first()
    before = snapshot(existing) if existing else None
    obj, _created = RecommendationDecision.objects.update_or_create(
        persona=persona,
        network=item.key,
        defaults={
            "workspace": access.workspace,
            "decision": decision,
            "score": item.score,
            "reason": reason,
            "decided_by": access.user,
        },
    )
    record(access, access.workspace, f"recommendation_{decision}", obj, before, snapshot(obj))
    return obj


@transaction.atomic
def do_reconsider_recommendation(access: Access, persona: Persona, network_key: str) -> None:
    """Forget the decision so the network is suggested afresh. The choice itself stays."""
    check_action(access, Action.EDIT_STRATEGY)
    decision = RecommendationDecision.objects.filter(
        workspace=access.workspace, persona=persona, network=network_key
    ).first()
    if decision is None:
        raise Http404
    record(access, access.workspace, "recommendation_reconsidered", decision, snapshot(decision))
    decision.delete()


@transaction.atomic
def do_delete_choice(access: Access, choice: NetworkChoice) -> None:
    """Remove a chosen network, its speaking policy with it."""
    check_action(access, Action.EDIT_STRATEGY)
    if choice.workspace_id != access.workspace.pk:
        raise Http404
    record(access, access.workspace, "delete", choice, snapshot(choice))
    choice.delete()


@dataclass(frozen=True)
class RoleMismatch:
    """A member named in a policy column without the matching role on that network."""

    column: str
    membership: Membership
    limited_elsewhere: bool  # holds the role, but limited to other networks

    @property
    def message(self) -> str:
        role = POLICY_ROLES[self.column][0]
        params = {"member": self.membership.display_name, "role": role.label}
        if self.limited_elsewhere:
            return _("%(member)s is %(role)s only on other networks.") % params
        return _("%(member)s does not hold the %(role)s role (or Owner).") % params


def role_mismatches(network_key: str, columns: dict[str, list[Membership]]) -> list[RoleMismatch]:
    """Return the members named in a column without the role it needs on `network_key`."""
    found = []
    for column, members in columns.items():
        role, action = POLICY_ROLES[column]
        for m in members:
            scopes = m.network_scopes or {}
            if allows(m.role_set, scopes, action, network_key):
                continue
            elsewhere = role.value in m.role_set and bool(scopes.get(role.value))
            found.append(RoleMismatch(column, m, elsewhere))
    return found


def policy_snapshot(policy: SpeakingPolicy) -> dict:
    return snapshot(policy)


@transaction.atomic
def do_save_policy(access: Access, form) -> SpeakingPolicy:
    """Save a validated SpeakingPolicyForm for one of the workspace's choices."""
    check_action(access, Action.EDIT_SPEAKING_POLICY)
    policy = form.instance
    if policy.choice.workspace_id != access.workspace.pk:
        raise Http404
    creating = policy.pk is None
    before = None if creating else policy_snapshot(SpeakingPolicy.objects.get(pk=policy.pk))
    policy = form.save()
    record(
        access,
        access.workspace,
        "create" if creating else "update",
        policy,
        before,
        policy_snapshot(policy),
    )
    return policy


def do_save_choice(access: Access, form) -> NetworkChoice:
    """Save a validated NetworkChoiceForm (create or edit); audited by do_save_form."""
    from .actions import do_save_form

    if form.instance.pk is None:
        form.instance.chosen_by = access.user
    return do_save_form(access, form, Action.EDIT_STRATEGY)
