"""Bluesky connector against a REAL PDS (npm @atproto/dev-env, started once per xdist worker).

What was published is read back through com.atproto.repo.* and sync.getBlob:
the test PDS has no AppView, so metrics and the inbox are tested elsewhere
against documented shapes (test_bluesky_reading.py).
"""

import io
import os
from datetime import UTC, datetime

import httpx
import pytest
from PIL import Image

from tribune.networks.base import AccountCredentials, MediaItem, PostDraft
from tribune.networks.bluesky.connector import BlueskyConnector
from tribune.networks.bluesky.record_key import record_key
from tribune.networks.errors import AuthExpired, Rejected
from tribune.testing.fixtures import require

pytestmark = [pytest.mark.real_server, pytest.mark.slow]

POST = "app.bsky.feed.post"


@pytest.fixture(scope="session")
def bluesky_server():
    """A real PDS with alice.test (app password) and bob.test; one per xdist worker."""
    from tribune.testing.servers import bluesky

    require(bluesky.missing_reason())
    server = bluesky.start_pds(os.environ.get("PYTEST_XDIST_WORKER", "main"))
    yield server.pds
    server.stop()


@pytest.fixture(scope="module")
def http():
    with httpx.Client(timeout=15) as client:
        yield client


def connector_for(pds, http, password: str | None = None) -> BlueskyConnector:
    account = AccountCredentials(
        base_url=pds.url,
        username=pds.alice.handle,
        token=pds.alice.app_password if password is None else password,
    )
    return BlueskyConnector(account, http)


@pytest.fixture(scope="module")
def alice(bluesky_server, http) -> BlueskyConnector:
    # One connector, so one session, for the module: as the publisher uses it.
    return connector_for(bluesky_server, http)


def get_record(pds, uri: str) -> dict:
    repo, collection, rkey = uri.removeprefix("at://").split("/")
    response = httpx.get(
        f"{pds.url}/xrpc/com.atproto.repo.getRecord",
        params={"repo": repo, "collection": collection, "rkey": rkey},
    )
    assert response.status_code == 200, response.text
    return response.json()


def list_posts(pds) -> list[dict]:
    records, cursor = [], None
    while True:
        params = {"repo": pds.alice.did, "collection": POST, "limit": 100}
        response = httpx.get(
            f"{pds.url}/xrpc/com.atproto.repo.listRecords",
            params={**params, **({"cursor": cursor} if cursor else {})},
        )
        assert response.status_code == 200, response.text
        page = response.json()
        records += page["records"]
        cursor = page.get("cursor")
        if not cursor or not page["records"]:
            return records


def sliced(text: str, facet: dict) -> str:
    index = facet["index"]
    return text.encode()[index["byteStart"] : index["byteEnd"]].decode()


def png(width: int, height: int, colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


def test_it_verifies_the_app_password(bluesky_server, alice):
    identity = alice.verify()
    assert (identity.remote_id, identity.handle) == (bluesky_server.alice.did, "alice.test")


def test_it_publishes_rich_text_with_exact_byte_ranges(bluesky_server, alice):
    text = (
        "Été ☕🇪🇹 chez @bob.test : https://brulerie.example/guji?o=1. "
        "#CaféDuMatin (et @nobody.test)"
    )
    result = alice.publish(PostDraft(text=text), "rich-text")
    record = get_record(bluesky_server, result.ref.remote_id)
    assert record["cid"] == result.ref.extra["cid"]
    assert result.ref.url == f"https://bsky.app/profile/alice.test/post/{record_key('rich-text')}"
    value = record["value"]
    assert value["text"] == text
    facets = value["facets"]
    assert [sliced(text, f) for f in facets] == [
        "@bob.test", "https://brulerie.example/guji?o=1", "#CaféDuMatin",
    ]  # fmt: skip
    assert [f["features"] for f in facets] == [
        [{"$type": "app.bsky.richtext.facet#mention", "did": bluesky_server.bob.did}],
        [{"$type": "app.bsky.richtext.facet#link", "uri": "https://brulerie.example/guji?o=1"}],
        [{"$type": "app.bsky.richtext.facet#tag", "tag": "CaféDuMatin"}],
    ]
    # Bytes, not characters: "Été ☕🇪🇹 chez " is 13 characters and 23 bytes.
    assert text.index("@bob.test") == 13
    assert facets[0]["index"]["byteStart"] == 23


def test_it_publishes_images_with_alt_text_and_their_blobs_are_served(bluesky_server, alice):
    photos = (png(64, 48, "#6f4e37"), png(30, 60, "#c0a080"))
    post = PostDraft(
        text="Deux torréfactions",
        media=(
            MediaItem(photos[0], "image/png", "Grains torréfiés, robe brune", "a.png"),
            MediaItem(photos[1], "image/png", "Sac de jute", "b.png"),
        ),
    )
    result = alice.publish(post, "images")
    embed = get_record(bluesky_server, result.ref.remote_id)["value"]["embed"]
    assert embed["$type"] == "app.bsky.embed.images"
    assert [i["alt"] for i in embed["images"]] == ["Grains torréfiés, robe brune", "Sac de jute"]
    assert [i["aspectRatio"] for i in embed["images"]] == [
        {"width": 64, "height": 48}, {"width": 30, "height": 60},
    ]  # fmt: skip
    for image, photo in zip(embed["images"], photos, strict=True):
        blob = httpx.get(
            f"{bluesky_server.url}/xrpc/com.atproto.sync.getBlob",
            params={"did": bluesky_server.alice.did, "cid": image["image"]["ref"]["$link"]},
        )
        assert blob.status_code == 200
        assert blob.content == photo


def test_it_publishes_a_thread_of_three_and_a_reply_under_its_root(bluesky_server, alice):
    root = alice.publish(PostDraft(text="1/3 Notre nouvelle origine"), "thread-1").ref
    second = alice.publish(
        PostDraft(text="2/3 Guji, Éthiopie", reply_to=root, thread_root=root), "thread-2"
    ).ref
    third = alice.publish(
        PostDraft(text="3/3 En boutique jeudi", reply_to=second, thread_root=root), "thread-3"
    ).ref
    strong = {ref.remote_id: {"uri": ref.remote_id, "cid": ref.extra["cid"]}
              for ref in (root, second, third)}  # fmt: skip
    assert "reply" not in get_record(bluesky_server, root.remote_id)["value"]
    assert get_record(bluesky_server, second.remote_id)["value"]["reply"] == {
        "root": strong[root.remote_id], "parent": strong[root.remote_id],
    }  # fmt: skip
    assert get_record(bluesky_server, third.remote_id)["value"]["reply"] == {
        "root": strong[root.remote_id], "parent": strong[second.remote_id],
    }  # fmt: skip
    # A reply given only its parent finds the thread's root by reading the parent.
    answer = alice.reply(third.__class__(third.remote_id), "Merci de nous suivre !")
    assert get_record(bluesky_server, answer.remote_id)["value"]["reply"] == {
        "root": strong[root.remote_id], "parent": strong[third.remote_id],
    }  # fmt: skip


def test_it_makes_one_record_however_often_a_key_is_published(bluesky_server, alice, http):
    before = len(list_posts(bluesky_server))
    first = alice.publish(PostDraft(text="Une seule fois"), "twice")
    # A retry, as after an unknown outcome: another connector instance, the same key.
    again = connector_for(bluesky_server, http).publish(PostDraft(text="Une seule fois"), "twice")
    assert again.ref == first.ref
    posts = list_posts(bluesky_server)
    assert len(posts) == before + 1
    assert [p["uri"] for p in posts].count(first.ref.remote_id) == 1


def test_it_finds_a_publication_by_its_key(bluesky_server, alice):
    since = datetime.now(UTC)
    published = alice.publish(PostDraft(text="À retrouver"), "findable").ref
    assert alice.find_published("findable", since) == published
    assert alice.find_published("never-published", since) is None


def test_it_deletes_a_post(bluesky_server, alice):
    ref = alice.publish(PostDraft(text="Éphémère"), "to-delete").ref
    alice.delete(ref)
    repo, collection, rkey = ref.remote_id.removeprefix("at://").split("/")
    response = httpx.get(
        f"{bluesky_server.url}/xrpc/com.atproto.repo.getRecord",
        params={"repo": repo, "collection": collection, "rkey": rkey},
    )
    assert (response.status_code, response.json()["error"]) == (400, "RecordNotFound")
    assert alice.find_published("to-delete", datetime.now(UTC)) is None


def test_it_refreshes_a_refused_token_against_the_real_pds(bluesky_server, http):
    connector = connector_for(bluesky_server, http)
    connector.verify()
    # As if the access token had expired: the PDS refuses it with a 400.
    connector._session = {**connector._session, "accessJwt": "not-a-valid-token"}
    assert connector.verify().handle == "alice.test"


def test_it_asks_for_a_reconnection_with_a_wrong_app_password(bluesky_server, http):
    connector = connector_for(bluesky_server, http, password="aaaa-bbbb-cccc-dddd")
    with pytest.raises(AuthExpired) as caught:
        connector.verify()
    assert "aaaa-bbbb-cccc-dddd" not in caught.value.message
    with pytest.raises(AuthExpired):
        connector.publish(PostDraft(text="jamais"), "wrong-password")


def test_it_passes_on_the_pds_refusal_of_an_invalid_post(bluesky_server, alice):
    with pytest.raises(Rejected) as caught:
        alice.publish(PostDraft(text="x" * 3001), "too-long")
    assert "InvalidRequest" in caught.value.message
