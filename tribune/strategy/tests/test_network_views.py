"""The networks page: choices, recommendations with accept/reject, manual add, catalog."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tribune.strategy.catalog import catalog
from tribune.strategy.models import (
    NetworkChoice,
    Objective,
    Persona,
    RecommendationDecision,
    SpeakingPolicy,
)
from tribune.testing.fixtures import set_roles
from tribune.workspaces.models import AuditEvent, Membership
from tribune.workspaces.roles import Role


@pytest.fixture
def persona(workspace):
    return Persona.objects.create(
        workspace=workspace,
        name="Léa",
        audience="b2c",
        age_min=18,
        age_max=30,
        networks=["instagram"],
        formats=["short_video", "image"],
    )


def list_url(workspace):
    return reverse("network-list", args=[workspace.slug])


def decide_url(workspace, persona, network):
    return reverse("network-decide", args=[workspace.slug, persona.pk, network])


def test_it_shows_ranked_recommendations_with_explanations(client, alice, workspace, persona):
    client.force_login(alice)
    response = client.get(list_url(workspace))
    assert response.status_code == 200
    row = response.context["rows"][0]
    assert row["persona"] == persona
    assert row["top"][0]["rec"].key == "instagram"
    assert "Léa is already on Instagram." in response.content.decode()


def test_it_lets_any_member_read_but_only_strategists_decide(client, bob, workspace, persona):
    client.force_login(bob)
    response = client.get(list_url(workspace))
    assert response.status_code == 200
    assert response.context["can_edit"] is False
    assert "Accept Instagram" not in response.content.decode()
    assert (
        client.post(decide_url(workspace, persona, "instagram"), {"decision": "accept"}).status_code
        == 403
    )
    set_roles(bob, workspace, Role.STRATEGIST)
    assert (
        client.post(decide_url(workspace, persona, "instagram"), {"decision": "accept"}).status_code
        == 302
    )


def test_it_hides_everything_from_other_workspaces(client, charlie, workspace, persona):
    client.force_login(charlie)
    assert client.get(list_url(workspace)).status_code == 404
    assert client.get(reverse("network-catalog", args=[workspace.slug])).status_code == 404
    assert (
        client.post(decide_url(workspace, persona, "instagram"), {"decision": "accept"}).status_code
        == 404
    )
    # Alice's persona is not reachable through charlie's own workspace either.
    url = reverse("network-decide", args=["other", persona.pk, "instagram"])
    assert client.post(url, {"decision": "accept"}).status_code == 404
    assert not NetworkChoice.objects.exists()


def test_it_accepts_a_recommendation(client, alice, workspace, persona):
    client.force_login(alice)
    response = client.post(decide_url(workspace, persona, "instagram"), {"decision": "accept"})
    assert response.status_code == 302
    choice = NetworkChoice.objects.get(workspace=workspace, network="instagram")
    assert list(choice.personas.all()) == [persona]
    assert "Léa is already on Instagram." in choice.rationale
    assert choice.chosen_by == alice
    decision = RecommendationDecision.objects.get(persona=persona, network="instagram")
    assert decision.decision == "accepted" and decision.score > 0
    verbs = set(AuditEvent.objects.filter(workspace=workspace).values_list("verb", flat=True))
    assert {"create", "recommendation_accepted"} <= verbs


def test_it_keeps_the_rationale_when_accepting_an_already_chosen_network(
    client, alice, workspace, persona
):
    choice = NetworkChoice.objects.create(
        workspace=workspace, network="instagram", rationale="Ours."
    )
    client.force_login(alice)
    client.post(decide_url(workspace, persona, "instagram"), {"decision": "accept"})
    choice.refresh_from_db()
    assert choice.rationale.startswith("Ours.") and "Léa" in choice.rationale
    assert list(choice.personas.all()) == [persona]


def test_it_rejects_and_reconsiders_a_recommendation(client, alice, workspace, persona):
    client.force_login(alice)
    client.post(decide_url(workspace, persona, "pinterest"), {"decision": "reject"})
    decision = RecommendationDecision.objects.get(persona=persona, network="pinterest")
    assert decision.decision == "rejected"
    assert not NetworkChoice.objects.filter(network="pinterest").exists()
    page = client.get(list_url(workspace)).content.decode()
    assert "Reconsider Pinterest" in page
    client.post(decide_url(workspace, persona, "pinterest"), {"decision": "reconsider"})
    assert not RecommendationDecision.objects.filter(persona=persona, network="pinterest").exists()
    assert AuditEvent.objects.filter(verb="recommendation_reconsidered").exists()


def test_it_answers_htmx_with_a_partial(client, alice, workspace, persona):
    client.force_login(alice)
    response = client.post(
        decide_url(workspace, persona, "pinterest"), {"decision": "reject"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<li id="rec-')
    assert "Pinterest rejected for Léa." in body


def test_it_refuses_closed_and_unknown_networks(client, alice, workspace, persona):
    client.force_login(alice)
    assert (
        client.post(decide_url(workspace, persona, "skype"), {"decision": "accept"}).status_code
        == 400
    )
    assert (
        client.post(decide_url(workspace, persona, "nope"), {"decision": "accept"}).status_code
        == 400
    )
    assert (
        client.post(decide_url(workspace, persona, "linkedin"), {"decision": "x"}).status_code
        == 400
    )
    assert not NetworkChoice.objects.exists()


def test_it_adds_a_network_by_hand(client, alice, workspace, persona):
    client.force_login(alice)
    url = reverse("network-add", args=[workspace.slug])
    page = client.get(url)
    keys = [k for k, _n in page.context["form"].fields["network"].choices]
    assert "linkedin" in keys and "skype" not in keys
    data = {"network": "linkedin", "rationale": "B2B buyers.", "personas": [persona.pk],
            "min_posts_per_week": 2, "max_posts_per_week": 4}  # fmt: skip
    assert client.post(url, data).status_code == 302
    choice = NetworkChoice.objects.get(network="linkedin")
    assert choice.min_posts_per_week == 2 and choice.chosen_by == alice
    assert client.post(url, dict(data)).status_code == 200  # already chosen
    closed = client.post(url, {**data, "network": "jaiku"})
    assert closed.status_code == 200 and closed.context["form"].errors["network"]


def test_it_edits_a_choice_with_a_required_rationale_and_min_below_max(client, alice, workspace):
    choice = NetworkChoice.objects.create(workspace=workspace, network="linkedin", rationale="x")
    objective = Objective.objects.create(
        workspace=workspace, title="Leads", lever="acquisition", kpi="contacts",
        baseline=1, target=10, deadline="2027-01-01",
    )  # fmt: skip
    client.force_login(alice)
    url = reverse("network-edit", args=[workspace.slug, choice.pk])
    empty = client.post(url, {"rationale": "", "min_posts_per_week": 1})
    assert empty.context["form"].errors["rationale"]
    inverted = client.post(
        url, {"rationale": "ok", "min_posts_per_week": 5, "max_posts_per_week": 2}
    )
    assert inverted.context["form"].errors["max_posts_per_week"]
    ok = client.post(
        url, {"rationale": "Leads", "objectives": [objective.pk], "max_posts_per_week": 3}
    )
    assert ok.status_code == 302
    choice.refresh_from_db()
    assert choice.rationale == "Leads" and list(choice.objectives.all()) == [objective]
    event = AuditEvent.objects.get(verb="update", object_type="networkchoice")
    assert event.before["rationale"] == "x" and event.after["rationale"] == "Leads"


def test_it_removes_a_choice(client, alice, bob, workspace):
    choice = NetworkChoice.objects.create(workspace=workspace, network="linkedin", rationale="x")
    url = reverse("network-delete", args=[workspace.slug, choice.pk])
    client.force_login(bob)
    assert client.post(url).status_code == 403
    client.force_login(alice)
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    assert not NetworkChoice.objects.exists()
    assert AuditEvent.objects.filter(verb="delete", object_type="networkchoice").exists()


def test_it_shows_the_catalog_with_sources(client, bob, workspace):
    client.force_login(bob)
    response = client.get(reverse("network-catalog", args=[workspace.slug]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Jaiku" in body and "Mastodon" in body
    assert 'href="#source-digital-2024-france-siecledigital"' in body
    assert 'id="source-digital-2024-france-siecledigital"' in body


def test_it_filters_recommendations_by_persona(client, alice, workspace, persona):
    other = Persona.objects.create(workspace=workspace, name="Marc", audience="b2b")
    client.force_login(alice)
    rows = client.get(list_url(workspace), {"persona": other.pk}).context["rows"]
    assert [r["persona"] for r in rows] == [other]


def test_it_keeps_the_list_page_within_a_fixed_number_of_queries(
    client, alice, workspace, django_assert_max_num_queries
):
    members = Membership.objects.filter(workspace=workspace)
    for i in range(4):
        p = Persona.objects.create(workspace=workspace, name=f"P{i}", networks=["linkedin"])
        Objective.objects.create(
            workspace=workspace, title=f"O{i}", lever="visibility", kpi="likes",
            baseline=1, target=2, deadline="2027-01-01",
        ).personas.add(p)  # fmt: skip
    for key in ("linkedin", "instagram", "facebook", "youtube"):
        c = NetworkChoice.objects.create(workspace=workspace, network=key, rationale="r")
        c.personas.add(*Persona.objects.all())
        sp = SpeakingPolicy.objects.create(choice=c, escalation_contact=members.first())
        sp.publishers.add(*members)
        sp.moderators.add(*members)
    client.force_login(alice)
    with django_assert_max_num_queries(15):
        response = client.get(list_url(workspace))
    assert response.status_code == 200
    # One persona's recommendations at a time; the others are in the selector.
    assert [row["persona"].name for row in response.context["rows"]] == ["P0"]
    assert len(response.context["all_personas"]) == 4


def test_it_shows_the_top_networks_and_the_rest_on_request(client, alice, workspace):
    persona = Persona.objects.create(workspace=workspace, name="P", networks=["linkedin"])
    client.force_login(alice)
    short = client.get(list_url(workspace), {"persona": persona.pk}).context["rows"][0]
    alive = [n for n in catalog().networks.values() if n.is_alive]
    assert (len(short["top"]), short["more"], short["hidden"]) == (6, [], len(alive) - 6)
    full = client.get(list_url(workspace), {"persona": persona.pk, "all": "1"}).context["rows"][0]
    assert len(full["top"]) + len(full["more"]) == len(alive)
    assert full["hidden"] == 0
