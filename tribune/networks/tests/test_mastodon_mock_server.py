"""The Mastodon connector over real HTTP against mastodon-mock (PyPI), an IMITATION of the
Mastodon API (FastAPI + SQLite). No real Mastodon can run here: these tests show the connector
speaks HTTP to a separate server that answers in Mastodon's shapes, not that Mastodon accepts it.

What mastodon-mock 0.6.1 really implements, and so is exercised here: POST /api/v1/apps;
GET /oauth/authorize (an account picker) and its POST, which redirects with `code` and `state`;
POST /oauth/token (authorization_code; refresh_token answers invalid_grant for an unknown token);
GET /api/v1/accounts/verify_credentials; POST /api/v1/statuses with Idempotency-Key (a repeated
key returns the first status), in_reply_to_id and media_ids; POST /api/v2/media with
`description`; GET and DELETE /api/v1/statuses/:id; favourites; GET /api/v1/notifications with
types[]; 401 for an unknown token; fault injection (forced statuses, 429, latency).

What it does not imitate, so only the documented-response tests (test_mastodon.py,
test_oauth.py) cover it: PKCE (the verifier and challenge are not checked), the client secret
and redirect_uri at the token endpoint, refresh tokens and expiry (none are issued), media
processing (uploads answer 200 at once, never 202/206), the one-hour lifetime of an
Idempotency-Key (the mock keeps keys for ever), and a status created although its answer was
lost (a request whose client gave up is dropped by the mock).
"""

import io
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from PIL import Image

from tribune.networks.base import AccountCredentials, MediaItem, PostDraft
from tribune.networks.errors import AuthExpired, NotSupported, OutcomeUnknown, RateLimited
from tribune.networks.mastodon.connector import MastodonConnector
from tribune.networks.oauth import authorize_url, exchange_code, new_pkce, new_state, refresh_grant

pytestmark = [pytest.mark.real_server, pytest.mark.slow]

REDIRECT_URI = "https://tribune.example/accounts/oauth/callback"


@pytest.fixture
def http():
    with httpx.Client(timeout=10) as client:
        yield client


@pytest.fixture
def brand(mastodon_server, http):
    yield MastodonConnector(
        AccountCredentials(mastodon_server.base_url, mastodon_server.brand_token), http
    )
    mastodon_server.clear_faults()


@pytest.fixture
def fan(mastodon_server, http):
    return MastodonConnector(
        AccountCredentials(mastodon_server.base_url, mastodon_server.fan_token), http
    )


def status_of(connector: MastodonConnector, remote_id: str) -> httpx.Response:
    return connector.http.send(connector._request("GET", f"/api/v1/statuses/{remote_id}"))


def own_statuses(connector: MastodonConnector) -> list[dict]:
    me = connector.verify().remote_id
    path = f"/api/v1/accounts/{me}/statuses"
    return connector.http.send(connector._request("GET", path, params={"limit": 40})).json()


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 6), (120, 72, 40)).save(out, format="PNG")
    return out.getvalue()


class TestConnecting:
    def test_it_registers_an_app_and_connects_through_the_code_flow(self, mastodon_server, http):
        spec = MastodonConnector.oauth
        client_id, client_secret = MastodonConnector.register_app(
            http, mastodon_server.base_url, REDIRECT_URI, "Tribune", "https://tribune.example"
        )
        verifier, challenge = new_pkce()
        state = new_state()
        url = authorize_url(spec, mastodon_server.base_url, client_id, REDIRECT_URI, state,
                            challenge)  # fmt: skip
        picker = http.get(url)
        assert picker.status_code == 200
        assert f'value="{mastodon_server.brand}"' in picker.text
        # The person picks the account (the mock's picker stands for Mastodon's sign-in page).
        chosen = http.post(
            f"{mastodon_server.base_url}/oauth/authorize",
            data={"username": mastodon_server.brand, "client_id": client_id,
                  "redirect_uri": REDIRECT_URI, "state": state},
        )  # fmt: skip
        assert chosen.status_code == 302
        back = urlsplit(chosen.headers["Location"])
        assert f"{back.scheme}://{back.netloc}{back.path}" == REDIRECT_URI
        query = parse_qs(back.query)
        assert query["state"] == [state]
        grant = exchange_code(http, spec, mastodon_server.base_url, client_id, client_secret,
                              REDIRECT_URI, query["code"][0], verifier)  # fmt: skip
        assert grant.access_token
        assert (grant.refresh_token, grant.expires_at) == ("", None)  # the mock issues neither
        connector = MastodonConnector(
            AccountCredentials(mastodon_server.base_url, grant.access_token), http
        )
        identity = connector.verify()
        assert (identity.handle, identity.display_name) == (mastodon_server.brand,
                                                            "Brûlerie du Canal")  # fmt: skip
        assert identity.url == f"{mastodon_server.base_url}/@{mastodon_server.brand}"
        assert identity.remote_id

    def test_it_maps_a_refused_code_and_refresh_token_to_auth_expired(self, mastodon_server, http):
        spec = MastodonConnector.oauth
        with pytest.raises(AuthExpired):
            exchange_code(http, spec, mastodon_server.base_url, "cid", "cs", REDIRECT_URI,
                          "not-a-code", "verifier")  # fmt: skip
        with pytest.raises(AuthExpired):
            refresh_grant(http, spec, mastodon_server.base_url, "cid", "cs", "not-a-token")

    def test_it_says_refresh_is_not_supported_without_a_refresh_token(self, brand):
        with pytest.raises(NotSupported):
            brand.refresh()

    def test_it_maps_a_bad_token_to_auth_expired(self, mastodon_server, http):
        stranger = MastodonConnector(AccountCredentials(mastodon_server.base_url, "bad"), http)
        with pytest.raises(AuthExpired) as caught:
            stranger.verify()
        assert caught.value.status == 401
        with pytest.raises(AuthExpired):
            stranger.publish(PostDraft(text="Jamais publié"), "bad-token-key")


class TestPublishing:
    def test_it_publishes_a_status_with_an_image_and_its_alt_text(self, brand):
        image = MediaItem(png(), "image/png", "Sac de grains verts sur une balance")
        result = brand.publish(PostDraft(text="Arrivage : Éthiopie Guji", media=(image,)),
                               "real-media-1")  # fmt: skip
        status = status_of(brand, result.ref.remote_id).json()
        assert status["content"] == "<p>Arrivage : Éthiopie Guji</p>"
        [attachment] = status["media_attachments"]
        assert (attachment["type"], attachment["description"]) == (
            "image", "Sac de grains verts sur une balance",
        )  # fmt: skip
        assert result.ref.url.endswith(f"/{result.ref.remote_id}")
        assert result.published_at is not None

    def test_it_publishes_once_for_one_key(self, brand):
        draft = PostDraft(text="Torréfaction du mardi, une seule fois")
        first = brand.publish(draft, "real-once-1")
        second = brand.publish(draft, "real-once-1")
        assert second.ref == first.ref
        same_text = [s for s in own_statuses(brand) if "une seule fois" in s["content"]]
        assert len(same_text) == 1

    def test_it_reports_a_lost_answer_and_the_retry_posts_once(self, mastodon_server, brand):
        mastodon_server.add_fault("POST", "/api/v1/statuses", {"type": "latency", "delay_ms": 800})
        impatient = MastodonConnector(brand.account, httpx.Client(timeout=0.3))
        draft = PostDraft(text="Réponse perdue, statut unique")
        with pytest.raises(OutcomeUnknown):
            impatient.publish(draft, "real-lost-1")
        impatient.http.close()
        retried = brand.publish(draft, "real-lost-1")
        # Whether or not the first attempt went through, the key leaves exactly one status.
        matching = [s for s in own_statuses(brand) if "Réponse perdue" in s["content"]]
        assert [s["id"] for s in matching] == [retried.ref.remote_id]

    def test_it_maps_a_server_error_and_a_rate_limit(self, mastodon_server, brand):
        mastodon_server.add_fault("POST", "/api/v1/statuses", {"type": "status", "status": 503})
        with pytest.raises(OutcomeUnknown):
            brand.publish(PostDraft(text="Panne"), "real-503")
        mastodon_server.add_fault("POST", "/api/v1/statuses", {"type": "ratelimit"})
        with pytest.raises(RateLimited) as caught:
            brand.publish(PostDraft(text="Trop vite"), "real-429")
        assert caught.value.retry_after == 300

    def test_it_deletes_a_status_and_a_second_delete_finds_it_gone(self, brand):
        result = brand.publish(PostDraft(text="À retirer"), "real-delete-1")
        brand.delete(result.ref)
        assert status_of(brand, result.ref.remote_id).status_code == 404
        brand.delete(result.ref)  # a retried delete: nothing left, no error


class TestConversation:
    def test_it_threads_reads_a_mention_replies_and_counts(self, mastodon_server, brand, fan):
        since = datetime.now(UTC) - timedelta(seconds=5)
        first = brand.publish(PostDraft(text="1/ Comment nous choisissons un café"), "real-t1")
        second = brand.publish(
            PostDraft(text="2/ D'abord, la tasse", reply_to=first.ref, thread_root=first.ref),
            "real-t2",
        )
        assert status_of(brand, second.ref.remote_id).json()["in_reply_to_id"] == (
            first.ref.remote_id
        )
        mention = fan.reply(first.ref, f"@{mastodon_server.brand} Et la mouture ?")
        fan.http.send(fan._request("POST", f"/api/v1/statuses/{first.ref.remote_id}/favourite"))

        [item] = [i for i in brand.fetch_inbox(since) if i.ref.remote_id == mention.remote_id]
        assert item.author == mastodon_server.fan
        assert item.text == f"@{mastodon_server.brand} Et la mouture ?"
        assert item.in_reply_to.remote_id == first.ref.remote_id
        assert item.created_at >= since

        answer = brand.reply(item.ref, "Moyenne, pour une V60.")
        assert status_of(brand, answer.remote_id).json()["in_reply_to_id"] == item.ref.remote_id
        [snapshot] = brand.fetch_metrics([first.ref])
        assert snapshot.values["likes"] == 1
