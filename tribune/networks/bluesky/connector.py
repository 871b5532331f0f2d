"""Bluesky, through XRPC on the account's PDS (plain HTTP; no atproto client library).

- Sessions: `com.atproto.server.createSession` with the handle and an app
  password gives an access and a refresh token, kept in this instance: the
  network limits session creation (30 per 5 minutes, 300 a day per account), so
  one instance logs in at most once and refreshes once when a token expires
  (`com.atproto.server.refreshSession`).
- Idempotency: the post's record key is derived from the idempotency key
  (record_key.py says how and why it is a TID). A repository holds one record
  per key, so a repeated create cannot make a second post: the PDS refuses it
  (the reference PDS with a 500) and the connector reads the first one back with
  `com.atproto.repo.getRecord`. So `idempotent_publish` holds for ever, and
  `find_published` is one getRecord of that key.
- Rich text: links, mentions and hashtags become facets (facets.py); a mention
  whose handle does not resolve stays plain text.
- Metrics and the inbox come from the AppView (app.bsky.*), which the PDS
  forwards them to.

https://docs.bsky.app/docs/advanced-guides/posts
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime
from io import BytesIO

import httpx
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..base import (
    AccountCredentials,
    AccountIdentity,
    AuthKind,
    Capability,
    Connector,
    CredentialField,
    InboxItem,
    MediaItem,
    MetricSnapshot,
    PostDraft,
    PublishResult,
    RemoteRef,
)
from ..errors import AuthExpired, ConnectorError, NotSupported, OutcomeUnknown, Rejected
from ..http import send
from . import reading
from .facets import Kind, detect, facet
from .record_key import record_key
from .xrpc import raise_for_xrpc

DEFAULT_SERVICE = "https://bsky.social"
POST = "app.bsky.feed.post"
GET_POSTS_MAX = 25  # uris per app.bsky.feed.getPosts
INBOX_PAGE = 50
INBOX_MAX_PAGES = 10


class BlueskyConnector(Connector):
    key = "bluesky"
    label = "Bluesky"
    capabilities = frozenset(
        {
            Capability.PUBLISH,
            Capability.THREAD,
            Capability.REPLY,
            Capability.DELETE,
            Capability.METRICS,
            Capability.INBOX,
        }
    )
    auth = AuthKind.PASSWORD
    credential_fields = (
        CredentialField(
            "base_url",
            gettext_lazy("PDS address"),
            placeholder=DEFAULT_SERVICE,
            help_text=gettext_lazy("Where the account lives: https://bsky.social for most."),
        ),
        CredentialField("username", gettext_lazy("Handle"), placeholder="brand.bsky.social"),
        CredentialField(
            "token",
            gettext_lazy("App password"),
            secret=True,
            help_text=gettext_lazy(
                "Create one in Bluesky under Settings, Privacy and security, App passwords."
            ),
        ),
    )
    idempotent_publish = True

    def __init__(self, account: AccountCredentials, http: httpx.Client):
        super().__init__(account, http)
        self.base = (account.base_url or DEFAULT_SERVICE).rstrip("/")
        self._session: dict | None = None

    # -- what Tribune asks -------------------------------------------------------------

    def verify(self) -> AccountIdentity:
        session = self._xrpc("GET", "com.atproto.server.getSession")
        handle = session.get("handle", "")
        return AccountIdentity(
            remote_id=session["did"], handle=handle, url=f"{reading.APP_URL}/profile/{handle}"
        )

    def publish(self, post: PostDraft, idempotency_key: str) -> PublishResult:
        rkey = record_key(idempotency_key)
        record = self._prepare(post)
        body = {"repo": self._did(), "collection": POST, "rkey": rkey, "record": record}
        try:
            created = self._xrpc("POST", "com.atproto.repo.createRecord", json=body)
        except (Rejected, OutcomeUnknown) as failure:
            # Taken already means an earlier attempt made it: answer with that post.
            earlier = self._record_or_none(rkey, failure)
            if earlier is None:
                raise
            return PublishResult(
                ref=self._own_ref(earlier["uri"], earlier.get("cid", "")),
                published_at=_created_at(earlier),
                status=200,
            )
        return PublishResult(
            ref=self._own_ref(created["uri"], created["cid"]),
            published_at=reading.when(record["createdAt"]),
            status=200,
        )

    def find_published(self, idempotency_key: str, since: datetime) -> RemoteRef | None:
        """The key names the record exactly: `since` is not needed to find it."""
        found = self._record_or_none(record_key(idempotency_key))
        return self._own_ref(found["uri"], found.get("cid", "")) if found else None

    def reply(self, to: RemoteRef, text: str) -> RemoteRef:
        # The key depends only on what is sent, so a retried reply is not posted twice.
        digest = hashlib.sha256(f"{to.remote_id}\n{text}".encode()).hexdigest()
        return self.publish(PostDraft(text=text, reply_to=to), f"reply-{digest}").ref

    def delete(self, ref: RemoteRef) -> None:
        repo, collection, rkey = _split(ref.remote_id)
        self._xrpc(
            "POST",
            "com.atproto.repo.deleteRecord",
            json={"repo": repo, "collection": collection, "rkey": rkey},
        )

    def fetch_metrics(self, refs: Sequence[RemoteRef]) -> list[MetricSnapshot]:
        snapshots = []
        for start in range(0, len(refs), GET_POSTS_MAX):
            batch = refs[start : start + GET_POSTS_MAX]
            answer = self._xrpc(
                "GET", "app.bsky.feed.getPosts", params=[("uris", item.remote_id) for item in batch]
            )
            posts = {post["uri"]: post for post in answer.get("posts", [])}
            taken_at = datetime.now(UTC)
            # A deleted or hidden post is left out of the answer: no snapshot for it.
            snapshots += [
                reading.snapshot(item, posts[item.remote_id], taken_at)
                for item in batch
                if item.remote_id in posts
            ]
        return snapshots

    def fetch_account_metrics(self) -> MetricSnapshot:
        """Followers of the account (app.bsky.actor.getProfile, answered by the AppView the
        PDS forwards to; a PDS without one answers with an error)."""
        did = self._did()
        profile = self._xrpc("GET", "app.bsky.actor.getProfile", params={"actor": did})
        return reading.account_snapshot(did, profile, datetime.now(UTC))

    def fetch_inbox(self, since: datetime | None = None) -> list[InboxItem]:
        """Replies, mentions and quotes, newest first, back to `since` (at most 500)."""
        items: list[InboxItem] = []
        cursor = None
        for _page in range(INBOX_MAX_PAGES):
            params = {"limit": INBOX_PAGE, **({"cursor": cursor} if cursor else {})}
            answer = self._xrpc("GET", "app.bsky.notification.listNotifications", params=params)
            notifications = answer.get("notifications", [])
            for notification in notifications:
                if since and reading.when(notification["indexedAt"]) < since:
                    return items
                item = reading.inbox_item(notification)
                if item is not None:
                    items.append(item)
            cursor = answer.get("cursor")
            if not cursor or not notifications:
                break
        return items

    # -- the post record ---------------------------------------------------------------

    def _prepare(self, post: PostDraft) -> dict:
        """Return the app.bsky.feed.post record; uploads images, resolves mentions and parents.

        Nothing is published yet: a doubtful answer here is only a retryable failure.
        """
        try:
            record: dict = {"$type": POST, "text": post.text, "createdAt": _now()}
            facets = self._facets(post.text)
            if facets:
                record["facets"] = facets
            if post.media:
                record["embed"] = self._images(post.media, post.options.get("aspect_ratios"))
            if post.reply_to:
                record["reply"] = self._reply_refs(post.reply_to, post.thread_root)
            if post.options.get("langs"):
                record["langs"] = list(post.options["langs"])
        except OutcomeUnknown as doubt:
            raise ConnectorError(doubt.message, status=doubt.status) from None
        return record

    def _facets(self, text: str) -> list[dict]:
        facets = []
        dids: dict[str, str | None] = {}
        for span in detect(text):
            if span.kind is not Kind.MENTION:
                facets.append(facet(span))
                continue
            if span.value not in dids:
                dids[span.value] = self._resolve(span.value)
            if dids[span.value]:
                facets.append(facet(span, did=dids[span.value]))
        return facets

    def _resolve(self, handle: str) -> str | None:
        try:
            answer = self._xrpc(
                "GET",
                "com.atproto.identity.resolveHandle",
                params={"handle": handle},
                authenticated=False,
            )
        except Rejected:
            return None  # no such account: the mention stays plain text
        return answer.get("did")

    def _images(self, media: Sequence[MediaItem], ratios: Sequence | None) -> dict:
        images = []
        for position, item in enumerate(media):
            if not item.mime_type.startswith("image/"):
                raise NotSupported(_("Bluesky videos cannot be published from Tribune yet."))
            blob = self._xrpc(
                "POST",
                "com.atproto.repo.uploadBlob",
                content=item.content,
                content_type=item.mime_type,
            )["blob"]
            image = {"alt": item.alt_text, "image": blob}
            ratio = _given_ratio(ratios, position) or _measured_ratio(item.content)
            if ratio:
                image["aspectRatio"] = {"width": ratio[0], "height": ratio[1]}
            images.append(image)
        return {"$type": "app.bsky.embed.images", "images": images}

    def _reply_refs(self, parent: RemoteRef, root: RemoteRef | None) -> dict:
        """Return record.reply: strong references (uri + cid) to the thread's root and parent."""
        if root is not None:
            return {"root": self._strong_ref(root), "parent": self._strong_ref(parent)}
        # Replying without naming the root: the parent's own root, or the parent itself.
        record = self._record_of(parent.remote_id)
        parent_ref = {"uri": record["uri"], "cid": record["cid"]}
        parent_root = (record.get("value", {}).get("reply") or {}).get("root")
        return {"root": parent_root or parent_ref, "parent": parent_ref}

    def _strong_ref(self, item: RemoteRef) -> dict:
        if item.extra.get("cid"):
            return {"uri": item.remote_id, "cid": item.extra["cid"]}
        record = self._record_of(item.remote_id)
        return {"uri": record["uri"], "cid": record["cid"]}

    # -- records -----------------------------------------------------------------------

    def _record_of(self, uri: str) -> dict:
        repo, collection, rkey = _split(uri)
        return self._xrpc(
            "GET",
            "com.atproto.repo.getRecord",
            params={"repo": repo, "collection": collection, "rkey": rkey},
        )

    def _record_or_none(self, rkey: str, failure: ConnectorError | None = None) -> dict | None:
        """Return this account's post under `rkey`, None when there is none.

        With `failure` (a create that failed), a lookup that cannot tell re-raises it.
        """
        try:
            return self._record_of(f"at://{self._did()}/{POST}/{rkey}")
        except Rejected as refused:
            if refused.status == 400 and refused.message.startswith("RecordNotFound"):
                return None
            if failure is not None:
                raise failure from None
            raise
        except ConnectorError:
            if failure is not None:
                raise failure from None
            raise

    def _own_ref(self, uri: str, cid: str) -> RemoteRef:
        return reading.ref(uri, cid, (self._session or {}).get("handle", ""))

    # -- XRPC and the session ----------------------------------------------------------

    def _xrpc(
        self,
        method: str,
        nsid: str,
        *,
        params: dict | list | None = None,
        json: dict | None = None,
        content: bytes | None = None,
        content_type: str = "",
        authenticated: bool = True,
    ) -> dict:
        """Call `nsid`; refresh an expired session once. Returns the JSON answer ({} if none)."""

        def call() -> httpx.Response:
            headers = {"Content-Type": content_type} if content_type else {}
            if authenticated:
                headers["Authorization"] = f"Bearer {self._access_token()}"
            request = self.http.build_request(
                method,
                f"{self.base}/xrpc/{nsid}",
                params=params,
                json=json,
                content=content,
                headers=headers,
            )
            return send(self.http, request, check=raise_for_xrpc)

        try:
            response = call()
        except AuthExpired:
            if not authenticated:
                raise
            # An expired or revoked token is refused before anything is done: refresh
            # it once and ask again; a refresh that fails is final.
            self._refresh()
            response = call()
        return response.json() if response.content else {}

    def _access_token(self) -> str:
        if self._session is None:
            self._login()
        return self._session["accessJwt"]

    def _did(self) -> str:
        if self._session is None:
            self._login()
        return self._session["did"]

    def _login(self) -> None:
        body = {"identifier": self.account.username, "password": self.account.token}
        request = self.http.build_request(
            "POST", f"{self.base}/xrpc/com.atproto.server.createSession", json=body
        )
        self._session = send(self.http, request, check=raise_for_xrpc).json()

    def _refresh(self) -> None:
        if self._session is None:
            self._login()
            return
        request = self.http.build_request(
            "POST",
            f"{self.base}/xrpc/com.atproto.server.refreshSession",
            headers={"Authorization": f"Bearer {self._session['refreshJwt']}"},
        )
        try:
            self._session = send(self.http, request, check=raise_for_xrpc).json()
        except AuthExpired:
            self._session = None
            raise


def _split(uri: str) -> tuple[str, str, str]:
    try:
        return reading.split_uri(uri)
    except ValueError as exc:
        raise Rejected(str(exc)) from None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _created_at(record: dict) -> datetime | None:
    created = (record.get("value") or {}).get("createdAt")
    return reading.when(created) if created else None


def _given_ratio(ratios: Sequence | None, position: int) -> tuple[int, int] | None:
    """The (width, height) the caller gave for the image at `position`, if any."""
    if not ratios or position >= len(ratios) or not ratios[position]:
        return None
    given = ratios[position]
    width, height = (given["width"], given["height"]) if isinstance(given, dict) else given
    return (int(width), int(height)) if int(width) > 0 and int(height) > 0 else None


def _measured_ratio(content: bytes) -> tuple[int, int] | None:
    """The image's own size (Pillow reads only its header), or None when it is unreadable."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(BytesIO(content)) as image:
            width, height = image.size
    except (UnidentifiedImageError, OSError, ValueError):
        return None
    return (width, height) if width > 0 and height > 0 else None
