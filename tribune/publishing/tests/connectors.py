"""Two connectors that exist only in these tests, to drive the engine through the retry rules
that Mastodon (idempotency key, no search) cannot show.

- FindableConnector: takes no idempotency key but leaves it as a marker on the post, which
  `find_published` searches for (as the WordPress connector does with a slug).
- BlindConnector: neither an idempotency key nor a search (a doubt can only go to a person);
  no threads and no replies.

Both speak a made-up REST API at https://findable.example and https://blind.example through
`send()`, so the scripted network (httpx.MockTransport, an imitation) answers them and typed
errors come from the same place as for a real connector. The `test_networks` fixture registers
them in the connector registry.
"""

from __future__ import annotations

from datetime import datetime

from tribune.networks.base import Capability, Connector, PostDraft, PublishResult, RemoteRef
from tribune.networks.http import send


class _MadeUpNetwork(Connector):
    base = ""

    def publish(self, post: PostDraft, idempotency_key: str) -> PublishResult:
        body = {"text": post.text, "marker": idempotency_key}
        if post.reply_to:
            body["parent"] = post.reply_to.remote_id
        if post.thread_root:
            body["root"] = post.thread_root.remote_id
        request = self.http.build_request("POST", f"{self.base}/posts", json=body)
        response = send(self.http, request)
        item = response.json()
        return PublishResult(RemoteRef(str(item["id"]), item["url"]), status=response.status_code)


class FindableConnector(_MadeUpNetwork):
    key = "findable"
    label = "Findable"
    capabilities = frozenset({Capability.PUBLISH, Capability.REPLY, Capability.THREAD})
    base = "https://findable.example"

    def find_published(self, idempotency_key: str, since: datetime) -> RemoteRef | None:
        params = {"marker": idempotency_key, "since": since.isoformat()}
        request = self.http.build_request("GET", f"{self.base}/posts", params=params)
        items = send(self.http, request).json()
        return RemoteRef(str(items[0]["id"]), items[0]["url"]) if items else None

    def reply(self, to: RemoteRef, text: str) -> RemoteRef:
        request = self.http.build_request(
            "POST", f"{self.base}/posts/{to.remote_id}/comments", json={"text": text}
        )
        item = send(self.http, request).json()
        return RemoteRef(str(item["id"]), item["url"])


class BlindConnector(_MadeUpNetwork):
    key = "blind"
    label = "Blind"
    capabilities = frozenset({Capability.PUBLISH})
    base = "https://blind.example"


REGISTRY = {
    FindableConnector.key: f"{__name__}.FindableConnector",
    BlindConnector.key: f"{__name__}.BlindConnector",
}
