"""Imitations of Mastodon's and Bluesky's HTTP side for the collection tests
(httpx.MockTransport: answers shaped after each network's documentation, not the
real servers)."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from tribune.networks import clients
from tribune.networks.bluesky import connector as bluesky_connector
from tribune.networks.contract import recorded
from tribune.networks.mastodon import connector as mastodon_connector


class Network:
    """Answers statuses (Mastodon) and getPosts (Bluesky) from `counts`; records requests.

    counts: remote id -> {"likes": n, "shares": n, "comments": n}; an id missing from
    it is a deleted post. `fail_with` answers every metrics request with that status.
    """

    def __init__(self):
        # The connectors' clock (the time of their readings): set by the test.
        self.now = datetime.now(UTC)
        self.counts: dict[str, dict[str, int]] = {}
        self.followers = 412
        self.fail_with: httpx.Response | None = None
        self.requests: list[httpx.Request] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if path.endswith("/com.atproto.server.createSession"):
            return httpx.Response(200, json=recorded("bluesky__create_session"))
        if self.fail_with is not None:
            return self.fail_with
        if path == "/api/v1/accounts/verify_credentials":
            return httpx.Response(200, json={**recorded("mastodon__account"),
                                             "followers_count": self.followers})  # fmt: skip
        if path.startswith("/api/v1/statuses/"):
            return self._status(path.rsplit("/", 1)[-1])
        if path.endswith("/app.bsky.feed.getPosts"):
            uris = request.url.params.get_list("uris")
            return httpx.Response(200, json={"posts": [self._post(u) for u in uris
                                                       if u in self.counts]})  # fmt: skip
        return httpx.Response(404, json={"error": "Record not found"})

    def _status(self, remote_id: str) -> httpx.Response:
        if remote_id not in self.counts:
            return httpx.Response(404, json={"error": "Record not found"})
        count = self.counts[remote_id]
        return httpx.Response(200, json={
            "id": remote_id, "url": f"https://mastodon.example/@lumen/{remote_id}",
            "favourites_count": count.get("likes", 0), "reblogs_count": count.get("shares", 0),
            "replies_count": count.get("comments", 0),
        })  # fmt: skip

    def _post(self, uri: str) -> dict:
        count = self.counts[uri]
        return {"uri": uri, "cid": "bafy", "likeCount": count.get("likes", 0),
                "repostCount": count.get("shares", 0), "replyCount": count.get("comments", 0),
                "quoteCount": 0}  # fmt: skip

    def sent(self, path_part: str) -> list[httpx.Request]:
        return [r for r in self.requests if path_part in r.url.path]

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self.handler))


def install(monkeypatch) -> Network:
    """Every connector Tribune builds talks to a new imitation, on the imitation's clock."""
    imitation = Network()

    class Clock(datetime):
        @classmethod
        def now(cls, tz=None) -> datetime:
            return imitation.now

    monkeypatch.setattr(clients, "http_client", imitation.client)
    for module in (mastodon_connector, bluesky_connector):
        monkeypatch.setattr(module, "datetime", Clock)
    return imitation
