"""Connecting a Mastodon account through the pages, end to end, against mastodon-mock (PyPI):
an IMITATION of the Mastodon API (FastAPI + SQLite) running as a separate server over real
HTTP. No real Mastodon can run here. The mock does not check PKCE or the client secret
(see test_mastodon_mock_server.py), so those are covered by test_accounts_oauth.py.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.conf import settings
from django.urls import reverse

from tribune.networks.clients import connector_for
from tribune.networks.models import Account, AccountStatus

pytestmark = [pytest.mark.real_server, pytest.mark.slow, pytest.mark.django_db]


def test_it_connects_an_account_through_the_instances_sign_in(
    client, workspace, alice, mastodon_server
):
    client.force_login(alice)
    connect = reverse("account-connect-network", args=[workspace.slug, "mastodon"])
    response = client.post(connect, {"base_url": mastodon_server.base_url + "/"})
    assert response.status_code == 302, response.content.decode()[:2000]
    authorize = urlsplit(response["Location"])
    asked = {k: v[0] for k, v in parse_qs(authorize.query).items()}
    assert f"{authorize.scheme}://{authorize.netloc}" == mastodon_server.base_url
    assert asked["redirect_uri"] == settings.SITE_URL + "/oauth/callback/"
    with httpx.Client(timeout=10) as http:
        # The person signs in and picks the account (the mock's picker stands for it).
        assert http.get(response["Location"]).status_code == 200
        chosen = http.post(
            f"{mastodon_server.base_url}/oauth/authorize",
            data={"username": mastodon_server.brand, "client_id": asked["client_id"],
                  "redirect_uri": asked["redirect_uri"], "state": asked["state"]},
        )  # fmt: skip
    assert chosen.status_code == 302
    back = urlsplit(chosen.headers["Location"])
    assert back.path == "/oauth/callback/"
    answer = client.get(back.path, {k: v[0] for k, v in parse_qs(back.query).items()})
    assert answer.status_code == 302 and answer["Location"] == "/w/lumen/accounts/"
    account = Account.objects.get()
    assert (account.network, account.base_url) == ("mastodon", mastodon_server.base_url)
    assert account.handle == mastodon_server.brand and account.name == "Brûlerie du Canal"
    assert account.status == AccountStatus.ACTIVE and account.token
    assert account.settings["client_id"] == asked["client_id"]
    # The stored token really works against the server.
    connector = connector_for(account)
    try:
        assert connector.verify().handle == mastodon_server.brand
    finally:
        connector.http.close()
    page = client.get(answer["Location"]).content.decode()
    assert "Brûlerie du Canal is connected." in page and account.token not in page
