"""Calling the REST API in tests as a given user, with a real personal access token.

def test_it_lists(api_as, alice):
    response = api_as(alice).get("/api/v1/workspaces")
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client

from tribune.workspaces.actions import do_create_api_token
from tribune.workspaces.models import User

PROBLEM_FIELDS = {"type", "title", "status", "detail", "instance"}


class ApiClient:
    """A Django test client that sends `Authorization: Bearer <token>` (or nothing)."""

    def __init__(self, token: str | None = None) -> None:
        self.token = token
        self.client = Client()

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def get(self, path: str, params: dict | None = None) -> HttpResponse:
        return self.client.get(path, params or {}, headers=self._headers())

    def send(self, method: str, path: str, body: Any = None) -> HttpResponse:
        data = "" if body is None else json.dumps(body)
        call = getattr(self.client, method.lower())
        return call(path, data, content_type="application/json", headers=self._headers())

    def post(self, path: str, body: Any = None) -> HttpResponse:
        return self.send("post", path, body)

    def patch(self, path: str, body: Any = None) -> HttpResponse:
        return self.send("patch", path, body)

    def put(self, path: str, body: Any = None) -> HttpResponse:
        return self.send("put", path, body)

    def delete(self, path: str) -> HttpResponse:
        return self.client.delete(path, headers=self._headers())


def token_for(user: User) -> str:
    _token, clear = do_create_api_token(user, "tests")
    return clear


@pytest.fixture
def api_as(db) -> Callable[[User | None], ApiClient]:
    """Return a factory: api_as(user) calls with a fresh token of user's, api_as(None) with none."""

    def make(user: User | None) -> ApiClient:
        return ApiClient(token_for(user) if user is not None else None)

    return make


def assert_problem(response: HttpResponse, status: int) -> dict:
    """Assert the response is a problem-details body with `status`; return it."""
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert set(body) >= PROBLEM_FIELDS, body
    assert body["status"] == status
    assert body["instance"] == response.wsgi_request.path
    return body
