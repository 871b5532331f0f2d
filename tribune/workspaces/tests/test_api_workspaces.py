"""API: my workspaces, one workspace, authentication by token and by session."""

import pytest
from django.conf import settings
from django.test import Client

from tribune.testing import api_client
from tribune.testing.api_client import assert_problem
from tribune.testing.fixtures import set_roles
from tribune.workspaces.actions import do_create_api_token, do_revoke_api_token
from tribune.workspaces.roles import Role

api_as = api_client.api_as  # the fixture, under its own name

URL = "/api/v1/workspaces"


def test_it_lists_only_my_workspaces(api_as, alice, charlie):
    body = api_as(alice).get(URL).json()
    assert body["count"] == 1
    assert [w["slug"] for w in body["items"]] == ["lumen"]
    assert body["items"][0]["my_roles"] == ["owner"]
    assert [w["slug"] for w in api_as(charlie).get(URL).json()["items"]] == ["other"]


def test_it_lists_workspaces_in_a_fixed_number_of_queries(
    api_as, alice, django_assert_max_num_queries
):
    from tribune.workspaces.models import Membership, Workspace

    for i in range(5):
        ws = Workspace.objects.create(name=f"Brand {i}", slug=f"brand-{i}")
        Membership.objects.create(workspace=ws, user=alice, roles=["guest"])
    client = api_as(alice)
    # token lookup, last-use update, count, page
    with django_assert_max_num_queries(4):
        body = client.get(URL).json()
    assert body["count"] == 6


@pytest.mark.parametrize("role", Role.values)
def test_it_shows_a_workspace_to_every_role(api_as, workspace, bob, role):
    set_roles(bob, workspace, role)
    response = api_as(bob).get(f"{URL}/lumen")
    assert response.status_code == 200
    assert response.json()["my_roles"] == [role]


def test_it_hides_a_workspace_from_an_outsider(api_as, alice, charlie):
    body = assert_problem(api_as(charlie).get(f"{URL}/lumen"), 404)
    assert body["detail"]
    # An unknown slug looks exactly the same as someone else's.
    unknown = assert_problem(api_as(charlie).get(f"{URL}/no-such-place"), 404)
    assert unknown["detail"] == body["detail"]


def test_it_asks_an_anonymous_caller_for_a_token(api_as, alice):
    response = api_as(None).get(URL)
    assert_problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_it_refuses_a_wrong_token(alice):
    client = Client(headers={"Authorization": "Bearer trb_not-a-real-token"})
    assert_problem(client.get(URL), 401)
    overlong = Client(headers={"Authorization": "Bearer " + "x" * 5000})
    assert_problem(overlong.get(URL), 401)


def test_it_stops_accepting_a_revoked_token(alice):
    token, clear = do_create_api_token(alice, "laptop")
    client = Client(headers={"Authorization": f"Bearer {clear}"})
    assert client.get(URL).status_code == 200
    do_revoke_api_token(alice, token.pk)
    assert_problem(client.get(URL), 401)


def test_it_stops_accepting_the_token_of_a_deactivated_user(alice):
    _token, clear = do_create_api_token(alice, "laptop")
    alice.is_active = False
    alice.save()
    client = Client(headers={"Authorization": f"Bearer {clear}"})
    assert_problem(client.get(URL), 401)


def test_it_accepts_the_browser_session(alice):
    client = Client()
    client.force_login(alice)
    assert client.get(URL).json()["count"] == 1


def test_it_checks_csrf_on_writes_from_the_browser_session(alice, workspace):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    url = f"{URL}/lumen/personas"
    body = assert_problem(client.post(url, {"name": "Léa"}, content_type="application/json"), 403)
    assert "CSRF" in body["detail"]
    secret = "a" * 32
    client.cookies[settings.CSRF_COOKIE_NAME] = secret
    response = client.post(
        url, {"name": "Léa"}, content_type="application/json", headers={"X-CSRFToken": secret}
    )
    assert response.status_code == 201


def test_it_needs_no_csrf_token_with_a_bearer_token(api_as, alice, workspace):
    client = api_as(alice)
    client.client = Client(enforce_csrf_checks=True)
    assert client.post(f"{URL}/lumen/personas", {"name": "Léa"}).status_code == 201


def test_it_publishes_the_openapi_document(api_as, alice):
    document = Client().get("/api/v1/openapi.json").json()
    assert document["info"]["title"] == "Tribune"
    assert document["info"]["version"] == "1"
    assert "/api/v1/workspaces/{slug}/personas" in document["paths"]
    assert "TokenAuth" in document["components"]["securitySchemes"]
    not_found = document["paths"]["/api/v1/workspaces/{slug}"]["get"]["responses"]["404"]
    assert list(not_found["content"]) == ["application/problem+json"]


def test_it_serves_interactive_docs():
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    assert b"openapi.json" in response.content
