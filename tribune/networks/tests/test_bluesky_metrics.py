"""Bluesky's counts in Tribune's vocabulary, against answers shaped after docs.bsky.app
(httpx.MockTransport: an imitation; a PDS started by the suite has no AppView, so
app.bsky.* reads cannot be tried against a real server here)."""

from datetime import UTC, datetime

import httpx
import pytest

from tribune.networks.base import RemoteRef
from tribune.networks.bluesky import reading
from tribune.networks.bluesky.connector import BlueskyConnector
from tribune.networks.contract import recorded
from tribune.networks.errors import ConnectorError

from .test_bluesky import CREDENTIALS, DID, Imitation, xrpc_error

POST = "at://did:plc:fod4jfftmcyj7xdz3cfi6rrb/app.bsky.feed.post/3lekupoyrqbnq"


def test_it_maps_likes_reposts_quotes_and_replies_and_keeps_bluesky_s_names():
    [snapshot] = BlueskyConnector(CREDENTIALS, _client(Imitation(
        app_bsky_feed_getPosts=httpx.Response(200, json=recorded("bluesky__get_posts")),
    ))).fetch_metrics([RemoteRef(POST)])  # fmt: skip
    # A quote shares the post with the quoter's words: counted with the reposts.
    assert snapshot.values == {"likes": 17, "shares": 5 + 1, "comments": 2}
    assert snapshot.raw == {"likeCount": 17, "repostCount": 5, "replyCount": 2, "quoteCount": 1}


def test_it_reads_the_account_s_followers_from_its_profile():
    imitation = Imitation(
        app_bsky_actor_getProfile=httpx.Response(200, json=recorded("bluesky__get_profile"))
    )
    snapshot = BlueskyConnector(CREDENTIALS, _client(imitation)).fetch_account_metrics()
    [asked] = [r for r in imitation.sent if r.url.path.endswith("getProfile")]
    assert asked.url.params["actor"] == DID
    assert asked.headers["Authorization"].startswith("Bearer ")
    assert snapshot.ref == RemoteRef(DID, "https://bsky.app/profile/brulerie.bsky.social")
    assert snapshot.values == {"followers": 1284}
    assert snapshot.raw == {"followersCount": 1284}


def test_it_fails_plainly_without_an_appview():
    # A PDS with no AppView behind it cannot answer app.bsky.* reads.
    imitation = Imitation(app_bsky_actor_getProfile=xrpc_error(502, "UpstreamFailure"))
    with pytest.raises(ConnectorError):
        BlueskyConnector(CREDENTIALS, _client(imitation)).fetch_account_metrics()


def test_it_reads_a_profile_without_a_count_as_zero_followers():
    snapshot = reading.account_snapshot("did:plc:x", {"did": "did:plc:x"}, datetime.now(UTC))
    assert snapshot.values == {"followers": 0}
    assert snapshot.ref.url == "https://bsky.app/profile/did:plc:x"


def _client(imitation: Imitation) -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(imitation))
