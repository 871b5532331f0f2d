"""Connecting with credentials, reconnecting, disconnecting, and secrets encrypted at rest.

The network is an imitation (test_accounts_support.ImitationConnector answering
through httpx.MockTransport), not a real server.
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tribune.networks.actions_accounts import (
    do_connect_reminder,
    do_connect_with_credentials,
    do_connect_with_grant,
    do_disconnect,
)
from tribune.networks.base import TokenGrant
from tribune.networks.models import Account, AccountStatus
from tribune.workspaces.models import AuditEvent, Workspace

from .test_accounts_support import (
    PASSWORD,
    SITE,
    ImitationSite,
    MastodonImitation,
    access_of,
    credentials_form,
    imitation_site,
    json_secrets,
    mastodon_instance,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def imitation(monkeypatch) -> ImitationSite:
    return imitation_site(monkeypatch)


@pytest.fixture
def mastodon(monkeypatch) -> MastodonImitation:
    return mastodon_instance(monkeypatch)


def connect_page(workspace) -> str:
    return reverse("account-connect-network", args=[workspace.slug, "imitation"])


def test_it_connects_an_account_after_the_network_accepts_the_credentials(
    client, workspace, alice, imitation
):
    client.force_login(alice)
    response = client.post(connect_page(workspace), credentials_form(base_url=SITE + "/"))
    assert response.status_code == 302
    account = Account.objects.get()
    assert (account.network, account.remote_id, account.handle) == ("imitation", "42", "lumen")
    assert (account.name, account.base_url, account.username) == ("Atelier Lumen", SITE, "lumen")
    assert account.profile_url == f"{SITE}/@lumen"
    assert account.token == PASSWORD
    assert json_secrets(account) == {"site_key": "sk-PRIVATE-5521"}
    assert account.settings == {"blog": "journal"}
    assert account.status == AccountStatus.ACTIVE and account.checked_at is not None
    assert account.connected_by == alice
    [sent] = imitation.requests
    assert sent.headers["X-Site-Key"] == "sk-PRIVATE-5521"
    event = AuditEvent.objects.get(verb="connect")
    assert "token" not in event.after and PASSWORD not in str(event.after)


def test_it_shows_the_networks_refusal_and_saves_nothing(client, workspace, alice, imitation):
    client.force_login(alice)
    response = client.post(connect_page(workspace), credentials_form(token="wrong-password"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Imitation Press refused these credentials: Incorrect application password." in html
    assert 'role="alert"' in html
    # A secret typed is never sent back in the page.
    assert "wrong-password" not in html and "sk-PRIVATE-5521" not in html
    assert 'name="token"' in html and 'type="password"' in html
    assert not Account.objects.exists() and not AuditEvent.objects.filter(verb="connect").exists()


def test_it_says_when_the_network_cannot_be_reached(workspace, alice, imitation):
    imitation.down = True
    with pytest.raises(ValidationError) as refused:
        do_connect_with_credentials(access_of(alice, workspace), "imitation", credentials_form())
    assert "could not reach Imitation Press at https://press.example" in refused.value.messages[0]
    assert not Account.objects.exists()


def test_it_reconnects_the_same_account_and_keeps_its_refresh_token(workspace, alice, imitation):
    access = access_of(alice, workspace)
    first = do_connect_with_credentials(access, "imitation", credentials_form())
    Account.objects.filter(pk=first.pk).update(
        status=AccountStatus.RECONNECT, status_message="401 from the network"
    )
    stored = Account.objects.get(pk=first.pk)
    stored.refresh_token = "rt-KEEP-ME"
    stored.save()
    imitation.password = "app-pass-NEW-0000"
    again = do_connect_with_credentials(
        access, "imitation", credentials_form(token="app-pass-NEW-0000", site_key="sk-NEW")
    )
    assert again.pk == first.pk and Account.objects.count() == 1
    fresh = Account.objects.get()
    assert (fresh.token, fresh.refresh_token) == ("app-pass-NEW-0000", "rt-KEEP-ME")
    assert json_secrets(fresh) == {"site_key": "sk-NEW"}
    assert (fresh.status, fresh.status_message) == (AccountStatus.ACTIVE, "")
    event = AuditEvent.objects.get(verb="reconnect")
    assert event.before["status"] == "reconnect" and event.after["status"] == "active"


def test_it_keeps_a_stored_refresh_token_when_a_new_grant_has_none(workspace, alice, mastodon):
    access = access_of(alice, workspace)
    grant = TokenGrant("at-ONE", "rt-ORIGINAL", timezone.now() + timedelta(hours=2))
    first = do_connect_with_grant(
        access, "mastodon", mastodon.base_url, grant, "cid", "cs-1", "https://t.example/cb"
    )
    expiry = timezone.now() + timedelta(days=30)
    second = do_connect_with_grant(
        access, "mastodon", mastodon.base_url, TokenGrant("at-TWO", "", expiry), "cid", "cs-1",
        "https://t.example/cb",
    )  # fmt: skip
    assert second.pk == first.pk
    fresh = Account.objects.get()
    assert (fresh.token, fresh.refresh_token) == ("at-TWO", "rt-ORIGINAL")
    assert fresh.token_expires_at == expiry


def test_it_wipes_the_secrets_when_disconnecting(workspace, alice, imitation):
    access = access_of(alice, workspace)
    account = do_connect_with_credentials(access, "imitation", credentials_form())
    Account.objects.filter(pk=account.pk).update(token_expires_at=timezone.now())
    do_disconnect(access, account)
    fresh = Account.objects.get()
    assert (fresh.token, fresh.refresh_token, fresh.secrets) == ("", "", "")
    assert fresh.status == AccountStatus.DISCONNECTED and fresh.token_expires_at is None
    with connection.cursor() as cursor:
        cursor.execute("SELECT token, secrets FROM networks_account")
        raw = " ".join(cursor.fetchone())
    assert PASSWORD not in raw and "sk-PRIVATE" not in raw
    assert AuditEvent.objects.filter(verb="disconnect").count() == 1


def test_it_connects_an_account_of_another_workspace_separately(
    workspace, alice, charlie, imitation
):
    mine = do_connect_with_credentials(access_of(alice, workspace), "imitation", credentials_form())
    other = Workspace.objects.get(slug="other")
    theirs = do_connect_with_credentials(access_of(charlie, other), "imitation", credentials_form())
    assert mine.pk != theirs.pk and Account.objects.count() == 2


class TestEncryptionAtRest:
    """What is on disk holds no secret in clear (the model gives plaintext back)."""

    SECRETS = (PASSWORD, "sk-PRIVATE-5521", "rt-AT-REST-93b1")

    @pytest.fixture
    def account(self, workspace, alice, imitation):
        account = do_connect_with_credentials(
            access_of(alice, workspace), "imitation", credentials_form()
        )
        account.refresh_token = "rt-AT-REST-93b1"
        account.save()
        return account

    def test_it_stores_ciphertext_in_the_columns(self, account):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT token, refresh_token, secrets, name FROM networks_account WHERE id = %s",
                [account.pk],
            )
            token, refresh_token, secrets, name = cursor.fetchone()
        assert name == "Atelier Lumen"  # the query reads the right row: plain columns are plain
        for column in (token, refresh_token, secrets):
            assert column.startswith("gAAAAA")  # a Fernet token
            assert not any(secret in column for secret in self.SECRETS)
        assert Account.objects.get().token == PASSWORD

    @pytest.mark.django_db(transaction=True)
    def test_it_leaves_no_secret_in_the_database_file(self, account, tmp_path):
        if connection.vendor != "sqlite":
            pytest.skip("the file check is for SQLite; the column check covers PostgreSQL")
        # The test database is in memory (pytest-django's default for SQLite): its
        # committed pages are copied into a file with SQLite's backup API, then read.
        copy = tmp_path / "copy.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(copy) as target:
            connection.connection.backup(target)
        data = copy.read_bytes()
        assert b"Atelier Lumen" in data  # the copy does hold the account's row
        for secret in self.SECRETS:
            assert secret.encode() not in data

    def test_it_leaves_secrets_out_of_dumpdata(self, account, tmp_path):
        out = tmp_path / "dump.json"
        call_command("dumpdata", "networks.Account", output=str(out))
        dump = out.read_text()
        assert "Atelier Lumen" in dump
        assert not any(secret in dump for secret in self.SECRETS)


def test_it_adds_reminder_accounts_for_open_networks_only(workspace, alice):
    access = access_of(alice, workspace)
    with pytest.raises(ValidationError):
        do_connect_reminder(access, "skype", "Old Skype")  # closed in 2025
    account = do_connect_reminder(access, "snapchat", "Lumen on Snapchat", "https://snap.example")
    assert (account.mode, account.status, account.remote_id) == ("reminder", "active", "")
    assert AuditEvent.objects.get(verb="connect").object_id == str(account.pk)
