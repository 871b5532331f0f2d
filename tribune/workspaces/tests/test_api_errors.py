"""API: every error is an RFC 9457 problem-details body with a 4xx status."""

from django.test import Client

from tribune.testing import api_client
from tribune.testing.api_client import assert_problem

api_as = api_client.api_as  # the fixture, under its own name

PERSONAS = "/api/v1/workspaces/lumen/personas"


def test_it_answers_an_unknown_path_with_a_problem(api_as, alice):
    assert_problem(api_as(alice).get("/api/v1/no/such/thing"), 404)
    assert_problem(api_as(alice).get("/api/v1/"), 404)


def test_it_answers_a_wrong_method_with_a_problem(api_as, alice):
    response = api_as(alice).put("/api/v1/workspaces", {})
    assert_problem(response, 405)
    assert response["Allow"] == "GET"


def test_it_refuses_malformed_json(api_as, alice):
    client = api_as(alice)
    response = client.client.post(
        PERSONAS, "{not json", content_type="application/json", headers=client._headers()
    )
    assert_problem(response, 400)


def test_it_refuses_another_media_type(api_as, alice):
    client = api_as(alice)
    response = client.client.post(
        PERSONAS, "name=Léa", content_type="text/plain", headers=client._headers()
    )
    assert_problem(response, 415)


def test_it_refuses_a_body_over_the_size_limit(api_as, alice, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api_as(alice).post(PERSONAS, {"name": "Léa", "description": "x" * 2000})
    assert_problem(response, 413)


def test_it_lists_each_invalid_field_with_its_location(api_as, alice):
    response = api_as(alice).post(
        PERSONAS, {"name": "x" * 121, "audience": "martians", "age_min": "old"}
    )
    body = assert_problem(response, 422)
    locations = {tuple(e["loc"]) for e in body["errors"]}
    assert {("body", "name"), ("body", "audience"), ("body", "age_min")} <= locations
    assert all(e["msg"] for e in body["errors"])


def test_it_reports_form_rules_as_validation_problems(api_as, alice):
    body = assert_problem(
        api_as(alice).post(PERSONAS, {"name": "Léa", "age_min": 40, "age_max": 20}), 422
    )
    assert body["errors"][0]["loc"] == ["body", "age_max"]


def test_it_refuses_unknown_fields(api_as, alice):
    body = assert_problem(api_as(alice).post(PERSONAS, {"name": "Léa", "role": "admin"}), 422)
    assert body["errors"][0]["loc"] == ["body", "role"]


def test_it_refuses_text_a_database_cannot_store(api_as, alice):
    client = api_as(alice)
    assert_problem(client.post(PERSONAS, {"name": "Lé\x00a"}), 422)
    # A lone surrogate can only arrive as a JSON escape.
    response = client.client.post(
        PERSONAS, '{"name": "\\ud800"}', content_type="application/json", headers=client._headers()
    )
    assert_problem(response, 422)


def test_it_refuses_ids_beyond_64_bits(api_as, alice):
    assert_problem(api_as(alice).get(f"{PERSONAS}/{2**64}"), 422)
    assert_problem(api_as(alice).get(f"{PERSONAS}/0"), 422)


def test_it_refuses_a_huge_integer_literal(api_as, alice):
    client = api_as(alice)
    body = '{"name": "Léa", "age_min": ' + "9" * 5000 + "}"
    response = client.client.post(
        PERSONAS, body, content_type="application/json", headers=client._headers()
    )
    assert 400 <= response.status_code < 500
    assert response["Content-Type"] == "application/problem+json"


def test_it_refuses_a_malformed_slug(api_as, alice):
    assert_problem(api_as(alice).get("/api/v1/workspaces/bad%00slug"), 422)


def test_it_bounds_pagination(api_as, alice):
    client = api_as(alice)
    assert_problem(client.get(PERSONAS, {"limit": 10_000}), 422)
    assert_problem(client.get(PERSONAS, {"offset": 2**70}), 422)
    assert client.get(PERSONAS, {"limit": 1, "offset": 5}).json() == {"items": [], "count": 0}


def test_it_answers_a_problem_even_without_credentials(alice):
    assert_problem(Client().post(PERSONAS, "{}", content_type="application/json"), 401)
