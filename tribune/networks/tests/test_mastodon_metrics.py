"""Mastodon's counts in Tribune's vocabulary, against answers shaped after
docs.joinmastodon.org (httpx.MockTransport: an imitation of the server's HTTP side)."""

import httpx
import pytest

from tribune.networks.base import AccountCredentials, RemoteRef
from tribune.networks.contract import recorded
from tribune.networks.errors import AuthExpired, Rejected
from tribune.networks.mastodon.connector import MastodonConnector

CREDENTIALS = AccountCredentials(base_url="https://mastodon.example", token="tok-1")


def connector(handler) -> tuple[MastodonConnector, list[httpx.Request]]:
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return handler(request)

    return MastodonConnector(CREDENTIALS, httpx.Client(transport=httpx.MockTransport(answer))), sent


def test_it_maps_each_count_and_keeps_mastodon_s_names():
    mastodon, sent = connector(lambda r: httpx.Response(200, json=recorded("mastodon__status")))
    [snapshot] = mastodon.fetch_metrics([RemoteRef("113456789012345678")])
    assert snapshot.values == {"likes": 17, "shares": 5, "comments": 2}
    assert snapshot.raw == {"favourites_count": 17, "reblogs_count": 5, "replies_count": 2}
    assert sent[0].url.path == "/api/v1/statuses/113456789012345678"
    assert snapshot.taken_at.tzinfo is not None


def test_it_leaves_out_a_deleted_status_and_reads_the_others():
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/gone"):
            return httpx.Response(404, json={"error": "Record not found"})
        return httpx.Response(200, json=recorded("mastodon__status"))

    mastodon, _sent = connector(answer)
    snapshots = mastodon.fetch_metrics([RemoteRef("gone"), RemoteRef("113456789012345678")])
    assert [s.ref.remote_id for s in snapshots] == ["113456789012345678"]


def test_it_does_not_swallow_other_refusals():
    mastodon, _sent = connector(lambda r: httpx.Response(403, json={"error": "Forbidden"}))
    with pytest.raises(Rejected):
        mastodon.fetch_metrics([RemoteRef("1")])


def test_it_reads_the_account_s_followers_from_verify_credentials():
    mastodon, sent = connector(lambda r: httpx.Response(200, json=recorded("mastodon__account")))
    snapshot = mastodon.fetch_account_metrics()
    assert sent[0].url.path == "/api/v1/accounts/verify_credentials"
    assert sent[0].headers["Authorization"] == "Bearer tok-1"
    assert snapshot.ref == RemoteRef("109302455781238943", "https://mastodon.example/@brulerie")
    # Levels only: new followers are derived by Tribune from successive readings.
    assert snapshot.values == {"followers": 412}
    assert snapshot.raw == {"followers_count": 412}


def test_it_maps_a_revoked_token_to_auth_expired():
    mastodon, _sent = connector(lambda r: httpx.Response(401, json={"error": "revoked"}))
    with pytest.raises(AuthExpired):
        mastodon.fetch_account_metrics()
