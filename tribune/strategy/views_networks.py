"""Pages of step 3 (network choice and recommendations) and step 4 (speaking policy)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tribune.workspaces.actions import Access
from tribune.workspaces.decorators import workspace_view
from tribune.workspaces.models import Membership
from tribune.workspaces.roles import Action

from . import actions_networks as actions
from .catalog import Network, Source, catalog, network_name
from .choices import ContentFormat
from .forms_networks import NetworkChoiceForm, SpeakingPolicyForm
from .models import NetworkChoice, Objective, Persona, RecommendationDecision, SpeakingPolicy

# Recommendations shown open per persona; the rest sit in a collapsed list.
TOP = 6


def chosen_networks(access: Access) -> list[NetworkChoice]:
    """Return the workspace's choices with everything the list shows, in a fixed query count."""
    member_qs = Membership.objects.select_related("user")
    choices = list(
        NetworkChoice.objects.filter(workspace=access.workspace)
        .select_related("policy", "policy__escalation_contact__user")
        .prefetch_related(
            # Names are all the list shows: skip the long text fields.
            # Plain lists (to_attr): the page reads each many times, and every
            # `.all()` on a prefetched relation clones a queryset.
            Prefetch("personas", Persona.objects.only("id", "name"), to_attr="persona_list"),
            Prefetch("objectives", Objective.objects.only("id", "title"), to_attr="objective_list"),
            Prefetch("policy__publishers", member_qs, to_attr="publisher_list"),
            Prefetch("policy__responders", member_qs, to_attr="responder_list"),
            Prefetch("policy__moderators", member_qs, to_attr="moderator_list"),
        )
        .order_by("network")
    )
    for choice in choices:
        choice.display_name = network_name(choice.network)
    return sorted(choices, key=lambda c: c.display_name.lower())


def _persona_rows(
    access: Access, personas: list[Persona], chosen: dict, show_all: bool
) -> list[dict]:
    decisions = {
        (d.persona_id, d.network): d
        for d in RecommendationDecision.objects.filter(
            workspace=access.workspace, persona__in=[p.pk for p in personas]
        )
    }
    rows = []
    for persona in personas:
        items = [
            _item(persona, rec, decisions.get((persona.pk, rec.key)), chosen.get(rec.key))
            for rec in actions.recommendations_for(persona)
        ]
        # The rest is rendered only on request: it is most of the page's weight.
        rest = items[TOP:]
        rows.append(
            {
                "persona": persona,
                "top": items[:TOP],
                "more": rest if show_all else [],
                "hidden": 0 if show_all else len(rest),
            }
        )
    return rows


def _item(persona: Persona, rec, decision, choice) -> dict:
    linked = choice is not None and persona in choice.persona_list
    return {"persona": persona, "rec": rec, "decision": decision, "chosen": linked}


@workspace_view()
def network_list(request: HttpRequest, access: Access) -> HttpResponse:
    choices = chosen_networks(access)
    workspace_personas = Persona.objects.filter(workspace=access.workspace).order_by("name", "id")
    all_personas = list(workspace_personas.only("pk", "name"))
    # One persona at a time: with every persona at once the page grows with the
    # strategy (27 networks x N personas of explained scores) and stops being readable.
    wanted = request.GET.get("persona", "")
    shown = next((p for p in all_personas if str(p.pk) == wanted), None) or next(
        iter(all_personas), None
    )
    personas = (
        list(workspace_personas.filter(pk=shown.pk).prefetch_related("objectives")) if shown else []
    )
    selected = str(shown.pk) if shown else ""
    show_all = request.GET.get("all") == "1"
    rows = _persona_rows(access, personas, {c.network: c for c in choices}, show_all)
    return render(
        request,
        "strategy/network_list.html",
        {
            "choices": choices,
            "rows": rows,
            "all_personas": all_personas,
            "selected": selected,
            "can_edit": access.can(Action.EDIT_STRATEGY),
            "can_edit_policy": access.can(Action.EDIT_SPEAKING_POLICY),
        },
    )


def _number(value: float) -> str:
    return formats.number_format(value, decimal_pos=0 if value == int(value) else 1)


def audience_lines(network: Network, sources: dict[str, Source]) -> list[dict]:
    """Return the network's sourced audience facts as sentences, each with its source."""
    lines = []

    def add(text: str, figure) -> None:
        lines.append({"text": text, "source": sources[figure.source], "as_of": figure.as_of})

    if f := network.france_reach_pct:
        add(
            _("%(value)s%% of internet users aged 16 to 64 use it each month")
            % {"value": _number(f.value)},
            f,
        )
    if f := network.france_users_millions:
        text = (
            _("More than %(value)s million monthly users or visitors")
            if f.more_than
            else _("%(value)s million monthly users or visitors")
        )
        add(text % {"value": _number(f.value)}, f)
    if f := network.france_daily_users_millions:
        text = (
            _("More than %(value)s million daily visitors")
            if f.more_than
            else _("%(value)s million daily visitors")
        )
        add(text % {"value": _number(f.value)}, f)
    for band, f in network.parsed_age_bands():
        add(
            _("About %(value)s%% of its users are aged %(band)s")
            % {"value": _number(f.value), "band": band.key},
            f,
        )
    for note in network.audience_notes:
        add(note.text_localized, note)
    return lines


@workspace_view()
def network_catalog(request: HttpRequest, access: Access) -> HttpResponse:
    data = catalog()
    networks = sorted(data.networks.values(), key=lambda n: (not n.is_alive, n.name.lower()))
    format_labels = dict(ContentFormat.choices)
    entries = [
        {
            "network": n,
            "audience": audience_lines(n, data.sources),
            "formats": [format_labels.get(f, f) for f in n.formats],
        }
        for n in networks
    ]
    return render(
        request,
        "strategy/network_catalog.html",
        {
            "entries": entries,
            "sources": sorted(data.sources.values(), key=lambda s: s.key),
            "version": data.version,
        },
    )


@workspace_view(Action.EDIT_STRATEGY)
def network_edit(request: HttpRequest, access: Access, choice_id: int | None = None):
    choice = actions.access_choice(access, choice_id) if choice_id else None
    initial = {"network": request.GET.get("network", "")} if choice is None else None
    form = NetworkChoiceForm(
        request.POST or None, instance=choice, initial=initial, workspace=access.workspace
    )
    if request.method == "POST" and form.is_valid():
        choice = actions.do_save_choice(access, form)
        messages.success(
            request, _("%(network)s saved.") % {"network": network_name(choice.network)}
        )
        return redirect("network-list", access.workspace.slug)
    return render(request, "strategy/network_form.html", {"form": form, "choice": choice})


@require_POST
@workspace_view(Action.EDIT_STRATEGY)
def network_delete(request: HttpRequest, access: Access, choice_id: int) -> HttpResponse:
    choice = actions.access_choice(access, choice_id)
    actions.do_delete_choice(access, choice)
    messages.success(request, _("%(network)s removed.") % {"network": network_name(choice.network)})
    return redirect("network-list", access.workspace.slug)


@require_POST
@workspace_view(Action.EDIT_STRATEGY)
def network_decide(
    request: HttpRequest, access: Access, persona_id: int, network: str
) -> HttpResponse:
    """Accept, reject or reconsider one suggestion; a partial for htmx, a redirect otherwise."""
    persona = actions.access_persona(access, persona_id)
    decision = request.POST.get("decision", "")
    try:
        if decision == "accept":
            actions.do_accept_recommendation(access, persona, network)
            text = _("%(network)s chosen for %(persona)s; its rationale can be edited.")
        elif decision == "reject":
            actions.do_reject_recommendation(access, persona, network)
            text = _("%(network)s rejected for %(persona)s.")
        elif decision == "reconsider":
            actions.do_reconsider_recommendation(access, persona, network)
            text = _("%(network)s is suggested again for %(persona)s.")
        else:
            return HttpResponse(_("Unknown decision."), status=400)
    except ValidationError as error:
        return HttpResponse(" ".join(error.messages), status=400)
    text = text % {"network": network_name(network), "persona": persona.name}
    if request.htmx:
        return _decision_partial(request, access, persona, network, text)
    messages.success(request, text)
    url = reverse("network-list", args=[access.workspace.slug])
    return redirect(f"{url}?persona={persona.pk}#rec-{persona.pk}-{network}")


def _decision_partial(request, access, persona, network, text) -> HttpResponse:
    rec = actions.recommendation_for(persona, network)
    decision = RecommendationDecision.objects.filter(persona=persona, network=network).first()
    choice = (
        NetworkChoice.objects.filter(workspace=access.workspace, network=network)
        .prefetch_related(Prefetch("personas", to_attr="persona_list"))
        .first()
    )
    item = _item(persona, rec, decision, choice)
    return render(
        request,
        "strategy/network_recommendation.html",
        {"item": item, "can_edit": True, "status_text": text},
    )


@workspace_view(Action.EDIT_SPEAKING_POLICY)
def policy_edit(request: HttpRequest, access: Access, choice_id: int) -> HttpResponse:
    choice = actions.access_choice(access, choice_id)
    policy = SpeakingPolicy.objects.filter(choice=choice).first() or SpeakingPolicy(choice=choice)
    form = SpeakingPolicyForm(request.POST or None, instance=policy, workspace=access.workspace)
    if request.method == "POST" and form.is_valid():
        actions.do_save_policy(access, form)
        messages.success(
            request,
            _("Speaking policy for %(network)s saved.") % {"network": network_name(choice.network)},
        )
        return redirect("network-list", access.workspace.slug)
    return render(
        request,
        "strategy/policy_form.html",
        {"form": form, "choice": choice, "network": network_name(choice.network)},
    )
