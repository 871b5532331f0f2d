"""API: the network catalog, network choices, speaking policies and recommendations."""

import pytest

from tribune.strategy.models import (
    NetworkChoice,
    Objective,
    Persona,
    RecommendationDecision,
    SpeakingPolicy,
)
from tribune.testing import api_client
from tribune.testing.api_client import assert_problem
from tribune.testing.fixtures import set_roles
from tribune.workspaces.models import AuditEvent, Membership, Workspace
from tribune.workspaces.roles import Role

api_as = api_client.api_as  # the fixture, under its own name

CHOICES = "/api/v1/workspaces/lumen/network-choices"
EDITORS = ["owner", "strategist"]
NOT_EDITORS = [r for r in Role.values if r not in EDITORS]


@pytest.fixture
def persona(workspace):
    return Persona.objects.create(
        workspace=workspace, name="Camille", audience="b2b", age_min=30, age_max=50
    )


@pytest.fixture
def choice(workspace, persona):
    choice = NetworkChoice.objects.create(
        workspace=workspace, network="linkedin", rationale="B2B buyers are there."
    )
    choice.personas.add(persona)
    return choice


def recommendations_url(persona) -> str:
    return f"/api/v1/workspaces/lumen/personas/{persona.pk}/recommendations"


# ---- catalog ----


def test_it_lists_the_catalog_to_any_signed_in_user(api_as, charlie):
    body = api_as(charlie).get("/api/v1/networks", {"limit": 200}).json()
    keys = {n["key"] for n in body["items"]}
    assert {"linkedin", "instagram"} <= keys
    assert body["count"] == len(body["items"])
    alive = api_as(charlie).get("/api/v1/networks", {"include_closed": False, "limit": 200})
    assert all(n["status"] == "alive" for n in alive.json()["items"])


def test_it_shows_one_network_or_404(api_as, charlie):
    assert api_as(charlie).get("/api/v1/networks/linkedin").json()["name"] == "LinkedIn"
    assert_problem(api_as(charlie).get("/api/v1/networks/friendster"), 404)
    assert_problem(api_as(None).get("/api/v1/networks"), 401)


# ---- network choices ----


@pytest.mark.parametrize("role", Role.values)
def test_it_shows_choices_to_every_role(api_as, workspace, bob, choice, role):
    set_roles(bob, workspace, role)
    client = api_as(bob)
    items = client.get(CHOICES).json()["items"]
    assert [(c["network"], c["network_name"]) for c in items] == [("linkedin", "LinkedIn")]
    assert client.get(f"{CHOICES}/{choice.pk}").json()["personas"] == [choice.personas.get().pk]


def test_it_lists_choices_in_a_fixed_number_of_queries(
    api_as, workspace, alice, persona, django_assert_max_num_queries
):
    for key in ("linkedin", "instagram", "facebook", "youtube", "snapchat"):
        c = NetworkChoice.objects.create(workspace=workspace, network=key, rationale="r")
        c.personas.add(persona)
        SpeakingPolicy.objects.create(choice=c)
    client = api_as(alice)
    with django_assert_max_num_queries(7):
        body = client.get(CHOICES).json()
    assert body["count"] == 5
    assert all(c["has_speaking_policy"] for c in body["items"])


@pytest.mark.parametrize("role", EDITORS)
def test_it_lets_strategy_editors_choose_edit_and_remove(api_as, workspace, bob, persona, role):
    set_roles(bob, workspace, role)
    client = api_as(bob)
    created = client.post(
        CHOICES, {"network": "instagram", "rationale": "Visual.", "personas": [persona.pk]}
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["network"], body["personas"], body["chosen_by"]) == (
        "instagram",
        [persona.pk],
        "bob",
    )
    url = f"{CHOICES}/{body['id']}"
    updated = client.patch(url, {"min_posts_per_week": 2, "max_posts_per_week": 4})
    assert updated.status_code == 200, updated.content
    assert updated.json()["rationale"] == "Visual."
    assert client.delete(url).status_code == 204
    assert not NetworkChoice.objects.exists()
    verbs = list(AuditEvent.objects.order_by("id").values_list("verb", flat=True))
    assert verbs == ["create", "update", "delete"]


def test_it_answers_409_for_a_network_already_chosen(api_as, alice, choice):
    body = assert_problem(
        api_as(alice).post(CHOICES, {"network": "linkedin", "rationale": "x"}), 409
    )
    assert body["detail"]
    assert NetworkChoice.objects.count() == 1


def test_it_validates_choices_with_the_page_form(api_as, alice, charlie, choice):
    client = api_as(alice)
    body = assert_problem(client.post(CHOICES, {"network": "friendster", "rationale": "x"}), 422)
    assert body["errors"][0]["loc"] == ["body", "network"]
    body = assert_problem(
        client.patch(f"{CHOICES}/{choice.pk}", {"min_posts_per_week": 5, "max_posts_per_week": 1}),
        422,
    )
    assert body["errors"][0]["loc"] == ["body", "max_posts_per_week"]
    theirs = Persona.objects.create(workspace=Workspace.objects.get(slug="other"), name="T")
    body = assert_problem(client.patch(f"{CHOICES}/{choice.pk}", {"personas": [theirs.pk]}), 422)
    assert body["errors"][0]["loc"] == ["body", "personas"]
    # The network of a choice never changes.
    assert_problem(client.patch(f"{CHOICES}/{choice.pk}", {"network": "instagram"}), 422)


@pytest.mark.parametrize("role", NOT_EDITORS)
def test_it_refuses_choice_writes_to_other_roles(api_as, workspace, bob, choice, role):
    set_roles(bob, workspace, role)
    client = api_as(bob)
    assert_problem(client.post(CHOICES, {"network": "instagram", "rationale": "x"}), 403)
    assert_problem(client.patch(f"{CHOICES}/{choice.pk}", {"rationale": "y"}), 403)
    assert_problem(client.delete(f"{CHOICES}/{choice.pk}"), 403)
    assert NetworkChoice.objects.get().rationale == "B2B buyers are there."


def test_it_hides_choices_from_an_outsider(api_as, alice, charlie, choice):
    client = api_as(charlie)
    assert_problem(client.get(CHOICES), 404)
    assert_problem(client.get(f"{CHOICES}/{choice.pk}"), 404)
    other = f"/api/v1/workspaces/other/network-choices/{choice.pk}"
    assert_problem(client.get(other), 404)
    assert_problem(client.delete(other), 404)
    assert_problem(client.get(f"{other}/policy"), 404)
    assert_problem(api_as(None).get(CHOICES), 401)
    assert NetworkChoice.objects.count() == 1


# ---- speaking policy ----


def test_it_shows_an_empty_policy_until_one_is_written(api_as, workspace, bob, choice):
    set_roles(bob, workspace, "guest")
    body = api_as(bob).get(f"{CHOICES}/{choice.pk}/policy").json()
    assert body["publishers"] == [] and body["updated_at"] is None


@pytest.mark.parametrize("role", EDITORS)
def test_it_lets_strategy_editors_write_the_policy(api_as, workspace, alice, bob, choice, role):
    set_roles(bob, workspace, role)
    owner = Membership.objects.get(user=alice)
    response = api_as(bob).put(
        f"{CHOICES}/{choice.pk}/policy",
        {"publishers": [owner.pk], "tone": "Warm.", "response_time_minutes": 60},
    )
    assert response.status_code == 200, response.content
    assert response.json()["publishers"] == [owner.pk]
    assert SpeakingPolicy.objects.get(choice=choice).tone == "Warm."


def test_it_asks_to_confirm_members_without_the_role(api_as, workspace, alice, bob, choice):
    set_roles(bob, workspace, "analyst")
    analyst = Membership.objects.get(user=bob)
    url = f"{CHOICES}/{choice.pk}/policy"
    body = assert_problem(api_as(alice).put(url, {"responders": [analyst.pk]}), 422)
    assert body["errors"]
    confirmed = api_as(alice).put(url, {"responders": [analyst.pk], "confirm_roles": True})
    assert confirmed.json()["responders"] == [analyst.pk]


def test_it_refuses_members_of_another_workspace_in_a_policy(api_as, alice, charlie, choice):
    theirs = Membership.objects.get(user=charlie)
    url = f"{CHOICES}/{choice.pk}/policy"
    body = assert_problem(api_as(alice).put(url, {"escalation_contact": theirs.pk}), 422)
    assert body["errors"][0]["loc"] == ["body", "escalation_contact"]


@pytest.mark.parametrize("role", NOT_EDITORS)
def test_it_refuses_policy_writes_to_other_roles(api_as, workspace, bob, choice, role):
    set_roles(bob, workspace, role)
    assert_problem(api_as(bob).put(f"{CHOICES}/{choice.pk}/policy", {"tone": "x"}), 403)
    assert not SpeakingPolicy.objects.exists()


# ---- recommendations ----


@pytest.mark.parametrize("role", Role.values)
def test_it_ranks_networks_for_a_persona_to_every_role(api_as, workspace, bob, persona, role):
    set_roles(bob, workspace, role)
    body = api_as(bob).get(recommendations_url(persona), {"limit": 200}).json()
    scores = [r["score"] for r in body["items"]]
    assert scores == sorted(scores, reverse=True)
    first = body["items"][0]
    assert first["factors"] and all(f["text"] for f in first["factors"])
    assert first["decision"] is None


def test_it_ranks_in_a_fixed_number_of_queries(
    api_as, workspace, alice, persona, django_assert_max_num_queries
):
    for i in range(4):
        o = Objective.objects.create(
            workspace=workspace,
            title=f"O{i}",
            lever="acquisition",
            kpi="contacts",
            baseline=1,
            target=2,
            deadline="2030-01-01",
        )
        o.personas.add(persona)
    client = api_as(alice)
    with django_assert_max_num_queries(7):
        assert client.get(recommendations_url(persona)).json()["count"] > 5


@pytest.mark.parametrize("role", EDITORS)
def test_it_accepts_rejects_and_reconsiders(api_as, workspace, bob, persona, role):
    set_roles(bob, workspace, role)
    client = api_as(bob)
    accepted = client.post(f"{recommendations_url(persona)}/linkedin/accept")
    assert accepted.status_code == 200, accepted.content
    choice = NetworkChoice.objects.get(network="linkedin")
    assert accepted.json()["network_choice"] == choice.pk
    assert list(choice.personas.all()) == [persona]
    rejected = client.post(f"{recommendations_url(persona)}/snapchat/reject", {"reason": "No."})
    assert rejected.status_code == 200, rejected.content
    assert rejected.json()["decision"] == "rejected"
    items = {
        r["network"]: r
        for r in client.get(recommendations_url(persona), {"limit": 200}).json()["items"]
    }
    assert (items["linkedin"]["decision"], items["linkedin"]["chosen"]) == ("accepted", True)
    assert items["snapchat"]["decision"] == "rejected"
    assert client.delete(f"{recommendations_url(persona)}/snapchat/decision").status_code == 204
    assert not RecommendationDecision.objects.filter(network="snapchat").exists()


def test_it_rejects_without_a_body(api_as, alice, persona):
    client = api_as(alice)
    response = client.client.generic(
        "POST", f"{recommendations_url(persona)}/snapchat/reject", b"", headers=client._headers()
    )
    assert response.status_code == 200, response.content


def test_it_answers_404_for_unknown_networks_and_decisions(api_as, alice, persona):
    client = api_as(alice)
    assert_problem(client.post(f"{recommendations_url(persona)}/friendster/accept"), 404)
    assert_problem(client.delete(f"{recommendations_url(persona)}/linkedin/decision"), 404)
    # Skype closed: it can no longer be chosen.
    assert_problem(client.post(f"{recommendations_url(persona)}/skype/accept"), 409)


@pytest.mark.parametrize("role", NOT_EDITORS)
def test_it_refuses_decisions_to_other_roles(api_as, workspace, bob, persona, role):
    set_roles(bob, workspace, role)
    assert_problem(api_as(bob).post(f"{recommendations_url(persona)}/linkedin/accept"), 403)
    assert not NetworkChoice.objects.exists()


def test_it_hides_recommendations_from_an_outsider(api_as, alice, charlie, persona):
    client = api_as(charlie)
    assert_problem(client.get(recommendations_url(persona)), 404)
    other = f"/api/v1/workspaces/other/personas/{persona.pk}/recommendations"
    assert_problem(client.get(other), 404)
    assert_problem(client.post(f"{other}/linkedin/accept"), 404)
    assert not NetworkChoice.objects.exists()
