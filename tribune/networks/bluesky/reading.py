"""Reading Bluesky's AppView answers into Tribune's dataclasses (pure functions, no I/O).

Shapes: app.bsky.feed.defs#postView (app.bsky.feed.getPosts),
app.bsky.actor.defs#profileViewDetailed (app.bsky.actor.getProfile) and
app.bsky.notification.listNotifications#notification.
https://docs.bsky.app/docs/api/app-bsky-feed-get-posts
https://docs.bsky.app/docs/api/app-bsky-actor-get-profile
https://docs.bsky.app/docs/api/app-bsky-notification-list-notifications
"""

from __future__ import annotations

from datetime import datetime

from ..base import InboxItem, MetricSnapshot, RemoteRef

APP_URL = "https://bsky.app"
# Notifications that are something said to the account; likes, reposts and follows are not.
CONVERSATION_REASONS = frozenset({"reply", "mention", "quote"})


def post_url(uri: str, handle: str = "") -> str:
    """Return the bsky.app address of the post at `uri` (its author's handle, else DID)."""
    repo, _collection, rkey = split_uri(uri)
    return f"{APP_URL}/profile/{handle or repo}/post/{rkey}"


def split_uri(uri: str) -> tuple[str, str, str]:
    """Return (repo, collection, record key) of an at:// URI; ValueError when it is not one."""
    if not uri.startswith("at://"):
        raise ValueError(f"not an at:// URI: {uri!r}")
    parts = uri[len("at://") :].split("/")
    if len(parts) != 3 or not all(parts):
        raise ValueError(f"not a record's at:// URI: {uri!r}")
    return parts[0], parts[1], parts[2]


def ref(uri: str, cid: str, handle: str = "") -> RemoteRef:
    return RemoteRef(remote_id=uri, url=post_url(uri, handle), extra={"cid": cid} if cid else {})


def snapshot(item: RemoteRef, post: dict, taken_at: datetime) -> MetricSnapshot:
    """Return the counts of a postView in Tribune's words, the network's own beside them."""
    raw = {
        name: int(post.get(name) or 0)
        for name in ("likeCount", "repostCount", "replyCount", "quoteCount")
    }
    values = {
        "likes": raw["likeCount"],
        # A quote shares the post with the quoter's own words: a share all the same.
        "shares": raw["repostCount"] + raw["quoteCount"],
        "comments": raw["replyCount"],
    }
    return MetricSnapshot(ref=item, taken_at=taken_at, values=values, raw=raw)


def account_snapshot(did: str, profile: dict, taken_at: datetime) -> MetricSnapshot:
    """Return an account's followers from a profileViewDetailed (app.bsky.actor.getProfile)."""
    followers = int(profile.get("followersCount") or 0)
    handle = profile.get("handle") or did
    return MetricSnapshot(
        ref=RemoteRef(did, url=f"{APP_URL}/profile/{handle}"),
        taken_at=taken_at,
        values={"followers": followers},
        raw={"followersCount": followers},
    )


def inbox_item(notification: dict) -> InboxItem | None:
    """Return the reply, mention or quote a notification carries (None for other reasons)."""
    if notification.get("reason") not in CONVERSATION_REASONS:
        return None
    author = notification.get("author") or {}
    record = notification.get("record") or {}
    handle = author.get("handle") or author.get("did", "")
    parent = (record.get("reply") or {}).get("parent")
    return InboxItem(
        ref=ref(notification["uri"], notification.get("cid", ""), handle),
        author=handle,
        text=record.get("text", ""),
        created_at=when(record.get("createdAt") or notification["indexedAt"]),
        in_reply_to=ref(parent["uri"], parent.get("cid", "")) if parent else None,
    )


def when(value: str) -> datetime:
    """Parse an atproto datetime ("2026-11-26T09:30:00.000Z")."""
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
