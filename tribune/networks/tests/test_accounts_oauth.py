"""Connecting through OAuth2 (Mastodon): app registration, state, PKCE, the code exchange.

The Mastodon instance is an imitation (test_accounts_support.MastodonImitation,
through httpx.MockTransport) answering in the shapes of Mastodon's documentation.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from tribune.networks import views_accounts
from tribune.networks.models import Account, AccountStatus
from tribune.networks.oauth import pkce_challenge
from tribune.workspaces.models import AuditEvent

from .test_accounts_support import MastodonImitation, install, json_secrets, mastodon_instance

pytestmark = pytest.mark.django_db

CALLBACK = "/oauth/callback/"


@pytest.fixture
def mastodon(monkeypatch) -> MastodonImitation:
    return mastodon_instance(monkeypatch)


def start(client, workspace, address: str = "social.example/") -> dict[str, str]:
    """Submit the instance's address; return the authorisation request's parameters."""
    page = reverse("account-connect-network", args=[workspace.slug, "mastodon"])
    response = client.post(page, {"base_url": address})
    assert response.status_code == 302, response.content.decode()[:2000]
    sent_to = urlsplit(response["Location"])
    assert f"{sent_to.scheme}://{sent_to.netloc}{sent_to.path}" == (
        "https://social.example/oauth/authorize"
    )
    return {k: v[0] for k, v in parse_qs(sent_to.query).items()}


def come_back(client, **params):
    return client.get(CALLBACK, params)


def test_it_registers_the_app_and_sends_the_person_to_the_instance(
    client, workspace, alice, mastodon
):
    client.force_login(alice)
    asked = start(client, workspace)
    [app] = mastodon.forms("/api/v1/apps")
    assert app["redirect_uris"] == settings.SITE_URL + CALLBACK
    assert app["scopes"] == "read write" and app["client_name"] == "Tribune"
    assert asked["client_id"] == "cid-1" and asked["redirect_uri"] == app["redirect_uris"]
    assert asked["response_type"] == "code" and asked["code_challenge_method"] == "S256"
    assert len(asked["state"]) >= 32 and asked["code_challenge"]
    # The pending flow is server-side; the client secret is not even in clear there.
    session = Session.objects.get()
    flow = session.get_decoded()[views_accounts.FLOWS][asked["state"]]
    assert flow["network"] == "mastodon" and flow["client_id"] == "cid-1"
    assert "cs-SECRET-41" not in repr(session.get_decoded())
    assert "cs-SECRET-41" not in client.cookies["sessionid"].value
    assert not Account.objects.exists()


def test_it_connects_the_account_with_the_code_and_the_pkce_verifier(
    client, workspace, alice, mastodon
):
    client.force_login(alice)
    asked = start(client, workspace)
    before = timezone.now()
    response = come_back(client, code="code-123", state=asked["state"])
    assert response.status_code == 302 and response["Location"] == "/w/lumen/accounts/"
    [exchange] = mastodon.forms("/oauth/token")
    assert exchange["grant_type"] == "authorization_code" and exchange["code"] == "code-123"
    assert pkce_challenge(exchange["code_verifier"]) == asked["code_challenge"]
    assert (exchange["client_id"], exchange["client_secret"]) == ("cid-1", "cs-SECRET-41")
    assert exchange["redirect_uri"] == settings.SITE_URL + CALLBACK
    account = Account.objects.get()
    assert (account.network, account.base_url, account.remote_id) == (
        "mastodon", "https://social.example", "109"
    )  # fmt: skip
    assert (account.token, account.refresh_token) == ("at-FIRST-9f3c", "rt-FIRST-77aa")
    assert before + timedelta(seconds=7190) < account.token_expires_at
    assert account.token_expires_at < timezone.now() + timedelta(seconds=7201)
    assert account.settings["client_id"] == "cid-1"
    assert json_secrets(account) == {"client_secret": "cs-SECRET-41"}
    assert account.status == AccountStatus.ACTIVE
    assert AuditEvent.objects.filter(verb="connect").count() == 1
    # The state is used once: the same answer again is refused.
    assert come_back(client, code="code-123", state=asked["state"]).status_code == 400
    assert Account.objects.count() == 1


@pytest.mark.parametrize("state", ["", "not-the-state"])
def test_it_refuses_an_absent_or_unknown_state(client, workspace, alice, mastodon, state):
    client.force_login(alice)
    start(client, workspace)
    response = come_back(client, code="code-123", state=state)
    assert response.status_code == 400
    assert "does not match a connection started from this browser" in response.content.decode()
    assert mastodon.forms("/oauth/token") == [] and not Account.objects.exists()


def test_it_refuses_a_state_started_by_someone_else(client, workspace, alice, bob, mastodon):
    client.force_login(alice)
    asked = start(client, workspace)
    client.logout()
    client.force_login(bob)  # a new session: alice's pending flow is not in it
    assert come_back(client, code="code-123", state=asked["state"]).status_code == 400
    assert not Account.objects.exists()


def test_it_refuses_a_state_older_than_ten_minutes(client, workspace, alice, mastodon, monkeypatch):
    client.force_login(alice)
    asked = start(client, workspace)
    later = views_accounts.time.time() + views_accounts.FLOW_LIFETIME_S + 1
    monkeypatch.setattr(views_accounts.time, "time", lambda: later)
    response = come_back(client, code="code-123", state=asked["state"])
    assert response["Location"] == "/w/lumen/accounts/connect/mastodon/"
    page = client.get(response["Location"]).content.decode()
    assert "took more than 10 minutes" in page
    assert mastodon.forms("/oauth/token") == [] and not Account.objects.exists()


def test_it_says_so_when_the_person_declines(client, workspace, alice, mastodon):
    client.force_login(alice)
    asked = start(client, workspace)
    response = come_back(client, error="access_denied", state=asked["state"])
    page = client.get(response["Location"]).content.decode()
    assert "Access was not granted on Mastodon, so nothing was connected." in page
    assert mastodon.forms("/oauth/token") == [] and not Account.objects.exists()


def test_it_shows_the_networks_refusal_of_the_code(client, workspace, alice, mastodon):
    mastodon.token_answer = lambda form: httpx.Response(
        400, json={"error": "invalid_grant", "error_description": "The code has expired"}
    )
    client.force_login(alice)
    asked = start(client, workspace)
    response = come_back(client, code="old", state=asked["state"])
    page = client.get(response["Location"]).content.decode()
    assert "Mastodon refused these credentials: The code has expired" in page
    assert not Account.objects.exists()


def test_it_reuses_the_instances_app_registration(client, workspace, alice, mastodon):
    client.force_login(alice)
    come_back(client, code="c1", state=start(client, workspace)["state"])
    again = start(client, workspace, "https://SOCIAL.example")
    assert mastodon.apps_registered == 1 and again["client_id"] == "cid-1"


def test_it_reconnects_and_keeps_the_refresh_token_when_none_comes(
    client, workspace, alice, mastodon
):
    client.force_login(alice)
    come_back(client, code="c1", state=start(client, workspace)["state"])
    Account.objects.update(status=AccountStatus.RECONNECT, status_message="revoked")
    mastodon.token_answer = lambda form: httpx.Response(
        200, json={"access_token": "at-SECOND", "token_type": "Bearer"}
    )
    come_back(client, code="c2", state=start(client, workspace)["state"])
    account = Account.objects.get()
    assert (account.token, account.refresh_token) == ("at-SECOND", "rt-FIRST-77aa")
    assert account.status == AccountStatus.ACTIVE and account.token_expires_at is None
    assert AuditEvent.objects.filter(verb="reconnect").count() == 1


def test_it_says_when_the_instance_cannot_be_reached(client, workspace, alice, monkeypatch):
    def down(request):
        raise httpx.ConnectError("refused", request=request)

    install(monkeypatch, down)
    client.force_login(alice)
    page = reverse("account-connect-network", args=[workspace.slug, "mastodon"])
    response = client.post(page, {"base_url": "https://social.example"})
    assert response.status_code == 200
    assert "could not reach Mastodon at https://social.example" in response.content.decode()
