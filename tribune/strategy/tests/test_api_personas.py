"""API: personas (step 1), role by role, with the same rules as the pages."""

import pytest

from tribune.strategy.models import Persona
from tribune.testing import api_client
from tribune.testing.api_client import assert_problem
from tribune.testing.fixtures import set_roles
from tribune.workspaces.models import AuditEvent, Workspace
from tribune.workspaces.roles import Role

api_as = api_client.api_as  # the fixture, under its own name

URL = "/api/v1/workspaces/lumen/personas"
EDITORS = ["owner", "strategist"]
NOT_EDITORS = [r for r in Role.values if r not in EDITORS]


@pytest.fixture
def persona(workspace):
    return Persona.objects.create(workspace=workspace, name="Camille", networks=["linkedin"])


@pytest.mark.parametrize("role", Role.values)
def test_it_lists_and_shows_personas_to_every_role(api_as, workspace, bob, persona, role):
    set_roles(bob, workspace, role)
    client = api_as(bob)
    assert [p["name"] for p in client.get(URL).json()["items"]] == ["Camille"]
    assert client.get(f"{URL}/{persona.pk}").json()["networks"] == ["linkedin"]


def test_it_lists_personas_in_a_fixed_number_of_queries(
    api_as, workspace, alice, django_assert_max_num_queries
):
    for i in range(8):
        Persona.objects.create(workspace=workspace, name=f"P{i}")
    client = api_as(alice)
    with django_assert_max_num_queries(5):
        assert client.get(URL, {"limit": 5}).json()["count"] == 8


@pytest.mark.parametrize("role", EDITORS)
def test_it_lets_strategy_editors_create_update_and_delete(api_as, workspace, bob, role):
    set_roles(bob, workspace, role)
    client = api_as(bob)
    created = client.post(
        URL, {"name": "Léa", "audience": "b2b", "networks": ["linkedin"], "formats": ["video"]}
    )
    assert created.status_code == 201, created.content
    pid = created.json()["id"]
    updated = client.patch(f"{URL}/{pid}", {"age_min": 25, "age_max": 40})
    assert updated.status_code == 200, updated.content
    persona = Persona.objects.get(pk=pid)
    # PATCH keeps what it was not given.
    assert (persona.name, persona.audience, persona.age_min) == ("Léa", "b2b", 25)
    assert persona.networks == ["linkedin"]
    assert client.delete(f"{URL}/{pid}").status_code == 204
    assert not Persona.objects.filter(pk=pid).exists()
    verbs = list(AuditEvent.objects.order_by("id").values_list("verb", flat=True))
    assert verbs == ["create", "update", "delete"]


@pytest.mark.parametrize("role", NOT_EDITORS)
def test_it_refuses_writes_to_other_roles(api_as, workspace, bob, persona, role):
    set_roles(bob, workspace, role)
    client = api_as(bob)
    assert_problem(client.post(URL, {"name": "Léa"}), 403)
    assert_problem(client.patch(f"{URL}/{persona.pk}", {"name": "X"}), 403)
    assert_problem(client.delete(f"{URL}/{persona.pk}"), 403)
    assert Persona.objects.get().name == "Camille"


def test_it_hides_personas_from_an_outsider(api_as, alice, charlie, persona):
    client = api_as(charlie)
    assert_problem(client.get(URL), 404)
    assert_problem(client.get(f"{URL}/{persona.pk}"), 404)
    assert_problem(client.post(URL, {"name": "Léa"}), 404)
    assert_problem(client.patch(f"{URL}/{persona.pk}", {"name": "X"}), 404)
    assert_problem(client.delete(f"{URL}/{persona.pk}"), 404)


def test_it_never_reaches_another_workspaces_persona(api_as, alice, charlie, persona):
    # charlie owns "other": alice's persona id under his own slug is simply not found.
    other_url = f"/api/v1/workspaces/other/personas/{persona.pk}"
    client = api_as(charlie)
    assert_problem(client.get(other_url), 404)
    assert_problem(client.patch(other_url, {"name": "Stolen"}), 404)
    assert_problem(client.delete(other_url), 404)
    assert Persona.objects.get().name == "Camille"


def test_it_asks_anonymous_callers_for_a_token(api_as, persona):
    assert_problem(api_as(None).get(URL), 401)
    assert_problem(api_as(None).delete(f"{URL}/{persona.pk}"), 401)


def test_it_validates_with_the_persona_form(api_as, alice, persona):
    client = api_as(alice)
    body = assert_problem(client.post(URL, {"name": "Léa", "networks": ["not-a-network"]}), 422)
    assert body["errors"][0]["loc"] == ["body", "networks"]
    body = assert_problem(client.patch(f"{URL}/{persona.pk}", {"age_min": 5}), 422)
    assert body["errors"][0]["loc"] == ["body", "age_min"]
    assert_problem(client.post(URL, {"name": ""}), 422)
    assert_problem(client.post(URL, {}), 422)


def test_it_keeps_personas_in_their_workspace(api_as, alice, charlie):
    api_as(charlie).post("/api/v1/workspaces/other/personas", {"name": "Theirs"})
    assert Persona.objects.get().workspace == Workspace.objects.get(slug="other")
    assert api_as(alice).get(URL).json()["count"] == 0
