"""The whole strategy (steps 1–4) gathered for one page or one PDF, in a fixed number of queries.

`gather_plan` runs eight queries whatever the number of personas, objectives,
chosen networks and members: each relation is fetched once with prefetch_related
or select_related (the three speaking-policy link tables in one UNION), and network
names come from the reference data, not the database.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from datetime import date

from django.db.models import CharField, Prefetch, Value
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tribune.workspaces.models import Membership, Workspace
from tribune.workspaces.roles import NETWORK_SCOPED_ROLES, Role

from .actions_objectives import Progress, progress
from .catalog import network_name
from .models import NetworkChoice, Objective, Persona, SpeakingPolicy


@dataclass(frozen=True)
class PersonaEntry:
    persona: Persona
    networks: list[str]  # names, "where is my target?"


@dataclass(frozen=True)
class ObjectiveEntry:
    objective: Objective
    networks: list[str]
    progress: Progress


@dataclass(frozen=True)
class ChoiceEntry:
    choice: NetworkChoice
    name: str
    policy: SpeakingPolicy | None
    publishers: list[Membership] = field(default_factory=list)
    responders: list[Membership] = field(default_factory=list)
    moderators: list[Membership] = field(default_factory=list)

    @property
    def response_time(self) -> str:
        return response_time_text(self.policy.response_time_minutes if self.policy else None)


@dataclass(frozen=True)
class MemberEntry:
    membership: Membership

    @property
    def roles(self) -> list[str]:
        """Role labels in the active language, with the networks a scoped role is limited to."""
        return _role_labels(self.membership)


@dataclass(frozen=True)
class Plan:
    workspace: Workspace
    today: date  # in the workspace's time zone
    personas: list[PersonaEntry]
    objectives: list[ObjectiveEntry]
    choices: list[ChoiceEntry]
    members: list[MemberEntry]

    @property
    def policies(self) -> list[ChoiceEntry]:
        return [c for c in self.choices if c.policy is not None]


POLICY_PEOPLE = ("publishers", "responders", "moderators")


def _policy_people(workspace: Workspace) -> dict[tuple[int, str], list[int]]:
    """Return {(policy id, "publishers"|"responders"|"moderators"): [membership ids]}.

    One UNION query over the three link tables instead of three prefetches; the
    memberships themselves are already loaded with the team.
    """
    parts = [
        getattr(SpeakingPolicy, kind)
        .through.objects.filter(speakingpolicy__choice__workspace=workspace)
        .annotate(kind=Value(kind, output_field=CharField()))
        .values_list("speakingpolicy_id", "kind", "membership_id")
        for kind in POLICY_PEOPLE
    ]
    people: dict[tuple[int, str], list[int]] = {}
    for policy_id, kind, membership_id in parts[0].union(*parts[1:], all=True):
        people.setdefault((policy_id, kind), []).append(membership_id)
    return people


def _role_labels(membership: Membership) -> list[str]:
    labels = []
    for role in Role:
        if role.value not in membership.roles:
            continue
        limited = (membership.network_scopes or {}).get(role.value) or []
        if role in NETWORK_SCOPED_ROLES and limited:
            names = ", ".join(network_name(k) for k in limited)
            labels.append(f"{role.label} ({names})")
        else:
            labels.append(str(role.label))
    return labels


def gather_plan(workspace: Workspace) -> Plan:
    """Return the workspace's strategy plan. Runs a fixed number of queries (eight)."""
    personas = list(Persona.objects.filter(workspace=workspace).order_by("name", "id"))
    objectives = list(
        Objective.objects.filter(workspace=workspace)
        .select_related("owner__user")
        .prefetch_related(Prefetch("personas", queryset=Persona.objects.order_by("name")))
        .order_by("deadline", "id")
    )
    choices = list(
        NetworkChoice.objects.filter(workspace=workspace)
        .select_related("policy__escalation_contact__user")
        .prefetch_related(
            Prefetch("personas", queryset=Persona.objects.order_by("name")),
            Prefetch("objectives", queryset=Objective.objects.order_by("deadline", "id")),
        )
        .order_by("network")
    )
    team = list(
        Membership.objects.filter(workspace=workspace)
        .select_related("user")
        .order_by("user__username")
    )
    people = _policy_people(workspace)

    def entry(choice: NetworkChoice) -> ChoiceEntry:
        # A reverse one-to-one with no row raises an AttributeError subclass: None then.
        policy = getattr(choice, "policy", None)
        named = {}
        for kind in POLICY_PEOPLE:
            ids = set(people.get((policy.pk, kind), ())) if policy else set()
            # Only this workspace's members, in the team's order (by username).
            named[kind] = [m for m in team if m.pk in ids]
        return ChoiceEntry(choice, network_name(choice.network), policy, **named)

    return Plan(
        workspace=workspace,
        today=timezone.localdate(timezone=zoneinfo.ZoneInfo(workspace.time_zone)),
        personas=[PersonaEntry(p, [network_name(k) for k in p.networks]) for p in personas],
        objectives=[
            ObjectiveEntry(o, [network_name(k) for k in o.networks], progress(o))
            for o in objectives
        ],
        choices=sorted((entry(c) for c in choices), key=lambda e: e.name.lower()),
        members=[MemberEntry(m) for m in team],
    )


def response_time_text(minutes: int | None) -> str:
    """Return a response time in words: "45 minutes", "2 hours", "3 days"."""
    if not minutes:
        return ""
    if minutes % (60 * 24) == 0:
        days = minutes // (60 * 24)
        return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
    if minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    if minutes > 60:
        return _("%(h)d h %(m)02d min") % {"h": minutes // 60, "m": minutes % 60}
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
