"""API: objectives (step 2), validated by the page's ObjectiveForm."""

from datetime import date, timedelta

import pytest

from tribune.strategy.models import Objective, Persona
from tribune.testing import api_client
from tribune.testing.api_client import assert_problem
from tribune.testing.fixtures import set_roles
from tribune.workspaces.models import Membership, Workspace
from tribune.workspaces.roles import Role

api_as = api_client.api_as  # the fixture, under its own name

URL = "/api/v1/workspaces/lumen/objectives"
NOT_EDITORS = [r for r in Role.values if r not in ("owner", "strategist")]
NEXT_YEAR = (date.today() + timedelta(days=365)).isoformat()


def valid(**overrides) -> dict:
    payload = {
        "title": "More qualified visits",
        "lever": "traffic",
        "kpi": "site_traffic",
        "baseline": "1200",
        "target": 2000,
        "deadline": NEXT_YEAR,
    }
    payload.update(overrides)
    return payload


@pytest.fixture
def objective(workspace):
    return Objective.objects.create(
        workspace=workspace,
        title="Visibility",
        lever="visibility",
        kpi="audience",
        baseline=10,
        target=20,
        deadline=date.today() + timedelta(days=30),
    )


@pytest.mark.parametrize("role", Role.values)
def test_it_shows_objectives_to_every_role(api_as, workspace, bob, objective, role):
    set_roles(bob, workspace, role)
    client = api_as(bob)
    assert [o["title"] for o in client.get(URL).json()["items"]] == ["Visibility"]
    assert client.get(f"{URL}/{objective.pk}").json()["target"] == "20.00"


def test_it_filters_by_lever(api_as, alice, objective):
    client = api_as(alice)
    assert client.get(URL, {"lever": "visibility"}).json()["count"] == 1
    assert client.get(URL, {"lever": "sales"}).json()["count"] == 0
    assert_problem(client.get(URL, {"lever": "world-domination"}), 422)


def test_it_lists_objectives_in_a_fixed_number_of_queries(
    api_as, workspace, alice, django_assert_max_num_queries
):
    persona = Persona.objects.create(workspace=workspace, name="Camille")
    for i in range(6):
        o = Objective.objects.create(
            workspace=workspace,
            title=f"O{i}",
            lever="sales",
            kpi="sales",
            baseline=1,
            target=2,
            deadline=date.today(),
            owner=Membership.objects.get(user=alice),
        )
        o.personas.add(persona)
    client = api_as(alice)
    with django_assert_max_num_queries(6):
        body = client.get(URL).json()
    assert body["count"] == 6
    assert body["items"][0]["personas"] == [persona.pk]


def test_it_creates_with_personas_and_owner_of_the_workspace(api_as, workspace, alice):
    persona = Persona.objects.create(workspace=workspace, name="Camille")
    owner = Membership.objects.get(user=alice)
    response = api_as(alice).post(URL, valid(personas=[persona.pk], owner=owner.pk))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["personas"], body["owner"], body["baseline"]) == (
        [persona.pk],
        owner.pk,
        "1200.00",
    )


def test_it_refuses_personas_and_owners_of_another_workspace(api_as, alice, charlie):
    other = Workspace.objects.get(slug="other")
    theirs = Persona.objects.create(workspace=other, name="Theirs")
    their_owner = Membership.objects.get(user=charlie)
    client = api_as(alice)
    body = assert_problem(client.post(URL, valid(personas=[theirs.pk])), 422)
    assert body["errors"][0]["loc"] == ["body", "personas"]
    body = assert_problem(client.post(URL, valid(owner=their_owner.pk)), 422)
    assert body["errors"][0]["loc"] == ["body", "owner"]


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"baseline": "1" * 20}, "baseline"),
        ({"target": 1e300}, "target"),
        ({"target": "0.001"}, "target"),
        ({"target": "NaN"}, "target"),
        ({"target": "1200"}, "target"),  # the same as the baseline
        ({"deadline": "2001-01-01"}, "deadline"),
        ({"deadline": "99999-01-01"}, "deadline"),
        ({"kpi": "custom"}, "kpi_label"),
        ({"lever": "charm"}, "lever"),
        ({"networks": ["friendster"]}, "networks"),
        ({"personas": [2**63]}, "personas"),
    ],
)
def test_it_refuses_invalid_objectives(api_as, alice, overrides, field):
    body = assert_problem(api_as(alice).post(URL, valid(**overrides)), 422)
    assert field in body["errors"][0]["loc"]
    assert not Objective.objects.exists()


def test_it_updates_only_what_it_is_given(api_as, alice, objective):
    response = api_as(alice).patch(f"{URL}/{objective.pk}", {"target": "25.5"})
    assert response.status_code == 200, response.content
    objective.refresh_from_db()
    assert (objective.title, str(objective.target)) == ("Visibility", "25.50")


@pytest.mark.parametrize("role", NOT_EDITORS)
def test_it_refuses_writes_to_other_roles(api_as, workspace, bob, objective, role):
    set_roles(bob, workspace, role)
    client = api_as(bob)
    assert_problem(client.post(URL, valid()), 403)
    assert_problem(client.patch(f"{URL}/{objective.pk}", {"title": "X"}), 403)
    assert_problem(client.delete(f"{URL}/{objective.pk}"), 403)
    assert Objective.objects.get().title == "Visibility"


@pytest.mark.parametrize("role", ["owner", "strategist"])
def test_it_lets_strategy_editors_delete(api_as, workspace, bob, objective, role):
    set_roles(bob, workspace, role)
    assert api_as(bob).delete(f"{URL}/{objective.pk}").status_code == 204
    assert not Objective.objects.exists()


def test_it_hides_objectives_from_an_outsider(api_as, alice, charlie, objective):
    client = api_as(charlie)
    assert_problem(client.get(URL), 404)
    assert_problem(client.get(f"{URL}/{objective.pk}"), 404)
    assert_problem(client.get(f"/api/v1/workspaces/other/objectives/{objective.pk}"), 404)
    assert_problem(client.patch(f"/api/v1/workspaces/other/objectives/{objective.pk}", {}), 404)
    assert_problem(api_as(None).get(URL), 401)
