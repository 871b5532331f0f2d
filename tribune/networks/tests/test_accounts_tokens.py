"""Token health in the worker: refresh ahead of expiry, "needs reconnecting" when the refresh
is refused, and one warning per expiry to the people who can reconnect.

Mastodon's token endpoint is an imitation (httpx.MockTransport) answering in the
shapes of its documentation.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs

import httpx
import pytest
from django.utils import timezone

from tribune.editorial.models import Notification
from tribune.editorial.tests.workflow_support import huey_immediate  # noqa: F401  (fixture)
from tribune.networks.models import Account, AccountStatus
from tribune.networks.tasks import token_health
from tribune.testing.fixtures import make_user, set_roles
from tribune.workspaces.models import Membership
from tribune.workspaces.roles import Role

from .test_accounts_support import install, make_account

pytestmark = pytest.mark.django_db


class TokenEndpoint:
    """Answers POST /oauth/token with `answer`; records the forms it was sent."""

    def __init__(self, answer: httpx.Response):
        self.answer = answer
        self.forms: list[dict] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/oauth/token", request.url
        self.forms.append({k: v[0] for k, v in parse_qs(request.content.decode()).items()})
        return self.answer


def oauth_account(workspace, expires_in: timedelta, refresh_token: str = "rt-OLD-1", **fields):
    return make_account(
        workspace,
        token="at-OLD-1",
        refresh_token=refresh_token,
        token_expires_at=timezone.now() + expires_in,
        settings={"client_id": "cid-1"},
        secrets='{"client_secret": "cs-1"}',
        **fields,
    )


def run() -> tuple[int, int]:
    return token_health.call_local()


def test_it_refreshes_a_token_ahead_of_its_expiry(workspace, alice, monkeypatch):
    endpoint = TokenEndpoint(
        httpx.Response(200, json={"access_token": "at-NEW-2", "expires_in": 86400 * 2})
    )
    install(monkeypatch, endpoint.handler)
    account = oauth_account(workspace, timedelta(hours=3))
    later = oauth_account(workspace, timedelta(days=3), remote_id="110")
    assert run() == (1, 0)
    [form] = endpoint.forms
    assert form["grant_type"] == "refresh_token" and form["refresh_token"] == "rt-OLD-1"
    assert (form["client_id"], form["client_secret"]) == ("cid-1", "cs-1")
    account.refresh_from_db()
    assert (account.token, account.refresh_token) == ("at-NEW-2", "rt-OLD-1")
    assert account.token_expires_at > timezone.now() + timedelta(days=1, hours=23)
    later.refresh_from_db()
    assert later.token == "at-OLD-1"  # not due yet: its refresh waits
    assert not Notification.objects.exists()


def test_it_marks_the_account_and_warns_once_when_the_refresh_is_refused(
    workspace, alice, bob, monkeypatch
):
    endpoint = TokenEndpoint(
        httpx.Response(400, json={"error": "invalid_grant", "error_description": "revoked"})
    )
    install(monkeypatch, endpoint.handler)
    set_roles(bob, workspace, Role.PUBLISHER, scopes={"publisher": ["mastodon"]})
    elsewhere = make_user("dora")
    Membership.objects.create(workspace=workspace, user=elsewhere, roles=[Role.PUBLISHER],
                              network_scopes={"publisher": ["linkedin"]})  # fmt: skip
    editor = make_user("eve")
    Membership.objects.create(workspace=workspace, user=editor, roles=[Role.EDITOR])
    account = oauth_account(workspace, timedelta(hours=3))
    assert run() == (1, 1)
    account.refresh_from_db()
    assert account.status == AccountStatus.RECONNECT and "revoked" in account.status_message
    warned = Notification.objects.filter(kind="account_expiring")
    assert sorted(n.recipient.username for n in warned) == ["alice", "bob"]
    assert "Lumen on mastodon (Mastodon)" in warned[0].text
    assert warned[0].url == "/w/lumen/accounts/"
    assert run() == (0, 0)  # marked: no new refresh, and no second warning
    assert Notification.objects.count() == 2


@pytest.mark.usefixtures("huey_immediate")
def test_it_warns_once_about_a_token_it_cannot_renew(
    workspace, alice, monkeypatch, django_capture_on_commit_callbacks, mailoutbox
):
    install(monkeypatch, lambda request: pytest.fail("nothing to refresh"))
    account = oauth_account(workspace, timedelta(days=3), refresh_token="")
    oauth_account(workspace, timedelta(days=30), refresh_token="", remote_id="111")
    with django_capture_on_commit_callbacks(execute=True):
        assert run() == (0, 1)
    [note] = Notification.objects.all()
    expiry = timezone.localtime(account.token_expires_at).date().isoformat()
    assert note.text.startswith("The connection of Lumen on mastodon (Mastodon) expires on")
    assert expiry in note.text and "reconnect the account" in note.text
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["alice@example.org"]
    assert run() == (0, 0)
    account.refresh_from_db()
    assert account.status == AccountStatus.ACTIVE  # still usable until it expires
    # A new expiry date (the account was reconnected) is warned about again.
    Account.objects.filter(pk=account.pk).update(
        token_expires_at=account.token_expires_at + timedelta(days=2)
    )
    assert run() == (0, 1) and Notification.objects.count() == 2


def test_it_leaves_a_refreshable_token_to_the_refresh(workspace, alice, monkeypatch):
    install(monkeypatch, lambda request: pytest.fail("not due"))
    oauth_account(workspace, timedelta(days=3))
    assert run() == (0, 0)
    assert not Notification.objects.exists()
