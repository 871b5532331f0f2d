"""Bluesky metrics and inbox, against answers shaped after the AppView's documented lexicons
(app.bsky.feed.getPosts, app.bsky.notification.listNotifications).

An imitation (httpx.MockTransport): the test PDS has no AppView, so these reads
cannot run against the real server here.
"""

from datetime import datetime

import httpx

from tribune.networks.base import RemoteRef
from tribune.networks.contract import recorded
from tribune.networks.tests.test_bluesky import CREATED, Imitation


def test_it_maps_counts_onto_tribunes_vocabulary():
    pds = Imitation(app_bsky_feed_getPosts=httpx.Response(200, json=recorded("bluesky__get_posts")))
    ref = RemoteRef(CREATED["uri"], extra={"cid": CREATED["cid"]})
    [snapshot] = pds.connector().fetch_metrics([ref])
    assert snapshot.ref == ref
    assert snapshot.values == {"likes": 17, "shares": 6, "comments": 2}
    assert snapshot.raw == {"likeCount": 17, "repostCount": 5, "replyCount": 2, "quoteCount": 1}
    [request] = pds.called("app.bsky.feed.getPosts")
    assert request.url.params.get_list("uris") == [CREATED["uri"]]


def test_it_asks_for_at_most_25_posts_at_a_time_and_skips_vanished_ones():
    refs = [RemoteRef(f"at://did:plc:a/app.bsky.feed.post/3k{n:011d}") for n in range(30)]
    pds = Imitation(app_bsky_feed_getPosts=httpx.Response(200, json={"posts": []}))
    assert pds.connector().fetch_metrics(refs) == []
    batches = [r.url.params.get_list("uris") for r in pds.called("app.bsky.feed.getPosts")]
    assert [len(batch) for batch in batches] == [25, 5]


def test_it_keeps_replies_mentions_and_quotes_from_the_notifications():
    pds = Imitation(
        app_bsky_notification_listNotifications=[
            httpx.Response(200, json=recorded("bluesky__list_notifications")),
            httpx.Response(200, json={"notifications": []}),
        ]
    )
    reply, mention = pds.connector().fetch_inbox()
    assert reply.author == "bob.bsky.social"
    assert reply.text == "Il est dispo en 250 g ?"
    assert reply.created_at.isoformat() == "2026-11-26T10:20:00+00:00"
    assert reply.ref.remote_id.endswith("/3lbobreply000")
    assert reply.ref.url == "https://bsky.app/profile/bob.bsky.social/post/3lbobreply000"
    assert reply.ref.extra == {"cid": "bafyreibobreplycid"}
    assert reply.in_reply_to.remote_id == CREATED["uri"]
    assert reply.in_reply_to.extra == {"cid": CREATED["cid"]}
    assert (mention.author, mention.in_reply_to) == ("dave.example", None)
    second_page = pds.called("app.bsky.notification.listNotifications")[1]
    assert second_page.url.params["cursor"] == "2026-11-26T10:15:00.000Z"


def test_it_stops_at_notifications_older_than_since():
    pds = Imitation(
        app_bsky_notification_listNotifications=httpx.Response(
            200, json=recorded("bluesky__list_notifications")
        )
    )
    since = datetime.fromisoformat("2026-11-26T10:17:00+00:00")
    [reply] = pds.connector().fetch_inbox(since)
    assert reply.text == "Il est dispo en 250 g ?"
    assert len(pds.called("app.bsky.notification.listNotifications")) == 1
