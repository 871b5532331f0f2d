"""The accounts API: list (never a secret), check, disconnect; roles and other workspaces.

Networks answer through httpx.MockTransport (an imitation of Mastodon's documented shapes).
"""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from django.utils import timezone

from tribune.networks.models import Account, AccountStatus
from tribune.testing import api_client
from tribune.testing.api_client import assert_problem
from tribune.testing.fixtures import set_roles
from tribune.workspaces.models import Workspace
from tribune.workspaces.roles import Role

from .test_accounts_support import install, make_account

BASE = "/api/v1/workspaces/lumen/accounts"
api_as = api_client.api_as  # the fixture, under its own name

SECRETS = ("at-API-SECRET-1", "rt-API-SECRET-2", "cs-API-SECRET-3")


@pytest.fixture
def account(workspace):
    return make_account(
        workspace,
        token=SECRETS[0],
        refresh_token=SECRETS[1],
        secrets=f'{{"client_secret": "{SECRETS[2]}"}}',
        settings={"client_id": "cid-1"},
        token_expires_at=timezone.now() + timedelta(days=20),
    )


def test_it_lists_accounts_to_every_member_without_a_secret(api_as, alice, bob, account):
    for role in (Role.OWNER, Role.GUEST):
        set_roles(bob, account.workspace, role)
        response = api_as(bob).get(BASE)
        assert response.status_code == 200
        body = response.content.decode()
        assert not any(secret in body for secret in SECRETS)
        [item] = response.json()["items"]
        assert item["id"] == account.pk and item["status"] == "active"
        assert item["handle"] == "lumen" and item["token_expires_at"]
        assert not {"token", "refresh_token", "secrets", "settings"} & set(item)


def test_it_hides_other_workspaces(api_as, charlie, account):
    assert_problem(api_as(charlie).get(BASE), 404)
    theirs = make_account(Workspace.objects.get(slug="other"), token="at-THEIRS")
    assert_problem(api_as(charlie).post(f"{BASE}/{theirs.pk}/check"), 404)
    response = api_as(charlie).get("/api/v1/workspaces/other/accounts")
    assert [a["id"] for a in response.json()["items"]] == [theirs.pk]


def test_it_checks_an_account(api_as, alice, account, monkeypatch):
    answers = [httpx.Response(200, json={"id": "109", "acct": "lumen"}),
               httpx.Response(401, json={"error": "The access token was revoked"})]  # fmt: skip
    install(monkeypatch, lambda request: answers.pop(0))
    response = api_as(alice).post(f"{BASE}/{account.pk}/check")
    assert response.status_code == 200
    assert response.json()["account"]["status"] == "active"
    assert SECRETS[0] not in response.content.decode()
    refused = api_as(alice).post(f"{BASE}/{account.pk}/check").json()
    assert refused["account"]["status"] == "reconnect"
    assert refused["account"]["status_message"] == "The access token was revoked"


def test_it_answers_503_when_the_network_cannot_be_reached(api_as, alice, account, monkeypatch):
    def down(request):
        raise httpx.ConnectError("refused", request=request)

    install(monkeypatch, down)
    body = assert_problem(api_as(alice).post(f"{BASE}/{account.pk}/check"), 503)
    assert "could not reach Mastodon" in body["detail"]
    account.refresh_from_db()
    assert account.status == AccountStatus.ACTIVE


def test_it_disconnects_for_those_who_may(api_as, alice, bob, account):
    set_roles(bob, account.workspace, Role.GUEST)
    assert_problem(api_as(bob).delete(f"{BASE}/{account.pk}"), 403)
    assert_problem(api_as(bob).post(f"{BASE}/{account.pk}/check"), 403)
    set_roles(bob, account.workspace, Role.PUBLISHER, scopes={"publisher": ["bluesky"]})
    assert_problem(api_as(bob).delete(f"{BASE}/{account.pk}"), 403)
    set_roles(bob, account.workspace, Role.PUBLISHER, scopes={"publisher": ["mastodon"]})
    assert api_as(bob).delete(f"{BASE}/{account.pk}").status_code == 204
    fresh = Account.objects.get()
    assert fresh.status == AccountStatus.DISCONNECTED
    assert (fresh.token, fresh.refresh_token, fresh.secrets) == ("", "", "")
    assert_problem(api_as(alice).post(f"{BASE}/{account.pk}/check"), 409)


def test_it_answers_404_for_an_unknown_account(api_as, alice, account):
    assert_problem(api_as(alice).delete(f"{BASE}/{account.pk + 1000}"), 404)
