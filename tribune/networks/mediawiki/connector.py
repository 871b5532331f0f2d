"""Wikis running MediaWiki, through the action API (mediawiki.org/wiki/API:Main_page).

The account is a bot password (Special:BotPasswords): the bot user name
("Admin@tribune") and its password, logged in with `action=login`.

Publishing writes a whole page with `action=edit` (title: the post's title, or
the variant's "page" option). MediaWiki takes no idempotency key, so:

- an edit whose text equals the page's current text is a no-op ("nochange"):
  publishing the same text twice never makes a second revision;
- every edit summary ends with a marker made from the key, `[tribune:<12 hex>]`,
  and `find_published` looks for it in the account's own contributions
  (`list=usercontribs`) since the given time. A publish whose outcome is
  unknown can so be settled before it is sent again.

A published page's reference is `<pageid>:<revid>`, with a link to that revision.

The inbox is the talk pages, and replies are signed comments on them: see
discussions.py.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import httpx
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from ..base import (
    AccountCredentials,
    AccountIdentity,
    AuthKind,
    Capability,
    Connector,
    CredentialField,
    DraftProblem,
    InboxItem,
    PostDraft,
    PublishResult,
    RemoteRef,
)
from ..errors import AuthExpired, ConnectorError, NotSupported
from .discussions import Discussions
from .session import WikiError, WikiSession, edit_result, wiki_time

# Edit summaries are cut at 500 characters (CommentStore::COMMENT_CHARACTER_LIMIT).
SUMMARY_MAX = 500


def key_marker(idempotency_key: str) -> str:
    return f"[tribune:{hashlib.sha256(idempotency_key.encode()).hexdigest()[:12]}]"


def edit_summary(summary: str, marker: str) -> str:
    room = SUMMARY_MAX - len(marker) - 1
    summary = " ".join(summary.split())
    if len(summary) > room:
        summary = summary[: room - 1].rstrip() + "…"
    return f"{summary} {marker}"


class MediaWikiConnector(Connector):
    key = "mediawiki"
    label = _l("Wiki (MediaWiki)")
    capabilities = frozenset(
        {Capability.PUBLISH, Capability.INBOX, Capability.REPLY, Capability.DELETE}
    )
    auth = AuthKind.PASSWORD
    credential_fields = (
        CredentialField(
            "base_url",
            _l("Wiki address"),
            help_text=_l("The address of the wiki's api.php, or of its home page."),
            placeholder="https://wiki.example/w/api.php",
        ),
        CredentialField(
            "username",
            _l("Bot user name"),
            help_text=_l("As Special:BotPasswords shows it: your user name, @, the bot's name."),
            placeholder="Admin@tribune",
        ),
        CredentialField(
            "token",
            _l("Bot password"),
            secret=True,
            help_text=_l(
                "Grants needed: basic rights, high-volume editing, edit existing pages, "
                "create, edit and move pages; delete pages to let Tribune delete them."
            ),
        ),
    )
    idempotent_publish = False

    def __init__(self, account: AccountCredentials, http: httpx.Client):
        super().__init__(account, http)
        self.wiki = WikiSession(http, account.base_url, account.username, account.token)

    def validate(self, post: PostDraft) -> list[DraftProblem]:
        problems = super().validate(post)
        if not page_title(post):
            problems.append(DraftProblem("title_missing", _("A wiki page needs a title.")))
        if post.media:
            problems.append(
                DraftProblem(
                    "media_not_supported",
                    _("Tribune does not upload files to wikis."),
                )
            )
        return problems

    def verify(self) -> AccountIdentity:
        """Log in and return who the bot password acts as.

        Raises AuthExpired when the login fails or the bot password may not edit pages.
        """
        site = self.wiki.site()
        info = self.wiki.read({"action": "query", "meta": "userinfo", "uiprop": "rights"})
        user = info["query"]["userinfo"]
        if user.get("anon"):
            raise AuthExpired(_("The wiki no longer knows this login."))
        if "edit" not in user.get("rights", []):
            raise AuthExpired(
                _("This bot password may not edit pages: give it the grant to edit existing pages.")
            )
        page = site.user_page(user["name"])
        return AccountIdentity(
            remote_id=str(user["id"]),
            handle=user["name"],
            display_name=user["name"],
            url=site.page_url(page),
        )

    def publish(self, post: PostDraft, idempotency_key: str) -> PublishResult:
        """Write the page; return its new revision (or its current one when nothing changed)."""
        title = page_title(post)
        if not title:
            raise ConnectorError(_("A wiki page needs a title."), permanent=True)
        summary = edit_summary(
            str(post.options.get("summary") or _("Published with Tribune")),
            key_marker(idempotency_key),
        )
        edit = edit_result(
            self.wiki.write(
                {
                    "action": "edit",
                    "title": title,
                    "text": post.text,
                    "summary": summary,
                    "bot": "1",
                }
            )
        )
        if edit.get("nochange"):
            revision = self.wiki.current_revision(edit["pageid"])
            revid, when = revision["revid"], wiki_time(revision["timestamp"])
        else:
            revid, when = edit["newrevid"], wiki_time(edit["newtimestamp"])
        ref = self._page_ref(edit["pageid"], edit["title"], revid)
        return PublishResult(ref=ref, published_at=when, status=200)

    def find_published(self, idempotency_key: str, since: datetime) -> RemoteRef | None:
        """Return the revision whose summary carries this key's marker, made since `since`."""
        marker = key_marker(idempotency_key)
        self.wiki.login()
        params = {
            "action": "query",
            "list": "usercontribs",
            "ucuser": self.wiki.user,
            "ucprop": "ids|title|timestamp|comment",
            "uclimit": "max",
            "ucend": since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        for batch in self.wiki.read_all(params):
            for contribution in batch.get("query", {}).get("usercontribs", []):
                if marker in contribution.get("comment", ""):
                    return self._page_ref(
                        contribution["pageid"], contribution["title"], contribution["revid"]
                    )
        return None

    def fetch_inbox(self, since: datetime | None = None) -> list[InboxItem]:
        """Return the signed comments on the account's talk pages, newer than `since`."""
        return Discussions(self.wiki).inbox(since)

    def reply(self, to: RemoteRef, text: str) -> RemoteRef:
        """Answer a talk-page comment, or open a thread on a published page's talk page."""
        return Discussions(self.wiki).reply(to, text)

    def delete(self, ref: RemoteRef) -> None:
        """Delete a published page; one already gone counts as deleted.

        Raises NotSupported for a talk-page comment, Rejected when the bot may not delete.
        """
        if ref.extra.get("page") or ":" not in ref.remote_id:
            raise NotSupported(_("Only a published wiki page can be deleted, not a comment."))
        try:
            self.wiki.write(
                {
                    "action": "delete",
                    "pageid": ref.remote_id.split(":", 1)[0],
                    "reason": _("Deleted from Tribune"),
                }
            )
        except WikiError as error:
            if error.code not in {"missingtitle", "nosuchpageid"}:
                raise

    def _page_ref(self, pageid: int, title: str, revid: int) -> RemoteRef:
        return RemoteRef(
            remote_id=f"{pageid}:{revid}",
            url=self.wiki.site().revision_url(title, revid),
            extra={"title": title},
        )


def page_title(post: PostDraft) -> str:
    return (post.title or str(post.options.get("page") or "")).strip()
