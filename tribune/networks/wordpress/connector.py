"""WordPress, through its REST API (developer.wordpress.org/rest-api/reference/).

Requests use the `?rest_route=/wp/v2/...` form, which works whatever the
site's permalinks (plain permalinks have no `/wp-json/`), with Basic auth:
the user name and an application password (Users → Profile). WordPress only
offers application passwords over HTTPS, or over HTTP on a site whose
environment type is `local`.

Never posting twice: WordPress takes no idempotency key. Each publish leaves
the token `tribune:<32 hex of sha256(key)>` in the post as an HTML comment at
the end of its content, and `find_published` looks for it with the posts
search (title, excerpt and content), in every status the account can see,
trash included (a post someone trashed was still published once).
Why not a slug derived from the key: the slug is the post's address under
pretty permalinks, which readers and search engines see, and editors change
it; an HTML comment is invisible to readers and survives edits of the title
and the address. (An editor who deletes the comment in the minutes between an
unknown outcome and the retry defeats it; that risk is accepted.) Media
uploaded by a first attempt whose outcome was unknown may be uploaded again
by the retry: an unused file in the media library, never a second post.

Replies are safe to retry: WordPress refuses a duplicate comment (409), and
`reply` then returns the comment already there.
"""

from __future__ import annotations

import base64
import html
import mimetypes
import re
import unicodedata
from datetime import UTC, datetime, timedelta

import httpx
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
    Moderation,
    PostDraft,
    PublishResult,
    RemoteRef,
)
from ..errors import ConnectorError, OutcomeUnknown, Rejected
from ..http import send
from .content import image_html, plain_text, post_html, title_and_body, trace_marker, video_html

# WordPress's comment statuses, by Tribune's moderation action. WordPress has
# no "hidden" comment: holding it (unapproving) is how it leaves the page.
COMMENT_STATUS = {
    Moderation.APPROVE: "approved",
    Moderation.HOLD: "hold",
    Moderation.HIDE: "hold",
    Moderation.SPAM: "spam",
    Moderation.TRASH: "trash",
}
# Every post status a publish may leave behind ("any" would leave out trash).
SEARCHED_STATUSES = "publish,future,draft,pending,private,trash"
PAGE_SIZE = 100
# `after` compares with the site's local time; widen it by the largest UTC offset.
LOCAL_TIME_MARGIN = timedelta(hours=15)


class WordPressConnector(Connector):
    key = "wordpress"
    label = "WordPress"
    capabilities = frozenset({
        Capability.PUBLISH, Capability.INBOX, Capability.REPLY, Capability.MODERATE,
        Capability.DELETE,
    })  # fmt: skip
    auth = AuthKind.PASSWORD
    credential_fields = (
        CredentialField(
            "base_url", gettext_lazy("Site address"), placeholder="https://blog.example.org"
        ),
        CredentialField("username", gettext_lazy("User name")),
        CredentialField(
            "token",
            gettext_lazy("Application password"),
            secret=True,
            help_text=gettext_lazy(
                "Create one in WordPress under Users, Profile, Application Passwords."
            ),
        ),
    )
    idempotent_publish = False

    def __init__(self, account: AccountCredentials, http: httpx.Client):
        super().__init__(account, http)
        self.base = account.base_url.rstrip("/")
        self._me: dict | None = None

    # -- account ---------------------------------------------------------------------------

    def verify(self) -> AccountIdentity:
        """Return who the application password acts as; AuthExpired when WordPress refuses it."""
        me = self._current_user()
        return AccountIdentity(
            remote_id=str(me["id"]),
            handle=me.get("username") or me.get("slug", ""),
            display_name=html.unescape(me.get("name", "")),
            url=self.base,
        )

    # -- publishing ------------------------------------------------------------------------

    def publish(self, post: PostDraft, idempotency_key: str) -> PublishResult:
        """Create the post (featured image first, categories by name); return where it lives."""
        marker = trace_marker(idempotency_key)
        featured, embeds = self._upload_media(post.media)
        title, text = title_and_body(post.title, post.text)
        body: dict = {
            "title": title,
            "content": post_html(text, post.link, marker, embeds),
            "status": post.options.get("status") or "publish",
        }
        if featured:
            body["featured_media"] = featured
        names = _names(post.options.get("categories"))
        if names:
            body["categories"] = self._category_ids(names)
        response = self._send("POST", "/wp/v2/posts", json=body)
        created = response.json()
        return PublishResult(
            ref=RemoteRef(str(created["id"]), created.get("link", "")),
            published_at=_utc(created.get("date_gmt")),
            status=response.status_code,
        )

    def find_published(self, idempotency_key: str, since: datetime) -> RemoteRef | None:
        """Return the post carrying this key's marker made since `since`, or None."""
        marker = trace_marker(idempotency_key)
        params = {
            "search": marker,
            "status": SEARCHED_STATUSES,
            "after": _local_bound(since),
            "context": "edit",
            "_fields": "id,link,content",
            "per_page": 10,
        }
        for found in self._send("GET", "/wp/v2/posts", params=params).json():
            # The search matches words anywhere; keep only a post holding the marker itself.
            if marker in (found.get("content") or {}).get("raw", ""):
                return RemoteRef(str(found["id"]), found.get("link", ""))
        return None

    def delete(self, ref: RemoteRef) -> None:
        """Move the post to the trash (WordPress keeps it there for 30 days)."""
        try:
            self._send("DELETE", f"/wp/v2/posts/{int(ref.remote_id)}")
        except Rejected as refused:
            if refused.status != 410:  # 410: already in the trash, which is what was asked
                raise

    def _upload_media(self, media: tuple[MediaItem, ...]) -> tuple[int | None, tuple[str, ...]]:
        """Upload every item; the first image becomes the featured image, the rest go in the
        content. Returns (featured media id or None, HTML of the embedded items)."""
        featured, embeds = None, []
        for item in media:
            uploaded = self._send(
                "POST",
                "/wp/v2/media",
                # alt_text rides along as a query parameter: the body is the file itself.
                params={"alt_text": item.alt_text} if item.alt_text else {},
                content=item.content,
                headers={
                    "Content-Type": item.mime_type,
                    "Content-Disposition": f'attachment; filename="{_file_name(item)}"',
                },
            ).json()
            if featured is None and item.mime_type.startswith("image/"):
                featured = int(uploaded["id"])
            elif item.mime_type.startswith("video/"):
                embeds.append(video_html(uploaded.get("source_url", "")))
            else:
                embeds.append(image_html(uploaded.get("source_url", ""), item.alt_text))
        return featured, tuple(embeds)

    def _category_ids(self, names: list[str]) -> list[int]:
        """Return the ids of the categories named, creating those the site lacks."""
        known = self._categories()
        ids = []
        for name in names:
            if _fold(name) not in known:
                try:
                    created = self._send("POST", "/wp/v2/categories", json={"name": name}).json()
                    known[_fold(name)] = int(created["id"])
                except Rejected as refused:
                    # term_exists: one WordPress compares differently, or made meanwhile.
                    known = self._categories()
                    if _fold(name) not in known or refused.status != 400:
                        raise
            ids.append(known[_fold(name)])
        return ids

    def _categories(self) -> dict[str, int]:
        """Every category of the site, by folded name (names come HTML-escaped)."""
        found: dict[str, int] = {}
        for item in self._every("/wp/v2/categories", {"_fields": "id,name", "hide_empty": "false"}):
            found.setdefault(_fold(html.unescape(item["name"])), int(item["id"]))
        return found

    # -- comments --------------------------------------------------------------------------

    def fetch_inbox(self, since: datetime | None = None) -> list[InboxItem]:
        """Return comments by others (approved and held; spam and trash left out), oldest first.

        An account that may not moderate sees only approved comments.
        """
        me = self._current_user()
        params: dict = {"orderby": "date_gmt", "order": "asc", "author_exclude": me["id"]}
        if _can_moderate(me):
            params |= {"status": "all", "context": "edit"}  # "all": approved and held
        if since is not None:
            since = since if since.tzinfo else since.replace(tzinfo=UTC)
            params["after"] = _local_bound(since)
        items = []
        for comment in self._every("/wp/v2/comments", params):
            item = _inbox_item(comment)
            if since is None or item.created_at > since:
                items.append(item)
        return items

    def reply(self, to: RemoteRef, text: str) -> RemoteRef:
        """Answer a comment (a ref with extra["post"]) or comment on a post; return the reply."""
        post, parent = (to.extra["post"], to.remote_id) if "post" in to.extra else (to.remote_id, 0)
        body: dict = {"post": int(post), "parent": int(parent), "content": text}
        me = self._current_user()
        if _can_moderate(me):
            # Set explicitly: WordPress's own rules may otherwise hold the reply for moderation.
            body["status"] = "approved"
        try:
            created = self._send("POST", "/wp/v2/comments", json=body).json()
        except Rejected as refused:
            # 409: WordPress already holds this very comment (an earlier attempt arrived).
            earlier = self._same_reply(body, me) if refused.status == 409 else None
            if earlier is None:
                raise
            return earlier
        return RemoteRef(str(created["id"]), created.get("link", ""), {"post": str(post)})

    def moderate(self, ref: RemoteRef, action: Moderation) -> None:
        """Approve, hold, mark as spam or trash a comment."""
        status = COMMENT_STATUS[action]
        path = f"/wp/v2/comments/{int(ref.remote_id)}"
        try:
            self._send("POST", path, json={"status": status})
        except OutcomeUnknown as unknown:
            # WordPress answers 500 when the comment already has that status: read it back.
            now = self._send("GET", path, params={"context": "edit"}).json().get("status")
            if now != status:
                raise unknown from None

    def _same_reply(self, body: dict, me: dict) -> RemoteRef | None:
        params: dict = {"post": body["post"], "parent": body["parent"], "author": me["id"]}
        if _can_moderate(me):
            params |= {"status": "all", "context": "edit"}
        for comment in self._every("/wp/v2/comments", params):
            content = comment.get("content") or {}
            said = content.get("raw")
            if said is None:
                said = plain_text(content.get("rendered", ""))
            if said.strip() == body["content"].strip():
                return RemoteRef(str(comment["id"]), comment.get("link", ""),
                                 {"post": str(body["post"])})  # fmt: skip
        return None

    # -- transport -------------------------------------------------------------------------

    def _current_user(self) -> dict:
        if self._me is None:
            self._me = self._send("GET", "/wp/v2/users/me", params={"context": "edit"}).json()
        return self._me

    def _every(self, route: str, params: dict):
        """Yield every item of a paginated collection (X-WP-TotalPages says how many pages)."""
        page = 1
        while True:
            response = self._send(
                "GET", route, params={**params, "per_page": PAGE_SIZE, "page": page}
            )
            items = response.json()
            yield from items
            pages = int(response.headers.get("X-WP-TotalPages") or 1)
            if page >= pages or len(items) < PAGE_SIZE:
                return
            page += 1

    def _send(
        self, method: str, route: str, params: dict | None = None, **kwargs
    ) -> httpx.Response:
        credentials = f"{self.account.username}:{self.account.token}".encode()
        headers = {
            "Authorization": "Basic " + base64.b64encode(credentials).decode("ascii"),
            "Accept": "application/json",
            **kwargs.pop("headers", {}),
        }
        request = self.http.build_request(
            method,
            f"{self.base}/",
            params={"rest_route": route, **(params or {})},
            headers=headers,
            **kwargs,
        )
        try:
            return send(self.http, request)
        except ConnectorError as error:
            # WordPress's messages carry HTML entities ("you&#8217;ve").
            error.message = html.unescape(error.message)
            error.args = (error.message,)
            raise


def _inbox_item(comment: dict) -> InboxItem:
    post = str(comment["post"])
    parent = int(comment.get("parent") or 0)
    return InboxItem(
        ref=RemoteRef(str(comment["id"]), comment.get("link", ""), {"post": post}),
        author=html.unescape(comment.get("author_name", "")),
        text=plain_text((comment.get("content") or {}).get("rendered", "")),
        created_at=_utc(comment["date_gmt"]),
        in_reply_to=RemoteRef(str(parent), extra={"post": post}) if parent else RemoteRef(post),
        status=comment.get("status", ""),
    )


def _can_moderate(me: dict) -> bool:
    return bool((me.get("capabilities") or {}).get("moderate_comments"))


def _names(value) -> list[str]:
    """Category names from an option: a list, or one comma-separated string."""
    if not value:
        return []
    parts = value.split(",") if isinstance(value, str) else value
    return [name.strip() for name in parts if name and name.strip()]


def _fold(name: str) -> str:
    """Compare names as WordPress's database does: case and accents ignored."""
    decomposed = unicodedata.normalize("NFKD", name.strip())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _file_name(item: MediaItem) -> str:
    """A file name safe in a header, with the extension WordPress checks against the type."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", item.file_name).strip("-.") or "tribune-media"
    extensions = mimetypes.guess_all_extensions(item.mime_type)
    if extensions and not stem.lower().endswith(tuple(extensions)):
        stem += mimetypes.guess_extension(item.mime_type) or extensions[0]
    return stem


def _utc(value: str | None) -> datetime | None:
    """WordPress's *_gmt dates are UTC without an offset."""
    if not value:
        return None
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def _local_bound(since: datetime) -> str:
    """An `after` bound safe whatever the site's time zone (WordPress compares local times)."""
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return (since.astimezone(UTC) - LOCAL_TIME_MARGIN).strftime("%Y-%m-%dT%H:%M:%S")
