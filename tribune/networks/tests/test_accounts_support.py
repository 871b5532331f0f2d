"""Shared pieces of the Accounts tests (no tests here).

`ImitationConnector` is an IMITATION of a password-connected network, written
for these tests: its `verify()` sends GET /me with HTTP Basic credentials
through tribune.networks.http.send, and `ImitationSite` answers through
httpx.MockTransport (no real server). The Mastodon side of the OAuth tests is
likewise imitated by `MastodonImitation`, answering in the shapes of
Mastodon's documentation (POST /api/v1/apps, POST /oauth/token,
GET /api/v1/accounts/verify_credentials).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from urllib.parse import parse_qs

import httpx

from tribune.networks import clients, registry
from tribune.networks.base import AccountIdentity, AuthKind, Connector, CredentialField
from tribune.networks.http import send
from tribune.networks.models import Account
from tribune.workspaces.actions import Access
from tribune.workspaces.models import Membership, User, Workspace

PASSWORD = "app-pass-Zq8v-2wX1"
SITE = "https://press.example"
IMITATION_PATH = "tribune.networks.tests.test_accounts_support.ImitationConnector"


class ImitationConnector(Connector):
    """An imitation of a network connected with a user name and an application password."""

    key = "imitation"
    label = "Imitation Press"
    auth = AuthKind.PASSWORD
    credential_fields = (
        CredentialField("base_url", "Site address", placeholder="https://press.example"),
        CredentialField("username", "User name"),
        CredentialField("token", "Application password", secret=True),
        CredentialField("site_key", "Site key", secret=True),
        CredentialField("blog", "Blog name"),
    )

    def verify(self) -> AccountIdentity:
        headers = {
            "Authorization": basic_auth(self.account.username, self.account.token),
            "X-Site-Key": self.account.extra.get("site_key", ""),
        }
        request = self.http.build_request("GET", f"{self.account.base_url}/me", headers=headers)
        me = send(self.http, request).json()
        return AccountIdentity(
            remote_id=str(me["id"]),
            handle=me["handle"],
            display_name=me["name"],
            url=f"{self.account.base_url}/@{me['handle']}",
        )


def basic_auth(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


class ImitationSite:
    """Answers GET /me for one user name and password; records every request."""

    def __init__(self, user_id: int = 42, handle: str = "lumen"):
        self.user_id = user_id
        self.handle = handle
        self.password = PASSWORD
        self.down = False
        self.requests: list[httpx.Request] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        if request.headers.get("Authorization") != basic_auth(self.handle, self.password):
            return httpx.Response(401, json={"message": "Incorrect application password."})
        return httpx.Response(
            200, json={"id": self.user_id, "handle": self.handle, "name": "Atelier Lumen"}
        )


class MastodonImitation:
    """An imitation of one Mastodon instance's OAuth and account endpoints."""

    def __init__(self, base_url: str = "https://social.example"):
        self.base_url = base_url
        self.requests: list[httpx.Request] = []
        self.token_answer: Callable[[dict], httpx.Response] = lambda form: httpx.Response(
            200,
            json={
                "access_token": "at-FIRST-9f3c",
                "refresh_token": "rt-FIRST-77aa",
                "expires_in": 7200,
                "token_type": "Bearer",
                "scope": "read write",
            },
        )
        self.account_id = "109"
        self.apps_registered = 0

    def forms(self, path: str) -> list[dict]:
        return [
            {k: v[0] for k, v in parse_qs(r.content.decode()).items()}
            for r in self.requests
            if r.url.path == path and r.method == "POST"
        ]

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if path == "/api/v1/apps":
            self.apps_registered += 1
            return httpx.Response(
                200,
                json={"client_id": f"cid-{self.apps_registered}", "client_secret": "cs-SECRET-41"},
            )
        if path == "/oauth/token":
            form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
            return self.token_answer(form)
        if path == "/api/v1/accounts/verify_credentials":
            if not request.headers.get("Authorization", "").startswith("Bearer at-"):
                return httpx.Response(401, json={"error": "The access token is invalid"})
            body = {
                "id": self.account_id,
                "acct": "lumen",
                "display_name": "Atelier Lumen",
                "url": f"{self.base_url}/@lumen",
            }
            return httpx.Response(200, json=body)
        return httpx.Response(404, json={"error": "Record not found"})


def install(monkeypatch, handler: Callable[[httpx.Request], httpx.Response]) -> None:
    """Route every connector's HTTP through `handler` (httpx.MockTransport)."""
    monkeypatch.setattr(
        clients, "http_client", lambda: httpx.Client(transport=httpx.MockTransport(handler))
    )


def imitation_site(monkeypatch) -> ImitationSite:
    """Register the imitation connector and answer its HTTP with an ImitationSite.

    (Each test module wraps this in its own fixture.)
    """
    monkeypatch.setitem(registry.CONNECTORS, "imitation", IMITATION_PATH)
    registry.connector_class.cache_clear()
    site = ImitationSite()
    install(monkeypatch, site.handler)
    return site


def mastodon_instance(monkeypatch) -> MastodonImitation:
    instance = MastodonImitation()
    install(monkeypatch, instance.handler)
    return instance


def access_of(user: User, workspace: Workspace) -> Access:
    return Access(workspace, Membership.objects.get(user=user, workspace=workspace))


def credentials_form(**overrides) -> dict:
    data = {
        "base_url": SITE,
        "username": "lumen",
        "token": PASSWORD,
        "site_key": "sk-PRIVATE-5521",
        "blog": "journal",
    }
    data.update(overrides)
    return data


def make_account(workspace: Workspace, network: str = "mastodon", **fields) -> Account:
    defaults = {
        "name": f"Lumen on {network}",
        "handle": "lumen",
        "base_url": "https://social.example",
        "token": "at-STORED-0001",
        "remote_id": "109",
    }
    return Account.objects.create(workspace=workspace, network=network, **{**defaults, **fields})


def json_secrets(account: Account) -> dict:
    return json.loads(account.secrets) if account.secrets else {}
