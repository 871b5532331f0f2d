"""Mastodon connector, against responses shaped after docs.joinmastodon.org (an imitation of
the server's HTTP side; no real Mastodon server can run here)."""

import json
from datetime import UTC, datetime
from urllib.parse import parse_qs

import httpx
import pytest

from tribune.networks.base import (
    AccountCredentials,
    AccountIdentity,
    AuthKind,
    Capability,
    Connector,
    InboxItem,
    MediaItem,
    Moderation,
    PostDraft,
    RemoteRef,
)
from tribune.networks.contract import ConnectorContract, recorded
from tribune.networks.errors import (
    AuthExpired,
    ConnectorError,
    NotSupported,
    OutcomeUnknown,
    RateLimited,
    Rejected,
)
from tribune.networks.mastodon.connector import INBOX_PAGE, MastodonConnector
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


def recording(*responses: httpx.Response):
    """A connector whose imitation server answers `responses` in turn; returns it and the
    requests it received."""
    sent: list[httpx.Request] = []
    queue = list(responses)

    def handler(request):
        sent.append(request)
        return queue.pop(0)

    http = httpx.Client(transport=httpx.MockTransport(handler))
    return MastodonConnector(TestMastodonContract.credentials, http), sent


def form(request: httpx.Request) -> dict[str, list[str]]:
    return parse_qs(request.content.decode())


class TestConnecting:
    def test_it_connects_through_oauth_with_only_the_instance_address_asked(self):
        spec = MastodonConnector.oauth
        assert MastodonConnector.auth == AuthKind.OAUTH2
        assert (spec.authorize_url, spec.token_url, spec.scopes) == (
            "/oauth/authorize", "/oauth/token", ("read", "write"),
        )  # fmt: skip
        assert spec.pkce and spec.per_instance
        assert [f.target for f in MastodonConnector.credential_fields] == ["base_url"]

    def test_it_registers_an_app_on_the_instance(self):
        sent = []

        def handler(request):
            sent.append(request)
            return httpx.Response(200, json=recorded("mastodon__app"))

        client_id, client_secret = MastodonConnector.register_app(
            httpx.Client(transport=httpx.MockTransport(handler)),
            "https://mastodon.example/",
            "https://tribune.example/accounts/oauth/callback",
            "Tribune",
            "https://tribune.example",
        )
        assert (client_id, client_secret) == (
            "TWhM-tNSuncnqN7DBJmoyeLnk6K3iJJ71KKXxgL1hPM",
            "ZEaFUFmF0umgBX1qKJDjaU99Q31lDkOU8NutzTOoliw",
        )
        [request] = sent
        assert (request.method, str(request.url)) == (
            "POST", "https://mastodon.example/api/v1/apps",
        )  # fmt: skip
        assert "Authorization" not in request.headers
        assert form(request) == {
            "client_name": ["Tribune"],
            "redirect_uris": ["https://tribune.example/accounts/oauth/callback"],
            "scopes": ["read write"],
            "website": ["https://tribune.example"],
        }

    def test_it_reads_who_the_token_acts_as(self):
        connector, sent = recording(httpx.Response(200, json=recorded("mastodon__account")))
        identity = connector.verify()
        assert identity == AccountIdentity(
            remote_id="109302455781238943",
            handle="brulerie",
            display_name="Brûlerie du Canal",
            url="https://mastodon.example/@brulerie",
        )
        assert str(sent[0].url) == "https://mastodon.example/api/v1/accounts/verify_credentials"
        assert sent[0].headers["Authorization"] == "Bearer s3cret-token"

    def test_it_maps_a_revoked_token_to_auth_expired_when_verifying(self):
        connector, _sent = recording(
            httpx.Response(401, json={"error": "The access token was revoked"})
        )
        with pytest.raises(AuthExpired):
            connector.verify()

    def test_it_says_refresh_is_not_supported_without_a_refresh_token(self):
        connector, sent = recording()
        with pytest.raises(NotSupported):
            connector.refresh()
        assert sent == []

    def test_it_refreshes_when_the_server_gave_a_refresh_token(self):
        credentials = AccountCredentials(
            base_url="https://mastodon.example",
            token="old",
            extra={"client_id": "cid", "client_secret": "csecret", "refresh_token": "r-1"},
        )
        sent = []

        def handler(request):
            sent.append(request)
            return httpx.Response(200, json={**recorded("mastodon__token"), "expires_in": 7200})

        connector = MastodonConnector(
            credentials, httpx.Client(transport=httpx.MockTransport(handler))
        )
        grant = connector.refresh()
        assert grant.access_token == "ZA-Yj3aBD8U8Cm7lKUp-lm9O9BmDgdhHzDeqsY8tlL0"
        assert grant.refresh_token == ""  # none in the answer: the stored one is kept
        assert grant.expires_at is not None
        assert str(sent[0].url) == "https://mastodon.example/oauth/token"
        assert form(sent[0]) == {
            "grant_type": ["refresh_token"], "refresh_token": ["r-1"],
            "client_id": ["cid"], "client_secret": ["csecret"],
        }  # fmt: skip


class TestMedia:
    image = MediaItem(b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "image/png", "Sac de grains verts")

    @pytest.fixture(autouse=True)
    def no_waiting(self, monkeypatch):
        monkeypatch.setattr(MastodonConnector, "media_poll_interval_s", 0)

    def test_it_uploads_with_alt_text_waits_for_processing_then_publishes(self):
        connector, sent = recording(
            httpx.Response(202, json=recorded("mastodon__media_processing")),
            httpx.Response(206, json=recorded("mastodon__media_processing")),
            httpx.Response(200, json=recorded("mastodon__media")),
            httpx.Response(200, json=recorded("mastodon__status")),
        )
        draft = PostDraft(text="Arrivage du jour", media=(self.image,))
        connector.publish(draft, "variant-7")
        upload, poll, poll_again, status = sent
        assert (upload.method, upload.url.path) == ("POST", "/api/v2/media")
        assert b'name="description"\r\n\r\nSac de grains verts' in upload.content
        assert b'filename="media.png"' in upload.content
        assert (poll.method, poll.url.path) == ("GET", "/api/v1/media/22348641")
        assert poll_again.url.path == "/api/v1/media/22348641"
        assert json.loads(status.content)["media_ids"] == ["22348641"]
        assert status.headers["Idempotency-Key"] == "variant-7"

    def test_it_gives_up_waiting_for_media_without_publishing(self):
        processing = recorded("mastodon__media_processing")
        attempts = MastodonConnector.media_poll_attempts
        connector, sent = recording(
            *[httpx.Response(206, json=processing) for _ in range(attempts + 1)]
        )
        with pytest.raises(ConnectorError) as caught:
            connector.publish(PostDraft(text="x", media=(self.image,)), "k")
        assert not caught.value.permanent
        assert not isinstance(caught.value, OutcomeUnknown)
        assert len(sent) == 1 + attempts
        assert all(r.url.path != "/api/v1/statuses" for r in sent)

    def test_it_treats_a_lost_upload_answer_as_safe_to_retry(self):
        def handler(request):
            raise httpx.ReadTimeout("no answer", request=request)

        connector = MastodonConnector(
            TestMastodonContract.credentials, httpx.Client(transport=httpx.MockTransport(handler))
        )
        with pytest.raises(ConnectorError) as caught:
            connector.publish(PostDraft(text="x", media=(self.image,)), "k")
        # No status was asked for: nothing can have been published.
        assert not isinstance(caught.value, OutcomeUnknown)
        assert not caught.value.permanent


class TestThreadsAndInbox:
    def test_it_continues_a_thread_by_replying_to_the_previous_part(self):
        connector, sent = recording(httpx.Response(200, json=recorded("mastodon__status")))
        part_one = RemoteRef("113456789012345678")
        connector.publish(
            PostDraft(text="2/ La suite", reply_to=part_one, thread_root=part_one), "t2"
        )
        assert json.loads(sent[0].content)["in_reply_to_id"] == "113456789012345678"
        assert Capability.THREAD in MastodonConnector.capabilities

    def test_it_reads_mentions_as_inbox_items(self):
        connector, sent = recording(httpx.Response(200, json=recorded("mastodon__notifications")))
        first, second = connector.fetch_inbox()
        assert sent[0].url.path == "/api/v1/notifications"
        assert sent[0].url.params.get_list("types[]") == ["mention"]
        assert first == InboxItem(
            ref=RemoteRef(
                "113457001122334455",
                "https://piaille.example/@amelie/113457001122334455",
                {"notification_id": "34975861"},
            ),
            author="amelie@piaille.example",
            text="@brulerie Il reste des sachets de 250 g ?\nJe passe samedi & je goûte.",
            created_at=datetime(2026, 11, 26, 10, 15, 1, tzinfo=UTC),
            in_reply_to=RemoteRef("113456789012345678"),
        )
        # The mention whose status was deleted is left out; paragraphs keep a blank line.
        assert second.text == "Bonjour @brulerie\n\nUn conseil pour une V60 ?"
        assert second.in_reply_to is None

    def test_it_stops_reading_at_since(self):
        connector, sent = recording(httpx.Response(200, json=recorded("mastodon__notifications")))
        items = connector.fetch_inbox(since=datetime(2026, 11, 24, tzinfo=UTC))
        assert [item.ref.remote_id for item in items] == ["113457001122334455"]
        assert len(sent) == 1

    def test_it_pages_back_with_max_id_until_since(self):
        page = recorded("mastodon__notifications")
        full = [dict(page[0], id=str(1000 - i)) for i in range(INBOX_PAGE)]
        connector, sent = recording(httpx.Response(200, json=full), httpx.Response(200, json=page))
        items = connector.fetch_inbox(since=datetime(2026, 11, 1, tzinfo=UTC))
        assert len(items) == INBOX_PAGE + 2
        assert sent[1].url.params["max_id"] == str(1000 - INBOX_PAGE + 1)


class TestDeleting:
    def test_it_deletes_a_status(self):
        connector, sent = recording(httpx.Response(200, json=recorded("mastodon__status")))
        connector.delete(RemoteRef("113456789012345678"))
        assert (sent[0].method, sent[0].url.path) == (
            "DELETE", "/api/v1/statuses/113456789012345678",
        )  # fmt: skip

    def test_it_counts_a_status_already_gone_as_deleted(self):
        connector, _sent = recording(httpx.Response(404, json={"error": "Record not found"}))
        connector.delete(RemoteRef("113456789012345678"))

    def test_it_does_not_swallow_other_refusals(self):
        connector, _sent = recording(
            httpx.Response(403, json={"error": "This action is not allowed"})
        )
        with pytest.raises(Rejected):
            connector.delete(RemoteRef("1"))


class TestWhatIsNotOffered:
    def test_it_offers_no_moderation(self):
        assert Capability.MODERATE not in MastodonConnector.capabilities
        with pytest.raises(NotSupported):
            MastodonConnector(TestMastodonContract.credentials, httpx.Client()).moderate(
                RemoteRef("1"), Moderation.HIDE
            )

    def test_it_relies_on_the_key_for_an_hour_and_has_no_find_published(self):
        # A status carries no trace of the key: past the hour a doubt goes to a person.
        assert MastodonConnector.idempotent_publish
        assert MastodonConnector.idempotency_window_s == 3600
        assert MastodonConnector.find_published is Connector.find_published
        with pytest.raises(NotSupported):
            MastodonConnector(TestMastodonContract.credentials, httpx.Client()).find_published(
                "k", datetime.now(UTC)
            )
