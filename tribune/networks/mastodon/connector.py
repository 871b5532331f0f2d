"""Mastodon, through its documented REST API (docs.joinmastodon.org/methods/statuses/).

Publishing sends an `Idempotency-Key` header: Mastodon keeps keys for an hour
and answers a repeated key with the status it already made, so a publish whose
outcome is unknown may be retried with the same key within that hour.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime

import httpx

from ..base import (
    AccountCredentials,
    Capability,
    Connector,
    MetricSnapshot,
    PostDraft,
    PublishResult,
    RemoteRef,
)
from ..http import send


class MastodonConnector(Connector):
    key = "mastodon"
    label = "Mastodon"
    capabilities = frozenset({Capability.PUBLISH, Capability.METRICS, Capability.REPLY})
    idempotent_publish = True

    def __init__(self, account: AccountCredentials, http: httpx.Client):
        super().__init__(account, http)
        self.base = account.base_url.rstrip("/")

    def _request(self, method: str, path: str, **kwargs) -> httpx.Request:
        headers = {"Authorization": f"Bearer {self.account.token}", **kwargs.pop("headers", {})}
        return self.http.build_request(method, f"{self.base}{path}", headers=headers, **kwargs)

    def publish(self, post: PostDraft, idempotency_key: str) -> PublishResult:
        body: dict = {"status": post.text, "visibility": post.options.get("visibility", "public")}
        if post.reply_to:
            body["in_reply_to_id"] = post.reply_to.remote_id
        request = self._request(
            "POST", "/api/v1/statuses", json=body, headers={"Idempotency-Key": idempotency_key}
        )
        status = send(self.http, request).json()
        return PublishResult(ref=_ref(status), published_at=_when(status), status=200)

    def reply(self, to: RemoteRef, text: str) -> RemoteRef:
        # The key depends only on what is sent, so a retried reply is not posted twice.
        digest = hashlib.sha256(f"{to.remote_id}\n{text}".encode()).hexdigest()
        return self.publish(PostDraft(text=text, reply_to=to), f"reply-{digest}").ref

    def fetch_metrics(self, refs: Sequence[RemoteRef]) -> list[MetricSnapshot]:
        snapshots = []
        for ref in refs:
            status = send(
                self.http, self._request("GET", f"/api/v1/statuses/{ref.remote_id}")
            ).json()
            raw = {
                "favourites_count": int(status.get("favourites_count", 0)),
                "reblogs_count": int(status.get("reblogs_count", 0)),
                "replies_count": int(status.get("replies_count", 0)),
            }
            values = {
                "likes": raw["favourites_count"],
                "shares": raw["reblogs_count"],
                "comments": raw["replies_count"],
            }
            snapshots.append(MetricSnapshot(ref=ref, taken_at=datetime.now(UTC), values=values,
                                            raw=raw))  # fmt: skip
        return snapshots


def _ref(status: dict) -> RemoteRef:
    return RemoteRef(remote_id=str(status["id"]), url=status.get("url") or status.get("uri", ""))


def _when(status: dict) -> datetime | None:
    created = status.get("created_at")
    return datetime.fromisoformat(created.replace("Z", "+00:00")) if created else None
