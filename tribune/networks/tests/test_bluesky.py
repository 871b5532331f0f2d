"""Bluesky connector against an imitation of a PDS's XRPC answers (httpx.MockTransport).

The answers are recorded from, or shaped after, a real PDS (npm @atproto/dev-env,
see test_bluesky_server.py, which runs the same flows against the real thing).
"""

import io
import json
import time
from collections.abc import Callable

import httpx
import pytest
from PIL import Image

from tribune.networks.base import AccountCredentials, MediaItem, PostDraft, RemoteRef
from tribune.networks.bluesky.connector import BlueskyConnector
from tribune.networks.bluesky.record_key import record_key
from tribune.networks.contract import ConnectorContract, recorded
from tribune.networks.errors import (
    AuthExpired,
    ConnectorError,
    NotSupported,
    OutcomeUnknown,
    RateLimited,
    Rejected,
)
from tribune.networks.registry import connector_class

SESSION = recorded("bluesky__create_session")
CREATED = recorded("bluesky__create_record")
DID = SESSION["did"]
CREDENTIALS = AccountCredentials(
    base_url="https://pds.example/", username="alice.test", token="abcd-efgh-ijkl-mnop"
)
Answer = httpx.Response | Callable[[httpx.Request], httpx.Response]


def xrpc_error(status: int, name: str, message: str = "", headers: dict | None = None):
    return httpx.Response(status, json={"error": name, "message": message}, headers=headers)


def with_session(handler: Callable[[httpx.Request], httpx.Response]):
    """Answer createSession as a PDS does; hand every other request to `handler`."""

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/com.atproto.server.createSession"):
            return httpx.Response(200, json=SESSION)
        return handler(request)

    return answer


class Imitation:
    """A PDS's answers by method name (a list answers in turn); records what was sent."""

    def __init__(self, **answers: Answer | list[Answer]):
        self.answers = {"com.atproto.server.createSession": httpx.Response(200, json=SESSION)}
        self.answers.update({name.replace("_", "."): value for name, value in answers.items()})
        self.sent: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        name = request.url.path.rsplit("/", 1)[-1]
        answer = self.answers.get(name)
        if isinstance(answer, list):
            answer = answer.pop(0)
        if answer is None:
            return xrpc_error(501, "MethodNotImplemented", name)
        return answer(request) if callable(answer) else answer

    def connector(self) -> BlueskyConnector:
        return BlueskyConnector(CREDENTIALS, httpx.Client(transport=httpx.MockTransport(self)))

    def called(self, name: str) -> list[httpx.Request]:
        return [r for r in self.sent if r.url.path.endswith(f"/{name}")]


def body(request: httpx.Request) -> dict:
    return json.loads(request.content)


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "#6f4e37").save(out, "PNG")
    return out.getvalue()


class TestBlueskyContract(ConnectorContract):
    connector_class = BlueskyConnector
    credentials = CREDENTIALS
    draft = PostDraft(
        text="Nouvelle origine : Éthiopie Guji ☕ https://brulerie.example/guji #café"
    )
    published_body = CREATED

    def connector(self, handler):
        # Logging in is not the request under test: the imitation answers it aside.
        return super().connector(with_session(handler))

    def test_it_keeps_the_idempotency_promise(self):
        """Bluesky takes no Idempotency-Key header: the key becomes the record key, so
        every attempt names the same record and the repository keeps one."""
        connector, sent = self.answering(200, self.published_body)
        connector.publish(self.draft, "same-key")
        connector.publish(self.draft, "same-key")
        connector.publish(self.draft, "other-key")
        keys = [body(r)["rkey"] for r in sent]
        assert keys[0] == keys[1] == record_key("same-key") != keys[2]


def test_it_sends_the_documented_create_record_and_reads_the_reference():
    pds = Imitation(com_atproto_repo_createRecord=httpx.Response(200, json=CREATED))
    text = "Éthiopie Guji ☕ https://brulerie.example/guji #café"
    result = pds.connector().publish(PostDraft(text=text), "variant-42")
    [login, create] = pds.sent
    assert body(login) == {"identifier": "alice.test", "password": "abcd-efgh-ijkl-mnop"}
    assert (create.method, str(create.url)) == (
        "POST",
        "https://pds.example/xrpc/com.atproto.repo.createRecord",
    )
    assert create.headers["Authorization"] == f"Bearer {SESSION['accessJwt']}"
    sent = body(create)
    assert (sent["repo"], sent["collection"], sent["rkey"]) == (
        DID,
        "app.bsky.feed.post",
        record_key("variant-42"),
    )
    record = sent["record"]
    assert record["$type"] == "app.bsky.feed.post"
    assert record["text"] == text
    assert record["createdAt"].endswith("Z")
    link_start = len("Éthiopie Guji ☕ ".encode())
    assert record["facets"] == [
        {
            "index": {"byteStart": link_start, "byteEnd": link_start + 29},
            "features": [{"$type": "app.bsky.richtext.facet#link",
                          "uri": "https://brulerie.example/guji"}],
        },
        {
            "index": {"byteStart": link_start + 30, "byteEnd": len(text.encode())},
            "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "café"}],
        },
    ]  # fmt: skip
    # The recorded answer is the real PDS's to this very key.
    assert CREATED["uri"].endswith(f"/{record_key('variant-42')}")
    assert result.ref == RemoteRef(
        CREATED["uri"],
        "https://bsky.app/profile/alice.test/post/3lekupoyrqbnq",
        {"cid": CREATED["cid"]},
    )
    assert result.published_at is not None


def test_it_resolves_mentions_and_leaves_unknown_handles_as_text():
    def resolve(request):
        if request.url.params["handle"] == "bob.test":
            return httpx.Response(200, json={"did": "did:plc:bob"})
        return xrpc_error(400, "HandleNotFound", "Unable to resolve handle")

    pds = Imitation(
        com_atproto_identity_resolveHandle=resolve,
        com_atproto_repo_createRecord=httpx.Response(200, json=CREATED),
    )
    text = "Merci @bob.test et @nobody.test, et encore @bob.test"
    pds.connector().publish(PostDraft(text=text), "k")
    facets = body(pds.called("com.atproto.repo.createRecord")[0])["record"]["facets"]
    assert [f["features"] for f in facets] == [
        [{"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:bob"}]
    ] * 2
    assert len(pds.called("com.atproto.identity.resolveHandle")) == 2  # bob once, nobody once


def test_it_logs_in_once_per_instance():
    pds = Imitation(com_atproto_repo_createRecord=httpx.Response(200, json=CREATED))
    connector = pds.connector()
    connector.publish(PostDraft(text="un"), "k1")
    connector.publish(PostDraft(text="deux"), "k2")
    assert len(pds.called("com.atproto.server.createSession")) == 1


def test_it_refreshes_an_expired_token_once_and_asks_again():
    pds = Imitation(
        com_atproto_repo_createRecord=[
            xrpc_error(400, "ExpiredToken", "Token has expired"),
            httpx.Response(200, json=CREATED),
        ],
        com_atproto_server_refreshSession=httpx.Response(
            200, json={**SESSION, "accessJwt": "fresh-access", "refreshJwt": "fresh-refresh"}
        ),
    )
    pds.connector().publish(PostDraft(text="bonjour"), "k")
    [refresh] = pds.called("com.atproto.server.refreshSession")
    assert refresh.headers["Authorization"] == f"Bearer {SESSION['refreshJwt']}"
    first, second = pds.called("com.atproto.repo.createRecord")
    assert second.headers["Authorization"] == "Bearer fresh-access"
    assert body(first)["rkey"] == body(second)["rkey"]


def test_it_asks_for_a_reconnection_when_the_refresh_fails():
    pds = Imitation(
        com_atproto_repo_createRecord=xrpc_error(
            400, "InvalidToken", "Token could not be verified"
        ),
        com_atproto_server_refreshSession=xrpc_error(400, "ExpiredToken", "Token has been revoked"),
    )
    with pytest.raises(AuthExpired) as caught:
        pds.connector().publish(PostDraft(text="bonjour"), "k")
    assert caught.value.message == "ExpiredToken: Token has been revoked"
    assert len(pds.called("com.atproto.repo.createRecord")) == 1


def test_it_maps_a_wrong_app_password_to_auth_expired_without_quoting_it():
    pds = Imitation(
        com_atproto_server_createSession=xrpc_error(
            401, "AuthenticationRequired", "Invalid identifier or password"
        )
    )
    with pytest.raises(AuthExpired) as caught:
        pds.connector().verify()
    assert "Invalid identifier or password" in caught.value.message
    assert CREDENTIALS.token not in caught.value.message


def test_it_reads_the_reset_of_a_rate_limit_as_a_unix_time():
    reset = str(int(time.time()) + 120)
    pds = Imitation(
        com_atproto_repo_createRecord=xrpc_error(
            429, "RateLimitExceeded", "Rate Limit Exceeded", {"RateLimit-Reset": reset}
        )
    )
    with pytest.raises(RateLimited) as caught:
        pds.connector().publish(PostDraft(text="bonjour"), "k")
    assert 100 < caught.value.retry_after <= 121


def test_it_answers_with_the_earlier_post_when_its_record_key_is_taken():
    # The reference PDS answers a create under a taken key with a bare 500.
    earlier = {"uri": CREATED["uri"], "cid": CREATED["cid"],
               "value": {"text": "bonjour", "createdAt": "2026-11-26T09:30:00.000Z"}}  # fmt: skip
    pds = Imitation(
        com_atproto_repo_createRecord=xrpc_error(
            500, "InternalServerError", "Internal Server Error"
        ),
        com_atproto_repo_getRecord=httpx.Response(200, json=earlier),
    )
    result = pds.connector().publish(PostDraft(text="bonjour"), "k")
    assert result.ref.remote_id == CREATED["uri"]
    assert result.ref.extra == {"cid": CREATED["cid"]}
    assert result.published_at.isoformat() == "2026-11-26T09:30:00+00:00"
    [lookup] = pds.called("com.atproto.repo.getRecord")
    assert lookup.url.params["rkey"] == record_key("k")


def test_it_keeps_the_doubt_when_no_earlier_post_is_there():
    pds = Imitation(
        com_atproto_repo_createRecord=xrpc_error(
            500, "InternalServerError", "Internal Server Error"
        ),
        com_atproto_repo_getRecord=xrpc_error(400, "RecordNotFound", "Could not locate record"),
    )
    with pytest.raises(OutcomeUnknown):
        pds.connector().publish(PostDraft(text="bonjour"), "k")


def test_it_finds_a_publication_by_its_key_alone():
    found = {"uri": CREATED["uri"], "cid": CREATED["cid"], "value": {}}
    pds = Imitation(
        com_atproto_repo_getRecord=[
            httpx.Response(200, json=found),
            xrpc_error(400, "RecordNotFound", "Could not locate record"),
        ]
    )
    connector = pds.connector()
    from datetime import UTC, datetime

    ref = connector.find_published("k", datetime.now(UTC))
    assert ref == RemoteRef(CREATED["uri"], "https://bsky.app/profile/alice.test/post/3lekupoyrqbnq",
                            {"cid": CREATED["cid"]})  # fmt: skip
    assert connector.find_published("other", datetime.now(UTC)) is None
    lookups = pds.called("com.atproto.repo.getRecord")
    assert [r.url.params["rkey"] for r in lookups] == [record_key("k"), record_key("other")]
    assert {r.url.params["repo"] for r in lookups} == {DID}


def test_it_uploads_images_and_embeds_them_with_alt_text_and_aspect_ratio():
    blob = {"$type": "blob", "ref": {"$link": "bafkreiblob"}, "mimeType": "image/png", "size": 90}
    pds = Imitation(
        com_atproto_repo_uploadBlob=httpx.Response(200, json={"blob": blob}),
        com_atproto_repo_createRecord=httpx.Response(200, json=CREATED),
    )
    first, second = png(40, 30), png(10, 20)
    post = PostDraft(
        text="Deux photos",
        media=(MediaItem(first, "image/png", "Sac de grains"), MediaItem(second, "image/png", "")),
        options={"aspect_ratios": [None, {"width": 1, "height": 2}]},
    )
    pds.connector().publish(post, "k")
    uploads = pds.called("com.atproto.repo.uploadBlob")
    assert [u.content for u in uploads] == [first, second]
    assert {u.headers["Content-Type"] for u in uploads} == {"image/png"}
    embed = body(pds.called("com.atproto.repo.createRecord")[0])["record"]["embed"]
    assert embed == {
        "$type": "app.bsky.embed.images",
        "images": [
            {"alt": "Sac de grains", "image": blob, "aspectRatio": {"width": 40, "height": 30}},
            {"alt": "", "image": blob, "aspectRatio": {"width": 1, "height": 2}},
        ],
    }


def test_it_refuses_a_video_before_sending_anything():
    pds = Imitation()
    post = PostDraft(text="vidéo", media=(MediaItem(b"\0" * 10, "video/mp4", "Torréfaction"),))
    with pytest.raises(NotSupported):
        pds.connector().publish(post, "k")
    assert pds.called("com.atproto.repo.createRecord") == []


def test_it_reports_a_timeout_before_the_create_as_safe_to_retry():
    def timeout(request):
        raise httpx.ReadTimeout("no answer", request=request)

    pds = Imitation(com_atproto_repo_uploadBlob=timeout)
    post = PostDraft(text="photo", media=(MediaItem(png(2, 2), "image/png", "Grains"),))
    with pytest.raises(ConnectorError) as caught:
        pds.connector().publish(post, "k")
    # Only an image upload was in doubt: no post can exist, so this is no OutcomeUnknown.
    assert not isinstance(caught.value, OutcomeUnknown)
    assert not caught.value.permanent


def test_it_threads_with_the_root_and_parent_it_is_given():
    root = RemoteRef("at://did:plc:a/app.bsky.feed.post/3kroot0000000", extra={"cid": "cid-root"})
    parent = RemoteRef("at://did:plc:a/app.bsky.feed.post/3kparent00000", extra={"cid": "cid-p"})
    pds = Imitation(com_atproto_repo_createRecord=httpx.Response(200, json=CREATED))
    pds.connector().publish(PostDraft(text="3/3", reply_to=parent, thread_root=root), "k")
    record = body(pds.called("com.atproto.repo.createRecord")[0])["record"]
    assert record["reply"] == {
        "root": {"uri": root.remote_id, "cid": "cid-root"},
        "parent": {"uri": parent.remote_id, "cid": "cid-p"},
    }
    assert pds.called("com.atproto.repo.getRecord") == []


def test_it_replies_under_the_root_of_the_post_it_answers():
    root = {"uri": "at://did:plc:a/app.bsky.feed.post/3kroot0000000", "cid": "cid-root"}
    comment = {
        "uri": "at://did:plc:bob/app.bsky.feed.post/3kcomment0000",
        "cid": "cid-comment",
        "value": {"text": "250 g ?", "reply": {"root": root, "parent": root}},
    }
    pds = Imitation(
        com_atproto_repo_getRecord=httpx.Response(200, json=comment),
        com_atproto_repo_createRecord=httpx.Response(200, json=CREATED),
    )
    connector = pds.connector()
    connector.reply(RemoteRef(comment["uri"]), "Oui !")
    connector.reply(RemoteRef(comment["uri"]), "Oui !")
    first, second = (body(r) for r in pds.called("com.atproto.repo.createRecord"))
    assert first["record"]["reply"] == {
        "root": root,
        "parent": {"uri": comment["uri"], "cid": "cid-comment"},
    }
    assert first["rkey"] == second["rkey"]  # the same reply, retried, is one record
    [lookup, _again] = pds.called("com.atproto.repo.getRecord")
    assert (lookup.url.params["repo"], lookup.url.params["rkey"]) == (
        "did:plc:bob",
        "3kcomment0000",
    )


def test_it_deletes_the_record_a_reference_names():
    pds = Imitation(com_atproto_repo_deleteRecord=httpx.Response(200, json={}))
    pds.connector().delete(RemoteRef(CREATED["uri"]))
    [sent] = pds.called("com.atproto.repo.deleteRecord")
    assert body(sent) == {"repo": DID, "collection": "app.bsky.feed.post", "rkey": "3lekupoyrqbnq"}


def test_it_refuses_a_reference_that_is_no_record():
    with pytest.raises(Rejected):
        Imitation().connector().delete(RemoteRef("https://bsky.app/profile/a/post/b"))


def test_it_verifies_who_the_app_password_acts_as():
    pds = Imitation(
        com_atproto_server_getSession=httpx.Response(200, json={"did": DID, "handle": "alice.test"})
    )
    identity = pds.connector().verify()
    assert (identity.remote_id, identity.handle) == (DID, "alice.test")
    assert identity.url == "https://bsky.app/profile/alice.test"


def test_it_validates_a_draft_in_graphemes():
    connector = BlueskyConnector(CREDENTIALS, httpx.Client())
    assert connector.validate(PostDraft(text="🇪🇹" * 300)) == []
    [problem] = connector.validate(PostDraft(text="é" * 301))
    assert (problem.code, problem.limit, problem.actual) == ("text_too_long", 300, 301)


def test_it_defaults_to_bsky_social_without_an_address():
    connector = BlueskyConnector(AccountCredentials(base_url="", username="a", token="t"),
                                 httpx.Client())  # fmt: skip
    assert connector.base == "https://bsky.social"


def test_it_offers_a_form_with_the_app_password_kept_secret():
    fields = {f.target: f for f in BlueskyConnector.credential_fields}
    assert set(fields) == {"base_url", "username", "token"}
    assert fields["token"].secret and not fields["username"].secret
    assert fields["base_url"].placeholder == "https://bsky.social"


def test_it_finds_connectors_in_the_one_registry():
    assert connector_class("bluesky") is BlueskyConnector
