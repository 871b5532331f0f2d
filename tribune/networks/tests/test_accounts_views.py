"""The Accounts pages: who sees and does what, health shown in words, no secret on a page.

Networks are imitations (test_accounts_support), answering through httpx.MockTransport.
"""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tribune.networks.models import Account, AccountStatus
from tribune.testing.fixtures import set_roles
from tribune.workspaces.models import AuditEvent, Workspace
from tribune.workspaces.roles import Role

from .test_accounts_support import (
    ImitationSite,
    MastodonImitation,
    credentials_form,
    imitation_site,
    install,
    make_account,
    mastodon_instance,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def imitation(monkeypatch) -> ImitationSite:
    return imitation_site(monkeypatch)


@pytest.fixture
def mastodon(monkeypatch) -> MastodonImitation:
    return mastodon_instance(monkeypatch)


def url(name: str, workspace: Workspace, *args) -> str:
    return reverse(name, args=[workspace.slug, *args])


class TestWhoMay:
    def test_it_shows_the_list_to_every_member_and_no_one_else(
        self, client, workspace, alice, bob, charlie
    ):
        make_account(workspace)
        page = url("account-list", workspace)
        for role in Role:
            set_roles(bob, workspace, role)
            client.force_login(bob)
            assert client.get(page).status_code == 200, role
        client.force_login(charlie)
        assert client.get(page).status_code == 404

    def test_it_lets_owners_and_publishers_connect_and_no_other_role(
        self, client, workspace, alice, bob, imitation
    ):
        client.force_login(alice)
        assert client.get(url("account-connect", workspace)).status_code == 200
        client.force_login(bob)
        for role in (Role.GUEST, Role.EDITOR, Role.STRATEGIST, Role.ANALYST, Role.APPROVER):
            set_roles(bob, workspace, role)
            assert client.get(url("account-connect", workspace)).status_code == 403, role
            response = client.post(url("account-connect-network", workspace, "imitation"),
                                   credentials_form())  # fmt: skip
            assert response.status_code == 403, role
        set_roles(bob, workspace, Role.PUBLISHER)
        assert client.get(url("account-connect", workspace)).status_code == 200
        assert not Account.objects.exists() and imitation.requests == []

    def test_it_keeps_a_scoped_publisher_to_their_networks(self, client, workspace, bob, imitation):
        set_roles(bob, workspace, Role.PUBLISHER, scopes={"publisher": ["mastodon"]})
        client.force_login(bob)
        connect = url("account-connect-network", workspace, "imitation")
        assert client.get(connect).status_code == 403
        assert client.post(connect, credentials_form()).status_code == 403
        other = make_account(workspace, "imitation", remote_id="42")
        assert client.post(url("account-check", workspace, other.pk)).status_code == 403
        assert client.post(url("account-disconnect", workspace, other.pk)).status_code == 403
        chooser = client.get(url("account-connect", workspace)).content.decode()
        assert "Mastodon" in chooser and "Imitation Press" not in chooser
        response = client.post(
            url("account-connect-reminder", workspace), {"network": "snapchat", "name": "Snap"}
        )
        assert response.status_code == 200 and not Account.objects.filter(network="snapchat")
        assert Account.objects.get().status == AccountStatus.ACTIVE
        set_roles(bob, workspace, Role.PUBLISHER, scopes={"publisher": ["imitation"]})
        assert client.post(connect, credentials_form()).status_code == 302

    def test_it_answers_404_for_another_workspaces_account(self, client, workspace, alice, charlie):
        theirs = make_account(Workspace.objects.get(slug="other"))
        client.force_login(alice)
        assert client.post(url("account-check", workspace, theirs.pk)).status_code == 404
        assert client.get(url("account-disconnect", workspace, theirs.pk)).status_code == 404
        assert client.post(url("account-disconnect", workspace, theirs.pk)).status_code == 404
        page = url("account-connect-network", workspace, "mastodon") + f"?account={theirs.pk}"
        assert client.get(page).status_code == 404
        assert Account.objects.get().status == AccountStatus.ACTIVE

    def test_it_refuses_a_guest_the_check_and_disconnect(self, client, workspace, bob):
        account = make_account(workspace)
        set_roles(bob, workspace, Role.GUEST)
        client.force_login(bob)
        assert client.post(url("account-check", workspace, account.pk)).status_code == 403
        assert client.post(url("account-disconnect", workspace, account.pk)).status_code == 403
        html = client.get(url("account-list", workspace)).content.decode()
        assert "Check now" not in html and "Disconnect" not in html


class TestTheList:
    def test_it_groups_accounts_by_network_and_shows_no_secret(self, client, workspace, alice):
        make_account(workspace, token="at-NEVER-SHOWN")
        make_account(workspace, "imitation", name="Journal", remote_id="7", token="pw-HIDDEN")
        client.force_login(alice)
        html = client.get(url("account-list", workspace)).content.decode()
        # By network name (the imitation is not in the catalogue: its key stands for it).
        assert html.index('<h2 id="network-1">imitation</h2>') < html.index("Journal")
        assert html.index("Journal") < html.index('<h2 id="network-2">Mastodon</h2>')
        assert "at-NEVER-SHOWN" not in html and "pw-HIDDEN" not in html
        assert 'href="/w/lumen/accounts/" aria-current="page"' in html  # the menu entry

    def test_it_says_in_words_when_a_connection_expires_soon(self, client, workspace, alice):
        soon = timezone.now() + timedelta(days=3, hours=2)
        make_account(workspace, token_expires_at=soon)
        client.force_login(alice)
        html = client.get(url("account-list", workspace)).content.decode()
        assert "Expires soon" in html and "Expires in 3 days." in html
        assert "Tribune renews it by itself when the network allows it." in html

    def test_it_says_what_went_wrong_and_offers_to_reconnect(self, client, workspace, alice):
        account = make_account(
            workspace, status=AccountStatus.RECONNECT, status_message="The access token was revoked"
        )
        client.force_login(alice)
        html = client.get(url("account-list", workspace)).content.decode()
        assert "Needs reconnecting" in html and "The access token was revoked" in html
        reconnect = url("account-connect-network", workspace, "mastodon")
        assert f'href="{reconnect}?account={account.pk}"' in html

    def test_it_reads_the_list_in_a_fixed_number_of_queries(
        self, client, workspace, alice, django_assert_num_queries
    ):
        make_account(workspace)
        client.force_login(alice)
        client.get(url("account-list", workspace))
        with CaptureQueriesContext(connection) as one:
            client.get(url("account-list", workspace))
        for n in range(5):
            make_account(workspace, "imitation", remote_id=str(n), name=f"Blog {n}")
        with django_assert_num_queries(len(one)):
            response = client.get(url("account-list", workspace))
        assert response.content.decode().count('class="card"') == 6

    def test_it_survives_an_account_whose_secrets_no_key_opens(self, client, workspace, alice):
        account = make_account(workspace, name="Unreadable")
        with connection.cursor() as cursor:
            cursor.execute("UPDATE networks_account SET token = 'garbage' WHERE id = %s",
                           [account.pk])  # fmt: skip
        client.force_login(alice)
        response = client.get(url("account-list", workspace))
        assert response.status_code == 200 and "Unreadable" in response.content.decode()


class TestConnectingPages:
    def test_it_builds_the_form_from_the_connectors_fields(self, client, workspace, alice,
                                                           imitation):  # fmt: skip
        client.force_login(alice)
        html = client.get(url("account-connect-network", workspace, "imitation")).content.decode()
        assert '<label for="id_base_url">Site address' in html
        assert 'name="token"' in html and 'type="password"' in html
        assert 'name="site_key"' in html and 'autocomplete="new-password"' in html
        assert 'name="blog"' in html and 'type="text"' in html

    def test_it_prefills_a_reconnection_with_no_secret(self, client, workspace, alice, imitation):
        account = make_account(workspace, "imitation", base_url="https://press.example",
                               username="lumen", token="pw-NOT-AGAIN")  # fmt: skip
        client.force_login(alice)
        page = url("account-connect-network", workspace, "imitation") + f"?account={account.pk}"
        html = client.get(page).content.decode()
        assert 'value="https://press.example"' in html and 'value="lumen"' in html
        assert "pw-NOT-AGAIN" not in html

    def test_it_adds_a_reminder_account(self, client, workspace, alice):
        client.force_login(alice)
        response = client.post(
            url("account-connect-reminder", workspace),
            {"network": "snapchat", "name": "Lumen on Snapchat", "profile_url": "snap.example/l"},
        )
        assert response.status_code == 302
        account = Account.objects.get()
        assert (account.network, account.mode) == ("snapchat", "reminder")
        assert account.profile_url == "https://snap.example/l"
        html = client.get(url("account-list", workspace)).content.decode()
        assert "Reminders" in html and "Check now" not in html

    def test_it_answers_404_for_a_network_without_a_connector(self, client, workspace, alice):
        client.force_login(alice)
        assert client.get(url("account-connect-network", workspace, "myspace")).status_code == 404


class TestCheckAndDisconnect:
    def test_it_checks_an_account_and_marks_a_refused_one(self, client, workspace, alice,
                                                          monkeypatch):  # fmt: skip
        answers = [httpx.Response(200, json={"id": "109", "acct": "lumen"}),
                   httpx.Response(401, json={"error": "The access token was revoked"})]  # fmt: skip
        install(monkeypatch, lambda request: answers.pop(0))
        account = make_account(workspace, status=AccountStatus.RECONNECT, status_message="old")
        client.force_login(alice)
        check = url("account-check", workspace, account.pk)
        assert client.post(check).status_code == 302
        account.refresh_from_db()
        assert (account.status, account.status_message) == (AccountStatus.ACTIVE, "")
        assert account.checked_at is not None
        response = client.post(check, headers={"HX-Request": "true"})
        html = response.content.decode()
        assert f'<article class="card" id="account-{account.pk}"' in html and "<html" not in html
        assert "Needs reconnecting" in html and "The access token was revoked" in html
        assert 'role="status"' in html
        account.refresh_from_db()
        assert account.status == AccountStatus.RECONNECT
        assert [e.after["status"] for e in AuditEvent.objects.filter(verb="update")
                .order_by("id")] == ["active", "reconnect"]  # fmt: skip

    def test_it_leaves_the_account_alone_when_the_network_is_unreachable(
        self, client, workspace, alice, monkeypatch
    ):
        def down(request):
            raise httpx.ConnectError("refused", request=request)

        install(monkeypatch, down)
        account = make_account(workspace)
        client.force_login(alice)
        response = client.post(url("account-check", workspace, account.pk), follow=True)
        assert "could not reach Mastodon" in response.content.decode()
        account.refresh_from_db()
        assert account.status == AccountStatus.ACTIVE and account.checked_at is None

    def test_it_asks_before_disconnecting(self, client, workspace, alice):
        account = make_account(workspace)
        client.force_login(alice)
        page = url("account-disconnect", workspace, account.pk)
        html = client.get(page).content.decode()
        assert "Disconnect Lumen on mastodon?" in html and 'method="post"' in html
        account.refresh_from_db()
        assert account.status == AccountStatus.ACTIVE
        assert client.post(page).status_code == 302
        account.refresh_from_db()
        assert account.status == AccountStatus.DISCONNECTED and account.token == ""
