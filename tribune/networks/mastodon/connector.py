"""Mastodon, through its documented REST API (https://docs.joinmastodon.org/methods/).

Connecting: every instance is its own OAuth2 server, so Tribune registers one
app per instance (`register_app`, POST /api/v1/apps) and then runs the
authorisation-code flow with PKCE (tribune/networks/oauth.py). The connect form
asks only for the instance's address; the token comes from OAuth.

Never posting twice: publishing sends an `Idempotency-Key` header. Mastodon
keeps keys for an hour and answers a repeated key with the status it already
made, so a publish whose outcome is unknown may be retried with the same key
within `idempotency_window_s`. A status carries no trace of the key, so there
is no `find_published` (the base class's NotSupported stays): past the hour,
the scheduler must hand an unknown outcome to a person.

Media: an image is uploaded first (POST /api/v2/media, alt text as
`description`); a 202 means the server is still processing it, so the
attachment is polled (GET /api/v1/media/:id) until it has a URL, a bounded
number of times. Nothing is published before every attachment is ready, so a
failed upload is safe to retry (Mastodon deletes unattached media itself).

Threads are successive statuses, each `in_reply_to_id` the previous one.
Moderation is not offered: Mastodon cannot hide replies to one's statuses.
Tokens do not expire unless the server says so; `refresh()` needs a refresh
token and raises NotSupported without one.
"""

from __future__ import annotations

import hashlib
import mimetypes
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import ClassVar

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
    OAuthSpec,
    PostDraft,
    PublishResult,
    RemoteRef,
    TokenGrant,
)
from ..errors import AuthExpired, ConnectorError, NotSupported, OutcomeUnknown, Rejected
from ..http import send
from ..oauth import refresh_grant

# Notifications per page (Mastodon's maximum is 80) and pages read per call.
INBOX_PAGE = 40
INBOX_PAGES_MAX = 5


class MastodonConnector(Connector):
    key = "mastodon"
    label = "Mastodon"
    capabilities = frozenset({
        Capability.PUBLISH, Capability.METRICS, Capability.REPLY, Capability.THREAD,
        Capability.INBOX, Capability.DELETE,
    })  # fmt: skip
    auth = AuthKind.OAUTH2
    oauth = OAuthSpec(
        authorize_url="/oauth/authorize",
        token_url="/oauth/token",
        scopes=("read", "write"),
        pkce=True,
        per_instance=True,
    )
    credential_fields = (
        CredentialField(
            target="base_url",
            label=gettext_lazy("Server address"),
            help_text=gettext_lazy("The address of your Mastodon server, where you sign in."),
            placeholder="https://mastodon.social",
        ),
    )
    idempotent_publish = True
    # Mastodon keeps an Idempotency-Key for an hour (docs.joinmastodon.org/methods/statuses/).
    idempotency_window_s: ClassVar[int | None] = 3600
    # Waiting for an uploaded attachment to be processed: attempts, and seconds between them.
    media_poll_attempts: ClassVar[int] = 10
    media_poll_interval_s: ClassVar[float] = 1.0

    def __init__(self, account: AccountCredentials, http: httpx.Client):
        super().__init__(account, http)
        self.base = account.base_url.rstrip("/")

    def _request(self, method: str, path: str, **kwargs) -> httpx.Request:
        headers = {"Authorization": f"Bearer {self.account.token}", **kwargs.pop("headers", {})}
        return self.http.build_request(method, f"{self.base}{path}", headers=headers, **kwargs)

    @classmethod
    def register_app(
        cls, http: httpx.Client, base_url: str, redirect_uri: str, name: str, website: str = ""
    ) -> tuple[str, str]:
        """Register Tribune as an app on one instance; return (client_id, client_secret).

        Every instance needs its own app. Registering twice only leaves an unused
        app behind, so a caller may retry after any error.
        """
        form = {
            "client_name": name,
            "redirect_uris": redirect_uri,
            "scopes": " ".join(cls.oauth.scopes),
        }
        if website:
            form["website"] = website
        request = http.build_request("POST", f"{base_url.rstrip('/')}/api/v1/apps", data=form)
        app = send(http, request).json()
        if not app.get("client_id") or not app.get("client_secret"):
            raise Rejected(_("The server registered no app."))
        return str(app["client_id"]), str(app["client_secret"])

    def verify(self) -> AccountIdentity:
        """Return who the token acts as (GET /api/v1/accounts/verify_credentials)."""
        account = send(self.http, self._request("GET", "/api/v1/accounts/verify_credentials"))
        body = account.json()
        return AccountIdentity(
            remote_id=str(body["id"]),
            handle=str(body.get("acct") or body.get("username", "")),
            display_name=str(body.get("display_name") or ""),
            url=str(body.get("url") or ""),
        )

    def refresh(self) -> TokenGrant:
        """Exchange the stored refresh token (credentials' extra "refresh_token").

        Mastodon's tokens normally never expire and it usually issues no refresh
        token: then this raises NotSupported, and a revoked token shows up as
        AuthExpired on the next call instead.
        """
        refresh_token = self.account.extra.get("refresh_token", "")
        if not refresh_token:
            raise NotSupported(_("Mastodon gave no refresh token; its tokens do not expire."))
        client_id = self.account.extra.get("client_id", "")
        if not client_id:
            raise AuthExpired(_("The account has no app registration; connect it again."))
        return refresh_grant(
            self.http, self.oauth, self.base, client_id,
            self.account.extra.get("client_secret", ""), refresh_token,
        )  # fmt: skip

    def publish(self, post: PostDraft, idempotency_key: str) -> PublishResult:
        media_ids = [self._upload(item) for item in post.media]
        body: dict = {"status": post.text, "visibility": post.options.get("visibility", "public")}
        for option in ("spoiler_text", "language"):
            if post.options.get(option):
                body[option] = post.options[option]
        if media_ids:
            body["media_ids"] = media_ids
        if post.reply_to:  # a reply, or the next part of a thread
            body["in_reply_to_id"] = post.reply_to.remote_id
        request = self._request(
            "POST", "/api/v1/statuses", json=body, headers={"Idempotency-Key": idempotency_key}
        )
        response = send(self.http, request)
        status = response.json()
        return PublishResult(
            ref=_ref(status), published_at=_when(status), status=response.status_code
        )

    def _upload(self, item: MediaItem) -> str:
        """Upload one attachment and wait until it is processed; return its id.

        No status exists yet, so a lost answer here is safe to retry: it is
        raised as a plain, temporary ConnectorError, not OutcomeUnknown.
        """
        extension = mimetypes.guess_extension(item.mime_type) or ""
        file = (item.file_name or f"media{extension}", item.content, item.mime_type)
        request = self._request(
            "POST", "/api/v2/media", files={"file": file}, data={"description": item.alt_text}
        )
        try:
            response = send(self.http, request)
            attachment = response.json()
            for _attempt in range(self.media_poll_attempts):
                if response.status_code != 202 and attachment.get("url"):
                    return str(attachment["id"])
                time.sleep(self.media_poll_interval_s)
                response = send(
                    self.http, self._request("GET", f"/api/v1/media/{attachment['id']}")
                )
                attachment = response.json()
        except OutcomeUnknown as doubt:
            raise ConnectorError(doubt.message, status=doubt.status) from None
        if attachment.get("url"):
            return str(attachment["id"])
        raise ConnectorError(_("The server is still processing the media; try again later."))

    def reply(self, to: RemoteRef, text: str) -> RemoteRef:
        # The key depends only on what is sent, so a retried reply is not posted twice.
        digest = hashlib.sha256(f"{to.remote_id}\n{text}".encode()).hexdigest()
        return self.publish(PostDraft(text=text, reply_to=to), f"reply-{digest}").ref

    def delete(self, ref: RemoteRef) -> None:
        """Delete one of the account's statuses; one already gone counts as deleted."""
        try:
            send(self.http, self._request("DELETE", f"/api/v1/statuses/{ref.remote_id}"))
        except Rejected as refused:
            if refused.status != 404:  # a retried delete finds nothing left: done
                raise

    def fetch_inbox(self, since: datetime | None = None) -> list[InboxItem]:
        """Return mentions of the account, newest first (GET /api/v1/notifications).

        Without `since`, one page; with it, pages back until older than `since`
        (at most INBOX_PAGES_MAX pages). Mentions whose status is gone are left out.
        """
        items: list[InboxItem] = []
        params: dict = {"types[]": "mention", "limit": INBOX_PAGE}
        for _page in range(INBOX_PAGES_MAX if since else 1):
            page = send(self.http, self._request("GET", "/api/v1/notifications", params=params))
            notifications = page.json()
            for notification in notifications:
                if since and _parse_time(notification["created_at"]) < since:
                    return items
                if notification.get("status"):
                    items.append(_inbox_item(notification))
            if len(notifications) < INBOX_PAGE:
                break
            params = {**params, "max_id": notifications[-1]["id"]}
        return items

    def fetch_metrics(self, refs: Sequence[RemoteRef]) -> list[MetricSnapshot]:
        """Counts of each status (GET /api/v1/statuses/:id), one request per status.

        A status that is gone (404) is left out of the answer, as Bluesky's
        getPosts does, so one deleted status does not fail the others.
        """
        snapshots = []
        for ref in refs:
            try:
                status = send(
                    self.http, self._request("GET", f"/api/v1/statuses/{ref.remote_id}")
                ).json()
            except Rejected as refused:
                if refused.status == 404:
                    continue
                raise
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

    def fetch_account_metrics(self) -> MetricSnapshot:
        """Followers of the account (followers_count of verify_credentials).

        Mastodon gives no count of new followers: Tribune derives it from the
        rise between two readings.
        """
        body = send(self.http, self._request("GET", "/api/v1/accounts/verify_credentials")).json()
        followers = int(body.get("followers_count") or 0)
        return MetricSnapshot(
            ref=RemoteRef(str(body["id"]), url=str(body.get("url") or "")),
            taken_at=datetime.now(UTC),
            values={"followers": followers},
            raw={"followers_count": followers},
        )


def _inbox_item(notification: dict) -> InboxItem:
    status = notification["status"]
    parent = status.get("in_reply_to_id")
    return InboxItem(
        ref=RemoteRef(
            remote_id=str(status["id"]),
            url=status.get("url") or status.get("uri", ""),
            extra={"notification_id": str(notification["id"])},
        ),
        author=str((notification.get("account") or status.get("account") or {}).get("acct", "")),
        text=plain_text(status.get("content", "")),
        created_at=_parse_time(status.get("created_at") or notification["created_at"]),
        in_reply_to=RemoteRef(str(parent)) if parent else None,
    )


def _ref(status: dict) -> RemoteRef:
    return RemoteRef(remote_id=str(status["id"]), url=status.get("url") or status.get("uri", ""))


def _when(status: dict) -> datetime | None:
    created = status.get("created_at")
    return _parse_time(created) if created else None


def _parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


class _PlainText(HTMLParser):
    """Status content is HTML (paragraphs, line breaks, links): keep the words and the breaks."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "br":
            self.parts.append("\n")
        elif tag == "p" and self.parts:
            self.parts.append("\n\n")

    def handle_data(self, data):
        self.parts.append(data)


def plain_text(html: str) -> str:
    """Return a status's HTML content as plain text."""
    parser = _PlainText()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts).strip()
