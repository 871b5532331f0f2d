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

The inbox is the talk pages: the account's user talk page and the talk pages
of the pages it edited most recently (at most 49). Their signed comments are
read out of the wikitext (see talk.py for the simple rules followed); a
comment's reference is `<talk pageid>#<comment key>`. A reply is appended
under the comment it answers, one colon deeper and signed with `~~~~`; a reply
to a published page opens a new thread on its talk page. A reply that is
already there, with the same text and by the same account, is not added
again, so a retried reply does not post twice.
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
from ..errors import AuthExpired, ConnectorError, NotSupported, Rejected
from . import talk
from .session import WikiError, WikiSession
from .site import Site

# Edit summaries are cut at 500 characters (CommentStore::COMMENT_CHARACTER_LIMIT).
SUMMARY_MAX = 500
# One query reads at most 50 pages' content (API:Query, `titles` limit without apihighlimits).
TALK_PAGES_MAX = 50


def key_marker(idempotency_key: str) -> str:
    return f"[tribune:{hashlib.sha256(idempotency_key.encode()).hexdigest()[:12]}]"


def edit_summary(summary: str, marker: str) -> str:
    room = SUMMARY_MAX - len(marker) - 1
    summary = " ".join(summary.split())
    if len(summary) > room:
        summary = summary[: room - 1].rstrip() + "…"
    return f"{summary} {marker}"


def wiki_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


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
        edit = saved(
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
            revision = self._current_revision(edit["pageid"])
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
        """Return the signed comments of the account's talk pages, newer than `since`."""
        site = self.wiki.site()
        titles = "|".join(self._talk_pages(site))
        params = {
            "action": "query",
            "prop": "revisions",
            "titles": titles,
            "rvprop": "ids|timestamp|content",
            "rvslots": "main",
        }
        items: list[InboxItem] = []
        for batch in self.wiki.read_all(params):
            for page in batch.get("query", {}).get("pages", []):
                if page.get("revisions"):
                    items.extend(self._comments(site, page, since))
        return items

    def reply(self, to: RemoteRef, text: str) -> RemoteRef:
        """Answer a talk-page comment under it, or open a thread on a published page's talk page.

        Returns the reply's revision (or the reply already there, when it was made before).
        """
        site = self.wiki.site()
        if to.extra.get("page"):
            title = to.extra["page"]
        elif to.extra.get("title"):
            title = site.talk_title(to.extra["title"])
        else:
            raise ConnectorError(_("Tribune cannot tell which talk page this is."), permanent=True)
        current = self._talk_page(title)
        wikitext = talk_text(current) if current else ""
        found = talk.comments(wikitext, site.signatures())
        heading = to.extra.get("thread") or ("" if to.extra.get("page") else thread_heading(text))
        place = talk.place_reply(
            wikitext, found, to.extra.get("comment", ""), heading, int(to.extra.get("depth") or 0)
        )
        earlier = talk.earlier_reply(found, place, self.wiki.user, text)
        if earlier and current:
            return self._comment_ref(site, current["pageid"], title, earlier)
        if place.thread is None or current is None:
            heading, depth = place.heading or thread_heading(text), 0
            edit = saved(
                self.wiki.write(
                    {
                        "action": "edit",
                        "title": title,
                        "section": "new",
                        "sectiontitle": heading,
                        "text": talk.signed_reply(text, depth),
                    }
                )
            )
        else:
            heading, depth = place.heading, place.depth
            revision = current["revisions"][0]
            summary = f"/* {heading} */ {_('reply')}" if heading else _("reply")
            edit = saved(
                self.wiki.write(
                    {
                        "action": "edit",
                        "title": title,
                        "nocreate": "1",
                        "text": talk.insert_reply(
                            wikitext, place.thread, talk.signed_reply(text, depth)
                        ),
                        "summary": summary,
                        # A concurrent edit is merged by the wiki, or refused as a conflict.
                        "baserevid": str(revision["revid"]),
                        "basetimestamp": revision["timestamp"],
                    }
                )
            )
        revid = edit.get("newrevid") or self._current_revision(edit["pageid"])["revid"]
        return RemoteRef(
            remote_id=f"{edit['pageid']}:{revid}",
            url=site.revision_url(title, revid),
            extra={"page": title, "thread": heading, "depth": str(depth)},
        )

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

    def _comment_ref(self, site: Site, pageid: int, title: str, comment: talk.Comment) -> RemoteRef:
        return RemoteRef(
            remote_id=f"{pageid}#{comment.key}",
            url=site.page_url(title, comment.thread.heading),
            extra={
                "page": title,
                "comment": comment.key,
                "thread": comment.thread.heading,
                "depth": str(comment.depth),
            },
        )

    def _current_revision(self, pageid: int) -> dict:
        query = self.wiki.read(
            {
                "action": "query",
                "prop": "revisions",
                "pageids": str(pageid),
                "rvprop": "ids|timestamp",
            }
        )["query"]
        return query["pages"][0]["revisions"][0]

    def _talk_page(self, title: str) -> dict | None:
        query = self.wiki.read(
            {
                "action": "query",
                "prop": "revisions",
                "titles": title,
                "rvprop": "ids|timestamp|content",
                "rvslots": "main",
            }
        )["query"]
        page = query["pages"][0]
        return None if page.get("missing") or not page.get("revisions") else page

    def _talk_pages(self, site: Site) -> list[str]:
        """The account's user talk page, then the talk pages of the pages it edited last."""
        contributions = self.wiki.read(
            {
                "action": "query",
                "list": "usercontribs",
                "ucuser": self.wiki.user,
                "ucprop": "title",
                "uclimit": "max",
            }
        )["query"]["usercontribs"]
        titles = {site.talk_title(site.user_page(self.wiki.user)): None}
        for contribution in contributions:
            if contribution["ns"] >= 0:
                titles.setdefault(site.talk_title(contribution["title"]), None)
        return list(titles)[:TALK_PAGES_MAX]

    def _comments(self, site: Site, page: dict, since: datetime | None) -> list[InboxItem]:
        revision = page["revisions"][0]
        changed = wiki_time(revision["timestamp"])
        if since and changed < since:
            return []
        found = talk.comments(talk_text(page), site.signatures())
        items = []
        for index, comment in enumerate(found):
            created = comment.signed_at or changed
            if comment.author == self.wiki.user or (since and created < since):
                continue
            answered = next(
                (
                    earlier
                    for earlier in reversed(found[:index])
                    if earlier.thread == comment.thread and earlier.depth < comment.depth
                ),
                None,
            )
            items.append(
                InboxItem(
                    ref=self._comment_ref(site, page["pageid"], page["title"], comment),
                    author=comment.author,
                    text=comment.text,
                    created_at=created,
                    in_reply_to=(
                        self._comment_ref(site, page["pageid"], page["title"], answered)
                        if answered
                        else None
                    ),
                )
            )
        return items


def page_title(post: PostDraft) -> str:
    return (post.title or str(post.options.get("page") or "")).strip()


def talk_text(page: dict) -> str:
    return page["revisions"][0]["slots"]["main"].get("content", "")


def thread_heading(text: str) -> str:
    """A heading for a new thread: the reply's first words, without heading markup."""
    words = " ".join(text.replace("=", " ").split())
    return words if len(words) <= 60 else words[:59].rsplit(" ", 1)[0] + "…"


def saved(body: dict) -> dict:
    """Return the `edit` answer; raise Rejected when the wiki did not save (CAPTCHA, filters)."""
    edit = body.get("edit", {})
    if edit.get("result") == "Success":
        return edit
    reasons = [key for key in edit if key not in {"result", "title", "pageid", "contentmodel"}]
    detail = edit.get("info") or ", ".join(reasons) or str(edit.get("result", ""))
    raise Rejected(_("The wiki did not save the edit: %(detail)s") % {"detail": detail})
