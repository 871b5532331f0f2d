"""Mastodon connector, against responses shaped after docs.joinmastodon.org (an imitation of
the server's HTTP side; no real Mastodon server can run here)."""

import json

import httpx

from tribune.networks.base import AccountCredentials, PostDraft, RemoteRef
from tribune.networks.contract import ConnectorContract, recorded
from tribune.networks.errors import RateLimited
from tribune.networks.mastodon.connector import MastodonConnector
from tribune.networks.registry import connector_class


class TestMastodonContract(ConnectorContract):
    connector_class = MastodonConnector
    credentials = AccountCredentials(base_url="https://mastodon.example/", token="s3cret-token")
    draft = PostDraft(text="Nouvelle origine : Éthiopie Guji https://brulerie.example/guji")
    published_body = recorded("mastodon__status")


def test_it_sends_the_documented_request_and_parses_the_status():
    sent = []

    def handler(request):
        sent.append(request)
        return httpx.Response(200, json=recorded("mastodon__status"))

    http = httpx.Client(transport=httpx.MockTransport(handler))
    connector = MastodonConnector(TestMastodonContract.credentials, http)
    result = connector.publish(TestMastodonContract.draft, "variant-42-attempt")
    request = sent[0]
    assert (request.method, str(request.url)) == (
        "POST",
        "https://mastodon.example/api/v1/statuses",
    )
    assert request.headers["Authorization"] == "Bearer s3cret-token"
    assert request.headers["Idempotency-Key"] == "variant-42-attempt"
    assert json.loads(request.content) == {
        "status": TestMastodonContract.draft.text, "visibility": "public",
    }  # fmt: skip
    assert result.ref == RemoteRef(
        "113456789012345678", "https://mastodon.example/@brulerie/113456789012345678"
    )
    assert result.published_at.isoformat() == "2026-11-26T09:30:00+00:00"


def test_it_maps_counts_onto_tribunes_vocabulary():
    http = httpx.Client(transport=httpx.MockTransport(
        lambda request: httpx.Response(200, json=recorded("mastodon__status"))
    ))  # fmt: skip
    connector = MastodonConnector(TestMastodonContract.credentials, http)
    [snapshot] = connector.fetch_metrics([RemoteRef("113456789012345678")])
    assert snapshot.values == {"likes": 17, "shares": 5, "comments": 2}
    assert snapshot.raw["favourites_count"] == 17


def test_it_reads_mastodons_rate_limit_reset_header():
    headers = {"X-RateLimit-Reset": "2999-01-01T00:00:00.000Z"}
    http = httpx.Client(transport=httpx.MockTransport(
        lambda request: httpx.Response(429, json={"error": "Too many requests"}, headers=headers)
    ))  # fmt: skip
    connector = MastodonConnector(TestMastodonContract.credentials, http)
    try:
        connector.publish(TestMastodonContract.draft, "k")
    except RateLimited as limited:
        assert limited.retry_after > 3600
    else:
        raise AssertionError("a 429 must raise RateLimited")


def test_it_replies_with_a_stable_idempotency_key():
    sent = []

    def handler(request):
        sent.append(request)
        return httpx.Response(200, json=recorded("mastodon__status"))

    connector = MastodonConnector(
        TestMastodonContract.credentials, httpx.Client(transport=httpx.MockTransport(handler))
    )
    connector.reply(RemoteRef("1"), "Merci !")
    connector.reply(RemoteRef("1"), "Merci !")
    assert sent[0].headers["Idempotency-Key"] == sent[1].headers["Idempotency-Key"]
    assert json.loads(sent[0].content)["in_reply_to_id"] == "1"


def test_it_validates_a_draft_against_the_rules_table():
    connector = MastodonConnector(TestMastodonContract.credentials, httpx.Client())
    assert connector.validate(PostDraft(text="court")) == []
    [problem] = connector.validate(PostDraft(text="x" * 501))
    assert (problem.code, problem.limit, problem.actual) == ("text_too_long", 500, 501)


def test_it_finds_connectors_in_the_one_registry():
    assert connector_class("mastodon") is MastodonConnector
